//! The daemon context every handler gets: the queue, the application's
//! context (configuration, runlog, state, console), the done flag and the
//! statistics of the component whose handler runs.

use std::ops::{Deref, DerefMut};
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::names::{EventId, EventNames, IntoEvent};
use super::notify::Notifier;
use super::queue::EventQueue;
use super::sender::{Delivery, Inbox};
use super::sources::{Interest, Sources, WatchId};
use super::stats::{Evaluator, Statistics};
use super::workers::Workers;
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
    pub(crate) inbox: Option<Arc<Inbox>>,
    pub(crate) sources: Sources,
    pub(crate) workers: Workers,
    /// The event and the position in its chain of the handler running.
    pub(crate) running: Option<(EventId, usize)>,
}

impl<'a> Daemon<'a> {
    pub(crate) fn new(ctx: &'a mut Context, names: Vec<String>, events: EventNames) -> Daemon<'a> {
        let now = Instant::now();
        Daemon {
            ctx,
            queue: EventQueue::with_names(events, 64),
            done: false,
            leave: false,
            slot: 0,
            stats: vec![Statistics::new(); names.len()],
            evaluators: vec![Evaluator::new(now); names.len()],
            names,
            notifier: Notifier::from_env(),
            reload: None,
            inbox: None,
            sources: Sources::default(),
            workers: Workers::default(),
            running: None,
        }
    }

    fn inbox(&mut self) -> &Arc<Inbox> {
        self.inbox.get_or_insert_with(Default::default)
    }

    /// A [`Sender`](super::Sender) other threads use to queue events into
    /// this daemon (every call shares one inbox).
    pub fn sender(&mut self) -> super::Sender {
        super::Sender::new(Arc::clone(self.inbox()))
    }

    /// Whether a [`Sender`](super::Sender) exists: the daemon then waits
    /// for what it sends when its queue runs empty.
    pub(crate) fn has_senders(&self) -> bool {
        self.inbox.as_ref().is_some_and(|inbox| inbox.has_senders())
    }

    /// Moves what other threads delivered into the queue.
    pub(crate) fn take_sent(&mut self) {
        let Some(inbox) = &self.inbox else {
            return;
        };
        for delivery in inbox.take() {
            match delivery {
                Delivery::Event(name, args) => self.queue.schedule(name, args),
                Delivery::JobDone(event, result) => {
                    self.workers.running = self.workers.running.saturating_sub(1);
                    match result {
                        Ok(args) => self.queue.schedule(event, args),
                        Err(why) => {
                            let name = self.queue.name(event).clone();
                            self.ctx.register_error(format!(
                                "the job for event '{name}' failed: {why}"
                            ));
                        }
                    }
                }
            }
        }
    }

    /// The id of event `name`, to schedule it without a lookup by name:
    /// worth it in a handler that schedules the same event very often.
    pub fn event_id(&mut self, name: impl IntoEvent) -> EventId {
        self.queue.id(name)
    }

    /// Schedules an event at the end of the queue of immediate events.
    ///
    /// A name is resolved to its id here, once; names the daemon has not
    /// seen before are kept for its lifetime, so build names from a small
    /// set (put what varies into the arguments).
    #[inline]
    pub fn schedule(&mut self, event: impl IntoEvent, args: Args) {
        self.queue.schedule(event, args);
    }

    /// Schedules an event with `value` as its arguments: any `Serialize`
    /// type, which a handler may take as its own type. A value that cannot
    /// be stored as JSON is an error of the daemon, and no event is queued.
    pub fn schedule_with<T: Serialize + ?Sized>(&mut self, event: impl IntoEvent, value: &T) {
        let id = self.queue.id(event);
        match serde_json::to_value(value) {
            Ok(args) => self.queue.schedule(id, Some(args)),
            Err(err) => {
                let name = self.queue.name(id).clone();
                self.ctx.register_error(format!(
                    "the arguments of event '{name}' cannot be stored as JSON: {err}"
                ));
            }
        }
    }

    /// Schedules an event at the front of the queue of immediate events.
    pub fn schedule_next(&mut self, event: impl IntoEvent, args: Args) {
        self.queue.schedule_next(event, args);
    }

    /// Schedules an event at an absolute wall-clock time.
    pub fn schedule_at(&mut self, when: SystemTime, event: impl IntoEvent, args: Args) {
        self.queue.schedule_at(when, event, args);
    }

    /// Schedules an event after a delay.
    pub fn schedule_after(&mut self, delay: Duration, event: impl IntoEvent, args: Args) {
        self.queue.schedule_after(delay, event, args);
    }

    /// Schedules an event after a delay in (fractional) seconds.
    pub fn schedule_after_secs(&mut self, secs: f64, event: impl IntoEvent, args: Args) {
        self.queue.schedule_after_secs(secs, event, args);
    }

    /// Queues `event` whenever `fd` is ready for `interest`, with a
    /// [`Ready`](super::Ready) as its arguments, until
    /// [`unwatch`](Self::unwatch). While the event waits in the queue the
    /// descriptor is not looked at again, so a handler that reads what is
    /// there gets one event per batch of data; one that leaves data unread
    /// gets the event again.
    ///
    /// The descriptor stays the caller's: keep it open while it is watched
    /// (a descriptor closed while watched is reported as an error and its
    /// watch removed).
    pub fn watch_fd(
        &mut self,
        fd: impl AsFd,
        interest: Interest,
        event: impl IntoEvent,
    ) -> WatchId {
        let id = self.queue.id(event);
        self.sources.watch_fd(fd.as_fd(), interest, id)
    }

    /// Queues `event` whenever the file at `path` changes, with a
    /// [`PathChange`](super::PathChange) as its arguments: a file created or
    /// moved there, written to, moved away or deleted. The watch follows
    /// the path, not the file: after a rotation it reports the new file
    /// (and writes to the one moved away, until the next rotation). The
    /// directory of `path` must exist; the file need not.
    pub fn watch_path(
        &mut self,
        path: impl AsRef<Path>,
        event: impl IntoEvent,
    ) -> crate::Result<WatchId> {
        let id = self.queue.id(event);
        self.sources.watch_path(path.as_ref(), id)
    }

    /// Removes a descriptor or path watch; false when there is no such
    /// watch (any more).
    pub fn unwatch(&mut self, watch: WatchId) -> bool {
        self.sources.unwatch(watch)
    }

    /// Runs `job` on the daemon's worker pool, off the loop, and queues
    /// `event` with what it returns as the arguments (any `Serialize`
    /// type; the handler may take it as that type). Signals, timers and
    /// other events keep being served meanwhile; at a graceful stop the
    /// daemon waits for its jobs, up to `stop_timeout`. The pool has at most
    /// `worker_threads` threads, started as jobs need them; further jobs
    /// wait their turn. A job that panics, or whose result cannot be stored
    /// as JSON, is an error of the daemon and queues nothing.
    pub fn spawn_job<F, R>(&mut self, event: impl IntoEvent, job: F)
    where
        F: FnOnce() -> R + Send + 'static,
        R: Serialize,
    {
        let id = self.queue.id(event);
        let size = self.ctx.daemon.as_ref().map_or(1, |s| s.worker_threads);
        let inbox = Arc::clone(self.inbox());
        let work = move || {
            serde_json::to_value(job())
                .map(Some)
                .map_err(|e| format!("its result cannot be stored as JSON: {e}"))
        };
        if let Err(why) = self.workers.submit(size, &inbox, id, work) {
            let name = self.queue.name(id).clone();
            self.ctx
                .register_error(format!("the job for event '{name}' cannot run: {why}"));
        }
    }

    /// How many jobs handed to [`spawn_job`](Self::spawn_job) have not
    /// delivered their result yet.
    pub fn jobs_running(&self) -> usize {
        self.workers.running
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
