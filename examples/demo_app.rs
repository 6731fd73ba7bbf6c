//! zenkit's demonstration base application, after pyzenkit's `DemoBaseApp`.
//!
//! It counts its runs in the persistent state and prints at verbosity
//! levels 0 to 3. All its files live under `tmp/` of `APP_ROOT_PATH`; when
//! that variable is unset it uses the current directory, so it runs without
//! root:
//!
//! ```text
//! cargo run --example demo_app -- -vv --pstate-dump
//! ```

use zenkit::prelude::*;

/// DemoApp - demonstration application of zenkit.
#[derive(ZenApp, Default)]
#[zen(paths(
    cfg = "tmp",
    var = "tmp",
    log = "tmp",
    run = "tmp",
    tmp = "tmp",
    bin = "tmp"
))]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct DemoApp {
    /// Fail the process stage with this message (shows error registration).
    #[zen(cli)]
    fail: Option<String>,
    /// Panic in the process stage with this message (shows panic capture).
    #[zen(cli)]
    panic: Option<String>,
    /// Log this many tick lines, 50 ms apart (to watch log rotation).
    #[zen(cli, default = 0)]
    ticks: u32,
    /// Number of runs so far.
    #[zen(pstate)]
    counter: u64,
}

#[zenkit::app]
impl DemoApp {
    /// Counts the run and greets at each verbosity level.
    #[process]
    fn process(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
        self.counter += 1;
        info!("Demonstration implementation of a zenkit base application");
        info!("Try running this demo with: --help, -v, -vv, -vvv, --debug, --log-level debug, --pstate-dump, --runlog-dump");
        info!(
            "Number of runs from the persistent state: '{}'",
            self.counter
        );
        ctx.print(
            0,
            format_args!("Hello world from the zenkit demo application"),
        );
        ctx.print(
            1,
            format_args!("Hello world from the zenkit demo application, verbosity level 1"),
        );
        ctx.print(
            2,
            format_args!("Hello world from the zenkit demo application, verbosity level 2"),
        );
        ctx.print(
            3,
            format_args!("Hello world from the zenkit demo application, verbosity level 3"),
        );
        for tick in 1..=self.ticks {
            info!("tick {tick}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        if let Some(message) = &self.panic {
            panic!("{message}");
        }
        match &self.fail {
            Some(message) => Err(Error::msg(message)),
            None => Ok(()),
        }
    }
}

fn main() -> std::process::ExitCode {
    zenkit::paths::default_root(".");
    zenkit::run::<DemoApp>()
}
