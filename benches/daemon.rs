//! Daemon benchmarks (issue figures in the README):
//!
//! * throughput of trivial events through one component;
//! * lateness of timed events scheduled 250 ms apart;
//! * wake-ups of an idle daemon (voluntary context switches per second).
//!
//! ```text
//! cargo bench --bench daemon
//! ```
//!
//! Each measurement runs a real daemon in a process of its own (this program
//! started again with `ZENKIT_BENCH_MODE` set), in the foreground, in a
//! temporary `APP_ROOT_PATH`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zenkit::daemon::{Args, Daemon, Flow};
use zenkit::prelude::*;

const MODE: &str = "ZENKIT_BENCH_MODE";
const EVENTS: u64 = 20_000_000;
const TIMERS: usize = 20;
const TIMER_GAP: Duration = Duration::from_millis(250);

/// A daemon with one component that does what the mode asks.
#[derive(ZenApp, Default)]
#[zen(daemon, name = "bench-daemon")]
#[zen(defaults(config_file_silent = true, config_dir_silent = true, no_daemon = true))]
struct Bench {
    #[zen(component)]
    probe: Probe,
}

#[derive(Default)]
struct Probe {
    left: u64,
    started: Option<Instant>,
    due: Option<Instant>,
    late: Vec<Duration>,
}

#[zenkit::component]
impl Probe {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        match std::env::var(MODE).as_deref() {
            Ok("throughput") => {
                self.left = EVENTS;
                self.started = Some(Instant::now());
                d.schedule("tick", None);
            }
            Ok("lateness") => {
                self.due = Some(Instant::now() + TIMER_GAP);
                d.schedule_after(TIMER_GAP, "timer", None);
            }
            // idle: nothing to do until SIGTERM
            _ => {}
        }
        Flow::Continue(args)
    }

    #[on_event("tick")]
    fn tick(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        self.left -= 1;
        if self.left > 0 {
            d.schedule("tick", None);
        } else if let Some(started) = self.started {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "throughput: {:.1} million events/s",
                EVENTS as f64 / secs / 1e6
            );
            d.set_done();
        }
        Flow::Continue(args)
    }

    #[on_event("timer")]
    fn timer(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let now = Instant::now();
        if let Some(due) = self.due {
            self.late.push(now.saturating_duration_since(due));
        }
        if self.late.len() < TIMERS {
            self.due = Some(now + TIMER_GAP);
            d.schedule_after(TIMER_GAP, "timer", None);
        } else {
            let mut late = self.late.clone();
            late.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "lateness of {TIMERS} timers 250 ms apart: median {:.3} ms, max {:.3} ms",
                ms(late[late.len() / 2]),
                ms(late[late.len() - 1])
            );
            d.set_done();
        }
        Flow::Continue(args)
    }
}

#[zenkit::app]
impl Bench {}

/// voluntary_ctxt_switches of a process.
fn voluntary_switches(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn child(mode: &str, root: &std::path::Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("this program"));
    cmd.env(MODE, mode)
        .env("APP_ROOT_PATH", root)
        .stderr(Stdio::null());
    cmd
}

fn main() -> std::process::ExitCode {
    if std::env::var_os(MODE).is_some() {
        return zenkit::run_from::<Bench, _, _>(["bench-daemon", "--quiet"]);
    }
    let root = std::env::temp_dir().join(format!("zenkit-bench-daemon-{}", std::process::id()));
    for mode in ["throughput", "lateness"] {
        let status = child(mode, &root).status().expect("benchmark daemon");
        assert!(status.success(), "{mode} run failed");
    }
    let mut idle = child("idle", &root)
        .stdout(Stdio::null())
        .spawn()
        .expect("idle daemon");
    std::thread::sleep(Duration::from_millis(500));
    let before = voluntary_switches(idle.id());
    let span = Duration::from_secs(3);
    std::thread::sleep(span);
    let after = voluntary_switches(idle.id());
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(idle.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = idle.wait();
    println!(
        "idle daemon: {:.2} wake-ups/s ({} voluntary context switches in {} s)",
        (after - before) as f64 / span.as_secs_f64(),
        after - before,
        span.as_secs()
    );
    let _ = std::fs::remove_dir_all(&root);
    std::process::ExitCode::SUCCESS
}
