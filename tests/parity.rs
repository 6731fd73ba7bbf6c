//! Migration parity with pyzenkit: what an operator's cron lines, init
//! scripts and output parsers rely on behaves as pyzenkit's does.

mod support;

use support::Sandbox;

#[test]
fn long_options_may_be_abbreviated_as_argparse_allows() {
    let sb = Sandbox::new("demo_daemon");
    let run = sb.run(&[
        "--no-d",
        "--stats",
        "7",
        "--verb",
        "--action",
        "config-view",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    for line in [
        "no_daemon: true  [command line]",
        "stats_interval: 7.0  [command line]",
        "verbosity: 1  [command line]",
    ] {
        assert!(run.stdout.contains(line), "{line}: {run:?}");
    }
    // a prefix of several options is a usage error
    let run = sb.run(&["--runlog-d"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(
        run.stderr.contains("unexpected argument '--runlog-d'"),
        "{run:?}"
    );

    let sb = Sandbox::new("demo_script");
    let run = sb.run(&[
        "--adjust",
        "--interval",
        "daily",
        "--time-h",
        "1795614432",
        "--shell",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn a_missing_pid_file_directory_is_named_not_created() {
    let sb = Sandbox::new("demo_daemon");
    let pid_file = sb.path("nowhere/sub/demo.pid");
    let pid = pid_file.display().to_string();
    let run = sb.run(&["--pid-file", &pid]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "the directory {} of the PID file {pid} does not exist; create it or choose another --pid-file",
            sb.path("nowhere/sub").display()
        )),
        "{run:?}"
    );
    assert!(!sb.path("nowhere").exists());
}

#[test]
fn signal_actions_need_none_of_the_daemons_own_settings() {
    // watch needs --file to run, not to signal the running one (the
    // logrotate postrotate line of the README)
    let sb = Sandbox::new("watch");
    let run = sb.run(&[
        "--config-file-silent",
        "--config-dir-silent",
        "--action",
        "signal-hup",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stderr.contains("no file to follow"), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "PID file '{}' does not exist",
            sb.path("var/run/watch.pid").display()
        )),
        "{run:?}"
    );
}

#[test]
fn time_values_are_what_pythons_float_reads() {
    let sb = Sandbox::new("demo_script");
    for value in ["1e9", " 1454934691", "1454934691.5 ", "1_454_934_691"] {
        let run = sb.run(&["--shell", "--interval", "daily", "--time-high", value]);
        assert_eq!(run.code, 0, "{value:?}: {run:?}");
    }
    let run = sb.run(&["--shell", "--time-high", "1e"]);
    assert_eq!(run.code, 64, "{run:?}");
}
