#![doc = include_str!("../README.md")]
//!
//! ## The crate in brief
//!
//! An application is a plain struct. `#[derive(ZenApp)]` turns its annotated
//! fields into command-line options, configuration keys and persistent-state
//! fields ([`App`]); `#[zenkit::app]` on an impl block turns its marked
//! methods into life-cycle hooks and actions ([`Hooks`]); [`run`] drives the
//! life-cycle and returns the exit code.
//!
//! ```no_run
//! use zenkit::prelude::*;
//!
//! /// Greets somebody and counts the greetings.
//! #[derive(ZenApp, Default)]
//! struct Greeter {
//!     /// Whom to greet.
//!     #[zen(cli, default = "world")]
//!     who: String,
//!     /// Greetings made over all runs.
//!     #[zen(pstate)]
//!     total: u64,
//! }
//!
//! #[zenkit::app]
//! impl Greeter {
//!     /// Greets once.
//!     #[process]
//!     fn greet(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
//!         ctx.print(0, format_args!("Hello, {}!", self.who));
//!         self.total += 1;
//!         Ok(())
//!     }
//!
//!     /// Prints the number of greetings so far (`--action show-total`).
//!     #[action]
//!     fn show_total(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
//!         ctx.print(0, format_args!("{}", self.total));
//!         Ok(())
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     zenkit::run::<Greeter>()
//! }
//! ```
//!
//! ### What is where
//!
//! The crate root holds what every application names: [`run`],
//! [`run_from`], [`embed`] and [`Embedded`], the traits [`App`] and
//! [`Hooks`] with [`AppInfo`], [`AppKind`], [`ActionInfo`] and
//! [`CommandInfo`], the [`Context`] of every hook, [`Error`], [`ErrorKind`],
//! [`ErrorOrigin`] and [`Result`], the macros [`ZenApp`], [`app`](macro@app),
//! [`component`], [`plugin`](macro@plugin), [`Value`](macro@Value) and
//! [`critical!`], and the
//! [`chrono`] and [`clap`] crates zenkit's signatures use. The modules:
//!
//! - [`prelude`]: what an application needs in scope, `use zenkit::prelude::*;`.
//! - [`config`]: the merged configuration, its layers and the origin of every value.
//! - [`settings`]: the typed built-in settings [`Context`] returns.
//! - [`paths`]: the directories of an application, their overrides and `.env` files.
//! - [`script`]: intervals, time values and the thresholds of scripts.
//! - `daemon` (feature `daemon`): components, event handlers, the event queue
//!   and statistics.
//! - [`plugin`](mod@plugin): the [`Plugin`](plugin::Plugin) trait and link-time registration.
//! - [`cli`]: the value parser of options that plugins declare.
//! - [`value`]: enums as option and key values (`#[derive(zenkit::Value)]`).
//! - [`duration`]: durations as option and key values, and a serde helper.
//! - [`types`]: the types each place of an application accepts, and the
//!   compile error a type that does not fit gets.
//! - [`runlog`]: the [`Runlog`](runlog::Runlog) record of one run.
//! - [`error`]: the error type, its kinds and the exit codes.
//! - [`exec`]: external commands run with their command line and result logged.
//! - [`fs`]: crash-safe file writes and JSON files as zenkit writes them.
//! - [`log`]: the log layer, log levels, formats and filter directives, the
//!   file-only log target and the layers an author adds.
//! - [`progress`]: the progress bar [`Context::progress`] returns.
//! - `testing` (feature `testing`): a sandbox root to run an application in,
//!   as its built program or in the test's own process, and read what it
//!   left, and daemons to start, signal and stop.
//! - [`schema`]: the description of every configuration key, for
//!   `--action config-schema` and `--help-config`.

#![warn(missing_docs)]
#![warn(unnameable_types)]

mod actions;
mod app;
mod check;
pub mod cli;
pub mod config;
mod configure;
mod context;
#[cfg(feature = "daemon")]
pub mod daemon;
pub mod duration;
pub mod error;
pub mod exec;
pub mod fs;
#[cfg(feature = "daemon")]
mod handover;
mod host;
mod lifecycle;
pub mod log;
#[cfg(feature = "manual")]
mod manual;
pub mod paths;
pub mod plugin;
pub mod prelude;
mod privileges;
pub mod progress;
pub mod runlog;
pub mod schema;
pub mod script;
pub mod settings;
mod spec;
mod state;
mod table;
#[cfg(feature = "testing")]
pub mod testing;
pub mod types;
pub mod value;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

pub use app::{
    ActionInfo, App, AppInfo, AppKind, CommandInfo, CommandParam, Hooks, ParamPlace, ParamShape,
};
pub use context::Context;
pub use error::{Error, ErrorKind, ErrorOrigin, Result};
pub use lifecycle::{embed, run, run_from, Embedded};
pub use zenkit_macros::{app, component, plugin, Value, ZenApp};

/// The time crate of zenkit's time values and thresholds.
pub use chrono;

/// The command-line crate: plugins declare their options as [`clap::Arg`]s.
pub use clap;

/// The JSON Schema crate: derive [`schemars::JsonSchema`] for a nested
/// configuration section (with `#[schemars(crate = "zenkit::schemars")]`)
/// so that `--action config-schema` describes its fields. The derive needs
/// zenkit's `schema-derive` feature, on by default.
pub use schemars;
