//! What the queue's tests share: looking into queue directories, running
//! a daemon in this process.

#![allow(dead_code)]

use std::fs::{self, File};
use std::path::Path;
use std::time::Duration;

use nix::fcntl::{Flock, FlockArg};

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Whether another open file description can lock `path` now.
pub fn lockable(path: &Path) -> bool {
    let file = File::open(path).unwrap();
    Flock::lock(file, FlockArg::LockExclusiveNonblock).is_ok()
}

/// Runs daemon `A` in this process, in the foreground and with a quiet
/// console, with `args` after its name, and returns its exit code. A run
/// that has not ended after 60 s (a message nobody was woken for leaves a
/// daemon waiting) ends the test process with a failure.
pub fn run_embedded<A: zenkit::App>(name: &str, args: &[&str]) -> u8 {
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(60));
        eprintln!("the daemon did not end within 60 s");
        std::process::exit(1);
    });
    let mut all = vec![
        name,
        "--no-daemon",
        "--quiet",
        "--log-level",
        "critical",
        "--config-file-silent",
        "--config-dir-silent",
    ];
    all.extend_from_slice(args);
    zenkit::embed::<A, _, _>(all).unwrap().run()
}
