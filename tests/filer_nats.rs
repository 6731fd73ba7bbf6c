//! End-to-end: the filer pipeline of the built `filer_ingest`,
//! `filer_enrich` and `filer_store` examples with its queues on NATS
//! JetStream, against real `nats-server` processes on loopback: nothing
//! lost or duplicated, SIGKILL of stages, a cluster losing a server, two
//! instances on one consumer, back-pressure, banished messages, a
//! pipeline of directories and streams mixed, a reload to other servers
//! and a poison message.
//!
//! The servers are `zenkit_filer_nats::testing`'s; dropping them kills
//! them, and the sandbox of the pipeline kills its daemons, also when a
//! test fails.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, message::StreamMessage};
use nix::sys::signal::Signal;
use serde_json::{json, Value};
use support::pipeline::{
    check_stored, filer_statistics, parallel_pids, stop, Pipeline, Rng, ENRICH, INGEST, STORE,
};
use zenkit_filer_nats::testing::{Cluster, Server};

const TO_ENRICH: &str = "nats:///ENRICH";
const TO_STORE: &str = "nats:///STORE";

/// A JetStream client of the test's own, to look into the streams and
/// feed them.
struct Js {
    runtime: tokio::runtime::Runtime,
    js: jetstream::Context,
}

impl Js {
    /// Connects to `servers` (comma-separated URLs).
    fn connect(servers: &str) -> Js {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let addrs: Vec<async_nats::ServerAddr> =
            servers.split(',').map(|u| u.parse().unwrap()).collect();
        let js = runtime.block_on(async {
            let client = async_nats::ConnectOptions::new()
                .connect(addrs)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to {servers}: {e}"));
            jetstream::new(client)
        });
        Js { runtime, js }
    }

    /// The messages in `stream`; `None` when there is no such stream.
    fn messages(&self, stream: &str) -> Option<u64> {
        self.runtime.block_on(async {
            let mut stream = self.js.get_stream(stream).await.ok()?;
            Some(stream.info().await.ok()?.state.messages)
        })
    }

    /// Waits (up to 60 s) until `stream` holds `n` messages.
    fn wait_messages(&self, stream: &str, n: u64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.messages(stream);
            if got == Some(n) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "stream {stream} holds {got:?} messages, not {n}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Creates the work-queue stream `name` on the subject of its name,
    /// refusing messages over `max_bytes`.
    fn create_work_queue(&self, name: &str, max_bytes: i32) {
        self.runtime.block_on(async {
            self.js
                .create_stream(jetstream::stream::Config {
                    name: name.to_string(),
                    subjects: vec![name.to_string()],
                    retention: jetstream::stream::RetentionPolicy::WorkQueue,
                    max_message_size: max_bytes,
                    ..Default::default()
                })
                .await
                .unwrap_or_else(|e| panic!("creating stream {name}: {e}"));
        });
    }

    /// Publishes `data` on `subject` with the id `id`, and waits for the
    /// stream's acknowledgement.
    fn publish(&self, subject: &str, id: &str, data: &[u8]) {
        self.runtime.block_on(async {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", id);
            self.js
                .publish_with_headers(subject.to_string(), headers, data.to_vec().into())
                .await
                .unwrap()
                .await
                .unwrap_or_else(|e| panic!("publishing {id} on {subject}: {e}"));
        });
    }

    /// The messages `stream` keeps, by their `Nats-Msg-Id`.
    fn contents(&self, stream: &str) -> BTreeMap<String, StreamMessage> {
        self.runtime.block_on(async {
            let mut stream = self.js.get_stream(stream).await.unwrap();
            let state = stream.info().await.unwrap().state.clone();
            let mut messages = BTreeMap::new();
            for sequence in state.first_sequence..=state.last_sequence {
                let Ok(message) = stream.get_raw_message(sequence).await else {
                    continue;
                };
                let id = header(&message, "Nats-Msg-Id");
                messages.insert(id, message);
            }
            messages
        })
    }
}

/// What the streams and the consumers of the pipeline hold, and the end
/// of each stage's log: why lines did not arrive.
fn diagnose(p: &Pipeline, js: &Js) -> String {
    let mut out = String::new();
    js.runtime.block_on(async {
        for (stream, consumer) in [("ENRICH", ENRICH), ("STORE", STORE)] {
            let Ok(mut handle) = js.js.get_stream(stream).await else {
                out += &format!("no stream {stream}\n");
                continue;
            };
            let messages = handle.info().await.map(|i| i.state.messages);
            out += &format!("stream {stream}: {messages:?} message(s)\n");
            match handle.consumer_info(consumer).await {
                Ok(info) => {
                    out += &format!(
                        "consumer {consumer}: {} pending, {} taken and not acknowledged, {} redelivered\n",
                        info.num_pending, info.num_ack_pending, info.num_redelivered
                    )
                }
                Err(e) => out += &format!("consumer {consumer}: {e}\n"),
            }
        }
    });
    for name in [INGEST, ENRICH, STORE] {
        let log = p.log(name);
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n");
        out += &format!("--- the end of the log of {name}:\n{tail}\n");
    }
    out
}

/// Waits (up to `secs`) until the store holds lines `1..=n`; explains
/// with [`diagnose`] when it does not.
fn wait_stored(p: &Pipeline, js: &Js, n: usize, secs: u64) -> Vec<Value> {
    p.try_wait_stored(n, secs).unwrap_or_else(|got| {
        panic!(
            "only {got} of {n} lines stored after {secs} s\n{}",
            diagnose(p, js)
        )
    })
}

/// Header `name` of a stored message ("" without it).
fn header(message: &StreamMessage, name: &str) -> String {
    // parsed, a standard name (Nats-Msg-Id) is found as well as a custom one
    let name: async_nats::HeaderName = name.parse().unwrap();
    message
        .headers
        .get(name)
        .map(|v| v.as_str().to_string())
        .unwrap_or_default()
}

/// The arguments every stage of a test gets: the servers, and a short
/// `nats_ack_wait`, so that the messages of a killed stage come back soon.
fn nats_args(servers: &str) -> Vec<String> {
    ["--nats-servers", servers, "--nats-ack-wait", "2"]
        .iter()
        .map(|a| a.to_string())
        .collect()
}

/// The servers alone, for a test that kills no stage: with the default
/// `nats_ack_wait` a slow machine sends no message to a second instance
/// while the first still works on it.
fn servers_args(servers: &str) -> Vec<String> {
    vec!["--nats-servers".to_string(), servers.to_string()]
}

fn pipeline(args: &[String]) -> Pipeline {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Pipeline::with_args(&args)
}

/// The three stages on JetStream: ingest → ENRICH → enrich → STORE → store.
struct Stages {
    ingest: i32,
    enrich: i32,
    store: i32,
}

fn start_stages(p: &Pipeline) -> Stages {
    Stages {
        ingest: p.ingest(&["--queue-out-dir", TO_ENRICH]),
        enrich: start_enrich(p),
        store: start_store(p),
    }
}

fn start_enrich(p: &Pipeline) -> i32 {
    p.enrich(&["--queue-in-dir", TO_ENRICH, "--queue-out-dir", TO_STORE])
}

fn start_store(p: &Pipeline) -> i32 {
    p.store_stage(&["--queue-in-dir", TO_STORE])
}

/// A counter of the filer's statistics in a runlog (0 when absent).
fn counter(runlog: &Value, name: &str) -> u64 {
    filer_statistics(runlog)[name].as_u64().unwrap_or(0)
}

/// The queues' streams hold nothing, their dead-letter streams nothing.
fn assert_streams_empty(js: &Js) {
    for stream in ["ENRICH", "STORE"] {
        js.wait_messages(stream, 0);
        let errors = format!("{stream}_ERRORS");
        // a cluster may not answer for a while after it lost a server
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut held = js.messages(&errors);
        while held.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            held = js.messages(&errors);
        }
        if held != Some(0) {
            let reasons: Vec<String> = js
                .contents(&errors)
                .values()
                .map(|m| header(m, "Zenkit-Meta"))
                .collect();
            panic!("{errors} holds {held:?} messages: {reasons:?}");
        }
    }
}

#[test]
fn ten_thousand_lines_pass_three_stages_on_jetstream_once() {
    let started = Instant::now();
    let server = Server::start();
    let p = pipeline(&servers_args(&server.url()));
    p.write_lines(1, 5000);
    let stages = start_stages(&p);
    p.write_lines(5001, 10_000);
    let js = Js::connect(&server.url());
    let stored = wait_stored(&p, &js, 10_000, 180);
    let duplicates = check_stored(&stored, 10_000);
    assert_eq!(duplicates, 0, "duplicates without a crash");
    assert_eq!(stored.len(), 10_000);
    assert_streams_empty(&js);
    p.stop_gracefully(INGEST, stages.ingest);
    let enrich = p.stop_gracefully(ENRICH, stages.enrich);
    let store = p.stop_gracefully(STORE, stages.store);
    assert_eq!(counter(&enrich, "cnt_committed"), 10_000, "{enrich}");
    assert_eq!(counter(&store, "cnt_committed"), 10_000, "{store}");
    eprintln!(
        "10,000 lines through three stages on JetStream in {:?}: 0 lost, {duplicates} duplicate(s) stored, \
         cnt_duplicates {} (enrich) {} (store), cnt_redelivered {} (enrich) {} (store)",
        started.elapsed(),
        counter(&enrich, "cnt_duplicates"),
        counter(&store, "cnt_duplicates"),
        counter(&enrich, "cnt_redelivered"),
        counter(&store, "cnt_redelivered"),
    );
}

#[test]
fn sigkill_of_enrich_and_store_on_jetstream_loses_nothing() {
    let server = Server::start();
    let p = pipeline(&nats_args(&server.url()));
    let mut rng = Rng::new();
    let mut stages = start_stages(&p);
    let (mut written, mut kills) = (0, 0);
    let started = Instant::now();
    while kills < 20 {
        // enough lines that the kill comes while they flow
        p.write_lines(written + 1, written + 1000);
        written += 1000;
        std::thread::sleep(Duration::from_millis(50 + rng.below(250)));
        if kills % 2 == 0 {
            stop(stages.enrich, Signal::SIGKILL);
            stages.enrich = start_enrich(&p);
        } else {
            stop(stages.store, Signal::SIGKILL);
            stages.store = start_store(&p);
        }
        kills += 1;
    }
    let js = Js::connect(&server.url());
    let stored = wait_stored(&p, &js, written as usize, 180);
    let duplicates = check_stored(&stored, written);
    assert_streams_empty(&js);
    p.stop_gracefully(INGEST, stages.ingest);
    let enrich = p.stop_gracefully(ENRICH, stages.enrich);
    let store = p.stop_gracefully(STORE, stages.store);
    eprintln!(
        "{kills} SIGKILLs (enrich and store in turn) on JetStream in {:?}, {written} lines: 0 lost, \
         {duplicates} duplicate(s) stored; the last instances: cnt_redelivered {} (enrich) {} (store), \
         cnt_duplicates {} (enrich) {} (store)",
        started.elapsed(),
        counter(&enrich, "cnt_redelivered"),
        counter(&store, "cnt_redelivered"),
        counter(&enrich, "cnt_duplicates"),
        counter(&store, "cnt_duplicates"),
    );
    // A duplicate only when store died between its append and the
    // acknowledgements of what it stored: at most the messages it holds
    // (nats_max_ack_pending, 256) per kill of store. What a killed enrich
    // published again the stream drops by its id.
    let store_kills = kills / 2;
    assert!(
        duplicates <= store_kills * 256,
        "{duplicates} duplicates for {store_kills} kills of store"
    );
}

/// The client port of the NATS server process `pid` is connected to,
/// among `ports`, by its sockets in `/proc`.
fn connected_port(pid: i32, ports: &[u16]) -> Option<u16> {
    let inodes: BTreeSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            Some(
                link.strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_string(),
            )
        })
        .collect();
    let table = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")).ok()?;
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let remote = fields.get(2)?;
        let inode = fields.get(9)?;
        // 01: established
        if fields.get(3) != Some(&"01") || !inodes.contains(*inode) {
            return None;
        }
        let port = u16::from_str_radix(remote.rsplit(':').next()?, 16).ok()?;
        ports.contains(&port).then_some(port)
    })
}

#[test]
fn a_cluster_losing_the_server_of_a_stage_loses_nothing_and_the_stage_reconnects() {
    let started = Instant::now();
    let mut cluster = Cluster::start(3);
    let mut args = nats_args(&cluster.servers_arg());
    args.extend(["--nats-replicas".to_string(), "3".to_string()]);
    let p = pipeline(&args);
    p.write_lines(1, 1000);
    let stages = start_stages(&p);
    let js = Js::connect(&cluster.servers_arg());
    wait_stored(&p, &js, 500, 120);
    let ports: Vec<u16> = (0..cluster.len()).map(|i| cluster.node(i).port()).collect();
    let port = connected_port(stages.enrich, &ports).expect("enrich is connected to a server");
    let victim = ports.iter().position(|p| *p == port).unwrap();
    cluster.kill(victim);
    p.write_lines(1001, 2000);
    p.wait_log(
        ENRICH,
        "Component 'filer': Lost the connection to the NATS servers (",
    );
    wait_stored(&p, &js, 1500, 120);
    cluster.restart(victim);
    p.write_lines(2001, 3000);
    let stored = wait_stored(&p, &js, 3000, 180);
    let duplicates = check_stored(&stored, 3000);
    assert_streams_empty(&js);
    for (name, pid) in [(INGEST, stages.ingest), (STORE, stages.store)] {
        assert!(support::alive(pid), "{name} kept running:\n{}", p.log(name));
    }
    p.stop_gracefully(INGEST, stages.ingest);
    let enrich = p.stop_gracefully(ENRICH, stages.enrich);
    p.stop_gracefully(STORE, stages.store);
    let disconnects = counter(&enrich, "nats_disconnects");
    assert!(disconnects >= 1, "{enrich}");
    let connected = &filer_statistics(&enrich)["gauges"]["nats_connected"];
    assert_eq!(connected, 1, "{enrich}");
    eprintln!(
        "3-server cluster, server n{victim} (enrich's) killed and restarted: 3000 lines in {:?}, 0 lost, \
         {duplicates} duplicate(s) stored; enrich: nats_disconnects {disconnects}, cnt_redelivered {}, cnt_duplicates {}",
        started.elapsed(),
        counter(&enrich, "cnt_redelivered"),
        counter(&enrich, "cnt_duplicates"),
    );
}

#[test]
fn two_enrich_instances_on_one_consumer_share_the_stream() {
    let server = Server::start();
    let p = pipeline(&servers_args(&server.url()));
    let _ingest = p.ingest(&["--queue-out-dir", TO_ENRICH]);
    for _ in 0..2 {
        let run = p.launch(
            ENRICH,
            &[
                "--parallel",
                "--queue-in-dir",
                TO_ENRICH,
                "--queue-out-dir",
                TO_STORE,
                // small takes, so that both instances get some
                "--nats-max-ack-pending",
                "16",
            ],
        );
        assert_eq!(run.code, 0, "{run:?}");
    }
    let pids = parallel_pids(&p, ENRICH);
    assert_eq!(pids.len(), 2, "{pids:?}");
    let _store = start_store(&p);
    p.write_lines(1, 3000);
    let js = Js::connect(&server.url());
    let stored = wait_stored(&p, &js, 3000, 120);
    assert_eq!(check_stored(&stored, 3000), 0, "a message processed twice");
    assert_eq!(stored.len(), 3000);
    js.wait_messages("ENRICH", 0);
    let mut shares = Vec::new();
    for pid in pids {
        let runlog = p.stop_gracefully(ENRICH, pid);
        shares.push(counter(&runlog, "cnt_committed"));
    }
    eprintln!("two enrich instances on one consumer, 3000 lines: shares {shares:?}");
    assert!(shares.iter().all(|n| *n > 0), "{shares:?}");
    assert_eq!(shares.iter().sum::<u64>(), 3000, "{shares:?}");
}

#[test]
fn a_full_output_stream_pauses_the_stage_until_store_drains_it() {
    let server = Server::start();
    let p = pipeline(&nats_args(&server.url()));
    let enrich = p.enrich(&[
        "--queue-in-dir",
        TO_ENRICH,
        "--queue-out-dir",
        TO_STORE,
        "--queue-out-limit",
        "5",
        "--queue-out-wait",
        "1",
    ]);
    let js = Js::connect(&server.url());
    for n in 1..=40 {
        let message = json!({"n": n, "line": support::pipeline::line_text(n)});
        js.publish(
            "ENRICH",
            &format!("line-{n}"),
            message.to_string().as_bytes(),
        );
    }
    p.wait_log(
        ENRICH,
        "Output queue limit '5' reached, pausing the processing for '1' second(s)",
    );
    // paused: the next stream stays short of all 40 while no one drains it
    std::thread::sleep(Duration::from_millis(2500));
    let out = js.messages("STORE").unwrap();
    assert!(out < 40, "{out} messages passed the limit of 5");
    assert!(!p.log(ENRICH).contains("Output queue free"));
    let _store = start_store(&p);
    p.wait_log(ENRICH, "Output queue free, resuming the processing");
    let stored = wait_stored(&p, &js, 40, 60);
    assert_eq!(check_stored(&stored, 40), 0);
    let runlog = p.stop_gracefully(ENRICH, enrich);
    let paused = counter(&runlog, "cnt_paused");
    eprintln!("a limit of 5 on STORE: {out} messages in it while paused, cnt_paused {paused}");
    assert!(paused >= 1, "{runlog}");
}

#[test]
fn a_stage_counts_the_next_stream_again_before_it_pauses_for_its_estimate() {
    let server = Server::start();
    let p = pipeline(&servers_args(&server.url()));
    let enrich = p.enrich_limited(TO_ENRICH, TO_STORE);
    let js = Js::connect(&server.url());
    let send = |from: u64, to: u64| {
        for n in from..=to {
            let message = json!({"n": n, "line": support::pipeline::line_text(n)});
            js.publish(
                "ENRICH",
                &format!("line-{n}"),
                message.to_string().as_bytes(),
            );
        }
    };
    send(1, 8);
    js.wait_messages("STORE", 8);
    // the next stage takes them all
    let store = start_store(&p);
    wait_stored(&p, &js, 8, 60);
    p.stop_gracefully(STORE, store);
    js.wait_messages("STORE", 0);
    // 8 + 8 commits: over the limit by the estimate, not by a count
    send(9, 16);
    js.wait_messages("STORE", 8);
    let out = p.wait_paused_by_count(|| send(17, 24), || js.messages("STORE").unwrap());
    // the stage counts its unanswered publishes on top of the stream's
    // count, which may hold one already: it may pause at the limit
    assert!((10..16).contains(&out), "{out} messages at the limit of 10");
    let runlog = p.stop_gracefully(ENRICH, enrich);
    assert_eq!(counter(&runlog, "cnt_paused"), 1, "{runlog}");
}

#[test]
fn empty_and_malformed_messages_go_to_the_dead_letter_stream_with_the_reason() {
    let server = Server::start();
    let p = pipeline(&nats_args(&server.url()));
    let enrich = start_enrich(&p);
    let js = Js::connect(&server.url());
    js.publish("ENRICH", "empty-1", b"");
    js.publish("ENRICH", "malformed-1", b"{\"n\": 1, \"line\": ");
    let good = json!({"n": 2, "line": "fine"}).to_string();
    js.publish("ENRICH", "good-1", good.as_bytes());
    js.wait_messages("ENRICH_ERRORS", 2);
    js.wait_messages("STORE", 1);
    js.wait_messages("ENRICH", 0);
    let errors = js.contents("ENRICH_ERRORS");
    let meta = |message: &StreamMessage| -> Value {
        serde_json::from_str(&header(message, "Zenkit-Meta")).unwrap()
    };
    let empty = &errors["empty-1"];
    assert_eq!(empty.subject.as_str(), "ENRICH.errors");
    assert!(empty.payload.is_empty());
    assert_eq!(meta(empty)["reason"], "empty message");
    assert_eq!(header(empty, "Zenkit-Queue"), "ENRICH");
    let malformed = &errors["malformed-1"];
    assert_eq!(malformed.subject.as_str(), "ENRICH.errors");
    assert_eq!(&malformed.payload[..], b"{\"n\": 1, \"line\": ");
    let reason = meta(malformed)["reason"].as_str().unwrap().to_string();
    assert!(reason.starts_with("malformed JSON: "), "{reason}");
    let passed = js.contents("STORE");
    let value: Value = serde_json::from_slice(&passed["good-1"].payload).unwrap();
    assert_eq!(value["line"], "fine");
    assert_eq!(value["stage"], "enrich");
    let runlog = p.stop_gracefully(ENRICH, enrich);
    assert_eq!(counter(&runlog, "cnt_banished"), 2, "{runlog}");
}

#[test]
fn directory_queues_and_a_stream_mixed_in_one_pipeline() {
    const N: u64 = 500;
    const SECOND: &str = "enrich_again";
    let server = Server::start();
    let p = pipeline(&nats_args(&server.url()));
    p.write_lines(1, N / 2);
    // ingest → <spool>/filer_enrich → enrich → MID → enrich_again →
    // <spool>/filer_store → store
    let ingest = p.ingest(&[]);
    let first = p.enrich(&["--queue-out-dir", "nats:///MID"]);
    let second = p.start_as(
        ENRICH,
        SECOND,
        &[
            "--name",
            SECOND,
            "--queue-in-dir",
            "nats:///MID",
            "--queue-out-dir",
            STORE,
            "--queue-in-wait",
            "1",
        ],
    );
    let store = p.store_stage(&[]);
    p.write_lines(N / 2 + 1, N);
    let js = Js::connect(&server.url());
    let stored = wait_stored(&p, &js, N as usize, 120);
    assert_eq!(check_stored(&stored, N), 0, "a message processed twice");
    js.wait_messages("MID", 0);
    assert_eq!(js.messages("MID_ERRORS"), Some(0));
    p.wait_queues_empty(&[ENRICH, STORE]);
    p.stop_gracefully(INGEST, ingest);
    p.stop_gracefully(ENRICH, first);
    let runlog = p.stop_gracefully(SECOND, second);
    assert_eq!(counter(&runlog, "cnt_committed"), N, "{runlog}");
    p.stop_gracefully(STORE, store);
}

#[test]
fn a_reload_with_other_servers_moves_the_stage_to_them() {
    let (old, new) = (Server::start(), Server::start());
    let p = Pipeline::with_args(&["--nats-ack-wait", "2"]);
    let conf = p.path(&format!("etc/{ENRICH}.conf"));
    std::fs::create_dir_all(conf.parent().unwrap()).unwrap();
    let write_conf = |servers: &str| {
        std::fs::write(&conf, json!({ "nats_servers": servers }).to_string()).unwrap();
    };
    write_conf(&old.url());
    let enrich = start_enrich(&p);
    let (js_old, js_new) = (Js::connect(&old.url()), Js::connect(&new.url()));
    let line = |n: u64| json!({"n": n, "line": support::pipeline::line_text(n)}).to_string();
    js_old.publish("ENRICH", "before", line(1).as_bytes());
    js_old.wait_messages("STORE", 1);
    assert_eq!(
        js_new.messages("ENRICH"),
        None,
        "untouched before the reload"
    );
    write_conf(&new.url());
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(enrich), Signal::SIGHUP).unwrap();
    // the stage sets up its streams on the new servers when it connects
    let deadline = Instant::now() + Duration::from_secs(30);
    while js_new.messages("STORE").is_none() {
        assert!(
            Instant::now() < deadline,
            "no streams on the new server: {}",
            p.log(ENRICH)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    js_new.publish("ENRICH", "after", line(2).as_bytes());
    js_new.wait_messages("STORE", 1);
    js_old.publish("ENRICH", "to-the-old-one", line(3).as_bytes());
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(js_old.messages("ENRICH"), Some(1), "the old server left");
    assert_eq!(js_old.messages("STORE"), Some(1));
    p.stop_gracefully(ENRICH, enrich);
}

#[test]
fn a_message_delivered_too_often_goes_to_the_dead_letter_stream() {
    let server = Server::start();
    let p = pipeline(&nats_args(&server.url()));
    let js = Js::connect(&server.url());
    // STORE refuses messages over 400 bytes: the commit of a long line
    // fails every time, and the message comes again, as one that crashes
    // its stage would
    js.create_work_queue("STORE", 400);
    let enrich = p.enrich(&[
        "--queue-in-dir",
        TO_ENRICH,
        "--queue-out-dir",
        TO_STORE,
        "--nats-max-deliver",
        "2",
    ]);
    let poison = json!({"n": 1, "line": "p".repeat(500)}).to_string();
    js.publish("ENRICH", "poison-1", poison.as_bytes());
    let good = json!({"n": 2, "line": "fine"}).to_string();
    js.publish("ENRICH", "good-1", good.as_bytes());
    js.wait_messages("ENRICH_ERRORS", 1);
    js.wait_messages("STORE", 1);
    js.wait_messages("ENRICH", 0);
    let banished = &js.contents("ENRICH_ERRORS")["poison-1"];
    assert_eq!(&banished.payload[..], poison.as_bytes());
    let meta: Value = serde_json::from_str(&header(banished, "Zenkit-Meta")).unwrap();
    let reason = meta["reason"].as_str().unwrap();
    assert!(reason.starts_with("delivered 3 times"), "{reason}");
    assert_eq!(header(banished, "Zenkit-Delivered"), "3");
    assert!(js.contents("STORE").contains_key("good-1"));
    let runlog = p.stop_gracefully(ENRICH, enrich);
    assert_eq!(counter(&runlog, "cnt_poison"), 1, "{runlog}");
}
