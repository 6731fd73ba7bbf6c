//! Follows a growing log file and counts the lines that match a pattern.
//!
//! It keeps reading across log rotation (the file renamed or truncated and a
//! new one created at the path), logs statistics every `--stats-interval`
//! seconds, and takes a new `--pattern` from its configuration on SIGHUP.
//!
//! ```text
//! watch --no-daemon --file /var/log/syslog --pattern error
//! ```
//!
//! Lines flow through a pipeline of components as `line` events: `audit`
//! counts every line (it asks to run first), `filter` stops the chain for
//! lines without the pattern and marks the others, `alerts` counts and logs
//! what gets through. `tail` and `filter` each declare the part of the
//! configuration they need and receive it at start-up and after every
//! reload; `tail` refuses a configuration without a file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use zenkit::daemon::{Args, Daemon, Flow};
use zenkit::prelude::*;
// Linking the exporter adds `--prometheus-dir` (see the README's plugins).
use zenkit_prometheus as _;

/// Counts lines matching a pattern in a growing log file.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Watch {
    /// File to follow.
    #[zen(cli)]
    file: PathBuf,
    /// Text a line must contain to count as a match.
    #[zen(cli, default = "ERROR")]
    pattern: String,
    /// Seconds between looks at the file.
    #[zen(cli, default = 0.5)]
    poll_interval: f64,
    #[zen(component)]
    tail: Tail,
    #[zen(component)]
    filter: Filter,
    #[zen(component)]
    alerts: Alerts,
    #[zen(component)]
    audit: Audit,
}

/// What `tail` needs of the configuration: two of the application's keys.
#[derive(Serialize, Deserialize, Default)]
struct TailConfig {
    file: PathBuf,
    poll_interval: f64,
}

/// Reads what was appended to the file and turns each line into an event.
#[derive(Default)]
struct Tail {
    path: PathBuf,
    interval: Duration,
    file: Option<File>,
    inode: (u64, u64),
    offset: u64,
    partial: Vec<u8>,
}

impl Tail {
    /// Opens the file at the path; `at_end` skips what it holds already.
    fn open(&mut self, at_end: bool) {
        self.file = None;
        if let Ok(file) = File::open(&self.path) {
            if let Ok(meta) = file.metadata() {
                self.inode = (meta.dev(), meta.ino());
                self.offset = if at_end { meta.len() } else { 0 };
                self.partial.clear();
                self.file = Some(file);
            }
        }
    }

    /// Appends whatever the open file holds past `offset` to the buffer.
    fn read_more(&mut self) -> u64 {
        let Some(file) = self.file.as_mut() else {
            return 0;
        };
        if file.metadata().is_ok_and(|m| m.len() < self.offset) {
            // truncated in place (copytruncate): start again
            self.offset = 0;
        }
        let mut buf = Vec::new();
        let read = file
            .seek(SeekFrom::Start(self.offset))
            .and_then(|_| file.read_to_end(&mut buf))
            .unwrap_or(0) as u64;
        self.offset += read;
        self.partial.extend_from_slice(&buf);
        read
    }

    /// Whether a different file now stands at the path.
    fn rotated(&self) -> bool {
        std::fs::metadata(&self.path).is_ok_and(|m| (m.dev(), m.ino()) != self.inode)
    }
}

#[zenkit::component]
impl Tail {
    #[check]
    fn check(&self, config: &TailConfig) -> zenkit::Result<()> {
        if config.file.as_os_str().is_empty() {
            return Err(Error::config("no file to follow; pass --file PATH"));
        }
        match Duration::try_from_secs_f64(config.poll_interval) {
            Ok(interval) if !interval.is_zero() => Ok(()),
            _ => Err(Error::config(format!(
                "poll_interval must be positive, not {}",
                config.poll_interval
            ))),
        }
    }

    #[configure]
    fn configure(&mut self, config: TailConfig) -> zenkit::Result<()> {
        self.interval = Duration::from_secs_f64(config.poll_interval);
        let switched = self.path != config.file;
        self.path = config.file;
        if switched && self.file.is_some() {
            self.open(true);
        }
        Ok(())
    }

    /// Opens the file before the daemon reports that it is up, so that no
    /// line written after that is skipped.
    #[setup]
    fn setup(&mut self, _d: &mut Daemon<'_>) -> zenkit::Result<()> {
        self.open(true);
        if self.file.is_none() {
            warn!("{} does not exist yet; waiting for it", self.path.display());
        }
        Ok(())
    }

    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        d.schedule("poll", None);
        Flow::Continue(args)
    }

    #[on_event("poll")]
    fn poll(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let mut read = self.read_more();
        if self.file.is_none() || self.rotated() {
            // finish the old file, then follow the new one from its start
            if self.file.is_some() {
                info!(
                    "{} was rotated; following the new file",
                    self.path.display()
                );
            }
            self.open(false);
            read += self.read_more();
        }
        d.inc_statistic("bytes", read);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..end]).into_owned();
            d.schedule("line", Some(json!({ "text": text })));
        }
        if !d.is_done() {
            d.schedule_after(self.interval, "poll", None);
        }
        Flow::Continue(args)
    }

    #[state]
    fn state(&self) -> Value {
        json!({"file": self.path, "offset": self.offset, "open": self.file.is_some()})
    }
}

/// What `filter` needs of the configuration.
#[derive(Serialize, Deserialize, Default)]
struct FilterConfig {
    pattern: String,
}

/// Lets only lines containing the pattern through.
#[derive(Default)]
struct Filter {
    pattern: String,
}

#[zenkit::component]
impl Filter {
    #[configure]
    fn configure(&mut self, config: FilterConfig) -> zenkit::Result<()> {
        self.pattern = config.pattern;
        Ok(())
    }

    #[on_event("line")]
    fn line(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let text = args.as_ref().and_then(|a| a["text"].as_str()).unwrap_or("");
        if !text.contains(&self.pattern) {
            return Flow::Stop;
        }
        d.inc_statistic("passed", 1);
        Flow::with(json!({"text": text, "pattern": self.pattern}))
    }
}

/// Counts and logs the lines that got through the filter.
#[derive(Default)]
struct Alerts;

#[zenkit::component]
impl Alerts {
    #[on_event("line")]
    fn line(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let args = args.unwrap_or_default();
        d.inc_statistic("matches", 1);
        info!(
            "Match for '{}': {}",
            args["pattern"].as_str().unwrap_or(""),
            args["text"].as_str().unwrap_or("")
        );
        Flow::with(args)
    }
}

/// Counts every line, before any filter.
#[derive(Default)]
struct Audit;

#[zenkit::component]
impl Audit {
    #[on_event("line", first)]
    fn line(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        d.inc_statistic("lines", 1);
        Flow::Continue(args)
    }
}

#[zenkit::app]
impl Watch {
    /// Runs after the built-in reload, and says what is in force.
    #[on_signal(SIGHUP)]
    fn reloaded(&mut self, d: &mut Daemon<'_>) -> Flow {
        let (pattern, file) = (&self.pattern, self.file.display());
        match d.reload_outcome() {
            Some(Ok(())) => info!("Counting lines with '{pattern}' in {file}"),
            Some(Err(_)) => warn!("Still counting lines with '{pattern}' in {file}"),
            None => {}
        }
        Flow::next()
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Watch>()
}
