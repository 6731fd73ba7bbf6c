//! Events from other threads: a [`Sender`] queues an event with its
//! arguments into the running daemon and wakes its loop through the same
//! self-pipe the signal handlers use, so the loop needs nothing new in its
//! `ppoll` and an idle daemon still sleeps until something arrives.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::queue::EventName;
use super::signals;
use super::Args;

/// The events other threads sent and the loop has not taken yet.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    events: Mutex<Vec<(EventName, Args)>>,
    closed: AtomicBool,
}

impl Inbox {
    /// Takes what arrived, in the order it was sent.
    pub(crate) fn take(&self) -> Vec<(EventName, Args)> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *events)
    }

    /// Refuses further events: the loop has ended.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }
}

/// Queues events into a running daemon from any thread; get one with
/// [`Daemon::sender`](super::Daemon::sender). Clones share the daemon;
/// dropping every one of them is harmless.
///
/// ```no_run
/// # use zenkit::daemon::{Args, Daemon, Flow};
/// # fn start(d: &mut Daemon<'_>, args: Args) -> Flow {
/// let sender = d.sender();
/// std::thread::spawn(move || {
///     let answer = 6 * 7; // … blocking work …
///     sender.send("answer", Some(serde_json::json!(answer)));
/// });
/// # Flow::Continue(args)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Sender {
    inbox: Arc<Inbox>,
}

impl Sender {
    pub(crate) fn new(inbox: Arc<Inbox>) -> Sender {
        Sender { inbox }
    }

    /// Queues event `name` with `args` at the end of the daemon's immediate
    /// events and wakes its loop. Returns false, and queues nothing, once
    /// the daemon's loop has ended.
    pub fn send(&self, name: impl Into<EventName>, args: Args) -> bool {
        if self.inbox.closed.load(Ordering::SeqCst) {
            return false;
        }
        let mut events = self.inbox.events.lock().unwrap_or_else(|e| e.into_inner());
        events.push((name.into(), args));
        drop(events);
        signals::wake();
        true
    }
}
