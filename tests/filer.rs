//! End-to-end: a filer pipeline of three detached daemons — the built
//! `filer_ingest`, `filer_enrich` and `filer_store` examples — in a
//! temporary root, driven through real files, queues and signals: nothing
//! lost or duplicated, SIGKILL at random moments, parallel instances,
//! back-pressure, bad messages, unsafe queue directories, and Mentat's
//! Python queue at both ends of a zenkit stage.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::{json, Value};
use support::pipeline::{
    check_stored, count, line_text, parallel_pids, stop, Pipeline, Rng, ENRICH, INGEST, STORE,
};
use zenkit_filer::{DirQueue, Options};

#[test]
fn ten_thousand_lines_pass_three_stages_once_and_intact() {
    let started = Instant::now();
    let p = Pipeline::new();
    p.write_lines(1, 5000);
    let ingest = p.ingest(&[]);
    let enrich = p.enrich(&["--queue-out-dir", STORE]);
    let store = p.store_stage(&[]);
    p.write_lines(5001, 10_000);
    let stored = p.wait_stored(10_000, 120);
    assert_eq!(
        check_stored(&stored, 10_000),
        0,
        "duplicates without a crash"
    );
    assert_eq!(stored.len(), 10_000);
    p.wait_queues_empty(&[ENRICH, STORE]);
    p.stop_gracefully(INGEST, ingest);
    p.stop_gracefully(ENRICH, enrich);
    p.stop_gracefully(STORE, store);
    // the offset survives a restart: nothing is read twice, nothing skipped
    let ingest = p.ingest(&[]);
    p.write_lines(10_001, 10_010);
    let enrich = p.enrich(&["--queue-out-dir", STORE]);
    let store = p.store_stage(&[]);
    let stored = p.wait_stored(10_010, 60);
    assert_eq!(check_stored(&stored, 10_010), 0);
    p.stop_gracefully(INGEST, ingest);
    p.stop_gracefully(ENRICH, enrich);
    p.stop_gracefully(STORE, store);
    eprintln!(
        "10,010 lines through three stages in {:?}",
        started.elapsed()
    );
}

#[test]
fn sigkill_of_enrich_and_store_at_random_moments_loses_nothing() {
    let p = Pipeline::new();
    let mut rng = Rng::new();
    let _ingest = p.ingest(&[]);
    let mut enrich = p.enrich(&["--queue-out-dir", STORE]);
    let mut store = p.store_stage(&[]);
    let (mut written, mut kills) = (0, 0);
    let started = Instant::now();
    while kills < 10 || (kills < 20 && started.elapsed() < Duration::from_secs(20)) {
        p.write_lines(written + 1, written + 200);
        written += 200;
        std::thread::sleep(Duration::from_millis(100 + rng.below(400)));
        if kills % 2 == 0 {
            stop(enrich, Signal::SIGKILL);
            enrich = p.enrich(&["--queue-out-dir", STORE]);
        } else {
            stop(store, Signal::SIGKILL);
            store = p.store_stage(&[]);
        }
        kills += 1;
    }
    let stored = p.wait_stored(written as usize, 120);
    let duplicates = check_stored(&stored, written);
    eprintln!(
        "{kills} SIGKILLs (enrich and store in turn) in {:?}, {written} lines: 0 lost, {duplicates} duplicate(s) at the store",
        started.elapsed()
    );
    // A duplicate only when store died between its append and the flush of
    // the batch's commits: at most one batch (`queue_batch`, 64) per kill of
    // store. A killed enrich leaves its staged commits undone, and its
    // messages are processed again before they reach store.
    let store_kills = kills / 2;
    assert!(
        duplicates <= store_kills * 64,
        "{duplicates} duplicates for {store_kills} kills of store"
    );
}

#[test]
fn four_parallel_enrich_instances_share_one_queue() {
    let p = Pipeline::new();
    p.write_lines(1, 2000);
    let _ingest = p.ingest(&[]);
    for _ in 0..4 {
        let run = p.launch(
            ENRICH,
            &[
                "--parallel",
                "--queue-out-dir",
                STORE,
                "--queue-in-wait",
                "1",
            ],
        );
        assert_eq!(run.code, 0, "{run:?}");
    }
    let pids = parallel_pids(&p, ENRICH);
    assert_eq!(pids.len(), 4, "{pids:?}");
    let _store = p.store_stage(&[]);
    p.write_lines(2001, 3000);
    let stored = p.wait_stored(3000, 90);
    assert_eq!(check_stored(&stored, 3000), 0, "a message processed twice");
    assert_eq!(stored.len(), 3000);
    for pid in pids {
        stop(pid, Signal::SIGINT);
    }
}

#[test]
fn the_output_limit_pauses_the_stage_until_the_next_queue_drains() {
    let p = Pipeline::new();
    let enrich = p.enrich(&[
        "--queue-out-dir",
        STORE,
        "--queue-out-limit",
        "5",
        "--queue-out-wait",
        "1",
    ]);
    let mut queue = DirQueue::open(p.spool(ENRICH), Options::default()).unwrap();
    for n in 1..=40 {
        let message = json!({"n": n, "line": line_text(n)});
        queue.enqueue(message.to_string().as_bytes()).unwrap();
    }
    p.wait_log(
        ENRICH,
        "Output queue limit '5' reached, pausing the processing for '1' second(s)",
    );
    // paused: it takes no more messages while the next queue stays full
    std::thread::sleep(Duration::from_millis(2500));
    // the sixth message makes the queue too full; the message taken while
    // the sixth was being committed goes through too
    let out = count(&p.spool(STORE).join("incoming"));
    assert!(
        (6..=7).contains(&out),
        "{out} messages passed the limit of 5"
    );
    assert_eq!(count(&p.spool(ENRICH).join("incoming")), 40 - out);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(count(&p.spool(STORE).join("incoming")), out, "still paused");
    assert!(!p.log(ENRICH).contains("Output queue free"));
    let _store = p.store_stage(&[]);
    p.wait_log(ENRICH, "Output queue free, resuming the processing");
    let stored = p.wait_stored(40, 60);
    assert_eq!(check_stored(&stored, 40), 0);
    p.stop_gracefully(ENRICH, enrich);
}

#[test]
fn a_stage_counts_the_next_queue_again_before_it_pauses_for_its_estimate() {
    let p = Pipeline::new();
    let enrich = p.enrich_limited(ENRICH, STORE);
    let mut input = DirQueue::open(p.spool(ENRICH), Options::default()).unwrap();
    let mut next = DirQueue::open(p.spool(STORE), Options::default()).unwrap();
    let mut send = |from: u64, to: u64| {
        for n in from..=to {
            let message = json!({"n": n, "line": line_text(n)});
            input.enqueue(message.to_string().as_bytes()).unwrap();
        }
    };
    let incoming = p.spool(STORE).join("incoming");
    let wait_for = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while count(&incoming) < n {
            assert!(
                Instant::now() < deadline,
                "{} of {n} in the next queue; log:\n{}",
                count(&incoming),
                p.log(ENRICH)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    send(1, 8);
    wait_for(8);
    // the next stage takes them all
    while let Some(message) = next.next().unwrap() {
        next.commit(message.id()).unwrap();
    }
    assert_eq!(count(&incoming), 0);
    // 8 + 8 commits: over the limit by the estimate, not by a count
    send(9, 16);
    wait_for(8);
    let out = p.wait_paused_by_count(|| send(17, 24), || count(&incoming) as u64);
    // the eleventh message makes the queue too full; the one taken while
    // it was being committed goes through too
    assert!(
        (11..=12).contains(&out),
        "{out} messages passed the limit of 10"
    );
    p.stop_gracefully(ENRICH, enrich);
}

#[test]
fn empty_and_malformed_messages_are_banished_with_the_reason() {
    let p = Pipeline::new();
    let enrich = p.enrich(&["--queue-out-dir", STORE]);
    let mut queue = DirQueue::open(p.spool(ENRICH), Options::default()).unwrap();
    let empty = queue.enqueue(b"").unwrap();
    let malformed = queue.enqueue(b"{\"n\": 1, \"line\": ").unwrap();
    let good = queue
        .enqueue(json!({"n": 2, "line": "fine"}).to_string().as_bytes())
        .unwrap();
    let errors = p.spool(ENRICH).join("errors");
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&errors) < 4 || count(&p.spool(STORE).join("incoming")) < 1 {
        assert!(Instant::now() < deadline, "not banished: {}", p.log(ENRICH));
        std::thread::sleep(Duration::from_millis(20));
    }
    let meta = |id: &zenkit_filer::MessageId| -> Value {
        let path = errors.join(format!("{}.meta", id.as_str()));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    assert!(errors.join(empty.as_str()).exists());
    assert_eq!(meta(&empty)["reason"], "empty message");
    assert!(errors.join(malformed.as_str()).exists());
    let reason = meta(&malformed)["reason"].as_str().unwrap().to_string();
    assert!(reason.starts_with("malformed JSON: "), "{reason}");
    assert!(p.spool(STORE).join("incoming").join(good.as_str()).exists());
    p.stop_gracefully(ENRICH, enrich);
}

/// Voluntary context switches of process `pid` so far: how often it slept
/// and woke.
fn wakeups(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_quiet_queue_costs_no_wake_ups_and_a_message_rearms_the_rescan() {
    const CHECK: &str = "Checking output queue size";
    let p = Pipeline::new();
    let enrich = p.start(
        ENRICH,
        &[
            "--queue-out-dir",
            STORE,
            "--queue-in-wait",
            "0.2",
            "--log-level",
            "debug",
        ],
    );
    p.wait_log(ENRICH, CHECK);
    std::thread::sleep(Duration::from_millis(300));
    let before = wakeups(enrich);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(wakeups(enrich), before, "an idle stage slept throughout");
    assert_eq!(
        p.log(ENRICH).matches(CHECK).count(),
        1,
        "one check at the start, none while quiet, though queue_in_wait is 0.2 s"
    );

    let mut queue = DirQueue::open(p.spool(ENRICH), Options::default()).unwrap();
    let id = queue
        .enqueue(json!({"n": 1, "line": "wake up"}).to_string().as_bytes())
        .unwrap();
    let handed_on = p.spool(STORE).join("incoming").join(id.as_str());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !handed_on.exists() {
        assert!(
            Instant::now() < deadline,
            "not processed: {}",
            p.log(ENRICH)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        p.log(ENRICH).matches(CHECK).count(),
        2,
        "the message re-armed the rescan, which found the queue quiet again"
    );
    p.stop_gracefully(ENRICH, enrich);
}

#[test]
fn a_world_writable_queue_directory_is_refused_at_start_up() {
    let p = Pipeline::new();
    let queue = p.spool(ENRICH);
    for sub in ["incoming", "pending", "tmp", "errors"] {
        std::fs::create_dir_all(queue.join(sub)).unwrap();
    }
    let incoming = queue.join("incoming");
    std::fs::set_permissions(&incoming, std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = p.launch(ENRICH, &["--queue-out-dir", STORE]);
    assert_ne!(run.code, 0, "{run:?}");
    let needle = format!("directory {} cannot be used", incoming.display());
    assert_eq!(run.stderr.matches(&needle).count(), 1, "{run:?}");
    assert!(run.stderr.contains("writable by every user"), "{run:?}");
    // the PID file goes with the daemon that failed, at its exit
    let deadline = Instant::now() + Duration::from_secs(10);
    while p.path("var/run/filer_enrich.pid").exists() {
        assert!(Instant::now() < deadline, "the PID file stays");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs Python `script` with `args` and returns what it printed.
fn python(script: &str, args: &[&str]) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs (./run-tests installs it with mentat-ng)");
    assert!(
        output.status.success(),
        "python3 failed (mentat.dirq comes with `pip install --no-deps mentat-ng`, \
         which ./run-tests does):\n{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_zenkit_stage_between_two_python_mentat_queues() {
    const N: u64 = 200;
    let p = Pipeline::new();
    let out = p.spool("python_out");
    let enrich = p.start(
        ENRICH,
        &[
            "--queue-out-dir",
            out.to_str().unwrap(),
            "--queue-in-wait",
            "1",
        ],
    );
    let enqueue = r#"
import json, sys, mentat.dirq
queue = mentat.dirq.DirectoryQueue(sys.argv[1])
for n in range(1, int(sys.argv[2]) + 1):
    queue.enqueue(json.dumps({"n": n, "line": sys.argv[3] + str(n)}))
"#;
    let inq = p.spool(ENRICH);
    python(
        enqueue,
        &[inq.to_str().unwrap(), &N.to_string(), "from Python ü "],
    );
    let drain = r#"
import json, sys, time, mentat.dirq
queue = mentat.dirq.DirectoryQueue(sys.argv[1])
want, got, deadline = int(sys.argv[2]), 0, time.time() + 60
while got < want and time.time() < deadline:
    (mid, data) = queue.next()
    if mid is None:
        time.sleep(0.05)
        continue
    print(data)
    queue.commit(mid)
    got += 1
"#;
    let printed = python(drain, &[out.to_str().unwrap(), &N.to_string()]);
    let mut seen = BTreeMap::new();
    for line in printed.lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        let n = value["n"].as_u64().unwrap();
        let text = format!("from Python ü {n}");
        assert_eq!(value["line"], text.as_str(), "{value}");
        assert_eq!(value["upper"], text.to_uppercase().as_str(), "{value}");
        assert_eq!(value["stage"], "enrich");
        *seen.entry(n).or_insert(0) += 1;
    }
    assert_eq!(seen.len() as u64, N, "{printed}");
    assert!(seen.values().all(|c| *c == 1));
    assert_eq!(count(&out.join("incoming")), 0);
    p.stop_gracefully(ENRICH, enrich);
}

#[test]
fn a_reload_that_moves_the_queues_is_refused_and_the_old_ones_stay() {
    let p = Pipeline::new();
    let enrich = p.enrich(&["--queue-out-dir", STORE]);
    // the configuration file of the stage names other queues
    let conf = p.path(&format!("etc/{ENRICH}.conf"));
    std::fs::create_dir_all(conf.parent().unwrap()).unwrap();
    std::fs::write(&conf, r#"{"queue_in_dir": "elsewhere"}"#).unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(enrich), Signal::SIGHUP).unwrap();
    p.wait_log(
        ENRICH,
        "queue_in_dir: the queues change at a restart, not at a reload",
    );
    // still served from the old queue
    let mut queue = DirQueue::open(p.spool(ENRICH), Options::default()).unwrap();
    queue
        .enqueue(
            json!({"n": 1, "line": "after the reload"})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&p.spool(STORE).join("incoming")) < 1 {
        assert!(
            Instant::now() < deadline,
            "not passed on: {}",
            p.log(ENRICH)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    p.stop_gracefully(ENRICH, enrich);
}
