//! What scripts add to every application: the intervals of regular
//! runs, the time values `--time-high` and configuration files accept, and the
//! lower/upper time thresholds a command works between, and the arguments
//! a command is given after its name.
//!
//! ```
//! use zenkit::script::{parse_time, thresholds, Interval};
//!
//! let interval: Interval = "hourly".parse()?;
//! let time_high = parse_time("2026-11-25T13:47:12+01:00")?;
//! let range = thresholds(time_high, interval, true);
//! assert_eq!(range.lower.to_rfc3339(), "2026-11-25T11:00:00+00:00");
//! assert_eq!(range.upper.to_rfc3339(), "2026-11-25T12:00:00+00:00");
//! # Ok::<(), zenkit::Error>(())
//! ```

mod command_args;
#[cfg(feature = "script")]
mod interval;
#[cfg(feature = "script")]
mod thresholds;
#[cfg(feature = "script")]
mod time;

pub use command_args::CommandArgs;
pub(crate) use command_args::{matched, missing};
#[cfg(feature = "script")]
pub use interval::Interval;
#[cfg(feature = "script")]
pub use thresholds::{thresholds, upper_threshold, Thresholds};
#[cfg(feature = "script")]
pub use time::{format_time, parse_time, time_from_json, TimeValue};
