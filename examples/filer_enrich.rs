//! The middle stage of a filer pipeline: takes each JSON message of its
//! input queue, adds fields to it and hands it on to its output queue.
//!
//! ```text
//! filer_ingest --source /var/log/app.log        # → <var>/spool/filer_enrich
//! filer_enrich                                   # → <var>/spool/filer_store
//! filer_store --store /var/lib/lines.jsonl
//! ```
//!
//! (see the README's "Pipelines: the filer queue"). The `Filer` component
//! brings the queues and Mentat's options: the input queue is
//! `--queue-in-dir` (the daemon's name, `filer_enrich`, by default), the
//! output queue `--queue-out-dir` (`filer_store` in the pipeline),
//! `--queue-out-limit`, … To a message `{"n": 1, "line": "abc"}` it adds
//! `"length"` (of the line, in characters), `"upper"` (the line in upper
//! case), `"stage": "enrich"` and `"host"` (the host name), replaces the
//! message (`message_update`) and commits it (`message_commit`). A message
//! that is not a JSON object is banished into `errors/` with
//! `{"reason": "malformed JSON: …"}`; the filer itself banishes empty
//! ones. Several instances may share one queue (`--parallel`).

use zenkit::daemon::{Daemon, Flow};
use zenkit::prelude::*;
use zenkit_filer::{Filer, Process};
// the JetStream backend, for nats:// queues
use zenkit_filer_nats as _;
// metrics for Prometheus' textfile collector, with --prometheus-dir
use zenkit_prometheus as _;

/// Adds fields to the JSON messages of a filer queue.
#[derive(ZenApp, Default)]
#[zen(daemon)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct FilerEnrich {
    #[zen(component)]
    filer: Filer,
    /// The host name, added to every message.
    host: String,
}

#[zenkit::app]
impl FilerEnrich {
    #[on_event("message_process")]
    fn process(&mut self, d: &mut Daemon<'_>, message: Process) -> Flow {
        if self.host.is_empty() {
            self.host = nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        let mut value = match serde_json::from_str::<Value>(&message.data) {
            Ok(value @ Value::Object(_)) => value,
            Ok(_) => return banish(d, &message.id, "malformed JSON: not an object".into()),
            Err(err) => return banish(d, &message.id, format!("malformed JSON: {err}")),
        };
        let line = value["line"].as_str().unwrap_or("").to_string();
        value["length"] = json!(line.chars().count());
        value["upper"] = json!(line.to_uppercase());
        value["stage"] = json!("enrich");
        value["host"] = json!(self.host);
        d.schedule_with(
            Filer::MESSAGE_UPDATE,
            &json!({"id": message.id, "data": value.to_string()}),
        );
        d.schedule_with(Filer::MESSAGE_COMMIT, &json!({"id": message.id}));
        Flow::next()
    }
}

fn banish(d: &mut Daemon<'_>, id: &str, reason: String) -> Flow {
    warn!("Banishing message '{id}': {reason}");
    d.schedule_with(
        Filer::MESSAGE_BANISH,
        &json!({"id": id, "meta": {"reason": reason}}),
    );
    Flow::next()
}

fn main() -> std::process::ExitCode {
    zenkit::run::<FilerEnrich>()
}
