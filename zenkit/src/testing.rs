//! A testing kit for zenkit applications (feature `testing`): run an
//! application in a sandbox root as a user would, then read what it left.
//!
//! A [`Sandbox`] is a temporary `APP_ROOT_PATH` with `etc/`, `var/log` and
//! `var/run`, removed when dropped. [`Sandbox::app`] names an application
//! and gives an [`App`] that writes its configuration, runs it there and
//! reads its log file, persistent state and runlogs, as JSON or typed:
//!
//! * [`App::run`] runs the built program ([`find_program`]) to its end;
//! * [`App::run_in_process`] runs the application type in the test's own
//!   process, with no program to build;
//! * [`App::start`] starts a daemon's program in the foreground and waits
//!   until it reports readiness, giving a [`Daemon`] to signal, dump and
//!   stop. A daemon still running when its [`Daemon`] is dropped is
//!   killed, and the test fails.
//!
//! Each gives a [`Run`]: the exit code and what was printed.
//!
//! A script, run as its built program:
//!
//! ```no_run
//! use zenkit::testing::Sandbox;
//!
//! #[derive(serde::Deserialize)]
//! struct Runlog {
//!     result: String,
//! }
//!
//! let sandbox = Sandbox::new();
//! let app = sandbox.app("backup");
//! app.write_config(r#"{"target": "/srv/backup"}"#);
//! let run = app.run(&["--verbose"]);
//! assert_eq!(run.code, 0, "{}", run.stderr);
//! assert_eq!(app.runlog_as::<Runlog>().result, "success");
//! assert!(app.log().contains("INFO:"));
//! ```
//!
//! The same kind of test in the test's own process, of an application
//! type the test sees (a library's, or one written in the test):
//!
//! ```
//! use zenkit::prelude::*;
//! use zenkit::testing::Sandbox;
//!
//! /// Greets and counts its greetings.
//! #[derive(ZenApp, Default)]
//! #[zen(script, default_command = "greet")]
//! #[zen(defaults(config_file_silent = true, config_dir_silent = true))]
//! struct Greeter {
//!     #[zen(cli, default = "world")]
//!     who: String,
//!     #[zen(pstate)]
//!     total: u64,
//! }
//!
//! #[zenkit::app]
//! impl Greeter {
//!     /// Greets once.
//!     #[command]
//!     fn greet(&mut self, ctx: &mut Context) -> zenkit::Result<u64> {
//!         self.total += 1;
//!         warn!("greeting {}", self.who);
//!         ctx.print(0, format_args!("Hello, {}!", self.who));
//!         Ok(self.total)
//!     }
//! }
//!
//! let sandbox = Sandbox::new();
//! let app = sandbox.app("greeter");
//! let run = app.run_in_process::<Greeter>(&["--who", "tests"]);
//! assert_eq!(run.code, 0, "{}", run.stderr);
//! assert_eq!(run.stdout, "Hello, tests!\n");
//! assert!(run.stderr.contains("WARNING: greeting tests"));
//! assert_eq!(app.runlog()["greet"], 1);
//! assert_eq!(app.pstate()["total"], 1);
//! ```
//!
//! An in-process run reads only the environment the test gives it
//! ([`App::run_in_process_with`]) and writes its output, console log
//! included, to buffers of its own, so runs on parallel test threads do
//! not mix. What belongs to the whole process stays out of it: a daemon
//! (signal handlers, PID file, detaching) and a switch to another user or
//! group are refused, and the working directory stays the test's. Its
//! console log never goes to journald, and log layers added with
//! [`add_layer`](crate::log::add_layer) or by plugins are not installed
//! for it.
//!
//! A daemon, started as its built program:
//!
//! ```no_run
//! use zenkit::testing::{Sandbox, Signal};
//!
//! let sandbox = Sandbox::new();
//! let app = sandbox.app("counterd");
//! let mut daemon = app.start(&["--stats-interval", "5"]);
//! let state = daemon.dump_state();
//! assert!(state["components"].is_object());
//! daemon.signal(Signal::SIGUSR1);
//! app.wait_for_log("Application runlog saved to file");
//! assert_eq!(daemon.stop(), 0);
//! assert_eq!(app.runlog()["result"], "success");
//! ```

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::kill;
use nix::unistd::Pid;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::host::{Host, Stream};

/// The signals [`Daemon::signal`], [`Process::signal`] and [`send_signal`]
/// send.
pub use nix::sys::signal::Signal;

/// How long a wait of the kit lasts at most before the test fails: long
/// enough for a loaded machine, short enough for a hung program.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The environment variables a program run by the kit does not inherit
/// unless a test gives them: they would change its log or its readiness.
pub const CLEARED_ENV: [&str; 3] = ["RUST_LOG", "JOURNAL_STREAM", "NOTIFY_SOCKET"];

/// A temporary application root (`APP_ROOT_PATH`) with `etc/`, `var/log`
/// and `var/run`, removed with everything in it when dropped.
///
/// Dropping it also kills (SIGKILL) what a failed test may have left
/// running of a program of its applications ([`App::program`], which
/// every run of a program looks up): a daemon that detached, found by a
/// PID file (`*.pid`) below the root that names a process of that program.
///
/// ```
/// let sandbox = zenkit::testing::Sandbox::new();
/// assert!(sandbox.path("var/log").is_dir());
/// sandbox.write("etc/demo.conf", "{}");
/// assert_eq!(sandbox.read("etc/demo.conf"), "{}");
/// ```
#[derive(Debug)]
pub struct Sandbox {
    dir: tempfile::TempDir,
    /// The programs of its applications.
    programs: std::sync::Mutex<Vec<PathBuf>>,
}

impl Default for Sandbox {
    fn default() -> Sandbox {
        Sandbox::new()
    }
}

impl Sandbox {
    /// Creates the root and its standard directories.
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("zenkit-sandbox.")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        for sub in ["etc", "var/log", "var/run"] {
            let path = dir.path().join(sub);
            std::fs::create_dir_all(&path)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        }
        Sandbox {
            dir,
            programs: std::sync::Mutex::default(),
        }
    }

    fn knows(&self, program: &Path) {
        let mut programs = self
            .programs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !programs.iter().any(|p| p == program) {
            programs.push(program.to_path_buf());
        }
    }

    /// The root directory, the programs' `APP_ROOT_PATH`.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path below the root.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes `text` to `rel` below the root, creating its directories;
    /// returns the path.
    pub fn write(&self, rel: impl AsRef<Path>, text: &str) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    /// The text of `rel` below the root.
    pub fn read(&self, rel: impl AsRef<Path>) -> String {
        let path = self.path(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// The application `name`, to run in this root with zenkit's default
    /// file layout: in the test's process ([`App::run_in_process`]), or as
    /// the built program of that name ([`find_program`], looked for when
    /// it is first run).
    pub fn app(&self, name: &str) -> App<'_> {
        App {
            sandbox: self,
            name: name.to_string(),
            program: None,
            etc: PathBuf::from("etc"),
            log: PathBuf::from("var/log"),
            run: PathBuf::from("var/run"),
        }
    }

    /// The application `name` built at `program`, for example
    /// `env!("CARGO_BIN_EXE_mytool")` in an integration test.
    pub fn app_at(&self, name: &str, program: impl Into<PathBuf>) -> App<'_> {
        App {
            program: Some(program.into()),
            ..self.app(name)
        }
    }
}

/// The built program `name`: the path in `CARGO_BIN_EXE_<name>` when the
/// environment has it, else the example of that name that `cargo test`
/// builds into the `examples` directory next to the test executable.
///
/// Panics, saying what to build, when there is neither.
pub fn find_program(name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(format!("CARGO_BIN_EXE_{name}")) {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the path of the test executable");
    // target/<profile>/deps/<test> → target/<profile>/examples/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executables live in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "no built program {name}: CARGO_BIN_EXE_{name} is not set and {} does not exist; \
         build it (`cargo build --examples`) or pass its path to Sandbox::app_at",
        path.display()
    );
    path
}

/// What a finished run left: its exit code and output.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code (-1 when a signal ended the program).
    pub code: i32,
    /// Everything written to standard output.
    pub stdout: String,
    /// Everything written to standard error.
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    /// The run of a program a test ran itself ([`App::command`]).
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// An application to run in a [`Sandbox`], and where it keeps its files.
///
/// The file locations follow zenkit's defaults below the root: the
/// configuration file `etc/<name>.conf`, the log `var/log/<name>.log`, the
/// persistent state `var/run/<name>.pstate`, the runlogs
/// `var/run/<name>/*.runlog` and a daemon's state `var/run/<name>.state`.
/// An application that moves them (`#[zen(paths(…))]`) says so with
/// [`App::dirs`].
#[derive(Debug, Clone)]
pub struct App<'s> {
    sandbox: &'s Sandbox,
    name: String,
    /// `None`: the built program named `name`, found when it is run.
    program: Option<PathBuf>,
    etc: PathBuf,
    log: PathBuf,
    run: PathBuf,
}

impl<'s> App<'s> {
    /// The directories, relative to the root, of the configuration (`cfg`
    /// of `#[zen(paths)]`), the log (`log`) and the run files (`run`).
    ///
    /// ```no_run
    /// let sandbox = zenkit::testing::Sandbox::new();
    /// let app = sandbox.app("demo_script").dirs("tmp", "tmp", "tmp");
    /// assert!(app.log_file().ends_with("tmp/demo_script.log"));
    /// ```
    pub fn dirs(mut self, etc: &str, log: &str, run: &str) -> App<'s> {
        self.etc = PathBuf::from(etc);
        self.log = PathBuf::from(log);
        self.run = PathBuf::from(run);
        self
    }

    /// The sandbox the application runs in.
    pub fn sandbox(&self) -> &'s Sandbox {
        self.sandbox
    }

    /// The application's name: the program's first argument, and the
    /// name of its files.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The program run: the one given to [`Sandbox::app_at`], else the
    /// built program of the application's name ([`find_program`]).
    pub fn program(&self) -> PathBuf {
        let program = match &self.program {
            Some(program) => program.clone(),
            None => find_program(&self.name),
        };
        self.sandbox.knows(&program);
        program
    }

    /// The configuration file, `<etc>/<name>.conf`.
    pub fn config_file(&self) -> PathBuf {
        self.file(&self.etc, "conf")
    }

    /// The log file, `<log>/<name>.log`.
    pub fn log_file(&self) -> PathBuf {
        self.file(&self.log, "log")
    }

    /// The persistent state file, `<run>/<name>.pstate`.
    pub fn pstate_file(&self) -> PathBuf {
        self.file(&self.run, "pstate")
    }

    /// A daemon's state file, written on SIGUSR2: `<run>/<name>.state`.
    pub fn state_file(&self) -> PathBuf {
        self.file(&self.run, "state")
    }

    /// The runlog directory, `<run>/<name>`.
    pub fn runlog_dir(&self) -> PathBuf {
        self.sandbox.path(self.run.join(&self.name))
    }

    fn file(&self, dir: &Path, ext: &str) -> PathBuf {
        self.sandbox.path(dir.join(format!("{}.{ext}", self.name)))
    }

    /// Writes the configuration file; returns its path.
    pub fn write_config(&self, text: &str) -> PathBuf {
        let rel = self.config_file();
        self.sandbox.write(rel, text)
    }

    /// Writes `text` to `file` in the configuration directory
    /// `<etc>/<name>/`; returns its path.
    pub fn write_config_dir(&self, file: &str, text: &str) -> PathBuf {
        let rel = self.etc.join(&self.name).join(file);
        self.sandbox.write(rel, text)
    }

    /// The program's command: `args`, `APP_ROOT_PATH` at the root, the root
    /// as working directory, and `RUST_LOG`, `JOURNAL_STREAM` and
    /// `NOTIFY_SOCKET` cleared. Set more on it before running it yourself.
    pub fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new(self.program());
        cmd.args(args)
            .current_dir(self.sandbox.root())
            .env("APP_ROOT_PATH", self.sandbox.root());
        for var in CLEARED_ENV {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs the program with `args` to its end.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        self.run_with(args, &[])
    }

    /// Runs the program with `args` and the environment variables `env` on
    /// top of the kit's ([`App::command`]) to its end.
    ///
    /// ```no_run
    /// let sandbox = zenkit::testing::Sandbox::new();
    /// let run = sandbox
    ///     .app("backup")
    ///     .run_with(&["--action", "config-check"], &[("RUST_LOG", "debug")]);
    /// assert_eq!(run.code, 0);
    /// ```
    pub fn run_with<S: AsRef<OsStr>>(&self, args: &[S], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied()).stdin(Stdio::null());
        cmd.output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.program().display()))
            .into()
    }

    /// Runs application `A` in the test's own process, on the calling
    /// thread, with `args` (the application's name is put before them as
    /// the program), as [`run`](crate::run()) would run it in a program of
    /// its own: in the sandbox, to its end.
    ///
    /// The run reads `APP_ROOT_PATH` (the sandbox root) and no other
    /// environment variable: see [`App::run_in_process_with`]. What it
    /// prints ([`Context::print`](crate::Context::print), the actions'
    /// output, its console log, its error messages) is captured in the
    /// [`Run`] it returns; its log file, persistent state and runlog are
    /// in the sandbox as a program's would be. Runs on other threads do
    /// not mix with it: each has its own environment, output and log.
    ///
    /// A daemon does not run in-process (its signal handlers, PID file and
    /// event loop belong to a whole process): start it as a built program
    /// with [`App::start`]. The same goes for a run that is to switch to
    /// another user or group.
    ///
    /// ```
    /// use zenkit::prelude::*;
    ///
    /// /// Counts its runs.
    /// #[derive(ZenApp, Default)]
    /// #[zen(defaults(config_file_silent = true, config_dir_silent = true))]
    /// struct Counter {
    ///     #[zen(pstate)]
    ///     runs: u64,
    /// }
    ///
    /// #[zenkit::app]
    /// impl Counter {
    ///     #[process]
    ///     fn count(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
    ///         self.runs += 1;
    ///         ctx.print(1, format_args!("run {}", self.runs));
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let sandbox = zenkit::testing::Sandbox::new();
    /// let app = sandbox.app("counter");
    /// let run = app.run_in_process::<Counter>(&["-v"]);
    /// assert_eq!(run.code, 0, "{}", run.stderr);
    /// assert_eq!(run.stdout, "run 1\n");
    /// assert_eq!(app.pstate()["runs"], 1);
    /// assert_eq!(app.runlog()["result"], "success");
    /// ```
    pub fn run_in_process<A: crate::App>(&self, args: &[&str]) -> Run {
        self.run_in_process_with::<A>(args, &[])
    }

    /// [`App::run_in_process`] with the environment variables `env` as
    /// well: the run reads `APP_ROOT_PATH` and those, and nothing of the
    /// test process's environment (zenkit's own variables, such as
    /// `RUST_LOG` or those of `#[zen(env)]` keys; what the application's
    /// own code reads with `std::env` is the process's). `.env` files are
    /// not read, and the working directory stays the test's.
    ///
    /// ```no_run
    /// # use zenkit::prelude::*;
    /// # #[derive(ZenApp, Default)] struct Backup {}
    /// # #[zenkit::app] impl Backup {}
    /// let sandbox = zenkit::testing::Sandbox::new();
    /// let run = sandbox
    ///     .app("backup")
    ///     .run_in_process_with::<Backup>(&["--verbose"], &[("RUST_LOG", "debug")]);
    /// assert!(run.stderr.contains("DEBUG:"), "{}", run.stderr);
    /// ```
    pub fn run_in_process_with<A: crate::App>(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        assert!(
            A::KIND != crate::AppKind::Daemon,
            "the daemon {} cannot run in the test's process: start the built program with App::start",
            self.name
        );
        let mut vars: HashMap<String, OsString> = HashMap::new();
        vars.insert(
            crate::paths::ROOT_ENV.to_string(),
            self.sandbox.root().into(),
        );
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), OsString::from(v))));
        let host = Host::own(vars);
        let argv: Vec<OsString> = std::iter::once(OsString::from(&self.name))
            .chain(args.iter().map(OsString::from))
            .collect();
        let console = Box::new(host.writer(Stream::Stderr));
        let code = crate::log::scoped(console, || crate::lifecycle::run_on::<A>(&host, argv));
        let (stdout, stderr) = host.take_output();
        Run {
            code: i32::from(code),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// The text of the log file.
    pub fn log(&self) -> String {
        read_text(&self.log_file())
    }

    /// Waits, [`PATIENCE`] at most, until the log file contains `needle`
    /// (a running daemon's answer to a signal, say); returns its text.
    pub fn wait_for_log(&self, needle: &str) -> String {
        wait_for(&self.log_file(), needle)
    }

    /// The persistent state as JSON.
    pub fn pstate(&self) -> Value {
        self.pstate_as()
    }

    /// The persistent state as a `T`.
    pub fn pstate_as<T: DeserializeOwned>(&self) -> T {
        read_json(&self.pstate_file())
    }

    /// The runlog files, oldest first (their names begin with the time).
    ///
    /// Runs in the test's own process ([`App::run_in_process`]) share its
    /// process ID, which is part of a runlog's name with the time to the
    /// minute: such a run replaces the runlog of one before it in the
    /// same minute.
    pub fn runlogs(&self) -> Vec<PathBuf> {
        runlogs_in(&self.runlog_dir())
    }

    /// The newest runlog as JSON.
    pub fn runlog(&self) -> Value {
        self.runlog_as()
    }

    /// The newest runlog as a `T`; panics when there is none.
    pub fn runlog_as<T: DeserializeOwned>(&self) -> T {
        let files = self.runlogs();
        let newest = files
            .last()
            .unwrap_or_else(|| panic!("no runlog in {}", self.runlog_dir().display()));
        read_json(newest)
    }

    /// Starts the program with `args` in the background, its output
    /// discarded, without waiting for anything; it is killed when the
    /// [`Process`] is dropped. For a daemon that detaches, or one to watch
    /// through its files; [`App::start`] runs a daemon in the foreground
    /// and waits until it is ready.
    pub fn spawn<S: AsRef<OsStr>>(&self, args: &[S]) -> Process {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd.spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.program().display()))
            .into()
    }

    /// Starts the program as a daemon in the foreground (`--no-daemon` and
    /// `args`) and waits, [`PATIENCE`] at most, until it reports `READY=1`
    /// on a notify socket the kit creates in the sandbox.
    pub fn start<S: AsRef<OsStr>>(&self, args: &[S]) -> Daemon<'s> {
        self.start_with(args, &[])
    }

    /// [`App::start`] with the environment variables `env` as well.
    pub fn start_with<S: AsRef<OsStr>>(&self, args: &[S], env: &[(&str, &str)]) -> Daemon<'s> {
        let dir = self.sandbox.path(format!(".zenkit-testing/{}", self.name));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let socket_path = dir.join("notify.sock");
        let _ = std::fs::remove_file(&socket_path);
        let socket = UnixDatagram::bind(&socket_path)
            .unwrap_or_else(|e| panic!("cannot bind {}: {e}", socket_path.display()));
        let stdout = dir.join("stdout");
        let stderr = dir.join("stderr");
        let mut cmd = self.command(&[OsStr::new("--no-daemon")]);
        cmd.args(args)
            .env("NOTIFY_SOCKET", &socket_path)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(create(&stdout))
            .stderr(create(&stderr));
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.program().display()));
        let mut daemon = Daemon {
            app: self.clone(),
            process: child.into(),
            socket,
            stdout,
            stderr,
        };
        daemon.wait_ready();
        daemon
    }
}

/// A daemon started by [`App::start`], running in the foreground.
///
/// Dropping it while the daemon runs kills the daemon and fails the test:
/// a test stops what it starts ([`Daemon::stop`]).
#[derive(Debug)]
pub struct Daemon<'s> {
    app: App<'s>,
    process: Process,
    socket: UnixDatagram,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Daemon<'_> {
    /// The application the daemon runs.
    pub fn app(&self) -> &App<'_> {
        &self.app
    }

    /// The daemon's process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// What the daemon wrote to standard output so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    /// What the daemon wrote to standard error so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Whether the daemon still runs.
    pub fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + PATIENCE;
        self.socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("a read timeout on the notify socket");
        let mut buf = [0u8; 4096];
        loop {
            if let Ok(n) = self.socket.recv(&mut buf) {
                let message = String::from_utf8_lossy(&buf[..n]);
                if message.lines().any(|l| l == "READY=1") {
                    return;
                }
            }
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!(
                    "{} exited ({status}) before it was ready; its stderr:\n{}",
                    self.app.program().display(),
                    self.stderr()
                );
            }
            if Instant::now() >= deadline {
                self.process.kill_and_reap();
                panic!(
                    "{} did not report READY=1 within {} s; its stderr:\n{}",
                    self.app.program().display(),
                    PATIENCE.as_secs(),
                    self.stderr()
                );
            }
        }
    }

    /// Sends `signal` to the daemon.
    pub fn signal(&self, signal: Signal) {
        self.process.signal(signal);
    }

    /// Asks for the state dump (SIGUSR2) and returns the state file the
    /// daemon writes, as JSON.
    pub fn dump_state(&mut self) -> Value {
        self.dump_state_as()
    }

    /// [`Daemon::dump_state`] as a `T`.
    pub fn dump_state_as<T: DeserializeOwned>(&mut self) -> T {
        let path = self.app.state_file();
        let _ = std::fs::remove_file(&path);
        self.signal(Signal::SIGUSR2);
        let deadline = Instant::now() + PATIENCE;
        loop {
            // the daemon replaces the file whole, so a file there is complete
            if let Ok(text) = std::fs::read_to_string(&path) {
                return serde_json::from_str(&text).unwrap_or_else(|e| {
                    panic!("{} is not the expected JSON ({e}):\n{text}", path.display())
                });
            }
            if !self.is_running() {
                panic!(
                    "the daemon exited instead of writing {}; its stderr:\n{}",
                    path.display(),
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the daemon did not write {} within {} s of SIGUSR2; its stderr:\n{}",
                path.display(),
                PATIENCE.as_secs(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the daemon: SIGINT, then waits [`PATIENCE`] at most; returns
    /// its exit code. A daemon that does not stop in time is killed
    /// (SIGKILL) and the test fails.
    pub fn stop(mut self) -> i32 {
        self.signal(Signal::SIGINT);
        self.wait_exit()
    }

    /// Waits, [`PATIENCE`] at most, until the daemon ends by itself (after
    /// a signal the test sent, say); returns its exit code. A daemon that
    /// does not end in time is killed and the test fails.
    pub fn wait(mut self) -> i32 {
        self.wait_exit()
    }

    fn wait_exit(&mut self) -> i32 {
        wait_or_kill(&mut self.process).unwrap_or_else(|| {
            panic!(
                "the daemon did not stop within {} s and was killed; its stderr:\n{}",
                PATIENCE.as_secs(),
                self.stderr()
            )
        })
    }
}

impl Drop for Daemon<'_> {
    /// Kills a daemon still running and fails the test, unless it fails
    /// already.
    fn drop(&mut self) {
        if self.process.is_running() {
            self.process.kill_and_reap();
            if !std::thread::panicking() {
                panic!(
                    "the daemon {} was still running and was killed; stop it with Daemon::stop",
                    self.app.program().display()
                );
            }
        }
    }
}

/// A program a test started ([`App::spawn`], or any [`Child`] turned into
/// one), killed (SIGKILL) and reaped when dropped, so that a failing test
/// leaves nothing running. It derefs to its [`Child`].
#[derive(Debug)]
pub struct Process {
    child: Child,
}

impl From<Child> for Process {
    fn from(child: Child) -> Process {
        Process { child }
    }
}

impl std::ops::Deref for Process {
    type Target = Child;

    fn deref(&self) -> &Child {
        &self.child
    }
}

impl std::ops::DerefMut for Process {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Process {
    /// The process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: Signal) {
        send_signal(self.child.id(), signal);
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits, [`PATIENCE`] at most, until the process ends; returns its
    /// exit code ([`wait_exit`]).
    pub fn wait_exit(&mut self) -> i32 {
        wait_exit(&mut self.child)
    }

    fn kill_and_reap(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.is_running() {
            self.kill_and_reap();
        }
    }
}

/// Sends `signal` to process `pid`.
pub fn send_signal(pid: u32, signal: Signal) {
    let raw = i32::try_from(pid).unwrap_or_else(|_| panic!("no process has the ID {pid}"));
    kill(Pid::from_raw(raw), signal)
        .unwrap_or_else(|e| panic!("cannot send {signal} to process {pid}: {e}"));
}

/// Waits, [`PATIENCE`] at most, until `child` ends; returns its exit code
/// (-1 when a signal ended it). A child that does not end in time is
/// killed, and the test fails.
pub fn wait_exit(child: &mut Child) -> i32 {
    wait_or_kill(child).unwrap_or_else(|| {
        panic!(
            "process {} did not end within {} s and was killed",
            child.id(),
            PATIENCE.as_secs()
        )
    })
}

/// The exit code of `child` once it ends, [`PATIENCE`] at most; `None`
/// when it did not end in time and was killed.
fn wait_or_kill(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().expect("the status of a child process") {
            return Some(status.code().unwrap_or(-1));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits, [`PATIENCE`] at most, until the file at `path` contains
/// `needle`; returns its text. A file that is not there yet counts as
/// empty.
pub fn wait_for(path: &Path, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} did not contain {needle:?} within {} s:\n{text}",
            path.display(),
            PATIENCE.as_secs()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The runlog files (`*.runlog`) in `dir`, oldest first (their names
/// begin with the time); none when `dir` does not exist.
pub fn runlogs_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "runlog"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let programs = std::mem::take(
            &mut *self
                .programs
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        if programs.is_empty() {
            return;
        }
        let mut pid_files = Vec::new();
        find_pid_files(self.root(), &mut pid_files);
        for path in pid_files {
            let Some(pid) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| t.trim().parse::<i32>().ok())
                .filter(|pid| *pid > 0)
            else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let argv0 = cmdline.split(|b| *b == 0).next().unwrap_or_default();
            if programs
                .iter()
                .any(|p| p.as_os_str().as_encoded_bytes() == argv0)
            {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }
}

/// The PID files (`*.pid`) below `dir`, links not followed.
fn find_pid_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            find_pid_files(&path, found);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "pid") {
            found.push(path);
        }
    }
}

fn create(path: &Path) -> std::fs::File {
    std::fs::File::create(path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()))
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_json<T: DeserializeOwned>(path: &Path) -> T {
    let text = read_text(path);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not the expected JSON ({e}):\n{text}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_has_the_standard_directories_and_goes_away() {
        let sandbox = Sandbox::new();
        let root = sandbox.root().to_path_buf();
        for sub in ["etc", "var/log", "var/run"] {
            assert!(root.join(sub).is_dir(), "{sub}");
        }
        sandbox.write("etc/x/y.conf", "{}");
        assert_eq!(sandbox.read("etc/x/y.conf"), "{}");
        drop(sandbox);
        assert!(!root.exists());
    }

    #[test]
    fn files_follow_the_default_layout_or_the_given_dirs() {
        let sandbox = Sandbox::new();
        let app = sandbox.app_at("demo", "/bin/true");
        assert_eq!(app.config_file(), sandbox.path("etc/demo.conf"));
        assert_eq!(app.log_file(), sandbox.path("var/log/demo.log"));
        assert_eq!(app.pstate_file(), sandbox.path("var/run/demo.pstate"));
        assert_eq!(app.state_file(), sandbox.path("var/run/demo.state"));
        assert_eq!(app.runlog_dir(), sandbox.path("var/run/demo"));
        let moved = app.dirs("tmp", "logs", "run");
        assert_eq!(moved.config_file(), sandbox.path("tmp/demo.conf"));
        assert_eq!(moved.log_file(), sandbox.path("logs/demo.log"));
        assert_eq!(moved.runlog_dir(), sandbox.path("run/demo"));
    }

    #[test]
    fn the_newest_runlog_is_read_typed() {
        let sandbox = Sandbox::new();
        let app = sandbox.app_at("demo", "/bin/true");
        sandbox.write("var/run/demo/2026-01-01.runlog", r#"{"n": 1}"#);
        sandbox.write("var/run/demo/2026-01-02.runlog", r#"{"n": 2}"#);
        sandbox.write("var/run/demo/notes.txt", "x");
        assert_eq!(app.runlogs().len(), 2);
        #[derive(serde::Deserialize)]
        struct N {
            n: u32,
        }
        assert_eq!(app.runlog_as::<N>().n, 2);
        assert_eq!(app.runlog()["n"], 2);
    }

    #[test]
    fn a_run_sees_the_root_and_not_the_cleared_variables() {
        let sandbox = Sandbox::new();
        let app = sandbox.app_at("sh", "/bin/sh");
        let run = app.run_with(
            &[
                "-c",
                "echo $APP_ROOT_PATH; echo \"[$NOTIFY_SOCKET][$X]\"; exit 3",
            ],
            &[("X", "given")],
        );
        assert_eq!(run.code, 3);
        let root = sandbox.root().display().to_string();
        assert_eq!(run.stdout, format!("{root}\n[][given]\n"));
    }

    #[test]
    fn a_spawned_process_is_signalled_waited_for_and_killed_when_dropped() {
        let sandbox = Sandbox::new();
        let sleeper = sandbox.app_at("sleep", "/bin/sleep");
        let mut first = sleeper.spawn(&["30"]);
        assert!(first.is_running());
        first.signal(Signal::SIGTERM);
        assert_eq!(first.wait_exit(), -1, "a signal ended it");
        let second = sleeper.spawn(&["30"]);
        let pid = second.pid();
        drop(second);
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "process {pid} is still there"
        );
        let mut sh = sandbox.app_at("sh", "/bin/sh").spawn(&["-c", "exit 7"]);
        assert_eq!(wait_exit(&mut sh), 7);
    }

    #[test]
    fn a_dropped_sandbox_kills_what_its_programs_left_running() {
        use std::os::unix::process::ExitStatusExt;
        let sandbox = Sandbox::new();
        let dozer = sandbox.path("dozer");
        std::fs::copy("/bin/sleep", &dozer).unwrap();
        let mut left = sandbox
            .app_at("dozer", &dozer)
            .command(&["30"])
            .spawn()
            .unwrap();
        sandbox.write("var/run/dozer.pid", &format!("{}\n", left.id()));
        let mut other: Process = Command::new("/bin/sleep").arg("30").spawn().unwrap().into();
        sandbox.write("var/run/other.pid", &format!("{}\n", other.pid()));
        drop(sandbox);
        assert_eq!(left.wait().unwrap().signal(), Some(9));
        assert!(
            other.is_running(),
            "a process of another program is left alone"
        );
    }

    #[test]
    fn waiting_for_a_text_sees_a_file_appear_and_grow() {
        let sandbox = Sandbox::new();
        let path = sandbox.path("later.txt");
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::fs::write(&path, "one\n").unwrap();
                std::thread::sleep(Duration::from_millis(50));
                std::fs::write(&path, "one\ntwo\n").unwrap();
            })
        };
        assert!(wait_for(&path, "two").ends_with("two\n"));
        writer.join().unwrap();
        assert!(runlogs_in(&sandbox.path("nowhere")).is_empty());
    }

    #[test]
    fn a_program_that_exits_before_ready_fails_with_its_stderr() {
        let sandbox = Sandbox::new();
        let script = sandbox.write("fails", "#!/bin/sh\necho broken config >&2\nexit 78\n");
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let app = sandbox.app_at("fails", script);
        let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = app.start::<&str>(&[]);
        }))
        .expect_err("start fails");
        let message = failure.downcast_ref::<String>().expect("a message");
        assert!(message.contains("before it was ready"), "{message}");
        assert!(message.contains("broken config"), "{message}");
    }
}
