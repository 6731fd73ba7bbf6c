//! The filer component: a daemon's input queue and output queue as events,
//! as Mentat's `FilerDaemonComponent` has them, woken by inotify instead of
//! polling.
//!
//! Add it to a daemon with one field, `#[zen(component)] filer: Filer`, and
//! handle `message_process`: its arguments are `{"id": …, "data": …}` (a
//! [`Process`]). A handler finishes each message by scheduling
//! `message_commit` (hand it to the next queue, or delete it),
//! `message_banish` (into `errors/`, with the reason), `message_cancel`,
//! `message_dispatch` or `message_duplicate` with its id; `message_update`
//! replaces its content first. Its `message_*` events and `queue_check` are
//! constants of [`Filer`] named as they are, so that the compiler checks
//! the name: `d.schedule_with(Filer::MESSAGE_COMMIT, &json!({"id": id}))`.
//!
//! | event | arguments | the filer does |
//! |---|---|---|
//! | `message_next` | | takes the next message and queues `message_process`, or waits for one |
//! | `message_process` | `{id, data}` | nothing: the daemon's own handlers process it |
//! | `message_update` | `{id, data}` | replaces the pending message's content (atomically); without `data` it is an error |
//! | `message_commit` | `{id}` | moves it into the output queue, or deletes it without one |
//! | `message_banish` | `{id, meta?}` | moves it into `errors/`, with `meta` as `<id>.meta` |
//! | `message_cancel` | `{id}` | deletes it |
//! | `message_dispatch` | `{id, queue_tgt, meta?}` | moves it into directory `queue_tgt` |
//! | `message_duplicate` | `{id, queue_tgt, meta?}` | copies it into directory `queue_tgt` |
//! | `message_enqueue` | `{data}` | adds a message to the input queue; the next handlers get its `id` |
//! | `handler_panicked` | `{event, handler, message}` | banishes the message whose `message_process` handler panicked, with the reason |
//! | `queue_check` | | every `queue_in_wait` s while the queue has work (`queue_out_wait` while paused): flushes, recovers abandoned messages, recounts the output queue, pauses or resumes |
//!
//! Statistics are Mentat's: `cnt_enqueued`, `cnt_fetched`, `cnt_updated`,
//! `cnt_banished`, `cnt_canceled`, `cnt_committed`, `cnt_dispatched`,
//! `cnt_duplicated`, `cnt_errors`; `cnt_paused` counts the pauses for a
//! full output queue, and a backend may add counters of its own.
//!
//! # Batches
//!
//! With `queue_batch` above 1 (64 by default) the queue is opened with
//! [`Options::group_commit`]: `message_update`, `message_commit` and
//! `message_enqueue` are staged, and the filer [flushes](DirQueue::flush)
//! them, two flushes to disk for the lot, once `queue_batch` operations are
//! staged, or, when no `message_next` is queued any more (the input queue
//! ran dry, the stage is paused or stopping), once the events queued then
//! have run. A lone message at a quiet moment therefore goes on as soon as
//! it is processed. Files added with [`Filer::flush_with`] are flushed
//! before each batch of commits takes effect.
//!
//! # Rescans
//!
//! `queue_check` comes every `queue_in_wait` seconds while the queue has
//! work: messages in `incoming/`, messages of other instances in
//! `pending/` (recovered once their instance is gone), or a full output
//! queue (every `queue_out_wait` seconds then). A quiet queue is not
//! rescanned until inotify tells of a new message: it costs no wake-ups.
//!
//! Between rescans the filer knows the output queue's length as the last
//! count plus its own commits since; when that passes `queue_out_limit`,
//! it counts the queue again and pauses only when the count is over the
//! limit too.
//!
//! # Several queues
//!
//! One daemon may have several filers, each of its own [`Channel`], whose
//! name prefixes the keys, options and events of the table above (not
//! `handler_panicked`); see [`Channel`].

use std::fs::File;
use std::marker::PhantomData;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use zenkit::cli::value_parser;
use zenkit::daemon::{Args, Component, Daemon, Flow, Handler};
use zenkit::prelude::{debug, error, info, warn};

use crate::backend::{self, DirBackend, Endpoint, QueueBackend, Spec};
use crate::channel::{prefixed, Events, FilerKeys};
use crate::{Channel, DirQueue, Main, Options};

/// The filer's configuration keys, Mentat's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, zenkit::schemars::JsonSchema)]
#[schemars(crate = "zenkit::schemars")]
#[serde(default)]
pub struct FilerConfig {
    /// The input queue: a path, or a bare name under `<var>/spool/`; the
    /// daemon's name when not set.
    pub queue_in_dir: Option<String>,
    /// The mode of the queue directories created when missing.
    pub queue_in_perms: u32,
    /// Seconds between rescans of the input queue (a safety net: inotify
    /// tells of every message as it arrives).
    pub queue_in_wait: f64,
    /// The output queue, as `queue_in_dir`; committed messages are deleted
    /// when not set.
    pub queue_out_dir: Option<String>,
    /// Pause while the output queue's `incoming/` holds more messages.
    pub queue_out_limit: u64,
    /// Seconds between looks at a full output queue.
    pub queue_out_wait: f64,
    /// Move the messages of instances that died back from `pending/` to
    /// `incoming/` (keep off while Python instances read the same queue).
    pub queue_in_recover: bool,
    /// The most message operations (updates, commits, enqueues) made
    /// durable by one flush to disk; 1 makes each durable on its own.
    #[schemars(range(min = 1))]
    pub queue_batch: u32,
}

impl Default for FilerConfig {
    /// Mentat's defaults.
    fn default() -> FilerConfig {
        FilerConfig {
            queue_in_dir: None,
            queue_in_perms: 0o775,
            queue_in_wait: 3.0,
            queue_out_dir: None,
            queue_out_limit: 5000,
            queue_out_wait: 10.0,
            queue_in_recover: true,
            queue_batch: 64,
        }
    }
}

/// The arguments of `message_process`: a message's id and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// The message's id (its file name).
    pub id: String,
    /// Its content.
    pub data: String,
}

/// The arguments that name a message, with what an event needs besides.
#[derive(Debug, Clone, Default, Deserialize)]
struct Target {
    id: String,
    #[serde(default)]
    data: Option<String>,
    #[serde(default)]
    meta: Option<Value>,
    #[serde(default)]
    queue_tgt: Option<String>,
}

/// Whether the filer takes messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Running,
    Paused,
}

/// A daemon's input (and output) queue; see the module documentation. A
/// daemon with several queues has one `Filer` per queue, each of another
/// [`Channel`] (the main one is [`Main`]).
#[derive(Debug)]
pub struct Filer<C: Channel = Main> {
    config: FilerConfig,
    queue: Option<Box<dyn QueueBackend>>,
    status: Status,
    /// No `message_next` is queued: the queue was empty at the last look.
    idle: bool,
    /// The message whose `message_process` runs, for a handler that panics.
    processing: Option<String>,
    /// A `filer_flush` is queued.
    flush_queued: bool,
    /// A `queue_check` is scheduled.
    check_armed: bool,
    /// The output queue's length at its last count.
    counted: usize,
    /// Files to flush before commits take effect, until the queue is open.
    outputs: Vec<(File, PathBuf)>,
    events: Events,
    channel: PhantomData<C>,
}

impl<C: Channel> Default for Filer<C> {
    fn default() -> Filer<C> {
        Filer {
            config: FilerConfig::default(),
            queue: None,
            status: Status::Running,
            idle: true,
            processing: None,
            flush_queued: false,
            check_armed: false,
            counted: 0,
            outputs: Vec::new(),
            events: Events::of::<C>(),
            channel: PhantomData,
        }
    }
}

impl<C: Channel> Filer<C> {
    /// The input queue, once set up, when it is a directory queue.
    pub fn queue(&mut self) -> Option<&mut DirQueue> {
        let backend = self.queue.as_mut()?.as_any_mut();
        backend.downcast_mut::<DirBackend>().map(DirBackend::queue)
    }

    /// The queues, once set up, whatever their backend.
    pub fn backend(&mut self) -> Option<&mut dyn QueueBackend> {
        Some(self.queue.as_mut()?.as_mut())
    }

    /// Adds `file` (named `path`) to the files flushed to disk before
    /// committed messages leave the queue (see [`DirQueue::flush_with`]):
    /// a last stage that writes what it makes of each message into `file`
    /// and commits the message then needs no flush of its own, and the
    /// filer flushes `file` once per batch.
    pub fn flush_with(&mut self, file: File, path: impl Into<PathBuf>) {
        match self.queue.as_mut() {
            Some(queue) => queue.flush_with(file, path.into()),
            None => self.outputs.push((file, path.into())),
        }
    }

    /// After an operation staged in the queue: a full batch is flushed now,
    /// unless the operation was an update (its commit follows, and goes in
    /// the same batch); when no `message_next` is queued (so none will see
    /// the input queue empty), a flush is queued behind the events queued
    /// now.
    fn staged(&mut self, d: &mut Daemon<'_>, update: bool) {
        let Some(queue) = self.queue.as_ref() else {
            return;
        };
        if !update && queue.unflushed() >= self.config.queue_batch as usize {
            self.flush(d);
        } else if self.idle && queue.unflushed() > 0 {
            self.queue_flush(d);
        }
    }

    /// Queues `filer_flush` unless it is queued.
    fn queue_flush(&mut self, d: &mut Daemon<'_>) {
        if !self.flush_queued {
            self.flush_queued = true;
            d.schedule(self.events.flush, None);
        }
    }

    /// Makes the operations staged in the queue take effect, durably.
    fn flush(&mut self, d: &mut Daemon<'_>) {
        let Some(queue) = self.queue.as_mut() else {
            return;
        };
        if let Err(err) = queue.flush() {
            error!("Component '{}': {err}", d.component());
            d.inc_statistic("cnt_errors", 1);
        }
    }

    /// Copies the backend's own counters and gauges into the daemon's
    /// statistics.
    fn copy_counters(&self, d: &mut Daemon<'_>) {
        if let Some(queue) = self.queue.as_ref() {
            for (name, n) in queue.counters() {
                *d.statistics().counter(name) = n;
            }
            for (name, n) in queue.gauges() {
                *d.statistics().group("gauges").counter(name) = n;
            }
        }
    }

    /// Schedules the next `queue_check` in `secs` seconds.
    fn arm_check(&mut self, d: &mut Daemon<'_>, secs: f64) {
        if !d.is_done() {
            self.check_armed = true;
            d.schedule_after_secs(secs, self.events.queue_check, None);
        }
    }

    /// Runs `op` on the queue for the message `args` name; an error is
    /// logged and counted, and ends the chain.
    fn on_message(
        &mut self,
        d: &mut Daemon<'_>,
        args: Args,
        verb: &str,
        counter: &str,
        op: impl FnOnce(&mut dyn QueueBackend, &Target) -> zenkit::Result<()>,
    ) -> Flow {
        let target: Target = match args.as_ref().map(Target::deserialize) {
            Some(Ok(target)) => target,
            other => {
                let why = match other {
                    Some(Err(err)) => err.to_string(),
                    _ => "no arguments".to_string(),
                };
                error!(
                    "Component '{}': Unable to {verb} a message: {why}",
                    d.component()
                );
                d.inc_statistic("cnt_errors", 1);
                return Flow::Stop;
            }
        };
        let Some(queue) = self.queue.as_mut() else {
            return Flow::Stop;
        };
        match op(queue.as_mut(), &target) {
            Ok(()) => {
                d.inc_statistic(counter, 1);
                self.staged(d, verb == "update");
                Flow::Continue(args)
            }
            Err(err) => {
                error!(
                    "Component '{}': Unable to {verb} message '{}': {err}",
                    d.component(),
                    target.id
                );
                d.inc_statistic("cnt_errors", 1);
                Flow::Stop
            }
        }
    }

    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        debug!(
            "Component '{}': Starting the filer component",
            d.component()
        );
        self.check_armed = true;
        d.schedule(self.events.queue_check, None);
        self.idle = false;
        d.schedule(self.events.message_next, None);
        Flow::Continue(args)
    }

    /// Pauses while the output queue is too full. The queue's estimate (its
    /// last count plus the messages committed since) errs high by what the
    /// next stage took meanwhile, so a running filer counts the queue again
    /// before it pauses; not when it counted fewer than a sixteenth of the
    /// limit's commits ago, so that a queue kept near the limit is not
    /// listed for every message.
    fn output_full(&mut self, d: &mut Daemon<'_>) -> bool {
        let limit = self.config.queue_out_limit;
        let Some(queue) = self.queue.as_mut() else {
            return false;
        };
        let Some(mut len) = queue.next_queue_len() else {
            return false;
        };
        if len as u64 <= limit || limit == 0 {
            return false;
        }
        if self.status == Status::Running && len.saturating_sub(self.counted) as u64 > limit / 16 {
            match queue.recount_next() {
                Ok(()) => {
                    len = queue.next_queue_len().unwrap_or(0);
                    self.counted = len;
                }
                Err(err) => {
                    error!("Component '{}': {err}", d.component());
                    d.inc_statistic("cnt_errors", 1);
                }
            }
            if len as u64 <= limit {
                return false;
            }
        }
        if self.status == Status::Running {
            info!(
                "Component '{}': Output queue limit '{limit}' reached, pausing the processing for '{}' second(s)",
                d.component(),
                self.config.queue_out_wait
            );
            self.status = Status::Paused;
            d.inc_statistic("cnt_paused", 1);
        }
        true
    }

    /// Flushes what is staged, recovers, recounts the output queue, and
    /// pauses or resumes. The check comes again while the queue has work
    /// (messages in `incoming/`, messages of other instances in
    /// `pending/`, a full output queue); a quiet queue is checked again
    /// only after inotify told of a new message, so that it costs no
    /// wake-ups.
    fn queue_check(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        debug!("Component '{}': Checking output queue size", d.component());
        self.check_armed = false;
        self.flush(d);
        self.copy_counters(d);
        let mut quiet = true;
        if let Some(queue) = self.queue.as_mut() {
            match queue.rescan() {
                Ok(rescan) => {
                    if rescan.recovered > 0 {
                        warn!(
                            "Component '{}': Recovered {} message(s) abandoned in {}",
                            d.component(),
                            rescan.recovered,
                            queue.input()
                        );
                    }
                    quiet = rescan.incoming == 0 && rescan.others_pending == 0;
                    self.counted = rescan.next_queue_len.unwrap_or(0);
                }
                Err(err) => {
                    error!("Component '{}': {err}", d.component());
                    d.inc_statistic("cnt_errors", 1);
                    quiet = false;
                }
            }
        }
        if self.output_full(d) {
            self.arm_check(d, self.config.queue_out_wait);
            return Flow::Continue(args);
        }
        if self.status == Status::Paused {
            info!(
                "Component '{}': Output queue free, resuming the processing",
                d.component()
            );
            self.status = Status::Running;
            self.wake(d);
        }
        if !quiet {
            // the safety rescan: a message inotify did not tell of
            self.wake(d);
            self.arm_check(d, self.config.queue_in_wait);
        }
        Flow::Continue(args)
    }

    /// `message_next` takes no more messages for now: the filer is idle,
    /// and what is staged is flushed once the events queued now ran.
    fn drained(&mut self, d: &mut Daemon<'_>) {
        self.idle = true;
        if self.queue.as_ref().is_some_and(|q| q.unflushed() > 0) {
            self.queue_flush(d);
        }
    }

    /// Queues `message_next` unless one is queued already.
    fn wake(&mut self, d: &mut Daemon<'_>) {
        if self.idle && self.status == Status::Running && !d.is_done() {
            self.idle = false;
            d.schedule(self.events.message_next, None);
        }
    }

    fn incoming(&mut self, d: &mut Daemon<'_>) -> Flow {
        if let Some(queue) = self.queue.as_mut() {
            queue.woken();
        }
        self.copy_counters(d);
        self.wake(d);
        if !self.check_armed {
            self.arm_check(d, self.config.queue_in_wait);
        }
        Flow::next()
    }

    fn message_next(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        if self.status == Status::Paused || self.output_full(d) {
            self.drained(d);
            return Flow::Stop;
        }
        let Some(queue) = self.queue.as_mut() else {
            return Flow::Stop;
        };
        let name = d.component().to_string();
        debug!("Component '{name}': Fetching a next message from queue");
        match queue.next() {
            Ok(Some(message)) => {
                d.inc_statistic("cnt_fetched", 1);
                let id = message.id().as_str().to_string();
                match message.text() {
                    _ if message.is_blank() => {
                        error!("Component '{name}': Fetched empty message '{id}'");
                        d.schedule_with(
                            self.events.message_banish,
                            &json!({"id": id, "meta": {"reason": "empty message"}}),
                        );
                    }
                    Some(text) => {
                        debug!("Component '{name}': Fetched message '{id}'");
                        let process = Process {
                            id,
                            data: text.to_string(),
                        };
                        d.schedule_with(self.events.message_process, &process);
                    }
                    None => {
                        error!("Component '{name}': Fetched message '{id}' that is not UTF-8 text");
                        d.schedule_with(
                            self.events.message_banish,
                            &json!({"id": id, "meta": {"reason": "not UTF-8 text"}}),
                        );
                    }
                }
                if d.is_done() {
                    self.drained(d);
                    info!(
                        "Component '{name}': Daemon is in shutdown process, will not fetch any new messages"
                    );
                } else {
                    d.schedule(self.events.message_next, None);
                }
            }
            Ok(None) => {
                self.drained(d);
                if d.is_done() {
                    info!(
                        "Component '{name}': Daemon is in shutdown process, will not fetch any new messages"
                    );
                }
            }
            Err(err) => {
                error!("Component '{name}': {err}");
                d.inc_statistic("cnt_errors", 1);
                self.drained(d);
            }
        }
        Flow::Continue(args)
    }
}

impl<C: Channel> Component for Filer<C> {
    type Config = FilerKeys<C>;

    /// The schema of [`FilerConfig`], its keys under the channel's prefix.
    fn config_schema(
        generator: &mut zenkit::schema::SchemaGenerator,
    ) -> Option<zenkit::schema::Schema> {
        use zenkit::schemars::JsonSchema;
        let mut schema = FilerConfig::json_schema(generator);
        if let Some(Value::Object(properties)) = schema.get_mut("properties") {
            let keys = std::mem::take(properties);
            properties.extend(
                keys.into_iter()
                    .map(|(key, value)| (prefixed::<C>(&key), value)),
            );
        }
        Some(schema)
    }

    fn options() -> Vec<zenkit::clap::Arg> {
        use zenkit::clap::Arg;
        let option = |key: &str, value_name: &'static str, help: &'static str| {
            let key = prefixed::<C>(key);
            Arg::new(key.clone())
                .long(key.replace('_', "-"))
                .value_name(value_name)
                .help(help)
        };
        vec![
            option(
                "queue_in_dir",
                "DIR",
                "Name of the input queue directory (a bare name is under <var>/spool/)",
            )
            .value_parser(value_parser::<String>()),
            option(
                "queue_in_wait",
                "SECONDS",
                "Seconds between rescans of the input queue",
            )
            .value_parser(value_parser::<f64>()),
            option(
                "queue_out_dir",
                "DIR",
                "Name of the output queue directory",
            )
            .value_parser(value_parser::<String>()),
            option(
                "queue_out_limit",
                "N",
                "Pause while the output queue holds more than N messages",
            )
            .value_parser(value_parser::<u64>()),
            option(
                "queue_out_wait",
                "SECONDS",
                "Seconds between looks at a full output queue",
            )
            .value_parser(value_parser::<f64>()),
            option(
                "queue_batch",
                "N",
                "Make up to N message operations durable with one flush to disk (1: each on its own)",
            )
            .value_parser(value_parser::<u32>()),
        ]
    }

    fn check(&self, keys: &FilerKeys<C>) -> zenkit::Result<()> {
        let config = &keys.config;
        let key = prefixed::<C>;
        if self.queue.is_some() {
            // messages held in pending/ belong to the queues open now
            for (name, now, new) in [
                (
                    "queue_in_dir",
                    &self.config.queue_in_dir,
                    &config.queue_in_dir,
                ),
                (
                    "queue_out_dir",
                    &self.config.queue_out_dir,
                    &config.queue_out_dir,
                ),
            ] {
                if now != new {
                    return Err(zenkit::Error::config(format!(
                        "{}: the queues change at a restart, not at a reload",
                        key(name)
                    )));
                }
            }
        }
        if config.queue_batch == 0 {
            return Err(zenkit::Error::config(format!(
                "{}: expected at least 1 message operation per flush, not 0",
                key("queue_batch")
            )));
        }
        for (name, secs) in [
            ("queue_in_wait", config.queue_in_wait),
            ("queue_out_wait", config.queue_out_wait),
        ] {
            if !(secs.is_finite() && secs > 0.0) {
                return Err(zenkit::Error::config(format!(
                    "{}: expected a positive number of seconds, not {secs}",
                    key(name)
                )));
            }
        }
        Ok(())
    }

    fn configure(&mut self, keys: FilerKeys<C>) -> zenkit::Result<()> {
        let config = keys.config;
        if let Some(queue) = self.queue.as_mut() {
            queue.set_group_commit(config.queue_batch > 1)?;
        }
        self.config = config;
        Ok(())
    }

    fn handlers() -> Vec<Handler<Self>> {
        let events = Events::of::<C>();
        fn handler<C: Channel>(
            event: &'static str,
            name: &'static str,
            call: fn(&mut Filer<C>, &mut Daemon<'_>, Args) -> Flow,
        ) -> Handler<Filer<C>> {
            Handler {
                event,
                first: false,
                name,
                call,
            }
        }
        vec![
            handler(Daemon::START.name(), "start", Filer::<C>::start),
            // the final runlog holds the backend's counters as they end
            handler(Daemon::STOP.name(), "stop", |f, d, args| {
                f.copy_counters(d);
                Flow::Continue(args)
            }),
            handler(events.queue_check, "queue_check", Filer::<C>::queue_check),
            handler(events.incoming, "incoming", |f, d, _args| f.incoming(d)),
            handler(
                events.message_next,
                "message_next",
                Filer::<C>::message_next,
            ),
            handler(events.flush, "flush", |f, d, args| {
                f.flush_queued = false;
                f.flush(d);
                Flow::Continue(args)
            }),
            Handler {
                event: events.message_process,
                first: true,
                name: "processing",
                call: |f, _d, args| {
                    f.processing = args
                        .as_ref()
                        .and_then(|a| a.get("id"))
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    Flow::Continue(args)
                },
            },
            handler(
                Daemon::HANDLER_PANICKED.name(),
                "handler_panicked",
                Filer::<C>::panicked,
            ),
            handler(events.message_update, "message_update", |f, d, args| {
                f.on_message(d, args, "update", "cnt_updated", |q, t| match &t.data {
                    Some(data) => q.update(&t.id, data.as_bytes()),
                    None => Err(zenkit::Error::msg(
                        "no \"data\" to replace it with in the event's arguments",
                    )),
                })
            }),
            handler(events.message_commit, "message_commit", |f, d, args| {
                f.on_message(d, args, "commit", "cnt_committed", |q, t| q.commit(&t.id))
            }),
            handler(events.message_banish, "message_banish", |f, d, args| {
                f.on_message(d, args, "banish", "cnt_banished", |q, t| {
                    q.banish(&t.id, t.meta.as_ref())
                })
            }),
            handler(events.message_cancel, "message_cancel", |f, d, args| {
                f.on_message(d, args, "cancel", "cnt_canceled", |q, t| q.cancel(&t.id))
            }),
            handler(events.message_dispatch, "message_dispatch", |f, d, args| {
                f.on_message(d, args, "dispatch", "cnt_dispatched", |q, t| {
                    q.dispatch(&t.id, t.queue_tgt.as_deref().unwrap_or(""), t.meta.as_ref())
                })
            }),
            handler(
                events.message_duplicate,
                "message_duplicate",
                |f, d, args| {
                    f.on_message(d, args, "duplicate", "cnt_duplicated", |q, t| {
                        q.duplicate(&t.id, t.queue_tgt.as_deref().unwrap_or(""), t.meta.as_ref())
                    })
                },
            ),
            handler(
                events.message_enqueue,
                "message_enqueue",
                Filer::<C>::message_enqueue,
            ),
        ]
    }

    /// Opens the queues (creating missing directories), recovers what
    /// instances that died left, and watches the input queue.
    fn setup(&mut self, d: &mut Daemon<'_>) -> zenkit::Result<()> {
        let var = d.paths().var.clone();
        let in_dir = self
            .config
            .queue_in_dir
            .clone()
            .unwrap_or_else(|| match C::NAME {
                "" => d.name().to_string(),
                channel => format!("{}-{channel}", d.name()),
            });
        let input = Endpoint::parse(&var, &in_dir);
        let output = self
            .config
            .queue_out_dir
            .as_deref()
            .map(|dir| Endpoint::parse(&var, dir));
        let options = Options {
            perms: Some(self.config.queue_in_perms),
            recover: self.config.queue_in_recover,
            group_commit: self.config.queue_batch > 1,
            ..Options::default()
        };
        let (input_key, output_key) = (
            prefixed::<C>("queue_in_dir"),
            prefixed::<C>("queue_out_dir"),
        );
        let spec = Spec {
            input_key: &input_key,
            input: &input,
            output_key: &output_key,
            output: output.as_ref(),
            options: &options,
            producer: false,
        };
        let mut queue = backend::open(d, &spec)?;
        for (file, path) in self.outputs.drain(..) {
            queue.flush_with(file, path);
        }
        queue.watch(d, self.events.incoming)?;
        let name = d.component().to_string();
        info!(
            "[STATUS] Component '{name}': Using {} as input message queue",
            queue.input()
        );
        info!(
            "[STATUS] Component '{name}': Using '{}' as wait time for empty input message queue",
            self.config.queue_in_wait
        );
        if let Some(next) = queue.output() {
            info!("[STATUS] Component '{name}': Using {next} as output message queue");
            info!(
                "[STATUS] Component '{name}': Using '{}' as output message queue limit",
                self.config.queue_out_limit
            );
            info!(
                "[STATUS] Component '{name}': Using '{}' as wait time for full output message queue",
                self.config.queue_out_wait
            );
        }
        self.queue = Some(queue);
        Ok(())
    }

    /// Hands the new configuration's keys to the queues.
    fn reload(&mut self, d: &mut Daemon<'_>) -> zenkit::Result<()> {
        match self.queue.as_mut() {
            Some(queue) => queue.reload(d),
            None => Ok(()),
        }
    }

    fn state(&self) -> Value {
        let stats = self.queue.as_ref().map(|q| {
            Value::Object(
                q.stats()
                    .into_iter()
                    .map(|(name, n)| (name.to_string(), Value::from(n)))
                    .collect(),
            )
        });
        json!({
            "queue_in": self.queue.as_ref().map(|q| q.input()),
            "queue_out": self.queue.as_ref().and_then(|q| q.output()),
            "paused": self.status == Status::Paused,
            "stats": stats,
        })
    }
}

impl<C: Channel> Filer<C> {
    /// A handler of `message_process` panicked: the message is banished
    /// with the reason, and the stage goes on.
    fn panicked(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let about = |key: &str| {
            args.as_ref()
                .and_then(|a| a.get(key))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        if about("event") != self.events.message_process {
            return Flow::Continue(args);
        }
        let Some(id) = self.processing.take() else {
            return Flow::Continue(args);
        };
        let reason = format!(
            "handler '{}' panicked: {}",
            about("handler"),
            about("message")
        );
        error!(
            "Component '{}': Message '{id}' is banished: {reason}",
            d.component()
        );
        d.schedule_next(
            self.events.message_banish,
            Some(json!({"id": id, "meta": {"reason": reason}})),
        );
        Flow::Continue(args)
    }

    fn message_enqueue(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        let data = args
            .as_ref()
            .and_then(|a| a.get("data"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let Some(queue) = self.queue.as_mut() else {
            return Flow::Stop;
        };
        match queue.enqueue(data.as_bytes()) {
            Ok(id) => {
                info!(
                    "Component '{}': Added new message into the queue as '{}'",
                    d.component(),
                    id.as_str()
                );
                d.inc_statistic("cnt_enqueued", 1);
                self.staged(d, false);
                let mut args = args.unwrap_or_else(|| json!({}));
                args["id"] = json!(id.as_str());
                Flow::with(args)
            }
            Err(err) => {
                error!(
                    "Component '{}': Unable to add new message into the queue: {err}",
                    d.component()
                );
                d.inc_statistic("cnt_errors", 1);
                Flow::Stop
            }
        }
    }
}
