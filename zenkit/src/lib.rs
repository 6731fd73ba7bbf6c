//! zenkit: console applications, cron-style scripts and Unix daemons from
//! annotated structs.
//!
//! See the README for a tutorial.

#![warn(missing_docs)]

pub mod app;
pub mod config;
pub mod context;
pub mod error;
pub mod fs;
pub mod paths;
pub mod prelude;
pub mod runlog;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use app::{ActionInfo, App, AppInfo, AppKind, Hooks};
pub use context::Context;
pub use error::{Error, ErrorKind, Result};
pub use zenkit_macros::{app, ZenApp};
