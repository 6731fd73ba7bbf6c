//! End-to-end: scripts on the built `demo_script` and `backup` examples.

mod support;

use std::os::unix::fs::PermissionsExt;

use serde_json::json;
use support::{dumped, json, Sandbox, RUNLOG_DUMP};

/// Runs demo_script and returns its runlog (from `--runlog-dump`).
fn runlog_of(sb: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--runlog-dump"];
    all.extend_from_slice(args);
    let run = sb.run(&all);
    assert_eq!(run.code, 0, "{run:?}");
    dumped(&run.stdout, RUNLOG_DUMP)
}

#[test]
fn command_selection_and_precedence() {
    let sb = Sandbox::new("demo_script");
    let runlog = runlog_of(&sb, &[]);
    assert_eq!(runlog["command"], "default");
    assert_eq!(runlog["default"], json!({"result": "success", "data": 5}));

    let runlog = runlog_of(&sb, &["alternative"]);
    assert_eq!(runlog["command"], "alternative");
    assert_eq!(
        runlog["alternative"],
        json!({"result": "success", "data": 100})
    );
    assert!(runlog.get("default").is_none());

    assert_eq!(
        runlog_of(&sb, &["--command", "alternative"])["command"],
        "alternative"
    );
    sb.write("tmp/demo_script.conf", r#"{"command": "alternative"}"#);
    assert_eq!(runlog_of(&sb, &[])["command"], "alternative");
    // --command wins over the configuration, the positional over --command
    assert_eq!(
        runlog_of(&sb, &["--command", "default"])["command"],
        "default"
    );
    assert_eq!(
        runlog_of(&sb, &["--command", "alternative", "default"])["command"],
        "default"
    );
    assert_eq!(json(&sb.read("tmp/demo_script.pstate"))["counter"], 6);
}

#[test]
fn unknown_commands_list_the_valid_ones() {
    let sb = Sandbox::new("demo_script");
    for args in [&["frobnicate"][..], &["--command", "frobnicate"][..]] {
        let run = sb.run(args);
        assert_eq!(run.code, 64, "{run:?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{run:?}");
        assert!(
            lines[0]
                .ends_with("unknown command 'frobnicate'; valid commands: default, alternative"),
            "{run:?}"
        );
    }
    let conf = sb.write("tmp/demo_script.conf", "{\"command\": \"nope\"}");
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{}:1:13: configuration key 'command'",
            conf.display()
        )),
        "{run:?}"
    );
}

#[test]
fn help_lists_the_commands() {
    let sb = Sandbox::new("demo_script");
    let run = sb.run(&["--help"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("[COMMAND]"), "{run:?}");
    assert!(run.stdout.contains("Commands:\n  default      Default script command\n  alternative  Alternative script command"), "{run:?}");
    assert!(run.stdout.contains("Script options:"), "{run:?}");
    assert!(run.stdout.contains("--time-high <TIME>"), "{run:?}");
    // the commands are subcommands: `help` lists them and shows each
    let listed = sb.run(&["help"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert!(
        listed
            .stdout
            .contains("  alternative  Alternative script command"),
        "{listed:?}"
    );
    let one = sb.run(&["help", "alternative"]);
    assert_eq!(one.code, 0, "{one:?}");
    assert!(
        one.stdout.starts_with("Alternative script command"),
        "{one:?}"
    );
    assert!(
        one.stdout
            .contains("Usage: demo_script alternative [OPTIONS]"),
        "{one:?}"
    );
    let run = sb.run(&["help", "frobnicate"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(
        run.stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{run:?}"
    );
}

#[test]
fn default_mode_writes_log_runlog_and_state() {
    let sb = Sandbox::new("demo_script");
    let run = sb.run(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Hello world"), "{run:?}");
    assert!(run.stderr.contains("INFO: "), "{run:?}");
    assert!(sb.path("tmp/demo_script.log").exists());
    assert!(sb.path("tmp/demo_script.pstate").exists());
    assert_eq!(sb.runlogs("tmp/demo_script").len(), 1);
}

#[test]
fn shell_mode_writes_no_files() {
    let sb = Sandbox::new("demo_script");
    let run = sb.run(&["--shell"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Hello world"), "{run:?}");
    assert!(!sb.path("tmp/demo_script.log").exists());
    assert!(!sb.path("tmp/demo_script.pstate").exists());
    assert!(sb.runlogs("tmp/demo_script").is_empty());
    let view = sb.run(&["--shell", "--action", "config-view"]).stdout;
    for line in ["to_file: false", "save: false"] {
        assert!(view.contains(line), "{line} in {view}");
    }
}

#[test]
fn regular_mode_is_quiet_and_logs_only_warnings_to_the_console() {
    let sb = Sandbox::new("demo_script");
    let run = sb.run(&["--regular", "-v"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(!run.stderr.contains("INFO"), "{run:?}");
    let log = sb.read("tmp/demo_script.log");
    assert!(
        log.contains("INFO: Executing script command 'default'"),
        "{log}"
    );
    assert_eq!(sb.runlogs("tmp/demo_script").len(), 1);
    assert_eq!(json(&sb.read("tmp/demo_script.pstate"))["counter"], 1);
    let run = sb.run(&["--regular", "--shell"]);
    assert_eq!(run.code, 64, "{run:?}");
}

#[test]
fn bad_time_and_interval_are_one_line_usage_errors() {
    let sb = Sandbox::new("demo_script");
    for (args, message) in [
        (
            &["--interval", "yearly"][..],
            "invalid interval 'yearly'; valid intervals: 5_minutes, 10_minutes",
        ),
        (&["--time-high", "12:00"][..], "invalid time value '12:00'"),
        (
            &["--time-high", "2026-13-01T00:00:00Z"][..],
            "invalid time value '2026-13-01T00:00:00Z'",
        ),
    ] {
        let run = sb.run(args);
        assert_eq!(run.code, 64, "{args:?}: {run:?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{run:?}");
        assert!(lines[0].contains(message), "{args:?}: {run:?}");
    }
    let conf = sb.write("tmp/demo_script.conf", "{\"interval\": \"fortnightly\"}");
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{}:1:14: configuration key 'interval'",
            conf.display()
        )),
        "{run:?}"
    );
}

/// A backup sandbox with a source tree and an empty target directory.
fn backup_sandbox() -> Sandbox {
    let sb = Sandbox::new("backup");
    sb.write("data/a.txt", "alpha\n");
    sb.write("data/sub/b.txt", "beta\n");
    std::fs::create_dir_all(sb.path("archives")).unwrap();
    sb.write(
        "etc/backup.conf",
        &format!(
            "{{\"source\": \"{}\", \"target\": \"{}\"}}",
            sb.path("data").display(),
            sb.path("archives").display()
        ),
    );
    std::fs::create_dir_all(sb.path("etc/backup")).unwrap();
    sb
}

fn archive_names(sb: &Sandbox) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(sb.path("archives"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn thresholds_name_the_archives() {
    let sb = backup_sandbox();
    let time = "2026-11-25T13:47:12+01:00";
    let run = sb.run(&["create", "--time-high", time]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = sb.run(&["create", "--time-high", time, "--interval", "hourly"]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = sb.run(&[
        "create",
        "--time-high",
        "1795614432",
        "--interval",
        "daily",
        "--adjust-thresholds",
        "--runlog-dump",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(dumped(&run.stdout, RUNLOG_DUMP)["create"]["created"], true);
    // the same day again: nothing new
    let run = sb.run(&[
        "create",
        "--time-high",
        "2026-11-25T23:59:59Z",
        "--interval",
        "daily",
        "--adjust-thresholds",
        "--runlog-dump",
    ]);
    assert_eq!(
        dumped(&run.stdout, RUNLOG_DUMP)["create"]["created"],
        false,
        "{run:?}"
    );
    assert_eq!(
        archive_names(&sb),
        [
            "snapshot-20261125T000000Z.tar",
            "snapshot-20261125T124712Z.tar",
        ]
    );
    let out = std::process::Command::new("tar")
        .args([
            "-tf",
            &sb.path("archives/snapshot-20261125T000000Z.tar")
                .to_string_lossy(),
        ])
        .output()
        .unwrap();
    let members = String::from_utf8_lossy(&out.stdout);
    assert!(
        members.contains("./a.txt") && members.contains("./sub/b.txt"),
        "{members}"
    );

    // list with an interval shows the archives named within it, its end included
    let run = sb.run(&[
        "list",
        "--time-high",
        "2026-11-25T12:47:12Z",
        "--interval",
        "hourly",
    ]);
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(
        run.stdout.contains("snapshot-20261125T124712Z.tar"),
        "{run:?}"
    );
    let run = sb.run(&["list"]);
    assert_eq!(run.stdout.lines().count(), 2, "{run:?}");
}

#[test]
fn prune_keeps_the_newest_and_refuses_to_delete_all() {
    let sb = backup_sandbox();
    for day in 20..25 {
        assert_eq!(
            sb.run(&["create", "--time-high", &format!("2026-11-{day}T00:00:00Z")])
                .code,
            0
        );
    }
    let run = sb.run(&["prune", "--keep", "0"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(run.stderr.contains("--keep must be at least 1"), "{run:?}");
    assert_eq!(archive_names(&sb).len(), 5);
    let run = sb.run(&["prune", "--keep", "2", "--runlog-dump"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        dumped(&run.stdout, RUNLOG_DUMP)["prune"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        archive_names(&sb),
        [
            "snapshot-20261123T000000Z.tar",
            "snapshot-20261124T000000Z.tar"
        ]
    );
}

#[test]
fn failures_are_clear_and_lose_no_archive() {
    let sb = backup_sandbox();
    assert_eq!(
        sb.run(&["create", "--time-high", "2026-11-20T00:00:00Z"])
            .code,
        0
    );
    let kept = sb.path("archives/snapshot-20261120T000000Z.tar");
    let before = std::fs::read(&kept).unwrap();

    let run = sb.run(&["create", "--source", &sb.path("missing").to_string_lossy()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("source directory") && run.stderr.contains("does not exist"),
        "{run:?}"
    );

    // an unwritable target: read-only for an ordinary user; as root, drop to nobody
    std::fs::set_permissions(sb.path("archives"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut args = vec!["create", "--time-high", "2026-11-21T00:00:00Z"];
    if nix::unistd::Uid::effective().is_root() {
        for dir in ["", "var", "var/run", "var/run/backup", "var/log"] {
            let path = sb.path(dir);
            std::fs::create_dir_all(&path).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        // the files of the earlier runs are root's own
        for file in ["var/log/backup.log", "var/run/backup.pstate"] {
            std::fs::remove_file(sb.path(file)).unwrap();
        }
        args.extend(["--user", "nobody"]);
    }
    let run = sb.run(&args);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("failed") && run.stderr.contains("Permission denied"),
        "{run:?}"
    );
    std::fs::set_permissions(sb.path("archives"), std::fs::Permissions::from_mode(0o755)).unwrap();

    assert_eq!(archive_names(&sb), ["snapshot-20261120T000000Z.tar"]);
    assert_eq!(std::fs::read(&kept).unwrap(), before);
}
