//! A plain application built without zenkit's optional features runs its
//! process step; the actions of the `manual` feature, which is off, are
//! refused.

use std::process::ExitCode;

use zenkit::prelude::*;

/// Counts the entries of a directory.
#[derive(ZenApp, Default)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct Counter {
    /// The directory.
    #[zen(cli, default = ".")]
    dir: String,
    /// Entries counted over all runs.
    #[zen(pstate)]
    total: u64,
}

#[zenkit::app]
impl Counter {
    /// Counts.
    #[process]
    fn count(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        self.total += std::fs::read_dir(&self.dir)?.count() as u64;
        Ok(())
    }
}

fn main() {
    let root = std::env::temp_dir().join(format!("zenkit-feature-plain.{}", std::process::id()));
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("entry"), "").unwrap();
    let dir = data.to_str().unwrap();
    let runlogs = root.join("runlogs");
    let runlog_arg = runlogs.to_str().unwrap();
    let state = root.join("counter.pstate");
    let state_arg = state.to_str().unwrap();
    let log = root.join("counter.log");
    let log_arg = log.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut argv = vec!["counter", "--dir", dir, "--pstate-file", state_arg, "--log-file", log_arg];
        argv.extend_from_slice(args);
        zenkit::run_from::<Counter, _, _>(argv)
    };
    assert_eq!(run(&["--runlog-dir", runlog_arg]), ExitCode::SUCCESS);
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains("\"total\": 1"), "{saved}");
    assert_eq!(run(&["--action", "man"]), ExitCode::from(64));
    std::fs::remove_dir_all(&root).unwrap();
}
