//! zenkit's logging demonstration: records of the `log` crate from a
//! module that stands for a library crate, filter directives, JSON lines,
//! journald and an added tracing layer.
//!
//! The module `store` logs with `log::…!` under its target
//! `logdemo::store`, at every level; the application logs with tracing's
//! macros under `logdemo`. Try:
//!
//! ```text
//! cargo run --example logdemo -- --log-level trace
//! RUST_LOG=logdemo::store=debug cargo run --example logdemo
//! cargo run --example logdemo -- --log-filter warn,logdemo=trace --log-format json
//! ```
//!
//! With `LOGDEMO_TAP=FILE` in its environment, `main` adds a layer (with
//! `zenkit::log::add_layer`) that appends the level, target and message of
//! every event it sees to FILE. The plugin `census` adds a layer too (with
//! its `log_layer` hook) and writes the number of events of each level to
//! the runlog (`log_census`). All files live under `tmp/` of
//! `APP_ROOT_PATH` (default: the current directory).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use zenkit::plugin::Plugin;
use zenkit::prelude::*;

/// A library crate's module: it knows nothing of zenkit and logs with the
/// `log` facade.
mod store {
    /// Opens the store `name`, logging at every level.
    pub fn open(name: &str, items: u64) {
        log::trace!("looking for store {name}");
        log::debug!("opening store {name}");
        log::info!("store {name} holds {items} items");
        log::warn!("store {name} is 90% full");
        if items == 0 {
            log::error!("store {name} is empty");
        }
    }
}

/// LogDemo - the logging of a zenkit application.
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
struct LogDemo {
    /// The store to open.
    #[zen(cli, default = "main")]
    store: String,
    /// The number of items the store holds.
    #[zen(cli, default = 3)]
    items: u64,
}

#[zenkit::app]
impl LogDemo {
    /// Opens the store, logging around it at every level.
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        trace!(store = %self.store, "about to open");
        debug!(store = %self.store, "opening");
        store::open(&self.store, self.items);
        info!(items = self.items, store = %self.store, "store opened");
        if self.items == 0 {
            critical!("nothing to serve from store {}", self.store);
        }
        Ok(())
    }
}

/// A plugin that counts the events of every level with a log layer of its
/// own and writes the counts to the runlog under `log_census`.
#[derive(Default)]
struct Census(Arc<Mutex<BTreeMap<String, u64>>>);

/// The layer of [`Census`].
struct CensusLayer(Arc<Mutex<BTreeMap<String, u64>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CensusLayer {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *counts
            .entry(event.metadata().level().to_string())
            .or_default() += 1;
    }
}

#[zenkit::plugin]
impl Plugin for Census {
    fn name(&self) -> &'static str {
        "census"
    }

    fn log_layer(&mut self) -> Option<zenkit::log::BoxedLayer> {
        Some(Box::new(CensusLayer(Arc::clone(&self.0))))
    }

    fn runlog(&mut self, _ctx: &Context) -> serde_json::Map<String, Value> {
        let counts = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut keys = serde_json::Map::new();
        keys.insert("log_census".into(), json!(counts));
        keys
    }
}

/// A layer that appends `<LEVEL> <target>: <message>` of every event to a
/// file.
struct Tap(Mutex<std::fs::File>);

/// Reads the message of an event.
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Tap {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let meta = event.metadata();
        // a record of the `log` crate carries its target as a field
        let target = if meta.target() == "log" {
            "(log)"
        } else {
            meta.target()
        };
        let mut file = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(file, "{} {target}: {}", meta.level(), message.0);
    }
}

fn main() -> std::process::ExitCode {
    zenkit::paths::default_root(".");
    if let Some(path) = std::env::var_os("LOGDEMO_TAP") {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path);
        let added = match file {
            Ok(file) => zenkit::log::add_layer(Tap(Mutex::new(file))).map_err(|e| e.to_string()),
            Err(err) => Err(err.to_string()),
        };
        if let Err(err) = added {
            eprintln!("logdemo: cannot tap the log into {path:?}: {err}");
            return std::process::ExitCode::from(73);
        }
    }
    zenkit::run::<LogDemo>()
}
