//! Severity thresholds: the levels `log_level` names and the verbosity ranks
//! the filters compare.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tracing::level_filters::LevelFilter;
use tracing::Level;
use zenkit_builtins::LOG_LEVELS;

use crate::{Error, Result};

/// A severity threshold: the least severe level a destination writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Everything, `trace` events included.
    Trace,
    /// Everything but `trace` events.
    Debug,
    /// Info, warnings and errors.
    Info,
    /// Warnings and errors (also spelled `warn`).
    Warning,
    /// Errors only.
    Error,
    /// Errors only: `tracing` has no level above error, so this threshold
    /// passes the same events as [`LogLevel::Error`].
    Critical,
}

/// How verbose a threshold is: an event passes a threshold when its rank is
/// at most the threshold's rank. [`Rank::OFF`] lets nothing through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Rank(pub(crate) u8);

impl Rank {
    pub(crate) const OFF: Rank = Rank(0);
    pub(crate) const ERROR: Rank = Rank(1);
    pub(crate) const WARN: Rank = Rank(2);
    pub(crate) const INFO: Rank = Rank(3);
    pub(crate) const DEBUG: Rank = Rank(4);
    pub(crate) const TRACE: Rank = Rank(5);

    /// The rank of an event of `level`.
    pub(crate) fn of(level: &Level) -> Rank {
        match *level {
            Level::ERROR => Rank::ERROR,
            Level::WARN => Rank::WARN,
            Level::INFO => Rank::INFO,
            Level::DEBUG => Rank::DEBUG,
            _ => Rank::TRACE,
        }
    }

    /// Whether an event of `level` passes a threshold of this rank.
    pub(crate) fn passes(self, level: &Level) -> bool {
        Rank::of(level) <= self
    }

    /// The same threshold as `tracing`'s level filter.
    pub(crate) fn level_filter(self) -> LevelFilter {
        match self {
            Rank::OFF => LevelFilter::OFF,
            Rank::ERROR => LevelFilter::ERROR,
            Rank::WARN => LevelFilter::WARN,
            Rank::INFO => LevelFilter::INFO,
            Rank::DEBUG => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        }
    }
}

impl LogLevel {
    /// Parses a level name of `LOG_LEVELS`, case-insensitively (`"info"`,
    /// `"INFO"`, `"warn"`).
    pub fn parse(name: &str) -> Result<LogLevel> {
        let given = name.trim();
        let known = LOG_LEVELS
            .iter()
            .find(|known| known.eq_ignore_ascii_case(given));
        match known.copied() {
            Some("trace") => Ok(LogLevel::Trace),
            Some("debug") => Ok(LogLevel::Debug),
            Some("info") => Ok(LogLevel::Info),
            Some("warning" | "warn") => Ok(LogLevel::Warning),
            Some("error") => Ok(LogLevel::Error),
            Some("critical") => Ok(LogLevel::Critical),
            _ => Err(Error::config(format!(
                "invalid log level '{name}': expected one of {}",
                LOG_LEVELS.join(", ")
            ))),
        }
    }

    /// The upper-case name used on log lines and in `__core__.logging`.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }

    pub(crate) fn rank(self) -> Rank {
        match self {
            LogLevel::Trace => Rank::TRACE,
            LogLevel::Debug => Rank::DEBUG,
            LogLevel::Info => Rank::INFO,
            LogLevel::Warning => Rank::WARN,
            LogLevel::Error | LogLevel::Critical => Rank::ERROR,
        }
    }

    /// Whether an event of `level` passes this threshold.
    pub fn passes(self, level: &Level) -> bool {
        self.rank().passes(level)
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LogLevel {
    type Err = Error;

    fn from_str(s: &str) -> Result<LogLevel> {
        LogLevel::parse(s)
    }
}

impl Serialize for LogLevel {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        LogLevel::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_case_insensitively() {
        assert_eq!(LogLevel::parse("INFO").unwrap(), LogLevel::Info);
        assert_eq!(LogLevel::parse("debug").unwrap(), LogLevel::Debug);
        assert_eq!(LogLevel::parse("Trace").unwrap(), LogLevel::Trace);
        assert_eq!("Warning".parse::<LogLevel>().unwrap(), LogLevel::Warning);
        assert_eq!(LogLevel::parse("warn").unwrap(), LogLevel::Warning);
        assert_eq!(LogLevel::parse("CRITICAL").unwrap(), LogLevel::Critical);
        let err = LogLevel::parse("verbose").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Config);
        assert_eq!(
            err.message(),
            "invalid log level 'verbose': expected one of trace, debug, info, warning, warn, error, critical"
        );
        let level: LogLevel = serde_json::from_value(serde_json::json!("error")).unwrap();
        assert_eq!(level, LogLevel::Error);
        let level: LogLevel = serde_json::from_value(serde_json::json!("warn")).unwrap();
        assert_eq!(level, LogLevel::Warning);
        assert_eq!(serde_json::to_value(LogLevel::Warning).unwrap(), "WARNING");
        assert!(serde_json::from_value::<LogLevel>(serde_json::json!("loud")).is_err());
    }

    #[test]
    fn every_name_of_the_table_is_a_level() {
        for name in LOG_LEVELS {
            assert!(LogLevel::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn thresholds() {
        assert!(LogLevel::Trace.passes(&Level::TRACE));
        assert!(LogLevel::Debug.passes(&Level::DEBUG));
        assert!(!LogLevel::Debug.passes(&Level::TRACE));
        assert!(!LogLevel::Info.passes(&Level::DEBUG));
        assert!(LogLevel::Info.passes(&Level::INFO));
        assert!(!LogLevel::Warning.passes(&Level::INFO));
        assert!(LogLevel::Warning.passes(&Level::WARN));
        assert!(!LogLevel::Error.passes(&Level::WARN));
        assert!(LogLevel::Critical.passes(&Level::ERROR));
        assert!(!LogLevel::Critical.passes(&Level::WARN));
        assert!(!Rank::OFF.passes(&Level::ERROR));
    }
}
