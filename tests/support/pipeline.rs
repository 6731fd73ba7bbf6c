//! The filer pipeline of the end-to-end tests: the built `filer_ingest`,
//! `filer_enrich` and `filer_store` examples as detached daemons in a
//! temporary root, the lines fed to the first and the stored lines of the
//! last, whatever the queues between them (directories or JetStream).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::Value;
use zenkit::testing::{runlogs_in, Sandbox};

use super::{pid_in, stop_within, Run};

pub const INGEST: &str = "filer_ingest";
pub const ENRICH: &str = "filer_enrich";
pub const STORE: &str = "filer_store";

/// A temporary root for the stages; every daemon its PID files name is
/// killed when it is dropped ([`Sandbox`]), so a failing test leaves
/// nothing running.
pub struct Pipeline {
    sandbox: Sandbox,
    /// Arguments every stage is started with (the NATS servers, …).
    common: Vec<String>,
}

impl Pipeline {
    pub fn new() -> Pipeline {
        Pipeline::with_args(&[])
    }

    /// A pipeline whose every stage gets `common` after its own arguments.
    pub fn with_args(common: &[&str]) -> Pipeline {
        let pipeline = Pipeline {
            sandbox: Sandbox::new(),
            common: common.iter().map(|a| a.to_string()).collect(),
        };
        std::fs::write(pipeline.source(), "").unwrap();
        pipeline
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.sandbox.path(rel)
    }

    pub fn source(&self) -> PathBuf {
        self.path("source.txt")
    }

    pub fn store(&self) -> PathBuf {
        self.path("store.jsonl")
    }

    /// The queue `name` under `<var>/spool/`.
    pub fn spool(&self, name: &str) -> PathBuf {
        self.path("var/spool").join(name)
    }

    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.common.iter().map(String::as_str));
        self.sandbox.app(program).command(&all)
    }

    /// Starts `program` detached; the launcher returns once it is up.
    pub fn launch(&self, program: &str, args: &[&str]) -> Run {
        self.command(program, args).output().unwrap().into()
    }

    /// Starts `program` detached with `args` and returns its PID.
    pub fn start(&self, program: &str, args: &[&str]) -> i32 {
        self.start_as(program, program, args)
    }

    /// Starts `program` detached under the application name `name`
    /// (`--name`, given in `args`, or the program's own) and returns its
    /// PID.
    pub fn start_as(&self, program: &str, name: &str, args: &[&str]) -> i32 {
        let run = self.launch(program, args);
        assert_eq!(run.code, 0, "{program} {args:?} did not start: {run:?}");
        pid_in(&self.path(&format!("var/run/{name}.pid")))
    }

    /// Starts `filer_ingest` on the source file.
    pub fn ingest(&self, extra: &[&str]) -> i32 {
        let source = self.source();
        let mut args = vec!["--source", source.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.start(INGEST, &args)
    }

    /// Starts `filer_enrich`, rescanning its queue every second.
    pub fn enrich(&self, extra: &[&str]) -> i32 {
        let mut args = vec!["--queue-in-wait", "1"];
        args.extend_from_slice(extra);
        self.start(ENRICH, &args)
    }

    /// Starts `filer_store` into the store file, rescanning its queue
    /// every second.
    pub fn store_stage(&self, extra: &[&str]) -> i32 {
        let store = self.store();
        let mut args = vec!["--store", store.to_str().unwrap(), "--queue-in-wait", "1"];
        args.extend_from_slice(extra);
        self.start(STORE, &args)
    }

    /// Appends lines `from..=to` to the source file.
    pub fn write_lines(&self, from: u64, to: u64) {
        let mut text = String::new();
        for n in from..=to {
            text.push_str(&line_text(n));
            text.push('\n');
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.source())
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    /// The stored lines, parsed: the complete ones, since the store may be
    /// in the middle of appending the next.
    pub fn stored(&self) -> Vec<Value> {
        let bytes = std::fs::read(self.store()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        text.split_inclusive('\n')
            .filter_map(|line| line.strip_suffix('\n'))
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("bad line {line:?}: {e}"))
            })
            .collect()
    }

    /// Waits (up to `secs`) until the store holds `n` distinct lines.
    pub fn wait_stored(&self, n: usize, secs: u64) -> Vec<Value> {
        self.try_wait_stored(n, secs)
            .unwrap_or_else(|got| panic!("only {got} of {n} lines stored after {secs} s"))
    }

    /// Waits (up to `secs`) until the store holds `n` distinct lines; the
    /// number of distinct lines it holds when it does not.
    pub fn try_wait_stored(&self, n: usize, secs: u64) -> Result<Vec<Value>, usize> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let stored = self.stored();
            let distinct: BTreeSet<u64> = stored.iter().map(|v| v["n"].as_u64().unwrap()).collect();
            if distinct.len() >= n {
                return Ok(stored);
            }
            if Instant::now() >= deadline {
                return Err(distinct.len());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits (up to 30 s) until the directory queues `names` under
    /// `<var>/spool/` hold no message: the last stage commits a message
    /// only after its line is on disk, so soon after the line is there.
    pub fn wait_queues_empty(&self, names: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for queue in names {
            for sub in ["incoming", "pending", "errors"] {
                let dir = self.spool(queue).join(sub);
                while count(&dir) > 0 {
                    assert!(
                        Instant::now() < deadline,
                        "{queue}/{sub} holds {} message(s)",
                        count(&dir)
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(&format!("var/log/{name}.log"))).unwrap_or_default()
    }

    /// Waits (up to 30 s) until the log of `name` holds `needle`.
    pub fn wait_log(&self, name: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = self.log(name);
            if log.contains(needle) {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "the log of {name} never held {needle:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts `filer_enrich` from `input` to `output` with an output limit
    /// of 10 and no queue check within a test: between its checks a stage
    /// knows its output queue's length only by its estimate, the count made
    /// at start plus every commit since.
    pub fn enrich_limited(&self, input: &str, output: &str) -> i32 {
        self.start(
            ENRICH,
            &[
                "--queue-in-dir",
                input,
                "--queue-out-dir",
                output,
                "--queue-out-limit",
                "10",
                "--queue-out-wait",
                "600",
                "--queue-in-wait",
                "600",
            ],
        )
    }

    /// For a stage of [`enrich_limited`](Pipeline::enrich_limited) that
    /// has passed its limit by its estimate only: checks that it has not
    /// paused, calls `more` to send it enough messages to pass the limit by
    /// a count too, waits for the pause, and returns `queued()`, the number
    /// of messages in the output queue then.
    pub fn wait_paused_by_count(&self, more: impl FnOnce(), queued: impl Fn() -> u64) -> u64 {
        let log = self.log(ENRICH);
        assert!(
            !log.contains("Output queue limit"),
            "paused for a queue of {}: {log}",
            queued()
        );
        more();
        self.wait_log(
            ENRICH,
            "Output queue limit '10' reached, pausing the processing for '600' second(s)",
        );
        // what was under way lands
        std::thread::sleep(Duration::from_millis(500));
        queued()
    }

    /// Stops `name` (PID `pid`) with SIGINT, checks that it ended well
    /// (its new runlog says success) and returns that runlog.
    pub fn stop_gracefully(&self, name: &str, pid: i32) -> Value {
        let dir = self.path(&format!("var/run/{name}"));
        let before = runlogs_in(&dir);
        stop(pid, Signal::SIGINT);
        let after = runlogs_in(&dir);
        let new: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
        assert_eq!(new.len(), 1, "{name}: one new runlog, not {new:?}");
        let runlog: Value =
            serde_json::from_str(&std::fs::read_to_string(new[0]).unwrap()).unwrap();
        assert_eq!(runlog["result"], "success", "{name}: {runlog}");
        runlog
    }
}

/// The counters of the filer component in a runlog.
pub fn filer_statistics(runlog: &Value) -> &Value {
    &runlog["statistics"]["components"]["filer"]
}

/// The text of line `n`: quotes, a backslash, a tab and non-ASCII letters,
/// so that any mangling on the way shows.
pub fn line_text(n: u64) -> String {
    format!(
        "line {n} \"quoted\" back\\slash\ttab ünïcødé {}",
        "x".repeat((n % 17) as usize)
    )
}

pub fn pid_of(path: &Path) -> i32 {
    pid_in(path)
}

/// Signals a detached daemon and waits (30 s at most) until it is gone.
pub fn stop(pid: i32, signal: Signal) {
    stop_within(pid, signal, Duration::from_secs(30));
}

/// The entries of directory `dir` (0 when it does not exist).
pub fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|e| e.count()).unwrap_or(0)
}

/// Checks every stored line against what ingest made of line `n`, and
/// that each of `1..=total` is there; returns the number of duplicates.
pub fn check_stored(stored: &[Value], total: u64) -> usize {
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    for value in stored {
        let n = value["n"]
            .as_u64()
            .unwrap_or_else(|| panic!("no n: {value}"));
        let line = line_text(n);
        assert_eq!(value["line"], line.as_str(), "{value}");
        assert_eq!(value["upper"], line.to_uppercase().as_str(), "{value}");
        assert_eq!(value["length"], line.chars().count(), "{value}");
        assert_eq!(value["stage"], "enrich", "{value}");
        assert!(
            value["host"].as_str().is_some_and(|h| !h.is_empty()),
            "{value}"
        );
        *seen.entry(n).or_default() += 1;
    }
    let missing: Vec<u64> = (1..=total).filter(|n| !seen.contains_key(n)).collect();
    assert!(missing.is_empty(), "lost lines: {missing:?}");
    assert_eq!(seen.len() as u64, total, "lines beyond {total}");
    stored.len() - seen.len()
}

/// A small random number generator (xorshift), seeded from the clock.
pub struct Rng(u64);

impl Rng {
    pub fn new() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Rng(nanos | 1)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The PIDs of the running `--parallel` instances of `program`, by their
/// PID files (`<program>.<n>.pid`).
pub fn parallel_pids(pipeline: &Pipeline, program: &str) -> Vec<i32> {
    std::fs::read_dir(pipeline.path("var/run"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with(&format!("{program}.")) && name.ends_with(".pid")
        })
        .map(|path| pid_of(&path))
        .collect()
}
