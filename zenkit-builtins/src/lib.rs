//! The built-in names of zenkit, declared once: every built-in
//! configuration key with its command-line option, type, default and help;
//! the built-in actions; the signals a daemon handler may wait for; the log
//! levels; and the rules that read a umask and a duration.
//!
//! The runtime builds its command line, its defaults, its `__core__`
//! section and `config-view` from these tables, and the macros check an
//! application's own names against them at compile time. Its one
//! dependency, `humantime` (which has none), reads durations, so that the
//! macros check a duration default by the rule the runtime reads it with.

#![warn(missing_docs)]

/// The kind of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A console application with one process step.
    Base,
    /// A one-shot program with named commands.
    Script,
    /// A long-running service.
    Daemon,
}

/// Which kinds of application have a key, an option or an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinds {
    /// Every application.
    All,
    /// Scripts only.
    Script,
    /// Daemons only.
    Daemon,
}

impl Kinds {
    /// Whether an application of `kind` has it.
    pub const fn contains(self, kind: Kind) -> bool {
        matches!(
            (self, kind),
            (Kinds::All, _) | (Kinds::Script, Kind::Script) | (Kinds::Daemon, Kind::Daemon)
        )
    }
}

/// How an option takes its value on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// A flag: present means `true`.
    Flag,
    /// A counter: each occurrence adds one (`-vvv`).
    Count,
    /// One value, shown in help as the given name (`FILE`).
    Value(&'static str),
}

/// The type of a built-in key's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// `true` or `false`.
    Bool,
    /// A small non-negative count.
    Count,
    /// Text.
    Text,
    /// A path.
    Path,
    /// An account: a name or a numeric id.
    Account,
    /// A non-negative integer.
    Unsigned,
    /// One of [`LOG_LEVELS`].
    LogLevel,
    /// One of [`LOG_FORMATS`].
    LogFormat,
    /// A positive, finite number of seconds.
    Seconds,
    /// A file mode creation mask (see [`umask_from_text`] and
    /// [`umask_from_number`]).
    Umask,
    /// The name of an interval (`daily`, `5_minutes`, …).
    Interval,
    /// A point in time: a Unix timestamp or RFC 3339.
    Time,
}

/// The directory a path default lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The configuration directory (`<root>/etc`).
    Cfg,
    /// The log directory (`<root>/var/log`).
    Log,
    /// The run directory (`<root>/var/run`).
    Run,
}

/// The default of a built-in key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// No value (`null`).
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(u64),
    /// A text.
    Text(&'static str),
    /// The application's name.
    Name,
    /// `<base>/<name><suffix>`, e.g. `<root>/etc/<name>.conf`.
    Named(Base, &'static str),
    /// A script's default command.
    DefaultCommand,
}

/// A built-in command-line option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    /// The long option, without `--`.
    pub long: &'static str,
    /// Another spelling of the long option (pyzenkit's).
    pub alias: Option<&'static str>,
    /// The short option.
    pub short: Option<char>,
    /// Which kinds of application have the option (a key every application
    /// has may have an option only some have).
    pub kinds: Kinds,
}

/// A built-in configuration key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    /// The configuration key.
    pub key: &'static str,
    /// Another name of the key accepted in files (pyzenkit's spelling).
    pub alias: Option<&'static str>,
    /// Which kinds of application have the key.
    pub kinds: Kinds,
    /// Its command-line option, if it has one.
    pub option: Option<Opt>,
    /// How the option takes its value.
    pub takes: Takes,
    /// The type of the value.
    pub value: ValueType,
    /// The default.
    pub default: Default,
    /// One line of help.
    pub help: &'static str,
    /// A key whose option cannot be given together with this one's.
    pub conflicts: Option<&'static str>,
    /// Whether a configuration file may set it (the keys that choose the
    /// files may not).
    pub in_files: bool,
}

impl Key {
    const fn new(key: &'static str, takes: Takes, value: ValueType, help: &'static str) -> Key {
        Key {
            key,
            alias: None,
            kinds: Kinds::All,
            option: None,
            takes,
            value,
            default: Default::None,
            help,
            conflicts: None,
            in_files: true,
        }
    }

    const fn long(mut self, long: &'static str) -> Key {
        self.option = Some(Opt {
            long,
            alias: None,
            short: None,
            kinds: self.kinds,
        });
        self
    }

    const fn short(mut self, short: char) -> Key {
        if let Some(mut opt) = self.option {
            opt.short = Some(short);
            self.option = Some(opt);
        }
        self
    }

    const fn option_alias(mut self, alias: &'static str) -> Key {
        if let Some(mut opt) = self.option {
            opt.alias = Some(alias);
            self.option = Some(opt);
        }
        self
    }

    const fn option_kinds(mut self, kinds: Kinds) -> Key {
        if let Some(mut opt) = self.option {
            opt.kinds = kinds;
            self.option = Some(opt);
        }
        self
    }

    const fn kinds(mut self, kinds: Kinds) -> Key {
        self.kinds = kinds;
        self
    }

    const fn default(mut self, default: Default) -> Key {
        self.default = default;
        self
    }

    const fn alias(mut self, alias: &'static str) -> Key {
        self.alias = Some(alias);
        self
    }

    const fn conflicts(mut self, key: &'static str) -> Key {
        self.conflicts = Some(key);
        self
    }

    const fn not_in_files(mut self) -> Key {
        self.in_files = false;
        self
    }

    /// Whether `long` is this key's long option or its alias.
    pub fn has_long(&self, long: &str) -> bool {
        self.option
            .is_some_and(|o| o.long == long || o.alias == Some(long))
    }
}

const fn flag(key: &'static str, long: &'static str, help: &'static str) -> Key {
    Key::new(key, Takes::Flag, ValueType::Bool, help)
        .long(long)
        .default(Default::Bool(false))
}

const fn value(
    key: &'static str,
    long: &'static str,
    name: &'static str,
    value: ValueType,
    help: &'static str,
) -> Key {
    Key::new(key, Takes::Value(name), value, help).long(long)
}

const fn script(key: Key) -> Key {
    key.kinds(Kinds::Script).option_kinds(Kinds::Script)
}

const fn daemon(key: Key) -> Key {
    key.kinds(Kinds::Daemon).option_kinds(Kinds::Daemon)
}

/// Every built-in configuration key, in the order of `--help`.
pub const KEYS: &[Key] = &[
    flag("debug", "debug", "Print internal debug lines to stderr"),
    flag(
        "quiet",
        "quiet",
        "Print nothing on stdout (log lines still go to the console log)",
    )
    .conflicts("verbosity"),
    Key::new(
        "verbosity",
        Takes::Count,
        ValueType::Count,
        "Print more; repeat for more (-vvv)",
    )
    .long("verbose")
    .short('v')
    .default(Default::Int(0)),
    value(
        "name",
        "name",
        "NAME",
        ValueType::Text,
        "Name of the application (default: executable name)",
    )
    .default(Default::Name),
    value(
        "user",
        "user",
        "USER",
        ValueType::Account,
        "Run as this user (name or uid)",
    ),
    value(
        "group",
        "group",
        "GROUP",
        ValueType::Account,
        "Run as this group (name or gid)",
    ),
    flag(
        "help_config",
        "help-config",
        "Print every configuration key with its type, default and help, and exit",
    )
    .not_in_files(),
    value(
        "config_file",
        "config-file",
        "FILE",
        ValueType::Path,
        "Configuration file",
    )
    .default(Default::Named(Base::Cfg, ".conf"))
    .not_in_files(),
    value(
        "config_dir",
        "config-dir",
        "DIR",
        ValueType::Path,
        "Configuration directory (*.json.conf)",
    )
    .default(Default::Named(Base::Cfg, ""))
    .not_in_files(),
    flag(
        "config_file_silent",
        "config-file-silent",
        "A missing configuration file is no error",
    ),
    flag(
        "config_dir_silent",
        "config-dir-silent",
        "A missing configuration directory is no error",
    ),
    value("log_file", "log-file", "FILE", ValueType::Path, "Log file")
        .default(Default::Named(Base::Log, ".log")),
    value(
        "log_level",
        "log-level",
        "LEVEL",
        ValueType::LogLevel,
        "Logging threshold",
    )
    .default(Default::Text("info")),
    value(
        "log_filter",
        "log-filter",
        "DIRECTIVES",
        ValueType::Text,
        "Per-target thresholds in the RUST_LOG syntax (info,mytool::db=debug,hyper=warn)",
    ),
    value(
        "log_format",
        "log-format",
        "FORMAT",
        ValueType::LogFormat,
        "Format of the log lines on the console and in the log file",
    )
    .default(Default::Text("text")),
    Key::new(
        "log_journal",
        Takes::Flag,
        ValueType::Bool,
        "Send the console log to journald (default: when stderr is the journal)",
    ),
    value(
        "action",
        "action",
        "ACTION",
        ValueType::Text,
        "Run this quick action and exit",
    ),
    value(
        "input",
        "input",
        "FILE",
        ValueType::Path,
        "File an action reads",
    ),
    value(
        "limit",
        "limit",
        "N",
        ValueType::Unsigned,
        "Limit applied to an action's result",
    ),
    value(
        "pstate_file",
        "pstate-file",
        "FILE",
        ValueType::Path,
        "Persistent state file",
    )
    .default(Default::Named(Base::Run, ".pstate")),
    flag(
        "pstate_dump",
        "pstate-dump",
        "Print the persistent state at the end",
    ),
    flag(
        "pstate_log",
        "pstate-log",
        "Log the persistent state at the end",
    ),
    value(
        "runlog_dir",
        "runlog-dir",
        "DIR",
        ValueType::Path,
        "Directory of runlog files",
    )
    .default(Default::Named(Base::Run, "")),
    flag("runlog_dump", "runlog-dump", "Print the runlog at the end"),
    flag("runlog_log", "runlog-log", "Log the runlog at the end"),
    // every application has the key; only daemons have the option
    value(
        "pid_file",
        "pid-file",
        "FILE",
        ValueType::Path,
        "PID file (must end in .pid)",
    )
    .option_kinds(Kinds::Daemon)
    .default(Default::Named(Base::Run, ".pid")),
    script(flag(
        "regular",
        "regular",
        "Regular mode for cron: quiet, only warnings on the console, logs, runlog and state saved",
    ))
    .conflicts("shell"),
    script(flag(
        "shell",
        "shell",
        "Shell mode for a person: no log file, runlog and state not saved",
    )),
    script(value(
        "command",
        "command",
        "NAME",
        ValueType::Text,
        "Command to run (also the first argument)",
    ))
    .default(Default::DefaultCommand),
    script(value(
        "interval",
        "interval",
        "INTERVAL",
        ValueType::Interval,
        "Interval of the time thresholds (5_minutes … 4_weekly)",
    )),
    script(flag(
        "adjust_thresholds",
        "adjust-thresholds",
        "Floor the time thresholds to whole intervals (UTC, from the Unix epoch)",
    )),
    script(value(
        "time_high",
        "time-high",
        "TIME",
        ValueType::Time,
        "Upper time threshold: Unix timestamp or RFC 3339 (default: now)",
    )),
    daemon(flag("no_daemon", "no-daemon", "Stay in the foreground")),
    daemon(value(
        "chroot_dir",
        "chroot-dir",
        "DIR",
        ValueType::Path,
        "Change the root directory to DIR",
    )),
    daemon(value(
        "work_dir",
        "work-dir",
        "DIR",
        ValueType::Path,
        "Working directory of the daemon",
    ))
    .default(Default::Text("/")),
    daemon(value(
        "umask",
        "umask",
        "MASK",
        ValueType::Umask,
        "File mode creation mask (octal: 0o002, 002, 0002)",
    ))
    .default(Default::Text("0o002")),
    daemon(flag(
        "paralel",
        "parallel",
        "Allow several instances at once (own PID and state files)",
    ))
    .option_alias("paralel")
    .alias("parallel"),
    daemon(value(
        "state_file",
        "state-file",
        "FILE",
        ValueType::Path,
        "File SIGUSR2 writes the daemon state to",
    ))
    .default(Default::Named(Base::Run, ".state")),
    daemon(value(
        "stats_interval",
        "stats-interval",
        "SECONDS",
        ValueType::Seconds,
        "Seconds between statistics in the log",
    ))
    .default(Default::Int(300)),
    daemon(value(
        "runlog_interval",
        "runlog-interval",
        "SECONDS",
        ValueType::Seconds,
        "Seconds between runlog saves",
    ))
    .default(Default::Int(300)),
    Key::new(
        "stop_timeout",
        Takes::Value("SECONDS"),
        ValueType::Seconds,
        "Seconds from `stop` to the `terminate` fail-safe",
    )
    .kinds(Kinds::Daemon)
    .default(Default::Int(30)),
    daemon(value(
        "worker_threads",
        "worker-threads",
        "N",
        ValueType::Unsigned,
        "Threads at most of the pool that runs the daemon's blocking jobs",
    ))
    .default(Default::Int(4)),
];

/// Options clap itself gives every application: long name and short letter.
pub const CLAP_OPTIONS: &[(&str, char)] = &[("help", 'h'), ("version", 'V')];

/// The key of the section the runtime computes from the configuration;
/// files cannot set it and no field may be named so.
pub const CORE_KEY: &str = "__core__";

/// The built-in key `key` of an application of `kind`.
pub fn key(key: &str, kind: Kind) -> Option<&'static Key> {
    keys(kind).find(|k| k.key == key)
}

/// The built-in keys of an application of `kind`.
pub fn keys(kind: Kind) -> impl Iterator<Item = &'static Key> {
    KEYS.iter().filter(move |k| k.kinds.contains(kind))
}

/// The built-in options of an application of `kind`, with their keys.
pub fn options(kind: Kind) -> impl Iterator<Item = (&'static Key, Opt)> {
    KEYS.iter()
        .filter_map(move |k| Some((k, k.option.filter(|o| o.kinds.contains(kind))?)))
}

/// A built-in quick action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// The name given to `--action`.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Which kinds of application have it.
    pub kinds: Kinds,
}

const fn action(name: &'static str, kinds: Kinds, help: &'static str) -> Action {
    Action { name, help, kinds }
}

/// The action that checks the whole configuration without running; the
/// runtime runs it, like [`CONFIG_SCHEMA`], before setup rather than as
/// an action stage.
pub const CONFIG_CHECK: &str = "config-check";

/// The action that prints a JSON Schema of the configuration file.
pub const CONFIG_SCHEMA: &str = "config-schema";

/// The action that prints a shell completion script.
pub const COMPLETIONS: &str = "completions";

/// The action that prints the manual page.
pub const MAN: &str = "man";

/// The built-in actions that print a page generated from the command line
/// (zenkit's `manual` feature).
pub const MANUAL_ACTIONS: [&str; 2] = [COMPLETIONS, MAN];

/// Every built-in action, in the order of `--help`.
pub const ACTIONS: &[Action] = &[
    action(
        "config-view",
        Kinds::All,
        "Print the final configuration as a tree (with -v, the layer that set each value)",
    ),
    action(
        CONFIG_CHECK,
        Kinds::All,
        "Check the whole configuration and exit: 0 when valid, else 78 with every error, one per line",
    ),
    action(
        CONFIG_SCHEMA,
        Kinds::All,
        "Print a JSON Schema (draft 2020-12) of the configuration file",
    ),
    action(
        "runlog-dump",
        Kinds::All,
        "Print a runlog raw as a tree: --input FILE, or the newest runlog",
    ),
    action(
        "runlog-view",
        Kinds::All,
        "Print the analysis of a runlog and its errors: --input FILE, or the newest runlog",
    ),
    action(
        "runlogs-list",
        Kinds::All,
        "List the runlog files, newest first (--limit N)",
    ),
    action(
        "runlogs-dump",
        Kinds::All,
        "Print the runlogs raw as trees, newest first (--limit N)",
    ),
    action(
        "runlogs-evaluate",
        Kinds::All,
        "Tabulate runtime, process time and effectivity of the runlogs (--limit N)",
    ),
    action(
        COMPLETIONS,
        Kinds::All,
        "Print a shell completion script: --input bash, zsh or fish",
    ),
    action(MAN, Kinds::All, "Print the manual page (roff)"),
    action(
        "signal-check",
        Kinds::Daemon,
        "Check that the daemon runs (signal 0)",
    ),
    action(
        "signal-alrm",
        Kinds::Daemon,
        "Send SIGALRM to the daemon (wake it up)",
    ),
    action(
        "signal-hup",
        Kinds::Daemon,
        "Send SIGHUP to the daemon (reload)",
    ),
    action(
        "signal-int",
        Kinds::Daemon,
        "Send SIGINT to the daemon (stop gracefully)",
    ),
    action(
        "signal-term",
        Kinds::Daemon,
        "Send SIGTERM to the daemon (stop at once)",
    ),
    action(
        "signal-usr1",
        Kinds::Daemon,
        "Send SIGUSR1 to the daemon (save the runlog)",
    ),
    action(
        "signal-usr2",
        Kinds::Daemon,
        "Send SIGUSR2 to the daemon (save its state)",
    ),
    action(
        "systemd-unit",
        Kinds::Daemon,
        "Print a systemd unit (Type=notify) for this daemon",
    ),
];

/// The built-in actions of an application of `kind`.
pub fn actions(kind: Kind) -> impl Iterator<Item = &'static Action> {
    ACTIONS.iter().filter(move |a| a.kinds.contains(kind))
}

/// The signals a daemon handler may wait for with `#[on_signal(...)]`.
pub const SIGNALS: &[&str] = &[
    "SIGHUP",
    "SIGQUIT",
    "SIGTRAP",
    "SIGUSR1",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGCHLD",
    "SIGCONT",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPOLL",
    "SIGPWR",
    "SIGSYS",
];

/// Other names of signals: (alias, the signal's name).
pub const SIGNAL_ALIASES: &[(&str, &str)] = &[("SIGPOLL", "SIGIO"), ("SIGIOT", "SIGABRT")];

/// The event a caught signal becomes: `signal_` and the signal's name in
/// lower case without `SIG` (`SIGHUP` → `signal_hup`); SIGINT becomes
/// `stop`. An alias becomes its signal's event (`SIGPOLL` → `signal_io`).
pub fn signal_event(name: &str) -> String {
    let name = SIGNAL_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, signal)| signal);
    if name == "SIGINT" {
        return "stop".to_string();
    }
    let bare = name.strip_prefix("SIG").unwrap_or(name);
    format!("signal_{}", bare.to_ascii_lowercase())
}

/// The log levels `log_level` accepts, most verbose first: pyzenkit's
/// names, `trace`, and `warn`, the Rust spelling of `warning`.
pub const LOG_LEVELS: &[&str] = &[
    "trace", "debug", "info", "warning", "warn", "error", "critical",
];

/// The names of [`LOG_LEVELS`] that are another spelling of a level listed
/// there too; help lists only the first spelling.
pub const LOG_LEVEL_ALIASES: &[&str] = &["warn"];

/// The formats of log lines `log_format` accepts.
pub const LOG_FORMATS: &[&str] = &["text", "json"];

/// The largest file mode creation mask.
pub const MAX_UMASK: u32 = 0o777;

/// How a umask may be written, for messages.
pub const UMASK_FORMS: &str = "an octal mask of at most 0o777 such as \"0o022\", \"022\" or \"0022\" (in a configuration file also the mask's number, e.g. 18 for 0o022)";

/// The mask a umask text stands for: octal digits, with or without a
/// leading `0o` (`"0o022"`, `"022"`, `"0022"`, `"22"`); `None` when it is
/// not octal or above [`MAX_UMASK`].
pub fn umask_from_text(text: &str) -> Option<u32> {
    let text = text.trim();
    let digits = text
        .strip_prefix("0o")
        .or_else(|| text.strip_prefix("0O"))
        .unwrap_or(text);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| matches!(b, b'0'..=b'7')) {
        return None;
    }
    u32::from_str_radix(digits, 8)
        .ok()
        .filter(|mask| *mask <= MAX_UMASK)
}

/// The mask a number in a configuration file stands for. JSON has no octal
/// numbers, so a number is the mask's numeric value, as pyzenkit reads it:
/// `18` is 0o022, `63` is 0o077. `None` above [`MAX_UMASK`].
pub fn umask_from_number(number: u64) -> Option<u32> {
    u32::try_from(number).ok().filter(|mask| *mask <= MAX_UMASK)
}

/// The forms a duration is written in, for messages.
pub const DURATION_FORMS: &str =
    "a duration such as \"90s\", \"5m\", \"1h30m\" or \"1h 30m\", or a number of seconds";

/// The duration a text stands for: a number of seconds (`"90"`, `"1.5"`)
/// or numbers with `humantime`'s units (`"90s"`, `"5m"`, `"1h30m"`,
/// `"1h 30m"`); `None` when it is neither, or a number of seconds no
/// `Duration` holds.
pub fn duration_from_text(text: &str) -> Option<std::time::Duration> {
    let trimmed = text.trim();
    if trimmed.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && trimmed.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        let seconds: f64 = trimmed.parse().ok()?;
        return std::time::Duration::try_from_secs_f64(seconds).ok();
    }
    humantime::parse_duration(trimmed).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_kind() {
        for kind in [Kind::Base, Kind::Script, Kind::Daemon] {
            let mut names: Vec<String> = Vec::new();
            for k in keys(kind) {
                names.push(format!("key {}", k.key));
                names.extend(k.alias.map(|a| format!("key {a}")));
            }
            for (_, opt) in options(kind) {
                names.push(format!("--{}", opt.long));
                names.extend(opt.alias.map(|a| format!("--{a}")));
                names.extend(opt.short.map(|s| format!("-{s}")));
            }
            for (long, short) in CLAP_OPTIONS {
                names.push(format!("--{long}"));
                names.push(format!("-{short}"));
            }
            for a in actions(kind) {
                names.push(format!("action {}", a.name));
            }
            let count = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), count, "{kind:?}: {names:?}");
        }
    }

    #[test]
    fn kinds_select_keys_options_and_actions() {
        assert!(key("interval", Kind::Script).is_some());
        assert!(key("interval", Kind::Base).is_none());
        assert!(key("pid_file", Kind::Base).is_some());
        assert!(options(Kind::Base).all(|(_, o)| o.long != "pid-file"));
        assert!(options(Kind::Daemon).any(|(_, o)| o.long == "pid-file"));
        assert!(key("stop_timeout", Kind::Daemon).is_some_and(|k| k.option.is_none()));
        assert!(actions(Kind::Base).all(|a| !a.name.starts_with("signal-")));
        assert_eq!(actions(Kind::Daemon).count(), ACTIONS.len());
        let paralel = key("paralel", Kind::Daemon).unwrap();
        assert!(paralel.has_long("parallel") && paralel.has_long("paralel"));
        assert!(KEYS.iter().all(|k| k.key != CORE_KEY));
    }

    #[test]
    fn conflicting_keys_exist_in_the_same_kinds() {
        for k in KEYS {
            if let Some(other) = k.conflicts {
                let other = KEYS.iter().find(|o| o.key == other).expect(other);
                assert!(other.option.is_some(), "{}", other.key);
                assert!(
                    other.kinds == k.kinds || other.kinds == Kinds::All,
                    "{}",
                    k.key
                );
            }
        }
    }

    #[test]
    fn signal_events() {
        assert_eq!(signal_event("SIGHUP"), "signal_hup");
        assert_eq!(signal_event("SIGWINCH"), "signal_winch");
        assert_eq!(signal_event("SIGPOLL"), "signal_io");
        assert_eq!(signal_event("SIGINT"), "stop");
    }

    #[test]
    fn umask_texts_are_octal() {
        for (text, mask) in [
            ("0o002", 0o002),
            ("002", 0o002),
            ("0002", 0o002),
            ("0O027", 0o027),
            ("22", 0o022),
            (" 0o777 ", 0o777),
            ("0", 0),
        ] {
            assert_eq!(umask_from_text(text), Some(mask), "{text}");
        }
        for bad in ["", "0o", "0o8", "abc", "1000", "-1", "0x1f", "999"] {
            assert_eq!(umask_from_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn umask_numbers_are_the_mask_itself() {
        assert_eq!(umask_from_number(18), Some(0o022));
        assert_eq!(umask_from_number(63), Some(0o077));
        assert_eq!(umask_from_number(0), Some(0));
        assert_eq!(umask_from_number(511), Some(0o777));
        assert_eq!(umask_from_number(512), None);
    }
}
