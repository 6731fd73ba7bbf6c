//! Event names as constants: [`TypedEvent`], the constants the daemon's
//! built-in events have on [`Daemon`], and those `#[on_event]` generates
//! on the handler's type, so that a misspelt event is a build error rather
//! than an event no handler waits for.

use std::fmt;

use super::names::{EventId, EventName, EventNames, IntoEvent};
use super::Daemon;

/// The name of an event as a constant, to schedule it by a name the
/// compiler checks.
///
/// Every `#[on_event("name")]` method of a `#[zenkit::component]` or
/// `#[zenkit::app]` block gives its type an associated constant of this
/// type, named for the event in upper snake case: `tick` becomes `TICK`,
/// `message_next` and `message-next` `MESSAGE_NEXT`, `messageNext`
/// `MESSAGE_NEXT` too (ASCII letters and digits make the words; every
/// other character, and a change from a lower-case letter to an upper-case
/// one, separates them). An event whose name has a character outside
/// ASCII, or whose constant would be empty or start with a digit, gets no
/// constant: schedule it by its name. Two events of one block that make
/// the same constant are a build error. The daemon's own events are
/// constants of [`Daemon`]: [`Daemon::START`], [`Daemon::STOP`], …
///
/// A `TypedEvent` goes wherever an event is scheduled ([`IntoEvent`]) or
/// sent from another thread ([`Sender::send`](super::Sender::send)), costs
/// what the `&'static str` it wraps costs, and shows as its name. A
/// constant the type already has of the same name is a build error
/// (duplicate definitions).
///
/// ```
/// use zenkit::prelude::*;
///
/// #[derive(Default)]
/// struct Clock {
///     ticks: u32,
/// }
///
/// #[zenkit::component]
/// impl Clock {
///     #[on_event("start")]
///     fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
///         d.schedule(Clock::TICK, None);
///         Flow::Continue(args)
///     }
///
///     #[on_event("tick")]
///     fn tick(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
///         self.ticks += 1;
///         if self.ticks == 3 {
///             d.schedule(Daemon::STOP, None);
///         } else if !d.is_done() {
///             d.schedule_after_secs(0.5, Self::TICK, None);
///         }
///         Flow::Continue(args)
///     }
/// }
///
/// assert_eq!(Clock::TICK.name(), "tick");
/// assert_eq!(format!("{}", Clock::START), "start");
/// assert_eq!(Daemon::STOP, "stop");
/// ```
///
/// A misspelt constant does not build:
///
/// ```compile_fail
/// # use zenkit::prelude::*;
/// # #[derive(Default)]
/// # struct Clock;
/// # #[zenkit::component]
/// # impl Clock {
/// #     #[on_event("tick")]
/// #     fn tick(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
/// d.schedule(Clock::TIK, None); // no associated item named `TIK` found for struct `Clock`
/// #         Flow::Continue(args)
/// #     }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypedEvent(&'static str);

impl TypedEvent {
    /// The event named `name`: the constants the macros generate are made
    /// with it, and so can an author's own.
    pub const fn new(name: &'static str) -> TypedEvent {
        TypedEvent(name)
    }

    /// The event's name.
    pub const fn name(self) -> &'static str {
        self.0
    }
}

impl IntoEvent for TypedEvent {
    #[inline]
    fn into_event(self, names: &mut EventNames) -> EventId {
        names.intern(self.0)
    }
}

impl From<TypedEvent> for EventName {
    fn from(event: TypedEvent) -> EventName {
        EventName::from_static(event.0)
    }
}

impl From<TypedEvent> for &'static str {
    fn from(event: TypedEvent) -> &'static str {
        event.0
    }
}

impl AsRef<str> for TypedEvent {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl PartialEq<str> for TypedEvent {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for TypedEvent {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for TypedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

/// The events the daemon itself handles and authors schedule or handle.
impl Daemon<'_> {
    /// `start`: the first event of every run; its handlers schedule the
    /// daemon's first work.
    pub const START: TypedEvent = TypedEvent::new("start");
    /// `stop`: a graceful stop, as SIGINT asks for: the daemon is done
    /// ([`Daemon::is_done`]) and leaves once nothing is ready, or at
    /// `terminate` after `stop_timeout` seconds.
    pub const STOP: TypedEvent = TypedEvent::new("stop");
    /// `terminate`: leaves the event loop at once, as a graceful stop does
    /// after `stop_timeout` seconds.
    pub const TERMINATE: TypedEvent = TypedEvent::new("terminate");
    /// `log_statistics`: logs every component's counters, every
    /// `stats_interval` seconds.
    pub const LOG_STATISTICS: TypedEvent = TypedEvent::new("log_statistics");
    /// `save_runlog`: saves the runlog, every `runlog_interval` seconds.
    pub const SAVE_RUNLOG: TypedEvent = TypedEvent::new("save_runlog");
    /// `watchdog`: tells the service manager the daemon is alive, when it
    /// watches it.
    pub const WATCHDOG: TypedEvent = TypedEvent::new("watchdog");
    /// `handler_panicked`: queued when a handler panicked, with
    /// `{event, handler, message}` as its arguments.
    pub const HANDLER_PANICKED: TypedEvent = TypedEvent::new("handler_panicked");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_event_schedules_under_its_name() {
        const TICK: TypedEvent = TypedEvent::new("tick");
        let mut names = EventNames::new();
        let id = TICK.into_event(&mut names);
        assert_eq!(names.get("tick"), Some(id));
        assert_eq!("tick".into_event(&mut names), id);
        assert_eq!(EventName::from(TICK), "tick");
        assert_eq!(<&str>::from(TICK), "tick");
        assert_eq!(TICK, "tick");
        assert_eq!(format!("{TICK:>6}|{TICK:?}"), "  tick|TypedEvent(\"tick\")");
        let copy = TICK;
        assert_eq!(copy.name().as_ptr(), TICK.name().as_ptr());
    }
}
