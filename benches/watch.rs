//! Watch benchmark: how long a line written to a followed file takes to
//! appear in the log as a match, for the `watch` example (zenkit: the
//! daemon's path watch, the `tail` → `audit` → `filter` → `alerts`
//! pipeline, the log line) and, in the same run, a framework-free
//! counterpart: this program started again with `ZENKIT_BENCH_TAIL` set, a
//! plain loop that blocks on inotify (`nix::sys::inotify`), reads what was
//! appended and writes each matching line to its own log in one write.
//!
//! ```text
//! cargo build --release --examples && cargo bench --bench watch
//! ```
//!
//! Each line carries the `CLOCK_MONOTONIC` time taken just before its
//! `write`; a thread of this program blocks on inotify for the program's
//! log, reads each line that arrives and takes the time again. The figures
//! include that reader's own wake-up, the same for both programs. Lines are
//! written 2 ms apart, so each is measured alone rather than in a batch.
//! The figures are printed, not checked.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

mod support;
use support::{example, now_ns};

const TAIL_MODE: &str = "ZENKIT_BENCH_TAIL";
const PATTERN: &str = "LAT";
/// Lines measured per program and round, after the warm-up lines.
const LINES: usize = 500;
const WARM_UP: usize = 20;
const ROUNDS: usize = 3;
const GAP: Duration = Duration::from_millis(2);
/// The last line of a round: the reader stops at its match.
const END: &str = "LAT end";

/// The framework-free counterpart: follows `file` from its end and writes
/// each line containing the pattern to `log` as `<time> Match for
/// '<pattern>': <line>`, until the line [`END`].
fn plain_tail(file: &Path, log: &Path) {
    let inotify = Inotify::init(InitFlags::IN_CLOEXEC).expect("inotify");
    inotify
        .add_watch(file, AddWatchFlags::IN_MODIFY)
        .expect("watch the file");
    let input = File::open(file).expect("the followed file");
    let mut offset = input.metadata().unwrap().len();
    let mut out = OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .expect("the log");
    out.write_all(b"started\n").unwrap();
    let mut partial = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        inotify.read_events().expect("inotify events");
        loop {
            let n = std::os::unix::fs::FileExt::read_at(&input, &mut buf, offset).unwrap();
            if n == 0 {
                break;
            }
            offset += n as u64;
            partial.extend_from_slice(&buf[..n]);
        }
        let mut start = 0;
        while let Some(end) = partial[start..].iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&partial[start..start + end]).into_owned();
            start += end + 1;
            if line.contains(PATTERN) {
                let since = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                let secs = since.as_secs() % 86_400;
                let text = format!(
                    "{:02}:{:02}:{:02},{:03} tail INFO: Match for '{PATTERN}': {line}\n",
                    secs / 3600,
                    secs / 60 % 60,
                    secs % 60,
                    since.subsec_millis()
                );
                out.write_all(text.as_bytes()).unwrap();
            }
            if line == END {
                return;
            }
        }
        partial.drain(..start);
    }
}

/// Reads the log at `log` as it grows and returns the latency of each
/// measured line, until the match of [`END`].
fn read_latencies(log: PathBuf) -> std::thread::JoinHandle<Vec<u64>> {
    let inotify = Inotify::init(InitFlags::IN_CLOEXEC).expect("inotify");
    inotify
        .add_watch(&log, AddWatchFlags::IN_MODIFY)
        .expect("watch the log");
    let mut file = File::open(&log).expect("the log");
    let mut offset = file.seek(SeekFrom::End(0)).unwrap();
    std::thread::spawn(move || {
        let marker = format!("Match for '{PATTERN}': ");
        let mut latencies = Vec::new();
        let mut rest = String::new();
        loop {
            inotify.read_events().expect("inotify events");
            let mut text = String::new();
            file.seek(SeekFrom::Start(offset)).unwrap();
            offset += file.read_to_string(&mut text).unwrap() as u64;
            let arrived = now_ns();
            rest.push_str(&text);
            let Some(end) = rest.rfind('\n') else {
                continue;
            };
            let complete: String = rest.drain(..=end).collect();
            for line in complete.lines() {
                let Some((_, matched)) = line.split_once(&marker) else {
                    continue;
                };
                if matched == END {
                    return latencies;
                }
                let mut parts = matched.split(' ').skip(1);
                let (Some(seq), Some(sent)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let (seq, sent): (usize, u64) = (seq.parse().unwrap(), sent.parse().unwrap());
                if seq >= WARM_UP {
                    latencies.push(arrived.saturating_sub(sent));
                }
            }
        }
    })
}

/// Waits (10 s at most) until `path` contains `needle`.
fn wait_for(path: &Path, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(path).is_ok_and(|t| t.contains(needle)) {
        assert!(
            Instant::now() < deadline,
            "{} never said {needle:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Program {
    Zenkit,
    Plain,
}

/// Starts `program` on `dir/app.log`, writes the lines, and returns the
/// latencies.
fn measure(program: Program, dir: &Path) -> Vec<u64> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("etc/watch")).unwrap();
    let followed = dir.join("app.log");
    std::fs::write(&followed, "").unwrap();
    let (mut child, log): (Child, PathBuf) = match program {
        Program::Zenkit => {
            let conf = serde_json::json!({"file": followed, "pattern": PATTERN});
            std::fs::write(dir.join("etc/watch.conf"), conf.to_string()).unwrap();
            let child = Command::new(example("watch"))
                .arg("--no-daemon")
                .env("APP_ROOT_PATH", dir)
                .current_dir(dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("the watch example");
            let log = dir.join("var/log/watch.log");
            wait_for(&log, "Daemon startup initiated");
            (child, log)
        }
        Program::Plain => {
            let log = dir.join("tail.log");
            let child = Command::new(std::env::current_exe().unwrap())
                .env(TAIL_MODE, "1")
                .arg(&followed)
                .arg(&log)
                .stdout(Stdio::null())
                .spawn()
                .expect("the plain tail");
            wait_for(&log, "started");
            (child, log)
        }
    };
    let reader = read_latencies(log);
    let mut out = OpenOptions::new().append(true).open(&followed).unwrap();
    for seq in 0..WARM_UP + LINES {
        std::thread::sleep(GAP);
        let line = format!("{PATTERN} {seq} {}\n", now_ns());
        out.write_all(line.as_bytes()).unwrap();
    }
    std::thread::sleep(GAP);
    out.write_all(format!("{END}\n").as_bytes()).unwrap();
    let latencies = reader.join().expect("the log reader");
    if program == Program::Zenkit {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        );
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "the followed program failed: {status}");
    latencies
}

fn figures(name: &str, latencies: &mut [u64]) -> (f64, f64) {
    latencies.sort_unstable();
    let ms = |ns: u64| ns as f64 / 1e6;
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let (p50, p90, p99, max) = (at(0.5), at(0.9), at(0.99), latencies[latencies.len() - 1]);
    println!(
        "{name:<28} p50 {:>6.3} ms   p90 {:>6.3} ms   p99 {:>6.3} ms   max {:>6.3} ms   ({} lines)",
        ms(p50),
        ms(p90),
        ms(p99),
        ms(max),
        latencies.len()
    );
    (ms(p50), ms(p99))
}

fn main() {
    if std::env::var_os(TAIL_MODE).is_some() {
        let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
        plain_tail(&args[0], &args[1]);
        return;
    }
    let watch = example("watch");
    assert!(
        watch.exists(),
        "{} is missing: run `cargo build --release --examples` first",
        watch.display()
    );
    let root = std::env::temp_dir().join(format!("zenkit-bench-watch-{}", std::process::id()));
    let (mut zenkit, mut plain) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        zenkit.extend(measure(
            Program::Zenkit,
            &root.join(format!("zenkit-{round}")),
        ));
        plain.extend(measure(
            Program::Plain,
            &root.join(format!("plain-{round}")),
        ));
    }
    println!(
        "latency from write to the match in the log, lines {} ms apart, {ROUNDS} rounds:",
        GAP.as_millis()
    );
    let (z50, z99) = figures("watch (zenkit)", &mut zenkit);
    let (p50, p99) = figures("inotify tail (no framework)", &mut plain);
    println!(
        "ratio zenkit / no framework: p50 {:.2}, p99 {:.2}",
        z50 / p50,
        z99 / p99
    );
    let _ = std::fs::remove_dir_all(&root);
}
