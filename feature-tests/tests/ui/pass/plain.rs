//! A plain application built without zenkit's optional features runs its
//! process step; its runlog actions print tables as tab-separated lines
//! (no `tables`), and the actions of the `manual` feature are refused.

use zenkit::prelude::*;
use zenkit::testing::Sandbox;

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
    let sandbox = Sandbox::new();
    sandbox.write("data/entry", "");
    let data = sandbox.path("data");
    let app = sandbox.app("counter");

    let run = app.run_in_process::<Counter>(&["--dir", data.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(app.pstate()["total"], 1);

    let view = app.run_in_process::<Counter>(&["--action", "runlog-view"]);
    assert_eq!(view.code, 0, "{}", view.stderr);
    assert!(view.stdout.contains("General information:\nLabel:\t"), "{}", view.stdout);
    assert!(!view.stdout.contains('+') && !view.stdout.contains('|'), "{}", view.stdout);

    let man = app.run_in_process::<Counter>(&["--action", "man"]);
    assert_eq!(man.code, 64, "{}", man.stderr);
}
