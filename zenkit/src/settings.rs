//! The built-in configuration keys, bound once at setup to typed values so a
//! wrong value is a located configuration error before any work is done.

use std::path::PathBuf;

use crate::config::Config;
use crate::log::LogLevel;
use crate::Result;

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
