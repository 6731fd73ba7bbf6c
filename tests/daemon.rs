//! End-to-end: daemons in the foreground, on the built `demo_daemon` and
//! `watch` examples, driven by real signals.

mod support;

use std::io::Write;

use nix::sys::signal::Signal;
use support::{json, signal, wait_exit, wait_for, Running, Sandbox};

/// Starts demo_daemon with units of work of `work` seconds.
fn start_demo(sb: &Sandbox, work: &str) -> Running {
    let child = sb.spawn(&["--work-seconds", work]);
    wait_for(&sb.path("tmp/demo_daemon.log"), "Work unit done.");
    child
}

fn final_runlog(sb: &Sandbox) -> serde_json::Value {
    let files = sb.runlogs("tmp/demo_daemon");
    let last = files.last().expect("a runlog");
    json(&std::fs::read_to_string(last).unwrap())
}

/// The units of work the demo's statistics in a runlog count.
fn demo_units(runlog: &serde_json::Value) -> u64 {
    runlog["statistics"]["components"]["demo"]["cnt_default"]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn sigint_stops_gracefully_and_saves_everything() {
    let sb = Sandbox::new("demo_daemon");
    let mut child = start_demo(&sb, "0.02");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let log = sb.read("tmp/demo_daemon.log");
    for line in [
        "WARNING: Performing component startup...",
        "WARNING: Gracefull daemon shutdown initiated",
        "WARNING: Performing component shutdown...",
    ] {
        assert!(log.contains(line), "{line} missing:\n{log}");
    }
    let runlog = final_runlog(&sb);
    assert_eq!(runlog["result"], "success", "{runlog}");
    let counters = &runlog["statistics"]["components"]["demo"];
    let units = counters["cnt_default"].as_u64().unwrap();
    assert!(units >= 1, "{runlog}");
    assert_eq!(counters["cnt_another"].as_u64().unwrap(), units * 5);
    assert!(sb.path("tmp/demo_daemon.pstate").exists());
}

#[test]
fn signals_a_parent_blocked_or_ignored_still_arrive() {
    use nix::sys::signal::{
        sigaction, sigprocmask, SaFlags, SigAction, SigHandler, SigSet, SigmaskHow,
    };
    use std::os::unix::process::CommandExt;
    let sb = Sandbox::new("demo_daemon");
    let mut command = sb.command(&["--work-seconds", "0.01"]);
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: between fork and exec the closure only calls sigprocmask and
    // sigaction, which are async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            let mut blocked = SigSet::empty();
            for sig in [Signal::SIGTERM, Signal::SIGHUP, Signal::SIGUSR1] {
                blocked.add(sig);
            }
            sigprocmask(SigmaskHow::SIG_BLOCK, Some(&blocked), None)?;
            let ignore = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
            sigaction(Signal::SIGUSR2, &ignore)?;
            Ok(())
        });
    }
    let mut child = Running::from(command.spawn().unwrap());
    let log = sb.path("tmp/demo_daemon.log");
    wait_for(&log, "Work unit done.");
    signal(&child, Signal::SIGUSR1);
    wait_for(&log, "Application runlog saved to file");
    signal(&child, Signal::SIGUSR2);
    wait_for(&log, "Current daemon state saved to file");
    signal(&child, Signal::SIGTERM);
    assert_eq!(wait_exit(&mut child), 0);
}

#[test]
fn the_third_sigint_leaves_at_once() {
    let sb = Sandbox::new("demo_daemon");
    let mut child = sb.spawn(&["--work-seconds", "1"]);
    wait_for(&sb.path("tmp/demo_daemon.log"), "INFO: Working...");
    // apart, as a person pressing Ctrl-C: signals sent at once may merge
    for _ in 0..3 {
        signal(&child, Signal::SIGINT);
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    assert_eq!(wait_exit(&mut child), 0);
    let log = sb.read("tmp/demo_daemon.log");
    assert!(
        log.contains("Daemon processing termination forced by repeated interruption signals."),
        "{log}"
    );
    assert!(!log.contains("Performing component shutdown"), "{log}");
    assert_eq!(sb.runlogs("tmp/demo_daemon").len(), 1);
}

#[test]
fn sigterm_leaves_the_loop_and_teardown_runs() {
    let sb = Sandbox::new("demo_daemon");
    let mut child = start_demo(&sb, "0.02");
    signal(&child, Signal::SIGTERM);
    assert_eq!(wait_exit(&mut child), 0);
    assert!(sb
        .read("tmp/demo_daemon.log")
        .contains("WARNING: Received signal 'SIGTERM' (15)"));
    assert!(demo_units(&final_runlog(&sb)) >= 1);
}

#[test]
fn sigusr1_saves_the_runlog_and_sigusr2_the_state() {
    let sb = Sandbox::new("demo_daemon");
    let mut child = start_demo(&sb, "0.02");
    assert!(sb.runlogs("tmp/demo_daemon").is_empty());
    signal(&child, Signal::SIGUSR1);
    wait_for(
        &sb.path("tmp/demo_daemon.log"),
        "Application runlog saved to file",
    );
    let runlog = final_runlog(&sb);
    assert!(demo_units(&runlog) >= 1, "{runlog}");

    signal(&child, Signal::SIGUSR2);
    wait_for(
        &sb.path("tmp/demo_daemon.log"),
        "Current daemon state saved to file",
    );
    let state = json(&sb.read("tmp/demo_daemon.state"));
    // it holds the configuration and the persistent state: the owner's only
    let mode = std::fs::metadata(sb.path("tmp/demo_daemon.state")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    for key in [
        "time",
        "rc",
        "config",
        "paths",
        "pstate",
        "handlers",
        "components",
        "runlog",
    ] {
        assert!(state.get(key).is_some(), "{key} missing in {state}");
    }
    assert!(
        state["components"]["demo"]["units"].as_u64().unwrap() >= 1,
        "{state}"
    );
    let default_chain = state["handlers"]["default"].as_array().unwrap();
    assert_eq!(default_chain[0], "demo.work", "{state}");
    assert_eq!(state["config"]["work_seconds"], 0.02);
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
}

#[test]
fn a_burst_of_signals_neither_crashes_nor_loses_the_runlog() {
    let sb = Sandbox::new("demo_daemon");
    let mut child = start_demo(&sb, "0.001");
    let mixed = [
        Signal::SIGUSR1,
        Signal::SIGUSR2,
        Signal::SIGHUP,
        Signal::SIGALRM,
    ];
    for i in 0..100 {
        signal(&child, mixed[i % mixed.len()]);
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "the daemon died");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let runlog = final_runlog(&sb);
    assert_eq!(runlog["result"], "success", "{runlog}");
    assert!(!sb.read("tmp/demo_daemon.log").contains("panic"));
    json(&sb.read("tmp/demo_daemon.state"));
}

#[test]
fn an_event_without_handler_is_registered_as_an_error() {
    let sb = Sandbox::new("demo_daemon");
    sb.write(
        "tmp/demo_daemon.conf",
        r#"{"extra_events": ["nobody-listens"]}"#,
    );
    let mut child = start_demo(&sb, "0.02");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 1);
    let runlog = final_runlog(&sb);
    assert_eq!(runlog["result"], "failure");
    assert_eq!(
        runlog["errors"],
        serde_json::json!(["event 'nobody-listens' has no handler"])
    );
}

/// A watch sandbox: the followed file, the configuration, a running daemon.
fn start_watch(sb: &Sandbox, pattern: &str) -> Running {
    sb.write("app.log", "old line with ERROR before the start\n");
    write_watch_config(sb, pattern);
    std::fs::create_dir_all(sb.path("etc/watch")).unwrap();
    let child = sb.spawn(&["--no-daemon"]);
    wait_for(&sb.path("var/log/watch.log"), "Daemon startup initiated");
    child
}

fn write_watch_config(sb: &Sandbox, pattern: &str) {
    let conf = serde_json::json!({
        "file": sb.path("app.log"),
        "pattern": pattern,
    });
    sb.write("etc/watch.conf", &conf.to_string());
}

fn append(sb: &Sandbox, lines: &[&str]) {
    append_to(sb, "app.log", lines);
}

/// Appends lines to a file below the root, creating it when missing.
fn append_to(sb: &Sandbox, rel: &str, lines: &[&str]) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(sb.path(rel))
        .unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
}

/// Where each of `needles` is in `log`, which must hold each once.
fn positions(log: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|needle| {
            assert_eq!(log.matches(needle).count(), 1, "{needle}:\n{log}");
            log.find(needle).unwrap()
        })
        .collect()
}

fn watch_statistics(sb: &Sandbox) -> serde_json::Value {
    let files = sb.runlogs("var/run/watch");
    let runlog = json(&std::fs::read_to_string(files.last().unwrap()).unwrap());
    runlog["statistics"]["components"].clone()
}

#[test]
fn handler_pipeline_runs_first_handlers_first_and_stops_the_chain() {
    let sb = Sandbox::new("watch");
    let mut child = start_watch(&sb, "ERROR");
    append(
        &sb,
        &[
            "one ERROR",
            "two fine",
            "three ERROR",
            "four fine",
            "five fine",
        ],
    );
    wait_for(
        &sb.path("var/log/watch.log"),
        "Match for 'ERROR': three ERROR",
    );
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let stats = watch_statistics(&sb);
    // audit runs first although registered last, and sees every line
    assert_eq!(stats["audit"]["lines"], 5, "{stats}");
    // the filter stopped the chain for the three lines without the pattern
    assert_eq!(stats["filter"]["passed"], 2, "{stats}");
    assert_eq!(stats["alerts"]["matches"], 2, "{stats}");
    // the line present before the start is not counted
    assert!(!sb.read("var/log/watch.log").contains("before the start"));
}

#[test]
fn sighup_reloads_a_good_configuration_and_keeps_the_old_on_a_bad_one() {
    let sb = Sandbox::new("watch");
    let mut child = start_watch(&sb, "ERROR");
    append(&sb, &["an ERROR here"]);
    wait_for(
        &sb.path("var/log/watch.log"),
        "Match for 'ERROR': an ERROR here",
    );

    write_watch_config(&sb, "WARN");
    signal(&child, Signal::SIGHUP);
    wait_for(&sb.path("var/log/watch.log"), "Counting lines with 'WARN'");
    append(&sb, &["an ERROR now ignored", "a WARN counted"]);
    wait_for(
        &sb.path("var/log/watch.log"),
        "Match for 'WARN': a WARN counted",
    );

    sb.write("etc/watch.conf", "{\"pattern\": ");
    signal(&child, Signal::SIGHUP);
    let log = wait_for(
        &sb.path("var/log/watch.log"),
        "Still counting lines with 'WARN'",
    );
    assert!(log.contains("Configuration reload failed"), "{log}");
    assert!(log.contains("watch.conf:1:13: malformed JSON"), "{log}");

    // a configuration the tail component refuses changes nothing either
    let refused = serde_json::json!({
        "file": "",
        "pattern": "INFO",
    });
    sb.write("etc/watch.conf", &refused.to_string());
    signal(&child, Signal::SIGHUP);
    let log = wait_for(&sb.path("var/log/watch.log"), "no file to follow");
    assert!(
        log.contains("component 'tail': no file to follow; pass --file PATH"),
        "{log}"
    );
    assert_eq!(
        log.matches("Still counting lines with 'WARN'").count(),
        2,
        "{log}"
    );
    append(&sb, &["another WARN"]);
    wait_for(
        &sb.path("var/log/watch.log"),
        "Match for 'WARN': another WARN",
    );
    assert!(child.try_wait().unwrap().is_none(), "the daemon died");

    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let stats = watch_statistics(&sb);
    assert_eq!(stats["alerts"]["matches"], 3, "{stats}");
    assert!(!sb
        .read("var/log/watch.log")
        .contains("an ERROR now ignored"));
}

#[test]
fn a_reload_a_plugin_refuses_changes_nothing() {
    let sb = Sandbox::new("watch");
    let mut child = start_watch(&sb, "ERROR");
    // the pattern is fine, the exporter's directory is not a path
    let conf = serde_json::json!({
        "file": sb.path("app.log"),
        "pattern": "WARN",
        "prometheus_dir": 5,
    });
    sb.write("etc/watch.conf", &conf.to_string());
    signal(&child, Signal::SIGHUP);
    let log = wait_for(
        &sb.path("var/log/watch.log"),
        "Still counting lines with 'ERROR'",
    );
    assert!(
        log.contains("Configuration reload failed, the old configuration stays in force: plugin 'prometheus': "),
        "{log}"
    );
    assert!(log.contains("configuration key 'prometheus_dir'"), "{log}");

    signal(&child, Signal::SIGUSR2);
    let state = json(&wait_for(&sb.path("var/run/watch.state"), "\"pattern\""));
    assert_eq!(state["config"]["pattern"], "ERROR", "{state}");
    assert_eq!(
        state["config"]["prometheus_dir"],
        serde_json::Value::Null,
        "{state}"
    );
    append(&sb, &["an ERROR still counted", "a WARN not"]);
    wait_for(
        &sb.path("var/log/watch.log"),
        "Match for 'ERROR': an ERROR still counted",
    );
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    assert!(!sb.read("var/log/watch.log").contains("a WARN not"));
}

#[test]
fn watch_follows_the_file_across_rotation() {
    let sb = Sandbox::new("watch");
    let mut child = start_watch(&sb, "ERROR");
    let log = sb.path("var/log/watch.log");
    append(&sb, &["ERROR 1", "ERROR 2"]);
    wait_for(&log, "ERROR 2");
    // rotated by hand: renamed; its writer keeps writing to it for a while
    std::fs::rename(sb.path("app.log"), sb.path("app.log.1")).unwrap();
    append_to(&sb, "app.log.1", &["ERROR 3 to the moved file"]);
    wait_for(&log, "Match for 'ERROR': ERROR 3 to the moved file");
    // then a new file at the path, read from its start
    append(&sb, &["ERROR 4 in the new file"]);
    wait_for(&log, "was rotated; following the new file");
    wait_for(&log, "Match for 'ERROR': ERROR 4 in the new file");
    append(&sb, &["ERROR 5", "fine"]);
    wait_for(&log, "Match for 'ERROR': ERROR 5");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let stats = watch_statistics(&sb);
    assert_eq!(stats["audit"]["lines"], 6, "{stats}");
    assert_eq!(stats["alerts"]["matches"], 5, "{stats}");
    // in the order they were written
    let text = sb.read("var/log/watch.log");
    let at = positions(
        &text,
        &[
            "ERROR 1\n",
            "ERROR 2\n",
            "ERROR 3 to the moved file\n",
            "was rotated",
            "ERROR 4 in the new file\n",
            "ERROR 5\n",
        ],
    );
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn watch_waits_for_its_file_and_follows_it_through_deletion() {
    let sb = Sandbox::new("watch");
    write_watch_config(&sb, "ERROR");
    std::fs::create_dir_all(sb.path("etc/watch")).unwrap();
    let log = sb.path("var/log/watch.log");
    let mut child = sb.spawn(&["--no-daemon"]);
    wait_for(&log, "app.log does not exist yet; waiting for it");
    wait_for(&log, "Daemon startup initiated");
    // the file appears, and is read from its start; a line written in two
    // parts is one line
    {
        let mut file = std::fs::File::create(sb.path("app.log")).unwrap();
        file.write_all(b"ERROR one\nERR").unwrap();
        wait_for(&log, "app.log appeared; following the new file");
        wait_for(&log, "Match for 'ERROR': ERROR one");
        file.write_all(b"OR two\n").unwrap();
    }
    wait_for(&log, "Match for 'ERROR': ERROR two");
    // deleted, then created again
    std::fs::remove_file(sb.path("app.log")).unwrap();
    append(&sb, &["ERROR three"]);
    wait_for(&log, "Match for 'ERROR': ERROR three");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let stats = watch_statistics(&sb);
    assert_eq!(stats["audit"]["lines"], 3, "{stats}");
    assert_eq!(stats["alerts"]["matches"], 3, "{stats}");
    let text = sb.read("var/log/watch.log");
    assert!(!text.contains("Match for 'ERROR': ERR\n"), "{text}");
}

#[test]
fn a_reload_naming_another_file_follows_that_one() {
    let sb = Sandbox::new("watch");
    let mut child = start_watch(&sb, "ERROR");
    let log = sb.path("var/log/watch.log");
    append(&sb, &["ERROR in the first file"]);
    wait_for(&log, "Match for 'ERROR': ERROR in the first file");
    sb.write("other.log", "ERROR already in the other file\n");
    let conf = serde_json::json!({"file": sb.path("other.log")});
    sb.write("etc/watch.conf", &conf.to_string());
    signal(&child, Signal::SIGHUP);
    wait_for(&log, "Counting lines with 'ERROR'");
    assert!(sb.read("var/log/watch.log").contains(&format!(
        "Following {} instead of {}",
        sb.path("other.log").display(),
        sb.path("app.log").display()
    )));
    append(&sb, &["ERROR no longer followed"]);
    append_to(&sb, "other.log", &["ERROR in the other file"]);
    wait_for(&log, "Match for 'ERROR': ERROR in the other file");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let text = sb.read("var/log/watch.log");
    assert!(!text.contains("no longer followed"), "{text}");
    assert!(!text.contains("already in the other file"), "{text}");
}

#[test]
fn statistics_and_runlog_are_written_periodically() {
    let sb = Sandbox::new("demo_daemon");
    let mut child = sb.spawn(&[
        "--work-seconds",
        "0.01",
        "--stats-interval",
        "0.2",
        "--runlog-interval",
        "0.3",
    ]);
    let log = wait_for(
        &sb.path("tmp/demo_daemon.log"),
        "Component 'demo': *** Processing statistics ***",
    );
    let block = &log[log.find("*** Processing statistics ***").unwrap()..];
    assert!(
        block.contains("cnt_default") && block.contains("cnt_another"),
        "{block}"
    );
    wait_for(
        &sb.path("tmp/demo_daemon.log"),
        "Application runlog saved to file",
    );
    let runlog = final_runlog(&sb);
    assert!(demo_units(&runlog) >= 1, "{runlog}");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
}

/// The time of a log line `YYYY-mm-dd HH:MM:SS,mmm ...`, in seconds since
/// its midnight.
fn time_of_line(line: &str) -> Option<f64> {
    let time = line.get(11..23)?;
    let (hms, millis) = time.split_once(',')?;
    let mut parts = hms.split(':').map(|p| p.parse::<f64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(h * 3600.0 + m * 60.0 + s + millis.parse::<f64>().ok()? / 1000.0)
}

/// The times of the log lines of `log` that contain `needle`, in seconds
/// since the first of them (a run across midnight counts on).
fn times_of(log: &str, needle: &str) -> Vec<f64> {
    let mut times: Vec<f64> = Vec::new();
    let mut days = 0.0;
    for time in log
        .lines()
        .filter(|l| l.contains(needle))
        .filter_map(time_of_line)
    {
        if times
            .last()
            .is_some_and(|&last| time + days < last - 43_200.0)
        {
            days += 86_400.0;
        }
        times.push(time + days);
    }
    times.iter().map(|t| t - times[0]).collect()
}

/// Waits up to `timeout` until the file at `path` holds `count` lines
/// containing `needle`; returns its text, whatever the count then.
fn wait_for_lines(
    path: &std::path::Path,
    needle: &str,
    count: usize,
    timeout: std::time::Duration,
) -> String {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().filter(|l| l.contains(needle)).count() >= count
            || std::time::Instant::now() > deadline
        {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn statistics_come_every_interval_while_one_second_handlers_re_schedule_forever() {
    let sb = Sandbox::new("demo_daemon");
    // each unit of work takes 1 s and schedules the next at once: the
    // queue always holds an immediate event
    let mut child = sb.spawn(&["--work-seconds", "1", "--stats-interval", "1"]);
    let needle = "INFO: Component 'demo': *** Processing statistics ***";
    let text = wait_for_lines(
        &sb.path("tmp/demo_daemon.log"),
        needle,
        5,
        std::time::Duration::from_secs(12),
    );
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let times = times_of(&text, needle);
    assert!(
        times.len() >= 4,
        "statistics were starved: {times:?}\n{text}"
    );
    // due 1 s after the previous, late by at most the 1 s handler running
    // then; the margin is for a loaded machine
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            (0.99..1.0 + 1.0 + 1.5).contains(&gap),
            "a gap of {gap:.3} s: {times:?}\n{text}"
        );
    }
    // and the work went on between them: the timer did not wait for an
    // idle queue
    let mut units = 0;
    let mut seen = 0;
    for line in text.lines() {
        if line.contains(needle) {
            if seen > 0 {
                assert!(
                    units >= 1,
                    "no unit of work before statistics {seen}:\n{text}"
                );
            }
            seen += 1;
            units = 0;
        } else if line.contains("INFO: Work unit done.") {
            units += 1;
        }
    }
}

#[test]
fn stop_then_terminate_after_stop_timeout_while_handlers_never_finish() {
    let sb = Sandbox::new("demo_daemon");
    let stop_timeout = 2.0;
    sb.write(
        "tmp/demo_daemon.conf",
        &serde_json::json!({ "stop_timeout": stop_timeout }).to_string(),
    );
    // 1-s units of work that go on being scheduled after the stop
    let mut child = sb.spawn(&["--work-seconds", "1", "--ignore-stop"]);
    let log = sb.path("tmp/demo_daemon.log");
    wait_for(&log, "INFO: Work unit done.");
    let sent = std::time::Instant::now();
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let waited = sent.elapsed().as_secs_f64();
    let text = sb.read("tmp/demo_daemon.log");
    let stop = "WARNING: Gracefull daemon shutdown initiated";
    let terminate = "WARNING: Forcefully terminating the application";
    let announced =
        format!("INFO: Stopping gracefully, terminating in {stop_timeout} s at the latest");
    for line in [
        stop,
        &announced,
        "WARNING: Performing component shutdown...",
        terminate,
        "INFO: Daemon processing termination forced by timeout.",
    ] {
        assert_eq!(text.matches(line).count(), 1, "{line}:\n{text}");
    }
    let line_time = |needle: &str| {
        let line = text.lines().find(|l| l.contains(needle)).unwrap();
        time_of_line(line).unwrap_or_else(|| panic!("no time in {line:?}"))
    };
    let (stopped, terminated) = (line_time(stop), line_time(terminate));
    let gap = (terminated - stopped).rem_euclid(86_400.0);
    // no sooner than stop_timeout (the log's times have milliseconds), late
    // by at most the 1 s handler running then, plus a margin for a loaded
    // machine
    assert!(
        (stop_timeout - 0.002..stop_timeout + 1.0 + 1.5).contains(&gap),
        "terminate {gap:.3} s after stop:\n{text}"
    );
    // and the process ends right after the fail-safe: the SIGINT waited
    // for the unit of work running then, the fail-safe for another
    assert!(
        waited < 1.0 + stop_timeout + 1.0 + 3.0,
        "exited {waited:.3} s after the SIGINT"
    );
    // the work went on between the stop and the fail-safe
    let after_stop = &text[text.find(stop).unwrap()..text.find(terminate).unwrap()];
    assert!(
        after_stop.matches("INFO: Work unit done.").count() >= 1,
        "no work after the stop:\n{text}"
    );
    let runlog = final_runlog(&sb);
    assert_eq!(runlog["result"], "success", "{runlog}");
}

#[test]
fn a_reload_warns_about_unknown_keys_too() {
    let sb = Sandbox::new("watch");
    let mut child = start_watch(&sb, "ERROR");
    let conf = serde_json::json!({
        "file": sb.path("app.log"),
        "patern": "WARN",
    });
    sb.write("etc/watch.conf", &conf.to_string());
    signal(&child, Signal::SIGHUP);
    let log = wait_for(
        &sb.path("var/log/watch.log"),
        "configuration key 'patern': unknown key; did you mean 'pattern'?",
    );
    assert!(log.contains("Configuration reloaded"), "{log}");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
}
