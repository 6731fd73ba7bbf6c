//! Life-cycle benchmark: one whole run of `demo_app` as a process (config file
//! and directory, log file, state load and save, runlog save) against the
//! framework-free `baseline` example doing the same file work, in the same
//! run. Prints the median wall time and the peak RSS of both.
//!
//! ```text
//! cargo build --release --examples && cargo bench --bench lifecycle
//! ```

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

mod support;
use support::example;

const RUNS: usize = 200;

/// Runs `bin` once and returns (wall seconds, peak RSS in KiB).
// The child is reaped by `wait4`, which clippy does not see.
#[allow(clippy::zombie_processes)]
fn measure(bin: &Path, root: &Path) -> (f64, i64) {
    let start = Instant::now();
    let child = Command::new(bin)
        .env("APP_ROOT_PATH", root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    let mut status = 0;
    // SAFETY: wait4 fills `status` and `usage` for our own child.
    let rc = unsafe { libc::wait4(pid.as_raw(), &mut status, 0, usage.as_mut_ptr()) };
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(rc, pid.as_raw(), "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{} failed",
        bin.display()
    );
    // SAFETY: wait4 succeeded, so `usage` is initialized.
    let usage = unsafe { usage.assume_init() };
    (wall, usage.ru_maxrss)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let root = std::env::temp_dir().join(format!("zenkit-bench-{}", std::process::id()));
    for (name, conf) in [("demo_app", "demo_app"), ("baseline", "baseline")] {
        let dir = root.join("tmp").join(conf);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            root.join("tmp").join(format!("{conf}.conf")),
            "{\"test_a\": 1}\n",
        )
        .unwrap();
        std::fs::write(dir.join("10-extra.json.conf"), "{\"test_b\": 2}\n").unwrap();
        let _ = name;
    }
    let programs = [example("demo_app"), example("baseline")];
    for bin in &programs {
        assert!(
            bin.exists(),
            "{} is missing: run `cargo build --release --examples` first",
            bin.display()
        );
    }
    let mut results = vec![(Vec::new(), 0i64); programs.len()];
    for _ in 0..RUNS {
        for (bin, (walls, rss)) in programs.iter().zip(results.iter_mut()) {
            let (wall, peak) = measure(bin, &root);
            walls.push(wall);
            *rss = (*rss).max(peak);
        }
    }
    println!("{:<10} {:>14} {:>14}", "program", "median wall", "peak RSS");
    for (bin, (walls, rss)) in programs.iter().zip(results) {
        let name = bin.file_name().unwrap().to_string_lossy();
        println!(
            "{:<10} {:>11.3} ms {:>10.2} MiB",
            name,
            median(walls) * 1e3,
            rss as f64 / 1024.0
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
