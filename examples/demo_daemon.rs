//! zenkit's demonstration daemon, after pyzenkit's `DemoZenDaemon`.
//!
//! One component re-schedules a `default` work event, counts two statistics
//! and logs on start and stop. It stays in the foreground; stop it with
//! Ctrl-C (SIGINT). All files live under `tmp/` of `APP_ROOT_PATH` (the
//! current directory when unset):
//!
//! ```text
//! cargo run --example demo_daemon -- --work-seconds 0.5
//! ```
//!
//! With `--ignore-stop` the component goes on scheduling work after a stop
//! was asked for, as a component that cannot finish in time would: the
//! queue never drains and the `terminate` fail-safe ends the daemon
//! `stop_timeout` seconds after the stop (a configuration file key, 30 by
//! default).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use zenkit::daemon::{Args, Daemon, Flow};
use zenkit::prelude::*;

/// DemoDaemon - demonstration daemon of zenkit.
#[derive(ZenApp, Default)]
#[zen(daemon)]
#[zen(paths(
    cfg = "tmp",
    var = "tmp",
    log = "tmp",
    run = "tmp",
    tmp = "tmp",
    bin = "tmp"
))]
#[zen(defaults(config_file_silent = true, config_dir_silent = true, no_daemon = true))]
#[zen(defaults(stats_interval = 5, runlog_interval = 10))]
struct DemoDaemon {
    /// Seconds one unit of work takes.
    #[zen(cli, default = 1.0)]
    work_seconds: f64,
    /// Keep scheduling work after a stop, until the `stop_timeout` fail-safe.
    #[zen(cli)]
    ignore_stop: bool,
    /// Events scheduled at start-up besides `default`, to try the event loop.
    #[zen(config)]
    extra_events: Vec<String>,
    /// The worker.
    #[zen(component)]
    demo: DemoComponent,
}

/// The demonstration component: one unit of work per `default` event.
#[derive(Default)]
struct DemoComponent {
    work: Duration,
    ignore_stop: bool,
    units: u64,
}

/// What the component needs of the configuration: the application's keys
/// `work_seconds` and `ignore_stop`.
#[derive(Serialize, Deserialize, Default)]
struct DemoConfig {
    work_seconds: f64,
    #[serde(default)]
    ignore_stop: bool,
}

#[zenkit::component]
impl DemoComponent {
    #[check]
    fn check(&self, config: &DemoConfig) -> zenkit::Result<()> {
        Duration::try_from_secs_f64(config.work_seconds)
            .map(|_| ())
            .map_err(|_| {
                Error::config(format!(
                    "work_seconds must be a number of seconds >= 0, not {}",
                    config.work_seconds
                ))
            })
    }

    #[configure]
    fn configure(&mut self, config: DemoConfig) -> zenkit::Result<()> {
        self.work = Duration::from_secs_f64(config.work_seconds);
        self.ignore_stop = config.ignore_stop;
        Ok(())
    }

    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        warn!("Performing component startup...");
        d.schedule(DemoComponent::DEFAULT, None);
        Flow::Continue(args)
    }

    #[on_event("default")]
    fn work(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        // new work only while the daemon is not stopping, so it can drain
        // (unless told to ignore the stop)
        if !d.is_done() || self.ignore_stop {
            d.schedule(DemoComponent::DEFAULT, None);
        }
        debug!("Working...");
        info!("Working...");
        d.inc_statistic("cnt_default", 1);
        d.inc_statistic("cnt_another", 5);
        std::thread::sleep(self.work);
        self.units += 1;
        info!("Work unit done.");
        Flow::Continue(args)
    }

    #[on_event("stop")]
    fn stop(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        warn!("Performing component shutdown...");
        Flow::Continue(args)
    }

    #[state]
    fn state(&self) -> Value {
        json!({"units": self.units, "work_seconds": self.work.as_secs_f64()})
    }
}

#[zenkit::app]
impl DemoDaemon {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        for event in &self.extra_events {
            d.schedule(event.clone(), None);
        }
        Flow::Continue(args)
    }
}

fn main() -> std::process::ExitCode {
    zenkit::paths::default_root(".");
    zenkit::run::<DemoDaemon>()
}
