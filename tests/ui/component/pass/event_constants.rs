//! Events scheduled by the constants `#[on_event]` generates on the
//! handler's type and by the daemon's own on `Daemon`: the names they
//! stand for, the documentation they carry (`missing_docs` is denied), and
//! a run of the event loop that goes from `start` to `stop` through them.

#![deny(missing_docs)]

use std::sync::Mutex;

use zenkit::daemon::TypedEvent;
use zenkit::prelude::*;
use zenkit::Embedded;

/// What the handlers did, in order.
static TRACE: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn trace(entry: impl Into<String>) {
    TRACE.lock().unwrap().push(entry.into());
}

/// The parts of the daemon, public so that `missing_docs` looks at them.
pub mod parts {
    use super::*;

    /// Ticks three times, then stops the daemon.
    #[derive(Default)]
    pub struct Clock {
        ticks: u32,
    }

    #[component]
    impl Clock {
        /// Counts a tick and asks for the next one.
        #[on_event("tick")]
        fn tick(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
            self.ticks += 1;
            trace(format!("tick {}", self.ticks));
            if self.ticks < 3 {
                d.schedule(Self::TICK, None);
            } else {
                d.schedule(Clock::CLOCK_DONE, None);
            }
            Flow::Continue(args)
        }

        /// A second handler of the same event: one constant.
        #[on_event("tick")]
        fn echo(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
            trace("echo");
            Flow::Continue(args)
        }

        /// An event with a dotted name.
        #[on_event("clock.done")]
        fn done(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
            trace("done");
            d.schedule(Daemon::STOP, None);
            Flow::Continue(args)
        }

        /// Names that make no constant are still handled.
        #[on_event("2nd")]
        fn second(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
            Flow::Continue(args)
        }
    }

    /// A generic component: its constants are those of every instance.
    pub struct Relay<T> {
        kind: std::marker::PhantomData<T>,
    }

    impl<T> Default for Relay<T> {
        fn default() -> Self {
            Relay {
                kind: std::marker::PhantomData,
            }
        }
    }

    #[component]
    impl<T: Send + 'static> Relay<T> {
        /// Relays a message.
        #[on_event("relayMessage")]
        fn relay(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
            trace("relay");
            Flow::Continue(args)
        }
    }
}

use parts::{Clock, Relay};

/// Ticks a clock.
#[derive(ZenApp, Default)]
#[zen(daemon)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
#[zen(defaults(stats_interval = 3600, runlog_interval = 3600, stop_timeout = 0.25))]
pub struct Ticker {
    #[zen(component)]
    clock: Clock,
    #[zen(component)]
    relay: Relay<u8>,
}

#[zenkit::app]
impl Ticker {
    #[on_event("start")]
    fn begin(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        trace("start");
        d.schedule(Relay::<u8>::RELAY_MESSAGE, None);
        d.schedule(Clock::TICK, None);
        Flow::Continue(args)
    }

    #[on_event("stop")]
    fn stopping(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        trace("stop");
        Flow::Continue(args)
    }
}

fn main() {
    let constants: [(TypedEvent, &str); 5] = [
        (Clock::TICK, "tick"),
        (Clock::CLOCK_DONE, "clock.done"),
        (Relay::<()>::RELAY_MESSAGE, "relayMessage"),
        (Ticker::START, "start"),
        (Ticker::STOP, "stop"),
    ];
    for (constant, name) in constants {
        assert_eq!(constant.name(), name);
        assert_eq!(constant.to_string(), name);
    }
    assert_eq!(Ticker::START, Daemon::START);
    for (constant, name) in [
        (Daemon::START, "start"),
        (Daemon::STOP, "stop"),
        (Daemon::TERMINATE, "terminate"),
        (Daemon::LOG_STATISTICS, "log_statistics"),
        (Daemon::SAVE_RUNLOG, "save_runlog"),
        (Daemon::WATCHDOG, "watchdog"),
        (Daemon::HANDLER_PANICKED, "handler_panicked"),
    ] {
        assert_eq!(constant, name);
    }

    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let args = ["ticker", "--no-daemon", "--quiet", "--log-level", "critical"];
    let embedded: Embedded<Ticker> = zenkit::embed(args).unwrap();
    assert_eq!(embedded.run(), 0);
    assert_eq!(
        *TRACE.lock().unwrap(),
        [
            "start", "relay", "tick 1", "echo", "tick 2", "echo", "tick 3", "echo", "done",
            "stop",
        ]
    );
}
