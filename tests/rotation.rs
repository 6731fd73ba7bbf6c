//! End-to-end: the `watch` example follows its file through real logrotate
//! rotations (`create`, `create` with a SIGHUP to the daemon, and
//! `copytruncate`) while a writer keeps appending to it, and loses and
//! repeats no line.

mod support;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use support::{json, signal, wait_exit, wait_for, Running, Sandbox};

/// Lines a writer appends between two pauses of a millisecond, each in one
/// write: about 10,000 lines a second.
const BURST: usize = 10;

/// The line number `n` stands for in the followed file.
fn line(n: usize) -> String {
    format!("ERROR line {n} end\n")
}

/// The number of a line the daemon logged as a match, `None` for a line
/// that is not one of [`line`]'s.
fn number(text: &str) -> Option<usize> {
    text.strip_prefix("ERROR line ")?
        .strip_suffix(" end")?
        .parse()
        .ok()
}

/// A watch daemon in the foreground on `app.log` in a sandbox, its PID file
/// and log in the usual places.
fn start(sb: &Sandbox) -> Running {
    sb.write("app.log", "");
    let conf = serde_json::json!({"file": sb.path("app.log")});
    sb.write("etc/watch.conf", &conf.to_string());
    std::fs::create_dir_all(sb.path("etc/watch")).unwrap();
    let child = sb.spawn(&["--no-daemon"]);
    wait_for(&sb.path("var/log/watch.log"), "Daemon startup initiated");
    child
}

/// What a writer thread and the test tell each other.
#[derive(Default)]
struct Shared {
    /// Lines written so far.
    written: AtomicUsize,
    /// Reopen requests, and the last one done.
    reopen: AtomicUsize,
    reopened: AtomicUsize,
    /// Set: pause before the next burst; `pauses` counts the pauses begun.
    quiet: AtomicBool,
    pauses: AtomicUsize,
    done: AtomicBool,
}

/// Appends lines `0..total` to `path` in bursts, opening the path again
/// when asked to (as a logger does after its postrotate script) and pausing
/// while asked to.
fn writer(path: PathBuf, total: usize, shared: Arc<Shared>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let open = || {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&path)
                .unwrap()
        };
        let mut file = open();
        let mut n = 0;
        while n < total {
            if shared.quiet.load(Ordering::SeqCst) {
                shared.pauses.fetch_add(1, Ordering::SeqCst);
                while shared.quiet.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            let want = shared.reopen.load(Ordering::SeqCst);
            if want != shared.reopened.load(Ordering::SeqCst) {
                file = open();
                shared.reopened.store(want, Ordering::SeqCst);
            }
            for _ in 0..BURST.min(total - n) {
                file.write_all(line(n).as_bytes()).unwrap();
                n += 1;
            }
            shared.written.store(n, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(1));
        }
        shared.done.store(true, Ordering::SeqCst);
    })
}

/// Waits until `ready` holds, failing after 30 s with `what`.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The matches in the daemon's log, read on from where the last look
/// stopped.
struct Matches {
    path: PathBuf,
    offset: u64,
    rest: Vec<u8>,
    /// How often each line number was logged.
    count: Vec<u32>,
    /// Lines up to which every number was logged.
    complete: usize,
    /// Logged matches that are not lines of the writer's.
    garbled: Vec<String>,
}

impl Matches {
    fn new(path: PathBuf, total: usize) -> Matches {
        Matches {
            path,
            offset: 0,
            rest: Vec::new(),
            count: vec![0; total],
            complete: 0,
            garbled: Vec::new(),
        }
    }

    fn update(&mut self) {
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return;
        };
        file.seek(SeekFrom::Start(self.offset)).unwrap();
        let mut buf = Vec::new();
        self.offset += file.read_to_end(&mut buf).unwrap() as u64;
        self.rest.extend_from_slice(&buf);
        let Some(end) = self.rest.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        let text = String::from_utf8_lossy(&self.rest[..end]).into_owned();
        self.rest.drain(..=end);
        for logged in text.lines() {
            let Some((_, matched)) = logged.split_once("Match for 'ERROR': ") else {
                continue;
            };
            match number(matched).filter(|&n| n < self.count.len()) {
                Some(n) => self.count[n] += 1,
                None => self.garbled.push(matched.to_string()),
            }
        }
        while self.complete < self.count.len() && self.count[self.complete] > 0 {
            self.complete += 1;
        }
    }

    /// Waits until every line below `n` was logged.
    fn wait_complete(&mut self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.update();
            if self.complete >= n {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "line {} of the {n} written never reached the daemon's log",
                self.complete
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits until a line from `n` on was logged: the daemon read what was
    /// written since line `n` (that very line may be one copytruncate lost).
    fn wait_logged(&mut self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.update();
            if self.count[n..].iter().any(|&c| c > 0) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no line from {n} on reached the daemon's log"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The numbers logged other than once, as `(number, times)`.
    fn not_once(&self) -> Vec<(usize, u32)> {
        self.count
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != 1)
            .map(|(n, &c)| (n, c))
            .collect()
    }
}

/// Runs logrotate once (forced) on `app.log` with `body` as its directives.
fn logrotate(sb: &Sandbox, body: &str) {
    let bin = [
        "/usr/sbin/logrotate",
        "/sbin/logrotate",
        "/usr/bin/logrotate",
    ]
    .iter()
    .map(Path::new)
    .find(|p| p.exists())
    .expect("logrotate is not installed; ./run-tests installs it");
    let conf = sb.write(
        "logrotate.conf",
        &format!("{} {{\n{body}\n}}\n", sb.path("app.log").display()),
    );
    let out = std::process::Command::new(bin)
        .arg("-f")
        .arg("-s")
        .arg(sb.path("logrotate.state"))
        .arg(&conf)
        .output()
        .unwrap();
    assert!(out.status.success(), "logrotate: {out:?}");
}

/// The final statistics of the daemon, from its last runlog.
fn statistics(sb: &Sandbox) -> serde_json::Value {
    let files = sb.runlogs("var/run/watch");
    let runlog = json(&std::fs::read_to_string(files.last().expect("a runlog")).unwrap());
    runlog["statistics"]["components"].clone()
}

/// The line numbers in the complete lines of `app.log` and its rotated
/// copies.
fn numbers_on_disk(sb: &Sandbox, total: usize) -> Vec<bool> {
    let mut on_disk = vec![false; total];
    for entry in std::fs::read_dir(sb.root()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("app.log") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for n in text.lines().filter_map(number).filter(|&n| n < total) {
            on_disk[n] = true;
        }
    }
    on_disk
}

/// How a rotation is done.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Rotation {
    /// Renamed, a new file created; the writer reopens the path.
    Create,
    /// The same, and the postrotate script sends SIGHUP to the daemon.
    CreateSighup,
    /// Copied and truncated in place, the writer quiet meanwhile.
    CopyTruncate,
}

#[test]
fn watch_loses_no_line_of_40000_across_20_logrotate_rotations() {
    const TOTAL: usize = 40_000;
    use Rotation::*;
    let plan: Vec<Rotation> = [Create, CreateSighup, CopyTruncate, Create, CreateSighup]
        .iter()
        .copied()
        .cycle()
        .take(20)
        .collect();
    let sb = Sandbox::new("watch");
    let mut child = start(&sb);
    let log = sb.path("var/log/watch.log");
    let pid_file = sb.path("var/run/watch.pid");
    let started = Instant::now();
    let shared = Arc::new(Shared::default());
    let writing = writer(sb.path("app.log"), TOTAL, Arc::clone(&shared));
    let mut matches = Matches::new(log.clone(), TOTAL);
    let mut after_last_rotation = 0;
    for (i, how) in plan.iter().enumerate() {
        // spread over the run
        let due = (i + 1) * TOTAL / (plan.len() + 1);
        wait_until("the writer stalled", || {
            shared.written.load(Ordering::SeqCst) >= due
        });
        // following by name misses a file that stood at the path only
        // while the daemon did not run at all: a rotation waits until the
        // daemon read the first line written after the last one
        matches.wait_logged(after_last_rotation);
        match how {
            Create | CreateSighup => {
                let mut body = "    rotate 30\n    create 0644".to_string();
                if *how == CreateSighup {
                    body.push_str(&format!(
                        "\n    postrotate\n        kill -HUP $(cat {})\n    endscript",
                        pid_file.display()
                    ));
                }
                logrotate(&sb, &body);
                let request = shared.reopen.fetch_add(1, Ordering::SeqCst) + 1;
                // a writer that wrote its last line has nothing to reopen
                wait_until("the writer did not reopen the file", || {
                    shared.reopened.load(Ordering::SeqCst) == request
                        || shared.done.load(Ordering::SeqCst)
                });
            }
            CopyTruncate => {
                // lines written between logrotate's copy and its truncation
                // would be lost by logrotate itself: none is written then,
                // and the daemon has read everything before
                let pauses = shared.pauses.load(Ordering::SeqCst);
                shared.quiet.store(true, Ordering::SeqCst);
                wait_until("the writer did not pause", || {
                    shared.pauses.load(Ordering::SeqCst) > pauses
                        || shared.done.load(Ordering::SeqCst)
                });
                matches.wait_complete(shared.written.load(Ordering::SeqCst));
                logrotate(&sb, "    rotate 30\n    copytruncate");
                shared.quiet.store(false, Ordering::SeqCst);
            }
        }
        after_last_rotation = shared.written.load(Ordering::SeqCst);
    }
    writing.join().unwrap();
    let wrote = started.elapsed();
    matches.wait_complete(TOTAL);
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    matches.update();
    let text = sb.read("var/log/watch.log");
    assert_eq!(matches.garbled, Vec::<String>::new(), "garbled lines");
    let wrong = matches.not_once();
    assert!(
        wrong.is_empty(),
        "{} line numbers not logged exactly once (number, times): {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
    let stats = statistics(&sb);
    assert_eq!(stats["audit"]["lines"], TOTAL, "{stats}");
    assert_eq!(stats["filter"]["passed"], TOTAL, "{stats}");
    assert_eq!(stats["alerts"]["matches"], TOTAL, "{stats}");
    // every rotation was seen as what it was
    let count = |how: &[Rotation]| plan.iter().filter(|r| how.contains(r)).count();
    assert_eq!(
        text.matches("was rotated; following the new file").count(),
        count(&[Create, CreateSighup]),
        "{text}"
    );
    assert_eq!(
        text.matches("was truncated; following it from its start")
            .count(),
        count(&[CopyTruncate])
    );
    assert_eq!(
        text.matches("Configuration reloaded").count(),
        count(&[CreateSighup])
    );
    eprintln!(
        "{TOTAL} lines written in {:.1} s across {} rotations",
        wrote.as_secs_f64(),
        plan.len()
    );
}

#[test]
fn watch_under_copytruncate_and_a_busy_writer_loses_only_what_logrotate_loses() {
    const TOTAL: usize = 20_000;
    const ROTATIONS: usize = 10;
    let sb = Sandbox::new("watch");
    let mut child = start(&sb);
    let log = sb.path("var/log/watch.log");
    let shared = Arc::new(Shared::default());
    let writing = writer(sb.path("app.log"), TOTAL, Arc::clone(&shared));
    let mut matches = Matches::new(log.clone(), TOTAL);
    let mut after_last_rotation = 0;
    for i in 0..ROTATIONS {
        let due = (i + 1) * TOTAL / (ROTATIONS + 1);
        wait_until("the writer stalled", || {
            shared.written.load(Ordering::SeqCst) >= due
        });
        matches.wait_logged(after_last_rotation);
        logrotate(&sb, "    rotate 30\n    copytruncate");
        after_last_rotation = shared.written.load(Ordering::SeqCst);
    }
    writing.join().unwrap();
    // the last line is written after the last rotation: it comes, and every
    // line before it that is going to come has come
    wait_for(&log, &format!("Match for 'ERROR': {}", line(TOTAL - 1)));
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    matches.update();
    assert_eq!(matches.garbled, Vec::<String>::new(), "garbled lines");
    let twice: Vec<usize> = (0..TOTAL).filter(|&n| matches.count[n] > 1).collect();
    assert!(twice.is_empty(), "logged more than once: {twice:?}");
    // every line logrotate kept (in the file or a copy) reached the daemon
    let on_disk = numbers_on_disk(&sb, TOTAL);
    let missed: Vec<usize> = (0..TOTAL)
        .filter(|&n| on_disk[n] && matches.count[n] == 0)
        .collect();
    assert!(missed.is_empty(), "kept by logrotate, missed: {missed:?}");
    let lost_by_logrotate: Vec<usize> = (0..TOTAL).filter(|&n| !on_disk[n]).collect();
    let caught = lost_by_logrotate
        .iter()
        .filter(|&&n| matches.count[n] == 1)
        .count();
    let stats = statistics(&sb);
    let logged = matches.count.iter().filter(|&&c| c == 1).count();
    assert_eq!(stats["alerts"]["matches"], logged, "{stats}");
    let text = sb.read("var/log/watch.log");
    let from_copies = text
        .lines()
        .filter(|l| l.contains("bytes it held unread taken from") && !l.contains("(0 bytes"))
        .count();
    eprintln!(
        "copytruncate under a writer of ~10,000 lines/s, {ROTATIONS} rotations: logrotate lost \
         {} of {TOTAL} lines (written between its copy and its truncation), the daemon read {caught} \
         of those before the truncation; {from_copies} truncations had unread lines taken from the copy; \
         the daemon missed {} lines",
        lost_by_logrotate.len(),
        TOTAL - logged
    );
}
