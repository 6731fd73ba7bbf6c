//! Events from other threads: a [`Sender`] queues an event with its
//! arguments into the running daemon and wakes its loop through the same
//! self-pipe the signal handlers use, so the loop needs nothing new in its
//! `ppoll` and an idle daemon still sleeps until something arrives. The
//! worker pool delivers its jobs' results the same way.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::names::{EventId, EventName};
use super::signals;
use super::Args;

/// What another thread handed the loop.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// An event from a [`Sender`].
    Event(EventName, Args),
    /// A job of the worker pool ended: its event and the arguments for it,
    /// or why there are none.
    JobDone(EventId, std::result::Result<Args, String>),
}

/// What other threads delivered and the loop has not taken yet.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    deliveries: Mutex<Vec<Delivery>>,
    closed: AtomicBool,
    senders: AtomicUsize,
}

impl Inbox {
    /// Takes what arrived, in the order it was delivered.
    pub(crate) fn take(&self) -> Vec<Delivery> {
        let mut deliveries = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *deliveries)
    }

    /// Whether a [`Sender`] exists.
    pub(crate) fn has_senders(&self) -> bool {
        self.senders.load(Ordering::SeqCst) > 0
    }

    /// Refuses further events: the loop has ended.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// Hands `delivery` to the loop and wakes it; false once it has ended.
    pub(crate) fn deliver(&self, delivery: Delivery) -> bool {
        if self.closed.load(Ordering::SeqCst) {
            return false;
        }
        let mut deliveries = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        deliveries.push(delivery);
        drop(deliveries);
        signals::wake();
        true
    }
}

/// Queues events into a running daemon from any thread; get one with
/// [`Daemon::sender`](super::Daemon::sender). Clones share the daemon;
/// dropping every one of them is harmless. While a sender exists, a daemon
/// whose queue runs empty waits for what it sends instead of ending.
///
/// ```no_run
/// # use zenkit::daemon::{Args, Daemon, Flow};
/// # fn start(d: &mut Daemon<'_>, args: Args) -> Flow {
/// let sender = d.sender();
/// std::thread::spawn(move || {
///     let answer = 6 * 7; // … blocking work …
///     sender.send_with("answer", &answer);
/// });
/// # Flow::Continue(args)
/// # }
/// ```
#[derive(Debug)]
pub struct Sender {
    inbox: Arc<Inbox>,
}

impl Clone for Sender {
    fn clone(&self) -> Sender {
        Sender::new(Arc::clone(&self.inbox))
    }
}

impl Drop for Sender {
    /// The last sender gone, an idle loop looks again whether anything can
    /// still give it an event.
    fn drop(&mut self) {
        if self.inbox.senders.fetch_sub(1, Ordering::SeqCst) == 1 {
            signals::wake();
        }
    }
}

impl Sender {
    pub(crate) fn new(inbox: Arc<Inbox>) -> Sender {
        inbox.senders.fetch_add(1, Ordering::SeqCst);
        Sender { inbox }
    }

    /// Queues event `name` with `args` at the end of the daemon's immediate
    /// events and wakes its loop. Returns false, and queues nothing, once
    /// the daemon's loop has ended.
    pub fn send(&self, name: impl Into<EventName>, args: Args) -> bool {
        self.inbox.deliver(Delivery::Event(name.into(), args))
    }

    /// Queues event `name` with `value` as its arguments (any
    /// `Serialize` type; the handler may take it as its own type). Returns
    /// false when the loop has ended or `value` cannot be stored as JSON
    /// (an error is logged).
    pub fn send_with<T: Serialize + ?Sized>(&self, name: impl Into<EventName>, value: &T) -> bool {
        let name = name.into();
        match serde_json::to_value(value) {
            Ok(args) => self.send(name, Some(args)),
            Err(err) => {
                tracing::error!("The arguments of event '{name}' cannot be stored as JSON: {err}");
                false
            }
        }
    }
}
