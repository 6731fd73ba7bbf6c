//! The filer's queues on JetStream, and the mixed forms: a directory input
//! with a stream as output, a stream input with a directory as output.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use zenkit::daemon::{Daemon, Sender};
use zenkit::prelude::{error, info};
use zenkit::Result;
use zenkit_filer::{
    DirBackend, DirQueue, Endpoint, Message, MessageId, Options, QueueBackend, Rescan, Spec, Stats,
};

use crate::client::{banished, Answer, Client, Finish, InputPlan, Outbound, Plan, StreamPlan};
use crate::settings::{servers, Address, Settings};

/// Where the filer takes its messages from.
#[derive(Debug)]
enum Input {
    /// A stream, through the stage's durable consumer.
    Stream(Address, InputPlan),
    /// A stream the stage only publishes into (a first stage).
    Producer(Address),
    /// A directory queue.
    Dir(Box<DirBackend>),
}

/// Where committed messages go.
#[derive(Debug)]
enum Output {
    None,
    Stream(Address),
    Dir(Box<DirQueue>),
}

/// A message taken and not finished.
#[derive(Debug)]
struct Held {
    /// The client's key of a message of a stream; `None` for a message of
    /// a directory.
    key: Option<u64>,
    data: Vec<u8>,
}

/// An operation staged until the next flush.
#[derive(Debug)]
struct Staged {
    publish: Option<Outbound>,
    input: Option<(u64, Finish)>,
    /// The directory message to commit once the publish succeeded.
    dir_commit: Option<String>,
    /// The content to hand to a directory output queue first.
    dir_enqueue: Option<Vec<u8>>,
}

/// The filer's queues when one of them is on JetStream.
#[derive(Debug)]
pub(crate) struct NatsQueue {
    client: Client,
    input: Input,
    output: Output,
    held: HashMap<String, Held>,
    staged: Vec<Staged>,
    /// The operations on messages of a stream input that were flushed and
    /// not answered yet, oldest first: the stage goes on with the next
    /// batch while the servers take them.
    in_flight: VecDeque<u64>,
    group_commit: bool,
    /// The output queue's length at the last count, plus the commits since.
    next_len: Option<usize>,
    outputs: Vec<(File, PathBuf)>,
    stats: Stats,
    host: String,
    enqueued: u64,
    /// What the client was started with, to tell a reload that changes it.
    plan: Plan,
    /// The event that tells the filer of new messages of a stream.
    wake: Option<(Sender, &'static str)>,
}

/// Opens the queues of `spec`: the registered opener of `nats://` URLs.
pub(crate) fn open(d: &mut Daemon<'_>, spec: &Spec<'_>) -> Result<Box<dyn QueueBackend>> {
    let settings = Settings::from_config(d.config())?;
    let address =
        |key: &str, url: &str| Address::parse(url).map_err(|why| d.config().error_at(key, why));
    let mut inline = Vec::new();
    let input = match spec.input {
        Endpoint::Url(url) => {
            let address = address(spec.input_key, url)?;
            inline.push((spec.input_key, address.servers.clone()));
            if spec.producer {
                Input::Producer(address)
            } else {
                let plan = InputPlan {
                    stream: address.stream.clone(),
                    subject: address.subject(),
                    consumer: address
                        .consumer
                        .clone()
                        .unwrap_or_else(|| consumer_name(d.name())),
                    errors_subject: address.errors_subject(),
                };
                Input::Stream(address, plan)
            }
        }
        Endpoint::Dir(dir) => Input::Dir(Box::new(DirBackend::open(dir, spec.options.clone())?)),
    };
    let output = match spec.output {
        None => Output::None,
        Some(Endpoint::Url(url)) => {
            let address = address(spec.output_key, url)?;
            inline.push((spec.output_key, address.servers.clone()));
            Output::Stream(address)
        }
        Some(Endpoint::Dir(dir)) => Output::Dir(Box::new(DirQueue::open(
            dir,
            Options {
                perms: spec.options.perms,
                user: spec.options.user,
                group: spec.options.group,
                file_mode: spec.options.file_mode,
                group_commit: spec.options.group_commit,
                ..Options::default()
            },
        )?)),
    };
    let servers_text = match inline.as_slice() {
        [(_, Some(a)), (key, Some(b))] if a != b => {
            return Err(zenkit::Error::config(format!(
                "{key}: the servers of its URL differ from those of {}; one stage uses one NATS cluster",
                spec.input_key
            )))
        }
        [(_, Some(a)), ..] | [_, (_, Some(a))] => Some(a.clone()),
        _ => None,
    };
    let (servers, servers_text) = connection(servers_text, &settings, d.config())?;
    let mut streams = Vec::new();
    for address in [stream_of_input(&input), stream_of_output(&output)]
        .into_iter()
        .flatten()
    {
        streams.push(StreamPlan {
            name: address.stream.clone(),
            subject: address.subject(),
            work_queue: true,
        });
        streams.push(StreamPlan {
            name: address.errors_stream(),
            subject: address.errors_subject(),
            work_queue: false,
        });
    }
    let plan = Plan {
        servers,
        servers_text,
        creds: settings.nats_creds.clone(),
        name: d.name().to_string(),
        component: d.component().to_string(),
        streams,
        input: match &input {
            Input::Stream(_, plan) => Some(plan.clone()),
            _ => None,
        },
        settings,
    };
    let client = Client::start(plan.clone(), None)?;
    let mut queue = NatsQueue {
        client,
        input,
        output,
        held: HashMap::new(),
        staged: Vec::new(),
        in_flight: VecDeque::new(),
        group_commit: spec.options.group_commit,
        next_len: None,
        outputs: Vec::new(),
        stats: Stats::default(),
        host: nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_else(|| "localhost".to_string()),
        enqueued: 0,
        plan,
        wake: None,
    };
    queue.recount()?;
    Ok(Box::new(queue))
}

/// The servers a stage connects to: those of its queues' URLs (`inline`),
/// else those of `nats_servers`; parsed, and as the log names them.
fn connection(
    inline: Option<String>,
    settings: &Settings,
    config: &zenkit::config::Config,
) -> Result<(Vec<async_nats::ServerAddr>, String)> {
    let text = inline.unwrap_or_else(|| settings.nats_servers.clone());
    let parsed = servers(&text).map_err(|why| config.error_at("nats_servers", why))?;
    Ok((parsed, text))
}

/// The durable consumer's name of a daemon: its name, in the letters a
/// consumer name may have.
fn consumer_name(daemon: &str) -> String {
    daemon
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn stream_of_input(input: &Input) -> Option<&Address> {
    match input {
        Input::Stream(address, _) | Input::Producer(address) => Some(address),
        Input::Dir(_) => None,
    }
}

fn stream_of_output(output: &Output) -> Option<&Address> {
    match output {
        Output::Stream(address) => Some(address),
        _ => None,
    }
}

impl NatsQueue {
    fn held(&mut self, id: &str) -> Result<Held> {
        self.held.remove(id).ok_or_else(|| {
            zenkit::Error::msg(format!(
                "message '{id}' is not one this queue took and has not finished"
            ))
        })
    }

    fn stage(&mut self, staged: Staged) -> Result<()> {
        self.staged.push(staged);
        if self.group_commit {
            Ok(())
        } else {
            self.flush()
        }
    }

    /// Counts the output queue's messages now. A stream's count is what
    /// the server stored, plus the publishes staged or still unanswered:
    /// those the count may not hold yet.
    fn recount(&mut self) -> Result<()> {
        self.next_len = match &self.output {
            Output::None => None,
            Output::Stream(address) => {
                let stream = address.stream.clone();
                let pending = self.in_flight.len()
                    + self.staged.iter().filter(|op| op.publish.is_some()).count();
                Some(self.client.count(&stream)? as usize + pending)
            }
            Output::Dir(queue) => Some(queue.count_incoming()?),
        };
        Ok(())
    }

    /// A taken message's finish on the dead-letter or another stream.
    fn finish_elsewhere(
        &mut self,
        id: &str,
        held: Held,
        publish: Outbound,
        finish: Option<Finish>,
    ) -> Result<()> {
        let input = held.key.zip(finish);
        self.stage(Staged {
            publish: Some(publish),
            input,
            dir_commit: None,
            dir_enqueue: None,
        })?;
        if finish.is_none() {
            self.held.insert(id.to_string(), held);
        }
        Ok(())
    }

    /// Publishes taken message `id` into the stream `target` names, with
    /// `meta`, then finishes it (`None`: it stays taken).
    fn publish_into(
        &mut self,
        id: &str,
        target: &str,
        meta: Option<&Value>,
        finish: Option<Finish>,
    ) -> Result<()> {
        let address = self.target(target)?;
        let held = self.held(id)?;
        let publish = Outbound {
            subject: address.subject(),
            id: id.to_string(),
            headers: meta
                .map(|m| vec![("Zenkit-Meta", m.to_string())])
                .unwrap_or_default(),
            data: held.data.clone(),
        };
        self.finish_elsewhere(id, held, publish, finish)
    }

    /// The stream a `dispatch`/`duplicate` target names.
    fn target(&self, target: &str) -> Result<Address> {
        Address::parse(target).map_err(|why| {
            zenkit::Error::msg(format!(
                "{why}: a message of a JetStream queue goes to another stream, not to a directory"
            ))
        })
    }

    fn too_large(&self, data: &[u8]) -> zenkit::Error {
        zenkit::Error::msg(format!(
            "a message of {} bytes is larger than the {} bytes the NATS servers take (their max_payload)",
            data.len(),
            self.client.max_content()
        ))
    }

    fn new_id(&mut self) -> String {
        self.enqueued += 1;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        format!(
            "{}.{}.{}.{:06}.{}.msg",
            self.host,
            std::process::id(),
            now.as_secs(),
            now.subsec_micros(),
            self.enqueued
        )
    }

    fn count<T>(&mut self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.stats.cnt_errors += 1;
        }
        result
    }

    fn describe(address: &Address, consumer: Option<&str>, servers: &str) -> String {
        match consumer {
            Some(consumer) => format!(
                "JetStream stream '{}' (consumer '{consumer}') at {servers}",
                address.stream
            ),
            None => format!("JetStream stream '{}' at {servers}", address.stream),
        }
    }

    /// Takes the answers of the operations under way, oldest first,
    /// waiting while more than `keep` are; the first failure is returned
    /// and every one counted.
    fn settle(&mut self, keep: usize) -> Result<()> {
        let mut first_error = None;
        while let Some(&ticket) = self.in_flight.front() {
            let answer = if self.in_flight.len() > keep {
                self.client.wait(ticket)
            } else {
                match self.client.answered(ticket) {
                    Some(answer) => Ok(answer),
                    None => break,
                }
            };
            self.in_flight.pop_front();
            let error = match answer {
                Ok(Answer::Done(Ok(_)) | Answer::Count(_)) => continue,
                Ok(Answer::Done(Err(why))) => zenkit::Error::msg(why),
                Err(e) => e,
            };
            self.stats.cnt_errors += 1;
            first_error.get_or_insert(error);
        }
        first_error.map_or(Ok(()), Err)
    }
}

impl QueueBackend for NatsQueue {
    fn next(&mut self) -> Result<Option<Message>> {
        let message = match &mut self.input {
            Input::Stream(..) => self.client.take().map(|delivery| {
                self.held.insert(
                    delivery.id.clone(),
                    Held {
                        key: Some(delivery.key),
                        data: delivery.data.clone(),
                    },
                );
                Message::new(MessageId::new(delivery.id), delivery.data)
            }),
            Input::Producer(_) => None,
            Input::Dir(dir) => {
                let mut message = dir.next()?;
                while let Some(taken) =
                    message.take_if(|m| m.data().len() > self.client.max_content())
                {
                    // a directory takes larger messages than a stream
                    let reason = format!(
                        "{} bytes, larger than the {} bytes a message of the NATS servers may have (their max_payload)",
                        taken.data().len(),
                        self.client.max_content()
                    );
                    dir.banish(taken.id(), Some(&serde_json::json!({ "reason": reason })))?;
                    self.stats.cnt_banished += 1;
                    message = dir.next()?;
                }
                if let Some(message) = &message {
                    self.held.insert(
                        message.id().to_string(),
                        Held {
                            key: None,
                            data: message.data().to_vec(),
                        },
                    );
                }
                message
            }
        };
        if message.is_some() {
            self.stats.cnt_fetched += 1;
        }
        Ok(message)
    }

    /// Keeps the new content until the commit publishes it: a message
    /// cannot change in its stream, and one published again into the
    /// input would go to another instance while this one still has it.
    fn update(&mut self, id: &str, data: &[u8]) -> Result<()> {
        let result = match (&mut self.input, self.held.get_mut(id)) {
            _ if data.len() > self.client.max_content() => Err(self.too_large(data)),
            (_, None) => Err(zenkit::Error::msg(format!(
                "message '{id}' is not one this queue took and has not finished"
            ))),
            (Input::Dir(dir), Some(held)) => dir.update(id, data).map(|()| {
                held.data = data.to_vec();
            }),
            (_, Some(held)) => {
                held.data = data.to_vec();
                Ok(())
            }
        };
        self.stats.cnt_updated += u64::from(result.is_ok());
        self.count(result)
    }

    fn commit(&mut self, id: &str) -> Result<()> {
        let result = self.held(id).and_then(|held| {
            let publish = match &self.output {
                Output::Stream(address) => Some(Outbound {
                    subject: address.subject(),
                    id: id.to_string(),
                    headers: Vec::new(),
                    data: held.data.clone(),
                }),
                _ => None,
            };
            let dir_enqueue = matches!(self.output, Output::Dir(_)).then(|| held.data.clone());
            self.next_len = self.next_len.map(|n| n + 1);
            self.stage(Staged {
                publish,
                input: held.key.map(|key| (key, Finish::Ack)),
                dir_commit: held.key.is_none().then(|| id.to_string()),
                dir_enqueue,
            })
        });
        self.stats.cnt_committed += u64::from(result.is_ok());
        self.count(result)
    }

    fn banish(&mut self, id: &str, meta: Option<&Value>) -> Result<()> {
        let result = match (&mut self.input, self.held.contains_key(id)) {
            (Input::Dir(dir), true) => {
                self.held.remove(id);
                dir.banish(id, meta)
            }
            (Input::Stream(_, plan), true) => {
                let plan = plan.clone();
                let held = self.held(id)?;
                let meta = meta.cloned().unwrap_or(Value::Null);
                let publish = banished(&plan, id, held.data.clone(), &meta, 0);
                self.finish_elsewhere(id, held, publish, Some(Finish::Term))
            }
            _ => self.held(id).map(drop),
        };
        self.stats.cnt_banished += u64::from(result.is_ok());
        self.count(result)
    }

    fn cancel(&mut self, id: &str) -> Result<()> {
        let result = self
            .held(id)
            .and_then(|held| match (&mut self.input, held.key) {
                (Input::Dir(dir), _) => dir.cancel(id),
                (_, Some(key)) => self.stage(Staged {
                    publish: None,
                    input: Some((key, Finish::Ack)),
                    dir_commit: None,
                    dir_enqueue: None,
                }),
                (_, None) => Ok(()),
            });
        self.stats.cnt_canceled += u64::from(result.is_ok());
        self.count(result)
    }

    fn dispatch(&mut self, id: &str, target: &str, meta: Option<&Value>) -> Result<()> {
        let result = if let Input::Dir(dir) = &mut self.input {
            self.held.remove(id);
            dir.dispatch(id, target, meta)
        } else {
            self.publish_into(id, target, meta, Some(Finish::Ack))
        };
        self.stats.cnt_dispatched += u64::from(result.is_ok());
        self.count(result)
    }

    fn duplicate(&mut self, id: &str, target: &str, meta: Option<&Value>) -> Result<()> {
        let result = if let Input::Dir(dir) = &mut self.input {
            dir.duplicate(id, target, meta)
        } else {
            self.publish_into(id, target, meta, None)
        };
        self.stats.cnt_duplicated += u64::from(result.is_ok());
        self.count(result)
    }

    fn enqueue(&mut self, data: &[u8]) -> Result<String> {
        let result = match &mut self.input {
            Input::Dir(dir) => dir.enqueue(data),
            Input::Stream(..) | Input::Producer(_) if data.len() > self.client.max_content() => {
                Err(self.too_large(data))
            }
            Input::Stream(address, _) | Input::Producer(address) => {
                let subject = address.subject();
                let id = self.new_id();
                self.stage(Staged {
                    publish: Some(Outbound {
                        subject,
                        id: id.clone(),
                        headers: Vec::new(),
                        data: data.to_vec(),
                    }),
                    input: None,
                    dir_commit: None,
                    dir_enqueue: None,
                })
                .map(|()| id)
            }
        };
        self.stats.cnt_enqueued += u64::from(result.is_ok());
        self.count(result)
    }

    /// Flushes the files of `flush_with` and a directory output queue,
    /// then publishes and acknowledges what is staged, all of it at once.
    /// On a stream input the client publishes each message before it
    /// acknowledges it, so the stage need not wait: the answers are
    /// taken at later flushes, and the stage waits only while more than
    /// `nats_max_ack_pending` operations are under way. Otherwise it waits
    /// for every answer; a directory input's messages are committed once
    /// their publish succeeded, and a producer learns whether its
    /// messages are in the stream.
    fn flush(&mut self) -> Result<()> {
        let window = self.plan.settings.nats_max_ack_pending as usize;
        if self.staged.is_empty() {
            return self.settle(window);
        }
        let staged = std::mem::take(&mut self.staged);
        let mut first_error = None;
        let mut failed = |error: zenkit::Error, stats: &mut Stats| {
            stats.cnt_errors += 1;
            first_error.get_or_insert(error);
        };
        for (file, path) in &self.outputs {
            if let Err(e) = file.sync_data() {
                // nothing may leave the input before what was made of it
                // is on disk: the messages stay taken, and come again
                let error = zenkit::Error::msg(format!("cannot flush {}: {e}", path.display()));
                for op in &staged {
                    if let Some((key, _)) = op.input {
                        self.client.nak(key);
                    }
                }
                self.stats.cnt_errors += 1;
                return Err(error);
            }
        }
        let mut ops = Vec::with_capacity(staged.len());
        let mut enqueue_failed = false;
        if let Output::Dir(queue) = &mut self.output {
            for op in &staged {
                if let Some(data) = &op.dir_enqueue {
                    if let Err(e) = queue.enqueue(data) {
                        failed(e, &mut self.stats);
                        enqueue_failed = true;
                    }
                }
            }
            if let Err(e) = queue.flush() {
                failed(e, &mut self.stats);
                enqueue_failed = true;
            }
        }
        for op in staged {
            if enqueue_failed && op.dir_enqueue.is_some() {
                if let Some((key, _)) = op.input {
                    self.client.nak(key);
                }
                continue;
            }
            let ticket = self.client.submit(op.publish, op.input);
            if matches!(self.input, Input::Stream(..)) {
                self.in_flight.push_back(ticket);
            } else {
                ops.push((ticket, op.dir_commit));
            }
        }
        for (ticket, dir_commit) in ops {
            match self.client.wait(ticket) {
                Ok(Answer::Done(Ok(_))) => {
                    if let (Some(id), Input::Dir(dir)) = (dir_commit, &mut self.input) {
                        if let Err(e) = dir.commit(&id) {
                            failed(e, &mut self.stats);
                        }
                    }
                }
                Ok(Answer::Done(Err(why))) => failed(zenkit::Error::msg(why), &mut self.stats),
                Ok(Answer::Count(_)) => {}
                Err(e) => failed(e, &mut self.stats),
            }
        }
        if let Input::Dir(dir) = &mut self.input {
            if let Err(e) = dir.flush() {
                failed(e, &mut self.stats);
            }
        }
        let settled = self.settle(window);
        first_error.map_or(settled, Err)
    }

    fn unflushed(&self) -> usize {
        let input = match &self.input {
            Input::Dir(dir) => dir.unflushed(),
            _ => 0,
        };
        self.staged.len() + input
    }

    fn set_group_commit(&mut self, on: bool) -> Result<()> {
        self.group_commit = on;
        if let Input::Dir(dir) = &mut self.input {
            dir.set_group_commit(on)?;
        }
        if let Output::Dir(queue) = &mut self.output {
            queue.set_group_commit(on)?;
        }
        if on {
            Ok(())
        } else {
            self.flush()
        }
    }

    fn flush_with(&mut self, file: File, path: PathBuf) {
        self.outputs.push((file, path));
    }

    fn rescan(&mut self) -> Result<Rescan> {
        let mut rescan = match &mut self.input {
            Input::Dir(dir) => dir.rescan()?,
            _ => Rescan {
                incoming: self.client.waiting(),
                recovered: 0,
                next_queue_len: None,
                others_pending: 0,
            },
        };
        self.recount_next()?;
        rescan.next_queue_len = self.next_len;
        Ok(rescan)
    }

    fn next_queue_len(&self) -> Option<usize> {
        self.next_len
    }

    fn recount_next(&mut self) -> Result<()> {
        // the answers that came first: what they finished is in the count,
        // no longer under way
        let settled = self.settle(usize::MAX);
        let recounted = self.recount();
        self.count(recounted)?;
        settled
    }

    fn watch(&mut self, daemon: &mut Daemon<'_>, event: &'static str) -> Result<()> {
        match &mut self.input {
            Input::Dir(dir) => dir.watch(daemon, event),
            Input::Stream(..) => {
                let wake = (daemon.sender(), event);
                self.client.wake_with(wake.clone());
                self.wake = Some(wake);
                Ok(())
            }
            Input::Producer(_) => Ok(()),
        }
    }

    fn woken(&mut self) {
        if let Input::Dir(dir) = &mut self.input {
            dir.woken();
        }
    }

    /// Connects anew when the reload changed the servers, the credentials
    /// or the timeouts: the messages the old connection had taken and not
    /// finished are given back, and come again.
    fn reload(&mut self, daemon: &mut Daemon<'_>) -> Result<()> {
        let settings = Settings::from_config(daemon.config())?;
        let inline = stream_of_input(&self.input)
            .or(stream_of_output(&self.output))
            .and_then(|address| address.servers.clone());
        let (servers, servers_text) = connection(inline, &settings, daemon.config())?;
        let mut plan = self.plan.clone();
        plan.servers = servers;
        plan.servers_text = servers_text;
        plan.creds = settings.nats_creds.clone();
        plan.settings = settings;
        if plan.servers_text == self.plan.servers_text
            && plan.creds == self.plan.creds
            && plan.settings == self.plan.settings
        {
            return Ok(());
        }
        self.flush()?;
        info!(
            "Component '{}': Connecting anew, to the NATS servers {}",
            daemon.component(),
            plan.servers_text
        );
        let client = Client::start(plan.clone(), self.wake.clone())?;
        // the old connection finishes the operations under way (their
        // answers are its own), and gives back what it took and did not
        // finish, to be delivered again to this instance or another
        if let Err(err) = self.settle(usize::MAX) {
            error!("Component '{}': {err}", daemon.component());
        }
        self.in_flight.clear();
        drop(std::mem::replace(&mut self.client, client));
        self.held.retain(|_, held| held.key.is_none());
        self.plan = plan;
        Ok(())
    }

    fn stats(&self) -> Vec<(&'static str, u64)> {
        let mut stats: Vec<_> = self.stats.iter().collect();
        stats.extend(self.counters());
        stats.extend(self.gauges());
        stats
    }

    fn counters(&self) -> Vec<(&'static str, u64)> {
        let counters = self.client.counters();
        vec![
            (
                "cnt_redelivered",
                counters.redelivered.load(Ordering::Relaxed),
            ),
            (
                "cnt_duplicates",
                counters.duplicates.load(Ordering::Relaxed),
            ),
            ("cnt_poison", counters.poison.load(Ordering::Relaxed)),
            (
                "nats_disconnects",
                counters.disconnects.load(Ordering::Relaxed),
            ),
        ]
    }

    fn gauges(&self) -> Vec<(&'static str, u64)> {
        let connected = self.client.counters().connected.load(Ordering::Relaxed);
        vec![
            ("nats_connected", u64::from(connected)),
            ("nats_waiting", self.client.waiting() as u64),
            ("nats_held", self.held.len() as u64),
        ]
    }

    fn input(&self) -> String {
        match &self.input {
            Input::Stream(address, plan) => {
                Self::describe(address, Some(&plan.consumer), &self.plan.servers_text)
            }
            Input::Producer(address) => Self::describe(address, None, &self.plan.servers_text),
            Input::Dir(dir) => dir.input(),
        }
    }

    fn output(&self) -> Option<String> {
        match &self.output {
            Output::None => None,
            Output::Stream(address) => Some(Self::describe(address, None, &self.plan.servers_text)),
            Output::Dir(queue) => Some(format!("directory '{}'", queue.dir().display())),
        }
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl Drop for NatsQueue {
    /// Makes what is staged take effect, as a directory queue does when it
    /// is dropped; the client then gives back what is left.
    fn drop(&mut self) {
        let _ = self.flush();
    }
}
