//! The daemon context every handler gets: the queue, the application's
//! context (configuration, runlog, state, console), the done flag and the
//! statistics of the component whose handler runs.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Map, Value};

use super::notify::Notifier;
use super::queue::{EventName, EventQueue};
use super::stats::{Evaluator, Statistics};
use super::Args;
use crate::context::Context;

/// What a handler can reach of the running daemon. It dereferences to the
/// application's [`Context`] (configuration, runlog, persistent state,
/// console helpers).
#[derive(Debug)]
pub struct Daemon<'a> {
    pub(crate) ctx: &'a mut Context,
    pub(crate) queue: EventQueue,
    pub(crate) done: bool,
    pub(crate) leave: bool,
    pub(crate) slot: usize,
    pub(crate) names: Vec<String>,
    pub(crate) stats: Vec<Statistics>,
    pub(crate) evaluators: Vec<Evaluator>,
    pub(crate) notifier: Notifier,
    pub(crate) reload: Option<crate::Result<()>>,
    pub(crate) inbox: Option<std::sync::Arc<super::sender::Inbox>>,
}

impl<'a> Daemon<'a> {
    pub(crate) fn new(ctx: &'a mut Context, names: Vec<String>) -> Daemon<'a> {
        let now = Instant::now();
        Daemon {
            ctx,
            queue: EventQueue::with_capacity(64),
            done: false,
            leave: false,
            slot: 0,
            stats: vec![Statistics::new(); names.len()],
            evaluators: vec![Evaluator::new(now); names.len()],
            names,
            notifier: Notifier::from_env(),
            reload: None,
            inbox: None,
        }
    }

    /// A [`Sender`](super::Sender) other threads use to queue events into
    /// this daemon (made on the first call; every call shares it).
    pub fn sender(&mut self) -> super::Sender {
        let inbox = self.inbox.get_or_insert_with(Default::default);
        super::Sender::new(std::sync::Arc::clone(inbox))
    }

    /// Moves the events other threads sent into the queue.
    pub(crate) fn take_sent(&mut self) {
        if let Some(inbox) = &self.inbox {
            for (name, args) in inbox.take() {
                self.queue.schedule(name, args);
            }
        }
    }

    /// Schedules an event at the end of the queue of immediate events.
    pub fn schedule(&mut self, name: impl Into<EventName>, args: Args) {
        self.queue.schedule(name, args);
    }

    /// Schedules an event at the front of the queue of immediate events.
    pub fn schedule_next(&mut self, name: impl Into<EventName>, args: Args) {
        self.queue.schedule_next(name, args);
    }

    /// Schedules an event at an absolute wall-clock time.
    pub fn schedule_at(&mut self, when: SystemTime, name: impl Into<EventName>, args: Args) {
        self.queue.schedule_at(when, name, args);
    }

    /// Schedules an event after a delay.
    pub fn schedule_after(&mut self, delay: Duration, name: impl Into<EventName>, args: Args) {
        self.queue.schedule_after(delay, name, args);
    }

    /// Schedules an event after a delay in (fractional) seconds.
    pub fn schedule_after_secs(&mut self, secs: f64, name: impl Into<EventName>, args: Args) {
        self.queue.schedule_after_secs(secs, name, args);
    }

    /// The event queue, to look at.
    pub fn queue(&self) -> &EventQueue {
        &self.queue
    }

    /// Whether the daemon is stopping: handlers that schedule new work
    /// should check it first so the daemon can drain and stop.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Starts a graceful stop: the loop leaves once nothing is ready.
    pub fn set_done(&mut self) {
        self.done = true;
    }

    /// Leaves the event loop after the running handler chain, at once.
    pub fn terminate(&mut self) {
        self.leave = true;
    }

    /// Adds `n` to counter `key` (`group.key` for nested groups) of the
    /// component whose handler runs.
    pub fn inc_statistic(&mut self, key: &str, n: u64) {
        self.stats[self.slot].inc(key, n);
    }

    /// The counters of the component whose handler runs.
    pub fn statistics(&mut self) -> &mut Statistics {
        &mut self.stats[self.slot]
    }

    /// The name of the component whose handler runs (`daemon` for the
    /// built-in handlers and the application's own).
    pub fn component(&self) -> &str {
        &self.names[self.slot]
    }

    /// The outcome of the latest SIGHUP reload: `Ok(())` when the new
    /// configuration was put in force, the reason when it was refused and
    /// the old one stayed; `None` before the first reload. The SIGHUP
    /// handlers of the application and its components run after the
    /// built-in reload, so they see the outcome of the reload that SIGHUP
    /// caused.
    pub fn reload_outcome(&self) -> Option<&crate::Result<()>> {
        self.reload.as_ref()
    }

    /// Every component's counters: `{name: counters}`.
    pub fn all_statistics(&self) -> Value {
        let map: Map<String, Value> = self
            .names
            .iter()
            .zip(&self.stats)
            .map(|(name, stats)| (name.clone(), stats.to_json()))
            .collect();
        Value::Object(map)
    }

    /// The runlog's `statistics` key: `{time, components: {Name: counters}}`,
    /// as pyzenkit keeps it: the components only, so the slot of the built-in
    /// handlers and the application's own (`daemon`) is left out while it
    /// has no counters.
    pub(crate) fn runlog_statistics(&self) -> Value {
        let components: Map<String, Value> = self
            .names
            .iter()
            .zip(&self.stats)
            .enumerate()
            .filter(|(slot, (_, stats))| *slot > 0 || !stats.is_empty())
            .map(|(_, (name, stats))| (name.clone(), stats.to_json()))
            .collect();
        json!({"time": crate::runlog::now_ts(), "components": components})
    }
}

impl Deref for Daemon<'_> {
    type Target = Context;

    fn deref(&self) -> &Context {
        self.ctx
    }
}

impl DerefMut for Daemon<'_> {
    fn deref_mut(&mut self) -> &mut Context {
        self.ctx
    }
}
