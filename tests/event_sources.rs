//! A daemon's event sources besides its queue, run in this process: file
//! descriptors, paths and the worker pool, with the timers kept on time
//! meanwhile.
//!
//! Signal handling is process-wide, so the daemons of these tests run one
//! at a time.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use zenkit::daemon::{Change, Interest, PathChange, Ready, WatchId};
use zenkit::prelude::*;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The temporary root of every daemon here, made once; its guard lets one
/// daemon run at a time.
fn exclusive() -> (MutexGuard<'static, ()>, &'static std::path::Path) {
    static ROOT: OnceLock<tempfile::TempDir> = OnceLock::new();
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let root = ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("APP_ROOT_PATH", dir.path());
        dir
    });
    (guard, root.path())
}

/// Runs daemon `A` in the foreground with `extra` arguments; its exit code.
fn run<A: App>(name: &str, extra: &[&str]) -> u8 {
    let mut args = vec![
        name,
        "--no-daemon",
        "--quiet",
        "--log-level",
        "critical",
        "--config-file-silent",
        "--config-dir-silent",
    ];
    args.extend_from_slice(extra);
    // a daemon that misses its event would wait forever: fail instead
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let daemon = name.to_string();
    std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(60)) == Err(RecvTimeoutError::Timeout) {
            eprintln!("daemon {daemon} did not finish within 60 s");
            std::process::exit(1);
        }
    });
    let embedded = zenkit::embed::<A, _, _>(args).expect("the daemon comes up");
    let rc = embedded.run();
    drop(done);
    rc
}

/// The errors the newest runlog of `name` recorded.
fn runlog_errors(root: &std::path::Path, name: &str) -> Vec<String> {
    let dir = root.join("var/run").join(name);
    let mut runlogs: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    runlogs.sort();
    let Some(newest) = runlogs.last() else {
        return Vec::new();
    };
    let runlog: Value = serde_json::from_str(&fs::read_to_string(newest).unwrap()).unwrap();
    runlog["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect()
}

// ---------------------------------------------------------------- descriptors

#[derive(Default, Debug)]
struct PipeSeen {
    data: Vec<u8>,
    events: usize,
    fd_matches: bool,
    unwatched: bool,
}

static PIPE: Mutex<Option<PipeSeen>> = Mutex::new(None);

#[derive(Default)]
struct PipeReader {
    read: Option<OwnedFd>,
    watch: Option<WatchId>,
    seen: PipeSeen,
}

#[component]
impl PipeReader {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_NONBLOCK).unwrap();
        self.watch = Some(d.watch_fd(&read, Interest::READABLE, "readable"));
        self.read = Some(read);
        std::thread::spawn(move || {
            let mut write = File::from(write);
            for chunk in ["abc", "def", "END"] {
                std::thread::sleep(Duration::from_millis(30));
                write.write_all(chunk.as_bytes()).unwrap();
            }
        });
        Flow::Continue(args)
    }

    #[on_event("readable")]
    fn readable(&mut self, d: &mut Daemon, ready: Ready) -> Flow {
        use std::os::fd::AsRawFd;
        self.seen.events += 1;
        let read = self.read.as_ref().unwrap();
        self.seen.fd_matches = ready.fd == read.as_raw_fd() && ready.readable;
        let mut buf = [0u8; 64];
        let mut file = File::from(read.try_clone().unwrap());
        while let Ok(n @ 1..) = file.read(&mut buf) {
            self.seen.data.extend_from_slice(&buf[..n]);
        }
        if self.seen.data.ends_with(b"END") {
            let watch = self.watch.take().unwrap();
            // a second removal finds nothing
            self.seen.unwatched = d.unwatch(watch) && !d.unwatch(watch);
            *PIPE.lock().unwrap() = Some(std::mem::take(&mut self.seen));
            d.set_done();
        }
        Flow::next()
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "pipe-reader")]
struct PipeDaemon {
    #[zen(component)]
    reader: PipeReader,
}

#[zenkit::app]
impl PipeDaemon {}

#[test]
fn a_watched_pipe_gives_an_event_per_batch_of_data_until_unwatched() {
    let (_one, _root) = exclusive();
    assert_eq!(run::<PipeDaemon>("pipe-reader", &[]), 0);
    let seen = PIPE.lock().unwrap().take().expect("the reader finished");
    assert_eq!(String::from_utf8_lossy(&seen.data), "abcdefEND");
    assert!(seen.fd_matches, "{seen:?}");
    // one event per write at most: a queued watch is not polled again
    assert!((1..=3).contains(&seen.events), "{seen:?}");
    assert!(seen.unwatched, "{seen:?}");
}

// ---------------------------------------------------------------- paths

static PATHS: Mutex<Option<Vec<PathChange>>> = Mutex::new(None);

#[derive(Default)]
struct Rotator {
    dir: PathBuf,
    step: usize,
    seen: Vec<PathChange>,
}

impl Rotator {
    fn log(&self) -> PathBuf {
        self.dir.join("app.log")
    }

    fn append(path: &std::path::Path, text: &str) {
        let mut file = OpenOptions::new().append(true).open(path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }
}

#[component]
impl Rotator {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        self.dir = tempfile::tempdir().unwrap().keep();
        // the file does not exist yet: its directory is enough
        d.watch_path(self.log(), "changed").unwrap();
        d.schedule_after(Duration::from_millis(40), "step", None);
        Flow::Continue(args)
    }

    /// One change of the file every 40 ms, each seen before the next.
    #[on_event("step")]
    fn step(&mut self, d: &mut Daemon, args: Args) -> Flow {
        let (log, old) = (self.log(), self.dir.join("app.log.1"));
        match self.step {
            0 => drop(File::create(&log).unwrap()),
            1 => Self::append(&log, "first\n"),
            2 => fs::rename(&log, &old).unwrap(),
            3 => drop(File::create(&log).unwrap()),
            4 => Self::append(&log, "second\n"),
            // the file moved away is still followed until the next one
            5 => Self::append(&old, "late\n"),
            6 => fs::remove_file(&log).unwrap(),
            _ => {
                fs::remove_dir_all(&self.dir).unwrap();
                *PATHS.lock().unwrap() = Some(std::mem::take(&mut self.seen));
                d.set_done();
                return Flow::Continue(args);
            }
        }
        self.step += 1;
        d.schedule_after(Duration::from_millis(40), "step", None);
        Flow::Continue(args)
    }

    #[on_event("changed")]
    fn changed(&mut self, _d: &mut Daemon, change: PathChange) -> Flow {
        self.seen.push(change);
        Flow::next()
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "rotator")]
struct PathDaemon {
    #[zen(component)]
    rotator: Rotator,
}

#[zenkit::app]
impl PathDaemon {}

#[test]
fn a_path_watch_follows_the_file_through_rename_and_recreate() {
    let (_one, _root) = exclusive();
    assert_eq!(run::<PathDaemon>("rotator", &[]), 0);
    let seen = PATHS.lock().unwrap().take().expect("the rotator finished");
    let changes: Vec<Change> = seen.iter().map(|c| c.change).collect();
    assert_eq!(
        changes,
        [
            Change::Created,
            Change::Modified,
            Change::Moved,
            Change::Created,
            Change::Modified,
            Change::Modified,
            Change::Deleted,
        ],
        "{seen:?}"
    );
    assert!(seen.iter().all(|c| c.path.ends_with("app.log")), "{seen:?}");
}

// ---------------------------------------------------------------- jobs

#[derive(Debug, Default, Clone)]
struct JobSeen {
    result: Option<u32>,
    ticks_before_result: usize,
    max_parallel: usize,
    parallel_done: usize,
}

static JOBS: Mutex<Option<JobSeen>> = Mutex::new(None);
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST: AtomicUsize = AtomicUsize::new(0);
const PARALLEL_JOBS: usize = 5;

#[derive(Default)]
struct Jobs {
    ticks: usize,
    seen: JobSeen,
    started: Option<Instant>,
}

#[component]
impl Jobs {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        self.started = Some(Instant::now());
        d.spawn_job("answer", || {
            let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            MOST.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(300));
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            42u32
        });
        d.spawn_job("never", || -> u32 { panic!("the backend is gone") });
        for _ in 0..PARALLEL_JOBS {
            d.spawn_job("parallel", || {
                let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                MOST.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(100));
                RUNNING.fetch_sub(1, Ordering::SeqCst);
            });
        }
        d.schedule_after(Duration::from_millis(10), "tick", None);
        Flow::Continue(args)
    }

    #[on_event("tick")]
    fn tick(&mut self, d: &mut Daemon, args: Args) -> Flow {
        self.ticks += 1;
        if self.seen.result.is_none() {
            d.schedule_after(Duration::from_millis(10), "tick", None);
        }
        Flow::Continue(args)
    }

    #[on_event("answer")]
    fn answer(&mut self, d: &mut Daemon, answer: u32) -> Flow {
        self.seen.result = Some(answer);
        self.seen.ticks_before_result = self.ticks;
        self.finish(d);
        Flow::next()
    }

    #[on_event("parallel")]
    fn parallel(&mut self, d: &mut Daemon, _nothing: ()) -> Flow {
        self.seen.parallel_done += 1;
        self.finish(d);
        Flow::next()
    }

    #[on_event("never")]
    fn never(&mut self, _d: &mut Daemon, _answer: u32) -> Flow {
        unreachable!("a job that panicked delivers nothing")
    }
}

impl Jobs {
    fn finish(&mut self, d: &mut Daemon) {
        if self.seen.result.is_some() && self.seen.parallel_done == PARALLEL_JOBS {
            self.seen.max_parallel = MOST.load(Ordering::SeqCst);
            *JOBS.lock().unwrap() = Some(self.seen.clone());
            assert_eq!(d.jobs_running(), 0);
            d.set_done();
        }
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "jobs")]
struct JobDaemon {
    #[zen(component)]
    jobs: Jobs,
}

#[zenkit::app]
impl JobDaemon {}

#[test]
fn a_blocking_job_answers_while_a_10_ms_timer_keeps_firing() {
    let (_one, root) = exclusive();
    // the panicked job is an error of the run
    assert_eq!(run::<JobDaemon>("jobs", &["--worker-threads", "2"]), 1);
    let seen = JOBS.lock().unwrap().take().expect("the jobs finished");
    assert_eq!(seen.result, Some(42));
    // 300 ms of job: about 30 ticks; the loop was never blocked by it
    assert!(seen.ticks_before_result >= 10, "{seen:?}");
    // two threads at most, and both used: the answer's 300 ms overlap the
    // other jobs
    assert_eq!(seen.max_parallel, 2, "{seen:?}");
    let errors = runlog_errors(root, "jobs");
    assert!(
        errors
            .iter()
            .any(|e| e
                .contains("the job for event 'never' failed: it panicked: the backend is gone")),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------- mistakes

#[derive(Default)]
struct Careless;

#[component]
impl Careless {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        let (read, _write) = nix::unistd::pipe().unwrap();
        d.watch_fd(&read, Interest::READABLE, "readable");
        // closed while watched: reported, and the watch removed
        drop(read);
        d.schedule_after(Duration::from_millis(50), "stop", None);
        Flow::Continue(args)
    }

    #[on_event("readable")]
    fn readable(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        unreachable!("a closed descriptor is never ready: {args:?}")
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "careless")]
struct CarelessDaemon {
    #[zen(component)]
    careless: Careless,
}

#[zenkit::app]
impl CarelessDaemon {}

#[test]
fn a_descriptor_closed_while_watched_is_reported_once() {
    let (_one, root) = exclusive();
    assert_eq!(run::<CarelessDaemon>("careless", &[]), 1);
    let errors = runlog_errors(root, "careless");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("was closed while watched; its watch is removed"),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------- stopping

#[derive(Default)]
struct Stuck;

#[component]
impl Stuck {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        d.spawn_job("never", || std::thread::sleep(Duration::from_secs(30)));
        // done without `stop`: no `terminate` fail-safe is scheduled
        d.set_done();
        Flow::Continue(args)
    }

    #[on_event("never")]
    fn never(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        unreachable!("the daemon does not wait 30 s: {args:?}")
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "stuck")]
struct StuckDaemon {
    #[zen(component)]
    stuck: Stuck,
}

#[zenkit::app]
impl StuckDaemon {}

#[test]
fn a_stopping_daemon_waits_for_its_jobs_at_most_stop_timeout() {
    let (_one, root) = exclusive();
    let conf = root.join("stuck.json");
    fs::write(&conf, r#"{"stop_timeout": 0.3}"#).unwrap();
    let started = Instant::now();
    let conf_arg = format!("--config-file={}", conf.display());
    assert_eq!(run::<StuckDaemon>("stuck", &[&conf_arg]), 0);
    // far less than the job's 30 s: the wait was cut at stop_timeout
    assert!(started.elapsed() < Duration::from_secs(20));
}

// ---------------------------------------------------------------- panics

static PANICS: Mutex<Option<(Vec<Value>, usize)>> = Mutex::new(None);

#[derive(Default)]
struct Fragile {
    reports: Vec<Value>,
    readable: usize,
    read: Option<OwnedFd>,
    write: Option<File>,
}

#[component]
impl Fragile {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_NONBLOCK).unwrap();
        d.watch_fd(&read, Interest::READABLE, "readable");
        let mut write = File::from(write);
        write.write_all(b"x").unwrap();
        self.read = Some(read);
        self.write = Some(write);
        Flow::Continue(args)
    }

    /// Panics at the first readiness, before it reads: the watch must
    /// report again, and the daemon go on.
    #[on_event("readable")]
    fn readable(&mut self, d: &mut Daemon, _ready: Ready) -> Flow {
        self.readable += 1;
        if self.readable == 1 {
            panic!("the first read fails");
        }
        let mut buf = [0u8; 8];
        let mut file = File::from(self.read.as_ref().unwrap().try_clone().unwrap());
        let _ = file.read(&mut buf);
        d.schedule_after(Duration::from_millis(20), "stop", None);
        Flow::next()
    }

    #[on_event("handler_panicked")]
    fn panicked(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        self.reports.push(args.clone().unwrap_or_default());
        Flow::Continue(args)
    }

    #[on_event("stop")]
    fn stop(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        *PANICS.lock().unwrap() = Some((std::mem::take(&mut self.reports), self.readable));
        Flow::Continue(args)
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "fragile")]
struct FragileDaemon {
    #[zen(component)]
    fragile: Fragile,
}

#[zenkit::app]
impl FragileDaemon {}

#[test]
fn a_handler_that_panics_fails_its_event_not_the_daemon() {
    let (_one, root) = exclusive();
    assert_eq!(run::<FragileDaemon>("fragile", &[]), 1);
    let (reports, readable) = PANICS.lock().unwrap().take().expect("the daemon went on");
    assert_eq!(readable, 2, "the watch reported again after the panic");
    assert_eq!(
        reports,
        [json!({
            "event": "readable",
            "handler": "fragile.readable",
            "message": "the first read fails"
        })]
    );
    let errors = runlog_errors(root, "fragile");
    assert_eq!(
        errors,
        ["handler 'fragile.readable' panicked on event 'readable': the first read fails"]
    );
}
