//! Components that declare their configuration: a generic one viewing a
//! key of the application, one with a section of its own whose defaults
//! join the application's, and one that needs none. They receive their
//! configuration before setup, and a `#[check]` refusal stops the daemon.

use std::marker::PhantomData;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::json;
use zenkit::daemon::{Component, NoConfig};
use zenkit::prelude::*;
use zenkit::Embedded;

static TRACE: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn trace(entry: impl Into<String>) {
    TRACE.lock().unwrap().push(entry.into());
}

/// A view of the application's key `max_items`.
#[derive(Serialize, Deserialize, Default)]
struct LimitConfig {
    max_items: u32,
}

/// One type for any unit.
struct Limit<U> {
    max: u32,
    unit: PhantomData<U>,
}

impl<U> Default for Limit<U> {
    fn default() -> Self {
        Limit {
            max: 0,
            unit: PhantomData,
        }
    }
}

#[component]
impl<U: 'static> Limit<U> {
    #[check]
    fn refuse_zero(&self, config: &LimitConfig) -> Result<()> {
        if config.max_items == 0 {
            return Err(Error::config("max_items must be at least 1"));
        }
        Ok(())
    }

    #[configure]
    fn take(&mut self, config: LimitConfig) -> Result<()> {
        self.max = config.max_items;
        Ok(())
    }

    #[setup]
    fn ready(&mut self, _d: &mut Daemon) -> Result<()> {
        trace(format!("limit setup with {}", self.max));
        Ok(())
    }
}

/// The section `sink` of the configuration, the component's own.
#[derive(Serialize, Deserialize)]
struct SinkSection {
    dir: String,
    retries: u32,
}

#[derive(Serialize, Deserialize)]
struct SinkConfig {
    sink: SinkSection,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            sink: SinkSection {
                dir: "/tmp/sink".into(),
                retries: 3,
            },
        }
    }
}

#[derive(Default)]
struct Sink {
    retries: u32,
}

#[component]
impl Sink {
    #[configure]
    fn configure(&mut self, config: SinkConfig) -> Result<()> {
        trace(format!("sink {} x{}", config.sink.dir, config.sink.retries));
        self.retries = config.sink.retries;
        Ok(())
    }

    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        trace(format!("sink starts with {} retries", self.retries));
        d.schedule("stop", None);
        Flow::Continue(args)
    }
}

/// Needs no configuration.
#[derive(Default)]
struct Quiet;

#[component]
impl Quiet {
    #[on_event("start")]
    fn start(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }
}

struct Items;

/// A daemon of the three.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Shop {
    /// The most items at once.
    #[zen(cli, default = 10)]
    max_items: u32,
    #[zen(component)]
    limit: Limit<Items>,
    #[zen(component)]
    sink: Sink,
    #[zen(component)]
    quiet: Quiet,
}

#[zenkit::app]
impl Shop {}

fn no_config<C: Component<Config = NoConfig>>() {}

fn start(max_items: &str, conf: &str) -> (u8, Vec<String>, serde_json::Value) {
    TRACE.lock().unwrap().clear();
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("shop.conf");
    std::fs::write(&file, conf).unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let file = file.display().to_string();
    let args = [
        "shop",
        "--no-daemon",
        "--quiet",
        "--log-level",
        "critical",
        "--config-file",
        &file,
        "--config-dir-silent",
        "--max-items",
        max_items,
    ];
    let embedded: Embedded<Shop> = zenkit::embed(args).unwrap();
    let sink = embedded.ctx.config().value("sink").cloned().unwrap();
    let rc = embedded.run();
    (rc, TRACE.lock().unwrap().clone(), sink)
}

fn main() {
    no_config::<Quiet>();
    let (rc, trace, sink) = start("5", r#"{"sink": {"retries": 7}}"#);
    assert_eq!(rc, 0);
    assert_eq!(sink, json!({"dir": "/tmp/sink", "retries": 7}));
    assert_eq!(
        trace,
        [
            "sink /tmp/sink x7",
            "limit setup with 5",
            "sink starts with 7 retries"
        ]
    );
    let (rc, trace, _) = start("0", "{}");
    assert_eq!(rc, 78);
    assert!(trace.is_empty(), "{trace:?}");
}
