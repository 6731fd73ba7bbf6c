//! The built-in configuration keys, bound once at setup to typed values so a
//! wrong value is a located configuration error before any work is done.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::{Config, Layer};
use crate::log::LogLevel;
use crate::script::{Interval, TimeValue};
use crate::{Error, Result};

/// The typed values of the built-in configuration keys (SPEC §3.1).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `debug`: internal debug lines on stderr.
    pub debug: bool,
    /// `quiet`: no console output from [`Context::print`](crate::Context::print).
    pub quiet: bool,
    /// `verbosity`: the `-v` count.
    pub verbosity: u8,
    /// `log_file`.
    pub log_file: PathBuf,
    /// `log_level`.
    pub log_level: LogLevel,
    /// `action`: the quick action to run instead of the process stage.
    pub action: Option<String>,
    /// `input`: the file an action reads.
    pub input: Option<PathBuf>,
    /// `limit`: the limit applied to an action's result (0 means none).
    pub limit: Option<usize>,
    /// `pstate_file`.
    pub pstate_file: PathBuf,
    /// `pstate_dump`: print the persistent state at the end.
    pub pstate_dump: bool,
    /// `pstate_log`: log the persistent state at the end.
    pub pstate_log: bool,
    /// `runlog_dir`.
    pub runlog_dir: PathBuf,
    /// `runlog_dump`: print the runlog at the end.
    pub runlog_dump: bool,
    /// `runlog_log`: log the runlog at the end.
    pub runlog_log: bool,
}

impl Settings {
    /// Binds the built-in keys of the merged configuration.
    pub fn bind(config: &Config) -> Result<Settings> {
        Ok(Settings {
            debug: config.get("debug")?,
            quiet: config.get("quiet")?,
            verbosity: config.get("verbosity")?,
            log_file: config.get("log_file")?,
            log_level: config.get("log_level")?,
            action: config.get("action")?,
            input: config.get("input")?,
            limit: config.get("limit")?,
            pstate_file: config.get("pstate_file")?,
            pstate_dump: config.get("pstate_dump")?,
            pstate_log: config.get("pstate_log")?,
            runlog_dir: config.get("runlog_dir")?,
            runlog_dump: config.get("runlog_dump")?,
            runlog_log: config.get("runlog_log")?,
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            debug: false,
            quiet: false,
            verbosity: 0,
            log_file: PathBuf::new(),
            log_level: LogLevel::Info,
            action: None,
            input: None,
            limit: None,
            pstate_file: PathBuf::new(),
            pstate_dump: false,
            pstate_log: false,
            runlog_dir: PathBuf::new(),
            runlog_dump: false,
            runlog_log: false,
        }
    }
}

/// The typed values of a script's keys (SPEC §3.2).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptSettings {
    /// `command`: the command to run.
    pub command: String,
    /// `regular`: the mode for cron.
    pub regular: bool,
    /// `shell`: the mode for a person at a terminal.
    pub shell: bool,
    /// `interval`: the interval of the time thresholds, when given.
    pub interval: Option<Interval>,
    /// `adjust_thresholds`: floor the thresholds to whole intervals.
    pub adjust_thresholds: bool,
    /// `time_high`: the upper time threshold; the start of the run when not
    /// given.
    pub time_high: DateTime<Utc>,
}

impl ScriptSettings {
    /// Binds a script's keys of the merged configuration. A bad interval or
    /// time given on the command line is a usage error naming the value; in
    /// a file, a configuration error naming file, line and key.
    pub fn bind(config: &Config, started: DateTime<Utc>) -> Result<ScriptSettings> {
        let interval = text_or_value::<Interval>(config, "interval")?;
        let time_high = text_or_value::<TimeValue>(config, "time_high")?;
        Ok(ScriptSettings {
            command: config.get("command")?,
            regular: config.get("regular")?,
            shell: config.get("shell")?,
            interval,
            adjust_thresholds: config.get("adjust_thresholds")?,
            time_high: time_high.map_or(started, |t| t.0),
        })
    }
}

/// Reads an optional key that has a text form: from the command line with
/// `FromStr` (so its usage error stands as it is), from a file through serde
/// (so the error is located).
fn text_or_value<T>(config: &Config, key: &str) -> Result<Option<T>>
where
    T: DeserializeOwned + FromStr<Err = Error>,
{
    let from_cli = config.origin(key).is_some_and(|o| o.layer == Layer::Cli);
    match config.value(key) {
        Some(Value::String(raw)) if from_cli => raw.parse().map(Some),
        _ => config.get::<Option<T>>(key),
    }
}

/// The typed values of a daemon's keys (SPEC §3.3).
#[derive(Debug, Clone, PartialEq)]
pub struct DaemonSettings {
    /// `no_daemon`: stay in the foreground.
    pub no_daemon: bool,
    /// `chroot_dir`: the root directory to change to.
    pub chroot_dir: Option<PathBuf>,
    /// `work_dir`: the working directory.
    pub work_dir: PathBuf,
    /// `umask`: the file mode creation mask.
    pub umask: u32,
    /// `paralel` (`--parallel`): several instances may run at once, each
    /// with its own PID and state file.
    pub parallel: bool,
    /// `pid_file`: the PID file (in parallel mode, the pattern of the
    /// per-instance ones).
    pub pid_file: PathBuf,
    /// `state_file`: where SIGUSR2 writes the daemon state.
    pub state_file: PathBuf,
    /// `stats_interval`: seconds between `log_statistics` events.
    pub stats_interval: f64,
    /// `runlog_interval`: seconds between `save_runlog` events.
    pub runlog_interval: f64,
    /// `stop_timeout`: seconds from `stop` to the `terminate` fail-safe.
    pub stop_timeout: f64,
}

impl DaemonSettings {
    /// Binds a daemon's keys of the merged configuration; intervals must be
    /// positive numbers of seconds.
    pub fn bind(config: &Config) -> Result<DaemonSettings> {
        let seconds = |key: &str| -> Result<f64> {
            let value: f64 = config.get(key)?;
            if value.is_finite() && value > 0.0 {
                Ok(value)
            } else {
                Err(config.error_at(
                    key,
                    format!("expected a positive number of seconds, not {value}"),
                ))
            }
        };
        Ok(DaemonSettings {
            no_daemon: config.get("no_daemon")?,
            chroot_dir: config.get("chroot_dir")?,
            work_dir: config.get("work_dir")?,
            umask: parse_umask(config.value("umask"))
                .map_err(|msg| config.error_for("umask", msg))?,
            parallel: config.get::<bool>("paralel")?
                || config.get::<Option<bool>>("parallel")?.unwrap_or(false),
            pid_file: config.get("pid_file")?,
            state_file: config.get("state_file")?,
            stats_interval: seconds("stats_interval")?,
            runlog_interval: seconds("runlog_interval")?,
            stop_timeout: seconds("stop_timeout")?,
        })
    }
}

/// A umask from its configuration value: an octal string (`0o027`, `027`,
/// `0027`, `27`) or a number whose decimal digits are read as octal (JSON has
/// no leading zeros: `27` means `0o027`).
pub fn parse_umask(value: Option<&Value>) -> std::result::Result<u32, String> {
    let text = match value {
        None | Some(Value::Null) => return Ok(0o002),
        Some(Value::String(text)) => text.trim().to_string(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        Some(other) => {
            return Err(format!(
                "invalid umask {other}: expected an octal mask such as \"0o027\""
            ))
        }
    };
    let digits = text
        .strip_prefix("0o")
        .or_else(|| text.strip_prefix("0O"))
        .unwrap_or(&text);
    match u32::from_str_radix(digits, 8) {
        Ok(mask) if !digits.is_empty() && mask <= 0o777 => Ok(mask),
        _ => Err(format!(
            "invalid umask '{text}': expected an octal mask from 0 to 0o777 such as 0o027"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn umask_forms() {
        for (given, expected) in [
            (json!("0o002"), 0o002),
            (json!("002"), 0o002),
            (json!("0002"), 0o002),
            (json!("0O027"), 0o027),
            (json!(27), 0o027),
            (json!(0), 0),
            (json!("777"), 0o777),
        ] {
            assert_eq!(parse_umask(Some(&given)), Ok(expected), "{given}");
        }
        assert_eq!(parse_umask(None), Ok(0o002));
        for bad in [
            json!("0o8"),
            json!("abc"),
            json!(""),
            json!("1000"),
            json!(true),
            json!(-1),
            json!(28),
        ] {
            assert!(parse_umask(Some(&bad)).is_err(), "{bad}");
        }
    }
}
