//! Follows a growing log file and counts the lines that match a pattern.
//!
//! It follows the file by name through the daemon's path watch (inotify):
//! a write is read as soon as it is reported, nothing is polled, and no line
//! is lost or read twice across log rotation (see below). It logs
//! statistics every `--stats-interval` seconds and takes a new `--pattern`
//! (or `--file`) from its configuration on SIGHUP.
//!
//! ```text
//! watch --no-daemon --file /var/log/syslog --pattern error
//! ```
//!
//! Lines flow through a pipeline of components as `line` events: `tail`
//! reads them, `audit` counts every line (it asks to run first), `filter`
//! stops the chain for lines without the pattern and marks the others,
//! `alerts` counts and logs what gets through. `tail` and `filter` each
//! declare the part of the configuration they need and receive it at
//! start-up and after every reload; `tail` refuses a configuration without a
//! file.
//!
//! Rotation, as logrotate does it:
//!
//! * `create` (the file renamed, a new one created at the path): the
//!   renamed file stays open as the previous one and is read to its end at
//!   every change until its writer has moved on, that is until the new file
//!   holds data; it is read before the new file each time, so the lines come
//!   in the order they were written. A SIGHUP reload leaves both alone.
//! * `copytruncate` (the file copied, then truncated in place): the file is
//!   shorter than what was read of it, or no longer holds the bytes last
//!   read where they were, and is read again from its start. What was
//!   appended before the copy and not read yet is taken from the copy: the
//!   file next to it whose name begins with the followed file's name and
//!   which holds the bytes last read at the same place. Lines appended
//!   between the copy and the truncation are in neither file: logrotate
//!   itself loses them (it syncs the copy to disk in between), unless they
//!   were read from the file before the truncation.
//!
//! What following by name cannot see: a file that stood at the path only
//! while the daemon did not run at all (rotated again before it looked),
//! and writes to a renamed file after the new one got data or after the
//! next rotation.

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zenkit::daemon::{Args, Daemon, EventId, Flow, PathChange, WatchId};
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
    #[zen(component)]
    tail: Tail,
    #[zen(component)]
    filter: Filter,
    #[zen(component)]
    alerts: Alerts,
    #[zen(component)]
    audit: Audit,
}

/// What `tail` needs of the configuration: the application's `file`.
#[derive(Serialize, Deserialize, Default)]
struct TailConfig {
    file: PathBuf,
}

/// How many of the bytes last read a followed file must still hold where
/// they were, or it counts as truncated and written anew.
const MARK: usize = 64;

/// How much is asked of a file per read.
const CHUNK: usize = 64 * 1024;

/// An open file read up to `offset`.
struct Followed {
    file: File,
    id: (u64, u64),
    offset: u64,
    /// The last bytes read (up to [`MARK`]), ending at `offset`.
    mark: Vec<u8>,
    /// What was read after the last newline.
    partial: Vec<u8>,
    scratch: Vec<u8>,
}

impl Followed {
    /// Opens the file at `path`; `at_end` skips what it holds already.
    fn open(path: &Path, at_end: bool) -> Option<Followed> {
        let file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        let mut followed = Followed {
            file,
            id: (meta.dev(), meta.ino()),
            offset: 0,
            mark: Vec::new(),
            partial: Vec::new(),
            scratch: Vec::new(),
        };
        if at_end {
            let len = meta.len();
            let start = len.saturating_sub(MARK as u64);
            let mut mark = vec![0; (len - start) as usize];
            if followed.file.read_exact_at(&mut mark, start).is_ok() {
                followed.mark = mark;
            }
            followed.offset = len;
        }
        Some(followed)
    }

    /// Whether the file holds anything: its writer has started on it.
    fn has_data(&self) -> bool {
        self.offset > 0 || self.file.metadata().is_ok_and(|m| m.len() > 0)
    }

    /// Reads what the file holds past `offset` into `partial` and returns
    /// how many bytes that was, or `None` when the file was truncated (or
    /// written anew): it no longer holds the bytes last read where they were.
    fn read_new(&mut self) -> Option<u64> {
        let keep = self.mark.len();
        if keep == 0 && self.offset > 0 && self.file.metadata().is_ok_and(|m| m.len() < self.offset)
        {
            return None;
        }
        let data = &mut self.scratch;
        data.clear();
        let mut pos = self.offset - keep as u64;
        loop {
            let filled = data.len();
            data.resize(filled + CHUNK, 0);
            match self.file.read_at(&mut data[filled..], pos) {
                Ok(n) => {
                    data.truncate(filled + n);
                    pos += n as u64;
                    // a short read of a regular file is its end
                    if n < CHUNK {
                        break;
                    }
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => data.truncate(filled),
                Err(err) => {
                    data.truncate(filled);
                    warn!("Cannot read the followed file: {err}");
                    break;
                }
            }
        }
        if data.len() < keep || data[..keep] != self.mark[..] {
            return None;
        }
        let new = data.len() - keep;
        self.offset += new as u64;
        self.mark.clear();
        self.mark
            .extend_from_slice(&data[data.len().saturating_sub(MARK)..]);
        self.partial.extend_from_slice(&data[keep..]);
        Some(new as u64)
    }

    /// Reads what was appended and moves the complete lines to `lines`;
    /// returns how many bytes were read. A file truncated (or written anew)
    /// is read from its start; for the file at `path`, what it held unread
    /// is first taken from its copy (see [`Followed::copy_next_to`]).
    fn read_lines(&mut self, lines: &mut Vec<String>, path: Option<&Path>) -> u64 {
        if let Some(read) = self.read_new() {
            self.take_lines(lines);
            return read;
        }
        let mut read = 0;
        let shown = path.map_or_else(|| "the previous file".into(), |p| p.display().to_string());
        match path.and_then(|path| self.copy_next_to(path)) {
            Some((copy_path, mut copy)) => {
                copy.partial = std::mem::take(&mut self.partial);
                read += copy.finish(lines);
                info!(
                    "{shown} was truncated; following it from its start ({read} bytes it held unread taken from {})",
                    copy_path.display()
                );
            }
            None => {
                info!("{shown} was truncated; following it from its start");
                // the rest of an unfinished line went with the truncation
                if !self.partial.is_empty() {
                    lines.push(String::from_utf8_lossy(&self.partial).into_owned());
                    self.partial.clear();
                }
            }
        }
        self.offset = 0;
        self.mark.clear();
        read += self.read_new().unwrap_or(0);
        self.take_lines(lines);
        read
    }

    /// Moves the complete lines of `partial` to `lines`.
    fn take_lines(&mut self, lines: &mut Vec<String>) {
        let mut start = 0;
        while let Some(end) = self.partial[start..].iter().position(|&b| b == b'\n') {
            let line = &self.partial[start..start + end];
            lines.push(String::from_utf8_lossy(line).into_owned());
            start += end + 1;
        }
        self.partial.drain(..start);
    }

    /// Reads the rest of the file and gives up on it: a line its writer left
    /// unfinished counts as a line.
    fn finish(mut self, lines: &mut Vec<String>) -> u64 {
        let read = self.read_new().unwrap_or(0);
        self.take_lines(lines);
        if !self.partial.is_empty() {
            lines.push(String::from_utf8_lossy(&self.partial).into_owned());
        }
        read
    }

    /// The copy of this file that logrotate's `copytruncate` left next to
    /// `path` before truncating it: a file whose name begins with the
    /// followed name and that holds the bytes last read at the same place,
    /// the newest if several do, with its path. It is read from where this
    /// file was left.
    fn copy_next_to(&self, path: &Path) -> Option<(PathBuf, Followed)> {
        if self.mark.is_empty() {
            return None;
        }
        let name = path.file_name()?.as_encoded_bytes();
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut best: Option<(i64, PathBuf, Followed)> = None;
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let entry_name = entry.file_name();
            let entry_name = entry_name.as_encoded_bytes();
            if entry_name.len() <= name.len() || !entry_name.starts_with(name) {
                continue;
            }
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if !meta.is_file() || (meta.dev(), meta.ino()) == self.id || meta.len() < self.offset {
                continue;
            }
            let Ok(file) = File::open(entry.path()) else {
                continue;
            };
            let mut there = vec![0; self.mark.len()];
            let at = self.offset - self.mark.len() as u64;
            if file.read_exact_at(&mut there, at).is_err() || there != self.mark {
                continue;
            }
            if best
                .as_ref()
                .is_some_and(|(mtime, ..)| *mtime >= meta.mtime())
            {
                continue;
            }
            let copy = Followed {
                file,
                id: (meta.dev(), meta.ino()),
                offset: self.offset,
                mark: self.mark.clone(),
                partial: Vec::new(),
                scratch: Vec::new(),
            };
            best = Some((meta.mtime(), entry.path(), copy));
        }
        best.map(|(_, path, copy)| (path, copy))
    }
}

/// Reads what was appended to the file and turns each line into an event.
#[derive(Default)]
struct Tail {
    /// The file the configuration names.
    wanted: PathBuf,
    /// The path followed, and its watch.
    path: PathBuf,
    watch: Option<WatchId>,
    /// The file at the path.
    current: Option<Followed>,
    /// The file that stood at the path before, until its writer has moved
    /// on to the current one.
    previous: Option<Followed>,
    line: Option<EventId>,
    lines: Vec<String>,
}

impl Tail {
    /// Watches the path of the configuration and opens its file, skipping
    /// what it holds already.
    fn follow(&mut self, d: &mut Daemon<'_>) -> zenkit::Result<()> {
        let watch = d.watch_path(&self.wanted, Tail::FILE)?;
        if let Some(old) = self.watch.replace(watch) {
            d.unwatch(old);
        }
        self.path = self.wanted.clone();
        self.previous = None;
        self.current = Followed::open(&self.path, true);
        if self.current.is_none() {
            warn!("{} does not exist yet; waiting for it", self.path.display());
        }
        Ok(())
    }

    /// Reads what the files hold now, following a rotation.
    fn catch_up(&mut self) -> u64 {
        let mut read = 0;
        let lines = &mut self.lines;
        let at_path = std::fs::metadata(&self.path)
            .ok()
            .map(|m| (m.dev(), m.ino()));
        if at_path != self.current.as_ref().map(|c| c.id) {
            if let Some(current) = self.current.take() {
                // moved away or deleted: its writer may still be at it
                if let Some(older) = self.previous.replace(current) {
                    // rotated twice before its writer moved on; nothing
                    // reports its writes any more
                    read += older.finish(lines);
                }
            }
            if at_path.is_some() {
                self.current = Followed::open(&self.path, false);
                if self.current.is_some() {
                    let how = if self.previous.is_some() {
                        "was rotated"
                    } else {
                        "appeared"
                    };
                    info!("{} {how}; following the new file", self.path.display());
                }
            }
        }
        // looked at before the previous file is read for the last time, so
        // whatever its writer wrote to it before moving on is read below
        let switched =
            self.previous.is_some() && self.current.as_ref().is_some_and(Followed::has_data);
        if let Some(previous) = self.previous.as_mut() {
            read += previous.read_lines(lines, None);
        }
        if switched {
            if let Some(previous) = self.previous.take() {
                read += previous.finish(lines);
            }
        }
        if let Some(current) = self.current.as_mut() {
            read += current.read_lines(lines, Some(&self.path));
        }
        read
    }
}

#[zenkit::component]
impl Tail {
    #[check]
    fn check(&self, config: &TailConfig) -> zenkit::Result<()> {
        if config.file.as_os_str().is_empty() {
            return Err(Error::config("no file to follow; pass --file PATH"));
        }
        Ok(())
    }

    #[configure]
    fn configure(&mut self, config: TailConfig) -> zenkit::Result<()> {
        self.wanted = config.file;
        Ok(())
    }

    /// Watches and opens the file before the daemon reports that it is up,
    /// so that no line written after that is skipped.
    #[setup]
    fn setup(&mut self, d: &mut Daemon<'_>) -> zenkit::Result<()> {
        self.line = Some(d.event_id(Filter::LINE));
        self.follow(d)
    }

    /// Follows another file when the reload named one (from its end, as at
    /// start-up); the same file is read on undisturbed.
    #[reload]
    fn reload(&mut self, d: &mut Daemon<'_>) -> zenkit::Result<()> {
        if self.wanted != self.path {
            info!(
                "Following {} instead of {}",
                self.wanted.display(),
                self.path.display()
            );
            self.follow(d)?;
        }
        Ok(())
    }

    /// Any change at the path: the files are read to their ends.
    #[on_event("file")]
    fn changed(&mut self, d: &mut Daemon<'_>, change: PathChange) -> Flow {
        if change.path != self.path {
            return Flow::next();
        }
        let read = self.catch_up();
        d.inc_statistic("bytes", read);
        let line = self.line.unwrap_or_else(|| d.event_id(Filter::LINE));
        for text in self.lines.drain(..) {
            d.schedule(line, Some(json!({ "text": text })));
        }
        Flow::next()
    }

    #[state]
    fn state(&self) -> Value {
        json!({
            "file": self.path,
            "offset": self.current.as_ref().map_or(0, |c| c.offset),
            "open": self.current.is_some(),
            "previous_offset": self.previous.as_ref().map(|p| p.offset),
        })
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
