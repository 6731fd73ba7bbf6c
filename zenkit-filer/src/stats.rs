//! The counters of a queue.

use serde_json::{Map, Value};

/// What a [`DirQueue`](crate::DirQueue) has done since it was opened.
///
/// The `cnt_*` names are those of Mentat's filer daemon component, so the
/// statistics a daemon logs keep their names; `cnt_recovered`,
/// `cnt_skipped` and `fsyncs` are new.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages written into the queue by
    /// [`enqueue`](crate::DirQueue::enqueue).
    pub cnt_enqueued: u64,
    /// Messages taken by [`next`](crate::DirQueue::next), including those
    /// it banished itself (too large).
    pub cnt_fetched: u64,
    /// Messages replaced by [`update`](crate::DirQueue::update).
    pub cnt_updated: u64,
    /// Messages moved into `errors/`: by
    /// [`banish`](crate::DirQueue::banish), and entries of `incoming/` or
    /// `pending/` that are not messages (symbolic links, directories,
    /// FIFOs, names that are not UTF-8) or are too large, which the queue
    /// banishes itself.
    pub cnt_banished: u64,
    /// Messages deleted by [`cancel`](crate::DirQueue::cancel).
    pub cnt_canceled: u64,
    /// Messages handed on (or deleted) by
    /// [`commit`](crate::DirQueue::commit).
    pub cnt_committed: u64,
    /// Messages moved elsewhere by [`dispatch`](crate::DirQueue::dispatch).
    pub cnt_dispatched: u64,
    /// Copies made by [`duplicate`](crate::DirQueue::duplicate).
    pub cnt_duplicated: u64,
    /// Operations that failed (returned an error).
    pub cnt_errors: u64,
    /// Messages moved back from `pending/` to `incoming/` because no live
    /// instance held them ([`recover`](crate::DirQueue::recover)).
    pub cnt_recovered: u64,
    /// Listed messages that [`next`](crate::DirQueue::next) left because
    /// another instance took or held them first.
    pub cnt_skipped: u64,
    /// `fsync` calls made, on files and directories.
    pub fsyncs: u64,
}

impl Stats {
    /// The counters by name, in the order Mentat's filer component logs
    /// them, then the new ones.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> {
        [
            ("cnt_enqueued", self.cnt_enqueued),
            ("cnt_fetched", self.cnt_fetched),
            ("cnt_updated", self.cnt_updated),
            ("cnt_committed", self.cnt_committed),
            ("cnt_banished", self.cnt_banished),
            ("cnt_canceled", self.cnt_canceled),
            ("cnt_dispatched", self.cnt_dispatched),
            ("cnt_duplicated", self.cnt_duplicated),
            ("cnt_errors", self.cnt_errors),
            ("cnt_recovered", self.cnt_recovered),
            ("cnt_skipped", self.cnt_skipped),
            ("fsyncs", self.fsyncs),
        ]
        .into_iter()
    }

    /// The counters as a JSON object, name to number.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.iter()
                .map(|(name, n)| (name.to_owned(), Value::from(n)))
                .collect::<Map<_, _>>(),
        )
    }
}
