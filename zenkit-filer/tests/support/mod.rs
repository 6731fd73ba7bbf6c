//! What the queue's tests share: looking into queue directories.

use std::fs::{self, File};
use std::path::Path;

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
