//! Helpers of the end-to-end tests, over `zenkit::testing`: a sandbox bound
//! to one built example, and what only zenkit's own tests need (pyzenkit's
//! dump headers, root, detached daemons found by their PID files).

// each test file uses a part of the helpers
#![allow(dead_code, unused_imports)]

pub mod prometheus;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use zenkit::testing;
pub use zenkit::testing::{wait_exit, wait_for, Process as Running, Run};

pub mod pipeline;

/// Path of a built example program (`cargo test` builds the examples next to
/// the test binaries).
pub fn example(name: &str) -> PathBuf {
    testing::find_program(name)
}

/// A sandbox root ([`testing::Sandbox`]) in which one example runs.
pub struct Sandbox {
    kit: testing::Sandbox,
    name: String,
}

impl Sandbox {
    /// A sandbox for the built example `program`.
    pub fn new(program: &str) -> Sandbox {
        let sandbox = Sandbox {
            kit: testing::Sandbox::new(),
            name: program.to_string(),
        };
        // looked up now: a test fails at once when it is not built, and the
        // sandbox kills what the program leaves running, however started
        sandbox.app().program();
        sandbox
    }

    /// The example as the kit runs it, with zenkit's default file layout.
    pub fn app(&self) -> testing::App<'_> {
        self.kit.app(&self.name)
    }

    pub fn root(&self) -> &Path {
        self.kit.root()
    }

    /// Path below the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.kit.path(rel)
    }

    /// Writes a file below the root, creating directories.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        self.kit.write(rel, text)
    }

    pub fn read(&self, rel: &str) -> String {
        self.kit.read(rel)
    }

    /// The program's command with the root set and the working directory in it.
    pub fn command(&self, args: &[&str]) -> Command {
        self.app().command(args)
    }

    /// Starts the program in the background, its output discarded; it is
    /// killed when the value is dropped.
    pub fn spawn(&self, args: &[&str]) -> Running {
        self.app().spawn(args)
    }

    /// Runs the program to its end.
    pub fn run(&self, args: &[&str]) -> Run {
        self.app().run(args)
    }

    /// The runlog files in `rel`, oldest first.
    pub fn runlogs(&self, rel: &str) -> Vec<PathBuf> {
        testing::runlogs_in(&self.path(rel))
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

/// Sends `signal` to a child process.
pub fn signal(child: &Child, signal: testing::Signal) {
    testing::send_signal(child.id(), signal);
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
