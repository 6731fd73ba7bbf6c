//! Helpers the benchmarks share: the built examples, the monotonic clock
//! across processes and a process's wake-ups.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The release build of example `name` (build it with
/// `cargo build --release --examples`).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current executable");
    let release = exe.parent().and_then(Path::parent).expect("target/release");
    release.join("examples").join(name)
}

/// `CLOCK_MONOTONIC` in nanoseconds: comparable between processes.
pub fn now_ns() -> u64 {
    let mut ts = nix::libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live timespec clock_gettime fills.
    unsafe { nix::libc::clock_gettime(nix::libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// voluntary_ctxt_switches of a process: how often it went to sleep.
pub fn voluntary_switches(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Sends `children` SIGINT, waits 10 s at most for them to end, then kills
/// and reaps those left.
pub fn stop_children<'a>(children: impl IntoIterator<Item = &'a mut std::process::Child>) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let mut children: Vec<_> = children.into_iter().collect();
    for child in &children {
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGINT);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    for child in &mut children {
        while child.try_wait().ok().flatten().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A message as `filer_enrich` makes it: its `line` measured and
/// upper-cased, the stage and the host added.
pub fn enriched(data: &[u8], host: &str) -> String {
    use serde_json::{json, Value};
    let mut value: Value = serde_json::from_slice(data).expect("a JSON message");
    let line = value["line"].as_str().unwrap_or("").to_string();
    value["length"] = json!(line.chars().count());
    value["upper"] = json!(line.to_uppercase());
    value["stage"] = json!("enrich");
    value["host"] = json!(host);
    value.to_string()
}
