//! A daemon with two components, one of them generic, and handlers of its
//! own: the generated handler tables, then a real run of its event loop in
//! the foreground, where a signal reaches a component's `#[on_signal]`
//! handler and SIGUSR2 writes the daemon state with the components' states
//! and the handler chains `App::wire` built.

use std::marker::PhantomData;
use std::sync::Mutex;

use nix::sys::signal::{raise, Signal};
use serde_json::{json, Value};
use zenkit::daemon::{Component, Handler};
use zenkit::prelude::*;
use zenkit::{AppKind, Embedded};

/// What the handlers did, in order.
static TRACE: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn trace(entry: impl Into<String>) {
    TRACE.lock().unwrap().push(entry.into());
}

/// What a counter counts.
trait Unit {
    const NAME: &'static str;
}

struct Apples;

impl Unit for Apples {
    const NAME: &'static str = "apples";
}

/// Counts the units the `count` events carry; one type serves any unit.
struct Counter<U> {
    seen: u64,
    unit: PhantomData<U>,
}

impl<U> Default for Counter<U> {
    fn default() -> Self {
        Counter {
            seen: 0,
            unit: PhantomData,
        }
    }
}

#[component]
impl<U> Counter<U>
where
    U: Unit,
{
    #[setup]
    fn prepare(&mut self, d: &mut Daemon) -> Result<()> {
        trace(format!("setup of {} as '{}'", U::NAME, d.component()));
        Ok(())
    }

    /// Counts, and hands the double on.
    #[on_event("count")]
    fn count(&mut self, d: &mut Daemon, args: Args) -> Flow {
        let n = args.as_ref().and_then(Value::as_u64).unwrap_or_default();
        self.seen += n;
        d.inc_statistic(U::NAME, n);
        trace(format!("count {n}"));
        Flow::with(json!(n * 2))
    }

    #[state]
    fn snapshot(&self) -> Value {
        json!({"unit": U::NAME, "seen": self.seen})
    }
}

/// Lets `count` events through until a SIGWINCH closes it.
#[derive(Default)]
struct Gate {
    closed: bool,
    winches: u32,
}

#[component]
impl Gate {
    #[on_event("count", first)]
    fn check(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        trace(format!("gate {}", args.clone().unwrap_or_default()));
        if self.closed {
            Flow::Stop
        } else {
            Flow::Continue(args)
        }
    }

    #[on_event("count")]
    fn after(&mut self, _d: &mut Daemon<'_>, args: zenkit::daemon::Args) -> zenkit::daemon::Flow {
        trace(format!("after {}", args.unwrap_or_default()));
        Flow::next()
    }

    #[on_signal(SIGWINCH)]
    fn resized(&mut self, d: &mut Daemon) -> Flow {
        self.closed = true;
        self.winches += 1;
        trace("winch");
        d.schedule("count", Some(json!(100)));
        d.schedule("finish", None);
        Flow::next()
    }

    #[reload]
    fn reopen(&mut self, _d: &mut Daemon) -> zenkit::Result<()> {
        self.closed = false;
        Ok(())
    }

    #[state]
    fn state(&self) -> (bool, u32) {
        (self.closed, self.winches)
    }
}

/// Counts apples behind a gate.
#[derive(ZenApp, Default)]
#[zen(daemon)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
#[zen(defaults(stats_interval = 3600, runlog_interval = 3600, stop_timeout = 0.25))]
struct Orchard {
    /// Apples in the first batch.
    #[zen(cli, default = 3)]
    batch: u64,
    #[zen(component)]
    apples: Counter<Apples>,
    #[zen(component)]
    gate: Gate,
}

#[zenkit::app]
impl Orchard {
    #[on_event("start")]
    fn begin(&mut self, d: &mut Daemon, _args: Args) -> Flow {
        d.schedule("count", Some(json!(self.batch)));
        d.schedule("shake", None);
        Flow::next()
    }

    #[on_event("shake")]
    fn shake(&mut self, _d: &mut Daemon, _args: Args) -> Flow {
        raise(Signal::SIGWINCH).unwrap();
        Flow::next()
    }

    #[on_event("finish")]
    fn finish(&mut self, d: &mut Daemon, _args: Args) -> Flow {
        raise(Signal::SIGUSR2).unwrap();
        d.schedule("stop", None);
        Flow::next()
    }

    #[on_event("stop")]
    fn stopping(&mut self, _d: &mut Daemon, _args: Args) -> Flow {
        trace("stop");
        Flow::next()
    }
}

fn table<T>(handlers: Vec<Handler<T>>) -> Vec<(&'static str, bool, &'static str)> {
    handlers
        .iter()
        .map(|h| (h.event, h.first, h.name))
        .collect()
}

fn main() {
    assert_eq!(Orchard::KIND, AppKind::Daemon);
    assert_eq!(
        table(<Counter<Apples> as Component>::handlers()),
        [("count", false, "count")]
    );
    assert_eq!(
        table(Gate::handlers()),
        [
            ("count", true, "check"),
            ("count", false, "after"),
            ("signal_winch", false, "resized"),
        ]
    );
    assert_eq!(
        table(<Orchard as Hooks>::handlers()),
        [
            ("start", false, "begin"),
            ("shake", false, "shake"),
            ("finish", false, "finish"),
            ("stop", false, "stopping"),
        ]
    );
    let gate = Gate {
        closed: true,
        winches: 2,
    };
    assert_eq!(Component::state(&gate), json!([true, 2]));

    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let state_file = root.path().join("orchard.state");
    let args = [
        "orchard",
        "--no-daemon",
        "--quiet",
        "--log-level",
        "critical",
        "--batch",
        "5",
        "--state-file",
        state_file.to_str().unwrap(),
    ];
    let embedded: Embedded<Orchard> = zenkit::embed(args).unwrap();
    assert_eq!(embedded.run(), 0);
    assert_eq!(
        *TRACE.lock().unwrap(),
        [
            "setup of apples as 'apples'",
            "gate 5",
            "count 5",
            "after 10",
            "winch",
            "gate 100",
            "stop",
        ]
    );

    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    assert_eq!(
        state["components"],
        json!({
            "apples": {"unit": "apples", "seen": 5},
            "gate": [true, 1],
            // pyzenkit's keys: by type name, with the counters
            "Counter": {"unit": "apples", "seen": 5, "statistics": {"apples": 5}},
            "Gate": {"statistics": {}},
        })
    );
    assert_eq!(state["component_list"], json!(["apples", "gate"]));
    let handlers = &state["handlers"];
    assert_eq!(
        handlers["count"],
        json!(["gate.check", "apples.count", "gate.after"])
    );
    assert_eq!(handlers["start"], json!(["daemon.start", "app.begin"]));
    assert_eq!(handlers["stop"], json!(["daemon.stop", "app.stopping"]));
    assert_eq!(handlers["signal_winch"], json!(["gate.resized"]));
    assert_eq!(state["callbacks"], *handlers);
    assert_eq!(state["statistics"]["apples"], json!({"apples": 5}));
}
