//! A script built with zenkit's `script` feature alone runs its command;
//! the actions of the `manual` feature, which is off, are refused.

use std::process::ExitCode;

use zenkit::prelude::*;

/// Counts the entries of a directory.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "count")]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct Counter {
    /// The directory.
    #[zen(cli, default = ".")]
    dir: String,
}

#[zenkit::app]
impl Counter {
    /// Counts.
    #[command]
    fn count(&mut self, _ctx: &mut Context) -> zenkit::Result<u64> {
        Ok(std::fs::read_dir(&self.dir)?.count() as u64)
    }
}

fn main() {
    let root = std::env::temp_dir().join(format!("zenkit-feature-script.{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut argv = vec!["counter", "--shell", "--dir", dir];
        argv.extend_from_slice(args);
        zenkit::run_from::<Counter, _, _>(argv)
    };
    assert_eq!(run(&[]), ExitCode::SUCCESS);
    assert_eq!(run(&["--action", "man"]), ExitCode::from(64));
    std::fs::remove_dir_all(&root).unwrap();
}
