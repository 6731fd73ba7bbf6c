//! Logging: `tracing` events, and the records of the `log` crate, written
//! to the console and to the log file, in pyzenkit's line formats or as
//! JSON, with the log file reopened after rotation and the console sent to
//! journald under systemd.
//!
//! * console (stderr): `<time> <LEVEL>: <message>`
//! * log file: `<time> <name> [<pid>] <LEVEL>: <message>`
//!
//! `<time>` is the local time as `YYYY-mm-dd HH:MM:SS,mmm`; `<LEVEL>` is one of
//! `TRACE`, `DEBUG`, `INFO`, `WARNING`, `ERROR` and `CRITICAL`. Fields of an
//! event other than its message follow the message as `key=value`. An error
//! event with the field `critical = true` (see [`critical!`](crate::critical))
//! is labelled `CRITICAL`. With [`LogFormat::Json`] each line is one JSON
//! object instead (see the `json` module).
//!
//! Each destination has its own threshold. Filter directives
//! ([`LogFilter`]) set the threshold per target on top of them: a bare level
//! replaces the configured level, a target's level applies to its events.
//! A destination whose threshold differs from the configured level (a
//! script's `--regular` console at warnings) keeps it as a limit the
//! directives cannot go beyond.
//!
//! The runtime installs the global subscriber during setup and reconfigures
//! it later (embedded mode, configuration reload); layers added with
//! [`add_layer`] before are installed with it, and a program with a
//! subscriber of its own adds [`layer`] to it. A run of the testing kit in
//! the test's own process logs through a subscriber of its own instead,
//! in force on its thread only, whose console is the run's captured
//! standard error. The log file is opened for
//! appending, so logrotate's `copytruncate` leaves no hole of NUL bytes, and
//! it is reopened at its path on `SIGHUP` or when that path starts naming
//! another file or nothing (logrotate `create`, a rename, a deletion), which
//! is looked at no more often than every 250 ms while writes succeed.
//! Nothing here starts a thread.
//!
//! An author names [`FILE_ONLY`] (events for the log file only),
//! [`LogLevel`] (the thresholds in [`crate::settings`]), [`add_layer`] and
//! the [`critical!`](crate::critical) macro.
//!
//! ```
//! use zenkit::log::{LogFilter, LogLevel};
//!
//! assert_eq!(LogLevel::parse("warn")?.name(), "WARNING");
//!
//! // the syntax of RUST_LOG, `--log-filter` and the `log_filter` key
//! let filter = LogFilter::parse("info,backup::mirror=debug,hyper=warn")?;
//! assert_eq!(filter.as_str(), "info,backup::mirror=debug,hyper=warn");
//! let err = LogFilter::parse("info,hyper=loud").unwrap_err();
//! assert_eq!(err.directive, "hyper=loud");
//! assert_eq!(err.column, 6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod file;
mod filter;
mod journal;
mod json;
mod level;
mod record;

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Deserializer};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::layer::{Context as LayerContext, Layer, SubscriberExt};
use tracing_subscriber::Registry;
use zenkit_builtins::LOG_FORMATS;

use crate::{Error, Result};
pub(crate) use file::LogFile;
pub use filter::{FilterError, LogFilter};
use journal::Journal;
pub use level::LogLevel;
use level::Rank;
use record::Record;

#[doc(hidden)]
pub use tracing as __tracing;

/// Name of the boolean event field that marks an error event as critical.
pub const CRITICAL_FIELD: &str = "critical";

/// Logs an error event marked critical: it is labelled `CRITICAL` instead of
/// `ERROR`. Takes the arguments of `tracing::error!`.
///
/// ```
/// zenkit::critical!("database {} is unreachable", "main");
/// ```
#[macro_export]
macro_rules! critical {
    ($($arg:tt)+) => {
        $crate::log::__tracing::error!(critical = true, $($arg)+)
    };
}

/// The format of the lines on the console and in the log file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// pyzenkit's lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Parses a name of `LOG_FORMATS` (`text`, `json`), case-insensitively.
    pub fn parse(name: &str) -> Result<LogFormat> {
        let given = name.trim();
        match LOG_FORMATS
            .iter()
            .find(|known| known.eq_ignore_ascii_case(given))
            .copied()
        {
            Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            _ => Err(Error::config(format!(
                "invalid log format '{name}': expected one of {}",
                LOG_FORMATS.join(", ")
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for LogFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        LogFormat::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// Where log lines go, how severe they must be and how they look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogSettings {
    /// The application name written on log-file lines and to the journal.
    pub name: String,
    /// The configured threshold (`log_level`).
    pub level: LogLevel,
    /// Whether lines are written to the console.
    pub to_console: bool,
    /// Threshold of the console.
    pub level_console: LogLevel,
    /// The log file, if lines are written to one.
    pub file: Option<PathBuf>,
    /// Threshold of the log file.
    pub level_file: LogLevel,
    /// Filter directives on top of the thresholds.
    pub filter: Option<LogFilter>,
    /// The format of console and file lines.
    pub format: LogFormat,
    /// Whether the console log goes to journald instead of stderr.
    pub journal: bool,
}

/// The local time as Python logging's `asctime`: `YYYY-mm-dd HH:MM:SS,mmm`.
pub(crate) fn asctime(time: &chrono::DateTime<chrono::Local>) -> String {
    time.format("%Y-%m-%d %H:%M:%S,%3f").to_string()
}

/// A console line: `<time> <LEVEL>: <text>\n`.
fn console_line(time: &str, label: &str, text: &str) -> String {
    format!("{time} {label}: {text}\n")
}

/// A log-file line: `<time> <name> [<pid>] <LEVEL>: <text>\n`.
fn file_line(time: &str, name: &str, pid: u32, label: &str, text: &str) -> String {
    format!("{time} {name} [{pid}] {label}: {text}\n")
}

/// Writes to stderr, stepping around a progress bar that is on screen.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        crate::progress::suspended(|| io::stderr().lock().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// A destination's threshold and whether the filter directives may go
/// beyond it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Threshold {
    level: LogLevel,
    /// A threshold of its own (not the configured level): a limit.
    limit: bool,
}

impl Threshold {
    fn new(level: LogLevel, configured: LogLevel) -> Threshold {
        Threshold {
            level,
            limit: level != configured,
        }
    }

    /// The rank of events of `target` this destination writes.
    fn rank_for(self, filter: Option<&LogFilter>, target: &str) -> Rank {
        let own = self.level.rank();
        match filter.and_then(|f| f.rank_for(target)) {
            None => own,
            Some(directed) if self.limit => directed.min(own),
            Some(directed) => directed,
        }
    }

    /// The most verbose rank this destination may write.
    fn max_rank(self, filter: Option<&LogFilter>) -> Rank {
        let own = self.level.rank();
        match filter.and_then(LogFilter::max_rank) {
            Some(directed) if !self.limit => directed.max(own),
            _ => own,
        }
    }
}

struct FileSink {
    threshold: Threshold,
    file: LogFile,
}

/// The destinations of log lines.
struct Sinks {
    name: String,
    filter: Option<LogFilter>,
    format: LogFormat,
    console: Option<Threshold>,
    /// The console writer; `None` is stderr (or the journal).
    console_out: Option<Box<dyn Write + Send>>,
    journal: Option<Journal>,
    file: Option<FileSink>,
}

impl Sinks {
    const fn new() -> Sinks {
        Sinks {
            name: String::new(),
            filter: None,
            format: LogFormat::Text,
            console: None,
            console_out: None,
            journal: None,
            file: None,
        }
    }

    /// Applies `settings`; nothing changes when the log file cannot be opened
    /// or journald cannot be reached. The open file and the connection to
    /// journald are kept when they stay the same.
    fn configure(&mut self, settings: &LogSettings) -> Result<()> {
        let to_journal = settings.journal && settings.to_console;
        // a new connection is committed only once the log file is open too
        let connected = if to_journal && self.journal.is_none() {
            Some(Journal::connect().map_err(|err| {
                Error::setup(format!(
                    "cannot send the log to journald at {}: {err}; set the configuration key log_journal to false to log to stderr",
                    journal::SOCKET
                ))
            })?)
        } else {
            None
        };
        let file = match &settings.file {
            None => None,
            Some(path) => {
                let file = match self.file.take() {
                    Some(old) if old.file.path() == path => old.file,
                    old => match LogFile::open(path) {
                        Ok(file) => file,
                        Err(err) => {
                            self.file = old;
                            return Err(err);
                        }
                    },
                };
                Some(FileSink {
                    threshold: Threshold::new(settings.level_file, settings.level),
                    file,
                })
            }
        };
        self.file = file;
        self.journal = if to_journal {
            connected.or_else(|| self.journal.take())
        } else {
            None
        };
        self.name = settings.name.clone();
        self.filter = settings.filter.clone();
        self.format = settings.format;
        self.console = settings
            .to_console
            .then(|| Threshold::new(settings.level_console, settings.level));
        Ok(())
    }

    /// The rank of the most verbose destination.
    fn max_rank(&self) -> Rank {
        let filter = self.filter.as_ref();
        let console = self.console.map_or(Rank::OFF, |t| t.max_rank(filter));
        let file = self
            .file
            .as_ref()
            .map_or(Rank::OFF, |f| f.threshold.max_rank(filter));
        console.max(file)
    }

    fn write(&mut self, meta: &Metadata<'_>, record: &Record, console: bool) {
        let level = meta.level();
        let target = meta.target();
        let filter = self.filter.as_ref();
        let to_console = console
            && self
                .console
                .is_some_and(|t| t.rank_for(filter, target).passes(level));
        let to_file = self
            .file
            .as_ref()
            .is_some_and(|f| f.threshold.rank_for(filter, target).passes(level));
        if !to_console && !to_file {
            return;
        }
        let label = record.label(level);
        let now = chrono::Local::now();
        let (time, text) = match self.format {
            LogFormat::Text => (asctime(&now), record.text()),
            LogFormat::Json => (json::time(&now), String::new()),
        };
        if to_console {
            let sent = self
                .journal
                .as_ref()
                .map(|journal| journal.send(&self.name, meta, record));
            // an entry journald refuses (too large) goes to stderr
            if !matches!(sent, Some(Ok(()))) {
                let line = match self.format {
                    LogFormat::Text => console_line(&time, label, &text),
                    LogFormat::Json => json::line(&time, None, label, target, record),
                };
                let _ = match self.console_out.as_mut() {
                    Some(out) => out.write_all(line.as_bytes()),
                    None => Stderr.write_all(line.as_bytes()),
                };
            }
        }
        if let Some(sink) = self.file.as_mut().filter(|_| to_file) {
            let pid = std::process::id();
            let line = match self.format {
                LogFormat::Text => file_line(&time, &self.name, pid, label, &text),
                LogFormat::Json => {
                    json::line(&time, Some((&self.name, pid)), label, target, record)
                }
            };
            let _ = sink.file.write_line(line.as_bytes());
        }
    }
}

/// State shared by a layer and [`init`]/[`reopen`].
struct Shared {
    /// The [`Rank`] of the most verbose destination.
    max_rank: AtomicU8,
    attached: AtomicBool,
    /// Whether the layer is the subscriber's only one, so its level hint
    /// holds back no other layer.
    alone: AtomicBool,
    sinks: Mutex<Sinks>,
}

impl Shared {
    const fn new() -> Shared {
        Shared {
            max_rank: AtomicU8::new(Rank::OFF.0),
            attached: AtomicBool::new(false),
            alone: AtomicBool::new(false),
            sinks: Mutex::new(Sinks::new()),
        }
    }

    fn sinks(&self) -> MutexGuard<'_, Sinks> {
        self.sinks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn max_rank(&self) -> Rank {
        Rank(self.max_rank.load(Ordering::Relaxed))
    }

    fn configure(&self, settings: &LogSettings) -> Result<()> {
        let rank = {
            let mut sinks = self.sinks();
            sinks.configure(settings)?;
            sinks.max_rank()
        };
        let old = self.max_rank.swap(rank.0, Ordering::Relaxed);
        if old != rank.0 && self.alone.load(Ordering::Relaxed) {
            // tracing caches what the layers' level hints let through
            tracing::callsite::rebuild_interest_cache();
        }
        Ok(())
    }

    #[cfg(feature = "daemon")]
    fn reopen(&self) -> Result<()> {
        match self.sinks().file.as_mut() {
            Some(sink) => sink.file.reopen(),
            None => Ok(()),
        }
    }
}

static GLOBAL: Shared = Shared::new();

/// The state a layer writes with: the global one, or a run's own.
#[derive(Clone)]
enum SharedRef {
    Global,
    Own(Arc<Shared>),
}

impl std::ops::Deref for SharedRef {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        match self {
            SharedRef::Global => &GLOBAL,
            SharedRef::Own(shared) => shared,
        }
    }
}

/// The `tracing-subscriber` layer that writes zenkit's log lines.
///
/// The runtime installs it as the global subscriber when it sets logging
/// up. A program that embeds a zenkit application and installs its own
/// subscriber can add this layer to it
/// (`registry().with(zenkit::log::layer()).with(other)`); the runtime then
/// only configures it.
pub struct LogLayer {
    shared: SharedRef,
}

impl fmt::Debug for LogLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogLayer").finish_non_exhaustive()
    }
}

/// The layer the runtime configures, for adding to a subscriber of one's
/// own (see [`LogLayer`]).
pub fn layer() -> LogLayer {
    LogLayer {
        shared: SharedRef::Global,
    }
}

impl<S: Subscriber> Layer<S> for LogLayer {
    fn on_layer(&mut self, _subscriber: &mut S) {
        self.shared.attached.store(true, Ordering::Relaxed);
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        // tracing takes the most verbose hint of the layers for all of them,
        // and a layer without one counts for nothing
        if self.shared.alone.load(Ordering::Relaxed) {
            Some(self.shared.max_rank().level_filter())
        } else {
            Some(LevelFilter::TRACE)
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: LayerContext<'_, S>) {
        if !self.shared.max_rank().passes(event.metadata().level()) {
            return;
        }
        // a record of the `log` crate: its own target, file and line
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let record = Record::of(event);
        let console = meta.target() != FILE_ONLY;
        self.shared.sinks().write(meta, &record, console);
    }
}

/// The target of events that go to the log file only, never to the
/// console: `tracing::warn!(target: zenkit::log::FILE_ONLY, "...")`.
pub const FILE_ONLY: &str = "zenkit::file_only";

/// A layer for [`add_layer`], boxed.
pub type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync + 'static>;

/// Layers added before the global subscriber is installed.
static ADDED: Mutex<Vec<BoxedLayer>> = Mutex::new(Vec::new());

/// Adds a `tracing-subscriber` layer to the subscriber the runtime
/// installs: it sees every event and span, besides zenkit's own lines. Call
/// it before [`run`](crate::run()):
///
/// ```no_run
/// # struct Tap;
/// # impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Tap {}
/// # fn run() -> zenkit::Result<()> {
/// zenkit::log::add_layer(Tap)?;
/// # Ok(()) }
/// ```
///
/// Fails once the runtime has installed the subscriber (a program with a
/// subscriber of its own adds its layers to that).
pub fn add_layer<L>(layer: L) -> Result<()>
where
    L: Layer<Registry> + Send + Sync + 'static,
{
    add_boxed_layer(Box::new(layer))
}

/// [`add_layer`] for a boxed layer.
pub(crate) fn add_boxed_layer(layer: BoxedLayer) -> Result<()> {
    if installed() {
        return Err(Error::setup(
            "cannot add a log layer: logging is set up already; call zenkit::log::add_layer before zenkit::run",
        ));
    }
    ADDED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(layer);
    Ok(())
}

/// Whether the runtime's layer is in a global subscriber already, or a
/// run's own logging is in force on this thread ([`scoped`]).
pub(crate) fn installed() -> bool {
    GLOBAL.attached.load(Ordering::Relaxed) || own_in_force().is_some()
}

/// The state of a run's own layer, when the subscriber in force on this
/// thread holds one.
fn own_in_force() -> Option<Arc<Shared>> {
    tracing::dispatcher::get_default(|dispatch| {
        match dispatch.downcast_ref::<LogLayer>().map(|l| &l.shared) {
            Some(SharedRef::Own(shared)) => Some(Arc::clone(shared)),
            _ => None,
        }
    })
}

/// Runs `f` with logging of its own, in force on this thread only: what
/// [`init`] sets up while `f` runs is a subscriber of the run's, writing
/// its console lines to `console`, not the global one. The log file it
/// opens is closed when `f` returns. Layers of [`add_layer`] and of
/// plugins are not installed on it.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) fn scoped<T>(console: Box<dyn Write + Send>, f: impl FnOnce() -> T) -> T {
    let shared = Arc::new(Shared::new());
    shared.sinks().console_out = Some(console);
    let subscriber = tracing_subscriber::registry().with(LogLayer {
        shared: SharedRef::Own(shared),
    });
    // records of the `log` crate become events of the subscriber in force
    let _ = tracing_log::LogTracer::init();
    tracing::subscriber::with_default(subscriber, f)
}

/// Sets logging up as `settings` say. The first call installs the global
/// `tracing` subscriber, with the layers of [`add_layer`]; later calls
/// change the destinations, thresholds and formats (a log file that stays
/// the same stays open).
///
/// A log file that cannot be opened is a setup error naming its path; the
/// previous settings then stay in force. Installing fails when another
/// global subscriber is set already and does not hold [`layer`].
pub(crate) fn init(settings: &LogSettings) -> Result<()> {
    if let Some(own) = own_in_force() {
        return own.configure(settings);
    }
    GLOBAL.configure(settings)?;
    if !GLOBAL.attached.load(Ordering::Relaxed) {
        let added = std::mem::take(
            &mut *ADDED
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        GLOBAL.alone.store(added.is_empty(), Ordering::Relaxed);
        // an empty list of layers would hint that nothing is enabled
        let added = (!added.is_empty()).then_some(added);
        let subscriber = tracing_subscriber::registry().with(added).with(layer());
        tracing::subscriber::set_global_default(subscriber).map_err(|_| {
            Error::setup(
                "cannot set logging up: another global tracing subscriber is installed; \
                 add zenkit::log::layer() to it",
            )
        })?;
        // Records of the `log` crate, which most library crates use, become
        // tracing events. A `log` logger the application installed itself
        // stays; its records then go there.
        let _ = tracing_log::LogTracer::init();
    }
    Ok(())
}

/// Whether the console log goes to journald: as `log_journal` says, or
/// when it is not set, when stderr is the journal.
pub(crate) fn console_to_journal(log_journal: Option<bool>) -> bool {
    log_journal.unwrap_or_else(journal::stderr_is_journal)
}

/// Reopens the log file at its path (after log rotation, on `SIGHUP`).
/// Nothing happens when there is no log file.
#[cfg(feature = "daemon")]
pub(crate) fn reopen() -> Result<()> {
    GLOBAL.reopen()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    /// A console writer whose output the test can read.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn settings(file: Option<PathBuf>, console: LogLevel, level_file: LogLevel) -> LogSettings {
        LogSettings {
            name: "demo".into(),
            level: console.min(level_file),
            to_console: true,
            level_console: console,
            file,
            level_file,
            filter: None,
            format: LogFormat::Text,
            journal: false,
        }
    }

    /// A layer with its own state and a captured console, active on this
    /// thread while `f` runs.
    fn with_layer(settings: &LogSettings, f: impl FnOnce(&Shared)) -> String {
        let shared = Arc::new(Shared::new());
        let console = Buffer::default();
        shared.sinks().console_out = Some(Box::new(console.clone()));
        shared.configure(settings).unwrap();
        let subscriber = tracing_subscriber::registry().with(LogLayer {
            shared: SharedRef::Own(Arc::clone(&shared)),
        });
        tracing::subscriber::with_default(subscriber, || f(&shared));
        console.text()
    }

    /// Splits a line into its timestamp and the rest, checking the
    /// timestamp's shape `YYYY-mm-dd HH:MM:SS,mmm`.
    fn split_time(line: &str) -> &str {
        let (time, rest) = line.split_at(23);
        let shape: String = time
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { c })
            .collect();
        assert_eq!(
            shape, "9999-99-99 99:99:99,999",
            "bad timestamp in {line:?}"
        );
        assert!(
            rest.starts_with(' '),
            "no space after timestamp in {line:?}"
        );
        &rest[1..]
    }

    #[test]
    fn console_and_file_lines_have_pyzenkit_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log/demo.log");
        let s = settings(Some(path.clone()), LogLevel::Info, LogLevel::Debug);
        let console = with_layer(&s, |_| {
            tracing::info!("Hello {}", "world");
            tracing::warn!(count = 3, who = "a b", "Careful");
            tracing::debug!("Only in the file");
            tracing::trace!("Nowhere");
            tracing::error!("Broken");
            crate::critical!("Very broken");
            tracing::info!(r#type = "x", empty = "");
        });
        let lines: Vec<&str> = console.lines().map(split_time).collect();
        assert_eq!(
            lines,
            [
                "INFO: Hello world",
                "WARNING: Careful count=3 who=\"a b\"",
                "ERROR: Broken",
                "CRITICAL: Very broken",
                "INFO: type=x empty=\"\"",
            ]
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let pid = std::process::id();
        let lines: Vec<String> = text.lines().map(|l| split_time(l).to_string()).collect();
        assert_eq!(
            lines,
            [
                format!("demo [{pid}] INFO: Hello world"),
                format!("demo [{pid}] WARNING: Careful count=3 who=\"a b\""),
                format!("demo [{pid}] DEBUG: Only in the file"),
                format!("demo [{pid}] ERROR: Broken"),
                format!("demo [{pid}] CRITICAL: Very broken"),
                format!("demo [{pid}] INFO: type=x empty=\"\""),
            ]
        );
        let mode = std::fs::metadata(&path).unwrap().mode() & 0o777;
        assert_eq!(mode & 0o133, 0, "log file mode {mode:o}");
    }

    /// What `init` installs besides the subscriber: records of the `log`
    /// crate become lines like zenkit's own, by their level, without the
    /// fields that tell where they came from.
    #[test]
    fn records_of_the_log_crate_are_lines_too() {
        let _ = tracing_log::LogTracer::init();
        let s = settings(None, LogLevel::Info, LogLevel::Info);
        let console = with_layer(&s, |_| {
            log::warn!(target: "some_library::pool", "connection {} lost", 3);
            log::info!("reconnected");
            log::debug!("below the threshold");
            log::error!("gave up");
        });
        let lines: Vec<&str> = console.lines().map(split_time).collect();
        assert_eq!(
            lines,
            [
                "WARNING: connection 3 lost",
                "INFO: reconnected",
                "ERROR: gave up",
            ]
        );
    }

    /// The text after the timestamp of each line of a log file.
    fn file_lines(path: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| split_time(l).split_once("] ").unwrap().1.to_string())
            .collect()
    }

    #[test]
    fn a_trace_threshold_lets_trace_events_through() {
        let _ = tracing_log::LogTracer::init();
        let s = settings(None, LogLevel::Trace, LogLevel::Trace);
        let console = with_layer(&s, |shared| {
            assert_eq!(shared.max_rank(), Rank::TRACE);
            tracing::trace!(n = 1, "finest");
            log::trace!("from log");
        });
        let lines: Vec<&str> = console.lines().map(split_time).collect();
        assert_eq!(lines, ["TRACE: finest n=1", "TRACE: from log"]);
    }

    #[test]
    fn directives_set_thresholds_per_target_and_limits_stay() {
        let _ = tracing_log::LogTracer::init();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        // a script's --regular mode: the console at warnings, the file at
        // the configured level
        let mut s = settings(Some(path.clone()), LogLevel::Warning, LogLevel::Info);
        s.filter = Some(LogFilter::parse("mylib=debug,noisy=error").unwrap());
        let console = with_layer(&s, |shared| {
            assert_eq!(shared.max_rank(), Rank::DEBUG);
            log::debug!(target: "mylib::pool", "pool debug");
            log::info!(target: "mylib", "lib info");
            log::warn!(target: "noisy", "noisy warning");
            log::error!(target: "noisy::x", "noisy error");
            tracing::debug!("app debug");
            tracing::info!("app info");
            tracing::warn!("app warning");
        });
        let console: Vec<&str> = console.lines().map(split_time).collect();
        assert_eq!(
            console,
            ["ERROR: noisy error", "WARNING: app warning"],
            "the console keeps its threshold of warnings as a limit"
        );
        assert_eq!(
            file_lines(&path),
            [
                "DEBUG: pool debug",
                "INFO: lib info",
                "ERROR: noisy error",
                "INFO: app info",
                "WARNING: app warning",
            ]
        );
    }

    #[test]
    fn a_bare_level_in_the_directives_replaces_the_configured_level() {
        let mut s = settings(None, LogLevel::Info, LogLevel::Info);
        s.filter = Some(LogFilter::parse("warn,chatty=trace").unwrap());
        let console = with_layer(&s, |_| {
            tracing::info!("dropped");
            tracing::warn!("kept");
            tracing::trace!(target: "chatty::x", "chatty trace");
        });
        let console: Vec<&str> = console.lines().map(split_time).collect();
        assert_eq!(console, ["WARNING: kept", "TRACE: chatty trace"]);
    }

    #[test]
    fn json_lines_are_objects_on_console_and_file() {
        let _ = tracing_log::LogTracer::init();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let mut s = settings(Some(path.clone()), LogLevel::Info, LogLevel::Info);
        s.format = LogFormat::Json;
        let console = with_layer(&s, |_| {
            tracing::warn!(count = 3, who = "a b", "Careful");
            log::error!(target: "lib::db", "lost {}", 1);
            crate::critical!("Very broken");
        });
        let parse = |text: &str| -> Vec<serde_json::Value> {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
                .collect()
        };
        let console = parse(&console);
        assert_eq!(console.len(), 3);
        assert_eq!(console[0]["level"], "WARNING");
        assert_eq!(console[0]["message"], "Careful");
        assert_eq!(console[0]["count"], 3);
        assert_eq!(console[0]["who"], "a b");
        assert_eq!(console[0]["target"], module_path!());
        assert!(console[0].get("pid").is_none());
        assert_eq!(console[1]["target"], "lib::db");
        assert_eq!(console[1]["message"], "lost 1");
        assert_eq!(console[2]["level"], "CRITICAL");
        assert!(console[2].get("critical").is_none());
        let file = parse(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(file.len(), 3);
        assert_eq!(file[1]["name"], "demo");
        assert_eq!(file[1]["pid"], std::process::id());
        assert_eq!(file[1]["target"], "lib::db");
        assert!(chrono::DateTime::parse_from_rfc3339(file[0]["time"].as_str().unwrap()).is_ok());
    }

    #[test]
    fn the_console_goes_to_the_journal_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("journal");
        let server = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
        let s = settings(None, LogLevel::Info, LogLevel::Info);
        let console = with_layer(&s, |shared| {
            shared.sinks().journal = Some(Journal::connect_at(&socket).unwrap());
            tracing::warn!(user_id = 7, "to the journal");
        });
        assert_eq!(console, "", "a line sent to the journal is not on stderr");
        let mut buf = vec![0; 4096];
        let n = server.recv(&mut buf).unwrap();
        let text = String::from_utf8_lossy(&buf[..n]);
        for field in [
            "PRIORITY=4\n",
            "MESSAGE=to the journal user_id=7\n",
            "SYSLOG_IDENTIFIER=demo\n",
            "USER_ID=7\n",
        ] {
            assert!(text.contains(field), "{field} not in {text:?}");
        }
    }

    #[test]
    fn a_log_file_that_cannot_be_opened_leaves_the_journal_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("journal");
        let _server = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
        let mut sinks = Sinks::new();
        sinks.journal = Some(Journal::connect_at(&socket).unwrap());
        // a path below a regular file cannot be a log file
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "").unwrap();
        let s = settings(Some(plain.join("demo.log")), LogLevel::Info, LogLevel::Info);
        assert!(sinks.configure(&s).is_err());
        assert!(sinks.journal.is_some(), "the journal was dropped");
    }

    #[test]
    fn each_destination_has_its_own_threshold_and_can_be_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let s = settings(Some(path.clone()), LogLevel::Debug, LogLevel::Warning);
        let console = with_layer(&s.clone(), |shared| {
            let mut s = s;
            tracing::info!("one");
            tracing::warn!("two");
            s.to_console = false;
            s.level_file = LogLevel::Critical;
            shared.configure(&s).unwrap();
            tracing::warn!("three");
            tracing::error!("four");
            s.file = None;
            shared.configure(&s).unwrap();
            assert_eq!(shared.max_rank(), Rank::OFF);
            tracing::error!("five");
        });
        let console: Vec<&str> = console.lines().map(split_time).collect();
        assert_eq!(console, ["INFO: one", "WARNING: two"]);
        let text = std::fs::read_to_string(&path).unwrap();
        let file: Vec<&str> = text
            .lines()
            .map(|l| split_time(l).split_once("] ").unwrap().1)
            .collect();
        assert_eq!(file, ["WARNING: two", "ERROR: four"]);
    }

    #[test]
    fn a_log_file_that_cannot_be_opened_keeps_the_old_settings() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.log");
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "a file, not a directory").unwrap();
        let bad = blocker.join("bad.log");
        let shared = Shared::new();
        shared.sinks().console_out = Some(Box::new(Buffer::default()));
        let s = settings(Some(good.clone()), LogLevel::Info, LogLevel::Info);
        shared.configure(&s).unwrap();
        let err = shared
            .configure(&settings(
                Some(bad.clone()),
                LogLevel::Debug,
                LogLevel::Debug,
            ))
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Setup);
        assert!(err
            .message()
            .starts_with(&format!("cannot open log file '{}': ", bad.display())));
        let sinks = shared.sinks();
        assert_eq!(sinks.file.as_ref().unwrap().file.path(), good);
        assert_eq!(sinks.console.map(|t| t.level), Some(LogLevel::Info));
    }

    #[test]
    fn reconfiguring_with_the_same_path_keeps_the_file_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let rotated = dir.path().join("demo.log.1");
        let shared = Shared::new();
        let s = settings(Some(path.clone()), LogLevel::Info, LogLevel::Info);
        shared.configure(&s).unwrap();
        std::fs::rename(&path, &rotated).unwrap();
        shared.configure(&s).unwrap();
        assert!(!path.exists(), "the file was reopened by configure");
        shared.reopen().unwrap();
        assert!(path.exists(), "reopen did not open the path again");
    }

    #[test]
    fn global_init_installs_once_and_reconfigures() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.log");
        let second = dir.path().join("second.log");
        let mut s = LogSettings {
            name: "global".into(),
            level: LogLevel::Info,
            to_console: false,
            level_console: LogLevel::Info,
            file: Some(first.clone()),
            level_file: LogLevel::Info,
            filter: None,
            format: LogFormat::Text,
            journal: false,
        };
        init(&s).unwrap();
        tracing::info!("global line one");
        assert!(installed());
        let err = add_layer(tracing_subscriber::layer::Identity::new()).unwrap_err();
        assert!(
            err.message()
                .starts_with("cannot add a log layer: logging is set up already"),
            "{}",
            err.message()
        );
        s.file = Some(second.clone());
        init(&s).unwrap();
        tracing::info!("global line two");
        reopen().unwrap();
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "a file, not a directory").unwrap();
        s.file = Some(blocker.join("x.log"));
        assert_eq!(init(&s).unwrap_err().kind(), crate::ErrorKind::Setup);
        s.file = None;
        init(&s).unwrap();
        let one = std::fs::read_to_string(&first).unwrap();
        let two = std::fs::read_to_string(&second).unwrap();
        assert!(one.contains(&format!(
            " global [{}] INFO: global line one\n",
            std::process::id()
        )));
        assert!(!one.contains("global line two"));
        assert!(two.contains("INFO: global line two\n"));
    }
}
