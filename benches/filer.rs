//! Filer benchmark: messages through directory queues, for the zenkit
//! `filer_enrich` and `filer_store` examples (zenkit-filer's `DirQueue` and
//! `Filer` component) and, in the same run, for the same stages as Python
//! pyzenkit daemons on Mentat's own filer (`mentat.daemon.piper.PiperDaemon`
//! with `FilerDaemonComponent` over `mentat.dirq.DirectoryQueue`) and for a
//! framework-free counterpart, the "floor": the same stages as threads of
//! this bench, with std and serde_json only.
//!
//! ```text
//! cargo build --release --examples && cargo bench --bench filer
//! ```
//!
//! Two shapes: one stage (enrich: input queue → output queue, the bench
//! takes each message arriving in the output queue's `incoming/`) and a
//! pipeline (enrich → store: the bench reads each line the store appends to
//! its JSON Lines file), each with 1 and 4 parallel enrich instances. Each
//! message carries its `CLOCK_MONOTONIC` time taken just before it is
//! written into the input queue; the bench takes the time again when it
//! sees it at the end. The producer writes as Mentat's Python queue does
//! (`tmp/`, then a rename into `incoming/`, no fsync), the same for all.
//!
//! The floor does per message what the stages do on disk: it lists
//! `incoming/` (sorted names), takes a message (a rename into `pending/`;
//! a parallel instance that finds it gone goes on with the next), reads
//! and parses it, adds the enrich fields, writes the new content into
//! `tmp/` (`O_EXCL`), renames it over the message in `pending/` and
//! commits it (a rename into the next queue's `tmp/`, then into its
//! `incoming/`); its store appends the line to the JSON Lines file and
//! deletes the message. Two variants:
//!
//! * no fsync: the protocol's cost on this disk, flushing nothing, as
//!   Mentat's Python queue does;
//! * grouped fsync: durable per batch of up to 64 messages (fewer when
//!   `incoming/` is empty): the new contents written, one `syncfs` before
//!   the renames that publish them, the renames, then one fsync of the
//!   next queue's `incoming/`; its store, one `fdatasync` of the JSON Lines
//!   file per batch before the deletes.
//!
//! Measured:
//!
//! * throughput: 5,000 messages written into the input queue before the
//!   stages start; messages/s from the first arrival to the last, and the
//!   ratios zenkit / python, zenkit / floor with grouped fsync and python /
//!   floor without fsync;
//! * latency: 2,000 messages paced at 1,000/s (after a warm-up), p50 and
//!   p99 from enqueue to the end;
//! * fsyncs per message of each zenkit stage (`Stats::fsyncs` of its
//!   queue, from the state file the daemon writes on SIGUSR2) and of the
//!   floor's enrich stage (its `syncfs` and directory fsyncs);
//! * wake-ups per second of an idle enrich stage (voluntary context
//!   switches, Mentat's default `queue_in_wait` of 3 s).
//!
//! Every message is checked to arrive exactly once and intact. The figures
//! are printed, not checked. The Python packages are installed with pip
//! when missing (`mentat-ng` without its dependencies, `pyzenkit`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::{json, Value};

mod support;
use support::{example, now_ns, voluntary_switches};

const THROUGHPUT: u64 = 5_000;
const PACED: u64 = 2_000;
const WARM_UP: u64 = 50;
const GAP: Duration = Duration::from_millis(1);
/// Message numbers of the warm-up messages start here.
const WARM_UP_BASE: u64 = 1_000_000;

/// The Python stages: a pyzenkit daemon on Mentat's filer component, with
/// an enrich or a store component doing what the zenkit examples do.
const PY_STAGE: &str = r#"
import json, os, socket, sys
import pyzenkit.zendaemon
import mentat.daemon.piper

class Enrich(pyzenkit.zendaemon.ZenDaemonComponent):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.cid = "enrich"
        self.host = socket.gethostname()
    def get_events(self):
        return [{"event": "message_process", "callback": self.process, "prepend": False}]
    def process(self, daemon, args):
        value = json.loads(args["data"])
        line = value.get("line", "")
        value["length"] = len(line)
        value["upper"] = line.upper()
        value["stage"] = "enrich"
        value["host"] = self.host
        daemon.queue.schedule("message_update", {"id": args["id"], "data": json.dumps(value)})
        daemon.queue.schedule("message_commit", {"id": args["id"]})
        return (daemon.FLAG_CONTINUE, args)

class Store(pyzenkit.zendaemon.ZenDaemonComponent):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.cid = "store"
        self.file = open(os.environ["STORE_FILE"], "a", encoding="utf8")
    def get_events(self):
        return [{"event": "message_process", "callback": self.process, "prepend": False}]
    def process(self, daemon, args):
        self.file.write(args["data"].strip() + "\n")
        self.file.flush()
        os.fdatasync(self.file.fileno())
        daemon.queue.schedule("message_commit", {"id": args["id"]})
        return (daemon.FLAG_CONTINUE, args)

class Stage(mentat.daemon.piper.PiperDaemon):
    def __init__(self, component):
        super().__init__(description="filer bench stage", components=[component])

if __name__ == "__main__":
    kind = sys.argv.pop(1)
    Stage(Enrich() if kind == "enrich" else Store()).run()
"#;

/// The stages started: processes, all killed when dropped (also on a
/// panic), or the floor's threads, halted when dropped.
#[derive(Default)]
struct Procs {
    children: Vec<Child>,
    /// The floor's stage threads; they return when `halt` is set.
    threads: Vec<JoinHandle<()>>,
    halt: Arc<AtomicBool>,
    /// The floor's flushes of its queues (`syncfs` and directory fsyncs).
    flushes: Arc<AtomicU64>,
}

impl Procs {
    fn pids(&self) -> Vec<i32> {
        self.children.iter().map(|c| c.id() as i32).collect()
    }

    /// Halts the floor's threads (a panic in one fails the bench); sends
    /// the processes SIGINT, then SIGKILL after 10 s.
    fn stop(&mut self) {
        self.halt.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            thread.join().expect("a floor stage");
        }
        for child in &self.children {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for child in &mut self.children {
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        self.children.clear();
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        self.halt.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The bench's temporary root, removed when dropped.
struct TempRoot(PathBuf);

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Impl {
    Zenkit,
    Python,
    /// The floor without any flush.
    Floor,
    /// The floor, durable per batch of messages.
    FloorGrouped,
}

impl Impl {
    /// All, in the order of the table.
    const ALL: [Impl; 4] = [Impl::Zenkit, Impl::Python, Impl::Floor, Impl::FloorGrouped];

    /// Its name in the table.
    fn label(self) -> &'static str {
        match self {
            Impl::Zenkit => "zenkit",
            Impl::Python => "python",
            Impl::Floor => "floor, no fsync",
            Impl::FloorGrouped => "floor, grouped fsync",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Shape {
    /// enrich: queue in → queue out
    Stage,
    /// enrich → store: queue in → JSON Lines file
    Pipeline,
}

struct Env {
    python: PathBuf,
    script: PathBuf,
    host: String,
}

/// A writer into a queue's `incoming/` as Mentat's Python queue writes: a
/// file in `tmp/`, renamed into `incoming/` under its id; no fsync.
struct Producer {
    dir: PathBuf,
    host: String,
    pid: u32,
}

impl Producer {
    fn new(dir: &Path) -> Producer {
        for sub in ["incoming", "pending", "tmp", "errors"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        Producer {
            dir: dir.to_path_buf(),
            host: "bench".into(),
            pid: std::process::id(),
        }
    }

    fn message(n: u64, t: u64) -> String {
        json!({"n": n, "line": line_text(n), "t": t}).to_string()
    }

    /// Writes message `n`, stamped now.
    fn send(&self, n: u64) {
        let t = now_ns();
        let data = Producer::message(n, t);
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let stamp = format!("{}.{:06}", wall.as_secs(), wall.subsec_micros());
        let tmp = self
            .dir
            .join("tmp")
            .join(format!("{}.{}.{stamp}.0.0.{n}.msg", self.host, self.pid));
        let mut file = File::create(&tmp).unwrap();
        file.write_all(data.as_bytes()).unwrap();
        let meta = file.metadata().unwrap();
        drop(file);
        let id = format!(
            "{}.{}.{stamp}.{}.{}.msg",
            self.host,
            self.pid,
            meta.dev(),
            meta.ino()
        );
        std::fs::rename(&tmp, self.dir.join("incoming").join(id)).unwrap();
    }
}

fn line_text(n: u64) -> String {
    format!("line {n}: the quick brown fox jumps over the lazy dog")
}

/// One arrival: message number, stamp, time seen.
type Arrival = (u64, u64, u64);

/// Waits (up to 100 ms) for `inotify`'s descriptor to be readable.
fn poll_readable(inotify: &Inotify) -> bool {
    use std::os::fd::AsFd;
    let mut pfd = libc::pollfd {
        fd: inotify.as_fd().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one live pollfd.
    unsafe { libc::poll(&mut pfd, 1, 100) > 0 }
}

/// Parses a message as it arrives at the end and checks what enrich did.
fn parse_arrival(text: &str, arrived: u64, host: &str) -> Arrival {
    let value: Value =
        serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("bad message {text:?}: {e}"));
    let n = value["n"].as_u64().expect("n");
    let line = line_text(n);
    assert_eq!(value["line"], line.as_str(), "{value}");
    assert_eq!(value["upper"], line.to_uppercase().as_str(), "{value}");
    assert_eq!(value["length"], line.chars().count(), "{value}");
    assert_eq!(value["stage"], "enrich", "{value}");
    assert_eq!(value["host"], host, "{value}");
    (n, value["t"].as_u64().expect("t"), arrived)
}

/// Takes what arrives at the end until `total` messages have, or `stop`.
fn reader(
    shape: Shape,
    end: PathBuf,
    total: usize,
    host: String,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<Arrival>> {
    let inotify = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK).expect("inotify");
    match shape {
        Shape::Stage => inotify.add_watch(
            &end,
            AddWatchFlags::IN_MOVED_TO | AddWatchFlags::IN_CLOSE_WRITE,
        ),
        Shape::Pipeline => inotify.add_watch(&end, AddWatchFlags::IN_MODIFY),
    }
    .expect("watch the end");
    std::thread::spawn(move || {
        let mut arrivals = Vec::with_capacity(total);
        let mut file = (shape == Shape::Pipeline).then(|| File::open(&end).unwrap());
        let mut offset = 0;
        let mut rest = String::new();
        while arrivals.len() < total && !stop.load(Ordering::Relaxed) {
            if !poll_readable(&inotify) {
                continue;
            }
            while matches!(inotify.read_events(), Ok(e) if !e.is_empty()) {}
            let arrived = now_ns();
            match &mut file {
                None => {
                    for entry in std::fs::read_dir(&end).unwrap() {
                        let path = entry.unwrap().path();
                        let Ok(text) = std::fs::read_to_string(&path) else {
                            continue;
                        };
                        arrivals.push(parse_arrival(&text, arrived, &host));
                        std::fs::remove_file(&path).unwrap();
                    }
                }
                Some(file) => {
                    file.seek(SeekFrom::Start(offset)).unwrap();
                    offset += file.read_to_string(&mut rest).unwrap() as u64;
                    let Some(last) = rest.rfind('\n') else {
                        continue;
                    };
                    let complete: String = rest.drain(..=last).collect();
                    for line in complete.lines() {
                        arrivals.push(parse_arrival(line, arrived, &host));
                    }
                }
            }
        }
        arrivals
    })
}

/// Messages the floor with grouped fsync publishes per flush, at most.
const FLOOR_BATCH: usize = 64;

/// Where a floor stage puts the messages it takes.
enum FloorOut {
    /// enrich: into the next queue, whose `incoming/` is open for fsyncs.
    Queue(PathBuf, File),
    /// store: as lines of the JSON Lines file, open for appending.
    Store(File),
}

/// A floor stage on queue `dir`, until `halt`: takes what `incoming/`
/// lists, in batches of up to [`FLOOR_BATCH`], and waits for inotify when
/// it lists nothing. With `grouped`, each batch is flushed before it is
/// published (the enrich stage counts its flushes in `flushes`).
fn floor_stage(
    dir: &Path,
    mut out: FloorOut,
    host: &str,
    grouped: bool,
    halt: &AtomicBool,
    flushes: &AtomicU64,
) {
    let incoming = dir.join("incoming");
    let inotify = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK).expect("inotify");
    inotify
        .add_watch(&incoming, AddWatchFlags::IN_MOVED_TO)
        .expect("watch incoming/");
    while !halt.load(Ordering::Relaxed) {
        while matches!(inotify.read_events(), Ok(e) if !e.is_empty()) {}
        let mut names: Vec<OsString> = std::fs::read_dir(&incoming)
            .expect("list incoming/")
            .map(|e| e.expect("an entry of incoming/").file_name())
            .collect();
        if names.is_empty() {
            poll_readable(&inotify);
            continue;
        }
        names.sort_unstable();
        for batch in names.chunks(FLOOR_BATCH) {
            let mut taken = Vec::with_capacity(batch.len());
            for name in batch {
                let pending = dir.join("pending").join(name);
                match std::fs::rename(incoming.join(name), &pending) {
                    Ok(()) => {}
                    // Another instance took it.
                    Err(err) if err.kind() == ErrorKind::NotFound => continue,
                    Err(err) => panic!("cannot take {name:?}: {err}"),
                }
                let text = std::fs::read_to_string(&pending).expect("read a message");
                match &mut out {
                    FloorOut::Queue(..) => {
                        let mut value: Value = serde_json::from_str(&text).expect("a JSON message");
                        let line = value["line"].as_str().unwrap_or("").to_string();
                        value["length"] = json!(line.chars().count());
                        value["upper"] = json!(line.to_uppercase());
                        value["stage"] = json!("enrich");
                        value["host"] = json!(host);
                        OpenOptions::new()
                            .write(true)
                            .create_new(true)
                            .open(dir.join("tmp").join(name))
                            .and_then(|mut file| file.write_all(value.to_string().as_bytes()))
                            .expect("write the new content into tmp/");
                    }
                    FloorOut::Store(file) => file
                        .write_all(format!("{}\n", text.trim_end()).as_bytes())
                        .expect("append to the store"),
                }
                taken.push(name);
            }
            match &out {
                FloorOut::Queue(next, next_incoming) => {
                    if grouped {
                        nix::unistd::syncfs(next_incoming).expect("syncfs");
                        flushes.fetch_add(1, Ordering::Relaxed);
                    }
                    for name in taken {
                        let pending = dir.join("pending").join(name);
                        let staged = next.join("tmp").join(name);
                        std::fs::rename(dir.join("tmp").join(name), &pending)
                            .and_then(|()| std::fs::rename(&pending, &staged))
                            .and_then(|()| {
                                std::fs::rename(&staged, next.join("incoming").join(name))
                            })
                            .expect("update and commit a message");
                    }
                    if grouped {
                        next_incoming.sync_all().expect("fsync the next incoming/");
                        flushes.fetch_add(1, Ordering::Relaxed);
                    }
                }
                FloorOut::Store(file) => {
                    if grouped {
                        file.sync_data().expect("fdatasync the store");
                    }
                    for name in taken {
                        std::fs::remove_file(dir.join("pending").join(name))
                            .expect("delete a stored message");
                    }
                }
            }
        }
    }
}

/// Starts the floor's stages in `root`, as threads of the bench.
fn start_floor(env: &Env, grouped: bool, shape: Shape, parallel: usize, root: &Path) -> Procs {
    let (qin, qout) = (root.join("q/in"), root.join("q/out"));
    let mut stages = Vec::new();
    for _ in 0..parallel {
        let next_incoming = File::open(qout.join("incoming")).expect("the next queue's incoming/");
        stages.push((qin.clone(), FloorOut::Queue(qout.clone(), next_incoming)));
    }
    if shape == Shape::Pipeline {
        let store = OpenOptions::new()
            .append(true)
            .open(root.join("store.jsonl"))
            .expect("the store");
        stages.push((qout, FloorOut::Store(store)));
    }
    let mut procs = Procs::default();
    for (dir, out) in stages {
        let (host, halt, flushes) = (env.host.clone(), procs.halt.clone(), procs.flushes.clone());
        procs.threads.push(std::thread::spawn(move || {
            floor_stage(&dir, out, &host, grouped, &halt, &flushes)
        }));
    }
    procs
}

/// What one run measured.
struct Figures {
    rate: f64,
    latencies_ns: Vec<u64>,
    /// Queue fsyncs per message, enrich (all instances) and store: of
    /// zenkit, and of the floor (`syncfs` and directory fsyncs).
    fsyncs: Option<(f64, f64)>,
}

/// Starts the stages of `imp` in `root`.
fn start(env: &Env, imp: Impl, shape: Shape, parallel: usize, root: &Path) -> Procs {
    match imp {
        Impl::Zenkit | Impl::Python => {}
        Impl::Floor => return start_floor(env, false, shape, parallel, root),
        Impl::FloorGrouped => return start_floor(env, true, shape, parallel, root),
    }
    let (qin, qout, store) = (
        root.join("q/in"),
        root.join("q/out"),
        root.join("store.jsonl"),
    );
    let mut procs = Procs::default();
    let spawn = |cmd: &mut Command| {
        cmd.env("APP_ROOT_PATH", root)
            .env("STORE_FILE", &store)
            .env_remove("NOTIFY_SOCKET")
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("a stage")
    };
    let path = |p: &Path| p.to_str().unwrap().to_string();
    for _ in 0..parallel {
        let child = match imp {
            Impl::Zenkit => {
                let mut args = vec![
                    "--no-daemon".to_string(),
                    "--queue-in-dir".into(),
                    path(&qin),
                    "--queue-out-dir".into(),
                    path(&qout),
                    "--queue-in-wait".into(),
                    "1".into(),
                ];
                if parallel > 1 {
                    args.push("--parallel".into());
                }
                spawn(Command::new(example("filer_enrich")).args(args))
            }
            Impl::Python => {
                let mut args = vec![
                    path(&env.script),
                    "enrich".into(),
                    "--name".into(),
                    "py_enrich".into(),
                    "--no-daemon".into(),
                    "--config-file-silent".into(),
                    "--config-dir-silent".into(),
                    "--queue-in-dir".into(),
                    path(&qin),
                    "--queue-out-dir".into(),
                    path(&qout),
                    "--queue-in-wait".into(),
                    "1".into(),
                ];
                if parallel > 1 {
                    args.push("--paralel".into());
                }
                spawn(Command::new(&env.python).args(args))
            }
            Impl::Floor | Impl::FloorGrouped => unreachable!("threads, not processes"),
        };
        procs.children.push(child);
    }
    if shape == Shape::Pipeline {
        let child = match imp {
            Impl::Zenkit => spawn(Command::new(example("filer_store")).args([
                "--no-daemon",
                "--queue-in-dir",
                &path(&qout),
                "--store",
                &path(&store),
                "--queue-in-wait",
                "1",
            ])),
            Impl::Python => spawn(Command::new(&env.python).args([
                &path(&env.script),
                "store",
                "--name",
                "py_store",
                "--no-daemon",
                "--config-file-silent",
                "--config-dir-silent",
                "--queue-in-dir",
                &path(&qout),
                "--queue-in-wait",
                "1",
            ])),
            Impl::Floor | Impl::FloorGrouped => unreachable!("threads, not processes"),
        };
        procs.children.push(child);
    }
    procs
}

/// Prepares a fresh root for one run: queues, Python's directories.
fn prepare(root: &Path) -> (Producer, PathBuf) {
    let _ = std::fs::remove_dir_all(root);
    for dir in [
        "var/run",
        "var/log",
        "var/mentat/run",
        "var/mentat/log",
        "var/mentat/spool",
        "etc/mentat",
    ] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    let producer = Producer::new(&root.join("q/in"));
    Producer::new(&root.join("q/out"));
    std::fs::write(root.join("store.jsonl"), "").unwrap();
    (producer, root.join("store.jsonl"))
}

fn end_of(shape: Shape, root: &Path) -> PathBuf {
    match shape {
        Shape::Stage => root.join("q/out/incoming"),
        Shape::Pipeline => root.join("store.jsonl"),
    }
}

/// Checks that messages `numbers` arrived once each.
fn check_once(arrivals: &[Arrival], numbers: impl Iterator<Item = u64>, what: &str) {
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    for (n, _, _) in arrivals {
        *seen.entry(*n).or_default() += 1;
    }
    let mut expected = 0;
    for n in numbers {
        expected += 1;
        assert_eq!(
            seen.get(&n),
            Some(&1),
            "{what}: message {n} arrived {:?} times",
            seen.get(&n)
        );
    }
    assert_eq!(arrivals.len(), expected, "{what}: unexpected messages");
}

/// The queue fsyncs of the zenkit stages: SIGUSR2 makes each write its
/// state file; returns (enrich total, store).
fn zenkit_fsyncs(root: &Path, procs: &Procs) -> (u64, u64) {
    let run = root.join("var/run");
    let states = || -> Vec<PathBuf> {
        std::fs::read_dir(&run)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "state"))
            .collect()
    };
    for path in states() {
        let _ = std::fs::remove_file(path);
    }
    for pid in procs.pids() {
        kill(Pid::from_raw(pid), Signal::SIGUSR2).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let parsed: Vec<(String, Value)> = states()
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                let value: Value = serde_json::from_str(&text).ok()?;
                Some((p.file_name()?.to_string_lossy().into_owned(), value))
            })
            .collect();
        if parsed.len() == procs.children.len() {
            let (mut enrich, mut store) = (0, 0);
            for (name, state) in parsed {
                let fsyncs = state["components"]["filer"]["stats"]["fsyncs"]
                    .as_u64()
                    .expect("fsyncs in the state");
                if name.starts_with("filer_store") {
                    store += fsyncs;
                } else {
                    enrich += fsyncs;
                }
            }
            return (enrich, store);
        }
        assert!(
            Instant::now() < deadline,
            "the state files were not written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn throughput(env: &Env, imp: Impl, shape: Shape, parallel: usize, root: &Path) -> Figures {
    let (producer, _) = prepare(root);
    for n in 0..THROUGHPUT {
        producer.send(n);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let reader = reader(
        shape,
        end_of(shape, root),
        THROUGHPUT as usize,
        env.host.clone(),
        stop.clone(),
    );
    let mut procs = start(env, imp, shape, parallel, root);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !reader.is_finished() {
        if Instant::now() > deadline {
            stop.store(true, Ordering::Relaxed);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let arrivals = reader.join().expect("the reader");
    let zenkit = (imp == Impl::Zenkit).then(|| zenkit_fsyncs(root, &procs));
    procs.stop();
    let fsyncs = match imp {
        Impl::Zenkit => zenkit,
        Impl::Python => None,
        Impl::Floor | Impl::FloorGrouped => Some((procs.flushes.load(Ordering::Relaxed), 0)),
    }
    .map(|(enrich, store)| {
        (
            enrich as f64 / THROUGHPUT as f64,
            store as f64 / THROUGHPUT as f64,
        )
    });
    check_once(
        &arrivals,
        0..THROUGHPUT,
        &format!("{imp:?} {shape:?} x{parallel}"),
    );
    let first = arrivals.iter().map(|a| a.2).min().unwrap();
    let last = arrivals.iter().map(|a| a.2).max().unwrap();
    Figures {
        rate: (THROUGHPUT - 1) as f64 / ((last - first) as f64 / 1e9),
        latencies_ns: Vec::new(),
        fsyncs,
    }
}

fn paced(env: &Env, imp: Impl, shape: Shape, parallel: usize, root: &Path) -> Figures {
    let (producer, _) = prepare(root);
    let stop = Arc::new(AtomicBool::new(false));
    let total = (WARM_UP + PACED) as usize;
    let reader = reader(
        shape,
        end_of(shape, root),
        total,
        env.host.clone(),
        stop.clone(),
    );
    let mut procs = start(env, imp, shape, parallel, root);
    std::thread::sleep(Duration::from_millis(1500));
    let run = || {
        for n in 0..WARM_UP {
            std::thread::sleep(Duration::from_millis(10));
            producer.send(WARM_UP_BASE + n);
        }
        std::thread::sleep(Duration::from_millis(1500));
        let start = Instant::now();
        for n in 0..PACED {
            let at = start + GAP * n as u32;
            if let Some(wait) = at.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            producer.send(n);
        }
        start.elapsed()
    };
    let elapsed = run();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reader.is_finished() {
        if Instant::now() > deadline {
            stop.store(true, Ordering::Relaxed);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let arrivals = reader.join().expect("the reader");
    procs.stop();
    check_once(
        &arrivals,
        (WARM_UP_BASE..WARM_UP_BASE + WARM_UP).chain(0..PACED),
        &format!("{imp:?} {shape:?} x{parallel} paced"),
    );
    let latencies_ns = arrivals
        .iter()
        .filter(|a| a.0 < WARM_UP_BASE)
        .map(|a| a.2.saturating_sub(a.1))
        .collect();
    Figures {
        rate: PACED as f64 / elapsed.as_secs_f64(),
        latencies_ns,
        fsyncs: None,
    }
}

fn percentile(sorted: &[u64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64 / 1e6
}

/// Wake-ups per second of an idle enrich stage of each implementation,
/// side by side, at Mentat's default `queue_in_wait` (3 s).
fn idle_wakeups(env: &Env, root: &Path) -> (f64, f64) {
    let _ = std::fs::remove_dir_all(root);
    prepare(root);
    let (qin, qout) = (root.join("q/in"), root.join("q/out"));
    let spawn = |cmd: &mut Command| {
        cmd.env("APP_ROOT_PATH", root)
            .env_remove("NOTIFY_SOCKET")
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("an idle stage")
    };
    let (qin, qout) = (qin.to_str().unwrap(), qout.to_str().unwrap());
    let mut procs = Procs::default();
    procs
        .children
        .push(spawn(Command::new(example("filer_enrich")).args([
            "--no-daemon",
            "--queue-in-dir",
            qin,
            "--queue-out-dir",
            qout,
        ])));
    procs.children.push(spawn(Command::new(&env.python).args([
        env.script.to_str().unwrap(),
        "enrich",
        "--name",
        "py_enrich",
        "--no-daemon",
        "--config-file-silent",
        "--config-dir-silent",
        "--queue-in-dir",
        qin,
        "--queue-out-dir",
        qout,
    ])));
    std::thread::sleep(Duration::from_secs(2));
    let pids: Vec<u32> = procs.children.iter().map(Child::id).collect();
    let before: Vec<u64> = pids.iter().map(|&p| voluntary_switches(p)).collect();
    let span = Duration::from_secs(6);
    std::thread::sleep(span);
    let after: Vec<u64> = pids.iter().map(|&p| voluntary_switches(p)).collect();
    for child in &mut procs.children {
        assert!(
            child.try_wait().unwrap().is_none(),
            "an idle stage exited early"
        );
    }
    procs.stop();
    let rate = |i: usize| (after[i] - before[i]) as f64 / span.as_secs_f64();
    (rate(0), rate(1))
}

/// The Python interpreter itself (not a pyenv shim), with mentat.dirq and
/// pyzenkit importable; installs them quietly when missing.
fn python_env(root: &Path) -> Env {
    let probe = || {
        Command::new("python3")
            .args([
                "-c",
                "import sys, mentat.dirq, mentat.daemon.piper, pyzenkit; print(sys.executable)",
            ])
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let python = probe().unwrap_or_else(|| {
        for args in [
            &["install", "-q", "--no-deps", "mentat-ng"][..],
            &["install", "-q", "pyzenkit"][..],
        ] {
            let _ = Command::new("python3")
                .args(["-m", "pip"])
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        probe().expect(
            "python3 with mentat-ng and pyzenkit (pip install --no-deps mentat-ng pyzenkit)",
        )
    });
    std::fs::create_dir_all(root).unwrap();
    let script = root.join("stage.py");
    std::fs::write(&script, PY_STAGE).unwrap();
    Env {
        python: PathBuf::from(python),
        script,
        host: nix::unistd::gethostname()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    }
}

fn main() {
    for program in ["filer_enrich", "filer_store"] {
        assert!(
            example(program).exists(),
            "{} is missing: run `cargo build --release --examples` first",
            example(program).display()
        );
    }
    let root =
        TempRoot(std::env::temp_dir().join(format!("zenkit-bench-filer-{}", std::process::id())));
    let env = python_env(&root.0);
    let started = Instant::now();
    println!(
        "{} messages for throughput (written before the stages start), {} paced at {}/s for latency",
        THROUGHPUT,
        PACED,
        1000 / GAP.as_millis()
    );
    println!("python: pyzenkit daemons on Mentat's FilerDaemonComponent / mentat.dirq.DirectoryQueue, queue_in_wait 1 s for both");
    println!("floor: the same protocol by hand, threads of the bench; no fsync, or per batch of up to {FLOOR_BATCH} one syncfs before publishing and one fsync of the next incoming/");
    println!();
    println!(
        "{:<38} {:>10} {:>9} {:>9} {:>9} {:>14}",
        "", "msg/s", "p50 ms", "p99 ms", "paced/s", "fsyncs/msg"
    );
    let mut rates = Vec::new();
    let mut p99s = Vec::new();
    for shape in [Shape::Stage, Shape::Pipeline] {
        for parallel in [1, 4] {
            let mut rate = [0.0; Impl::ALL.len()];
            for (i, imp) in Impl::ALL.into_iter().enumerate() {
                let dir = root.0.join(format!("{imp:?}-{shape:?}-{parallel}"));
                let t = throughput(&env, imp, shape, parallel, &dir);
                let mut p = paced(&env, imp, shape, parallel, &dir);
                let _ = std::fs::remove_dir_all(&dir);
                p.latencies_ns.sort_unstable();
                let (p50, p99) = (
                    percentile(&p.latencies_ns, 0.5),
                    percentile(&p.latencies_ns, 0.99),
                );
                rate[i] = t.rate;
                let name = format!(
                    "{} {} x{parallel}",
                    imp.label(),
                    match shape {
                        Shape::Stage => "enrich stage",
                        Shape::Pipeline => "enrich+store",
                    }
                );
                let fsyncs = match (t.fsyncs, shape) {
                    (Some((e, _)), Shape::Stage) => format!("{e:.2}"),
                    (Some((e, s)), Shape::Pipeline) => format!("{e:.2} + {s:.2}"),
                    (None, _) => "0".to_string(),
                };
                println!(
                    "{name:<38} {:>10.0} {p50:>9.3} {p99:>9.3} {:>9.0} {fsyncs:>14}",
                    t.rate, p.rate
                );
                if imp == Impl::Zenkit {
                    p99s.push((name, p99));
                }
            }
            rates.push((shape, parallel, rate));
        }
    }
    println!();
    for (shape, parallel, [zenkit, python, _, _]) in &rates {
        println!(
            "throughput zenkit / python, {shape:?} x{parallel}: {:.1}x (goal: 20x)",
            zenkit / python
        );
    }
    for (shape, parallel, [zenkit, python, floor, grouped]) in &rates {
        println!(
            "throughput {shape:?} x{parallel}: zenkit / floor grouped fsync {:.2}x, python / floor no fsync {:.2}x",
            zenkit / grouped,
            python / floor
        );
    }
    for (name, p99) in p99s {
        println!(
            "{name}: p99 {p99:.3} ms at 1,000 msg/s: {}",
            if p99 < 5.0 {
                "under 5 ms"
            } else {
                "NOT under 5 ms"
            }
        );
    }
    println!("(store: plus one fdatasync of the JSON Lines file per message for zenkit and python, per batch for the floor with grouped fsync; Python's queue never fsyncs)");
    let (zenkit_idle, python_idle) = idle_wakeups(&env, &root.0.join("idle"));
    println!(
        "idle enrich stage, queue_in_wait 3 s: zenkit {zenkit_idle:.1} wake-ups/s, python {python_idle:.1} wake-ups/s"
    );
    println!("whole bench: {:.0} s", started.elapsed().as_secs_f64());
}
