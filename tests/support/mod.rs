//! Helpers of the end-to-end tests: run a built example program in a
//! temporary root, as a user would.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of a built example program (`cargo test` builds the examples next to
/// the test binaries).
pub fn example(name: &str) -> PathBuf {
    zenkit::testing::find_program(name)
}

/// A temporary `APP_ROOT_PATH` with helpers to run an example inside it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    program: PathBuf,
}

/// What a finished run left: exit code, stdout, stderr.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Sandbox {
    pub fn new(program: &str) -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temporary directory"),
            program: example(program),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Path below the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file below the root, creating directories.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// The program's command with the root set and the working directory in it.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(args)
            .current_dir(self.root())
            .env("APP_ROOT_PATH", self.root());
        for var in zenkit::testing::CLEARED_ENV {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Starts the program in the background, its output discarded; it is
    /// killed when the value is dropped.
    pub fn spawn(&self, args: &[&str]) -> Running {
        Running(
            self.command(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("program starts"),
        )
    }

    /// Runs the program to its end.
    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().expect("program starts").into()
    }

    /// The runlog files in `rel`, oldest first.
    pub fn runlogs(&self, rel: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(self.path(rel)) {
            Ok(entries) => entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "runlog"))
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        files
    }
}

/// The header line of `--runlog-dump`, as pyzenkit prints it.
pub const RUNLOG_DUMP: &str = "Application runlog >>>";

/// The header line of `--pstate-dump`, as pyzenkit prints it.
pub const PSTATE_DUMP: &str = "Application persistent state >>>";

/// The JSON document a dump printed after its header line `header`.
pub fn dumped(stdout: &str, header: &str) -> serde_json::Value {
    let at = stdout
        .find(&format!("{header}\n"))
        .unwrap_or_else(|| panic!("no {header:?} in:\n{stdout}"));
    let rest = &stdout[at + header.len() + 1..];
    serde_json::Deserializer::from_str(rest)
        .into_iter::<serde_json::Value>()
        .next()
        .unwrap_or_else(|| panic!("nothing after {header:?}:\n{stdout}"))
        .unwrap_or_else(|e| panic!("not JSON after {header:?} ({e}):\n{stdout}"))
}

impl Drop for Sandbox {
    /// Kills what a failed test may have left running: every process named
    /// by a PID file in the sandbox that runs this sandbox's program.
    fn drop(&mut self) {
        let program = self.program.to_string_lossy().into_owned();
        for dir in ["var/run", "tmp"] {
            let Ok(entries) = std::fs::read_dir(self.path(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "pid") {
                    continue;
                }
                let Some(pid) = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| t.trim().parse::<i32>().ok())
                else {
                    continue;
                };
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).starts_with(&program) {
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
            }
        }
    }
}

/// Whether the test runs as root; says by name that `test` is skipped when
/// it does not.
pub fn running_as_root(test: &str) -> bool {
    let root = nix::unistd::Uid::effective().is_root();
    if !root {
        eprintln!("skipped: {test} needs root");
    }
    root
}

/// The unprivileged `nobody` account.
pub fn nobody() -> nix::unistd::User {
    nix::unistd::User::from_name("nobody")
        .unwrap()
        .expect("user nobody")
}

/// Parses JSON or fails with the text.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Waits until `path` contains `needle` (up to 10 s); returns the text.
pub fn wait_for(path: &Path, needle: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} never contained {needle:?}:\n{text}",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A child process that is killed (SIGKILL) and reaped when the value is
/// dropped, so a failing test leaves nothing running.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl std::ops::Deref for Running {
    type Target = std::process::Child;

    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

/// Sends `signal` to a child process.
pub fn signal(child: &std::process::Child, signal: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal)
        .expect("signal sent");
}

/// Waits for a child up to 10 s and returns its exit code.
pub fn wait_exit(child: &mut std::process::Child) -> i32 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("child status") {
            return status.code().unwrap_or(-1);
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the program did not exit within 10 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The PID a PID file holds.
pub fn pid_in(path: &Path) -> i32 {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("PID file holds {text:?}"))
}

/// Whether process `pid` runs (a zombie does not).
pub fn alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// Signals a detached daemon and waits, `patience` at most, until it is
/// gone.
pub fn stop_within(pid: i32, signal: nix::sys::signal::Signal, patience: std::time::Duration) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).unwrap();
    let deadline = std::time::Instant::now() + patience;
    while alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "daemon {pid} did not stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
