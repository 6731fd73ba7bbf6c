//! zenkit-filer-nats: the queues of zenkit-filer on NATS JetStream, so
//! that the stages of a pipeline run on several hosts with their code
//! unchanged.
//!
//! Link the crate into a stage (its `Filer` component then takes URLs) and
//! name a stream where a directory was:
//!
//! ```no_run
//! // Refer to the crate so the linker keeps its registration.
//! use zenkit_filer_nats as _;
//! ```
//!
//! ```text
//! filer_enrich --queue-in-dir nats:///ENRICH --queue-out-dir nats:///STORE \
//!     --nats-servers nats://10.0.0.1:4222,nats://10.0.0.2:4222
//! ```
//!
//! # Queues
//!
//! `queue_in_dir` and `queue_out_dir` (and `queue_out_dir` of a first
//! stage that opens its queue with [`zenkit_filer::open_producer`]) take
//! `nats://[HOST:PORT[,HOST:PORT…]]/STREAM[/CONSUMER]`: the servers (none:
//! those of `nats_servers`), the stream, and the name of the stage's
//! durable consumer (the daemon's name by default). Either may stay a
//! directory: a stage can read a directory queue and write to a stream, or
//! the other way round.
//!
//! | on disk | on JetStream |
//! |---|---|
//! | queue directory `NAME/` | stream `STREAM`, subject `STREAM`, kept on file, work-queue retention (a message is kept until a stage acknowledges it) |
//! | `incoming/` | the stream's messages not delivered yet |
//! | `pending/`, locked by its instance | delivered to the stage's consumer and not acknowledged |
//! | `errors/` and `<id>.meta` | stream `STREAM_ERRORS`, subject `STREAM.errors`; the metadata in header `Zenkit-Meta` |
//! | the message's file name | its `Nats-Msg-Id` header (`STREAM.<sequence>` when it has none) |
//! | recovery of a dead instance's messages | redelivery after `nats_ack_wait` |
//! | `--parallel` instances | instances on one durable consumer |
//! | `queue_out_limit` (messages in the next `incoming/`) | messages in the next stream |
//!
//! A stage creates the streams it uses when they are missing, with
//! `nats_replicas` copies and a `nats_duplicate_window`.
//!
//! # Semantics
//!
//! They are the directory queue's: a message is acknowledged only once the
//! commit published it into the next stream and the stream confirmed it
//! (or, into a directory, once the next queue has it on disk; for a last
//! stage, once the files of `Filer::flush_with` are flushed). A stage that
//! dies leaves its messages to the consumer, which delivers them again,
//! to this instance or another, after `nats_ack_wait` seconds; a stage
//! that stops gives back at once what it took and did not finish. While a
//! stage holds a message it tells the server so every half `nats_ack_wait`,
//! so a slow message is not taken for an abandoned one.
//!
//! * `message_commit` publishes with the message's id as `Nats-Msg-Id`, so
//!   the next stream drops a copy published again (after a crash between
//!   the publish and the acknowledgement) within `nats_duplicate_window`;
//!   the copies it dropped are counted (`cnt_duplicates`).
//! * `message_update` keeps the new content in the stage until the commit
//!   publishes it: a message cannot change in its stream, and one published
//!   again into the input would be taken by another instance while this
//!   one still has it. A stage that dies after an update processes the
//!   message from its old content again.
//! * `message_banish` publishes the message into `STREAM.errors` with
//!   headers `Zenkit-Meta` (the metadata as JSON), `Zenkit-Queue` and
//!   `Zenkit-Delivered`, then terminates it.
//! * A message delivered more than `nats_max_deliver` times without a commit
//!   (a message that kills its stage) is banished by the backend itself,
//!   with the reason (`cnt_poison`).
//! * `message_dispatch` and `message_duplicate` take a `nats://` URL of
//!   another stream as `queue_tgt`; a directory queue's stage keeps taking
//!   directories.
//! * With `queue_batch` above 1, a stage publishes and acknowledges its
//!   batch at once and waits for all the answers when it flushes.
//! * Messages are limited by the servers' `max_payload` (1 MB by
//!   default), where a directory queue takes 256 MiB: a stage that reads
//!   a directory banishes a message too large for its output stream, with
//!   the reason, and an update or an enqueue too large is an error.
//!
//! # The client
//!
//! The NATS client runs on a thread of its own, started in the filer's
//! setup, after the daemon detached and dropped its privileges; it hands
//! messages to the daemon's loop as events, so signals, timers and the
//! other components go on as before. A lost connection is logged once and
//! tried again, with growing pauses, until it is back; a reload that
//! changes the servers, the credentials or the other `nats_*` keys
//! connects anew (the messages the old connection held come again).
//!
//! | key | option | meaning | default |
//! |---|---|---|---|
//! | `nats_servers` | `--nats-servers URLS` | the servers, comma-separated | `nats://127.0.0.1:4222` |
//! | `nats_creds` | `--nats-creds FILE` | a credentials file (JWT and NKey seed) | none |
//! | `nats_ack_wait` | `--nats-ack-wait S` | seconds before a silent instance's messages go to another | 30 |
//! | `nats_max_ack_pending` | `--nats-max-ack-pending N` | messages an instance holds at most | 256 |
//! | `nats_max_deliver` | `--nats-max-deliver N` | deliveries before a message is banished | 5 |
//! | `nats_duplicate_window` | `--nats-duplicate-window S` | seconds a stream remembers ids (streams the stage creates) | 120 |
//! | `nats_replicas` | `--nats-replicas N` | copies of each message (streams the stage creates) | 1 |
//! | `nats_connect_timeout` | `--nats-connect-timeout S` | seconds to reach the servers at start-up | 5 |
//!
//! Besides the filer's statistics a stage counts `cnt_redelivered`
//! (messages delivered again), `cnt_duplicates`, `cnt_poison` and
//! `nats_disconnects`, and has the gauges `nats_connected`, `nats_waiting`
//! (taken from the consumer, not yet processed) and `nats_held` (taken and
//! not finished), which the Prometheus plugin writes as
//! `zenkit_component_value`.

#![warn(missing_docs)]

mod client;
mod log;
mod queue;
mod settings;

pub use settings::Nats;

inventory::submit! {
    zenkit_filer::BackendKind {
        scheme: "nats",
        package: "zenkit-filer-nats",
        open: queue::open,
    }
}

#[cfg(feature = "testing")]
pub mod testing;
