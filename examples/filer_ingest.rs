//! The first stage of a filer pipeline: follows a text file and enqueues
//! each line into a directory queue as `{"n": <line number>, "line": "<text>"}`.
//!
//! ```text
//! filer_ingest --source /var/log/app.log        # → <var>/spool/filer_enrich
//! filer_enrich                                   # → <var>/spool/filer_store
//! filer_store --store /var/lib/lines.jsonl
//! ```
//!
//! (see the README's "Pipelines: the filer queue"). It has no input queue,
//! so it opens its output queue (`--queue-out-dir`: a directory, a bare
//! name under `<var>/spool/`, `filer_enrich` by default, or a JetStream
//! stream, `nats:///FILER_ENRICH`) with `zenkit_filer::open_producer`
//! rather than through the `Filer` component: the component would bring an
//! input queue, its scans and its options for nothing. The file is followed with the daemon's path watch (inotify); a
//! file that was truncated or replaced (rotated) is read again from its
//! start, lines numbered on.
//!
//! Its position (byte offset, the number of lines read, the file's inode)
//! is kept in `<run>/<name>.offset`, written atomically after each batch of
//! lines is enqueued (with group commit: the batch is flushed to disk once,
//! then the offset written): a stop, a restart or a crash loses no line. A crash
//! (SIGKILL, power loss) after some lines of a batch were enqueued and
//! before the offset file was replaced repeats those lines at the next
//! start — at most one batch ([`BATCH`] lines), with the same `n`, so a
//! later stage can drop them. A graceful stop repeats nothing.

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use zenkit::daemon::{Args, Daemon, Flow, PathChange};
use zenkit::prelude::*;
use zenkit_filer::{open_producer, Options, QueueBackend};
// the JetStream backend, for a nats:// queue
use zenkit_filer_nats as _;

/// The most lines enqueued before the offset is saved.
const BATCH: usize = 500;

/// Seconds before lines that could not be enqueued are tried again.
const RETRY_SECS: f64 = 1.0;

/// Enqueues the lines appended to a file into a filer queue.
#[derive(ZenApp, Default)]
#[zen(daemon)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct FilerIngest {
    /// The text file to follow.
    #[zen(cli)]
    source: PathBuf,
    /// The output queue: a directory (a bare name is under <var>/spool/) or
    /// a JetStream stream (nats:///STREAM).
    #[zen(cli, default = "filer_enrich")]
    queue_out_dir: String,
    #[zen(component)]
    ingest: Ingest,
}

#[derive(Serialize, Deserialize, Default)]
struct IngestConfig {
    source: PathBuf,
    queue_out_dir: String,
}

/// Where reading stands; the offset file's content.
#[derive(Serialize, Deserialize, Default, Clone, Copy, PartialEq)]
struct Position {
    offset: u64,
    n: u64,
    inode: u64,
}

#[derive(Default)]
struct Ingest {
    config: IngestConfig,
    queue: Option<Box<dyn QueueBackend>>,
    state_file: PathBuf,
    at: Position,
}

impl Ingest {
    /// Enqueues up to [`BATCH`] complete lines; true when more may wait.
    fn batch(&mut self) -> zenkit::Result<bool> {
        let Ok(file) = File::open(&self.config.source) else {
            return Ok(false);
        };
        let meta = file.metadata()?;
        if meta.ino() != self.at.inode || meta.len() < self.at.offset {
            info!(
                "{} is new or truncated; reading it from its start",
                self.config.source.display()
            );
            self.at = Position {
                offset: 0,
                n: self.at.n,
                inode: meta.ino(),
            };
        }
        let mut buf = vec![0; 256 * 1024];
        let len = file.read_at(&mut buf, self.at.offset)?;
        let queue = self.queue.as_mut().expect("set up");
        let before = self.at;
        let mut lines = buf[..len].split_inclusive(|b| *b == b'\n');
        let mut taken = 0;
        let mut failed = None;
        for line in lines.by_ref().take(BATCH) {
            let Some(text) = line.strip_suffix(b"\n") else {
                break;
            };
            let message = json!({"n": self.at.n + 1, "line": String::from_utf8_lossy(text)});
            if let Err(err) = queue.enqueue(message.to_string().as_bytes()) {
                failed = Some(err);
                break;
            }
            self.at.n += 1;
            self.at.offset += line.len() as u64;
            taken += 1;
        }
        // The batch's messages go into the queue with one flush, before the
        // offset says they are in; when it fails none of them is.
        if let Err(err) = queue.flush() {
            self.at = before;
            return Err(err);
        }
        if taken > 0 {
            zenkit::fs::write_json_atomic(&self.state_file, &json!(self.at))?;
        }
        match failed {
            Some(err) => Err(err),
            None => Ok(taken == BATCH),
        }
    }
}

#[zenkit::component]
impl Ingest {
    #[check]
    fn check(&self, config: &IngestConfig) -> zenkit::Result<()> {
        if config.source.as_os_str().is_empty() {
            return Err(Error::config("no file to follow; pass --source FILE"));
        }
        Ok(())
    }

    #[configure]
    fn configure(&mut self, config: IngestConfig) -> zenkit::Result<()> {
        self.config = config;
        Ok(())
    }

    #[setup]
    fn setup(&mut self, d: &mut Daemon<'_>) -> zenkit::Result<()> {
        let options = Options {
            group_commit: true,
            ..Options::default()
        };
        let queue = open_producer(d, "queue_out_dir", &self.config.queue_out_dir, &options)?;
        self.state_file = d.paths().run.join(format!("{}.offset", d.name()));
        if let Ok(text) = std::fs::read_to_string(&self.state_file) {
            self.at = serde_json::from_str(&text)
                .map_err(|e| Error::setup(format!("{}: {e}", self.state_file.display())))?;
        }
        d.watch_path(&self.config.source, Ingest::SOURCE)?;
        info!(
            "Following {} from line {} into {}",
            self.config.source.display(),
            self.at.n + 1,
            queue.input()
        );
        self.queue = Some(queue);
        Ok(())
    }

    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        d.schedule(Ingest::READ, None);
        Flow::Continue(args)
    }

    #[on_event("source")]
    fn changed(&mut self, d: &mut Daemon<'_>, _change: PathChange) -> Flow {
        d.schedule(Ingest::READ, None);
        Flow::next()
    }

    /// One batch, then the loop gets its turn before the next.
    #[on_event("read")]
    fn read(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let before = self.at.n;
        match self.batch() {
            Ok(more) => {
                d.inc_statistic("cnt_enqueued", self.at.n - before);
                if more && !d.is_done() {
                    d.schedule(Ingest::READ, None);
                }
            }
            Err(err) => {
                error!(
                    "Cannot enqueue the lines of {}: {err}",
                    self.config.source.display()
                );
                d.inc_statistic("cnt_errors", 1);
                // a queue on the network fails for a while (a server lost,
                // a leader being elected): the lines are tried again
                if !d.is_done() {
                    d.schedule_after_secs(RETRY_SECS, Ingest::READ, None);
                }
            }
        }
        Flow::Continue(args)
    }

    #[state]
    fn state(&self) -> Value {
        json!(self.at)
    }
}

#[zenkit::app]
impl FilerIngest {}

fn main() -> std::process::ExitCode {
    zenkit::run::<FilerIngest>()
}
