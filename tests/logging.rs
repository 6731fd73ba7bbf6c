//! End-to-end: logging of the built `logdemo` example (whose module `store`
//! stands for a library crate logging with the `log` facade), of
//! `demo_script` and of `demo_daemon`: records of the `log` crate, levels,
//! filter directives from the option, the environment and files, JSON lines,
//! journald, an added layer, and directives re-read on SIGHUP.

mod support;

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};

use nix::sys::signal::Signal;
use support::{json, signal, wait_exit, wait_for, Run, Sandbox};

const LOG: &str = "tmp/logdemo.log";

/// The lines of `text` after their timestamp (`YYYY-mm-dd HH:MM:SS,mmm `).
fn untimed(text: &str) -> Vec<&str> {
    text.lines()
        .map(|line| line.get(24..).unwrap_or(line))
        .collect()
}

/// The lines of the log file after the timestamp and `<name> [<pid>] `.
fn file_lines(sb: &Sandbox) -> Vec<String> {
    sb.read(LOG)
        .lines()
        .map(|line| match line.split_once("] ") {
            Some((_, rest)) => rest.to_string(),
            None => line.to_string(),
        })
        .collect()
}

fn has(lines: &[impl AsRef<str>], wanted: &str) -> bool {
    lines.iter().any(|l| l.as_ref() == wanted)
}

/// Runs logdemo with `RUST_LOG` set to `rust_log` (or unset).
fn run_with_rust_log(sb: &Sandbox, rust_log: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = sb.command(args);
    match rust_log {
        Some(value) => cmd.env("RUST_LOG", value),
        None => cmd.env_remove("RUST_LOG"),
    };
    cmd.output().expect("logdemo starts").into()
}

#[test]
fn a_log_warning_of_a_library_reaches_console_and_file() {
    let sb = Sandbox::new("logdemo");
    let run = run_with_rust_log(&sb, None, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let console = untimed(&run.stderr);
    assert!(has(&console, "WARNING: store main is 90% full"), "{run:?}");
    assert!(has(&console, "INFO: store main holds 3 items"), "{run:?}");
    assert!(!run.stderr.contains("DEBUG"), "{run:?}");
    let pid_line = sb
        .read(LOG)
        .lines()
        .find(|l| l.ends_with("WARNING: store main is 90% full"))
        .map(str::to_string);
    let pid_line = pid_line.unwrap_or_else(|| panic!("not in the file:\n{}", sb.read(LOG)));
    assert!(pid_line.contains(" logdemo ["), "{pid_line}");
    assert!(has(
        &file_lines(&sb),
        "INFO: store opened items=3 store=main"
    ));
}

#[test]
fn trace_and_warn_levels() {
    let sb = Sandbox::new("logdemo");
    let run = run_with_rust_log(&sb, None, &["--log-level", "trace"]);
    assert_eq!(run.code, 0, "{run:?}");
    let console = untimed(&run.stderr);
    assert!(has(&console, "TRACE: looking for store main"), "{run:?}");
    assert!(has(&console, "TRACE: about to open store=main"), "{run:?}");
    assert!(has(&console, "DEBUG: opening store main"), "{run:?}");

    let run = run_with_rust_log(&sb, None, &["--log-level", "warn"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        untimed(&run.stderr),
        ["WARNING: store main is 90% full"],
        "{run:?}"
    );

    // the Rust spelling in a file too
    sb.write("tmp/logdemo.conf", r#"{"log_level": "warn"}"#);
    let run = run_with_rust_log(&sb, None, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(untimed(&run.stderr), ["WARNING: store main is 90% full"]);
}

#[test]
fn rust_log_and_log_filter_change_what_is_logged() {
    let sb = Sandbox::new("logdemo");
    let run = run_with_rust_log(&sb, Some("logdemo::store=debug"), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let console = untimed(&run.stderr);
    assert!(has(&console, "DEBUG: opening store main"), "{run:?}");
    assert!(!has(&console, "TRACE: looking for store main"), "{run:?}");
    // the application's own debug line stays below the level
    assert!(!has(&console, "DEBUG: opening store=main"), "{run:?}");
    assert!(has(&file_lines(&sb), "DEBUG: opening store main"));

    // a bare level sets the default; a target can be turned off
    let run = run_with_rust_log(
        &sb,
        None,
        &["--log-filter", "trace,logdemo::store=off,zenkit=warn"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let console = untimed(&run.stderr);
    assert!(has(&console, "TRACE: about to open store=main"), "{run:?}");
    assert!(!run.stderr.contains("store main"), "{run:?}");
    assert!(!run.stderr.contains("Application runtime"), "{run:?}");

    // precedence: the file's key < RUST_LOG < --log-filter
    sb.write(
        "tmp/logdemo.conf",
        r#"{"log_filter": "logdemo::store=error"}"#,
    );
    let run = run_with_rust_log(&sb, None, &[]);
    assert!(!run.stderr.contains("store main is 90% full"), "{run:?}");
    let run = run_with_rust_log(&sb, Some("logdemo::store=debug"), &[]);
    assert!(run.stderr.contains("DEBUG: opening store main"), "{run:?}");
    // the configuration in force says where the directives came from
    let run = run_with_rust_log(
        &sb,
        Some("logdemo::store=debug"),
        &["--action", "config-view", "-v"],
    );
    assert!(
        run.stdout
            .contains("log_filter: logdemo::store=debug  [environment variable RUST_LOG]"),
        "{run:?}"
    );
    let run = run_with_rust_log(
        &sb,
        Some("logdemo::store=debug"),
        &["--log-filter", "logdemo::store=trace"],
    );
    assert!(
        run.stderr.contains("TRACE: looking for store main"),
        "{run:?}"
    );
}

#[test]
fn a_bad_directive_is_one_line_saying_where() {
    let sb = Sandbox::new("logdemo");
    let run = run_with_rust_log(&sb, None, &["--log-filter", "info,db=loud"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "option --log-filter: invalid log filter directive 'db=loud' (character 6): unknown level 'loud'"
        ),
        "{run:?}"
    );

    let run = run_with_rust_log(&sb, Some("db[span]=debug"), &[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "environment variable RUST_LOG: configuration key 'log_filter': invalid log filter directive 'db[span]=debug'"
        ),
        "{run:?}"
    );
    // --log-filter replaces RUST_LOG, which is then not read
    let run = run_with_rust_log(&sb, Some("db[span]=debug"), &["--log-filter", "info"]);
    assert_eq!(run.code, 0, "{run:?}");

    let conf = sb.write("tmp/logdemo.conf", "{\n  \"log_filter\": \"x=nope\"\n}\n");
    let run = run_with_rust_log(&sb, None, &[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    let expected = format!(
        "{}:2:17: configuration key 'log_filter': invalid log filter directive 'x=nope' (character 1)",
        conf.display()
    );
    assert!(run.stderr.contains(&expected), "{run:?}");

    sb.write("tmp/logdemo.conf", r#"{"log_format": "xml"}"#);
    let run = run_with_rust_log(&sb, None, &[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        run.stderr.contains(
            "configuration key 'log_format': invalid log format 'xml': expected one of text, json"
        ),
        "{run:?}"
    );
}

#[test]
fn json_lines_parse_on_console_and_in_the_file() {
    let sb = Sandbox::new("logdemo");
    let run = run_with_rust_log(&sb, None, &["--log-format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let console: Vec<serde_json::Value> = run.stderr.lines().map(json).collect();
    let warning = console
        .iter()
        .find(|v| v["message"] == "store main is 90% full")
        .unwrap_or_else(|| panic!("{run:?}"));
    assert_eq!(warning["level"], "WARNING");
    assert_eq!(warning["target"], "logdemo::store");
    assert!(warning.get("pid").is_none(), "{warning}");
    let opened = console
        .iter()
        .find(|v| v["message"] == "store opened")
        .unwrap_or_else(|| panic!("{run:?}"));
    assert_eq!(opened["items"], 3);
    assert_eq!(opened["store"], "main");
    assert_eq!(opened["target"], "logdemo");

    let file: Vec<serde_json::Value> = sb.read(LOG).lines().map(json).collect();
    let warning = file
        .iter()
        .find(|v| v["message"] == "store main is 90% full")
        .unwrap_or_else(|| panic!("{}", sb.read(LOG)));
    assert_eq!(warning["name"], "logdemo");
    assert!(warning["pid"].as_u64().is_some(), "{warning}");
    let time = warning["time"].as_str().unwrap();
    assert!(
        time.len() == 29 && time.as_bytes()[10] == b'T',
        "not RFC 3339 with milliseconds: {time}"
    );
    // every line of the run, zenkit's own included
    assert!(file.iter().any(|v| v["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Application runtime"))));
}

#[test]
fn an_added_layer_sees_the_events() {
    let sb = Sandbox::new("logdemo");
    let tap = sb.path("tap.txt");
    let run: Run = sb
        .command(&["--log-level", "error"])
        .env_remove("RUST_LOG")
        .env("LOGDEMO_TAP", &tap)
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
    let seen = std::fs::read_to_string(&tap).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    // the layer sees what zenkit's thresholds keep from the console
    assert!(
        lines.contains(&"WARN (log): store main is 90% full"),
        "{seen}"
    );
    assert!(lines.contains(&"INFO logdemo: store opened"), "{seen}");
}

#[test]
fn a_plugins_layer_sees_every_event() {
    let sb = Sandbox::new("logdemo");
    let run = run_with_rust_log(&sb, None, &["--log-level", "error"]);
    assert_eq!(run.code, 0, "{run:?}");
    let runlogs = sb.runlogs("tmp/logdemo");
    let runlog = json(&std::fs::read_to_string(runlogs.last().expect("a runlog")).unwrap());
    let census = &runlog["log_census"];
    // below zenkit's threshold too: two trace events, the store's warning
    assert_eq!(census["TRACE"], 2, "{runlog}");
    assert_eq!(census["WARN"], 1, "{runlog}");
    assert!(census["INFO"].as_u64().unwrap() >= 2, "{runlog}");
}

#[test]
fn regular_mode_keeps_the_console_at_warnings_whatever_the_directives() {
    let sb = Sandbox::new("demo_script");
    let run = run_with_rust_log(&sb, Some("debug"), &["--regular"]);
    assert_eq!(run.code, 0, "{run:?}");
    // the console of --regular stays at warnings: no info line on it
    assert_eq!(run.stderr, "", "{run:?}");
    let log = sb.read("tmp/demo_script.log");
    assert!(
        log.contains("INFO: Demonstration implementation of the 'default' script command"),
        "{log}"
    );
    // the file follows the directives' bare level
    std::fs::remove_file(sb.path("tmp/demo_script.log")).unwrap();
    let run = run_with_rust_log(&sb, Some("warn"), &["--regular"]);
    assert_eq!(run.code, 0, "{run:?}");
    let log = std::fs::read_to_string(sb.path("tmp/demo_script.log")).unwrap_or_default();
    assert!(!log.contains("INFO"), "{log}");
}

#[test]
fn sighup_rereads_the_directives() {
    let sb = Sandbox::new("demo_daemon");
    let log = sb.path("tmp/demo_daemon.log");
    let mut child = sb.spawn(&["--work-seconds", "0.02"]);
    let text = wait_for(&log, "INFO: Working...");
    assert!(!text.contains("DEBUG: Working..."), "{text}");
    sb.write(
        "tmp/demo_daemon.conf",
        r#"{"log_filter": "demo_daemon=debug"}"#,
    );
    signal(&child, Signal::SIGHUP);
    wait_for(&log, "Configuration reloaded");
    wait_for(&log, "DEBUG: Working...");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
}

/// A pipe's write end and the `JOURNAL_STREAM` value naming it, and its
/// read end.
fn journal_stream() -> (OwnedFd, String, OwnedFd) {
    let (read, write) = nix::unistd::pipe().unwrap();
    let stat = nix::sys::stat::fstat(write.as_fd()).unwrap();
    (write, format!("{}:{}", stat.st_dev, stat.st_ino), read)
}

/// Runs logdemo as root in a private mount namespace in which `dir` is
/// `/run/systemd/journal` (when `journal` is true; else there is no such
/// directory), with stderr a pipe that `JOURNAL_STREAM` names when `stream`
/// is true; returns the exit code, stderr and the datagrams the socket
/// `dir/socket` received.
fn run_in_namespace(
    sb: &Sandbox,
    journal: bool,
    stream: bool,
    args: &[&str],
) -> (i32, String, Vec<Vec<(String, String)>>) {
    let dir = tempfile::tempdir().unwrap();
    let server = UnixDatagram::bind(dir.path().join("socket")).unwrap();
    let (write, value, read) = journal_stream();
    let script = if journal {
        "mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal \
         && mount --bind \"$JOURNAL_DIR\" /run/systemd/journal && exec \"$@\""
    } else {
        "mount -t tmpfs tmpfs /run && exec \"$@\""
    };
    let mut cmd = Command::new("unshare");
    cmd.args([
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        script,
        "sh",
    ])
    .arg(support::example("logdemo"))
    .args(args)
    .current_dir(sb.root())
    .env("APP_ROOT_PATH", sb.root())
    .env("JOURNAL_DIR", dir.path())
    .env_remove("RUST_LOG")
    .stdout(Stdio::null())
    .stderr(Stdio::from(write));
    if stream {
        cmd.env("JOURNAL_STREAM", &value);
    } else {
        cmd.env_remove("JOURNAL_STREAM");
    }
    let mut child = cmd.spawn().expect("unshare starts");
    drop(cmd);
    let code = wait_exit(&mut child);
    let stderr = std::io::read_to_string(std::fs::File::from(read)).unwrap();
    server.set_nonblocking(true).unwrap();
    let mut entries = Vec::new();
    let mut buf = vec![0; 65536];
    while let Ok(n) = server.recv(&mut buf) {
        entries.push(fields(&buf[..n]));
    }
    (code, stderr, entries)
}

/// [`run_in_namespace`] with the stand-in journal.
fn run_under_journal(
    sb: &Sandbox,
    stream: bool,
    args: &[&str],
) -> (i32, String, Vec<Vec<(String, String)>>) {
    run_in_namespace(sb, true, stream, args)
}

/// The fields of a datagram of journald's native protocol.
fn fields(datagram: &[u8]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut rest = datagram;
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(&rest[..end]).into_owned();
        match line.split_once('=') {
            Some((name, value)) => {
                fields.push((name.to_string(), value.to_string()));
                rest = &rest[end + 1..];
            }
            None => {
                let len = u64::from_le_bytes(rest[end + 1..end + 9].try_into().unwrap()) as usize;
                let value = String::from_utf8_lossy(&rest[end + 9..end + 9 + len]).into_owned();
                fields.push((line, value));
                rest = &rest[end + 10 + len..];
            }
        }
    }
    fields
}

fn field<'a>(entry: &'a [(String, String)], name: &str) -> Option<&'a str> {
    entry
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn under_systemd_the_console_log_goes_to_the_journal() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the journal test needs root for a private mount namespace"
    );
    let sb = Sandbox::new("logdemo");
    let (code, stderr, entries) = run_under_journal(&sb, true, &["--items", "0"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "the console log went to stderr");
    let by_message = |message: &str| {
        entries
            .iter()
            .find(|e| field(e, "MESSAGE") == Some(message))
            .unwrap_or_else(|| panic!("no entry {message:?} in {entries:?}"))
    };
    let warning = by_message("store main is 90% full");
    assert_eq!(field(warning, "PRIORITY"), Some("4"));
    assert_eq!(field(warning, "SYSLOG_IDENTIFIER"), Some("logdemo"));
    assert_eq!(field(warning, "TARGET"), Some("logdemo::store"));
    assert_eq!(
        field(by_message("store main is empty"), "PRIORITY"),
        Some("3")
    );
    let info = by_message("store opened items=0 store=main");
    assert_eq!(field(info, "PRIORITY"), Some("6"));
    assert_eq!(field(info, "ITEMS"), Some("0"));
    assert_eq!(field(info, "STORE"), Some("main"));
    // the log file keeps its lines
    assert!(sb.read(LOG).contains("WARNING: store main is 90% full"));

    // a critical error is `crit`
    let critical = by_message("nothing to serve from store main");
    assert_eq!(field(critical, "PRIORITY"), Some("2"));

    // without JOURNAL_STREAM naming stderr, or with log_journal false, the
    // console is stderr; log_journal true sends it to the journal anyway
    let (_, stderr, entries) = run_under_journal(&sb, false, &[]);
    assert!(
        stderr.contains("WARNING: store main is 90% full"),
        "{stderr}"
    );
    assert!(entries.is_empty(), "{entries:?}");
    sb.write("tmp/logdemo.conf", r#"{"log_journal": false}"#);
    let (_, stderr, entries) = run_under_journal(&sb, true, &[]);
    assert!(
        stderr.contains("WARNING: store main is 90% full"),
        "{stderr}"
    );
    assert!(entries.is_empty(), "{entries:?}");
    sb.write("tmp/logdemo.conf", r#"{"log_journal": true}"#);
    let (_, stderr, entries) = run_under_journal(&sb, false, &[]);
    assert_eq!(stderr, "");
    assert!(!entries.is_empty());

    // log_journal true without a journal: an error naming the socket
    let (code, stderr, _) = run_in_namespace(&sb, false, false, &[]);
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot send the log to journald at /run/systemd/journal/socket: "),
        "{stderr}"
    );
}
