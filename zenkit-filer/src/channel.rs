//! Several queues in one daemon: a [`Channel`] names a filer's keys,
//! options and events, so that two filers of one daemon do not share them.

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Mutex;

use serde::de::value::{MapAccessDeserializer, StringDeserializer};
use serde::de::{DeserializeSeed, IgnoredAny, IntoDeserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use zenkit::daemon::TypedEvent;

use crate::component::FilerConfig;
use crate::Filer;

/// Names one filer queue of a daemon. The daemon's main queue is [`Main`]:
/// Mentat's keys (`queue_in_dir`, …), options (`--queue-in-dir`, …) and
/// events (`message_process`, …). Another channel's name prefixes them:
/// for `NAME = "alerts"`, keys `alerts_queue_in_dir`, options
/// `--alerts-queue-in-dir` and events `alerts_message_process`, …
///
/// ```
/// use zenkit::prelude::*;
/// use zenkit_filer::{Channel, Filer, Process};
///
/// /// The queue of alerts, besides the main queue of events.
/// #[derive(Debug, Default)]
/// struct Alerts;
///
/// impl Channel for Alerts {
///     const NAME: &'static str = "alerts";
/// }
///
/// #[derive(ZenApp, Default)]
/// #[zen(daemon)]
/// struct Triage {
///     #[zen(component)]
///     filer: Filer,
///     #[zen(component)]
///     alerts: Filer<Alerts>,
/// }
///
/// #[zenkit::app]
/// impl Triage {
///     #[on_event("message_process")]
///     fn event(&mut self, d: &mut Daemon<'_>, message: Process) -> Flow {
///         d.schedule_with(Filer::MESSAGE_COMMIT, &json!({"id": message.id}));
///         Flow::next()
///     }
///
///     #[on_event("alerts_message_process")]
///     fn alert(&mut self, d: &mut Daemon<'_>, message: Process) -> Flow {
///         let commit = Filer::<Alerts>::event(Filer::MESSAGE_COMMIT);
///         d.schedule_with(commit, &json!({"id": message.id}));
///         Flow::next()
///     }
/// }
/// # fn main() {}
/// ```
pub trait Channel: Default + fmt::Debug + Send + 'static {
    /// The prefix of the keys, options and events, without the separator;
    /// empty for the main queue. Lower case letters, digits and `_`.
    const NAME: &'static str;
}

/// The daemon's main queue, with Mentat's names.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Main;

impl Channel for Main {
    const NAME: &'static str = "";
}

/// `name` under the prefix of channel `C`: `alerts_` + `name`, or `name`
/// for the main queue.
pub(crate) fn prefixed<C: Channel>(name: &str) -> String {
    if C::NAME.is_empty() {
        name.to_string()
    } else {
        format!("{}_{name}", C::NAME)
    }
}

/// `name` as a `&'static str` that lives as long as the process: event
/// names of a channel are made at run time, and a handler's event is a
/// `&'static str`. Each distinct name is stored once.
fn intern(name: String) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = names.get(name.as_str()) {
        return known;
    }
    let name: &'static str = Box::leak(name.into_boxed_str());
    names.insert(name);
    name
}

/// The events of the main queue's filer that authors schedule or handle,
/// each a constant named as the event (see the table of the [crate]); those
/// of another channel are [`Filer::event`].
impl Filer<Main> {
    /// `message_next`: takes the next message and queues `message_process`.
    pub const MESSAGE_NEXT: TypedEvent = TypedEvent::new("message_next");
    /// `message_process` `{id, data}`: a message for the daemon's handlers.
    pub const MESSAGE_PROCESS: TypedEvent = TypedEvent::new("message_process");
    /// `message_update` `{id, data}`: replaces the message's content.
    pub const MESSAGE_UPDATE: TypedEvent = TypedEvent::new("message_update");
    /// `message_commit` `{id}`: hands the message to the output queue, or
    /// deletes it without one.
    pub const MESSAGE_COMMIT: TypedEvent = TypedEvent::new("message_commit");
    /// `message_banish` `{id, meta?}`: moves the message into `errors/`.
    pub const MESSAGE_BANISH: TypedEvent = TypedEvent::new("message_banish");
    /// `message_cancel` `{id}`: deletes the message.
    pub const MESSAGE_CANCEL: TypedEvent = TypedEvent::new("message_cancel");
    /// `message_dispatch` `{id, queue_tgt, meta?}`: moves the message into
    /// directory `queue_tgt`.
    pub const MESSAGE_DISPATCH: TypedEvent = TypedEvent::new("message_dispatch");
    /// `message_duplicate` `{id, queue_tgt, meta?}`: copies the message into
    /// directory `queue_tgt`.
    pub const MESSAGE_DUPLICATE: TypedEvent = TypedEvent::new("message_duplicate");
    /// `message_enqueue` `{data}`: adds a message to the input queue.
    pub const MESSAGE_ENQUEUE: TypedEvent = TypedEvent::new("message_enqueue");
    /// `queue_check`: rescans the queue.
    pub const QUEUE_CHECK: TypedEvent = TypedEvent::new("queue_check");
}

impl<C: Channel> Filer<C> {
    /// The event of this channel's filer that `event` (one of the constants
    /// of the main queue's, e.g. [`Filer::MESSAGE_COMMIT`]) names:
    /// `alerts_message_commit` for channel `alerts`, `event` itself for the
    /// main queue.
    pub fn event(event: TypedEvent) -> TypedEvent {
        TypedEvent::new(channel_event::<C>(event))
    }
}

/// The name of `event` of channel `C`.
fn channel_event<C: Channel>(event: TypedEvent) -> &'static str {
    if C::NAME.is_empty() {
        event.name()
    } else {
        intern(prefixed::<C>(event.name()))
    }
}

/// The events of a channel's filer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Events {
    pub(crate) message_next: &'static str,
    pub(crate) message_process: &'static str,
    pub(crate) message_update: &'static str,
    pub(crate) message_commit: &'static str,
    pub(crate) message_banish: &'static str,
    pub(crate) message_cancel: &'static str,
    pub(crate) message_dispatch: &'static str,
    pub(crate) message_duplicate: &'static str,
    pub(crate) message_enqueue: &'static str,
    pub(crate) queue_check: &'static str,
    /// inotify told of new messages.
    pub(crate) incoming: &'static str,
    /// The staged operations are flushed.
    pub(crate) flush: &'static str,
}

impl Events {
    pub(crate) fn of<C: Channel>() -> Events {
        let event = channel_event::<C>;
        Events {
            message_next: event(Filer::MESSAGE_NEXT),
            message_process: event(Filer::MESSAGE_PROCESS),
            message_update: event(Filer::MESSAGE_UPDATE),
            message_commit: event(Filer::MESSAGE_COMMIT),
            message_banish: event(Filer::MESSAGE_BANISH),
            message_cancel: event(Filer::MESSAGE_CANCEL),
            message_dispatch: event(Filer::MESSAGE_DISPATCH),
            message_duplicate: event(Filer::MESSAGE_DUPLICATE),
            message_enqueue: event(Filer::MESSAGE_ENQUEUE),
            queue_check: event(Filer::QUEUE_CHECK),
            incoming: event(TypedEvent::new("filer_incoming")),
            flush: event(TypedEvent::new("filer_flush")),
        }
    }
}

/// The filer's configuration under the key names of channel `C`: for
/// [`Main`], exactly [`FilerConfig`]'s keys; for another channel, each key
/// with the channel's prefix. This is the `Config` of
/// [`Filer<C>`](crate::Filer).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilerKeys<C: Channel = Main> {
    /// The configuration.
    pub config: FilerConfig,
    channel: PhantomData<C>,
}

impl<C: Channel> From<FilerConfig> for FilerKeys<C> {
    fn from(config: FilerConfig) -> FilerKeys<C> {
        FilerKeys {
            config,
            channel: PhantomData,
        }
    }
}

impl<C: Channel> Serialize for FilerKeys<C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let serde_json::Value::Object(keys) =
            serde_json::to_value(&self.config).map_err(serde::ser::Error::custom)?
        else {
            return Err(serde::ser::Error::custom("the filer's keys are no object"));
        };
        let mut map = serializer.serialize_map(Some(keys.len()))?;
        for (key, value) in &keys {
            map.serialize_entry(&prefixed::<C>(key), value)?;
        }
        map.end()
    }
}

impl<'de, C: Channel> Deserialize<'de> for FilerKeys<C> {
    /// Takes the channel's keys from the application's whole configuration,
    /// without their prefix, into [`FilerConfig`], and leaves the others.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys<C>(PhantomData<C>);

        impl<'de, C: Channel> Visitor<'de> for Keys<C> {
            type Value = FilerKeys<C>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the filer's configuration keys")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let channel = Stripped::<A, C> {
                    map,
                    channel: PhantomData,
                };
                FilerConfig::deserialize(MapAccessDeserializer::new(channel)).map(FilerKeys::from)
            }
        }

        deserializer.deserialize_map(Keys(PhantomData))
    }
}

/// The keys of channel `C` in `map`, without their prefix; the values of
/// the others are skipped. Values are read from `map` itself, so that an
/// error names the key as it was written.
struct Stripped<A, C> {
    map: A,
    channel: PhantomData<C>,
}

impl<'de, A: MapAccess<'de>, C: Channel> MapAccess<'de> for Stripped<A, C> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<String>()? {
            let name = if C::NAME.is_empty() {
                Some(key.as_str())
            } else {
                key.strip_prefix(C::NAME)
                    .and_then(|rest| rest.strip_prefix('_'))
            };
            match name {
                Some(name) => {
                    let name: StringDeserializer<A::Error> = name.to_string().into_deserializer();
                    return seed.deserialize(name).map(Some);
                }
                None => {
                    self.map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}
