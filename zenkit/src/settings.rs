//! The built-in settings: the typed values of the built-in keys, as
//! [`Context::settings`](crate::Context::settings),
//! [`Context::script`](crate::Context::script),
//! [`Context::daemon`](crate::Context::daemon) and
//! [`Context::core`](crate::Context::core) return them. The runtime binds
//! them once per configuration, so a wrong value stops the program before
//! any work is done.
//!
//! ```no_run
//! use zenkit::prelude::*;
//!
//! #[derive(ZenApp, Default)]
//! struct Report {}
//!
//! #[zenkit::app]
//! impl Report {
//!     #[process]
//!     fn process(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
//!         let settings = ctx.settings();
//!         if settings.verbosity > 1 {
//!             ctx.print(2, format_args!("logging at {} to {}",
//!                 settings.log_level.name(), settings.log_file.display()));
//!         }
//!         Ok(())
//!     }
//! }
//! # fn main() {}
//! ```

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use zenkit_builtins::{Base, Default as KeyDefault, Kind as AppKind};

use crate::config::{Config, EnvKey};
use crate::log::{LogFilter, LogFormat, LogLevel};
use crate::paths::Paths;
#[cfg(feature = "script")]
use crate::script::{Interval, TimeValue};
use crate::Result;

/// The defaults of the built-in keys of an application of `kind` named
/// `name`: paths under `paths`, a script's command `default_command`.
pub(crate) fn defaults(
    kind: AppKind,
    name: &str,
    paths: &Paths,
    default_command: Option<&str>,
) -> Map<String, Value> {
    zenkit_builtins::keys(kind)
        .map(|key| {
            let value = match key.default {
                KeyDefault::None => Value::Null,
                KeyDefault::Bool(flag) => Value::Bool(flag),
                KeyDefault::Int(n) => Value::from(n),
                KeyDefault::Text(text) => Value::from(text),
                KeyDefault::Name => Value::from(name),
                KeyDefault::Named(base, suffix) => {
                    let dir = match base {
                        Base::Cfg => &paths.cfg,
                        Base::Log => &paths.log,
                        Base::Run => &paths.run,
                    };
                    Value::from(dir.join(format!("{name}{suffix}")).display().to_string())
                }
                KeyDefault::DefaultCommand => default_command.map_or(Value::Null, Value::from),
            };
            (key.key.to_string(), value)
        })
        .collect()
}

/// The typed values of the built-in keys every application has.
#[derive(Debug, Clone, Deserialize)]
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
    /// `log_filter`: the filter directives in force (see [`LogFilter`]),
    /// which the environment variable `RUST_LOG` may set.
    pub log_filter: Option<LogFilter>,
    /// `log_format`.
    pub log_format: LogFormat,
    /// `log_journal`: whether the console log goes to journald; `None`
    /// (the default) when stderr is the journal.
    pub log_journal: Option<bool>,
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

impl Default for Settings {
    fn default() -> Self {
        Settings {
            debug: false,
            quiet: false,
            verbosity: 0,
            log_file: PathBuf::new(),
            log_level: LogLevel::Info,
            log_filter: None,
            log_format: LogFormat::Text,
            log_journal: None,
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

impl Settings {
    /// Binds the built-in keys of the merged configuration.
    pub(crate) fn bind(config: &Config) -> Result<Settings> {
        config.bind()
    }
}

/// The environment variable of filter directives, as `env_logger` and
/// `tracing-subscriber` read it: it sets the key `log_filter`, above the
/// files and below `--log-filter`.
pub const LOG_FILTER_VARIABLE: &str = "RUST_LOG";

/// The built-in keys environment variables set: `log_filter` from
/// `RUST_LOG`.
pub(crate) fn environment() -> [EnvKey; 1] {
    [EnvKey {
        key: "log_filter",
        var: LOG_FILTER_VARIABLE,
        parse: |text| {
            LogFilter::parse(text)
                .map(|_| Value::from(text))
                .map_err(|err| err.to_string())
        },
    }]
}

/// The typed values of a script's keys.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptSettings {
    /// `command`: the command to run.
    pub command: String,
    /// `regular`: the mode for cron.
    pub regular: bool,
    /// `shell`: the mode for a person at a terminal.
    pub shell: bool,
    /// `interval`: the interval of the time thresholds, when given.
    #[cfg(feature = "script")]
    pub interval: Option<Interval>,
    /// `adjust_thresholds`: floor the thresholds to whole intervals.
    #[cfg(feature = "script")]
    pub adjust_thresholds: bool,
    /// `time_high`: the upper time threshold; the start of the run when not
    /// given.
    #[cfg(feature = "script")]
    pub time_high: DateTime<Utc>,
}

#[derive(Deserialize)]
struct ScriptKeys {
    command: String,
    regular: bool,
    shell: bool,
    #[cfg(feature = "script")]
    interval: Option<Interval>,
    #[cfg(feature = "script")]
    adjust_thresholds: bool,
    #[cfg(feature = "script")]
    time_high: Option<TimeValue>,
}

impl ScriptSettings {
    /// Binds a script's keys of the merged configuration; `started` is the
    /// upper time threshold when `time_high` is not given.
    pub(crate) fn bind(config: &Config, started: DateTime<Utc>) -> Result<ScriptSettings> {
        #[cfg(not(feature = "script"))]
        let _ = started;
        let keys: ScriptKeys = config.bind()?;
        Ok(ScriptSettings {
            command: keys.command,
            regular: keys.regular,
            shell: keys.shell,
            #[cfg(feature = "script")]
            interval: keys.interval,
            #[cfg(feature = "script")]
            adjust_thresholds: keys.adjust_thresholds,
            #[cfg(feature = "script")]
            time_high: keys.time_high.map_or(started, |t| t.0),
        })
    }
}

/// A positive, finite number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Seconds(pub f64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        if value.is_finite() && value > 0.0 {
            Ok(Seconds(value))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected a positive number of seconds, not {value}"
            )))
        }
    }
}

/// A file mode creation mask. A text is octal (`"0o022"`, `"022"`,
/// `"0022"`); a number, which only a configuration file can give, is the
/// mask's numeric value as pyzenkit reads it (`18` is 0o022), since JSON
/// has no octal numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Umask(pub u32);

impl std::fmt::Display for Umask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0o{:03o}", self.0)
    }
}

impl<'de> Deserialize<'de> for Umask {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let forms = zenkit_builtins::UMASK_FORMS;
        let mask = match Value::deserialize(deserializer)? {
            Value::String(text) => zenkit_builtins::umask_from_text(&text)
                .ok_or_else(|| format!("invalid umask '{text}': expected {forms}")),
            Value::Number(n) => n
                .as_u64()
                .and_then(zenkit_builtins::umask_from_number)
                .ok_or_else(|| format!("invalid umask {n}: expected {forms}")),
            other => Err(format!("invalid umask {other}: expected {forms}")),
        };
        mask.map(Umask).map_err(serde::de::Error::custom)
    }
}

/// The typed values of a daemon's keys.
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
    /// `worker_threads`: threads at most of the worker pool.
    pub worker_threads: usize,
}

#[derive(Deserialize)]
struct DaemonKeys {
    no_daemon: bool,
    chroot_dir: Option<PathBuf>,
    work_dir: PathBuf,
    umask: Umask,
    paralel: bool,
    /// pyzenkit's other spelling of `paralel`, accepted in files.
    #[serde(default)]
    parallel: Option<bool>,
    pid_file: PathBuf,
    state_file: PathBuf,
    stats_interval: Seconds,
    runlog_interval: Seconds,
    stop_timeout: Seconds,
    worker_threads: Threads,
}

/// A number of threads: at least one.
struct Threads(usize);

impl<'de> Deserialize<'de> for Threads {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match u64::deserialize(deserializer)? {
            0 => Err(serde::de::Error::custom(
                "expected a number of threads, at least 1, not 0",
            )),
            n => Ok(Threads(usize::try_from(n).unwrap_or(usize::MAX))),
        }
    }
}

impl DaemonSettings {
    /// Binds a daemon's keys of the merged configuration.
    pub(crate) fn bind(config: &Config) -> Result<DaemonSettings> {
        let keys: DaemonKeys = config.bind()?;
        Ok(DaemonSettings {
            no_daemon: keys.no_daemon,
            chroot_dir: keys.chroot_dir,
            work_dir: keys.work_dir,
            umask: keys.umask.0,
            parallel: keys.paralel || keys.parallel.unwrap_or(false),
            pid_file: keys.pid_file,
            state_file: keys.state_file,
            stats_interval: keys.stats_interval.0,
            runlog_interval: keys.runlog_interval.0,
            stop_timeout: keys.stop_timeout.0,
            worker_threads: keys.worker_threads.0,
        })
    }
}

/// Where the log lines go, in the core section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoreLogging {
    /// Whether lines are written to the console (stderr).
    pub to_console: bool,
    /// Whether lines are written to the log file.
    pub to_file: bool,
    /// The configured threshold.
    pub level: LogLevel,
    /// The console's threshold.
    pub level_console: LogLevel,
    /// The log file's threshold.
    pub level_file: LogLevel,
}

/// Whether a file is saved, in the core section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Save {
    /// Save it.
    pub save: bool,
}

/// The core section (`__core__`): what the runtime decided from the
/// configuration about logging and saving, shown by `config-view` and the
/// state dump as pyzenkit shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Core {
    /// Logging destinations and thresholds.
    pub logging: CoreLogging,
    /// Whether the persistent state is saved.
    pub pstate: Save,
    /// Whether the runlog is saved.
    pub runlog: Save,
    /// Whether a daemon writes its state on SIGUSR2 (daemons only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<Save>,
}

impl Core {
    /// The core section of an application of `kind` logging at
    /// `level`. A script's `shell` mode turns off the log file, the runlog
    /// and the state file; its `regular` mode (or the default) keeps them
    /// on, and `regular` lowers the console to warnings. `shell` wins when
    /// both are set.
    pub(crate) fn new(kind: AppKind, level: LogLevel, script: Option<&ScriptSettings>) -> Core {
        let shell = kind == AppKind::Script && script.is_some_and(|s| s.shell);
        let regular = kind == AppKind::Script && script.is_some_and(|s| s.regular);
        Core {
            logging: CoreLogging {
                to_console: true,
                to_file: !shell,
                level,
                level_console: if regular && !shell {
                    LogLevel::Warning
                } else {
                    level
                },
                level_file: level,
            },
            pstate: Save { save: !shell },
            runlog: Save { save: !shell },
            state: (kind == AppKind::Daemon).then_some(Save { save: true }),
        }
    }

    /// The section as JSON, for the configuration's `__core__` key.
    pub(crate) fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The directory a file is replaced in: its parent, or `.`.
pub(crate) fn parent_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn umask(value: Value) -> std::result::Result<u32, String> {
        serde_json::from_value::<Umask>(value)
            .map(|u| u.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn umask_texts_are_octal_and_numbers_the_mask() {
        for (given, expected) in [
            (json!("0o002"), 0o002),
            (json!("002"), 0o002),
            (json!("0002"), 0o002),
            (json!("0O027"), 0o027),
            (json!("777"), 0o777),
            (json!(18), 0o022),
            (json!(63), 0o077),
            (json!(0), 0),
        ] {
            assert_eq!(umask(given.clone()), Ok(expected), "{given}");
        }
        for bad in [
            json!("0o8"),
            json!("abc"),
            json!(""),
            json!("1000"),
            json!(true),
            json!(-1),
            json!(512),
            json!(1.5),
        ] {
            let err = umask(bad.clone()).expect_err("refused");
            assert!(err.starts_with("invalid umask"), "{bad}: {err}");
        }
        assert_eq!(Umask(0o022).to_string(), "0o022");
    }

    #[test]
    fn seconds_are_positive_and_finite() {
        assert_eq!(
            serde_json::from_value::<Seconds>(json!(0.25)).unwrap(),
            Seconds(0.25)
        );
        for bad in [json!(0), json!(-1), json!(null), json!("5")] {
            assert!(
                serde_json::from_value::<Seconds>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn defaults_follow_the_table() {
        let paths = Paths::resolve(Path::new("/srv"), &crate::paths::PathOverrides::default());
        let base = defaults(AppKind::Base, "demo", &paths, None);
        assert_eq!(base["config_file"], json!("/srv/etc/demo.conf"));
        assert_eq!(base["config_dir"], json!("/srv/etc/demo"));
        assert_eq!(base["log_file"], json!("/srv/var/log/demo.log"));
        assert_eq!(base["pid_file"], json!("/srv/var/run/demo.pid"));
        assert_eq!(base["runlog_dir"], json!("/srv/var/run/demo"));
        assert_eq!(base["log_level"], json!("info"));
        assert_eq!(base["verbosity"], json!(0));
        assert_eq!(base["name"], json!("demo"));
        assert!(!base.contains_key("command") && !base.contains_key("umask"));
        let script = defaults(AppKind::Script, "demo", &paths, Some("greet"));
        assert_eq!(script["command"], json!("greet"));
        assert_eq!(script["interval"], Value::Null);
        let daemon = defaults(AppKind::Daemon, "demo", &paths, None);
        assert_eq!(daemon["umask"], json!("0o002"));
        assert_eq!(daemon["stats_interval"], json!(300));
        assert_eq!(daemon["stop_timeout"], json!(30));
        assert_eq!(daemon["state_file"], json!("/srv/var/run/demo.state"));
        assert_eq!(daemon["work_dir"], json!("/"));
        assert_eq!(
            crate::config::keys_ignored_in_files(),
            ["help_config", "config_file", "config_dir", "__core__"]
        );
    }

    #[test]
    fn script_modes_in_the_core_section() {
        let script = |shell, regular| ScriptSettings {
            command: "x".into(),
            regular,
            shell,
            #[cfg(feature = "script")]
            interval: None,
            #[cfg(feature = "script")]
            adjust_thresholds: false,
            #[cfg(feature = "script")]
            time_high: Utc::now(),
        };
        let shell = Core::new(AppKind::Script, LogLevel::Info, Some(&script(true, true)));
        assert!(!shell.logging.to_file && shell.logging.to_console);
        assert!(!shell.pstate.save && !shell.runlog.save);
        let regular = Core::new(AppKind::Script, LogLevel::Debug, Some(&script(false, true)));
        assert_eq!(regular.logging.level_console, LogLevel::Warning);
        assert_eq!(regular.logging.level_file, LogLevel::Debug);
        assert!(regular.logging.to_file && regular.pstate.save && regular.runlog.save);
        assert_eq!(
            Core::new(AppKind::Base, LogLevel::Warning, None).to_json(),
            json!({
                "logging": {"to_console": true, "to_file": true, "level": "WARNING",
                            "level_console": "WARNING", "level_file": "WARNING"},
                "pstate": {"save": true},
                "runlog": {"save": true},
            })
        );
        let daemon = Core::new(AppKind::Daemon, LogLevel::Error, None).to_json();
        assert_eq!(daemon["state"], json!({"save": true}));
        assert_eq!(daemon["logging"]["level_file"], json!("ERROR"));
    }
}
