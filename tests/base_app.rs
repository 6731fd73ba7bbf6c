//! End-to-end: the life-cycle of a base application on the built `demo_app`.

mod support;

use std::time::Duration;

use support::{dumped, json, Sandbox, PSTATE_DUMP, RUNLOG_DUMP};

const HELLO: &str = "Hello world from the zenkit demo application";

#[test]
fn persistent_state_survives_runs_and_dumps_are_json() {
    let sb = Sandbox::new("demo_app");
    for expected in 1..=3 {
        let run = sb.run(&["--pstate-dump"]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(
            dumped(&run.stdout, PSTATE_DUMP)["counter"],
            expected,
            "{run:?}"
        );
    }
    let state = json(&sb.read("tmp/demo_app.pstate"));
    assert_eq!(state["counter"], 3);
    assert!(
        sb.read("tmp/demo_app.pstate")
            .contains("\n    \"counter\": 3"),
        "4-space indent"
    );
}

#[test]
fn quiet_runs_print_no_dumps_and_no_action_output() {
    let sb = Sandbox::new("demo_app");
    for quiet in [
        &["--quiet", "--pstate-dump", "--runlog-dump"][..],
        &["--quiet", "--action", "config-view"],
    ] {
        let run = sb.run(quiet);
        assert_eq!(run.code, 0, "{quiet:?}: {run:?}");
        assert_eq!(run.stdout, "", "{quiet:?}");
    }
    let run = sb.run(&["--pstate-dump", "--runlog-dump"]);
    let at = |header: &str| {
        run.stdout
            .find(&format!("{header}\n{{\n"))
            .unwrap_or_else(|| panic!("{run:?}"))
    };
    assert!(at(PSTATE_DUMP) < at(RUNLOG_DUMP), "{run:?}");
}

#[test]
fn runlog_has_every_key_and_the_pyzenkit_file_name() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--runlog-dump"]);
    assert_eq!(run.code, 0, "{run:?}");
    let dumped = dumped(&run.stdout, RUNLOG_DUMP);
    let files = sb.runlogs("tmp/demo_app");
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let runlog = json(&std::fs::read_to_string(&files[0]).unwrap());
    assert_eq!(runlog, dumped);
    let pid = runlog["pid"].as_u64().unwrap();
    let ts_fsf = runlog["ts_fsf"].as_str().unwrap();
    assert_eq!(name, format!("{ts_fsf}.{pid:05x}.runlog"));
    assert_eq!(ts_fsf.len(), 12);
    assert!(ts_fsf.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(runlog["name"], "demo_app");
    assert_eq!(runlog["argv"][1], "--runlog-dump");
    assert!(runlog["ts"].is_f64());
    assert_eq!(runlog["ts_str"].as_str().unwrap().len(), 19);
    assert_eq!(runlog["result"], "success");
    assert_eq!(runlog["rc"], 0);
    assert_eq!(runlog["errors"], serde_json::json!([]));
    let marks: Vec<&str> = runlog["time_marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ident"].as_str().unwrap())
        .collect();
    assert_eq!(
        marks,
        [
            "stage_setup_start",
            "stage_setup_stop",
            "stage_process_start",
            "stage_process_stop",
            "stage_evaluate_start",
            "stage_evaluate_stop",
            "stage_teardown_start",
            "stage_teardown_stop"
        ]
    );
}

#[test]
fn verbosity_levels_and_quiet() {
    let sb = Sandbox::new("demo_app");
    let hello_lines = |args: &[&str]| {
        let run = sb.run(args);
        assert_eq!(run.code, 0, "{run:?}");
        run.stdout.lines().filter(|l| l.starts_with(HELLO)).count()
    };
    assert_eq!(hello_lines(&[]), 1);
    assert_eq!(hello_lines(&["-v"]), 2);
    assert_eq!(hello_lines(&["-vvv"]), 4);
    assert_eq!(hello_lines(&["--verbose", "--verbose"]), 3);
    assert_eq!(hello_lines(&["--quiet"]), 0);
    let run = sb.run(&["--quiet", "-v"]);
    assert_eq!(run.code, 64, "{run:?}");
}

#[test]
fn log_file_and_console_have_their_formats() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--log-level", "info"]);
    assert_eq!(run.code, 0, "{run:?}");
    let log = sb.read("tmp/demo_app.log");
    let pid_tag = " demo_app [";
    let line = log
        .lines()
        .find(|l| l.contains("Number of runs from the persistent state: '1'"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        line.contains(pid_tag) && line.contains("] INFO: "),
        "{line}"
    );
    assert!(
        line.as_bytes()[4] == b'-' && line.as_bytes()[19] == b',',
        "{line}"
    );
    assert!(
        run.stderr
            .lines()
            .any(|l| l.ends_with(" INFO: Number of runs from the persistent state: '1'")),
        "{run:?}"
    );
    let run = sb.run(&["--log-level", "error"]);
    assert!(!run.stderr.contains("INFO"), "{run:?}");
}

#[test]
fn unknown_action_is_a_usage_error_listing_valid_ones() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--action", "frobnicate"]);
    assert_eq!(run.code, 64, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(lines[0].contains("unknown action 'frobnicate'"), "{run:?}");
    assert!(
        lines[0].contains(
            "config-view, config-check, config-schema, runlog-dump, runlog-view, runlogs-list, runlogs-dump, runlogs-evaluate"
        ),
        "{run:?}"
    );
    // the check comes before any work: no state, no log
    assert!(!sb.path("tmp/demo_app.log").exists());
    let sb = Sandbox::new("demo_app");
    let conf = sb.write("tmp/demo_app.conf", "{\"action\": \"nope\"}");
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    let expected = format!(
        "{}:1:12: configuration key 'action': unknown action 'nope'",
        conf.display()
    );
    assert!(run.stderr.contains(&expected), "{run:?}");
}

#[test]
fn wrong_builtin_values_stop_the_run_before_any_work() {
    for (text, key, column) in [
        ("{\"runlog_dump\": \"yes\"}", "runlog_dump", 17),
        ("{\"log_level\": \"loud\"}", "log_level", 15),
        ("{\"log_level\": 3}", "log_level", 15),
        ("{\"limit\": -1}", "limit", 11),
    ] {
        let sb = Sandbox::new("demo_app");
        let conf = sb.write("tmp/demo_app.conf", text);
        let run = sb.run(&[]);
        assert_eq!(run.code, 78, "{text}: {run:?}");
        let expected = format!("{}:1:{column}: configuration key '{key}': ", conf.display());
        assert!(run.stderr.contains(&expected), "{text}: {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(
            !sb.path("tmp/demo_app.pstate").exists(),
            "{text}: the process ran"
        );
    }
}

#[test]
fn closed_stdout_is_registered_and_the_runlog_still_written() {
    let sb = Sandbox::new("demo_app");
    let mut child = sb
        .command(&["--pstate-dump", "--runlog-dump"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let runlogs = sb.runlogs("tmp/demo_app");
    assert_eq!(runlogs.len(), 1);
    let runlog = json(&std::fs::read_to_string(&runlogs[0]).unwrap());
    assert_eq!(runlog["result"], "failure");
    assert!(
        runlog["errors"][0]
            .as_str()
            .unwrap()
            .contains("cannot write to stdout"),
        "{runlog}"
    );
    assert_eq!(json(&sb.read("tmp/demo_app.pstate"))["counter"], 1);
}

#[test]
fn error_in_process_is_registered_and_state_still_saved() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--fail", "disk on fire", "--runlog-dump"]);
    assert_eq!(run.code, 1, "{run:?}");
    let runlog = dumped(&run.stdout, RUNLOG_DUMP);
    assert_eq!(runlog["result"], "failure");
    assert_eq!(runlog["rc"], 1);
    assert_eq!(runlog["errors"], serde_json::json!(["disk on fire"]));
    assert_eq!(json(&sb.read("tmp/demo_app.pstate"))["counter"], 1);
    assert_eq!(sb.runlogs("tmp/demo_app").len(), 1);
    assert!(sb.read("tmp/demo_app.log").contains("ERROR: disk on fire"));
}

#[test]
fn panic_in_process_is_registered_like_an_error() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--panic", "unexpected state", "--runlog-dump"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stderr.contains("panicked at"), "{run:?}");
    let runlog = dumped(&run.stdout, RUNLOG_DUMP);
    assert_eq!(runlog["result"], "failure");
    let error = runlog["errors"][0].as_str().unwrap();
    assert!(
        error.starts_with("panic in the process stage: unexpected state at "),
        "{error}"
    );
    assert!(error.contains("demo_app.rs:"), "{error}");
    assert_eq!(json(&sb.read("tmp/demo_app.pstate"))["counter"], 1);
}

#[test]
fn builtin_actions_on_real_runlogs() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--action", "runlog-dump"]);
    assert_eq!(run.stdout, "There are no runlog files\n", "{run:?}");
    assert_eq!(sb.run(&["--quiet"]).code, 0);
    std::thread::sleep(Duration::from_millis(10));
    assert_eq!(sb.run(&["--quiet", "--fail", "broken"]).code, 1);
    let files = sb.runlogs("tmp/demo_app");
    assert_eq!(files.len(), 2);

    let run = sb.run(&["--action", "runlogs-list"]);
    assert_eq!(run.code, 0, "{run:?}");
    for file in &files {
        assert!(
            run.stdout
                .contains(&*file.file_name().unwrap().to_string_lossy()),
            "{run:?}"
        );
    }
    let run = sb.run(&["--action", "runlogs-list", "--limit", "1"]);
    let listed = files
        .iter()
        .filter(|f| {
            run.stdout
                .contains(&*f.file_name().unwrap().to_string_lossy())
        })
        .count();
    assert_eq!(listed, 1, "{run:?}");

    let run = sb.run(&[
        "--action",
        "runlog-view",
        "--input",
        files[0].to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    for label in [
        "Label",
        "Runtime",
        "Effectivity",
        "Age",
        "Command",
        "Errors",
        "Result",
    ] {
        assert!(
            run.stdout.to_lowercase().contains(&label.to_lowercase()),
            "{label} in {run:?}"
        );
    }

    let run = sb.run(&[
        "--action",
        "runlog-dump",
        "--input",
        files[0].to_str().unwrap(),
    ]);
    assert!(run.stdout.contains("result: "), "{run:?}");
    let run = sb.run(&["--action", "runlogs-dump"]);
    assert!(run.stdout.contains("broken"), "{run:?}");

    let run = sb.run(&["--action", "runlogs-evaluate"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("success") && run.stdout.contains("failure"),
        "{run:?}"
    );
    for label in ["Minimal", "Maximal", "Average"] {
        assert!(
            run.stdout.to_lowercase().contains(&label.to_lowercase()),
            "{label} in {run:?}"
        );
    }
    // actions write no runlog and leave the state alone
    assert_eq!(sb.runlogs("tmp/demo_app").len(), 2);
    assert_eq!(json(&sb.read("tmp/demo_app.pstate"))["counter"], 2);
}

#[test]
fn log_file_is_reopened_after_rotation() {
    let sb = Sandbox::new("demo_app");
    let mut child = sb.spawn(&["--quiet", "--ticks", "40"]);
    let log = sb.path("tmp/demo_app.log");
    let rotated = sb.path("tmp/demo_app.log.1");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("tick 5")
    {
        assert!(std::time::Instant::now() < deadline, "no ticks logged");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::rename(&log, &rotated).unwrap();
    assert!(child.wait().unwrap().success());
    let old = std::fs::read_to_string(&rotated).unwrap();
    let new = std::fs::read_to_string(&log).expect("a new log file at the old path");
    assert!(old.contains("tick 5"), "{old}");
    assert!(new.contains("tick 40"), "{new}");
    for tick in 1..=40 {
        let line = format!("INFO: tick {tick}\n");
        let count = old.matches(&line).count() + new.matches(&line).count();
        assert_eq!(count, 1, "tick {tick} appears {count} times");
    }
}

#[test]
fn embedded_name_option_changes_files() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--name", "other-name", "--quiet"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(sb.path("tmp/other-name.pstate").exists());
    let run = sb.run(&["--name", "bad name"]);
    assert_eq!(run.code, 64, "{run:?}");
}
