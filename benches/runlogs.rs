//! Runlog-action benchmark: `demo_app --action runlogs-evaluate`,
//! `runlogs-list` and `runlog-view` over directories of 100, 10,000 and
//! 100,000 small runlogs, each against a framework-free counterpart run as
//! a process in the same way: a plain scan of the directory that reads the
//! names, sorts them newest first and prints the paths (`ls -r`), and, for
//! `runlogs-evaluate`, the same scan that also reads and parses every file.
//! Prints the median wall time and the peak RSS of each, and their ratios.
//!
//! ```text
//! cargo build --release --examples && cargo bench --bench runlogs
//! ```

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

mod support;
use support::example;

/// Directory sizes and how many times each program runs on them.
const SIZES: [(usize, usize); 3] = [(100, 21), (10_000, 7), (100_000, 3)];

/// The argument that makes this program the counterpart: `--scan DIR`
/// lists, `--read DIR` lists and reads.
const SCAN: &str = "--scan";
const READ: &str = "--read";

/// The counterpart: the runlog names of `dir`, newest first, printed as
/// paths; with `read`, every file is also read and parsed as JSON.
fn counterpart(dir: &Path, read: bool) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("runlog directory")
        .map(|entry| entry.expect("directory entry").file_name())
        .filter(|name| name.to_string_lossy().ends_with(".runlog"))
        .collect();
    names.sort_unstable_by(|a, b| b.cmp(a));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for name in names {
        let path = dir.join(name);
        if read {
            let text = std::fs::read(&path).expect("runlog readable");
            let value: serde_json::Value = serde_json::from_slice(&text).expect("runlog JSON");
            writeln!(out, "{} {}", path.display(), value["result"]).expect("output");
        } else {
            writeln!(out, "{}", path.display()).expect("output");
        }
    }
    out.flush().expect("output");
}

/// Writes `count` small runlogs into `dir`, a minute apart.
fn generate(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let start = 1_700_000_000i64;
    for i in 0..count {
        let ts = (start - 60 * i as i64) as f64 + 0.25;
        let minutes = (start / 60) - i as i64;
        let (day, minute) = (minutes / 1440, minutes % 1440);
        let fsf = format!("2{day:07}{:02}{:02}", minute / 60, minute % 60);
        let name = format!("{fsf}.{:05x}.runlog", 1000 + i % 50_000);
        let result = if i % 10 == 3 { "failure" } else { "success" };
        let errors = if result == "failure" {
            "[\"disk full\"]"
        } else {
            "[]"
        };
        let text = format!(
            "{{\"argv\": [\"demo_app\"], \"command\": \"greet\", \"errors\": {errors}, \
             \"name\": \"demo_app\", \"pid\": {pid}, \"rc\": {rc}, \"result\": \"{result}\", \
             \"time_marks\": [\
             {{\"descr\": \"\", \"ident\": \"stage_setup_start\", \"time\": {t0}}}, \
             {{\"descr\": \"\", \"ident\": \"stage_setup_stop\", \"time\": {t1}}}, \
             {{\"descr\": \"\", \"ident\": \"stage_process_start\", \"time\": {t1}}}, \
             {{\"descr\": \"\", \"ident\": \"stage_process_stop\", \"time\": {t2}}}, \
             {{\"descr\": \"\", \"ident\": \"stage_teardown_start\", \"time\": {t2}}}, \
             {{\"descr\": \"\", \"ident\": \"stage_teardown_stop\", \"time\": {t3}}}], \
             \"ts\": {ts}, \"ts_fsf\": \"{fsf}\", \"ts_str\": \"2023-11-14 22:13:20\"}}\n",
            pid = 1000 + i % 50_000,
            rc = u8::from(result == "failure"),
            t0 = ts,
            t1 = ts + 0.01,
            t2 = ts + 0.01 + (i % 7) as f64 * 0.1,
            t3 = ts + 0.02 + (i % 7) as f64 * 0.1,
        );
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// Runs a command once and returns (wall seconds, peak RSS in KiB).
// The child is reaped by `wait4`, which clippy does not see.
#[allow(clippy::zombie_processes)]
fn measure(mut command: Command) -> (f64, i64) {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    let mut status = 0;
    // SAFETY: wait4 fills `status` and `usage` for our own child.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(rc, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed"
    );
    // SAFETY: wait4 succeeded, so `usage` is initialized.
    let usage = unsafe { usage.assume_init() };
    (wall, usage.ru_maxrss)
}

/// The median wall time and the largest peak RSS of `runs` runs.
fn repeat(runs: usize, command: impl Fn() -> Command) -> (f64, i64) {
    let mut walls = Vec::with_capacity(runs);
    let mut rss = 0;
    for _ in 0..runs {
        let (wall, peak) = measure(command());
        walls.push(wall);
        rss = rss.max(peak);
    }
    walls.sort_by(f64::total_cmp);
    (walls[walls.len() / 2], rss)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, dir, ..] = args.as_slice() {
        if mode == SCAN || mode == READ {
            counterpart(Path::new(dir), mode == READ);
            return;
        }
    }
    let demo_app = example("demo_app");
    assert!(
        demo_app.exists(),
        "{} is missing: run `cargo build --release --examples` first",
        demo_app.display()
    );
    let me = std::env::current_exe().expect("current executable");
    let root = std::env::temp_dir().join(format!("zenkit-runlogs-bench-{}", std::process::id()));

    println!(
        "{:>8} {:<17} {:>11} {:>10} {:<13} {:>11} {:>10} {:>6} {:>6}",
        "runlogs", "action", "zenkit", "RSS", "counterpart", "wall", "RSS", "wall×", "RSS×"
    );
    for (count, runs) in SIZES {
        let app_root = root.join(count.to_string());
        let dir = app_root.join("tmp").join("demo_app");
        generate(&dir, count);
        for action in ["runlogs-evaluate", "runlogs-list", "runlog-view"] {
            let zenkit = repeat(runs, || {
                let mut command = Command::new(&demo_app);
                command
                    .args(["--action", action])
                    .env("APP_ROOT_PATH", &app_root);
                command
            });
            let mut counterparts = vec![(SCAN, "scan")];
            if action == "runlogs-evaluate" {
                counterparts.push((READ, "scan+read"));
            }
            for (mode, label) in counterparts {
                let plain = repeat(runs, || {
                    let mut command = Command::new(&me);
                    command.arg(mode).arg(&dir);
                    command
                });
                println!(
                    "{:>8} {:<17} {:>8.2} ms {:>6.1} MiB {:<13} {:>8.2} ms {:>6.1} MiB {:>6.2} {:>6.2}",
                    count,
                    action,
                    zenkit.0 * 1e3,
                    zenkit.1 as f64 / 1024.0,
                    label,
                    plain.0 * 1e3,
                    plain.1 as f64 / 1024.0,
                    zenkit.0 / plain.0,
                    zenkit.1 as f64 / plain.1 as f64,
                );
            }
        }
        let _ = std::fs::remove_dir_all(&app_root);
    }
    let _ = std::fs::remove_dir_all(&root);
}
