//! End-to-end: a directory queue takes larger messages than NATS servers
//! do (256 MiB against `max_payload`, 1 MB by default). A stage from a
//! directory to a stream banishes what the stream cannot take, with the
//! reason, and hands the rest on.

mod support;

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::{json, Value};
use support::{pid_in, stop_within};
use zenkit::testing::{runlogs_in, Sandbox};
use zenkit_filer::{DirQueue, Options};
use zenkit_filer_nats::testing::Server;

#[test]
fn a_message_larger_than_the_servers_take_is_banished_with_the_reason() {
    let server = Server::start();
    let sandbox = Sandbox::new();
    let spool = sandbox.path("var/spool/filer_enrich");
    let mut queue = DirQueue::open(&spool, Options::default()).unwrap();
    let large = json!({"n": 1, "line": "x".repeat(2 << 20)}).to_string();
    let large_id = queue.enqueue(large.as_bytes()).unwrap();
    queue
        .enqueue(json!({"n": 2, "line": "small"}).to_string().as_bytes())
        .unwrap();
    let url = server.url();
    let run = sandbox
        .app("filer_enrich")
        .command(&["--queue-out-dir", "nats:///LIMITS", "--nats-servers", &url])
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let pid = pid_in(&sandbox.path("var/run/filer_enrich.pid"));
    let meta = spool.join("errors").join(format!("{large_id}.meta"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !meta.exists() {
        assert!(Instant::now() < deadline, "{large_id} was not banished");
        std::thread::sleep(Duration::from_millis(50));
    }
    let reason: Value = serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    let reason = reason["reason"].as_str().unwrap();
    assert!(
        reason.contains("larger than the") && reason.contains("max_payload"),
        "{reason}"
    );
    // the content stays whole in errors/, as Mentat's tools expect it
    let banished = std::fs::read(spool.join("errors").join(large_id.as_str())).unwrap();
    assert_eq!(banished, large.as_bytes());
    stop_within(pid, Signal::SIGINT, Duration::from_secs(30));
    let runlogs = runlogs_in(&sandbox.path("var/run/filer_enrich"));
    let runlog: Value =
        serde_json::from_str(&std::fs::read_to_string(runlogs.last().unwrap()).unwrap()).unwrap();
    let stats = &runlog["statistics"]["components"]["filer"];
    assert_eq!(stats["cnt_committed"], 1, "{runlog}");
    assert_eq!(queue.count_incoming().unwrap(), 0);
    assert_eq!(queue.count_pending().unwrap(), 0);
}
