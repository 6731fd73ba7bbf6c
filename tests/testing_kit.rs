//! The testing kit as an author uses it: the `demo_script` and
//! `demo_daemon` examples tested with `zenkit::testing` alone.

use serde::Deserialize;
use serde_json::json;
use zenkit::testing::{Sandbox, Signal};

/// demo_script's persistent state, read typed.
#[derive(Deserialize)]
struct Counter {
    counter: u64,
}

/// The part of a runlog the tests read, typed.
#[derive(Deserialize)]
struct ScriptRunlog {
    command: String,
    result: String,
}

#[test]
fn a_script_runs_with_its_configuration_and_leaves_runlog_and_state() {
    let sandbox = Sandbox::new();
    // demo_script keeps all its files in tmp/
    let app = sandbox.app("demo_script").dirs("tmp", "tmp", "tmp");
    app.write_config(r#"{"command": "alternative"}"#);

    let run = app.run(&["-v"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Hello world, verbosity level 1"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("verbosity level 2"), "{run:?}");

    let runlog: ScriptRunlog = app.runlog_as();
    assert_eq!(runlog.command, "alternative");
    assert_eq!(runlog.result, "success");
    assert_eq!(
        app.runlog()["alternative"],
        json!({"result": "success", "data": 100})
    );
    assert!(app
        .log()
        .contains("Demonstration implementation of the 'alternative' script command"));
    assert_eq!(app.pstate_as::<Counter>().counter, 1);

    // the command line wins over the file; the state counts on
    assert_eq!(app.run(&["default"]).code, 0);
    assert_eq!(app.runlog()["command"], "default");
    assert_eq!(app.runlogs().len(), 2);
    assert_eq!(app.pstate()["counter"], 2);
}

#[test]
fn a_bad_option_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let run = sandbox.app("demo_script").run(&["--no-such-option"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(run.stderr.contains("--no-such-option"), "{run:?}");
}

#[test]
fn a_daemon_starts_reports_ready_dumps_its_state_and_stops() {
    let sandbox = Sandbox::new();
    // demo_daemon keeps all its files in tmp/
    let app = sandbox.app("demo_daemon").dirs("tmp", "tmp", "tmp");
    let mut daemon = app.start(&["--work-seconds", "0.01"]);
    let pid = daemon.pid();
    assert!(daemon.is_running());

    let state = daemon.dump_state();
    assert_eq!(state["component_list"], json!(["demo"]), "{state}");
    assert!(
        state["queue"].is_object() || state["queue"].is_array(),
        "{state}"
    );
    assert_eq!(state["paths"]["root"], json!(sandbox.root()), "{state}");

    // SIGUSR1 asks for the runlog to be saved while the daemon runs
    daemon.signal(Signal::SIGUSR1);
    app.wait_for_log("Application runlog saved to file");
    assert!(daemon.is_running());

    assert_eq!(daemon.stop(), 0);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} is still there"
    );
    assert!(app.log().contains("Gracefull daemon shutdown initiated"));
    assert_eq!(app.runlog()["result"], "success");
}

#[test]
fn a_daemon_left_running_is_killed_and_fails_the_test() {
    let sandbox = Sandbox::new();
    let app = sandbox.app("demo_daemon").dirs("tmp", "tmp", "tmp");
    let daemon = app.start(&["--work-seconds", "0.01"]);
    let pid = daemon.pid();
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(daemon)));
    let message = dropped.expect_err("dropping a running daemon fails");
    let message = message.downcast_ref::<String>().expect("a message");
    assert!(message.contains("still running"), "{message}");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} is still there"
    );
}

#[test]
fn a_daemon_that_cannot_start_fails_with_its_stderr() {
    let sandbox = Sandbox::new();
    let app = sandbox.app("demo_daemon").dirs("tmp", "tmp", "tmp");
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        app.start(&["--work-seconds=-1"]);
    }));
    let message = failed.expect_err("the start fails");
    let message = message.downcast_ref::<String>().expect("a message");
    assert!(message.contains("before it was ready"), "{message}");
    assert!(message.contains("work_seconds"), "{message}");
}
