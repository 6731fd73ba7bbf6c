//! NATS benchmark: the three-stage example pipeline (`filer_ingest` →
//! `filer_enrich` → `filer_store`) on the directory backend, on JetStream
//! with one server and on a 3-node JetStream cluster (`--nats-replicas 3`),
//! side by side with its framework-free counterpart: the same three hops as
//! a bare async-nats program, tasks of this bench.
//!
//! ```text
//! cargo build --release --example filer_ingest --example filer_enrich \
//!     --example filer_store && cargo bench --bench nats
//! ```
//!
//! Each message is a line `line <seq>: …` with a sequence number; the bench
//! takes the `CLOCK_MONOTONIC` time just before it writes the line (into
//! the source file `filer_ingest` follows, or, for the counterpart, just
//! before it publishes the line into the first stream), and again when it
//! first sees the line in the store file, which it polls every
//! [`POLL`]. Every line is checked to arrive, enriched; copies that arrive
//! again are counted (shown after the row). The stages start one after
//! another, each once it logged its start.
//!
//! Measured, per pipeline, on the same processes: a warm-up, then
//! `ZENKIT_BENCH_NATS_PACED` lines (2,000) paced at
//! `ZENKIT_BENCH_NATS_RATE` per second (1,000): p50 and p99 latency; then
//! `ZENKIT_BENCH_NATS_N` lines (20,000) written at once: messages/s from
//! the first written to the last stored; and the CPU time each process
//! (stages, servers; for the counterpart this bench's own) spent per
//! message meanwhile, which tells a pipeline that waits from one that
//! computes. `ZENKIT_BENCH_NATS_FILER_ARGS` adds options to the JetStream
//! pipelines' `filer_enrich` and `filer_store` (`--queue-batch 256`, …).
//! The `pauses` column counts the stages' logged pauses for a full output
//! queue (`queue_out_limit`).
//!
//! The counterpart (`bare`): one connection per hop. The producer publishes
//! `{"n", "line"}` into stream A, [`INGEST_BATCH`] at a time, awaiting
//! their acks (as `filer_ingest` does per batch); a task consumes A through
//! a durable pull consumer (explicit ack, `max_ack_pending` and pull batch
//! [`MAX_ACK_PENDING`], the backend's defaults), adds the fields
//! `filer_enrich` adds (the upper-cased line among them), publishes into B,
//! awaits the publish ack and then acks, each message on a task of its own;
//! a task consumes B the same way and appends each message as a line to
//! the store file, with one `fdatasync` per batch of up to [`QUEUE_BATCH`]
//! (the filer's `queue_batch`) before their acks, as `filer_store` does.
//! It runs twice on one server: with plain acks and no message ids (what
//! a bare client does), and with the backend's protocol (each publish
//! carries a `Nats-Msg-Id` for the stream's duplicate window, each ack is
//! a request the server answers once it took it, on the connection's
//! subscription for answers, as the backend acknowledges); and once so on
//! the cluster.
//!
//! Servers are `zenkit_filer_nats::testing`'s: loopback, free ports, killed
//! when dropped; the stages are killed when dropped, the temporary root
//! removed: also on a panic.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream, Context};
use async_nats::ServerAddr;
use futures_util::{FutureExt, StreamExt};
use serde_json::{json, Value};
use zenkit_filer_nats::testing::{Cluster, Server};

mod support;
use support::{example, now_ns};

/// How often the bench looks for new lines in the store file.
const POLL: Duration = Duration::from_micros(200);
/// Warm-up lines, 10 ms apart, before the paced lines.
const WARM_UP: u64 = 50;
/// `filer_ingest`'s lines per flush.
const INGEST_BATCH: usize = 500;
/// The filer's `queue_batch` default.
const QUEUE_BATCH: usize = 64;
/// The backend's `nats_max_ack_pending` default, also its pull batch.
const MAX_ACK_PENDING: usize = 256;
/// Lines per write of the source file when written at once.
const WRITE_CHUNK: usize = 100;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|e| panic!("{name}={text:?}: expected a number: {e}")),
        Err(_) => default,
    }
}

/// What to send: counts and the pace.
#[derive(Clone, Copy)]
struct Plan {
    /// Lines written at once, for throughput.
    burst: u64,
    /// Lines paced, for latency.
    paced: u64,
    /// Paced lines per second.
    rate: u64,
}

impl Plan {
    fn total(&self) -> u64 {
        WARM_UP + self.paced + self.burst
    }
    fn paced_seqs(&self) -> Range<u64> {
        WARM_UP..WARM_UP + self.paced
    }
    fn burst_seqs(&self) -> Range<u64> {
        WARM_UP + self.paced..self.total()
    }
}

fn line_text(seq: u64) -> String {
    format!("line {seq}: the quick brown fox jumps over the lazy dog")
}

/// The sequence number of a stored line, checked to be enriched.
fn stored_seq(text: &str) -> u64 {
    let value: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("bad stored line {text:?}: {e}"));
    let line = value["line"].as_str().expect("a line");
    assert_eq!(value["upper"], line.to_uppercase().as_str(), "{text}");
    assert_eq!(value["length"], line.chars().count(), "{text}");
    assert_eq!(value["stage"], "enrich", "{text}");
    line.strip_prefix("line ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no sequence number in {text:?}"))
}

/// When each line was written (0: not yet).
struct Stamps(Vec<AtomicU64>);

impl Stamps {
    fn new(total: u64) -> Arc<Stamps> {
        Arc::new(Stamps((0..total).map(|_| AtomicU64::new(0)).collect()))
    }
    fn set(&self, seq: u64) {
        self.0[seq as usize].store(now_ns(), Ordering::Relaxed);
    }
    fn get(&self, seq: u64) -> u64 {
        self.0[seq as usize].load(Ordering::Relaxed)
    }
}

/// What the reader saw: per line the time it first saw it (0: never), and
/// the copies seen again.
struct Arrivals {
    at: Vec<u64>,
    duplicates: u64,
}

/// The thread polling the store file; stopped and joined when dropped.
struct Reader {
    seen: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Arrivals>>,
}

impl Reader {
    fn start(store: &Path, total: u64) -> Reader {
        let seen = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut file = File::open(store).expect("the store file");
        let (seen_by, stop_by) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut arrivals = Arrivals {
                at: vec![0; total as usize],
                duplicates: 0,
            };
            let mut buf = vec![0u8; 1 << 16];
            let mut rest: Vec<u8> = Vec::new();
            while !stop_by.load(Ordering::Relaxed) {
                let len = file.read(&mut buf).expect("read the store file");
                if len == 0 {
                    std::thread::sleep(POLL);
                    continue;
                }
                let now = now_ns();
                rest.extend_from_slice(&buf[..len]);
                let complete = rest.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                for line in rest[..complete].split(|b| *b == b'\n') {
                    if line.is_empty() {
                        continue;
                    }
                    let seq = stored_seq(std::str::from_utf8(line).expect("UTF-8"));
                    let slot = &mut arrivals.at[seq as usize];
                    if *slot == 0 {
                        *slot = now;
                        seen_by.fetch_add(1, Ordering::Relaxed);
                    } else {
                        arrivals.duplicates += 1;
                    }
                }
                rest.drain(..complete);
            }
            arrivals
        });
        Reader {
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> usize {
        self.seen.load(Ordering::Relaxed)
    }

    fn failed(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    fn finish(mut self) -> Arrivals {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .expect("a running reader")
            .join()
            .expect("the reader")
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where the lines enter a pipeline.
trait Source {
    /// Sends line `seq` on its own, stamped.
    fn send_one(&mut self, seq: u64);
    /// Sends lines `seqs` as fast as it can, each stamped.
    fn send_burst(&mut self, seqs: Range<u64>);
    /// Panics, saying why, when the pipeline broke down.
    fn check_alive(&mut self);
    /// What the stages said, for a failure's message.
    fn logs(&self) -> String;
    /// The CPU seconds so far of each process of the pipeline and of the
    /// servers in `servers`.
    fn cpu(&self, servers: &[u32]) -> Vec<(String, f64)>;
}

/// The servers' CPU seconds so far, named.
fn servers_cpu(servers: &[u32]) -> Vec<(String, f64)> {
    servers
        .iter()
        .enumerate()
        .map(|(i, &pid)| (format!("nats-server {i}"), cpu_seconds(pid)))
        .collect()
}

/// The example pipeline's stages, each a process with its log; killed
/// when dropped.
struct Stages {
    children: Vec<(&'static str, Child)>,
    logs: PathBuf,
}

impl Stages {
    /// Starts the three stages in `dir` (queues under `dir/q` for the
    /// directory backend, or on `nats` = (servers, replicas)).
    fn start(dir: &Path, nats: Option<(&str, u32)>) -> Stages {
        for sub in ["var/run", "var/log", "logs", "q"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let path = |p: PathBuf| p.to_str().unwrap().to_string();
        let (enrich, store) = match nats {
            None => (path(dir.join("q/enrich")), path(dir.join("q/store"))),
            Some(_) => ("nats:///ENRICH".to_string(), "nats:///STORE".to_string()),
        };
        let mut common = vec!["--no-daemon".to_string()];
        if let Some((servers, replicas)) = nats {
            common.extend(["--nats-servers".to_string(), servers.to_string()]);
            common.extend(["--nats-replicas".to_string(), replicas.to_string()]);
        }
        let stages: [(&'static str, Vec<String>); 3] = [
            (
                "filer_store",
                vec![
                    "--queue-in-dir".into(),
                    store.clone(),
                    "--store".into(),
                    path(dir.join("store.jsonl")),
                ],
            ),
            (
                "filer_enrich",
                vec![
                    "--queue-in-dir".into(),
                    enrich.clone(),
                    "--queue-out-dir".into(),
                    store,
                ],
            ),
            (
                "filer_ingest",
                vec![
                    "--source".into(),
                    path(dir.join("source.log")),
                    "--queue-out-dir".into(),
                    enrich,
                ],
            ),
        ];
        let mut started = Stages {
            children: Vec::new(),
            logs: dir.join("logs"),
        };
        let extra = std::env::var("ZENKIT_BENCH_NATS_FILER_ARGS").unwrap_or_default();
        for (name, mut args) in stages {
            if nats.is_some() && name != "filer_ingest" {
                args.extend(extra.split_whitespace().map(str::to_string));
            }
            let log = File::create(started.logs.join(format!("{name}.log"))).unwrap();
            let child = Command::new(example(name))
                .args(&common)
                .args(&args)
                .env("APP_ROOT_PATH", dir)
                .env_remove("NOTIFY_SOCKET")
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
            started.children.push((name, child));
            // one after the other: stages creating the same replicated
            // streams at once on a cluster can keep each other from
            // starting in time
            started.wait_started(name);
        }
        started
    }

    /// Waits until stage `name` logged that it started; panics with its
    /// log when it exited or did not within 30 s.
    fn wait_started(&mut self, name: &str) {
        let log = self.logs.join(format!("{name}.log"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("Daemon startup initiated") {
                return;
            }
            let (_, child) = self.children.last_mut().expect("a stage");
            if let Some(status) = child.try_wait().unwrap() {
                panic!("{name} exited ({status}) while starting; its log:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not start in 30 s; its log:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The CPU time (user + system) of each stage so far, in seconds.
    fn cpu(&self) -> Vec<(String, f64)> {
        self.children
            .iter()
            .map(|(name, child)| (name.to_string(), cpu_seconds(child.id())))
            .collect()
    }

    /// Lines of the stages' logs that contain `what`; also after
    /// [`stop`](Stages::stop).
    fn count_in_logs(&self, what: &str) -> usize {
        std::fs::read_dir(&self.logs)
            .unwrap()
            .map(|entry| {
                std::fs::read_to_string(entry.unwrap().path())
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| l.contains(what))
                    .count()
            })
            .sum()
    }

    /// SIGINT, then SIGKILL after 10 s.
    fn stop(&mut self) {
        support::stop_children(self.children.iter_mut().map(|(_, child)| child));
        self.children.clear();
    }
}

impl Drop for Stages {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The CPU time (user + system) of process `pid` so far, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // the fields after the command name, which is in parentheses
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the name
    (ticks(11) + ticks(12)) as f64 / hz
}

/// The source file `filer_ingest` follows.
struct FileSource {
    file: File,
    stamps: Arc<Stamps>,
    stages: Stages,
}

impl Source for FileSource {
    fn send_one(&mut self, seq: u64) {
        let line = format!("{}\n", line_text(seq));
        self.stamps.set(seq);
        self.file.write_all(line.as_bytes()).unwrap();
    }

    fn send_burst(&mut self, seqs: Range<u64>) {
        let seqs: Vec<u64> = seqs.collect();
        for chunk in seqs.chunks(WRITE_CHUNK) {
            let mut text = String::new();
            for &seq in chunk {
                text.push_str(&line_text(seq));
                text.push('\n');
            }
            for &seq in chunk {
                self.stamps.set(seq);
            }
            self.file.write_all(text.as_bytes()).unwrap();
        }
    }

    fn check_alive(&mut self) {
        let exited = self
            .stages
            .children
            .iter_mut()
            .find_map(|(name, child)| Some((*name, child.try_wait().unwrap()?)));
        if let Some((name, status)) = exited {
            panic!("{name} exited ({status}); the logs:\n{}", self.logs());
        }
    }

    fn cpu(&self, servers: &[u32]) -> Vec<(String, f64)> {
        let mut cpu = self.stages.cpu();
        cpu.extend(servers_cpu(servers));
        cpu
    }

    fn logs(&self) -> String {
        let mut text = String::new();
        for (name, _) in &self.stages.children {
            let log = std::fs::read_to_string(self.stages.logs.join(format!("{name}.log")))
                .unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            text.push_str(&format!("--- {name}\n"));
            for line in tail.into_iter().rev() {
                text.push_str(line);
                text.push('\n');
            }
        }
        text
    }
}

/// The bare async-nats counterpart: a runtime with the two consuming
/// tasks, and the producer's connection; the tasks end with the runtime.
struct BareSource {
    runtime: Option<tokio::runtime::Runtime>,
    producer: Context,
    stream_a: String,
    strict: bool,
    stamps: Arc<Stamps>,
    /// Set by a task that failed, with why.
    failure: Arc<std::sync::Mutex<Option<String>>>,
}

impl BareSource {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("a runtime")
    }

    fn message(seq: u64) -> String {
        json!({"n": seq + 1, "line": line_text(seq)}).to_string()
    }

    fn publish(&self, seq: u64) -> jetstream::message::PublishMessage {
        let build = jetstream::message::PublishMessage::build().payload(Self::message(seq).into());
        if self.strict {
            build.message_id(format!("bench.{}.{seq}.msg", std::process::id()))
        } else {
            build
        }
    }
}

impl Drop for BareSource {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

impl Source for BareSource {
    fn send_one(&mut self, seq: u64) {
        let message = self.publish(seq);
        let (js, subject) = (&self.producer, self.stream_a.clone());
        self.stamps.set(seq);
        self.runtime().block_on(async {
            js.send_publish(subject, message)
                .await
                .expect("publish into A")
                .await
                .expect("the ack of A");
        });
    }

    fn send_burst(&mut self, seqs: Range<u64>) {
        let seqs: Vec<u64> = seqs.collect();
        let (js, subject) = (&self.producer, self.stream_a.clone());
        let stamps = self.stamps.clone();
        let messages: Vec<Vec<_>> = seqs
            .chunks(INGEST_BATCH)
            .map(|chunk| chunk.iter().map(|&s| (s, self.publish(s))).collect())
            .collect();
        self.runtime().block_on(async {
            for chunk in messages {
                let mut acks = Vec::with_capacity(chunk.len());
                for (seq, message) in chunk {
                    stamps.set(seq);
                    acks.push(
                        js.send_publish(subject.clone(), message)
                            .await
                            .expect("publish into A"),
                    );
                }
                for ack in acks {
                    ack.await.expect("the ack of A");
                }
            }
        });
    }

    fn check_alive(&mut self) {
        if let Some(why) = self.failure.lock().unwrap().as_ref() {
            panic!("the bare pipeline failed: {why}");
        }
    }

    fn logs(&self) -> String {
        String::new()
    }

    fn cpu(&self, servers: &[u32]) -> Vec<(String, f64)> {
        let mut cpu = vec![(
            "bench (bare tasks, reader)".to_string(),
            cpu_seconds(std::process::id()),
        )];
        cpu.extend(servers_cpu(servers));
        cpu
    }
}

async fn connect(servers: &[ServerAddr], name: &str) -> Context {
    let client = async_nats::ConnectOptions::new()
        .name(name)
        .connect(servers.to_vec())
        .await
        .unwrap_or_else(|e| panic!("{name}: cannot connect: {e}"));
    jetstream::new(client)
}

/// The messages of a durable pull consumer `name` of `stream`, with the
/// backend's settings.
async fn pull(js: &Context, stream: &str, name: &str) -> consumer::pull::Stream {
    let config = consumer::pull::Config {
        durable_name: Some(name.to_string()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: Duration::from_secs(30),
        max_ack_pending: MAX_ACK_PENDING as i64,
        max_deliver: -1,
        ..Default::default()
    };
    let consumer: consumer::PullConsumer = js
        .get_stream(stream)
        .await
        .expect("the stream")
        .get_or_create_consumer(name, config)
        .await
        .expect("the consumer");
    consumer
        .stream()
        .max_messages_per_batch(MAX_ACK_PENDING)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await
        .expect("the consumer's messages")
}

type Failure = Arc<std::sync::Mutex<Option<String>>>;

fn fail(failure: &Failure, why: String) {
    failure.lock().unwrap().get_or_insert(why);
}

/// Acknowledges `message` as a request the server answers when it took
/// the acknowledgement.
async fn confirmed_ack(
    js: &Context,
    message: &jetstream::Message,
) -> Result<(), async_nats::Error> {
    let reply = message.reply.clone().expect("a JetStream message");
    let request = async_nats::Request::new().payload(jetstream::AckKind::Ack.into());
    js.client().send_request(reply, request).await?;
    Ok(())
}

/// The middle hop: A → enrich → B, publish acked before the ack.
async fn bare_enrich(js: Context, a: String, b: String, strict: bool, failure: Failure) {
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut messages = pull(&js, &a, "enrich").await;
    while let Some(message) = messages.next().await {
        let message = match message {
            Ok(message) => message,
            Err(e) => {
                fail(&failure, format!("consume A: {e}"));
                continue;
            }
        };
        let data = support::enriched(&message.payload, &host);
        let mut publish = jetstream::message::PublishMessage::build().payload(data.into());
        if strict {
            let id = message
                .headers
                .as_ref()
                .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
                .map(|id| id.as_str().to_string())
                .expect("a message id");
            publish = publish.message_id(id);
        }
        let (js, b, failure) = (js.clone(), b.clone(), failure.clone());
        tokio::spawn(async move {
            let published = match js.send_publish(b, publish).await {
                Ok(ack) => ack.await.map(drop).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = published {
                return fail(&failure, format!("publish into B: {e}"));
            }
            let acked = if strict {
                confirmed_ack(&js, &message).await
            } else {
                message.ack().await
            };
            if let Err(e) = acked {
                fail(&failure, format!("ack A: {e}"));
            }
        });
    }
}

/// The last hop: B → the store file, one fdatasync per batch before the
/// batch's acks.
async fn bare_store(js: Context, b: String, store: PathBuf, strict: bool, failure: Failure) {
    let mut file = OpenOptions::new()
        .append(true)
        .open(&store)
        .expect("the store file");
    let mut messages = pull(&js, &b, "store").await;
    let mut batch = Vec::with_capacity(QUEUE_BATCH);
    while let Some(first) = messages.next().await {
        batch.push(first);
        while batch.len() < QUEUE_BATCH {
            match messages.next().now_or_never() {
                Some(Some(message)) => batch.push(message),
                _ => break,
            }
        }
        let mut taken = Vec::with_capacity(batch.len());
        for message in batch.drain(..) {
            match message {
                Ok(message) => {
                    let text = std::str::from_utf8(&message.payload).expect("UTF-8");
                    file.write_all(format!("{}\n", text.trim_end()).as_bytes())
                        .expect("append to the store");
                    taken.push(message);
                }
                Err(e) => fail(&failure, format!("consume B: {e}")),
            }
        }
        file.sync_data().expect("flush the store");
        if strict {
            let acks =
                futures_util::future::join_all(taken.iter().map(|m| confirmed_ack(&js, m))).await;
            if let Some(Err(e)) = acks.into_iter().find(Result::is_err) {
                fail(&failure, format!("ack B: {e}"));
            }
        } else {
            for message in &taken {
                if let Err(e) = message.ack().await {
                    fail(&failure, format!("ack B: {e}"));
                }
            }
        }
    }
}

/// Starts the bare pipeline on `servers`: its streams `<tag>_A` and
/// `<tag>_B` (work queues, file storage, `replicas`), its tasks.
fn start_bare(
    servers: Vec<ServerAddr>,
    replicas: usize,
    tag: &str,
    store: &Path,
    strict: bool,
    stamps: Arc<Stamps>,
) -> BareSource {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let (a, b) = (format!("{tag}_A"), format!("{tag}_B"));
    let failure: Failure = Arc::default();
    let producer = runtime.block_on(async {
        let js = connect(&servers, "bare-producer").await;
        for name in [&a, &b] {
            js.get_or_create_stream(stream::Config {
                name: name.clone(),
                subjects: vec![name.clone()],
                retention: stream::RetentionPolicy::WorkQueue,
                storage: stream::StorageType::File,
                num_replicas: replicas,
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("stream {name}: {e}"));
        }
        let enrich = connect(&servers, "bare-enrich").await;
        let store_js = connect(&servers, "bare-store").await;
        tokio::spawn(bare_enrich(
            enrich,
            a.clone(),
            b.clone(),
            strict,
            failure.clone(),
        ));
        tokio::spawn(bare_store(
            store_js,
            b.clone(),
            store.to_path_buf(),
            strict,
            failure.clone(),
        ));
        js
    });
    BareSource {
        runtime: Some(runtime),
        producer,
        stream_a: a,
        strict,
        stamps,
        failure,
    }
}

/// What one pipeline measured.
struct Figures {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    duplicates: u64,
    /// CPU microseconds per message during the burst, per process.
    cpu_us: Vec<(String, f64)>,
}

/// Waits until the reader saw `target` lines; panics when the pipeline
/// broke down or after `limit`.
fn wait_for(reader: &Reader, source: &mut dyn Source, target: u64, limit: Duration, what: &str) {
    let deadline = Instant::now() + limit;
    while (reader.seen() as u64) < target {
        assert!(!reader.failed(), "{what}: the reader of the store failed");
        source.check_alive();
        assert!(
            Instant::now() < deadline,
            "{what}: {} of {target} lines stored after {} s; the logs:\n{}",
            reader.seen(),
            limit.as_secs(),
            source.logs()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn percentile_ms(sorted: &[u64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64 / 1e6
}

/// Warm-up, paced lines, then the burst, through `source` into `store`.
fn measure(
    source: &mut dyn Source,
    store: &Path,
    plan: Plan,
    stamps: &Stamps,
    servers: &[u32],
    what: &str,
) -> Figures {
    let reader = Reader::start(store, plan.total());
    for seq in 0..WARM_UP {
        source.send_one(seq);
        std::thread::sleep(Duration::from_millis(10));
    }
    wait_for(&reader, source, WARM_UP, Duration::from_secs(60), what);
    std::thread::sleep(Duration::from_millis(300));
    let gap = Duration::from_secs_f64(1.0 / plan.rate as f64);
    let start = Instant::now();
    for (i, seq) in plan.paced_seqs().enumerate() {
        if let Some(wait) = (start + gap * i as u32).checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        source.send_one(seq);
    }
    wait_for(
        &reader,
        source,
        WARM_UP + plan.paced,
        Duration::from_secs(60),
        what,
    );
    std::thread::sleep(Duration::from_millis(300));
    let before = source.cpu(servers);
    source.send_burst(plan.burst_seqs());
    let limit = Duration::from_secs(60 + plan.burst / 100);
    wait_for(&reader, source, plan.total(), limit, what);
    let cpu_us = source
        .cpu(servers)
        .into_iter()
        .zip(before)
        .map(|((name, after), (_, before))| (name, (after - before) * 1e6 / plan.burst as f64))
        .collect();
    let arrivals = reader.finish();
    let mut latencies: Vec<u64> = plan
        .paced_seqs()
        .map(|seq| arrivals.at[seq as usize].saturating_sub(stamps.get(seq)))
        .collect();
    latencies.sort_unstable();
    let first = plan.burst_seqs().map(|s| stamps.get(s)).min().unwrap();
    let last = plan
        .burst_seqs()
        .map(|s| arrivals.at[s as usize])
        .max()
        .unwrap();
    Figures {
        rate: plan.burst as f64 / ((last - first) as f64 / 1e9),
        p50_ms: percentile_ms(&latencies, 0.5),
        p99_ms: percentile_ms(&latencies, 0.99),
        duplicates: arrivals.duplicates,
        cpu_us,
    }
}

/// The bench's temporary root, removed when dropped.
struct TempRoot(PathBuf);

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh directory for one pipeline, with an empty source and store.
fn fresh(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    File::create(dir.join("source.log")).unwrap();
    File::create(dir.join("store.jsonl")).unwrap();
    dir
}

/// The example pipeline in `dir` on `nats` (or directories): figures, and
/// the pauses for a full output queue its stages logged.
fn example_pipeline(
    dir: &Path,
    nats: Option<(&str, u32)>,
    servers: &[u32],
    plan: Plan,
    what: &str,
) -> (Figures, usize) {
    let stamps = Stamps::new(plan.total());
    let file = OpenOptions::new()
        .append(true)
        .open(dir.join("source.log"))
        .unwrap();
    let mut source = FileSource {
        file,
        stamps: stamps.clone(),
        stages: Stages::start(dir, nats),
    };
    let store = dir.join("store.jsonl");
    let figures = measure(&mut source, &store, plan, &stamps, servers, what);
    source.stages.stop();
    let pauses = source.stages.count_in_logs("Output queue limit");
    (figures, pauses)
}

/// The bare counterpart in `dir` on `servers`.
fn bare_pipeline(
    dir: &Path,
    servers: Vec<ServerAddr>,
    pids: &[u32],
    replicas: usize,
    strict: bool,
    plan: Plan,
    what: &str,
) -> Figures {
    let stamps = Stamps::new(plan.total());
    let store = dir.join("store.jsonl");
    let tag = dir.file_name().unwrap().to_str().unwrap().to_uppercase();
    let mut source = start_bare(servers, replicas, &tag, &store, strict, stamps.clone());
    measure(&mut source, &store, plan, &stamps, pids, what)
}

fn main() {
    for program in ["filer_ingest", "filer_enrich", "filer_store"] {
        assert!(
            example(program).exists(),
            "{} is missing: run `cargo build --release --example filer_ingest --example filer_enrich --example filer_store` first",
            example(program).display()
        );
    }
    let plan = Plan {
        burst: env_u64("ZENKIT_BENCH_NATS_N", 20_000),
        paced: env_u64("ZENKIT_BENCH_NATS_PACED", 2_000),
        rate: env_u64("ZENKIT_BENCH_NATS_RATE", 1_000),
    };
    assert!(
        plan.burst > 0 && plan.paced > 0 && plan.rate > 0,
        "ZENKIT_BENCH_NATS_N, _PACED and _RATE must be at least 1"
    );
    let root =
        TempRoot(std::env::temp_dir().join(format!("zenkit-bench-nats-{}", std::process::id())));
    let started = Instant::now();
    println!(
        "{} lines written at once for throughput (ZENKIT_BENCH_NATS_N), {} paced at {}/s for latency (_PACED, _RATE); write → store file",
        plan.burst, plan.paced, plan.rate
    );
    println!(
        "bare: async-nats, pull consumers with max_ack_pending {MAX_ACK_PENDING}, producer batches of {INGEST_BATCH}, store fdatasync per {QUEUE_BATCH}"
    );
    println!();
    println!(
        "{:<46} {:>9} {:>8} {:>8} {:>6}",
        "", "msg/s", "p50 ms", "p99 ms", "pauses"
    );
    let row = |name: &str, f: &Figures, pauses: Option<usize>| {
        let pauses = pauses.map_or("-".to_string(), |p| p.to_string());
        let dups = if f.duplicates > 0 {
            format!("  ({} duplicates)", f.duplicates)
        } else {
            String::new()
        };
        println!(
            "{name:<46} {:>9.0} {:>8.2} {:>8.2} {pauses:>6}{dups}",
            f.rate, f.p50_ms, f.p99_ms
        );
    };

    let mut cpu_rows: Vec<(&str, Vec<(String, f64)>)> = Vec::new();

    let name = "(a) pipeline, directory queues";
    let (dir_figures, pauses) = example_pipeline(&fresh(&root.0, "dir"), None, &[], plan, name);
    row(name, &dir_figures, Some(pauses));
    cpu_rows.push((name, dir_figures.cpu_us.clone()));

    let server = Server::start();
    let servers: Vec<ServerAddr> = vec![server.url().parse().expect("a server URL")];
    let pids: Vec<u32> = server.pid().into_iter().collect();
    let name = "(b) pipeline, JetStream, 1 server";
    let (js1, pauses) = example_pipeline(
        &fresh(&root.0, "js1"),
        Some((&server.url(), 1)),
        &pids,
        plan,
        name,
    );
    row(name, &js1, Some(pauses));
    cpu_rows.push((name, js1.cpu_us.clone()));
    let name = "(d) bare async-nats, 1 server, plain ack";
    let dir = fresh(&root.0, "bare1");
    let bare1 = bare_pipeline(&dir, servers.clone(), &pids, 1, false, plan, name);
    row(name, &bare1, None);
    cpu_rows.push((name, bare1.cpu_us.clone()));
    let name = "(d) bare, 1 server, msg ids + double ack";
    let dir = fresh(&root.0, "bare1s");
    let bare1_strict = bare_pipeline(&dir, servers, &pids, 1, true, plan, name);
    row(name, &bare1_strict, None);
    cpu_rows.push((name, bare1_strict.cpu_us.clone()));
    drop(server);

    let cluster = Cluster::start(3);
    let pids: Vec<u32> = (0..cluster.len())
        .filter_map(|i| cluster.node(i).pid())
        .collect();
    let name = "(c) pipeline, JetStream, 3 nodes, R3";
    let (js3, pauses) = example_pipeline(
        &fresh(&root.0, "js3"),
        Some((&cluster.servers_arg(), 3)),
        &pids,
        plan,
        name,
    );
    row(name, &js3, Some(pauses));
    cpu_rows.push((name, js3.cpu_us.clone()));
    let name = "(d) bare, 3 nodes R3, msg ids + double ack";
    let dir = fresh(&root.0, "bare3s");
    let bare3 = bare_pipeline(&dir, cluster.server_addrs(), &pids, 3, true, plan, name);
    row(name, &bare3, None);
    cpu_rows.push((name, bare3.cpu_us.clone()));
    drop(cluster);

    println!();
    println!("CPU during the burst, microseconds per message:");
    for (name, cpu) in cpu_rows {
        let parts: Vec<String> = cpu
            .iter()
            .map(|(process, us)| format!("{process} {us:.0}"))
            .collect();
        let total: f64 = cpu.iter().map(|(_, us)| us).sum();
        println!("  {name}: {} (total {total:.0})", parts.join(", "));
    }
    println!();
    let ratios = |name: &str, js: &Figures, bare: &Figures| {
        let ratio = js.rate / bare.rate;
        println!(
            "{name}: throughput {ratio:.2}x of bare (bare {:.2}x faster; goal within 1.5x: {}), p50 {:.2}x, p99 {:.2}x",
            1.0 / ratio,
            if 1.0 / ratio <= 1.5 { "met" } else { "NOT met" },
            js.p50_ms / bare.p50_ms,
            js.p99_ms / bare.p99_ms
        );
    };
    ratios("JetStream 1 server / bare plain ack", &js1, &bare1);
    ratios(
        "JetStream 1 server / bare msg ids + double ack",
        &js1,
        &bare1_strict,
    );
    ratios(
        "JetStream 3 nodes R3 / bare R3 msg ids + double ack",
        &js3,
        &bare3,
    );
    println!(
        "directory / JetStream 1 server: throughput {:.2}x, p50 {:.2}x",
        dir_figures.rate / js1.rate,
        dir_figures.p50_ms / js1.p50_ms
    );
    println!("(pauses: the stages' logged pauses for a full output queue, queue_out_limit)");
    println!("whole bench: {:.0} s", started.elapsed().as_secs_f64());
}
