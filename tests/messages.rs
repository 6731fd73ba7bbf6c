//! End-to-end: the log lines pyzenkit writes, with its words and levels, so
//! log scraping written for pyzenkit keeps working, and pyzenkit's keys in
//! the daemon state.

mod support;

use nix::sys::signal::Signal;
use support::{json, signal, wait_exit, wait_for, Sandbox};

/// Asserts that every line of `wanted` is in `log`, in that order.
fn assert_in_order(log: &str, wanted: &[String]) {
    let mut from = 0;
    for line in wanted {
        match log[from..].find(line.as_str()) {
            Some(at) => from += at + line.len(),
            None => panic!("{line:?} missing (in this order) in:\n{log}"),
        }
    }
}

#[test]
fn a_daemon_logs_its_signals_and_events_as_pyzenkit_does() {
    let sb = Sandbox::new("demo_daemon");
    let log = sb.path("tmp/demo_daemon.log");
    let mut child = sb.spawn(&["--work-seconds", "0.02", "--log-level", "debug"]);
    wait_for(&log, "Work unit done.");
    signal(&child, Signal::SIGUSR1);
    wait_for(&log, "Application runlog saved to file");
    signal(&child, Signal::SIGUSR2);
    wait_for(&log, "Current daemon state saved to file");
    signal(&child, Signal::SIGHUP);
    wait_for(&log, "Configuration reloaded");
    signal(&child, Signal::SIGALRM);
    wait_for(&log, "Received wakeup signal");
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);

    let text = sb.read("tmp/demo_daemon.log");
    let runlog_dir = sb.path("tmp/demo_daemon");
    let runlog_dir = runlog_dir.display();
    let state_file = sb.path("tmp/demo_daemon.state");
    let pstate_file = sb.path("tmp/demo_daemon.pstate");
    assert_in_order(
        &text,
        &[
            "INFO: Performing simple daemonization".into(),
            "INFO: Simple daemonization done".into(),
            "DEBUG: Application name is 'demo_daemon'".into(),
            "DEBUG: System paths >>>\n{".into(),
            "DEBUG: Loaded command line configurations >>>\n{".into(),
            "DEBUG: Final application configurations >>>\n{".into(),
            "DEBUG: Loaded persistent state >>>\n{".into(),
            "DEBUG: Application plugins >>>\n[".into(),
            "DEBUG: Daemon component list >>>\n[\n    \"demo\"\n]".into(),
            "DEBUG: Registered event callbacks >>>\n{".into(),
            "DEBUG: Daemon component setup >>>".into(),
            "DEBUG: >>> DemoComponent >>>".into(),
            "WARNING: Daemon startup initiated".into(),
            "INFO: Received signal 'SIGUSR1' (10)".into(),
            "INFO: Handling event for signal 'SIGUSR1'".into(),
            format!("INFO: Creating application runlog directory '{runlog_dir}'"),
            format!("INFO: Application runlog saved to file '{runlog_dir}/"),
            "INFO: Received signal 'SIGUSR2' (12)".into(),
            "INFO: Handling event for signal 'SIGUSR2'".into(),
            format!(
                "INFO: Current daemon state saved to file '{}'",
                state_file.display()
            ),
            "WARNING: Received signal 'SIGHUP' (1)".into(),
            "WARNING: Handling event for signal 'SIGHUP'".into(),
            "INFO: Received wakeup signal (14)".into(),
            "WARNING: Received signal 'SIGINT' (2)".into(),
            "WARNING: Gracefull daemon shutdown initiated".into(),
            "INFO: Daemon received interruption signal, will not wait for time scheduled events."
                .into(),
            format!(
                "INFO: Application persistent state saved to file '{}'",
                pstate_file.display()
            ),
            format!("INFO: Application runlog saved to file '{runlog_dir}/"),
        ],
    );
    // the directory is made once
    assert_eq!(
        text.matches("Creating application runlog directory")
            .count(),
        1
    );

    let state = json(&sb.read("tmp/demo_daemon.state"));
    assert_eq!(state["callbacks"], state["handlers"], "{state}");
    assert_eq!(state["callbacks"]["default"][0], "demo.work", "{state}");
    assert_eq!(state["component_list"], serde_json::json!(["demo"]));
    let by_type = &state["components"]["DemoComponent"];
    assert!(
        by_type["statistics"]["cnt_default"].as_u64().unwrap() >= 1,
        "{state}"
    );
    assert_eq!(
        by_type["statistics"]["cnt_another"].as_u64(),
        by_type["statistics"]["cnt_default"].as_u64().map(|n| n * 5),
        "{state}"
    );
    assert!(by_type["units"].as_u64().unwrap() >= 1, "{state}");
    // zenkit's own keys stay
    assert!(state["components"]["demo"]["units"].as_u64().unwrap() >= 1);
    assert!(state["statistics"]["demo"].is_object(), "{state}");
    assert!(state.get("queue").is_some(), "{state}");

    // the runlogs' statistics name the components only
    let statistics = &state["runlog"]["statistics"]["components"];
    assert!(statistics.get("daemon").is_none(), "{state}");
    assert!(statistics["demo"]["cnt_default"].as_u64().unwrap() >= 1);
    for file in sb.runlogs("tmp/demo_daemon") {
        let runlog = json(&std::fs::read_to_string(&file).unwrap());
        let components = &runlog["statistics"]["components"];
        assert!(components.get("daemon").is_none(), "{runlog}");
        assert!(components["demo"].is_object(), "{runlog}");
    }
}

#[test]
fn a_daemon_logs_its_waits_and_sigterm_as_pyzenkit_does() {
    let sb = Sandbox::new("watch");
    sb.write("app.log", "");
    // the first timed event, 1.5 s ahead: a wait worth a line
    let conf = serde_json::json!({"file": sb.path("app.log"), "stats_interval": 1.5});
    sb.write("etc/watch.conf", &conf.to_string());
    std::fs::create_dir_all(sb.path("etc/watch")).unwrap();
    let log = sb.path("var/log/watch.log");
    let mut child = sb.spawn(&["--no-daemon"]);
    wait_for(
        &log,
        "INFO: Waiting for '2' seconds until next scheduled event",
    );
    signal(&child, Signal::SIGTERM);
    assert_eq!(wait_exit(&mut child), 0);
    let text = sb.read("var/log/watch.log");
    assert_in_order(
        &text,
        &[
            "WARNING: Daemon startup initiated".into(),
            "INFO: Waiting for '2' seconds until next scheduled event".into(),
            "WARNING: Received signal 'SIGTERM' (15)".into(),
            "INFO: Daemon processing termination forced by signal.".into(),
        ],
    );
}

#[test]
fn a_detached_daemon_logs_its_full_daemonization() {
    let sb = Sandbox::new("watch");
    sb.write("app.log", "");
    let conf = serde_json::json!({"file": sb.path("app.log"), "stats_interval": 0.5});
    sb.write("etc/watch.conf", &conf.to_string());
    std::fs::create_dir_all(sb.path("etc/watch")).unwrap();
    let run = sb.run(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    let log = sb.path("var/log/watch.log");
    wait_for(&log, "Daemon startup initiated");
    let text = sb.read("var/log/watch.log");
    assert_in_order(
        &text,
        &[
            "INFO: Performing full daemonization".into(),
            "INFO: Full daemonization done".into(),
            "WARNING: Daemon startup initiated".into(),
        ],
    );
    assert!(!text.contains("simple daemonization"), "{text}");
    // waits shorter than a second (for the statistics) are no waits worth
    // a line
    assert!(!text.contains("Waiting for"), "{text}");
    let pid: i32 = sb.read("var/run/watch.pid").trim().parse().unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGINT).unwrap();
    wait_for(&log, "Application runlog saved to file");
    // the PID file goes last
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sb.path("var/run/watch.pid").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the daemon did not stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn an_application_logs_its_setup_and_teardown_as_pyzenkit_does() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--log-level", "debug"]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = sb.read("tmp/demo_app.log");
    let runlog_dir = sb.path("tmp/demo_app");
    let runlog_dir = runlog_dir.display();
    assert_in_order(
        &text,
        &[
            "DEBUG: Application name is 'demo_app'".into(),
            "DEBUG: System paths >>>\n{".into(),
            "DEBUG: Loaded directory configurations >>>\n{".into(),
            "DEBUG: Loaded file configurations >>>\n{".into(),
            "DEBUG: Loaded command line configurations >>>\n{".into(),
            "DEBUG: Final application configurations >>>\n{".into(),
            "DEBUG: Loaded persistent state >>>\n{".into(),
            "DEBUG: Application plugins >>>\n[".into(),
            "INFO: Application runtime: '".into(),
            format!(
                "INFO: Application persistent state saved to file '{}'",
                sb.path("tmp/demo_app.pstate").display()
            ),
            format!("INFO: Creating application runlog directory '{runlog_dir}'"),
            format!("INFO: Application runlog saved to file '{runlog_dir}/"),
        ],
    );
    // the second run finds the directory
    assert_eq!(sb.run(&[]).code, 0);
    let text = sb.read("tmp/demo_app.log");
    assert_eq!(
        text.matches("Creating application runlog directory")
            .count(),
        1
    );
    assert_eq!(text.matches("Application runlog saved to file").count(), 2);
}

#[test]
fn a_script_logs_its_command_and_teardown_as_pyzenkit_does() {
    let sb = Sandbox::new("demo_script");
    let run = sb.run(&["--regular"]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = sb.read("tmp/demo_script.log");
    let runlog_dir = sb.path("tmp/demo_script");
    assert_in_order(
        &text,
        &[
            "INFO: Executing script command 'default'".into(),
            format!(
                "INFO: Application persistent state saved to file '{}'",
                sb.path("tmp/demo_script.pstate").display()
            ),
            format!(
                "INFO: Application runlog saved to file '{}/",
                runlog_dir.display()
            ),
        ],
    );
}
