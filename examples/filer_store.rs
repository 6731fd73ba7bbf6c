//! The last stage of a filer pipeline: appends each message of its input
//! queue as one line to a JSON Lines file, then deletes the message.
//!
//! ```text
//! filer_ingest --source /var/log/app.log        # → <var>/spool/filer_enrich
//! filer_enrich --queue-out-dir filer_store       # → <var>/spool/filer_store
//! filer_store --store /var/lib/lines.jsonl
//! ```
//!
//! (see the README's "Pipelines: the filer queue"). The `Filer` component
//! brings the input queue (`--queue-in-dir`, the daemon's name,
//! `filer_store`, by default); there is no output queue, so
//! `message_commit` deletes the message. The store is handed to the filer
//! with `Filer::flush_with`: the filer flushes it to disk before the
//! commits of each batch take effect, so a message is deleted only once
//! its line is durable, with one flush per batch rather than one per
//! message. A crash between the two leaves the message in `pending/`, and
//! the next start (or another instance) stores it again: delivery is at
//! least once, and a duplicate line is possible only then. A message
//! spanning lines is stored as compact JSON; one that is not JSON and
//! spans lines is banished. A failed write is cut off the file again and
//! the message left pending for a later start.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use zenkit::daemon::{Daemon, Flow};
use zenkit::prelude::*;
use zenkit_filer::{Filer, Process};
// the JetStream backend, for nats:// queues
use zenkit_filer_nats as _;
// metrics for Prometheus' textfile collector, with --prometheus-dir
use zenkit_prometheus as _;

/// Appends the messages of a filer queue to a JSON Lines file.
#[derive(ZenApp, Default)]
#[zen(daemon)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct FilerStore {
    /// The JSON Lines file to append to.
    #[zen(cli)]
    store: PathBuf,
    #[zen(component)]
    filer: Filer,
    /// The store, open for appending.
    file: Option<File>,
}

impl FilerStore {
    /// Appends `line`; a failed write is cut off again.
    fn append(&mut self, line: &str) -> std::io::Result<()> {
        let file = self.file.as_mut().expect("opened at setup");
        let before = file.metadata()?.len();
        let written = file.write_all(format!("{line}\n").as_bytes());
        if written.is_err() {
            let _ = file.set_len(before);
        }
        written
    }
}

#[zenkit::app]
impl FilerStore {
    #[setup]
    fn setup(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        if self.store.as_os_str().is_empty() {
            return Err(Error::config("no store file; pass --store FILE"));
        }
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.store)
            .map_err(|e| Error::setup(format!("cannot open {}: {e}", self.store.display())))?;
        self.filer.flush_with(file.try_clone()?, &self.store);
        self.file = Some(file);
        Ok(())
    }

    #[on_event("message_process")]
    fn process(&mut self, d: &mut Daemon<'_>, message: Process) -> Flow {
        let text = message.data.trim_end();
        let line = if text.contains('\n') {
            match serde_json::from_str::<Value>(text) {
                Ok(value) => value.to_string(),
                Err(err) => {
                    let meta = json!({"reason": format!("spans lines and is not JSON: {err}")});
                    d.schedule_with(
                        Filer::MESSAGE_BANISH,
                        &json!({"id": message.id, "meta": meta}),
                    );
                    return Flow::next();
                }
            }
        } else {
            text.to_string()
        };
        match self.append(&line) {
            Ok(()) => d.schedule_with(Filer::MESSAGE_COMMIT, &json!({"id": message.id})),
            Err(err) => {
                error!(
                    "Cannot store message '{}' in {}: {err}",
                    message.id,
                    self.store.display()
                );
                d.inc_statistic("cnt_store_errors", 1);
            }
        }
        Flow::next()
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<FilerStore>()
}
