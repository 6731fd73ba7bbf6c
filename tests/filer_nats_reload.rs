//! End-to-end: SIGHUP with a new server list in the configuration file
//! connects a stage on JetStream anew; messages published to the new
//! servers go through it, and the stage is never restarted.

mod support;

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::json;
use support::{pid_in, stop_within};
use zenkit::testing::Sandbox;
use zenkit_filer_nats::testing::Server;

/// Waits (up to 30 s) until `path` holds `n` lines.
fn wait_lines(path: &std::path::Path, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().count() >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} lines of {n} in {}",
            text.lines().count(),
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_reload_with_new_servers_connects_the_stage_to_them() {
    let (old, new) = (Server::start(), Server::start());
    let sandbox = Sandbox::new();
    let config = |servers: &str| {
        let keys = json!({
            "queue_in_dir": "nats:///RELOAD",
            "queue_out_dir": "nats:///RELOAD_OUT",
            "nats_servers": servers,
        });
        sandbox.write("etc/filer_enrich.conf", &keys.to_string());
    };
    config(&old.url());
    let run = sandbox
        .app("filer_enrich")
        .command::<&str>(&[])
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let enrich = pid_in(&sandbox.path("var/run/filer_enrich.pid"));

    config(&new.url());
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(enrich), Signal::SIGHUP).unwrap();
    let log = sandbox.path("var/log/filer_enrich.log");
    let deadline = Instant::now() + Duration::from_secs(30);
    let wanted = format!("Connecting anew, to the NATS servers {}", new.url());
    while !std::fs::read_to_string(&log).unwrap().contains(&wanted) {
        assert!(Instant::now() < deadline, "no reconnection in the log");
        std::thread::sleep(Duration::from_millis(50));
    }

    // a pipeline on the new server: ingest → enrich (reloaded) → store
    let source = sandbox.write("source.txt", "");
    let store = sandbox.path("store.jsonl");
    let url = new.url();
    for (program, args) in [
        (
            "filer_store",
            vec![
                "--queue-in-dir",
                "nats:///RELOAD_OUT",
                "--store",
                store.to_str().unwrap(),
            ],
        ),
        (
            "filer_ingest",
            vec![
                "--source",
                source.to_str().unwrap(),
                "--queue-out-dir",
                "nats:///RELOAD",
            ],
        ),
    ] {
        let mut args = args;
        args.extend(["--nats-servers", &url, "--config-file-silent"]);
        let run = sandbox.app(program).command(&args).output().unwrap();
        assert!(run.status.success(), "{program}: {run:?}");
    }
    let lines: String = (1..=100).map(|n| format!("line {n}\n")).collect();
    std::fs::write(&source, lines).unwrap();
    wait_lines(&store, 100);
    assert_eq!(
        pid_in(&sandbox.path("var/run/filer_enrich.pid")),
        enrich,
        "the stage was not restarted"
    );
    for program in ["filer_ingest", "filer_enrich", "filer_store"] {
        let pid = pid_in(&sandbox.path(format!("var/run/{program}.pid")));
        stop_within(pid, Signal::SIGINT, Duration::from_secs(30));
    }
}
