//! The actions about several runlogs on directories with bad runlogs and
//! with many runlogs.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use support::Sandbox;

const DIR: &str = "tmp/demo_app";

/// The text of a runlog started at `ts` whose setup takes 1 s and process
/// `proc` s.
fn runlog(ts: f64, label: &str, proc: f64, result: &str) -> String {
    serde_json::json!({
        "ts": ts, "ts_str": label, "command": "greet", "result": result,
        "errors": if result == "failure" { vec!["disk full"] } else { vec![] },
        "time_marks": [
            {"ident": "stage_setup_start", "descr": "", "time": ts},
            {"ident": "stage_setup_stop", "descr": "", "time": ts + 1.0},
            {"ident": "stage_process_start", "descr": "", "time": ts + 1.0},
            {"ident": "stage_process_stop", "descr": "", "time": ts + 1.0 + proc},
        ],
    })
    .to_string()
}

/// The rows of the table of runs in the output of `runlogs-evaluate`.
fn rows_of(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| Date "))
        .collect()
}

#[test]
fn bad_runlogs_are_skipped_with_a_warning_naming_each() {
    let sb = Sandbox::new("demo_app");
    sb.write(
        &format!("{DIR}/202611250900.00010.runlog"),
        &runlog(1000.0, "2026-11-25 09:00:00", 1.0, "success"),
    );
    sb.write(
        &format!("{DIR}/202611251100.00012.runlog"),
        &runlog(1900.0, "2026-11-25 11:00:00", 3.0, "failure"),
    );
    let malformed = sb.write(&format!("{DIR}/202611251000.00011.runlog"), "{\"ts\": ");
    // Not text: cannot be read whoever reads it.
    let binary = sb.path(&format!("{DIR}/202611251030.00013.runlog"));
    std::fs::write(&binary, b"{\"ts\": \"\xff\xfe\"}").unwrap();
    let mut bad: Vec<PathBuf> = vec![malformed, binary];
    // Mode 000 cannot be read but by root.
    let locked = sb.write(
        &format!("{DIR}/202611251045.00014.runlog"),
        &runlog(1800.0, "2026-11-25 10:45:00", 2.0, "success"),
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = nix::unistd::geteuid().is_root();
    if !root {
        bad.push(locked);
    }
    let good = if root { 3 } else { 2 };
    // Warned about newest first.
    bad.sort_by(|a, b| b.cmp(a));

    for action in ["runlogs-evaluate", "runlogs-dump"] {
        let run = sb.run(&["--action", action]);
        assert_eq!(run.code, 0, "{action}: {run:?}");
        assert!(
            run.stdout.contains("  Runlog(s) found: 5\n"),
            "{action}: {run:?}"
        );
        let warnings: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| line.contains("WARNING"))
            .collect();
        assert_eq!(warnings.len(), bad.len(), "{action}: {run:?}");
        for (path, warning) in bad.iter().zip(&warnings) {
            assert!(
                warning.contains(&path.display().to_string()),
                "{action}: {warning}"
            );
        }
        for path in &bad {
            assert!(
                !run.stdout.contains(&path.display().to_string()),
                "{action}: {run:?}"
            );
        }
        assert!(
            run.stdout.contains("2026-11-25 09:00:00"),
            "{action}: {run:?}"
        );
        assert!(
            run.stdout.contains("2026-11-25 11:00:00"),
            "{action}: {run:?}"
        );
        if action == "runlogs-evaluate" {
            assert_eq!(rows_of(&run.stdout).len(), good, "{run:?}");
            assert!(
                run.stdout
                    .contains("                   Maximal value: 0:00:04   0:00:03    75.00\n"),
                "{run:?}"
            );
        } else {
            assert_eq!(run.stdout.matches("Runlog '").count(), good, "{run:?}");
        }
    }
}

#[test]
fn thousands_of_runlogs_are_evaluated_newest_first() {
    const COUNT: usize = 2000;
    let sb = Sandbox::new("demo_app");
    let dir = sb.path(DIR);
    std::fs::create_dir_all(&dir).unwrap();
    // Started up to 2,000 minutes ago: the ages of the older half are
    // wider than those of the newer (`1 day, …`).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    for i in 0..COUNT {
        // A minute apart, the process 1, 2 or 3 s; every fifth run failed.
        let (day, hour, minute) = (1 + i / 1440, i / 60 % 24, i % 60);
        let name = format!("202601{day:02}{hour:02}{minute:02}.{:05x}.runlog", 100 + i);
        let label = format!("2026-01-{day:02} {hour:02}:{minute:02}:00");
        let result = if i % 5 == 0 { "failure" } else { "success" };
        let text = runlog(
            now - 60.0 * (COUNT - i) as f64,
            &label,
            (1 + i % 3) as f64,
            result,
        );
        std::fs::write(dir.join(name), text).unwrap();
    }

    let run = sb.run(&["--action", "runlogs-evaluate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("  Runlog(s) found: 2,000\n"));
    let rows = rows_of(&run.stdout);
    assert_eq!(rows.len(), COUNT);
    assert!(
        rows[0].starts_with("| 2026-01-02 09:19:00 |"),
        "{}",
        rows[0]
    );
    assert!(rows[COUNT - 1].starts_with("| 2026-01-01 00:00:00 |"));
    // Every row as wide as the header: the widths hold across chunks.
    let header = run
        .stdout
        .lines()
        .find(|l| l.starts_with("| Date "))
        .unwrap();
    assert!(rows.iter().all(|row| row.len() == header.len()));
    assert_eq!(
        rows.iter().filter(|row| row.contains("failure")).count(),
        400
    );
    // Runs of 2, 3 and 4 s with 1, 2 and 3 s of processing.
    let average_run = (667.0 * 2.0 + 667.0 * 3.0 + 666.0 * 4.0) / 2000.0;
    let average_proc = average_run - 1.0;
    let average_eff = (667.0 * 50.0 + 667.0 * 200.0 / 3.0 + 666.0 * 75.0) / 2000.0;
    let summary = format!(
        "\n                   Minimal value: 0:00:02   0:00:01    50.00\n                   \
         Maximal value: 0:00:04   0:00:03    75.00\n                   \
         Average value: 0:00:0{average_run:.6}   0:00:0{average_proc:.6}   {average_eff:6.2}\n\n"
    );
    assert!(
        run.stdout.ends_with(&summary),
        "{}",
        &run.stdout[run.stdout.len() - 400..]
    );

    let run = sb.run(&["--action", "runlogs-evaluate", "--limit", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("  Runlog(s) found: 2,000\n  Result limit: 3\n"));
    let labels: Vec<&str> = rows_of(&run.stdout).iter().map(|row| &row[2..21]).collect();
    assert_eq!(
        labels,
        [
            "2026-01-02 09:19:00",
            "2026-01-02 09:18:00",
            "2026-01-02 09:17:00"
        ]
    );
}

#[test]
fn tables_are_drawn_with_box_lines_on_a_terminal_only() {
    let sb = Sandbox::new("demo_app");
    sb.write(
        &format!("{DIR}/202611251000.00001.runlog"),
        &runlog(1_764_064_800.0, "2026-11-25 10:00:00", 2.0, "success"),
    );
    let args = ["--action", "runlogs-evaluate"];
    let piped = sb.run(&args);
    assert_eq!(piped.code, 0, "{piped:?}");
    assert!(piped.stdout.contains("+---"), "{piped:?}");
    assert!(!piped.stdout.contains('│'), "{piped:?}");
    // `script` runs the program on a pseudo-terminal, as a person would
    let line = format!(
        "{} {}",
        support::example("demo_app").display(),
        args.join(" ")
    );
    let on_tty: support::Run = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(sb.root())
        .env("APP_ROOT_PATH", sb.root())
        .output()
        .unwrap()
        .into();
    assert_eq!(on_tty.code, 0, "{on_tty:?}");
    assert!(on_tty.stdout.contains('│'), "{on_tty:?}");
    assert!(!on_tty.stdout.contains("+---"), "{on_tty:?}");
}
