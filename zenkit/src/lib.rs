//! zenkit: console applications, cron-style scripts and Unix daemons from
//! annotated structs.
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
//! The README has the tutorial, the attribute table and the option table.

#![warn(missing_docs)]

pub mod actions;
pub mod app;
pub mod cli;
pub mod config;
mod configure;
pub mod context;
pub mod daemon;
pub mod error;
pub mod exec;
pub mod fs;
mod handover;
pub mod lifecycle;
pub mod log;
pub mod paths;
pub mod plugin;
pub mod prelude;
pub mod privileges;
pub mod progress;
pub mod runlog;
pub mod script;
pub mod settings;
pub mod state;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use app::{ActionInfo, App, AppInfo, AppKind, CommandInfo, Hooks};
pub use context::Context;
pub use error::{Error, ErrorKind, ErrorOrigin, Result};
pub use lifecycle::{embed, run, run_from, Embedded};
pub use zenkit_macros::{app, component, plugin, ZenApp};

/// The time crate of zenkit's time values and thresholds.
pub use chrono;

/// The command-line crate: plugins declare their options as [`clap::Arg`]s.
pub use clap;

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
