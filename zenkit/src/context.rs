//! The context handed to every author hook: configuration, paths, runlog,
//! persistent state and the console helpers.

use std::fmt;

use serde_json::{Map, Value};

use crate::config::Config;
use crate::host::{Host, Stream};
use crate::log::LogLevel;
use crate::paths::Paths;
use crate::progress::{self, Progress};
use crate::runlog::Runlog;
#[cfg(feature = "script")]
use crate::script::{self, Interval, Thresholds};
use crate::settings::{Core, DaemonSettings, ScriptSettings, Settings};
#[cfg(feature = "script")]
use crate::{Error, Result};

/// Everything an author hook can reach of the running application.
///
/// ```no_run
/// use serde_json::json;
/// use zenkit::prelude::*;
///
/// #[derive(ZenApp, Default)]
/// struct Sweep {
///     /// Files older than this many days go.
///     #[zen(cli, default = 30)]
///     days: u32,
/// }
///
/// #[zenkit::app]
/// impl Sweep {
///     #[process]
///     fn process(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
///         let dir = ctx.paths().tmp.clone();
///         ctx.mark("scan", "listing the old files");       // a time mark in the runlog
///         let entries: Vec<_> = std::fs::read_dir(&dir)?.collect();
///         let bar = ctx.progress(entries.len() as u64, "sweeping");
///         let mut removed = 0u64;
///         for entry in entries {
///             match entry.and_then(|e| std::fs::remove_file(e.path())) {
///                 Ok(()) => removed += 1,
///                 // the run goes on; the runlog says it failed, exit 1
///                 Err(e) => ctx.register_error(format_args!("cannot remove: {e}")),
///             }
///             bar.inc(1);
///         }
///         bar.finish();
///         ctx.runlog().insert("removed", json!(removed));
///         let total = ctx.pstate().get("total").and_then(|v| v.as_u64()).unwrap_or(0);
///         ctx.pstate().insert("total".into(), json!(total + removed)); // kept for the next run
///         ctx.print(0, format_args!("{removed} files removed"));     // unless --quiet
///         ctx.print(1, format_args!("from {}", dir.display()));       // with -v
///         Ok(())
///     }
/// }
/// # fn main() {}
/// ```
#[derive(Debug)]
pub struct Context {
    pub(crate) name: String,
    pub(crate) paths: Paths,
    pub(crate) config: Config,
    pub(crate) runlog: Runlog,
    pub(crate) pstate: Map<String, Value>,
    pub(crate) settings: Settings,
    pub(crate) core: Core,
    pub(crate) script: Option<ScriptSettings>,
    pub(crate) daemon: Option<DaemonSettings>,
    #[cfg(feature = "daemon")]
    pub(crate) pidfile: Option<crate::daemon::pidfile::PidFile>,
    pub(crate) plugin_names: Vec<&'static str>,
    /// Where the run reads its environment and writes its output.
    pub(crate) host: Host,
}

/// The local time as `YYYY-mm-dd HH:MM:SS`, used on console lines.
pub(crate) fn timestamp() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Context {
    pub(crate) fn new(name: String, paths: Paths, runlog: Runlog, debug: bool) -> Context {
        Context {
            name,
            paths,
            config: Config::default(),
            runlog,
            pstate: Map::new(),
            settings: Settings {
                debug,
                ..Settings::default()
            },
            core: Core::new(zenkit_builtins::Kind::Base, LogLevel::Info, None),
            script: None,
            daemon: None,
            #[cfg(feature = "daemon")]
            pidfile: None,
            plugin_names: Vec::new(),
            host: Host::default(),
        }
    }

    /// The names of the plugins in force, in order.
    pub fn plugin_names(&self) -> Vec<&'static str> {
        self.plugin_names.clone()
    }

    /// The application name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The application's filesystem locations.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// The merged configuration, `__core__` included.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The runlog of this run so far, to read.
    pub fn runlog_record(&self) -> &Runlog {
        &self.runlog
    }

    /// The runlog of this run.
    pub fn runlog(&mut self) -> &mut Runlog {
        &mut self.runlog
    }

    /// The persistent state: keys the author sets by name, saved at teardown
    /// beside the `#[zen(pstate)]` fields.
    pub fn pstate(&mut self) -> &mut Map<String, Value> {
        &mut self.pstate
    }

    /// The typed values of the built-in configuration keys.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// What the runtime decided about logging and saving (the `__core__`
    /// section).
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// A script's settings: command, mode, interval and time thresholds;
    /// `None` in other kinds of application.
    pub fn script(&self) -> Option<&ScriptSettings> {
        self.script.as_ref()
    }

    /// A daemon's settings; `None` in other kinds of application.
    pub fn daemon(&self) -> Option<&DaemonSettings> {
        self.daemon.as_ref()
    }

    /// A script's time thresholds for the configured `--interval`, ending at
    /// `--time-high` (default: the start of the run), floored to whole
    /// intervals with `--adjust-thresholds`.
    #[cfg(feature = "script")]
    pub fn thresholds(&self) -> Result<Thresholds> {
        let (script, interval) = self.interval()?;
        Ok(script::thresholds(
            script.time_high,
            interval,
            script.adjust_thresholds,
        ))
    }

    /// The upper time threshold alone (see [`Context::thresholds`]).
    #[cfg(feature = "script")]
    pub fn upper_threshold(&self) -> Result<chrono::DateTime<chrono::Utc>> {
        let (script, interval) = self.interval()?;
        Ok(script::upper_threshold(
            script.time_high,
            interval,
            script.adjust_thresholds,
        ))
    }

    #[cfg(feature = "script")]
    fn interval(&self) -> Result<(&ScriptSettings, Interval)> {
        let script = self
            .script
            .as_ref()
            .ok_or_else(|| Error::msg("time thresholds exist only in scripts"))?;
        let interval = script.interval.ok_or_else(|| {
            Error::usage(format!(
                "no interval is set; pass --interval or set the configuration key 'interval' (one of {})",
                Interval::valid_names()
            ))
        })?;
        Ok((script, interval))
    }

    /// The verbosity level (`-v` count).
    pub fn verbosity(&self) -> u8 {
        self.settings.verbosity
    }

    /// Whether `--quiet` is in force.
    pub fn is_quiet(&self) -> bool {
        self.settings.quiet
    }

    /// Whether `--debug` is in force.
    pub fn is_debug(&self) -> bool {
        self.settings.debug
    }

    /// A progress bar of `len` steps labelled `what`, drawn on stderr; hidden
    /// when stderr is not a terminal or the application is quiet.
    ///
    /// Without the `progress` feature nothing is drawn: the bar counts its
    /// steps where it would be drawn and is hidden where it would be hidden
    /// (see [`progress`](crate::progress)).
    pub fn progress(&self, len: u64, what: &str) -> Progress {
        // a run with output of its own has no terminal to draw on
        progress::on_stderr(self.is_quiet() || self.host.is_own(), len, what)
    }

    /// Prints a line to stdout unless quiet, when the verbosity is at least
    /// `level` (0 prints always, 1 needs `-v`, …).
    pub fn print(&self, level: u8, line: fmt::Arguments<'_>) {
        if !self.settings.quiet && self.settings.verbosity >= level {
            let _ = self.host.write(Stream::Stdout, &format!("{line}\n"));
        }
    }

    /// Prints an internal debug line `* <timestamp> DBGOUT: …` to stderr when
    /// `--debug` is in force.
    pub fn dbgout(&self, line: fmt::Arguments<'_>) {
        if self.settings.debug {
            let text = format!("* {} DBGOUT: {line}\n", timestamp());
            let _ = self.host.write(Stream::Stderr, &text);
        }
    }

    /// Whether the setup is shown: with `--debug` or debug logging.
    pub(crate) fn dumps_setup(&self) -> bool {
        self.settings.debug || self.settings.log_level <= LogLevel::Debug
    }

    /// Shows `value` under `title` as pyzenkit's setup dumps do: a debug
    /// log line `<title> >>>` followed by the JSON document, also on stderr
    /// with `--debug`.
    pub(crate) fn dump_debug<'a>(&self, title: &str, value: impl Into<crate::fs::JsonRef<'a>>) {
        let text = crate::fs::to_json_pretty(value);
        self.dbgout(format_args!("{title} >>>\n{text}"));
        tracing::debug!("{title} >>>\n{text}");
    }

    /// Adds a time mark to the runlog.
    pub fn mark(&mut self, ident: &str, descr: &str) {
        self.runlog.mark(ident, descr);
    }

    /// Registers an error: logs it, records it in the runlog (result
    /// `failure`) and makes the run exit 1 unless a code is set already.
    pub fn register_error(&mut self, message: impl fmt::Display) {
        self.register_error_code(message, crate::error::EXIT_FAILURE);
    }

    /// Registers an error that ends the run with exit code `rc`.
    pub fn register_error_code(&mut self, message: impl fmt::Display, rc: u8) {
        let message = message.to_string();
        tracing::error!("{message}");
        self.runlog.error(&message);
        if self.runlog.rc() == 0 {
            self.runlog.set_rc(rc);
        }
    }
}
