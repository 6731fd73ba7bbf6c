//! Filer benchmark: messages through directory queues, for the zenkit
//! `filer_enrich` and `filer_store` examples (zenkit-filer's `DirQueue` and
//! `Filer` component) and, in the same run, for the same stages as Python
//! pyzenkit daemons on Mentat's own filer (`mentat.daemon.piper.PiperDaemon`
//! with `FilerDaemonComponent` over `mentat.dirq.DirectoryQueue`) and for
//! framework-free counterparts of both, the "floors": the same stages as
//! threads of this bench, with std, nix and serde_json only.
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
//! Each floor does by hand what one side does on disk, so that the ratio
//! of a side to its floor is what its framework costs over its protocol
//! on this disk. Both list `incoming/` when the names listed before are
//! used up, parse each message, add the enrich fields (as the stages do)
//! and wait for inotify when `incoming/` lists nothing; a parallel
//! instance that finds a message gone (or locked) goes on with the next.
//!
//! * floor, Mentat's way: what `mentat.dirq.DirectoryQueue` and the Python
//!   stages do, one message at a time, and no fsync of the queues: take
//!   (a rename of `incoming/ID` into `pending/`), read `pending/ID`,
//!   update it in place (`O_TRUNC`, then the new content written), commit
//!   (a rename into the next queue's `tmp/`, then into its `incoming/`);
//!   the store appends the line, `fdatasync`s the JSON Lines file and
//!   deletes the message, per message as the Python store does.
//! * floor, zenkit's way: what zenkit-filer and the zenkit stages do with
//!   group commit. Take: `incoming/ID` opened, locked
//!   (`flock(LOCK_EX|LOCK_NB)`), checked to be still the file of that
//!   name, renamed into `pending/` and read from the open file (zenkit's
//!   checks for entries that are no regular files left out). Update:
//!   the new content written into a spare file of `tmp/` (over its old
//!   content, cut off only when that was longer; a new locked
//!   `tmp/<host>.<pid>.<n>.spare` only when none is kept). Per batch of up to 64 messages (zenkit's `queue_batch`,
//!   fewer when `incoming/` lists none): one `syncfs` of the new contents
//!   (one `fdatasync` when there is one), then per message its new content
//!   renamed into the next queue's `tmp/`, then into its `incoming/`, and
//!   its old file `pending/ID` into `tmp/` as the next spare (still
//!   locked, no unlink), then one fsync of the next queue's `incoming/`.
//!   The store appends the lines without a flush and, per batch, one
//!   `fdatasync` of the JSON Lines file, then deletes the messages.
//!
//! Measured:
//!
//! * throughput: 5,000 messages written into the input queue before the
//!   stages start; messages/s from the first arrival to the last, and the
//!   ratios zenkit / python, zenkit / floor zenkit's way and python /
//!   floor Mentat's way;
//! * latency: 2,000 messages paced at 1,000/s (after a warm-up), p50 and
//!   p99 from enqueue to the end;
//! * fsyncs per message of each zenkit stage (`Stats::fsyncs` of its
//!   queue, from the state file the daemon writes on SIGUSR2; the store's
//!   include its flushes of the JSON Lines file) and of each floor stage
//!   (`syncfs`, `fdatasync`, directory fsyncs); not of the Python stages;
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
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::errno::Errno;
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
    /// What the floor's stages flushed.
    flushes: Arc<FloorFlushes>,
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
        support::stop_children(&mut self.children);
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
    /// The floor doing what Mentat's queue and the Python stages do.
    FloorMentat,
    /// The floor doing what zenkit's queue and stages do.
    FloorZenkit,
}

impl Impl {
    /// All, in the order of the table.
    const ALL: [Impl; 4] = [
        Impl::Zenkit,
        Impl::Python,
        Impl::FloorMentat,
        Impl::FloorZenkit,
    ];

    /// Its name in the table.
    fn label(self) -> &'static str {
        match self {
            Impl::Zenkit => "zenkit",
            Impl::Python => "python",
            Impl::FloorMentat => "floor, Mentat's way",
            Impl::FloorZenkit => "floor, zenkit's way",
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

/// Messages the floor zenkit's way makes durable per flush, at most: the
/// filer's `queue_batch`.
const FLOOR_BATCH: usize = 64;

/// Where a floor stage puts the messages it takes.
enum FloorOut {
    /// enrich: into the next queue, whose `incoming/` is open for fsyncs.
    Queue(PathBuf, File),
    /// store: as lines of the JSON Lines file, open for appending.
    Store(File),
}

/// What the floor's stages flushed to disk.
#[derive(Default)]
struct FloorFlushes {
    /// Of the enrich stages' queues: `syncfs` or `fdatasync` of the new
    /// contents, fsyncs of the next queue's `incoming/`.
    queue: AtomicU64,
    /// `fdatasync`s of the JSON Lines file by the store.
    store: AtomicU64,
}

/// A floor stage's watch of its queue's `incoming/`.
fn watch_incoming(incoming: &Path) -> Inotify {
    let inotify = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK).expect("inotify");
    inotify
        .add_watch(incoming, AddWatchFlags::IN_MOVED_TO)
        .expect("watch incoming/");
    inotify
}

/// The names in `incoming/`, after the events of `inotify` are drained (an
/// arrival after the listing makes it readable again).
fn list_incoming(incoming: &Path, inotify: &Inotify) -> Vec<OsString> {
    while matches!(inotify.read_events(), Ok(e) if !e.is_empty()) {}
    std::fs::read_dir(incoming)
        .expect("list incoming/")
        .map(|e| e.expect("an entry of incoming/").file_name())
        .collect()
}

/// The floor Mentat's way: a stage on queue `dir`, until `halt`, doing
/// what Mentat's `DirectoryQueue` and the Python stages do, one message at
/// a time, without any flush of the queues.
fn floor_mentat(
    dir: &Path,
    mut out: FloorOut,
    host: &str,
    halt: &AtomicBool,
    flushes: &FloorFlushes,
) {
    let (incoming, pending_dir) = (dir.join("incoming"), dir.join("pending"));
    let inotify = watch_incoming(&incoming);
    // Taken from the end, as Mentat pops its unsorted listing.
    let mut listed: Vec<OsString> = Vec::new();
    while !halt.load(Ordering::Relaxed) {
        let Some(name) = listed.pop() else {
            listed = list_incoming(&incoming, &inotify);
            if listed.is_empty() {
                poll_readable(&inotify);
            }
            continue;
        };
        let pending = pending_dir.join(&name);
        match std::fs::rename(incoming.join(&name), &pending) {
            Ok(()) => {}
            // Another instance took it.
            Err(err) if err.kind() == ErrorKind::NotFound => continue,
            Err(err) => panic!("cannot take {name:?}: {err}"),
        }
        let text = std::fs::read_to_string(&pending).expect("read a message");
        match &mut out {
            FloorOut::Queue(next, _) => {
                // `update`: the message itself truncated and rewritten.
                OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&pending)
                    .and_then(|mut file| {
                        file.write_all(support::enriched(text.as_bytes(), host).as_bytes())
                    })
                    .expect("update a message in place");
                let staged = next.join("tmp").join(&name);
                std::fs::rename(&pending, &staged)
                    .and_then(|()| std::fs::rename(&staged, next.join("incoming").join(&name)))
                    .expect("commit a message");
            }
            FloorOut::Store(file) => {
                file.write_all(format!("{}\n", text.trim()).as_bytes())
                    .and_then(|()| file.sync_data())
                    .expect("append to the store, flushed");
                flushes.store.fetch_add(1, Ordering::Relaxed);
                std::fs::remove_file(&pending).expect("delete a stored message");
            }
        }
    }
}

/// A file of a floor stage in its queue's `tmp/`, locked: a spare, or the
/// new content of a taken message written into one.
struct Spare {
    file: File,
    path: PathBuf,
}

/// A message the floor zenkit's way took, not flushed yet.
struct Taken {
    name: OsString,
    /// Its file, open and locked (after the commit, the next spare).
    file: File,
    /// Its new content (enrich).
    update: Option<Spare>,
}

impl Taken {
    /// The file of its new content.
    fn content(&self) -> &File {
        &self.update.as_ref().expect("an update").file
    }
}

/// Numbers the floor's spare files, unique in the bench.
static SPARE_NAMES: AtomicU64 = AtomicU64::new(0);

/// A new name in `tmp/` for a spare: `<host>.<pid>.<n>.spare`.
fn spare_path(tmp: &Path, host: &str) -> PathBuf {
    let n = SPARE_NAMES.fetch_add(1, Ordering::Relaxed);
    tmp.join(format!("{host}.{}.{n}.spare", std::process::id()))
}

/// Locks `file` (`flock(LOCK_EX|LOCK_NB)`, released when it is closed);
/// `false` when another open file holds a lock on it.
fn lock(file: &File) -> bool {
    // SAFETY: flock on a descriptor that `file` owns and keeps open.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    match Errno::result(rc) {
        Ok(_) => true,
        Err(Errno::EWOULDBLOCK) => false,
        Err(errno) => panic!("cannot lock a message: {errno}"),
    }
}

/// Takes message `name` as zenkit does: opened, locked, checked to be
/// still the file of that name, renamed into `pending/`, read from the
/// open file in one read; `None` when another instance was first.
fn take_locked(dir: &Path, name: &OsString) -> Option<(File, String)> {
    let path = dir.join("incoming").join(name);
    let file = match OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
    {
        Ok(file) => file,
        Err(err) if err.kind() == ErrorKind::NotFound => return None,
        Err(err) => panic!("cannot open {}: {err}", path.display()),
    };
    let meta = file.metadata().expect("stat a message");
    if !lock(&file) {
        return None;
    }
    match std::fs::symlink_metadata(&path) {
        Ok(now) if now.dev() == meta.dev() && now.ino() == meta.ino() => {}
        Ok(_) => return None,
        Err(err) if err.kind() == ErrorKind::NotFound => return None,
        Err(err) => panic!("cannot stat {}: {err}", path.display()),
    }
    match std::fs::rename(&path, dir.join("pending").join(name)) {
        Ok(()) => {}
        Err(err) if err.kind() == ErrorKind::NotFound => return None,
        Err(err) => panic!("cannot take {name:?}: {err}"),
    }
    let mut data = vec![0; meta.len() as usize + 1];
    let n = (&file).read(&mut data).expect("read a message");
    data.truncate(n);
    if n as u64 != meta.len() {
        (&file).read_to_end(&mut data).expect("read a message");
    }
    Some((file, String::from_utf8(data).expect("a UTF-8 message")))
}

/// The floor zenkit's way: a stage on queue `dir`, until `halt`, doing
/// what the zenkit stages do on disk with group commit: messages are taken
/// and processed until [`FLOOR_BATCH`] are, or until `incoming/` lists
/// none, then the batch is flushed (see [`floor_flush`]).
fn floor_zenkit(
    dir: &Path,
    mut out: FloorOut,
    host: &str,
    halt: &AtomicBool,
    flushes: &FloorFlushes,
) {
    let incoming = dir.join("incoming");
    let tmp = dir.join("tmp");
    let inotify = watch_incoming(&incoming);
    let mut spares: Vec<Spare> = Vec::new();
    let mut batch: Vec<Taken> = Vec::with_capacity(FLOOR_BATCH);
    // Oldest last.
    let mut listed: Vec<OsString> = Vec::new();
    while !halt.load(Ordering::Relaxed) {
        let Some(name) = listed.pop() else {
            listed = list_incoming(&incoming, &inotify);
            listed.sort_unstable_by(|a, b| b.cmp(a));
            if listed.is_empty() {
                floor_flush(dir, &out, host, &mut batch, &mut spares, flushes);
                poll_readable(&inotify);
            }
            continue;
        };
        let Some((file, text)) = take_locked(dir, &name) else {
            continue;
        };
        let update = match &mut out {
            FloorOut::Queue(..) => {
                let spare = spares.pop().unwrap_or_else(|| {
                    let path = spare_path(&tmp, host);
                    let file = OpenOptions::new()
                        .read(true)
                        .write(true)
                        .create_new(true)
                        .custom_flags(libc::O_NOFOLLOW)
                        .open(&path)
                        .expect("create a spare in tmp/");
                    assert!(lock(&file), "a new spare is locked");
                    Spare { file, path }
                });
                // Written over the old content, cut off only when that was
                // longer.
                let data = support::enriched(text.as_bytes(), host);
                let old = spare.file.metadata().expect("stat a spare").len();
                spare
                    .file
                    .write_all_at(data.as_bytes(), 0)
                    .expect("write the new content into a spare");
                if old > data.len() as u64 {
                    spare.file.set_len(data.len() as u64).expect("cut a spare");
                }
                Some(spare)
            }
            FloorOut::Store(file) => {
                file.write_all(format!("{}\n", text.trim_end()).as_bytes())
                    .expect("append to the store");
                None
            }
        };
        batch.push(Taken { name, file, update });
        if batch.len() == FLOOR_BATCH {
            floor_flush(dir, &out, host, &mut batch, &mut spares, flushes);
        }
    }
    floor_flush(dir, &out, host, &mut batch, &mut spares, flushes);
    for spare in spares {
        let _ = std::fs::remove_file(spare.path);
    }
}

/// Makes the `batch` of the floor zenkit's way take effect, durably. enrich:
/// the new contents flushed (one `fdatasync` for one, one `syncfs` for
/// several), then per message its new content renamed into the next
/// queue's `tmp/` and `incoming/` and its old file from `pending/` into
/// `tmp/` as a spare, then one fsync of the next queue's `incoming/`.
/// store: one `fdatasync` of the JSON Lines file, then the messages
/// deleted.
fn floor_flush(
    dir: &Path,
    out: &FloorOut,
    host: &str,
    batch: &mut Vec<Taken>,
    spares: &mut Vec<Spare>,
    flushes: &FloorFlushes,
) {
    if batch.is_empty() {
        return;
    }
    let pending_dir = dir.join("pending");
    match out {
        FloorOut::Queue(next, next_incoming) => {
            match batch.as_slice() {
                [one] => one
                    .content()
                    .sync_data()
                    .expect("fdatasync the new content"),
                [first, ..] => nix::unistd::syncfs(first.content()).expect("syncfs"),
                [] => unreachable!(),
            }
            flushes.queue.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join("tmp");
            for taken in batch.drain(..) {
                let update = taken.update.expect("an update");
                let staged = next.join("tmp").join(&taken.name);
                std::fs::rename(&update.path, &staged)
                    .and_then(|()| {
                        std::fs::rename(&staged, next.join("incoming").join(&taken.name))
                    })
                    .expect("commit a message");
                // Closed, unlocked.
                drop(update.file);
                let path = spare_path(&tmp, host);
                std::fs::rename(pending_dir.join(&taken.name), &path)
                    .expect("keep a committed message's old file as a spare");
                spares.push(Spare {
                    file: taken.file,
                    path,
                });
            }
            next_incoming.sync_all().expect("fsync the next incoming/");
            flushes.queue.fetch_add(1, Ordering::Relaxed);
        }
        FloorOut::Store(file) => {
            file.sync_data().expect("fdatasync the store");
            flushes.store.fetch_add(1, Ordering::Relaxed);
            for taken in batch.drain(..) {
                std::fs::remove_file(pending_dir.join(&taken.name))
                    .expect("delete a stored message");
            }
        }
    }
}

/// Starts the stages of floor `imp` in `root`, as threads of the bench.
fn start_floor(env: &Env, imp: Impl, shape: Shape, parallel: usize, root: &Path) -> Procs {
    let stage = match imp {
        Impl::FloorMentat => floor_mentat,
        Impl::FloorZenkit => floor_zenkit,
        Impl::Zenkit | Impl::Python => unreachable!("processes, not threads"),
    };
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
            stage(&dir, out, &host, &halt, &flushes)
        }));
    }
    procs
}

/// What one run measured.
struct Figures {
    rate: f64,
    latencies_ns: Vec<u64>,
    /// Fsyncs per message, enrich (all instances) and store: of zenkit
    /// (`Stats::fsyncs`, the store's of its JSON Lines file included), and
    /// of the floor (`syncfs`, `fdatasync`, directory fsyncs).
    fsyncs: Option<(f64, f64)>,
}

/// Starts the stages of `imp` in `root`.
fn start(env: &Env, imp: Impl, shape: Shape, parallel: usize, root: &Path) -> Procs {
    match imp {
        Impl::Zenkit | Impl::Python => {}
        Impl::FloorMentat | Impl::FloorZenkit => {
            return start_floor(env, imp, shape, parallel, root)
        }
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
            Impl::FloorMentat | Impl::FloorZenkit => unreachable!("threads, not processes"),
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
            Impl::FloorMentat | Impl::FloorZenkit => unreachable!("threads, not processes"),
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
        Impl::FloorMentat | Impl::FloorZenkit => Some((
            procs.flushes.queue.load(Ordering::Relaxed),
            procs.flushes.store.load(Ordering::Relaxed),
        )),
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
    println!("floor, Mentat's way: mentat.dirq by hand, threads of the bench; updates in place, no queue fsync, the store fdatasyncs per message");
    println!("floor, zenkit's way: zenkit-filer by hand, threads of the bench; locks, spare files, per batch of up to {FLOOR_BATCH} one syncfs (fdatasync for one) before publishing and one fsync of the next incoming/, the store one fdatasync");
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
    for (shape, parallel, [zenkit, python, mentat_floor, zenkit_floor]) in &rates {
        println!(
            "throughput {shape:?} x{parallel}: zenkit / floor zenkit's way {:.2}x, python / floor Mentat's way {:.2}x",
            zenkit / zenkit_floor,
            python / mentat_floor
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
    println!("(fsyncs/msg: enrich + store, the store's fdatasyncs of the JSON Lines file included; not counted for python, whose queue never fsyncs and whose store fdatasyncs per message)");
    let (zenkit_idle, python_idle) = idle_wakeups(&env, &root.0.join("idle"));
    println!(
        "idle enrich stage, queue_in_wait 3 s: zenkit {zenkit_idle:.1} wake-ups/s, python {python_idle:.1} wake-ups/s"
    );
    println!("whole bench: {:.0} s", started.elapsed().as_secs_f64());
}
