//! The NATS client beside the daemon's loop: a thread with a tokio runtime
//! of its own keeps the connection, takes the consumer's messages into a
//! list the loop reads, and publishes and acknowledges what the loop asks.
//! The loop waits on the network only where it flushes.
//!
//! The thread is started by the filer's setup, after the daemon detached
//! and dropped its privileges: no thread crosses a `fork`.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use async_nats::jetstream::context::traits::TimeoutProvider;
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::{self, consumer, stream, AckKind};
use async_nats::{ConnectOptions, Event, HeaderMap, ServerAddr};
use futures_util::StreamExt;
use zenkit::daemon::Sender;
use zenkit::prelude::{debug, info, warn};

use crate::settings::Settings;

/// A stream the stage needs, created when missing.
#[derive(Debug, Clone)]
pub(crate) struct StreamPlan {
    pub(crate) name: String,
    pub(crate) subject: String,
    /// A queue (each message kept until it is acknowledged), or a stream
    /// of banished messages (kept).
    pub(crate) work_queue: bool,
}

/// The stage's durable consumer of its input stream.
#[derive(Debug, Clone)]
pub(crate) struct InputPlan {
    pub(crate) stream: String,
    pub(crate) subject: String,
    pub(crate) consumer: String,
    pub(crate) errors_subject: String,
}

/// What the client connects to and sets up.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) servers: Vec<ServerAddr>,
    pub(crate) servers_text: String,
    pub(crate) creds: Option<PathBuf>,
    /// The daemon's name, as the connection's name.
    pub(crate) name: String,
    /// The component's name, for the log.
    pub(crate) component: String,
    pub(crate) streams: Vec<StreamPlan>,
    pub(crate) input: Option<InputPlan>,
    pub(crate) settings: Settings,
}

/// A message taken from the consumer, for the loop.
#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) key: u64,
    pub(crate) id: String,
    pub(crate) data: Vec<u8>,
}

/// A message to publish.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    pub(crate) subject: String,
    /// Its `Nats-Msg-Id`, by which the stream drops a copy published again.
    pub(crate) id: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) data: Vec<u8>,
}

/// What becomes of a taken message once the publish before it succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    /// Done with: removed from its queue.
    Ack,
    /// Never to be delivered again (banished).
    Term,
}

#[derive(Debug)]
enum Command {
    Op {
        ticket: u64,
        publish: Option<Outbound>,
        input: Option<(u64, Finish)>,
    },
    /// Give a taken message back, to be delivered again now.
    Nak(u64),
    Count {
        ticket: u64,
        stream: String,
    },
    Stop,
}

/// The outcome of a command the loop waits for.
#[derive(Debug)]
pub(crate) enum Answer {
    /// An operation: whether the stream had the published message already.
    Done(std::result::Result<bool, String>),
    /// The messages in a stream.
    Count(std::result::Result<u64, String>),
}

/// Tries to set up a stream, which a cluster refuses while it elects the
/// stream's leader.
const SETUP_ATTEMPTS: u32 = 5;

/// What the set-up of the streams may take beyond the connection.
const SETUP_ROOM: Duration = Duration::from_secs(30);

/// What the headers of a published message may take of `max_payload`.
const HEADERS_ROOM: usize = 4096;

/// What the thread and the loop share.
#[derive(Debug, Default)]
struct Shared {
    deliveries: Mutex<VecDeque<Delivery>>,
    /// The deliveries of a message (by id) that this client gave back
    /// because the servers could not take its publish for now (a stream
    /// without a leader, a lost connection): not the message's fault, so
    /// not counted against `nats_max_deliver`.
    excused: Mutex<HashMap<String, i64>>,
    wake: Mutex<Option<(Sender, &'static str)>>,
    counters: Counters,
    /// The largest message the servers take, as they said at connection.
    max_payload: AtomicUsize,
}

impl Shared {
    /// Queues the filer's wake-up event in the daemon, if it asked for one:
    /// the filer takes the waiting messages and copies the counters.
    fn wake(&self) {
        if let Some((sender, event)) = lock(&self.wake).as_ref() {
            sender.send(*event, None);
        }
    }
}

/// The client's counters, for the daemon's statistics.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connected: AtomicBool,
    pub(crate) disconnects: AtomicU64,
    pub(crate) redelivered: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) poison: AtomicU64,
}

/// The client thread, as the loop sees it.
#[derive(Debug)]
pub(crate) struct Client {
    commands: tokio::sync::mpsc::UnboundedSender<Command>,
    answers: mpsc::Receiver<(u64, Answer)>,
    early: HashMap<u64, Answer>,
    shared: Arc<Shared>,
    next_ticket: u64,
    thread: Option<JoinHandle<()>>,
    /// How long the loop waits for one answer.
    timeout: Duration,
}

impl Client {
    /// Starts the thread, connects and sets up the streams and the
    /// consumer; fails with what went wrong when the servers cannot be
    /// reached in `nats_connect_timeout` or refuse.
    pub(crate) fn start(
        plan: Plan,
        wake: Option<(Sender, &'static str)>,
    ) -> zenkit::Result<Client> {
        let shared = Arc::new(Shared::default());
        *lock(&shared.wake) = wake;
        let (commands, receiver) = tokio::sync::mpsc::unbounded_channel();
        let (answer, answers) = mpsc::channel();
        let (ready, started) = mpsc::channel();
        let timeout = plan.settings.connect_timeout() + Duration::from_secs(5);
        let thread_shared = Arc::clone(&shared);
        let dispatch = tracing::Dispatch::new(crate::log::WithoutClientLog(
            tracing::dispatcher::get_default(Clone::clone),
        ));
        let thread = std::thread::Builder::new()
            .name("nats".into())
            .spawn(move || {
                let _log = tracing::dispatcher::set_default(&dispatch);
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready.send(Err(format!("cannot start the NATS client: {e}")));
                        return;
                    }
                };
                runtime.block_on(run(plan, thread_shared, receiver, answer, ready));
            })
            .map_err(|e| zenkit::Error::setup(format!("cannot start the NATS client: {e}")))?;
        let client = Client {
            commands,
            answers,
            early: HashMap::new(),
            shared,
            next_ticket: 0,
            thread: Some(thread),
            timeout,
        };
        // a cluster electing the leaders of streams several stages create
        // at once answers late
        match started.recv_timeout(timeout + SETUP_ROOM) {
            Ok(Ok(())) => Ok(client),
            Ok(Err(why)) => Err(zenkit::Error::setup(why)),
            Err(_) => Err(zenkit::Error::setup(
                "the NATS client did not start in time".to_string(),
            )),
        }
    }

    /// Queues `event` in the daemon whenever messages arrive while none
    /// are waiting (now, when some are).
    pub(crate) fn wake_with(&self, wake: (Sender, &'static str)) {
        if self.waiting() > 0 {
            wake.0.send(wake.1, None);
        }
        *lock(&self.shared.wake) = Some(wake);
    }

    /// The next message taken from the consumer, if one is waiting.
    pub(crate) fn take(&self) -> Option<Delivery> {
        lock(&self.shared.deliveries).pop_front()
    }

    /// The messages taken from the consumer and not handed to the loop.
    pub(crate) fn waiting(&self) -> usize {
        lock(&self.shared.deliveries).len()
    }

    /// The largest content a message published may have: the servers'
    /// `max_payload`, less room for the headers.
    pub(crate) fn max_content(&self) -> usize {
        self.shared
            .max_payload
            .load(Ordering::Relaxed)
            .saturating_sub(HEADERS_ROOM)
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    /// Publishes `publish` (if any), then finishes taken message `input`
    /// (if any); [`wait`](Client::wait) for the returned ticket.
    pub(crate) fn submit(
        &mut self,
        publish: Option<Outbound>,
        input: Option<(u64, Finish)>,
    ) -> u64 {
        let ticket = self.ticket();
        self.send(Command::Op {
            ticket,
            publish,
            input,
        });
        ticket
    }

    /// Gives taken message `key` back, to be delivered again at once.
    pub(crate) fn nak(&mut self, key: u64) {
        self.send(Command::Nak(key));
    }

    /// The number of messages in `stream` now.
    pub(crate) fn count(&mut self, stream: &str) -> zenkit::Result<u64> {
        let ticket = self.ticket();
        self.send(Command::Count {
            ticket,
            stream: stream.to_string(),
        });
        match self.wait(ticket)? {
            Answer::Count(count) => count.map_err(zenkit::Error::msg),
            Answer::Done(_) => Err(zenkit::Error::msg("the NATS client answered out of turn")),
        }
    }

    /// The answer for `ticket` if it came, without waiting.
    pub(crate) fn answered(&mut self, ticket: u64) -> Option<Answer> {
        if let Some(answer) = self.early.remove(&ticket) {
            return Some(answer);
        }
        while let Ok((got, answer)) = self.answers.try_recv() {
            if got == ticket {
                return Some(answer);
            }
            self.early.insert(got, answer);
        }
        None
    }

    /// The answer for `ticket`, waiting for it.
    pub(crate) fn wait(&mut self, ticket: u64) -> zenkit::Result<Answer> {
        if let Some(answer) = self.early.remove(&ticket) {
            return Ok(answer);
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.answers.recv_timeout(left) {
                Ok((got, answer)) if got == ticket => return Ok(answer),
                Ok((got, answer)) => {
                    self.early.insert(got, answer);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(zenkit::Error::msg(format!(
                        "no answer from the NATS servers in {} s",
                        self.timeout.as_secs()
                    )))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(zenkit::Error::msg("the NATS client has stopped"))
                }
            }
        }
    }

    fn ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }

    fn send(&self, command: Command) {
        // a stopped thread answers nothing, which `wait` reports
        let _ = self.commands.send(command);
    }
}

impl Drop for Client {
    /// Gives back the messages taken and not finished, lets the operations
    /// under way end, and closes the connection.
    fn drop(&mut self) {
        *lock(&self.shared.wake) = None;
        self.send(Command::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The thread's work: connect, set up, then serve commands and deliveries
/// until told to stop.
async fn run(
    plan: Plan,
    shared: Arc<Shared>,
    mut commands: tokio::sync::mpsc::UnboundedReceiver<Command>,
    answers: mpsc::Sender<(u64, Answer)>,
    ready: mpsc::Sender<std::result::Result<(), String>>,
) {
    let (js, mut messages) = match connect(&plan, &shared).await {
        Ok(connected) => connected,
        Err(why) => {
            let _ = ready.send(Err(why));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let settings = &plan.settings;
    let mut held = Held::default();
    let mut next_key = 0u64;
    let mut tasks = tokio::task::JoinSet::new();
    let mut progress = tokio::time::interval(settings.ack_wait() / 2);
    progress.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut retry = tokio::time::interval(Duration::from_secs(1));
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                None | Some(Command::Stop) => break,
                Some(Command::Op { ticket, publish, input }) => {
                    let message = input.map(|(key, finish)| (held.take(key), finish));
                    let js = js.clone();
                    let answers = answers.clone();
                    let shared = Arc::clone(&shared);
                    tasks.spawn(async move {
                        let outcome = operate(&js, &shared, publish, message).await;
                        if outcome == Ok(true) {
                            shared.counters.duplicates.fetch_add(1, Ordering::Relaxed);
                        }
                        let _ = answers.send((ticket, Answer::Done(outcome)));
                    });
                }
                Some(Command::Nak(key)) => {
                    if let Some((_, message)) = held.take(key) {
                        tasks.spawn(async move {
                            let _ = message.ack_with(AckKind::Nak(None)).await;
                        });
                    }
                }
                Some(Command::Count { ticket, stream }) => {
                    let js = js.clone();
                    let answers = answers.clone();
                    tasks.spawn(async move {
                        let count = match js.get_stream(&stream).await {
                            Ok(mut stream) => stream
                                .info()
                                .await
                                .map(|info| info.state.messages)
                                .map_err(|e| format!("cannot read stream '{}': {e}", stream.cached_info().config.name)),
                            Err(e) => Err(format!("cannot find stream '{stream}': {e}")),
                        };
                        let _ = answers.send((ticket, Answer::Count(count)));
                    });
                }
            },
            delivered = next_message(&mut messages) => match delivered {
                Some(Ok(message)) => {
                    let Some(input) = plan.input.as_ref() else { continue };
                    let Ok(info) = message.info() else { continue };
                    let (sequence, delivered) = (info.stream_sequence, info.delivered);
                    let id = message
                        .headers
                        .as_ref()
                        // the standard name: a `&str` key names a custom
                        // header, which the parsed headers never hold
                        .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
                        .map(|id| id.as_str().to_string())
                        .unwrap_or_else(|| format!("{}.{sequence}", input.stream));
                    if delivered > 1 {
                        shared.counters.redelivered.fetch_add(1, Ordering::Relaxed);
                    }
                    let Some(message) = held.redelivered(&id, message) else {
                        // delivered again while this instance still has it:
                        // the new delivery is the one to acknowledge
                        continue;
                    };
                    let excused = lock(&shared.excused).get(&id).copied().unwrap_or(0);
                    if delivered - excused > i64::from(settings.nats_max_deliver) {
                        shared.counters.poison.fetch_add(1, Ordering::Relaxed);
                        // the filer copies the counters when woken
                        shared.wake();
                        warn!(
                            "Component '{}': Message '{id}' was delivered {delivered} times without a commit, banishing it",
                            plan.component
                        );
                        let reason = format!(
                            "delivered {delivered} times without a commit (nats_max_deliver is {})",
                            settings.nats_max_deliver
                        );
                        let publish = banished(
                            input,
                            &id,
                            message.payload.to_vec(),
                            &serde_json::json!({"reason": reason}),
                            delivered,
                        );
                        let js = js.clone();
                        let shared = Arc::clone(&shared);
                        tasks.spawn(async move {
                            let _ = operate(&js, &shared, Some(publish), Some((Some((id, message)), Finish::Term))).await;
                        });
                        continue;
                    }
                    next_key += 1;
                    let delivery = Delivery {
                        key: next_key,
                        id: id.clone(),
                        data: message.payload.to_vec(),
                    };
                    held.insert(next_key, id, message);
                    let first = {
                        let mut deliveries = lock(&shared.deliveries);
                        deliveries.push_back(delivery);
                        deliveries.len() == 1
                    };
                    if first {
                        shared.wake();
                    }
                }
                Some(Err(e)) => {
                    debug!("Component '{}': NATS consumer: {e}", plan.component);
                }
                None => {
                    // the consumer's stream ended (deleted, or the server
                    // refused the pull): taken up again below
                    debug!("Component '{}': NATS consumer ended", plan.component);
                    messages = None;
                }
            },
            _ = retry.tick(), if messages.is_none() && plan.input.is_some() => {
                if let Some(input) = &plan.input {
                    match consume(&js, input, settings).await {
                        Ok(taken_up) => messages = Some(taken_up),
                        Err(why) => debug!("Component '{}': {why}", plan.component),
                    }
                }
            }
            _ = progress.tick() => {
                let progress = async {
                    for message in held.messages() {
                        let _ = message.ack_with(AckKind::Progress).await;
                    }
                };
                // without a connection, the messages come back after their
                // ack wait whatever this does
                let _ = tokio::time::timeout(Duration::from_secs(1), progress).await;
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    // stopping: what is under way ends, what was not finished goes back
    let deadline = tokio::time::sleep(settings.connect_timeout());
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            done = tasks.join_next() => if done.is_none() { break },
            _ = &mut deadline => break,
        }
    }
    // without a connection the server gives them to another instance
    // after their ack wait: a stopping stage does not wait for one
    let give_back = async {
        for message in held.messages() {
            let _ = message.ack_with(AckKind::Nak(None)).await;
        }
        let _ = js.client().flush().await;
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), give_back).await;
}

/// The messages taken from the consumer and not finished, by the key the
/// loop knows them by and by id.
#[derive(Default)]
struct Held {
    by_key: HashMap<u64, (String, jetstream::Message)>,
    by_id: HashMap<String, u64>,
}

impl Held {
    fn insert(&mut self, key: u64, id: String, message: jetstream::Message) {
        self.by_id.insert(id.clone(), key);
        self.by_key.insert(key, (id, message));
    }

    /// The message of `key` and its id, no longer held.
    fn take(&mut self, key: u64) -> Option<(String, jetstream::Message)> {
        let (id, message) = self.by_key.remove(&key)?;
        self.by_id.remove(&id);
        Some((id, message))
    }

    /// Keeps `message` in place of the delivery of `id` held already;
    /// gives it back when none is.
    fn redelivered(&mut self, id: &str, message: jetstream::Message) -> Option<jetstream::Message> {
        match self.by_id.get(id).and_then(|key| self.by_key.get_mut(key)) {
            Some((_, held)) => {
                *held = message;
                None
            }
            None => Some(message),
        }
    }

    fn messages(&self) -> impl Iterator<Item = &jetstream::Message> {
        self.by_key.values().map(|(_, message)| message)
    }
}

/// Connects, sets up the streams and the consumer.
async fn connect(
    plan: &Plan,
    shared: &Arc<Shared>,
) -> std::result::Result<(jetstream::Context, Option<consumer::pull::Stream>), String> {
    let shared_events = Arc::clone(shared);
    let component = plan.component.clone();
    let servers = plan.servers_text.clone();
    let mut options = ConnectOptions::new()
        .name(&plan.name)
        .connection_timeout(plan.settings.connect_timeout())
        .event_callback(move |event| {
            let shared = Arc::clone(&shared_events);
            let component = component.clone();
            let servers = servers.clone();
            async move {
                let counters = &shared.counters;
                match event {
                    Event::Disconnected => {
                        counters.connected.store(false, Ordering::Relaxed);
                        counters.disconnects.fetch_add(1, Ordering::Relaxed);
                        warn!(
                            "Component '{component}': Lost the connection to the NATS servers ({servers}), reconnecting"
                        );
                    }
                    Event::Connected => {
                        let was = counters.connected.swap(true, Ordering::Relaxed);
                        if !was && counters.disconnects.load(Ordering::Relaxed) > 0 {
                            info!("Component '{component}': Reconnected to the NATS servers");
                        }
                    }
                    Event::LameDuckMode => {
                        info!("Component '{component}': A NATS server is going down, moving to another");
                    }
                    other => debug!("Component '{component}': NATS: {other}"),
                }
                // the filer copies the connection's state into the statistics
                shared.wake();
            }
        });
    if let Some(creds) = &plan.creds {
        options = options
            .credentials_file(creds)
            .await
            .map_err(|e| format!("cannot read the NATS credentials {}: {e}", creds.display()))?;
    }
    let connecting = options.connect(plan.servers.clone());
    let client = match tokio::time::timeout(plan.settings.connect_timeout(), connecting).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => {
            return Err(format!(
                "cannot connect to the NATS servers {}: {e}; check nats_servers",
                plan.servers_text
            ))
        }
        Err(_) => {
            return Err(format!(
                "cannot connect to the NATS servers {} in {} s; check nats_servers",
                plan.servers_text, plan.settings.nats_connect_timeout
            ))
        }
    };
    shared.counters.connected.store(true, Ordering::Relaxed);
    shared
        .max_payload
        .store(client.server_info().max_payload, Ordering::Relaxed);
    let js = jetstream::new(client);
    for wanted in &plan.streams {
        let config = stream::Config {
            name: wanted.name.clone(),
            subjects: vec![wanted.subject.clone()],
            retention: if wanted.work_queue {
                stream::RetentionPolicy::WorkQueue
            } else {
                stream::RetentionPolicy::Limits
            },
            storage: stream::StorageType::File,
            num_replicas: plan.settings.nats_replicas as usize,
            duplicate_window: plan.settings.duplicate_window(),
            ..Default::default()
        };
        let mut attempts = 0;
        while let Err(e) = js.get_or_create_stream(config.clone()).await {
            attempts += 1;
            if attempts == SETUP_ATTEMPTS {
                return Err(format!(
                    "cannot set up the JetStream stream '{}': {e}",
                    wanted.name
                ));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    let messages = match &plan.input {
        Some(input) => Some(consume(&js, input, &plan.settings).await?),
        None => None,
    };
    Ok((js, messages))
}

/// The messages of the stage's durable consumer, created when missing.
async fn consume(
    js: &jetstream::Context,
    input: &InputPlan,
    settings: &Settings,
) -> std::result::Result<consumer::pull::Stream, String> {
    let why = |e: &dyn std::fmt::Display| {
        format!(
            "cannot set up the JetStream consumer '{}' of stream '{}': {e}",
            input.consumer, input.stream
        )
    };
    let stream = js.get_stream(&input.stream).await.map_err(|e| why(&e))?;
    let config = consumer::pull::Config {
        durable_name: Some(input.consumer.clone()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: settings.ack_wait(),
        max_ack_pending: i64::from(settings.nats_max_ack_pending),
        // redeliveries are counted by the client, which banishes a message
        // past nats_max_deliver: the server would keep it in the stream
        max_deliver: -1,
        filter_subject: input.subject.clone(),
        ..Default::default()
    };
    let mut consumer: consumer::PullConsumer = stream
        .get_or_create_consumer(&input.consumer, config.clone())
        .await
        .map_err(|e| why(&e))?;
    let known = &consumer.cached_info().config;
    if known.ack_wait != config.ack_wait || known.max_ack_pending != config.max_ack_pending {
        // a consumer made with other keys takes the new ones
        consumer = stream.create_consumer(config).await.map_err(|e| why(&e))?;
    }
    consumer
        .stream()
        .max_messages_per_batch(settings.nats_max_ack_pending as usize)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await
        .map_err(|e| why(&e))
}

async fn next_message(
    messages: &mut Option<consumer::pull::Stream>,
) -> Option<std::result::Result<jetstream::Message, consumer::pull::MessagesError>> {
    match messages {
        Some(messages) => messages.next().await,
        None => std::future::pending().await,
    }
}

/// How long a message whose publish the servers could not take for now
/// waits before it is delivered again.
const RETRY_DELAY: Duration = Duration::from_secs(1);

/// Publishes, waits for the stream's acknowledgement, then finishes the
/// taken message, held by its id (waiting for the server to confirm an
/// `Ack`). Whether the stream had the message already.
///
/// The publishes the servers could not take for now are excused from the
/// message's deliveries until it is finished.
async fn operate(
    js: &jetstream::Context,
    shared: &Shared,
    publish: Option<Outbound>,
    message: Option<(Option<(String, jetstream::Message)>, Finish)>,
) -> std::result::Result<bool, String> {
    let message = match message {
        Some((None, _)) => {
            return Err("the message is no longer held (delivered to another instance)".to_string())
        }
        Some((Some(message), finish)) => Some((message, finish)),
        None => None,
    };
    let mut duplicate = false;
    if let Some(publish) = publish {
        let mut headers = HeaderMap::new();
        for (name, value) in &publish.headers {
            headers.insert(*name, value.as_str());
        }
        let subject = publish.subject.clone();
        let sent = js
            .send_publish(
                publish.subject,
                jetstream::message::PublishMessage::build()
                    .payload(publish.data.into())
                    // after the headers, which would replace it
                    .headers(headers)
                    .message_id(&publish.id),
            )
            .await;
        let acked = match sent {
            Ok(ack) => ack.await,
            Err(e) => Err(e),
        };
        match acked {
            Ok(ack) => duplicate = ack.duplicate,
            Err(e) => {
                let transient = matches!(
                    e.kind(),
                    PublishErrorKind::StreamNotFound
                        | PublishErrorKind::TimedOut
                        | PublishErrorKind::BrokenPipe
                        | PublishErrorKind::MaxAckPending
                );
                if let Some(((id, message), _)) = &message {
                    let delay = if transient {
                        *lock(&shared.excused).entry(id.clone()).or_default() += 1;
                        Some(RETRY_DELAY)
                    } else {
                        None
                    };
                    let _ = message.ack_with(AckKind::Nak(delay)).await;
                }
                return Err(format!("cannot publish to '{subject}': {e}"));
            }
        }
    }
    if let Some(((id, message), finish)) = message {
        let acked = match finish {
            Finish::Ack => confirmed_ack(js, &message).await,
            Finish::Term => message.ack_with(AckKind::Term).await,
        };
        acked.map_err(|e| format!("cannot acknowledge the message: {e}"))?;
        lock(&shared.excused).remove(&id);
    }
    Ok(duplicate)
}

/// Acknowledges `message` and waits for the server to confirm it, as
/// `double_ack` does, but as a request: the answer comes through the
/// connection's one subscription for the answers to requests, not through
/// a subscription made and removed for every message, which doubled what
/// the server did per acknowledgement. A missing consumer is an error
/// (`double_ack` took its "no responders" status for a confirmation).
async fn confirmed_ack(
    js: &jetstream::Context,
    message: &jetstream::Message,
) -> std::result::Result<(), async_nats::Error> {
    let reply = message
        .reply
        .clone()
        .ok_or("no reply subject: not a JetStream message")?;
    let request = async_nats::Request::new()
        .payload(AckKind::Ack.into())
        .timeout(Some(js.timeout()));
    js.client().send_request(reply, request).await?;
    Ok(())
}

/// The message for the dead-letter stream of `input`: the content, and
/// the metadata and where it came from in headers.
pub(crate) fn banished(
    input: &InputPlan,
    id: &str,
    data: Vec<u8>,
    meta: &serde_json::Value,
    delivered: i64,
) -> Outbound {
    Outbound {
        subject: input.errors_subject.clone(),
        id: id.to_string(),
        headers: vec![
            ("Zenkit-Meta", meta.to_string()),
            ("Zenkit-Queue", input.stream.clone()),
            ("Zenkit-Delivered", delivered.to_string()),
        ],
        data,
    }
}
