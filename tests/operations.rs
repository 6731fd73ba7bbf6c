//! End-to-end: operating a daemon — detaching, PID files, privileges,
//! start-stop-daemon, logrotate, systemd notifications, signal actions and
//! parallel instances — on the built `watch` example in a temporary root.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use support::{alive, pid_in, stop_within, wait_for, Run, Sandbox};

/// A watch sandbox: the followed file and a configuration.
fn sandbox() -> Sandbox {
    let sb = Sandbox::new("watch");
    sb.write("app.log", "");
    let conf = serde_json::json!({"file": sb.path("app.log")});
    sb.write("etc/watch.conf", &conf.to_string());
    std::fs::create_dir_all(sb.path("etc/watch")).unwrap();
    sb
}

fn pid_of(sb: &Sandbox, rel: &str) -> i32 {
    pid_in(&sb.path(rel))
}

/// Signals a detached daemon and waits (10 s at most) until it is gone.
fn stop(pid: i32, signal: Signal) {
    stop_within(pid, signal, Duration::from_secs(10));
}

fn status_line(pid: i32, key: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap()
        .to_string();
    line.split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_launcher_returns_once_the_detached_daemon_is_up() {
    let sb = sandbox();
    std::fs::create_dir_all(sb.path("work")).unwrap();
    let work = sb.path("work");
    let run = sb.run(&["--work-dir", &work.to_string_lossy(), "--umask", "027"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    let pid = pid_of(&sb, "var/run/watch.pid");
    assert!(alive(pid));
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    assert_eq!(fields[1], "1", "parent is init: {stat}");
    let (session, tty) = (fields[3], fields[4]);
    assert_ne!(
        session,
        nix::unistd::getsid(None).unwrap().to_string(),
        "own session"
    );
    assert_eq!(tty, "0", "no controlling terminal");
    for fd in 0..3 {
        let target = std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).unwrap();
        assert_eq!(target, Path::new("/dev/null"), "fd {fd}");
    }
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap(),
        work
    );
    assert_eq!(status_line(pid, "Umask:"), "0027");
    let mode = std::fs::metadata(sb.path("var/run/watch.pid")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o644
    );
    // the launcher returns once the daemon is set up; its first event
    // follows
    wait_for(&sb.path("var/log/watch.log"), "Daemon startup initiated");

    // a second instance is refused and leaves the PID file alone
    let second = sb.run(&[]);
    assert_ne!(second.code, 0, "{second:?}");
    assert!(
        second
            .stderr
            .contains(&format!("another instance is running with PID {pid}")),
        "{second:?}"
    );
    assert_eq!(pid_of(&sb, "var/run/watch.pid"), pid);

    stop(pid, Signal::SIGINT);
    assert!(
        !sb.path("var/run/watch.pid").exists(),
        "PID file removed at exit"
    );
    assert_eq!(sb.runlogs("var/run/watch").len(), 1);
}

#[test]
fn start_up_failures_reach_the_launcher() {
    let sb = sandbox();
    sb.write("etc/watch.conf", "{\"pattern\": 5}");
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        run.stderr.contains("configuration key 'pattern'"),
        "{run:?}"
    );

    let sb = sandbox();
    let run = sb.run(&["--work-dir", "/no/such/dir"]);
    assert_ne!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(
        lines[0].contains("CRITICAL ERROR: cannot chdir to /no/such/dir"),
        "{run:?}"
    );
    assert!(!sb.path("var/run/watch.pid").exists());
}

#[test]
fn a_killed_daemon_can_be_restarted_and_stale_pids_are_not_signalled() {
    let sb = sandbox();
    assert_eq!(sb.run(&[]).code, 0);
    let pid = pid_of(&sb, "var/run/watch.pid");
    stop(pid, Signal::SIGKILL);
    assert!(
        sb.path("var/run/watch.pid").exists(),
        "a killed daemon leaves its PID file"
    );
    let run = sb.run(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    let new = pid_of(&sb, "var/run/watch.pid");
    assert_ne!(new, pid);
    stop(new, Signal::SIGTERM);

    // an unrelated live process in a stale PID file is left alone
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    sb.write("var/run/watch.pid", &format!("{}\n", sleeper.id()));
    let run = sb.run(&["--action", "signal-term"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("is not the daemon"), "{run:?}");
    assert!(
        sleeper.try_wait().unwrap().is_none(),
        "the unrelated process was signalled"
    );
    sleeper.kill().unwrap();
    let _ = sleeper.wait();
}

#[test]
fn signal_actions_and_their_failures() {
    let sb = sandbox();
    let run = sb.run(&["--action", "signal-check"]);
    assert_eq!(run.code, 1, "{run:?}");
    let pid_file = sb.path("var/run/watch.pid");
    assert!(
        run.stderr
            .contains(&format!("PID file '{}' does not exist", pid_file.display())),
        "{run:?}"
    );

    sb.write("var/run/watch.pid", "not a pid\n");
    let run = sb.run(&["--action", "signal-usr1"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("Malformed PID file '{}'", pid_file.display())),
        "{run:?}"
    );

    sb.write("var/run/watch.pid", "4194000\n");
    let run = sb.run(&["--action", "signal-hup"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("Process with PID '4194000' does not exist"),
        "{run:?}"
    );
    std::fs::remove_file(&pid_file).unwrap();

    assert_eq!(sb.run(&[]).code, 0);
    let pid = pid_of(&sb, "var/run/watch.pid");
    for (action, name) in [
        ("signal-check", "0"),
        ("signal-alrm", "SIGALRM"),
        ("signal-usr1", "SIGUSR1"),
        ("signal-usr2", "SIGUSR2"),
        ("signal-hup", "SIGHUP"),
    ] {
        let run = sb.run(&["--action", action]);
        assert_eq!(run.code, 0, "{action}: {run:?}");
        assert_eq!(
            run.stdout,
            format!(
                "Sending signal '{name}' to process '{pid}' [{}]\n",
                pid_file.display()
            ),
            "{action}"
        );
    }
    wait_for(
        &sb.path("var/log/watch.log"),
        "Current daemon state saved to file",
    );
    wait_for(&sb.path("var/log/watch.log"), "Configuration reloaded");
    if nix::unistd::Uid::effective().is_root() {
        std::fs::set_permissions(
            sb.root(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let run = sb.run(&[
            "--action",
            "signal-usr1",
            "--user",
            "nobody",
            "--log-file",
            "/dev/null",
        ]);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(
            run.stderr.contains(&format!(
                "Insufficient permissions to send signal 'SIGUSR1' to process '{pid}'"
            )),
            "{run:?}"
        );
    } else {
        eprintln!(
            "skipped: the permission-denied case of signal_actions_and_their_failures needs root"
        );
    }
    let run = sb.run(&["--action", "signal-int"]);
    assert_eq!(run.code, 0, "{run:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    let run = sb.run(&["--action", "signal-term"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn parallel_instances_each_get_one_signal() {
    let sb = sandbox();
    assert_eq!(sb.run(&["--parallel"]).code, 0);
    assert_eq!(sb.run(&["--paralel"]).code, 0);
    let mut pid_files: Vec<_> = std::fs::read_dir(sb.path("var/run"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pid"))
        .collect();
    pid_files.sort();
    assert_eq!(pid_files.len(), 2, "{pid_files:?}");
    assert!(pid_files
        .iter()
        .all(|n| n.starts_with("watch.") && n.len() == "watch.00000.pid".len()));
    let run = sb.run(&["--parallel", "--action", "signal-usr1"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 2, "{run:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while sb
        .read("var/log/watch.log")
        .matches("Application runlog saved to file")
        .count()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "{}",
            sb.read("var/log/watch.log")
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        sb.read("var/log/watch.log")
            .matches("Application runlog saved to file")
            .count(),
        2
    );
    for name in pid_files {
        stop(pid_of(&sb, &format!("var/run/{name}")), Signal::SIGTERM);
    }
}

#[test]
fn privileges_are_dropped_for_good() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: privileges_are_dropped_for_good needs root");
        return;
    }
    let sb = sandbox();
    std::fs::set_permissions(sb.root(), PermissionsExt::from_mode(0o755)).unwrap();
    // where the state files go must be writable by the account: checked at start
    std::fs::create_dir_all(sb.path("var/run")).unwrap();
    let run = sb.run(&["--user", "nobody", "--group", "nogroup"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("is not writable by that account"),
        "{run:?}"
    );
    std::fs::set_permissions(sb.path("var/run"), PermissionsExt::from_mode(0o1777)).unwrap();
    let run = sb.run(&["--user", "nobody", "--group", "nogroup"]);
    assert_eq!(run.code, 0, "{run:?}");
    let pid = pid_of(&sb, "var/run/watch.pid");
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap().uid;
    let nogroup = nix::unistd::Group::from_name("nogroup")
        .unwrap()
        .unwrap()
        .gid;
    let (u, g) = (nobody.to_string(), nogroup.to_string());
    assert_eq!(status_line(pid, "Uid:"), format!("{u} {u} {u} {u}"));
    assert_eq!(status_line(pid, "Gid:"), format!("{g} {g} {g} {g}"));
    let groups = status_line(pid, "Groups:");
    assert!(!groups.split(' ').any(|g| g == "0"), "Groups: {groups}");
    stop(pid, Signal::SIGINT);
    // the PID file stays root's; the root process the daemon left removes it
    let pid_file = sb.path("var/run/watch.pid");
    let deadline = Instant::now() + Duration::from_secs(5);
    while pid_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!pid_file.exists(), "PID file left behind");
    let runlogs = sb.runlogs("var/run/watch");
    assert_eq!(runlogs.len(), 1);
    let runlog = support::json(&std::fs::read_to_string(&runlogs[0]).unwrap());
    assert_eq!(runlog["result"], "success", "{runlog}");
    assert!(sb.path("var/run/watch.pstate").exists());
}

#[test]
fn start_stop_daemon_starts_checks_and_stops_it() {
    let Ok(ssd) = which("start-stop-daemon") else {
        panic!(
            "start-stop-daemon is not installed; ./run-tests installs it (Debian's dpkg package)"
        );
    };
    let root = nix::unistd::geteuid().is_root();
    for as_nobody in [false, true] {
        if as_nobody && !root {
            eprintln!(
                "skipped: start_stop_daemon_starts_checks_and_stops_it with --user needs root"
            );
            continue;
        }
        let sb = sandbox();
        let mut extra: Vec<String> = Vec::new();
        if as_nobody {
            std::fs::set_permissions(sb.root(), PermissionsExt::from_mode(0o755)).unwrap();
            let state = sb.path("var/lib/watch");
            std::fs::create_dir_all(&state).unwrap();
            std::os::unix::fs::chown(&state, Some(65534), Some(65534)).unwrap();
            for arg in [
                "--user",
                "nobody",
                "--group",
                "nogroup",
                "--pstate-file",
                &state.join("watch.pstate").to_string_lossy(),
                "--state-file",
                &state.join("watch.state").to_string_lossy(),
            ] {
                extra.push(arg.to_string());
            }
        }
        let pid_file = sb.path("var/run/watch.pid");
        let exe = support::example("watch");
        let ssd_run = |args: &[&str]| -> Run {
            Command::new(&ssd)
                .args(args)
                .env("APP_ROOT_PATH", sb.root())
                .current_dir(sb.root())
                .output()
                .unwrap()
                .into()
        };
        let pid_arg = pid_file.to_string_lossy().into_owned();
        let exe_arg = exe.to_string_lossy().into_owned();
        let mut start = vec![
            "--start",
            "--pidfile",
            &pid_arg,
            "--exec",
            &exe_arg,
            "--",
            "--umask",
            "022",
        ];
        start.extend(extra.iter().map(String::as_str));
        let run = ssd_run(&start);
        assert_eq!(run.code, 0, "{as_nobody}: {run:?}");
        assert!(!run.stderr.to_lowercase().contains("insecure"), "{run:?}");
        let meta = std::fs::metadata(&pid_file).unwrap();
        assert_eq!(
            std::os::unix::fs::MetadataExt::uid(&meta),
            0,
            "the PID file stays root's"
        );
        let run = ssd_run(&["--status", "--pidfile", &pid_arg]);
        assert_eq!(run.code, 0, "running: {run:?}");
        let run = ssd_run(&["--stop", "--retry", "TERM/30/KILL/5", "--pidfile", &pid_arg]);
        assert_eq!(run.code, 0, "{run:?}");
        // a dropped daemon leaves the removal to the root process it left
        let deadline = Instant::now() + Duration::from_secs(5);
        while pid_file.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!pid_file.exists(), "{as_nobody}: PID file left behind");
        let run = ssd_run(&["--status", "--pidfile", &pid_arg]);
        assert_eq!(run.code, 3, "not running, no PID file: {run:?}");
        assert!(sb
            .read("var/log/watch.log")
            .contains("WARNING: Received signal 'SIGTERM' (15)"));
    }
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.exists())
        .ok_or(())
}

/// Appends lines `ERROR tick N` to the watched file; the daemon logs each
/// as `Match for 'ERROR': ERROR tick N`.
fn feed(sb: &Sandbox, from: usize, to: usize) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(sb.path("app.log"))
        .unwrap();
    for n in from..to {
        writeln!(file, "ERROR tick {n}").unwrap();
    }
}

fn logrotate(sb: &Sandbox, body: &str) {
    let Ok(bin) = which("logrotate") else {
        panic!("logrotate is not installed; ./run-tests installs it");
    };
    let conf = sb.write(
        "logrotate.conf",
        &format!(
            "{} {{\n{body}\n}}\n",
            sb.path("var/log/watch.log").display()
        ),
    );
    let state = sb.path("logrotate.state");
    let run: Run = Command::new(bin)
        .args([
            "-f",
            "-s",
            &state.to_string_lossy(),
            &conf.to_string_lossy(),
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{run:?}");
}

fn every_tick_once(sb: &Sandbox, count: usize) {
    let mut all = String::new();
    for entry in std::fs::read_dir(sb.path("var/log")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.contains(&0), "a log file has NUL bytes");
        all.push_str(&String::from_utf8_lossy(&bytes));
    }
    for n in 0..count {
        let line = format!("Match for 'ERROR': ERROR tick {n}\n");
        assert_eq!(all.matches(&line).count(), 1, "tick {n}");
    }
}

#[test]
fn logrotate_create_with_sighup_and_copytruncate_lose_no_line() {
    for (mode, body) in [
        (
            "create",
            "    rotate 5\n    create 0644\n    postrotate\n        kill -HUP $(cat PIDFILE)\n    endscript",
        ),
        ("copytruncate", "    rotate 5\n    copytruncate"),
    ] {
        let sb = sandbox();
        assert_eq!(sb.run(&[]).code, 0, "{mode}");
        let pid = pid_of(&sb, "var/run/watch.pid");
        feed(&sb, 0, 50);
        wait_for(&sb.path("var/log/watch.log"), "ERROR tick 49");
        let body = body.replace("PIDFILE", &sb.path("var/run/watch.pid").to_string_lossy());
        logrotate(&sb, &body);
        feed(&sb, 50, 100);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(sb.path("var/log/watch.log")).unwrap_or_default();
            if text.contains("ERROR tick 99") {
                break;
            }
            assert!(Instant::now() < deadline, "{mode}: tick 99 never logged");
            std::thread::sleep(Duration::from_millis(10));
        }
        stop(pid, Signal::SIGINT);
        every_tick_once(&sb, 100);
        assert!(
            sb.path("var/log/watch.log.1").exists(),
            "{mode}: rotated file"
        );
    }
}

#[test]
fn systemd_notifications_arrive_in_order() {
    let sb = sandbox();
    let socket_path = sb.path("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut child = sb
        .command(&["--no-daemon"])
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "200000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut buf = [0u8; 512];
    let mut next = || {
        let n = socket.recv(&mut buf).expect("a notification");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let mut seen = Vec::new();
    let mut take_until = |want: &str, seen: &mut Vec<String>| loop {
        let message = next();
        let done = message.starts_with(want);
        seen.push(message);
        if done {
            return;
        }
    };
    take_until("READY=1", &mut seen);
    take_until("WATCHDOG=1", &mut seen);
    take_until("WATCHDOG=1", &mut seen);
    support::signal(&child, Signal::SIGHUP);
    take_until("RELOADING=1", &mut seen);
    let reloading = seen.last().unwrap().clone();
    let usec: u64 = reloading
        .lines()
        .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
        .expect("MONOTONIC_USEC")
        .parse()
        .unwrap();
    assert!(usec > 0);
    take_until("READY=1", &mut seen);
    support::signal(&child, Signal::SIGINT);
    take_until("STOPPING=1", &mut seen);
    assert_eq!(support::wait_exit(&mut child), 0);
    let order: Vec<&str> = seen
        .iter()
        .map(|m| m.lines().next().unwrap())
        .filter(|m| *m != "WATCHDOG=1")
        .collect();
    assert_eq!(
        order,
        ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"],
        "{seen:?}"
    );
}

#[test]
fn the_watchdog_is_pinged_at_half_its_interval_while_one_second_handlers_keep_the_queue_busy() {
    let sb = Sandbox::new("demo_daemon");
    let socket_path = sb.path("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // WATCHDOG_USEC of 2 s: a ping every second; each unit of work takes
    // 1 s and schedules the next at once
    let mut child = support::Running::from(
        sb.command(&["--work-seconds", "1"])
            .env("NOTIFY_SOCKET", &socket_path)
            .env("WATCHDOG_USEC", "2000000")
            .env_remove("WATCHDOG_PID")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut buf = [0u8; 512];
    // when READY=1 and each WATCHDOG=1 arrived
    let mut ready = None;
    let mut pings = Vec::new();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while pings.len() < 4 && Instant::now() < deadline {
        let Ok(n) = socket.recv(&mut buf) else {
            break;
        };
        let message = String::from_utf8_lossy(&buf[..n]).into_owned();
        match message.as_str() {
            "READY=1" if ready.is_none() => ready = Some(Instant::now()),
            "WATCHDOG=1" => pings.push(Instant::now()),
            _ => {}
        }
        seen.push(message);
    }
    support::signal(&child, Signal::SIGINT);
    assert_eq!(support::wait_exit(&mut child), 0);
    assert_eq!(
        seen.first().map(String::as_str),
        Some("READY=1"),
        "{seen:?}"
    );
    assert!(pings.len() >= 3, "the watchdog was starved: {seen:?}");
    let gaps: Vec<f64> = ready
        .iter()
        .chain(&pings)
        .collect::<Vec<_>>()
        .windows(2)
        .map(|p| (*p[1] - *p[0]).as_secs_f64())
        .collect();
    // due 1 s after READY=1 or the previous ping, late by at most the 1 s
    // handler running then; the margin is for a loaded machine
    for gap in &gaps {
        assert!(*gap < 1.0 + 1.0 + 1.5, "gaps of {gaps:?} s");
    }
    // the pings came while the work went on
    let log = sb.read("tmp/demo_daemon.log");
    assert!(
        log.matches("INFO: Work unit done.").count() >= pings.len() - 1,
        "{log}"
    );
}

#[test]
fn the_systemd_unit_runs_the_daemon_as_configured_here() {
    let sb = sandbox();
    let conf = sb.path("etc/watch.conf").to_string_lossy().into_owned();
    let conf_dir = sb.path("etc/watch").to_string_lossy().into_owned();
    let run = sb.run(&[
        "--action",
        "systemd-unit",
        "--name",
        "tail-app",
        "--config-file",
        &conf,
        "--config-dir",
        &conf_dir,
        "--stats-interval",
        "10",
        "--parallel",
        "-v",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let unit = &run.stdout;
    let exe = support::example("watch");
    let pid_file = sb.path("var/run/tail-app.pid");
    let exec = unit
        .lines()
        .find(|l| l.starts_with("ExecStart="))
        .expect("ExecStart");
    assert!(
        exec.starts_with(&format!(
            "ExecStart={} --no-daemon --pid-file {}",
            exe.display(),
            pid_file.display()
        )),
        "{unit}"
    );
    assert!(
        unit.contains(&format!(
            "\nEnvironment=\"APP_ROOT_PATH={}\"\n",
            sb.root().display()
        )),
        "{unit}"
    );
    for option in [
        "--name tail-app",
        "--stats-interval 10",
        "--parallel",
        " -v",
    ] {
        assert!(exec.contains(option), "{option} missing: {unit}");
    }
    assert!(!exec.contains("--action"), "{unit}");
    for line in [
        "Type=notify",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "KillSignal=SIGINT",
        "TimeoutStopSec=35",
        "WantedBy=multi-user.target",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} missing: {unit}");
    }
}

#[test]
fn the_chroot_is_entered_once_after_the_pid_and_log_files() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: the_chroot_is_entered_once_after_the_pid_and_log_files needs root");
        return;
    }
    let sb = sandbox();
    let jail = sb.path("jail");
    std::fs::create_dir_all(&jail).unwrap();
    std::fs::write(jail.join("app.log"), "").unwrap();
    // the followed file is read inside the jail; the configuration file is
    // read before it
    let conf = serde_json::json!({"file": "/app.log"});
    sb.write("etc/watch.conf", &conf.to_string());
    let jail_arg = jail.display().to_string();
    let mut child = sb.spawn(&["--no-daemon", "--chroot-dir", &jail_arg]);
    let log = sb.path("var/log/watch.log");
    wait_for(&log, "Daemon startup initiated");
    let pid = child.id();
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/root")).unwrap(),
        jail,
        "the root of the daemon"
    );
    assert_eq!(pid_of(&sb, "var/run/watch.pid"), pid as i32);
    assert!(!jail
        .join(sb.path("var/run").strip_prefix("/").unwrap())
        .exists());
    use std::io::Write;
    let mut followed = std::fs::OpenOptions::new()
        .append(true)
        .open(jail.join("app.log"))
        .unwrap();
    writeln!(followed, "ERROR inside the jail").unwrap();
    wait_for(&log, "Match for 'ERROR': ERROR inside the jail");
    support::signal(&child, Signal::SIGTERM);
    support::wait_exit(&mut child);
}

#[test]
fn links_planted_for_the_service_account_are_refused() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: links_planted_for_the_service_account_are_refused needs root");
        return;
    }
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    for (place, how) in [
        ("var/log/watch.log", "symlink"),
        ("var/log/watch.log", "hard link"),
        ("var/run/watch", "symlink"),
    ] {
        let sb = sandbox();
        // what root owns and the account must not get
        let secret = sb.path("secret");
        std::fs::create_dir_all(secret.parent().unwrap()).unwrap();
        let target = if place.ends_with(".log") {
            std::fs::write(&secret, "root's\n").unwrap();
            std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
            secret.clone()
        } else {
            std::fs::create_dir_all(&secret).unwrap();
            secret.clone()
        };
        let planted = sb.path(place);
        std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
        if how == "symlink" {
            std::os::unix::fs::symlink(&target, &planted).unwrap();
        } else {
            std::fs::hard_link(&target, &planted).unwrap();
        }
        let run = sb.run(&["--user", "nobody", "--group", "nogroup"]);
        assert_ne!(run.code, 0, "{place} as a {how}: {run:?}");
        let why = if how == "symlink" {
            "symbolic link"
        } else {
            "hard links"
        };
        assert!(run.stderr.contains(why), "{place} as a {how}: {run:?}");
        let meta = std::fs::metadata(&secret).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (0, 0), "{place} as a {how}");
        if secret.is_file() {
            assert_eq!(std::fs::read_to_string(&secret).unwrap(), "root's\n");
            assert_eq!(meta.mode() & 0o777, 0o640);
        }
    }
}

#[test]
fn a_signal_action_signals_only_the_process_that_holds_the_pid_file() {
    let sb = sandbox();
    assert_eq!(sb.run(&[]).code, 0);
    let daemon = pid_of(&sb, "var/run/watch.pid");
    // another process's PID written into the daemon's PID file
    let mut bystander = support::Running::from(
        std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap(),
    );
    sb.write("var/run/watch.pid", &format!("{}\n", bystander.id()));
    let run = sb.run(&["--action", "signal-term"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "Process with PID '{}' is not the daemon: PID file '{}' is held by process '{daemon}'",
            bystander.id(),
            sb.path("var/run/watch.pid").display()
        )),
        "{run:?}"
    );
    assert!(
        bystander.try_wait().unwrap().is_none(),
        "the bystander was signalled"
    );
    stop(daemon, Signal::SIGTERM);
}

#[test]
fn a_running_pyzenkit_daemon_is_signalled_through_its_unlocked_pid_file() {
    let sb = sandbox();
    std::fs::create_dir_all(sb.path("var/run")).unwrap();
    // pyzenkit's daemon: the process runs the application, the file holds
    // its PID and nothing locks it
    let mut pyzenkit = support::Running::from(
        std::process::Command::new("bash")
            .args(["-c", "exec -a watch sleep 60"])
            .spawn()
            .unwrap(),
    );
    sb.write("var/run/watch.pid", &format!("{}\n", pyzenkit.id()));
    let run = sb.run(&["--action", "signal-usr1"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "PID file '{}' is not locked; process '{}' runs 'watch', taken for a pyzenkit daemon",
            sb.path("var/run/watch.pid").display(),
            pyzenkit.id()
        )),
        "{run:?}"
    );
    assert!(run.stdout.contains(&format!(
        "Sending signal 'SIGUSR1' to process '{}'",
        pyzenkit.id()
    )));
    let status = pyzenkit.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(Signal::SIGUSR1 as i32)
    );
    // a process running something else is not signalled
    let mut other = support::Running::from(
        std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap(),
    );
    sb.write("var/run/watch.pid", &format!("{}\n", other.id()));
    let run = sb.run(&["--action", "signal-usr1"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("which is stale"), "{run:?}");
    assert!(other.try_wait().unwrap().is_none());
}

#[test]
fn a_pid_file_planted_by_another_account_is_not_adopted() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: a_pid_file_planted_by_another_account_is_not_adopted needs root");
        return;
    }
    let sb = sandbox();
    let run_dir = sb.path("var/run");
    std::fs::create_dir_all(&run_dir).unwrap();
    std::fs::set_permissions(&run_dir, PermissionsExt::from_mode(0o1777)).unwrap();
    let planted = sb.write("var/run/watch.pid", "");
    std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
    let run = sb.run(&[]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "PID file {} belongs to another account (uid 65534)",
            planted.display()
        )),
        "{run:?}"
    );
    assert_eq!(
        std::fs::read(&planted).unwrap(),
        b"",
        "nothing written into it"
    );
    // and a hard link to a file of root's is not written through
    std::fs::remove_file(&planted).unwrap();
    let target = sb.write("roots-file", "root's\n");
    std::fs::hard_link(&target, &planted).unwrap();
    let run = sb.run(&[]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("has other hard links"), "{run:?}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "root's\n");
}
