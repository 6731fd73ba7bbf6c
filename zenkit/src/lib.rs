//! zenkit: console applications, cron-style scripts and Unix daemons from
//! annotated structs.
//!
//! See the README for a tutorial.

#![warn(missing_docs)]

pub mod actions;
pub mod app;
pub mod cli;
pub mod config;
pub mod context;
pub mod error;
pub mod exec;
pub mod fs;
pub mod log;
pub mod paths;
pub mod prelude;
pub mod privileges;
pub mod progress;
pub mod runlog;
pub mod runner;
pub mod state;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use app::{ActionInfo, App, AppInfo, AppKind, Hooks};
pub use context::Context;
pub use error::{Error, ErrorKind, Result};
pub use runner::{embed, run, run_from, Embedded};
pub use zenkit_macros::{app, ZenApp};
