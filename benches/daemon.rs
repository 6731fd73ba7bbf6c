//! Daemon benchmarks: each figure of zenkit's event loop beside a
//! framework-free counterpart measured in the same run (issue figures in the
//! README).
//!
//! * Trivial events per second through one handler, through a chain of 4
//!   and of 16 handlers on one event, and through 8 components each
//!   handling its own event in turn, scheduled by name
//!   (`d.schedule("tick", None)`) and by id (`d.schedule(id, None)`).
//!   Counterpart: a loop that pops `(id, Option<Value>)` pairs from a
//!   `VecDeque` and runs the chains of a table of function pointers,
//!   checking a "signal pending" flag per event. Best of 3 interleaved runs.
//! * Timer lateness (median, p99, max) of a timer re-armed 250, 10 and 1 ms
//!   apart with an idle queue (counterpart: a `BinaryHeap` of deadlines and
//!   `ppoll`), and with a handler of 10 ms, 100 ms or 1 s that schedules
//!   itself again at once keeping the queue busy, the timer re-armed 2.5
//!   handler lengths apart (counterpart: a loop that reads the clock before
//!   every event, as pyzenkit does).
//! * Latency from a byte written to a pipe, by another thread, to the
//!   handler of its `watch_fd` event (p50, p99); counterpart: a thread in
//!   `poll` on the pipe.
//! * Events per second sent from another thread through a `Sender`;
//!   counterparts: `std::sync::mpsc` with a pipe wake-up per send, and plain
//!   `mpsc` with a blocking `recv`.
//! * Bytes per pending timer: the growth of the resident memory for 2^20
//!   pending timers; counterpart: a `BinaryHeap<(Instant, u64, u32)>`.
//! * Wake-ups per second (voluntary context switches) of an idle daemon,
//!   and of an idle daemon with a watched pipe and a live `Sender`.
//!
//! ```text
//! cargo bench --bench daemon
//! ```
//!
//! Each measurement, zenkit's or its counterpart's, runs in a process of
//! its own: this program started again with `ZENKIT_BENCH_MODE` (and
//! `ZENKIT_BENCH_PARAM`) set; zenkit's run a real daemon in the foreground
//! (`--no-daemon`) in a temporary `APP_ROOT_PATH`, removed at the end. Only
//! correctness is asserted (every event seen), never a time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use zenkit::daemon::{Args, Daemon, EventId, Flow, Interest, Sender, WatchId};
use zenkit::prelude::*;

mod support;
use support::voluntary_switches;

const MODE: &str = "ZENKIT_BENCH_MODE";
const PARAM: &str = "ZENKIT_BENCH_PARAM";
/// Trivial events per throughput run.
const EVENTS: u64 = 20_000_000;
/// Throughput runs of each kind; the best counts.
const ROUNDS: usize = 3;
/// Events sent from another thread.
const SENT: u64 = 1_000_000;
/// Bytes written to the watched pipe, one every `FD_GAP`.
const FD_SAMPLES: usize = 2_000;
const FD_GAP: Duration = Duration::from_millis(1);
/// Pending timers whose memory is measured: a power of two, so the heap's
/// capacity is exactly what is used.
const TIMERS: usize = 1 << 20;

fn mode() -> String {
    std::env::var(MODE).unwrap_or_default()
}

fn param() -> String {
    std::env::var(PARAM).unwrap_or_default()
}

/// Reports a measurement to the parent process.
fn report(figures: &[f64]) {
    let text: Vec<String> = figures.iter().map(|f| format!("{f:e}")).collect();
    println!("RESULT {}", text.join(" "));
}

/// When the measured work started (one measurement per process).
static STARTED: OnceLock<Instant> = OnceLock::new();

fn start_clock() {
    let _ = STARTED.set(Instant::now());
}

fn elapsed_secs() -> f64 {
    STARTED.get().expect("started").elapsed().as_secs_f64()
}

/// The process's clock for timestamps that cross threads.
static ORIGIN: OnceLock<Instant> = OnceLock::new();

fn now_ns() -> u64 {
    ORIGIN.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Median, p99 and max of `samples`, in `unit`s.
fn spread(samples: &mut [Duration], unit: Duration) -> [f64; 3] {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() - 1) as f64 * q).round() as usize;
        samples[i].as_secs_f64() / unit.as_secs_f64()
    };
    [at(0.5), at(0.99), at(1.0)]
}

const MS: Duration = Duration::from_millis(1);
const US: Duration = Duration::from_micros(1);

/// How many timer samples a spacing gets: about 5 s of them, at least 5.
fn timer_samples(gap: Duration) -> usize {
    ((5_000 / gap.as_millis().max(1)) as usize).clamp(5, 1_000)
}

/// The timer spacing of a busy-queue run: 2.5 handler lengths, so a timer
/// falls due in the middle of a handler.
fn busy_gap(work: Duration) -> Duration {
    work * 5 / 2
}

fn busy_samples(work: Duration) -> usize {
    match work.as_millis() {
        0..=10 => 40,
        11..=100 => 20,
        _ => 5,
    }
}

/// The resident memory of this process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("resident pages");
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64
}

/// A non-blocking pipe: (read end, write end).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) };
    assert_eq!(rc, 0, "pipe2");
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn write_all(fd: RawFd, bytes: &[u8]) {
    // SAFETY: a write from a live buffer of that length.
    let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
    assert_eq!(n, bytes.len() as isize, "write to the pipe");
}

/// Reads what is in `fd`: `None` at the end of the data, an empty slice
/// when nothing is there yet.
fn read_some(fd: RawFd, buf: &mut [u8]) -> Option<&[u8]> {
    // SAFETY: a read into a live buffer of that length.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    match n {
        0 => None,
        n if n > 0 => Some(&buf[..n as usize]),
        _ => Some(&[]),
    }
}

/// Writes `FD_SAMPLES` timestamps into `fd`, `FD_GAP` apart, then closes it.
fn timestamp_writer(fd: OwnedFd) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for _ in 0..FD_SAMPLES {
            std::thread::sleep(FD_GAP);
            write_all(fd.as_raw_fd(), &now_ns().to_ne_bytes());
        }
    })
}

/// The latencies of the timestamps in `data`, read at `now`.
fn latencies(data: &[u8], now: u64, into: &mut Vec<Duration>) {
    for stamp in data.chunks_exact(8) {
        let sent = u64::from_ne_bytes(stamp.try_into().expect("8 bytes"));
        into.push(Duration::from_nanos(now.saturating_sub(sent)));
    }
}

// ---------------------------------------------------------------------------
// The daemon

/// A daemon whose components do what the mode asks.
#[derive(ZenApp, Default)]
#[zen(daemon, name = "bench-daemon")]
#[zen(defaults(config_file_silent = true, config_dir_silent = true, no_daemon = true))]
struct Bench {
    #[zen(component)]
    probe: Probe,
    #[zen(component)]
    chain4: Chain4,
    #[zen(component)]
    chain16: Chain16,
    #[zen(component)]
    r0: Ring0,
    #[zen(component)]
    r1: Ring1,
    #[zen(component)]
    r2: Ring2,
    #[zen(component)]
    r3: Ring3,
    #[zen(component)]
    r4: Ring4,
    #[zen(component)]
    r5: Ring5,
    #[zen(component)]
    r6: Ring6,
    #[zen(component)]
    r7: Ring7,
}

#[zenkit::app]
impl Bench {}

/// The state of a throughput run: events left, handler calls, and the id to
/// schedule by (by name when none).
#[derive(Default)]
struct Work {
    left: u64,
    calls: u64,
    chain: u64,
    id: Option<EventId>,
}

impl Work {
    /// Starts the run when the bench asks for `event` (`one`, `four`,
    /// `sixteen`) with `chain` handlers, by id or by name.
    fn begin(&mut self, d: &mut Daemon<'_>, event: &'static str, chain: u64) {
        let param = param();
        let (shape, by) = param.split_once(':').unwrap_or_default();
        if mode() != "zk-events" || shape != event {
            return;
        }
        self.left = EVENTS;
        self.chain = chain;
        self.id = (by == "id").then(|| d.event_id(event));
        start_clock();
        d.schedule(event, None);
    }

    /// The last handler of the chain: schedules `event` again, or ends.
    #[inline(always)]
    fn again(&mut self, d: &mut Daemon<'_>, event: &'static str) {
        self.left -= 1;
        if self.left > 0 {
            match self.id {
                Some(id) => d.schedule(id, None),
                None => d.schedule(event, None),
            }
        } else {
            self.finish(d);
        }
    }

    #[cold]
    fn finish(&mut self, d: &mut Daemon<'_>) {
        let secs = elapsed_secs();
        assert_eq!(self.calls, EVENTS * self.chain, "handler calls");
        report(&[EVENTS as f64 / secs]);
        d.set_done();
    }
}

/// A component with `n` handlers of one event: each counts, the last one
/// schedules the event again.
macro_rules! chain {
    ($ty:ident, $event:tt, $n:literal, [$($step:ident)*]) => {
        #[derive(Default)]
        struct $ty {
            work: Work,
        }

        #[zenkit::component]
        impl $ty {
            #[on_event("start")]
            fn begin(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
                self.work.begin(d, $event, $n);
                Flow::Continue(args)
            }

            $(
                #[on_event($event)]
                fn $step(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
                    self.work.calls += 1;
                    Flow::Continue(args)
                }
            )*

            #[on_event($event)]
            fn last(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
                self.work.calls += 1;
                self.work.again(d, $event);
                Flow::Continue(args)
            }
        }
    };
}

chain!(Chain4, "four", 4, [s1 s2 s3]);
chain!(
    Chain16,
    "sixteen",
    16,
    [s1 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 s12 s13 s14 s15]
);

/// Eight components, each handling its own event and scheduling the next
/// one's; the last counts the laps.
macro_rules! ring {
    ($($ty:ident $event:tt -> $next:tt $last:literal;)*) => {$(
        #[derive(Default)]
        struct $ty {
            calls: u64,
            laps: u64,
            next: Option<EventId>,
        }

        #[zenkit::component]
        impl $ty {
            #[on_event("start")]
            fn begin(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
                let param = param();
                let (shape, by) = param.split_once(':').unwrap_or_default();
                if mode() == "zk-events" && shape == "ring" {
                    self.laps = EVENTS / 8;
                    self.next = (by == "id").then(|| d.event_id($next));
                    if $event == "r0" {
                        start_clock();
                        d.schedule("r0", None);
                    }
                }
                Flow::Continue(args)
            }

            #[on_event($event)]
            fn on(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
                self.calls += 1;
                if $last {
                    self.laps -= 1;
                    if self.laps == 0 {
                        let secs = elapsed_secs();
                        assert_eq!(self.calls, EVENTS / 8, "laps");
                        report(&[EVENTS as f64 / secs]);
                        d.set_done();
                        return Flow::Continue(args);
                    }
                }
                match self.next {
                    Some(id) => d.schedule(id, None),
                    None => d.schedule($next, None),
                }
                Flow::Continue(args)
            }
        }
    )*};
}

ring! {
    Ring0 "r0" -> "r1" false;
    Ring1 "r1" -> "r2" false;
    Ring2 "r2" -> "r3" false;
    Ring3 "r3" -> "r4" false;
    Ring4 "r4" -> "r5" false;
    Ring5 "r5" -> "r6" false;
    Ring6 "r6" -> "r7" false;
    Ring7 "r7" -> "r0" true;
}

/// The component of every other measurement.
#[derive(Default)]
struct Probe {
    work: Work,
    /// Timers: spacing, samples wanted, the due time of the pending one and
    /// the lateness of those that ran.
    gap: Duration,
    samples: usize,
    due: Option<Instant>,
    late: Vec<Duration>,
    /// Busy-queue runs: how long a `work` handler takes.
    busy: Duration,
    /// The watched pipe and what it carried.
    pipe: Option<(OwnedFd, Option<OwnedFd>, WatchId)>,
    latency: Vec<Duration>,
    /// Events from another thread.
    received: u64,
    sender: Option<Sender>,
}

#[zenkit::component]
impl Probe {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let param = param();
        match mode().as_str() {
            "zk-events" => self.work.begin(d, "one", 1),
            "zk-idle-timer" | "zk-busy-timer" => {
                let ms = param.parse().expect("milliseconds");
                if mode() == "zk-idle-timer" {
                    self.gap = Duration::from_millis(ms);
                    self.samples = timer_samples(self.gap);
                } else {
                    self.busy = Duration::from_millis(ms);
                    self.gap = busy_gap(self.busy);
                    self.samples = busy_samples(self.busy);
                    d.schedule("work", None);
                }
                self.due = Some(Instant::now() + self.gap);
                d.schedule_after(self.gap, "timer", None);
            }
            "zk-fd" => {
                let (read, write) = pipe();
                let watch = d.watch_fd(&read, Interest::READABLE, "readable");
                self.pipe = Some((read, None, watch));
                timestamp_writer(write);
            }
            "zk-sender" => {
                let sender = d.sender();
                start_clock();
                std::thread::spawn(move || {
                    for _ in 0..SENT {
                        assert!(sender.send("item", None), "the daemon takes events");
                    }
                });
            }
            "zk-timers-rss" => {
                let id = d.event_id("never");
                let before = rss();
                for _ in d.queue().count_timed()..TIMERS {
                    d.schedule_after(Duration::from_secs(3_600), id, None);
                }
                let after = rss();
                assert_eq!(d.queue().count_timed(), TIMERS);
                report(&[(after - before) as f64 / TIMERS as f64]);
                d.set_done();
            }
            "idle-watch" => {
                let (read, write) = pipe();
                let watch = d.watch_fd(&read, Interest::READABLE, "readable");
                self.pipe = Some((read, Some(write), watch));
                self.sender = Some(d.sender());
            }
            // idle: nothing to do until SIGTERM
            _ => {}
        }
        Flow::Continue(args)
    }

    #[on_event("one")]
    fn one(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        self.work.calls += 1;
        self.work.again(d, "one");
        Flow::Continue(args)
    }

    #[on_event("timer")]
    fn timer(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let now = Instant::now();
        if let Some(due) = self.due {
            self.late.push(now.saturating_duration_since(due));
        }
        if self.late.len() < self.samples {
            self.due = Some(now + self.gap);
            d.schedule_after(self.gap, "timer", None);
        } else {
            report(&spread(&mut self.late, MS));
            d.set_done();
        }
        Flow::Continue(args)
    }

    #[on_event("work")]
    fn work(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        if !d.is_done() {
            std::thread::sleep(self.busy);
            d.schedule("work", None);
        }
        Flow::Continue(args)
    }

    #[on_event("readable")]
    fn readable(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let now = now_ns();
        let Some((read, _, watch)) = &self.pipe else {
            return Flow::Continue(args);
        };
        let mut buf = [0u8; 4096];
        match read_some(read.as_raw_fd(), &mut buf) {
            Some(data) => latencies(data, now, &mut self.latency),
            None => {
                d.unwatch(*watch);
                assert_eq!(self.latency.len(), FD_SAMPLES, "timestamps read");
                let [p50, p99, _] = spread(&mut self.latency, US);
                report(&[p50, p99]);
                d.set_done();
            }
        }
        Flow::Continue(args)
    }

    #[on_event("item")]
    fn item(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        self.received += 1;
        if self.received == SENT {
            report(&[SENT as f64 / elapsed_secs()]);
            d.set_done();
        }
        Flow::Continue(args)
    }
}

fn run_daemon() -> std::process::ExitCode {
    zenkit::run_from::<Bench, _, _>(["bench-daemon", "--no-daemon", "--quiet"])
}

// ---------------------------------------------------------------------------
// The framework-free counterparts

type Queue = VecDeque<(u32, Option<Value>)>;
type PlainHandler = fn(&mut State, &mut Queue, Option<Value>) -> Option<Value>;

struct State {
    calls: u64,
    left: u64,
}

/// Set by a signal handler in a real loop.
static SIGNAL_PENDING: AtomicBool = AtomicBool::new(false);

#[cold]
fn take_signals() {
    SIGNAL_PENDING.store(false, Ordering::SeqCst);
}

fn step(s: &mut State, _q: &mut Queue, args: Option<Value>) -> Option<Value> {
    s.calls += 1;
    args
}

fn again(s: &mut State, q: &mut Queue, args: Option<Value>) -> Option<Value> {
    s.calls += 1;
    s.left -= 1;
    if s.left > 0 {
        q.push_back((0, None));
    }
    args
}

fn ring<const I: u32>(s: &mut State, q: &mut Queue, args: Option<Value>) -> Option<Value> {
    s.calls += 1;
    if I == 7 {
        s.left -= 1;
        if s.left == 0 {
            return args;
        }
    }
    q.push_back(((I + 1) % 8, None));
    args
}

fn plain_events(shape: &str) -> f64 {
    let chain = |n: usize| {
        let mut handlers: Vec<PlainHandler> = vec![step; n - 1];
        handlers.push(again);
        vec![handlers]
    };
    let table: Vec<Vec<PlainHandler>> = match shape {
        "one" => chain(1),
        "four" => chain(4),
        "sixteen" => chain(16),
        "ring" => vec![
            vec![ring::<0>],
            vec![ring::<1>],
            vec![ring::<2>],
            vec![ring::<3>],
            vec![ring::<4>],
            vec![ring::<5>],
            vec![ring::<6>],
            vec![ring::<7>],
        ],
        other => panic!("no shape {other}"),
    };
    let table = black_box(table);
    let per_event = if shape == "ring" {
        1
    } else {
        table[0].len() as u64
    };
    let mut state = State {
        calls: 0,
        left: if shape == "ring" { EVENTS / 8 } else { EVENTS },
    };
    let mut queue = Queue::with_capacity(64);
    queue.push_back((0, None));
    let started = Instant::now();
    while let Some((id, args)) = queue.pop_front() {
        if SIGNAL_PENDING.load(Ordering::Relaxed) {
            take_signals();
        }
        let mut args = args;
        for handler in &table[id as usize] {
            args = handler(&mut state, &mut queue, args);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(state.calls, EVENTS * per_event, "handler calls");
    EVENTS as f64 / secs
}

/// Waits in `ppoll` on `fd` for up to `timeout`.
fn ppoll(fd: RawFd, timeout: Option<Duration>) {
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let spec = timeout.map(|t| libc::timespec {
        tv_sec: t.as_secs() as libc::time_t,
        tv_nsec: t.subsec_nanos() as libc::c_long,
    });
    let spec_ptr = spec.as_ref().map_or(std::ptr::null(), |s| s as *const _);
    // SAFETY: one live pollfd, a live timespec or null, no signal mask.
    unsafe { libc::ppoll(&mut pollfd, 1, spec_ptr, std::ptr::null()) };
}

/// A timer re-armed `gap` apart in a loop with nothing else to do: a heap
/// of deadlines and `ppoll` on a wake-up pipe until the earliest.
fn plain_idle_timer(gap: Duration) -> [f64; 3] {
    let (wake, _write) = pipe();
    let samples = timer_samples(gap);
    let mut heap = BinaryHeap::new();
    let mut seq = 0u64;
    heap.push(Reverse((Instant::now() + gap, seq)));
    let mut late = Vec::new();
    while late.len() < samples {
        let Reverse((due, _)) = *heap.peek().expect("a timer");
        let now = Instant::now();
        if due > now {
            ppoll(wake.as_raw_fd(), Some(due - now));
            continue;
        }
        heap.pop();
        // the handler
        let now = Instant::now();
        late.push(now.saturating_duration_since(due));
        seq += 1;
        heap.push(Reverse((now + gap, seq)));
    }
    spread(&mut late, MS)
}

/// A timer re-armed 2.5 handler lengths apart while a handler of `work`
/// keeps scheduling itself: the loop reads the clock before every event and
/// runs a due timer first.
fn plain_busy_timer(work: Duration) -> [f64; 3] {
    const WORK: u32 = 0;
    let gap = busy_gap(work);
    let samples = busy_samples(work);
    let mut immediate: VecDeque<u32> = VecDeque::from([WORK]);
    let mut heap = BinaryHeap::new();
    let mut seq = 0u64;
    heap.push(Reverse((Instant::now() + gap, seq)));
    let mut late = Vec::new();
    while late.len() < samples {
        let now = Instant::now();
        if let Some(&Reverse((due, _))) = heap.peek().filter(|t| t.0 .0 <= now) {
            heap.pop();
            let now = Instant::now();
            late.push(now.saturating_duration_since(due));
            seq += 1;
            heap.push(Reverse((now + gap, seq)));
        } else if let Some(event) = immediate.pop_front() {
            std::thread::sleep(work);
            immediate.push_back(event);
        }
    }
    spread(&mut late, MS)
}

/// A thread in `poll` on the pipe another thread writes timestamps to.
fn plain_fd() -> [f64; 2] {
    let (read, write) = pipe();
    let writer = timestamp_writer(write);
    let mut latency = Vec::with_capacity(FD_SAMPLES);
    let mut buf = [0u8; 4096];
    loop {
        ppoll(read.as_raw_fd(), None);
        let now = now_ns();
        match read_some(read.as_raw_fd(), &mut buf) {
            Some(data) => latencies(data, now, &mut latency),
            None => break,
        }
    }
    writer.join().expect("writer");
    assert_eq!(latency.len(), FD_SAMPLES, "timestamps read");
    let [p50, p99, _] = spread(&mut latency, US);
    [p50, p99]
}

/// Events from another thread through `std::sync::mpsc`, each send
/// followed by a byte into a wake-up pipe the receiving loop polls.
fn plain_mpsc_pipe() -> f64 {
    let (read, write) = pipe();
    let (tx, rx) = std::sync::mpsc::channel::<(u32, Option<Value>)>();
    let started = Instant::now();
    let sender = std::thread::spawn(move || {
        for _ in 0..SENT {
            tx.send((1, None)).expect("receiver");
            let byte = 1u8;
            // SAFETY: a one-byte write; a full pipe (EAGAIN) is fine.
            unsafe { libc::write(write.as_raw_fd(), (&byte as *const u8).cast(), 1) };
        }
    });
    let mut received = 0;
    let mut buf = [0u8; 4096];
    while received < SENT {
        ppoll(read.as_raw_fd(), None);
        while matches!(read_some(read.as_raw_fd(), &mut buf), Some(d) if !d.is_empty()) {}
        while let Ok(event) = rx.try_recv() {
            black_box(event);
            received += 1;
        }
    }
    let rate = SENT as f64 / started.elapsed().as_secs_f64();
    sender.join().expect("sender");
    rate
}

/// Events from another thread through `std::sync::mpsc`, the receiver
/// blocking in `recv`.
fn plain_mpsc() -> f64 {
    let (tx, rx) = std::sync::mpsc::channel::<(u32, Option<Value>)>();
    let started = Instant::now();
    let sender = std::thread::spawn(move || {
        for _ in 0..SENT {
            tx.send((1, None)).expect("receiver");
        }
    });
    let mut received = 0;
    while received < SENT {
        black_box(rx.recv().expect("sender"));
        received += 1;
    }
    let rate = SENT as f64 / started.elapsed().as_secs_f64();
    sender.join().expect("sender");
    rate
}

/// Bytes per entry of a heap of `(deadline, sequence, id)` timers.
fn plain_timers_rss() -> f64 {
    let mut heap = BinaryHeap::new();
    let due = Instant::now() + Duration::from_secs(3_600);
    let before = rss();
    for seq in 0..TIMERS as u64 {
        heap.push(Reverse((due, seq, 7u32)));
    }
    let after = rss();
    black_box(&heap);
    (after - before) as f64 / TIMERS as f64
}

fn run_plain(mode: &str) -> std::process::ExitCode {
    let param = param();
    let ms = || Duration::from_millis(param.parse().expect("milliseconds"));
    match mode {
        "plain-events" => report(&[plain_events(&param)]),
        "plain-idle-timer" => report(&plain_idle_timer(ms())),
        "plain-busy-timer" => report(&plain_busy_timer(ms())),
        "plain-fd" => report(&plain_fd()),
        "plain-mpsc-pipe" => report(&[plain_mpsc_pipe()]),
        "plain-mpsc" => report(&[plain_mpsc()]),
        "plain-timers-rss" => report(&[plain_timers_rss()]),
        other => panic!("no mode {other}"),
    }
    std::process::ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------
// The parent: runs the measurements and prints the table

/// This program in `mode` with `param`, in an application root of its own
/// under `root`.
fn child(root: &Path, mode: &str, param: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("this program"));
    cmd.env(MODE, mode)
        .env(PARAM, param)
        .env("APP_ROOT_PATH", root.join(format!("{mode}-{param}")));
    cmd
}

/// Runs `mode` with `param` to its end and returns what it reported.
fn measure(root: &Path, mode: &str, param: &str) -> Vec<f64> {
    let out = child(root, mode, param)
        .stdin(Stdio::null())
        .output()
        .expect("benchmark process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result = stdout.lines().find_map(|l| l.strip_prefix("RESULT "));
    match (out.status.success(), result) {
        (true, Some(result)) => result
            .split_whitespace()
            .map(|f| f.parse().expect("a figure"))
            .collect(),
        _ => panic!(
            "{mode} {param} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Wake-ups per second of idle daemons of each mode, measured side by side.
fn idle_wakeups(root: &Path, modes: &[&str]) -> Vec<f64> {
    let mut daemons: Vec<_> = modes
        .iter()
        .map(|mode| {
            child(root, mode, "")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("idle daemon")
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let before: Vec<u64> = daemons.iter().map(|d| voluntary_switches(d.id())).collect();
    let span = Duration::from_secs(3);
    std::thread::sleep(span);
    let after: Vec<u64> = daemons.iter().map(|d| voluntary_switches(d.id())).collect();
    for daemon in &mut daemons {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(daemon.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let status = daemon.wait().expect("idle daemon");
        assert!(status.success(), "idle daemon failed: {status}");
    }
    before
        .iter()
        .zip(&after)
        .map(|(b, a)| (a - b) as f64 / span.as_secs_f64())
        .collect()
}

struct Table {
    rows: Vec<[String; 4]>,
}

impl Table {
    fn row(&mut self, figure: impl Into<String>, zenkit: String, plain: String, ratio: String) {
        self.rows.push([figure.into(), zenkit, plain, ratio]);
        let last = self.rows.last().expect("a row");
        eprintln!("  {} | {} | {} | {}", last[0], last[1], last[2], last[3]);
    }

    fn print(&self) {
        let header = [
            "figure".to_string(),
            "zenkit".to_string(),
            "counterpart".to_string(),
            "ratio".to_string(),
        ];
        let mut widths = [0; 4];
        for row in std::iter::once(&header).chain(&self.rows) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |row: &[String; 4]| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            println!("{}", cells.join(" | ").trim_end());
        };
        line(&header);
        println!(
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("-|-")
        );
        for row in &self.rows {
            line(row);
        }
    }
}

fn millions(rate: f64) -> String {
    format!("{:.1} M/s", rate / 1e6)
}

fn ms3(f: &[f64]) -> String {
    let one = |v: f64| {
        if v < 10.0 {
            format!("{v:.3}")
        } else {
            format!("{v:.1}")
        }
    };
    format!("{} / {} / {}", one(f[0]), one(f[1]), one(f[2]))
}

fn main() -> std::process::ExitCode {
    let mode = mode();
    if mode.starts_with("plain-") {
        return run_plain(&mode);
    }
    if !mode.is_empty() {
        return run_daemon();
    }
    let root = tempfile::Builder::new()
        .prefix("zenkit-bench-daemon-")
        .tempdir()
        .expect("temporary application root");
    let root = root.path();
    let mut table = Table { rows: Vec::new() };
    eprintln!("measuring (the table follows):");

    // trivial events: best of ROUNDS interleaved runs
    let shapes = [
        ("one", "1 handler"),
        ("four", "chain of 4 handlers"),
        ("sixteen", "chain of 16 handlers"),
        ("ring", "8 components in turn"),
    ];
    let mut best = vec![[0.0f64; 3]; shapes.len()];
    for _ in 0..ROUNDS {
        for (i, (shape, _)) in shapes.iter().enumerate() {
            let runs = [
                measure(root, "zk-events", &format!("{shape}:name"))[0],
                measure(root, "zk-events", &format!("{shape}:id"))[0],
                measure(root, "plain-events", shape)[0],
            ];
            for (b, r) in best[i].iter_mut().zip(runs) {
                *b = b.max(r);
            }
        }
    }
    for ((_, label), [by_name, by_id, plain]) in shapes.iter().zip(&best) {
        for (by, rate) in [("name", by_name), ("id", by_id)] {
            table.row(
                format!("events/s, {label}, by {by}"),
                millions(*rate),
                millions(*plain),
                format!("{:.2}×", rate / plain),
            );
        }
    }

    // timers
    for ms in [250, 10, 1] {
        let zk = measure(root, "zk-idle-timer", &ms.to_string());
        let plain = measure(root, "plain-idle-timer", &ms.to_string());
        table.row(
            format!("timer lateness ms, idle, {ms} ms apart (med / p99 / max)"),
            ms3(&zk),
            ms3(&plain),
            String::new(),
        );
    }
    for ms in [10u64, 100, 1_000] {
        let work = Duration::from_millis(ms);
        let zk = measure(root, "zk-busy-timer", &ms.to_string());
        let plain = measure(root, "plain-busy-timer", &ms.to_string());
        table.row(
            format!(
                "timer lateness ms, {} handlers, {} ms apart (med / p99 / max)",
                if ms < 1_000 {
                    format!("{ms} ms")
                } else {
                    "1 s".to_string()
                },
                busy_gap(work).as_millis()
            ),
            ms3(&zk),
            ms3(&plain),
            String::new(),
        );
    }

    // descriptor readiness
    let zk = measure(root, "zk-fd", "");
    let plain = measure(root, "plain-fd", "");
    table.row(
        "watched pipe to handler µs (p50 / p99)",
        format!("{:.1} / {:.1}", zk[0], zk[1]),
        format!("{:.1} / {:.1}", plain[0], plain[1]),
        String::new(),
    );

    // events from another thread
    let zk = measure(root, "zk-sender", "")[0];
    let piped = measure(root, "plain-mpsc-pipe", "")[0];
    let plain = measure(root, "plain-mpsc", "")[0];
    table.row(
        "events/s from another thread (vs mpsc + pipe wake-up)",
        millions(zk),
        millions(piped),
        format!("{:.2}×", zk / piped),
    );
    table.row(
        "events/s from another thread (vs plain mpsc recv)",
        millions(zk),
        millions(plain),
        format!("{:.2}×", zk / plain),
    );

    // memory per pending timer
    let zk = measure(root, "zk-timers-rss", "")[0];
    let plain = measure(root, "plain-timers-rss", "")[0];
    table.row(
        format!(
            "bytes per pending timer (RSS growth / {TIMERS}; Event is {} bytes)",
            std::mem::size_of::<zenkit::daemon::Event>()
        ),
        format!("{zk:.1}"),
        format!("{plain:.1}"),
        String::new(),
    );

    // idle wake-ups
    let wakeups = idle_wakeups(root, &["idle", "idle-watch"]);
    table.row(
        "idle wake-ups/s",
        format!("{:.2}", wakeups[0]),
        String::new(),
        String::new(),
    );
    table.row(
        "idle wake-ups/s, watched pipe and live Sender",
        format!("{:.2}", wakeups[1]),
        String::new(),
        String::new(),
    );

    println!();
    table.print();
    std::process::ExitCode::SUCCESS
}
