//! One rule for bad values, built-in or the author's: given on the command
//! line, exit 64 with one line naming the option; from a file, exit 78 with
//! `file:line:col: configuration key '…': …`. Unknown keys are warnings
//! naming the closest known key, or errors where the application says so;
//! a key given twice in one file is a warning naming both places.

mod support;

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use support::{signal, wait_exit, wait_for, Run, Sandbox};

/// The one line a run that stopped before its stages printed on stderr.
fn error_line(run: &Run) -> &str {
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    lines[0]
}

#[test]
fn non_finite_numbers_are_refused_on_the_command_line_and_in_files() {
    let sb = Sandbox::new("demo_daemon");
    for value in ["nan", "NaN", "inf", "-inf", "infinity"] {
        for option in ["--stats-interval", "--work-seconds"] {
            let run = sb.run(&[&format!("{option}={value}")]);
            assert_eq!(run.code, 64, "{option} {value}: {run:?}");
            assert!(
                run.stderr
                    .contains(&format!("'{value}' is not a finite number")),
                "{option} {value}: {run:?}"
            );
        }
    }
    for (text, expected) in [
        ("{\n  \"stats_interval\": NaN\n}", ":2:21: malformed JSON"),
        (
            "{\n  \"work_seconds\": 1e999\n}",
            ":2:19: malformed JSON: number 1e999 is out of range",
        ),
        ("{\"stats_interval\": Infinity}", ":1:20: malformed JSON"),
    ] {
        let conf = sb.write("tmp/demo_daemon.conf", text);
        let run = sb.run(&[]);
        assert_eq!(run.code, 78, "{text}: {run:?}");
        let line = error_line(&run);
        assert!(
            line.contains(&format!("{}{expected}", conf.display())),
            "{text}: {line}"
        );
    }
}

#[test]
fn a_bad_value_is_a_usage_error_on_the_command_line_and_located_in_a_file() {
    let sb = Sandbox::new("demo_daemon");
    for (args, message) in [
        (
            &["--stats-interval", "0"][..],
            "option --stats-interval: expected a positive number of seconds, not 0",
        ),
        (
            &["--runlog-interval=-2"][..],
            "option --runlog-interval: expected a positive number of seconds, not -2",
        ),
        (
            &["--umask", "999"][..],
            "option --umask: invalid umask '999'",
        ),
        (
            &["--umask", "0o8"][..],
            "option --umask: invalid umask '0o8'",
        ),
        (
            &["--worker-threads", "0"][..],
            "option --worker-threads: expected a number of threads, at least 1, not 0",
        ),
    ] {
        let run = sb.run(args);
        assert_eq!(run.code, 64, "{args:?}: {run:?}");
        assert!(error_line(&run).contains(message), "{args:?}: {run:?}");
    }
    let conf = sb.write(
        "tmp/demo_daemon.conf",
        "{\n  \"stats_interval\": 0,\n  \"umask\": 999\n}",
    );
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        error_line(&run).contains(&format!(
            "{}:2:21: configuration key 'stats_interval': expected a positive number of seconds, not 0",
            conf.display()
        )),
        "{run:?}"
    );
    sb.write("tmp/demo_daemon.conf", "{\n  \"worker_threads\": 0\n}");
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        error_line(&run).contains(":2:21: configuration key 'worker_threads': expected a number of threads, at least 1, not 0"),
        "{run:?}"
    );
    sb.write("tmp/demo_daemon.conf", "{\n  \"umask\": 512\n}");
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        error_line(&run).contains(":2:12: configuration key 'umask': invalid umask 512"),
        "{run:?}"
    );
}

/// The umask of a running process, from `/proc/PID/status`.
fn umask_of(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Umask:"))?;
    Some(line["Umask:".len()..].trim().to_string())
}

/// Starts demo_daemon with `args` and the configuration file `conf`, and
/// returns the umask it runs with once it has started.
fn daemon_umask(conf: &str, args: &[&str]) -> String {
    let sb = Sandbox::new("demo_daemon");
    sb.write("tmp/demo_daemon.conf", conf);
    let mut child = sb.spawn(args);
    wait_for(&sb.path("tmp/demo_daemon.log"), "Daemon startup initiated");
    let deadline = Instant::now() + Duration::from_secs(10);
    let umask = loop {
        match umask_of(child.id()) {
            Some(umask) => break umask,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            None => break "unknown".to_string(),
        }
    };
    signal(&child, Signal::SIGTERM);
    wait_exit(&mut child);
    umask
}

#[test]
fn a_umask_number_in_a_file_is_the_mask_as_pyzenkit_reads_it() {
    assert_eq!(daemon_umask("{\"umask\": 18}", &[]), "0022");
    assert_eq!(daemon_umask("{\"umask\": 63}", &[]), "0077");
    assert_eq!(daemon_umask("{\"umask\": \"027\"}", &[]), "0027");
    assert_eq!(
        daemon_umask("{\"umask\": 18}", &["--umask", "0o007"]),
        "0007"
    );
}

#[test]
fn unknown_keys_are_warnings_naming_the_closest_key() {
    let sb = Sandbox::new("dusage");
    sb.write("tree/a.txt", "alpha\n");
    let conf = sb.write(
        "etc/dusage.conf",
        "{\n  \"pathh\": \".\",\n  \"report\": {\"top\": 3, \"min_size\": 0,\n    \"mni_size\": 1}\n}",
    );
    let path = sb.path("tree").display().to_string();
    let args = ["--config-dir-silent", "--path", &path];
    let run = sb.run(&args);
    assert_eq!(run.code, 0, "{run:?}");
    let top = format!(
        "{}:2:12: configuration key 'pathh': unknown key; did you mean 'path'?",
        conf.display()
    );
    let nested = format!(
        "{}:4:17: configuration key 'report.mni_size': unknown key; did you mean 'min_size'?",
        conf.display()
    );
    for warning in [&top, &nested] {
        let on_console: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains(warning.as_str()))
            .collect();
        assert_eq!(on_console.len(), 1, "{warning}: {run:?}");
        assert!(on_console[0].contains("WARNING"), "{warning}: {run:?}");
    }
    let log = sb.read("var/log/dusage.log");
    assert!(log.contains(&top) && log.contains(&nested), "{log}");

    // a quiet run (as from cron) keeps them out of the console, not the log
    let quiet = [&args[..], &["--quiet"]].concat();
    let run = sb.run(&quiet);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("unknown key"), "{run:?}");
    let log = sb.read("var/log/dusage.log");
    assert_eq!(log.matches(top.as_str()).count(), 2, "{log}");
}

#[test]
fn duplicate_keys_are_warnings_with_both_positions() {
    let sb = Sandbox::new("dusage");
    sb.write("tree/a.txt", "alpha\n");
    let conf = sb.write(
        "etc/dusage.conf",
        "{\n  \"report\": {\"top\": 3,\n    \"top\": 2}\n}",
    );
    let path = sb.path("tree").display().to_string();
    let args = ["--config-dir-silent", "--path", &path];
    let run = sb.run(&args);
    assert_eq!(run.code, 0, "{run:?}");
    let warning = format!(
        "{}:3:5: configuration key 'report.top' is given again (first at 2:14); the last one counts",
        conf.display()
    );
    let on_console: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(warning.as_str()))
        .collect();
    assert_eq!(on_console.len(), 1, "{run:?}");
    assert!(on_console[0].contains("WARNING"), "{run:?}");
    let log = sb.read("var/log/dusage.log");
    assert_eq!(log.matches(warning.as_str()).count(), 1, "{log}");

    let quiet = [&args[..], &["--quiet"]].concat();
    let run = sb.run(&quiet);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("given again"), "{run:?}");
    let log = sb.read("var/log/dusage.log");
    assert_eq!(log.matches(warning.as_str()).count(), 2, "{log}");
}

#[test]
fn deny_unknown_keys_makes_them_located_configuration_errors() {
    let sb = Sandbox::new("backup");
    std::fs::create_dir_all(sb.path("etc/backup")).unwrap();
    let conf = sb.write("etc/backup.conf", "{\"prefix\": \"x\",\n \"kepp\": 3}");
    let run = sb.run(&["list"]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        error_line(&run).contains(&format!(
            "{}:2:10: configuration key 'kepp': unknown key; did you mean 'keep'?",
            conf.display()
        )),
        "{run:?}"
    );
    // the regular mode of cron does not turn the error into silence
    let run = sb.run(&["list", "--regular"]);
    assert_eq!(run.code, 78, "{run:?}");
}

#[test]
fn keys_a_file_cannot_set_are_warned_about_quietly_in_quiet_runs() {
    let sb = Sandbox::new("dusage");
    sb.write("tree/a.txt", "alpha\n");
    let conf = sb.write("etc/dusage.conf", "{\"config_dir\": \"/elsewhere\"}");
    let path = sb.path("tree").display().to_string();
    let warning = format!(
        "configuration key 'config_dir' in {} is ignored: it cannot be set in a file",
        conf.display()
    );
    let run = sb.run(&["--config-dir-silent", "--path", &path]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(&warning), "{run:?}");
    let run = sb.run(&["--config-dir-silent", "--path", &path, "--quiet"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains(&warning), "{run:?}");
    assert_eq!(sb.read("var/log/dusage.log").matches(&warning).count(), 2);
}
