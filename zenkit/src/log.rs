//! Logging: `tracing` events written to the console and to the log file in
//! pyzenkit's line formats, with the log file reopened after rotation.
//!
//! * console (stderr): `<time> <LEVEL>: <message>`
//! * log file: `<time> <name> [<pid>] <LEVEL>: <message>`
//!
//! `<time>` is the local time as `YYYY-mm-dd HH:MM:SS,mmm`; `<LEVEL>` is one of
//! `DEBUG`, `INFO`, `WARNING`, `ERROR` and `CRITICAL`. Fields of an event other
//! than its message follow the message as `key=value`. An error event with the
//! field `critical = true` (see [`critical!`](crate::critical)) is labelled
//! `CRITICAL`. `trace` events are never written: `debug` is the most verbose
//! threshold, as in pyzenkit.
//!
//! Each destination has its own threshold. The runtime installs the global
//! subscriber during setup and reconfigures it later (embedded mode,
//! configuration reload); a program with a subscriber of its own adds
//! [`layer`] to it. The log file is opened for appending, so logrotate's
//! `copytruncate` leaves no hole of NUL bytes, and it is reopened at its path
//! on `SIGHUP` or when that path starts naming another file or nothing
//! (logrotate `create`, a rename, a deletion), which is looked at no more
//! often than every 250 ms while writes succeed. Nothing here starts a
//! thread.
//!
//! An author names [`FILE_ONLY`] (events for the log file only),
//! [`LogLevel`] (the thresholds in [`crate::settings`]) and the
//! [`critical!`](crate::critical) macro.

use std::fmt::{self, Write as _};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, Layer, SubscriberExt};

use crate::{Error, Result};

#[doc(hidden)]
pub use tracing as __tracing;

/// Name of the boolean event field that marks an error event as critical.
pub const CRITICAL_FIELD: &str = "critical";

/// Mode the log file is created with (before the umask).
pub(crate) const LOG_FILE_MODE: u32 = 0o644;

/// How often at most a [`LogFile`] checks that its path still names the open
/// file: lines written in between go to the open file without a `stat`.
pub(crate) const FOLLOW_INTERVAL: Duration = Duration::from_millis(250);

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

/// A severity threshold: the least severe level a destination writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Everything but `trace` events.
    Debug,
    /// Info, warnings and errors.
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
    /// Errors only: `tracing` has no level above error, so this threshold
    /// passes the same events as [`LogLevel::Error`].
    Critical,
}

const VALID_LEVELS: &str = "debug, info, warning, error, critical";

// Verbosity ranks: an event passes a threshold when its rank is at most the
// threshold's rank. 0 lets nothing through.
const RANK_OFF: u8 = 0;
const RANK_ERROR: u8 = 1;
const RANK_WARN: u8 = 2;
const RANK_INFO: u8 = 3;
const RANK_DEBUG: u8 = 4;
const RANK_TRACE: u8 = 5;

fn event_rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => RANK_ERROR,
        Level::WARN => RANK_WARN,
        Level::INFO => RANK_INFO,
        Level::DEBUG => RANK_DEBUG,
        _ => RANK_TRACE,
    }
}

impl LogLevel {
    /// Every level, most verbose first.
    pub const ALL: [LogLevel; 5] = [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Warning,
        LogLevel::Error,
        LogLevel::Critical,
    ];

    /// Parses a level name, case-insensitively (`"info"`, `"INFO"`). The
    /// Python aliases `warn` and `fatal` are accepted too.
    pub fn parse(name: &str) -> Result<LogLevel> {
        match name.trim().to_ascii_lowercase().as_str() {
            "debug" => Ok(LogLevel::Debug),
            "info" => Ok(LogLevel::Info),
            "warning" | "warn" => Ok(LogLevel::Warning),
            "error" => Ok(LogLevel::Error),
            "critical" | "fatal" => Ok(LogLevel::Critical),
            _ => Err(Error::config(format!(
                "invalid log level '{name}': expected one of {VALID_LEVELS}"
            ))),
        }
    }

    /// The upper-case name used on log lines and in `__core__.logging`.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }

    fn rank(self) -> u8 {
        match self {
            LogLevel::Debug => RANK_DEBUG,
            LogLevel::Info => RANK_INFO,
            LogLevel::Warning => RANK_WARN,
            LogLevel::Error | LogLevel::Critical => RANK_ERROR,
        }
    }

    /// Whether an event of `level` passes this threshold.
    pub fn passes(self, level: &Level) -> bool {
        event_rank(level) <= self.rank()
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

/// Where log lines go and how severe they must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogSettings {
    /// The application name written on log-file lines.
    pub name: String,
    /// Whether lines are written to stderr.
    pub to_console: bool,
    /// Threshold of the console.
    pub level_console: LogLevel,
    /// The log file, if lines are written to one.
    pub file: Option<PathBuf>,
    /// Threshold of the log file.
    pub level_file: LogLevel,
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

/// The parts of an event a line is made of.
#[derive(Debug, Default)]
struct Record {
    message: String,
    fields: String,
    critical: bool,
}

impl Record {
    fn of(event: &Event<'_>) -> Record {
        let mut record = Record::default();
        event.record(&mut record);
        record
    }

    fn label(&self, level: &Level) -> &'static str {
        match *level {
            Level::ERROR if self.critical => "CRITICAL",
            Level::ERROR => "ERROR",
            Level::WARN => "WARNING",
            Level::INFO => "INFO",
            _ => "DEBUG",
        }
    }

    /// The message followed by the fields.
    fn text(&self) -> String {
        match (self.message.is_empty(), self.fields.is_empty()) {
            (_, true) => self.message.clone(),
            (true, false) => self.fields.clone(),
            (false, false) => format!("{} {}", self.message, self.fields),
        }
    }

    fn push_field(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        // where a record of the `log` crate came from (its target, file,
        // line), which the line does not show for tracing's own events
        if field.name().starts_with("log.") {
            return;
        }
        if !self.fields.is_empty() {
            self.fields.push(' ');
        }
        let name = field.name();
        let name = name.strip_prefix("r#").unwrap_or(name);
        let _ = write!(self.fields, "{name}={value}");
    }
}

impl Visit for Record {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else if value.is_empty()
            || value.contains(|c: char| c.is_whitespace() || c == '"' || c == '=')
        {
            self.push_field(field, format_args!("{value:?}"));
        } else {
            self.push_field(field, format_args!("{value}"));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == CRITICAL_FIELD {
            self.critical = value;
        } else {
            self.push_field(field, format_args!("{value}"));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.push_field(field, format_args!("{value:?}"));
        }
    }
}

/// A log file opened for appending that follows its path: before a line it
/// checks (one `stat`) whether the path still names the open file, and
/// reopens the path when it does not (the file was renamed, replaced or
/// deleted). The check is made when [`FOLLOW_INTERVAL`] has passed since the
/// last one (by the monotonic clock) and after a failed write; in between,
/// lines go to the open file, so a few lines may land in a file rotated
/// without [`LogFile::reopen`].
#[derive(Debug)]
pub(crate) struct LogFile {
    path: PathBuf,
    file: File,
    id: (u64, u64),
    /// When the path is to be checked next; `None`: before the next line.
    next_check: Option<Instant>,
}

impl LogFile {
    /// Opens `path` for appending, creating it (mode 0644 before the umask)
    /// and its parent directories when missing.
    pub fn open(path: &Path) -> Result<LogFile> {
        let (file, id) = open_append(path).map_err(|err| open_error(path, &err))?;
        Ok(LogFile {
            path: path.to_path_buf(),
            file,
            id,
            next_check: Some(Instant::now() + FOLLOW_INTERVAL),
        })
    }

    /// The path the file was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one complete line (with its newline) in a single append, after
    /// reopening the file if a due check (see [`LogFile`]) finds that its
    /// path moved on. When reopening fails the line goes to the file still
    /// open, and reopening is tried again at the next check.
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.write_line_at(line, Instant::now())
    }

    /// [`LogFile::write_line`] at time `now`.
    fn write_line_at(&mut self, line: &[u8], now: Instant) -> io::Result<()> {
        if self.next_check.map_or(true, |due| now >= due) {
            self.next_check = Some(now + FOLLOW_INTERVAL);
            self.follow_path();
        }
        let written = self.file.write_all(line);
        if written.is_err() {
            self.next_check = None;
        }
        written
    }

    /// Closes the file and opens its path again. On failure the old file
    /// stays open.
    pub fn reopen(&mut self) -> Result<()> {
        let (file, id) = open_append(&self.path).map_err(|err| open_error(&self.path, &err))?;
        self.file = file;
        self.id = id;
        Ok(())
    }

    fn follow_path(&mut self) {
        let moved = match std::fs::metadata(&self.path) {
            Ok(meta) => (meta.dev(), meta.ino()) != self.id,
            Err(_) => true,
        };
        if moved {
            let _ = self.reopen();
        }
    }
}

fn open_append(path: &Path) -> io::Result<(File, (u64, u64))> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // a link planted where the log goes must not make root write elsewhere;
    // an unprivileged process reaches nothing through one it could not
    // write anyway (and may log to /dev/stderr)
    let no_follow = if nix::unistd::geteuid().is_root() {
        nix::libc::O_NOFOLLOW
    } else {
        0
    };
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(LOG_FILE_MODE)
        .custom_flags(no_follow | nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if no_follow != 0 && meta.is_file() && meta.nlink() > 1 {
        return Err(io::Error::other(
            "it has other hard links, and zenkit running as root writes no file that has another name",
        ));
    }
    Ok((file, (meta.dev(), meta.ino())))
}

fn open_error(path: &Path, err: &io::Error) -> Error {
    if err.raw_os_error() == Some(nix::libc::ELOOP) {
        return Error::setup(format!(
            "cannot open log file '{}': it is a symbolic link, which zenkit running as root does not follow; point --log-file at the file itself",
            path.display()
        ));
    }
    Error::setup(format!(
        "cannot open log file '{}': {err}; check the directory's permissions or choose another file with --log-file",
        path.display()
    ))
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

struct FileSink {
    level: LogLevel,
    file: LogFile,
}

/// The destinations of log lines.
struct Sinks {
    name: String,
    console_level: Option<LogLevel>,
    /// The console writer; `None` is stderr.
    console_out: Option<Box<dyn Write + Send>>,
    file: Option<FileSink>,
}

impl Sinks {
    const fn new() -> Sinks {
        Sinks {
            name: String::new(),
            console_level: None,
            console_out: None,
            file: None,
        }
    }

    /// Applies `settings`; nothing changes when the log file cannot be opened.
    /// The open file is kept when the path stays the same.
    fn configure(&mut self, settings: &LogSettings) -> Result<()> {
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
                    level: settings.level_file,
                    file,
                })
            }
        };
        self.file = file;
        self.name = settings.name.clone();
        self.console_level = settings.to_console.then_some(settings.level_console);
        Ok(())
    }

    /// The rank of the most verbose destination.
    fn max_rank(&self) -> u8 {
        let console = self.console_level.map_or(RANK_OFF, LogLevel::rank);
        let file = self.file.as_ref().map_or(RANK_OFF, |f| f.level.rank());
        console.max(file)
    }

    fn write(&mut self, level: &Level, record: &Record, time: &str, console: bool) {
        let label = record.label(level);
        let text = record.text();
        if console && self.console_level.is_some_and(|t| t.passes(level)) {
            let line = console_line(time, label, &text);
            let _ = match self.console_out.as_mut() {
                Some(out) => out.write_all(line.as_bytes()),
                None => Stderr.write_all(line.as_bytes()),
            };
        }
        if let Some(sink) = self.file.as_mut().filter(|s| s.level.passes(level)) {
            let line = file_line(time, &self.name, std::process::id(), label, &text);
            let _ = sink.file.write_line(line.as_bytes());
        }
    }
}

/// State shared by a layer and [`init`]/[`reopen`].
struct Shared {
    max_rank: AtomicU8,
    attached: AtomicBool,
    sinks: Mutex<Sinks>,
}

impl Shared {
    const fn new() -> Shared {
        Shared {
            max_rank: AtomicU8::new(RANK_OFF),
            attached: AtomicBool::new(false),
            sinks: Mutex::new(Sinks::new()),
        }
    }

    fn sinks(&self) -> MutexGuard<'_, Sinks> {
        self.sinks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn configure(&self, settings: &LogSettings) -> Result<()> {
        let mut sinks = self.sinks();
        sinks.configure(settings)?;
        self.max_rank.store(sinks.max_rank(), Ordering::Relaxed);
        Ok(())
    }

    fn reopen(&self) -> Result<()> {
        match self.sinks().file.as_mut() {
            Some(sink) => sink.file.reopen(),
            None => Ok(()),
        }
    }
}

static GLOBAL: Shared = Shared::new();

/// The `tracing-subscriber` layer that writes zenkit's log lines.
///
/// The runtime installs it as the global subscriber when it sets logging
/// up. A program that embeds a zenkit application and installs its own
/// subscriber can add this layer to it
/// (`registry().with(zenkit::log::layer()).with(other)`); the runtime then
/// only configures it.
pub struct LogLayer {
    shared: &'static Shared,
}

impl fmt::Debug for LogLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogLayer").finish_non_exhaustive()
    }
}

/// The layer the runtime configures, for adding to a subscriber of one's
/// own (see [`LogLayer`]).
pub fn layer() -> LogLayer {
    LogLayer { shared: &GLOBAL }
}

impl<S: Subscriber> Layer<S> for LogLayer {
    fn on_layer(&mut self, _subscriber: &mut S) {
        self.shared.attached.store(true, Ordering::Relaxed);
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::DEBUG)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: LayerContext<'_, S>) {
        let level = event.metadata().level();
        if event_rank(level) > self.shared.max_rank.load(Ordering::Relaxed) {
            return;
        }
        let record = Record::of(event);
        let time = asctime(&chrono::Local::now());
        let console = event.metadata().target() != FILE_ONLY;
        self.shared.sinks().write(level, &record, &time, console);
    }
}

/// The target of events that go to the log file only, never to the
/// console: `tracing::warn!(target: zenkit::log::FILE_ONLY, "...")`.
pub const FILE_ONLY: &str = "zenkit::file_only";

/// Sets logging up as `settings` say. The first call installs the global
/// `tracing` subscriber; later calls change the destinations and thresholds
/// (a log file that stays the same stays open).
///
/// A log file that cannot be opened is a setup error naming its path; the
/// previous settings then stay in force. Installing fails when another
/// global subscriber is set already and does not hold [`layer`].
pub(crate) fn init(settings: &LogSettings) -> Result<()> {
    GLOBAL.configure(settings)?;
    if !GLOBAL.attached.load(Ordering::Relaxed) {
        let subscriber = tracing_subscriber::registry().with(layer());
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

/// Reopens the log file at its path (after log rotation, on `SIGHUP`).
/// Nothing happens when there is no log file.
pub(crate) fn reopen() -> Result<()> {
    GLOBAL.reopen()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

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
            to_console: true,
            level_console: console,
            file,
            level_file,
        }
    }

    /// A layer with its own state and a captured console, active on this
    /// thread while `f` runs.
    fn with_layer(settings: &LogSettings, f: impl FnOnce(&'static Shared)) -> String {
        let shared: &'static Shared = Box::leak(Box::new(Shared::new()));
        let console = Buffer::default();
        shared.sinks().console_out = Some(Box::new(console.clone()));
        shared.configure(settings).unwrap();
        let subscriber = tracing_subscriber::registry().with(LogLayer { shared });
        tracing::subscriber::with_default(subscriber, || f(shared));
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
    fn levels_parse_case_insensitively() {
        assert_eq!(LogLevel::parse("INFO").unwrap(), LogLevel::Info);
        assert_eq!(LogLevel::parse("debug").unwrap(), LogLevel::Debug);
        assert_eq!("Warning".parse::<LogLevel>().unwrap(), LogLevel::Warning);
        assert_eq!(LogLevel::parse("warn").unwrap(), LogLevel::Warning);
        assert_eq!(LogLevel::parse("CRITICAL").unwrap(), LogLevel::Critical);
        let err = LogLevel::parse("verbose").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Config);
        assert_eq!(
            err.message(),
            "invalid log level 'verbose': expected one of debug, info, warning, error, critical"
        );
        let level: LogLevel = serde_json::from_value(serde_json::json!("error")).unwrap();
        assert_eq!(level, LogLevel::Error);
        assert_eq!(serde_json::to_value(LogLevel::Warning).unwrap(), "WARNING");
        assert!(serde_json::from_value::<LogLevel>(serde_json::json!("loud")).is_err());
    }

    #[test]
    fn thresholds() {
        assert!(LogLevel::Debug.passes(&Level::DEBUG));
        assert!(!LogLevel::Debug.passes(&Level::TRACE));
        assert!(!LogLevel::Info.passes(&Level::DEBUG));
        assert!(LogLevel::Info.passes(&Level::INFO));
        assert!(!LogLevel::Warning.passes(&Level::INFO));
        assert!(LogLevel::Warning.passes(&Level::WARN));
        assert!(!LogLevel::Error.passes(&Level::WARN));
        assert!(LogLevel::Critical.passes(&Level::ERROR));
        assert!(!LogLevel::Critical.passes(&Level::WARN));
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
            assert_eq!(shared.max_rank.load(Ordering::Relaxed), RANK_OFF);
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
        assert_eq!(sinks.console_level, Some(LogLevel::Info));
    }

    /// Times for `write_line_at`, one check interval apart: `at(0)` is when
    /// `log` made its last check, `at(1)` when the next one is due.
    fn ticks(log: &LogFile) -> impl Fn(u32) -> Instant {
        let start = log.next_check.expect("a check is scheduled") - FOLLOW_INTERVAL;
        move |n| start + FOLLOW_INTERVAL * n
    }

    #[test]
    fn renamed_or_deleted_file_is_reopened_at_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let rotated = dir.path().join("demo.log.1");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        log.write_line_at(b"old 1\n", at(0)).unwrap();
        std::fs::rename(&path, &rotated).unwrap();
        log.write_line_at(b"new 1\n", at(1)).unwrap();
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "old 1\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new 1\n");

        std::fs::remove_file(&path).unwrap();
        log.write_line_at(b"new 2\n", at(2)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new 2\n");

        // logrotate `create`: a new empty file put at the path.
        std::fs::rename(&path, &rotated).unwrap();
        std::fs::write(&path, "").unwrap();
        log.write_line_at(b"new 3\n", at(3)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new 3\n");
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "new 2\n");
    }

    #[test]
    fn the_path_is_checked_once_per_interval_and_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let rotated = dir.path().join("demo.log.1");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        log.write_line_at(b"a\n", at(0)).unwrap();
        std::fs::rename(&path, &rotated).unwrap();
        log.write_line_at(b"b\n", at(1) - Duration::from_millis(1))
            .unwrap();
        assert!(!path.exists(), "checked before the interval passed");
        log.write_line_at(b"c\n", at(1)).unwrap();
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "a\nb\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "c\n");

        // SIGHUP after a rotation: no waiting for the next check.
        std::fs::rename(&path, &rotated).unwrap();
        log.reopen().unwrap();
        log.write_line_at(b"d\n", at(1)).unwrap();
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "c\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "d\n");
    }

    #[test]
    fn a_failed_write_makes_the_next_line_check_the_path() {
        let mut log = LogFile::open(Path::new("/dev/full")).unwrap();
        let at = ticks(&log);
        assert!(log.next_check.is_some());
        assert!(log.write_line_at(b"x\n", at(0)).is_err());
        assert_eq!(log.next_check, None);
    }

    #[test]
    fn lines_after_a_rotation_go_to_the_new_file_from_the_next_check_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        // Lines around a logrotate `create`: not one line after the check
        // that follows the rotation may land in the rotated file.
        let mut expected_rotated = String::new();
        for round in 0..3 {
            let rotated = dir.path().join(format!("demo.log.{round}"));
            log.write_line_at(format!("before {round}\n").as_bytes(), at(round))
                .unwrap();
            expected_rotated.push_str(&format!("before {round}\n"));
            std::fs::rename(&path, &rotated).unwrap();
            std::fs::write(&path, "").unwrap();
            log.write_line_at(format!("after {round}\n").as_bytes(), at(round + 1))
                .unwrap();
            assert_eq!(std::fs::read_to_string(&rotated).unwrap(), expected_rotated);
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                format!("after {round}\n")
            );
            expected_rotated = format!("after {round}\n");
        }
    }

    #[test]
    fn a_failed_reopen_keeps_writing_to_the_open_file_and_retries() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        let path = sub.join("demo.log");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        log.write_line_at(b"a\n", at(0)).unwrap();
        // The directory is moved away and a file blocks its name: the path
        // cannot be reopened.
        let moved = dir.path().join("moved");
        std::fs::rename(&sub, &moved).unwrap();
        std::fs::write(&sub, "a file, not a directory").unwrap();
        log.write_line_at(b"b\n", at(1)).unwrap();
        assert_eq!(
            std::fs::read_to_string(moved.join("demo.log")).unwrap(),
            "a\nb\n"
        );
        std::fs::remove_file(&sub).unwrap();
        log.write_line_at(b"c\n", at(2)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "c\n");
    }

    #[test]
    fn copytruncate_leaves_no_nul_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let mut log = LogFile::open(&path).unwrap();
        log.write_line(b"first line of some length\n").unwrap();
        log.write_line(b"second line of some length\n").unwrap();
        let copy = std::fs::read(&path).unwrap();
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        log.write_line(b"after\n").unwrap();
        let data = std::fs::read(&path).unwrap();
        assert_eq!(data, b"after\n");
        assert!(!copy.contains(&0) && !data.contains(&0));
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
            to_console: false,
            level_console: LogLevel::Info,
            file: Some(first.clone()),
            level_file: LogLevel::Info,
        };
        init(&s).unwrap();
        tracing::info!("global line one");
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
