//! End-to-end: special and huge files are refused without hanging, links in
//! the runlog directory are not followed, and the temporary files of killed
//! writers are removed, on the built examples.

mod support;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::stat::Mode;
use support::{wait_exit, Run, Sandbox};

/// Runs the program with no input; it must end in time ([`wait_exit`]), or
/// it is killed and the test fails.
fn run_guarded(sb: &Sandbox, args: &[&str]) -> Run {
    let mut child = sb
        .command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("program starts");
    wait_exit(&mut child);
    child.wait_with_output().expect("program output").into()
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    nix::unistd::mkfifo(path, Mode::from_bits_truncate(0o600)).unwrap();
}

/// The only line of stderr, which must contain `expected`.
fn one_line_with(run: &Run, expected: &str) {
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(lines[0].contains(expected), "{expected:?} not in {run:?}");
}

/// A process ID that no process has.
fn dead_pid() -> i32 {
    let max = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|t| t.trim().parse::<i32>().ok())
        .unwrap_or(32768);
    (2..max)
        .rev()
        .find(|&pid| {
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None)
                == Err(nix::errno::Errno::ESRCH)
        })
        .expect("a free process ID")
}

#[test]
fn fifo_and_device_as_configuration_file_are_refused_at_once() {
    let sb = Sandbox::new("demo_app");
    let fifo = sb.path("etc/fifo.conf");
    mkfifo(&fifo);
    let fifo_arg = fifo.to_str().unwrap();
    for (path, kind) in [(fifo_arg, "a FIFO"), ("/dev/zero", "a character device")] {
        let started = Instant::now();
        let run = run_guarded(&sb, &["--config-file", path]);
        assert_eq!(run.code, 78, "{run:?}");
        one_line_with(
            &run,
            &format!(
                "configuration file {path} is not a regular file ({kind}); point --config-file at a file"
            ),
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{path}");
    }
}

#[test]
fn fifo_in_the_configuration_directory_is_refused() {
    let sb = Sandbox::new("demo_app");
    sb.write("etc/conf.d/10-a.json.conf", "{}");
    let fifo = sb.path("etc/conf.d/x.json.conf");
    mkfifo(&fifo);
    let dir = sb.path("etc/conf.d");
    let run = run_guarded(&sb, &["--config-dir", dir.to_str().unwrap()]);
    assert_eq!(run.code, 78, "{run:?}");
    one_line_with(
        &run,
        &format!(
            "configuration file {} is not a regular file (a FIFO); remove it from the configuration directory",
            fifo.display()
        ),
    );
}

#[test]
fn configuration_file_over_16_mib_is_refused() {
    let sb = Sandbox::new("demo_app");
    let path = sb.path("etc/huge.conf");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // A JSON object padded with blanks: valid, only too large.
    let mut text = vec![b' '; 17 << 20];
    text[0] = b'{';
    *text.last_mut().unwrap() = b'}';
    std::fs::write(&path, text).unwrap();
    let run = run_guarded(&sb, &["--config-file", path.to_str().unwrap()]);
    assert_eq!(run.code, 78, "{run:?}");
    one_line_with(
        &run,
        &format!(
            "configuration file {} is larger than 16 MiB; make it smaller",
            path.display()
        ),
    );
}

#[test]
fn fifo_as_the_persistent_state_file_is_a_setup_error() {
    let sb = Sandbox::new("demo_app");
    let fifo = sb.path("tmp/state.fifo");
    mkfifo(&fifo);
    let run = run_guarded(&sb, &["--pstate-file", fifo.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    one_line_with(
        &run,
        &format!(
            "persistent state file {} is not a regular file (a FIFO); point --pstate-file at a file",
            fifo.display()
        ),
    );
}

#[test]
fn fifo_as_the_input_of_runlog_dump_is_refused() {
    let sb = Sandbox::new("demo_app");
    let fifo = sb.path("tmp/input.runlog");
    mkfifo(&fifo);
    let args = ["--action", "runlog-dump", "--input", fifo.to_str().unwrap()];
    let run = run_guarded(&sb, &args);
    assert_eq!(run.code, 1, "{run:?}");
    one_line_with(
        &run,
        &format!(
            "runlog file {} is not a regular file (a FIFO); check the path given with --input",
            fifo.display()
        ),
    );
}

#[test]
fn links_in_the_runlog_directory_are_not_listed_nor_read() {
    let sb = Sandbox::new("demo_app");
    assert_eq!(run_guarded(&sb, &["--quiet"]).code, 0);
    let runlogs = sb.runlogs("tmp/demo_app");
    assert_eq!(runlogs.len(), 1);
    let elsewhere = sb.path("elsewhere/100001010000.00001.runlog");
    std::fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    std::fs::copy(&runlogs[0], &elsewhere).unwrap();
    // Newer than the real one by its name, so `runlog-dump` would pick it.
    let link = sb.path("tmp/demo_app/999912312359.00001.runlog");
    symlink(&elsewhere, &link).unwrap();

    let run = run_guarded(&sb, &["--action", "runlogs-list"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Runlog(s) found: 1\n"), "{run:?}");
    assert!(
        run.stdout.contains(&runlogs[0].display().to_string()),
        "{run:?}"
    );
    assert!(!run.stdout.contains("999912312359"), "{run:?}");

    for action in ["runlog-dump", "runlogs-dump", "runlogs-evaluate"] {
        let run = run_guarded(&sb, &["--action", action]);
        assert_eq!(run.code, 0, "{action}: {run:?}");
        assert!(!run.stdout.contains("999912312359"), "{action}: {run:?}");
    }
}

#[test]
fn temporary_files_of_dead_writers_are_removed_and_live_ones_kept() {
    let sb = Sandbox::new("demo_app");
    let dead = dead_pid();
    let ours = std::process::id();
    let planted = [
        format!("tmp/.demo_app.pstate.{dead}.0123456789abcdef.tmp"),
        format!("tmp/.demo_app.pstate.{ours}.0123456789abcdef.tmp"),
        format!("tmp/demo_app/.200001010000.00001.runlog.{dead}.0123456789abcdef.tmp"),
        format!("tmp/demo_app/.200001010000.00001.runlog.{ours}.0123456789abcdef.tmp"),
        // Not of the pattern: left alone whatever its number.
        format!("tmp/.demo_app.pstate.{dead}.tmp"),
    ];
    for rel in &planted {
        sb.write(rel, "partial");
    }
    let run = run_guarded(&sb, &["--quiet"]);
    assert_eq!(run.code, 0, "{run:?}");
    let exists: Vec<bool> = planted.iter().map(|rel| sb.path(rel).exists()).collect();
    assert_eq!(exists, [false, true, false, true, true], "{planted:?}");
    assert_eq!(support::json(&sb.read("tmp/demo_app.pstate"))["counter"], 1);
}
