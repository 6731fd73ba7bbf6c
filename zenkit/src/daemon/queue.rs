//! The event queue of a daemon.
//!
//! The queue holds a FIFO of immediate events and a heap of timed events
//! ordered by their monotonic deadline. [`EventQueue::next`] hands out the
//! earliest timed event that is due, else the front of the FIFO; timed events
//! with equal deadlines come out in the order they were scheduled.
//!
//! Events are kept by [`EventId`]: a name is looked up once, where it is
//! scheduled. The queue belongs to the single event-loop thread, so it takes
//! no locks. Scheduling and taking an event without arguments does not
//! allocate once the FIFO has grown to its working size.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use zenkit::daemon::EventQueue;
//!
//! let mut queue = EventQueue::new();
//! let now = Instant::now();
//! queue.schedule("work", None);
//! queue.schedule_next("start", None);
//! let tick = queue.id("tick");
//! queue.schedule_at_instant(now + Duration::from_millis(250), tick, None);
//!
//! let mut name = |queue: &mut EventQueue, now| {
//!     let event = queue.next(now).unwrap();
//!     queue.name(event.id()).to_string()
//! };
//! assert_eq!(name(&mut queue, now), "start");
//! assert_eq!(name(&mut queue, now), "work");
//! assert!(queue.next(now).is_none());
//! assert_eq!(queue.wait_time(now), Some(Duration::from_millis(250)));
//! assert_eq!(queue.next(now + Duration::from_millis(250)).unwrap().id(), tick);
//! assert!(queue.is_empty());
//! ```

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

use super::names::{EventId, EventName, EventNames, IntoEvent};
use super::Args;

/// An event: which handlers it goes to and its arguments. Sixteen bytes:
/// arguments, when there are any, live in a box of their own, so a queue
/// of events without arguments (and every timer) stays small.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    id: EventId,
    /// The I/O source that produced the event (0: none), so the loop knows
    /// when that source's event has been handled.
    pub(crate) source: u32,
    args: Option<Box<Value>>,
}

impl Event {
    /// An event with the given id and arguments.
    #[inline]
    pub fn new(id: EventId, args: Args) -> Event {
        Event {
            id,
            source: 0,
            args: args.map(Box::new),
        }
    }

    /// Which handlers the event goes to.
    #[inline]
    pub fn id(&self) -> EventId {
        self.id
    }

    /// The arguments handed to the first handler, if any.
    pub fn args(&self) -> Option<&Value> {
        self.args.as_deref()
    }

    /// The arguments, taken out of the event.
    #[inline]
    pub fn into_args(self) -> Args {
        self.args.map(|args| *args)
    }
}

/// A timed event in the heap. `BinaryHeap` is a max-heap, so the ordering is
/// reversed: the greatest entry is the earliest deadline, and among equal
/// deadlines the one scheduled first.
#[derive(Debug)]
struct Timed {
    due: Instant,
    seq: u64,
    event: Event,
}

impl PartialEq for Timed {
    fn eq(&self, other: &Timed) -> bool {
        self.due == other.due && self.seq == other.seq
    }
}

impl Eq for Timed {}

impl PartialOrd for Timed {
    fn partial_cmp(&self, other: &Timed) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timed {
    fn cmp(&self, other: &Timed) -> Ordering {
        other
            .due
            .cmp(&self.due)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The event queue of a daemon: a FIFO of immediate events and a
/// deadline-ordered heap of timed events, with the table of the names its
/// events were scheduled by.
///
/// Timed events are kept on the monotonic clock, so changes of the wall clock
/// neither delay nor hasten them once they are scheduled.
#[derive(Debug, Default)]
pub struct EventQueue {
    names: EventNames,
    immediate: VecDeque<Event>,
    timed: BinaryHeap<Timed>,
    seq: u64,
}

impl EventQueue {
    /// An empty queue.
    pub fn new() -> EventQueue {
        EventQueue::default()
    }

    /// An empty queue with room for `capacity` immediate events before the
    /// FIFO has to grow, whose events are named in `names`.
    pub fn with_names(names: EventNames, capacity: usize) -> EventQueue {
        EventQueue {
            names,
            immediate: VecDeque::with_capacity(capacity),
            ..EventQueue::default()
        }
    }

    /// The id of `event` in this queue's table of names (added when new).
    #[inline]
    pub fn id(&mut self, event: impl IntoEvent) -> EventId {
        event.into_event(&mut self.names)
    }

    /// The name of the event `id`.
    #[inline]
    pub fn name(&self, id: EventId) -> &EventName {
        self.names.name(id)
    }

    /// The table of the names events were scheduled by.
    pub fn names(&self) -> &EventNames {
        &self.names
    }

    /// Schedules an event at the end of the FIFO.
    // always inlined: where it is called, the id or the name and most often
    // `None` arguments are known, and what is left is a few instructions
    #[inline(always)]
    pub fn schedule(&mut self, event: impl IntoEvent, args: Args) {
        let id = self.id(event);
        self.push(Event::new(id, args));
    }

    /// Puts a made event at the end of the FIFO.
    #[inline(always)]
    pub(crate) fn push(&mut self, event: Event) {
        self.immediate.push_back(event);
    }

    /// Schedules an event at the front of the FIFO, before every immediate
    /// event already waiting (timed events that are due still go first).
    #[inline]
    pub fn schedule_next(&mut self, event: impl IntoEvent, args: Args) {
        let id = self.id(event);
        self.immediate.push_front(Event::new(id, args));
    }

    /// Schedules an event for the wall-clock time `when`.
    ///
    /// The time is converted to a monotonic deadline once, now; a time in the
    /// past makes the event due at once (still ordered by how far in the past
    /// it lies).
    pub fn schedule_at(&mut self, when: SystemTime, event: impl IntoEvent, args: Args) {
        let due = deadline_of(when, SystemTime::now(), Instant::now());
        self.schedule_at_instant(due, event, args);
    }

    /// Schedules an event for the monotonic deadline `due`.
    pub fn schedule_at_instant(&mut self, due: Instant, event: impl IntoEvent, args: Args) {
        let id = self.id(event);
        let seq = self.seq;
        self.seq += 1;
        self.timed.push(Timed {
            due,
            seq,
            event: Event::new(id, args),
        });
    }

    /// Schedules an event to be due `delay` from now.
    pub fn schedule_after(&mut self, delay: Duration, event: impl IntoEvent, args: Args) {
        self.schedule_at_instant(later(Instant::now(), delay), event, args);
    }

    /// Schedules an event to be due `secs` seconds from now; fractions of a
    /// second are kept. A negative or NaN delay makes the event due at once;
    /// an infinite one never comes due in practice.
    pub fn schedule_after_secs(&mut self, secs: f64, event: impl IntoEvent, args: Args) {
        self.schedule_after(duration_of_secs(secs), event, args);
    }

    /// Takes the next event ready at `now`: the earliest timed event that is
    /// due, else the front of the FIFO, else `None` (the queue may still hold
    /// timed events that are not yet due, see [`wait_time`](Self::wait_time)).
    #[inline]
    pub fn next(&mut self, now: Instant) -> Option<Event> {
        match self.pop_due(now) {
            Some(event) => Some(event),
            None => self.immediate.pop_front(),
        }
    }

    /// Takes the earliest timed event if it is due at `now`.
    #[inline]
    pub fn pop_due(&mut self, now: Instant) -> Option<Event> {
        if self.timed.peek().is_some_and(|t| t.due <= now) {
            self.timed.pop().map(|t| t.event)
        } else {
            None
        }
    }

    /// How many timed events were ever scheduled: a change tells that the
    /// earliest deadline may have changed.
    #[inline]
    pub(crate) fn timed_scheduled(&self) -> u64 {
        self.seq
    }

    /// Takes the front of the FIFO regardless of timed events.
    #[inline]
    pub fn pop_immediate(&mut self) -> Option<Event> {
        self.immediate.pop_front()
    }

    /// Number of events waiting, immediate and timed.
    #[inline]
    pub fn len(&self) -> usize {
        self.immediate.len() + self.timed.len()
    }

    /// Whether no event is waiting at all.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.immediate.is_empty() && self.timed.is_empty()
    }

    /// Number of immediate events waiting in the FIFO.
    #[inline]
    pub fn count_immediate(&self) -> usize {
        self.immediate.len()
    }

    /// Number of timed events waiting, due or not.
    #[inline]
    pub fn count_timed(&self) -> usize {
        self.timed.len()
    }

    /// The deadline of the earliest timed event.
    #[inline]
    pub fn next_deadline(&self) -> Option<Instant> {
        self.timed.peek().map(|t| t.due)
    }

    /// How long from `now` until an event is ready: zero when an immediate
    /// event waits or a timed event is due, the time until the earliest
    /// deadline otherwise, and `None` when the queue is empty (there is
    /// nothing to wait for).
    pub fn wait_time(&self, now: Instant) -> Option<Duration> {
        if !self.immediate.is_empty() {
            return Some(Duration::ZERO);
        }
        self.next_deadline()
            .map(|due| due.saturating_duration_since(now))
    }

    /// Drops every waiting event.
    pub fn clear(&mut self) {
        self.immediate.clear();
        self.timed.clear();
    }

    /// The immediate events, front of the FIFO first.
    pub fn iter_immediate(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.immediate.iter()
    }

    /// The timed events with their deadlines, in the order they come due.
    pub fn iter_timed(&self) -> impl Iterator<Item = (Instant, &Event)> {
        self.timed_in_order().into_iter().map(|t| (t.due, &t.event))
    }

    /// Every waiting event: the immediate ones in FIFO order, then the timed
    /// ones in the order they come due.
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.immediate
            .iter()
            .chain(self.iter_timed().map(|(_, event)| event))
    }

    /// `{"event": name, "args": args or null}` of `event`.
    pub fn event_json(&self, event: &Event) -> Value {
        json!({ "event": self.name(event.id), "args": event.args() })
    }

    /// A snapshot for the daemon state dump:
    /// `{"immediate": [{event, args}], "timed": [{event, args, at, due_in}]}`
    /// where `at` is the wall-clock time the event comes due (float seconds
    /// since the Unix epoch) and `due_in` the seconds from `now` until then
    /// (negative when overdue).
    pub fn to_json(&self, now: Instant) -> Value {
        let wall_now = crate::runlog::now_ts();
        let immediate: Vec<Value> = self.immediate.iter().map(|e| self.event_json(e)).collect();
        let timed: Vec<Value> = self
            .iter_timed()
            .map(|(due, event)| {
                let due_in = if due >= now {
                    (due - now).as_secs_f64()
                } else {
                    -(now - due).as_secs_f64()
                };
                json!({
                    "event": self.name(event.id),
                    "args": event.args(),
                    "at": wall_now + due_in,
                    "due_in": due_in,
                })
            })
            .collect();
        json!({ "immediate": immediate, "timed": timed })
    }

    fn timed_in_order(&self) -> Vec<&Timed> {
        let mut timed: Vec<&Timed> = self.timed.iter().collect();
        // Reversed heap order is earliest first.
        timed.sort_unstable_by(|a, b| b.cmp(a));
        timed
    }
}

/// The monotonic deadline of wall-clock time `when`, given the same moment
/// read on both clocks.
fn deadline_of(when: SystemTime, wall_now: SystemTime, now: Instant) -> Instant {
    match when.duration_since(wall_now) {
        Ok(ahead) => later(now, ahead),
        Err(past) => now.checked_sub(past.duration()).unwrap_or(now),
    }
}

/// `now + delay`, with a delay too long for the clock cut to what it can
/// represent (such an event never comes due in practice).
pub(crate) fn later(now: Instant, mut delay: Duration) -> Instant {
    loop {
        if let Some(due) = now.checked_add(delay) {
            return due;
        }
        delay /= 2;
    }
}

/// A delay in float seconds as a `Duration`: negative and NaN are zero,
/// values too large for a `Duration` are its maximum.
pub(crate) fn duration_of_secs(secs: f64) -> Duration {
    if secs > 0.0 {
        Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn drain(queue: &mut EventQueue, now: Instant) -> Vec<String> {
        let events: Vec<Event> = std::iter::from_fn(|| queue.next(now)).collect();
        events
            .iter()
            .map(|e| queue.name(e.id()).to_string())
            .collect()
    }

    fn name_of(queue: &EventQueue, event: Option<Event>) -> String {
        queue.name(event.expect("an event").id()).to_string()
    }

    #[test]
    fn fifo_keeps_order() {
        let mut q = EventQueue::new();
        q.schedule("a", None);
        q.schedule("b", Some(json!(1)));
        q.schedule(String::from("c"), None);
        let now = Instant::now();
        let a = q.id("a");
        let first = q.next(now).unwrap();
        assert_eq!(first, Event::new(a, None));
        let second = q.next(now).unwrap();
        assert_eq!(q.name(second.id()), "b");
        assert_eq!(second.args(), Some(&json!(1)));
        assert_eq!(second.into_args(), Some(json!(1)));
        assert_eq!(drain(&mut q, now), ["c"]);
        assert!(q.next(now).is_none());
    }

    #[test]
    fn due_timed_event_goes_before_fifo() {
        let mut q = EventQueue::new();
        let t0 = Instant::now();
        q.schedule("fifo1", None);
        q.schedule("fifo2", None);
        q.schedule_at_instant(t0 + ms(100), "timer", None);
        // Not due yet: the FIFO is served.
        let event = q.next(t0);
        assert_eq!(name_of(&q, event), "fifo1");
        // Due now: goes before the rest of the FIFO.
        assert_eq!(drain(&mut q, t0 + ms(100)), ["timer", "fifo2"]);
    }

    #[test]
    fn schedule_next_goes_to_front() {
        let mut q = EventQueue::new();
        q.schedule("a", None);
        q.schedule("b", None);
        q.schedule_next("first", None);
        q.schedule_next("very_first", None);
        assert_eq!(
            drain(&mut q, Instant::now()),
            ["very_first", "first", "a", "b"]
        );
    }

    #[test]
    fn schedule_next_does_not_overtake_due_timers() {
        let mut q = EventQueue::new();
        let t0 = Instant::now();
        q.schedule_at_instant(t0, "due", None);
        q.schedule_next("signal", None);
        assert_eq!(drain(&mut q, t0), ["due", "signal"]);
    }

    #[test]
    fn equal_deadlines_in_insertion_order() {
        let mut q = EventQueue::new();
        let t0 = Instant::now();
        let at = t0 + ms(50);
        q.schedule_at_instant(at, "t1", None);
        q.schedule_at_instant(at + ms(1), "later", None);
        q.schedule_at_instant(at, "t2", None);
        q.schedule_at_instant(t0 + ms(10), "earlier", None);
        for i in 3..=20 {
            q.schedule_at_instant(at, format!("t{i}"), None);
        }
        let mut expected = vec!["earlier".to_string()];
        expected.extend((1..=20).map(|i| format!("t{i}")));
        expected.push("later".to_string());
        assert_eq!(drain(&mut q, at + ms(1)), expected);
    }

    #[test]
    fn timers_not_yet_due_wait() {
        let mut q = EventQueue::new();
        let t0 = Instant::now();
        q.schedule_at_instant(t0 + ms(200), "b", None);
        q.schedule_at_instant(t0 + ms(100), "a", None);
        assert!(q.next(t0).is_none());
        assert!(q.next(t0 + ms(99)).is_none());
        assert_eq!(q.len(), 2);
        let event = q.next(t0 + ms(100));
        assert_eq!(name_of(&q, event), "a");
        assert!(q.next(t0 + ms(150)).is_none());
        let event = q.next(t0 + ms(250));
        assert_eq!(name_of(&q, event), "b");
        assert!(q.is_empty());
    }

    #[test]
    fn wait_time_values() {
        let mut q = EventQueue::new();
        let t0 = Instant::now();
        assert_eq!(q.wait_time(t0), None);
        assert_eq!(q.next_deadline(), None);

        q.schedule_at_instant(t0 + ms(300), "slow", None);
        q.schedule_at_instant(t0 + ms(250), "fast", None);
        assert_eq!(q.next_deadline(), Some(t0 + ms(250)));
        assert_eq!(q.wait_time(t0), Some(ms(250)));
        assert_eq!(q.wait_time(t0 + ms(100)), Some(ms(150)));
        assert_eq!(q.wait_time(t0 + ms(250)), Some(Duration::ZERO));
        assert_eq!(q.wait_time(t0 + ms(400)), Some(Duration::ZERO));

        // An immediate event is ready at once.
        q.schedule("now", None);
        assert_eq!(q.wait_time(t0), Some(Duration::ZERO));
        let event = q.next(t0);
        assert_eq!(name_of(&q, event), "now");
        assert_eq!(q.wait_time(t0), Some(ms(250)));
    }

    #[test]
    fn schedule_at_in_the_past_is_due_at_once() {
        let mut q = EventQueue::new();
        let wall = SystemTime::now();
        q.schedule_at(wall - Duration::from_secs(5), "late", None);
        q.schedule_at(wall - Duration::from_secs(10), "later", None);
        q.schedule_at(wall + Duration::from_secs(3600), "future", None);
        q.schedule("fifo", None);
        let now = Instant::now();
        assert_eq!(q.wait_time(now), Some(Duration::ZERO));
        // The one further in the past first, then the other, then the FIFO.
        assert_eq!(drain(&mut q, now), ["later", "late", "fifo"]);
        assert_eq!(q.count_timed(), 1);
        let left = q.wait_time(Instant::now()).unwrap();
        assert!(left > Duration::from_secs(3590) && left <= Duration::from_secs(3600));
    }

    #[test]
    fn deadline_of_converts_wall_time() {
        let wall = SystemTime::now();
        let now = Instant::now();
        assert_eq!(deadline_of(wall + ms(1500), wall, now), now + ms(1500));
        assert_eq!(deadline_of(wall, wall, now), now);
        assert!(deadline_of(wall - ms(10), wall, now) <= now);
    }

    #[test]
    fn fractional_seconds() {
        let mut q = EventQueue::new();
        let before = Instant::now();
        q.schedule_after_secs(0.25, "quarter", None);
        let after = Instant::now();
        let due = q.next_deadline().unwrap();
        assert!(due >= before + ms(250) && due <= after + ms(250));
        assert!(q.next(due - Duration::from_micros(1)).is_none());
        let event = q.next(due);
        assert_eq!(name_of(&q, event), "quarter");

        assert_eq!(duration_of_secs(1.5), ms(1500));
        assert_eq!(duration_of_secs(0.000_5), Duration::from_micros(500));
        assert_eq!(duration_of_secs(-3.0), Duration::ZERO);
        assert_eq!(duration_of_secs(f64::NAN), Duration::ZERO);
        assert_eq!(duration_of_secs(f64::INFINITY), Duration::MAX);
    }

    #[test]
    fn negative_and_nan_delays_are_due_now() {
        let mut q = EventQueue::new();
        q.schedule_after_secs(-1.0, "neg", None);
        q.schedule_after_secs(f64::NAN, "nan", None);
        let now = Instant::now();
        assert_eq!(drain(&mut q, now), ["neg", "nan"]);
    }

    #[test]
    fn huge_delays_do_not_overflow() {
        let mut q = EventQueue::new();
        q.schedule_after(Duration::MAX, "never", None);
        q.schedule_after_secs(f64::INFINITY, "never2", None);
        q.schedule_at(
            SystemTime::UNIX_EPOCH + Duration::from_secs(u32::MAX as u64 * 64),
            "far",
            None,
        );
        let now = Instant::now();
        assert!(q.next(now + Duration::from_secs(1_000_000)).is_none());
        assert_eq!(q.count_timed(), 3);
    }

    #[test]
    fn schedule_after_duration() {
        let mut q = EventQueue::new();
        let before = Instant::now();
        q.schedule_after(ms(20), "x", None);
        let due = q.next_deadline().unwrap();
        assert!(due >= before + ms(20));
        assert!(q.next(before).is_none());
        let event = q.next(due);
        assert_eq!(name_of(&q, event), "x");
    }

    #[test]
    fn counts() {
        let mut q = EventQueue::with_names(EventNames::new(), 4);
        assert!(q.is_empty());
        assert_eq!(q.len(), 0);
        q.schedule("a", None);
        q.schedule_next("b", None);
        q.schedule_after_secs(10.0, "c", None);
        assert_eq!(q.len(), 3);
        assert_eq!(q.count_immediate(), 2);
        assert_eq!(q.count_timed(), 1);
        assert!(!q.is_empty());
        let event = q.pop_immediate();
        assert_eq!(name_of(&q, event), "b");
        assert!(q.pop_due(Instant::now()).is_none());
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.next_deadline(), None);
    }

    #[test]
    fn iteration_and_snapshot() {
        let mut q = EventQueue::new();
        let now = Instant::now();
        q.schedule("a", Some(json!({"k": 1})));
        q.schedule_next("b", None);
        q.schedule_at_instant(now + ms(2000), "late", None);
        q.schedule_at_instant(now + ms(500), "soon", Some(json!([1, 2])));
        let names: Vec<&str> = q.iter().map(|e| q.name(e.id()).as_str()).collect();
        assert_eq!(names, ["b", "a", "soon", "late"]);
        assert_eq!(q.iter_immediate().len(), 2);
        let timed: Vec<(Instant, &str)> = q
            .iter_timed()
            .map(|(t, e)| (t, q.name(e.id()).as_str()))
            .collect();
        assert_eq!(timed, [(now + ms(500), "soon"), (now + ms(2000), "late")]);

        let snap = q.to_json(now);
        assert_eq!(
            snap["immediate"],
            json!([{"event": "b", "args": null}, {"event": "a", "args": {"k": 1}}])
        );
        let timed = snap["timed"].as_array().unwrap();
        assert_eq!(timed.len(), 2);
        assert_eq!(timed[0]["event"], "soon");
        assert_eq!(timed[0]["args"], json!([1, 2]));
        assert_eq!(timed[0]["due_in"], 0.5);
        assert_eq!(timed[1]["due_in"], 2.0);
        let at = timed[1]["at"].as_f64().unwrap();
        assert!((at - crate::runlog::now_ts() - 2.0).abs() < 1.0);
        // Overdue events have a negative due_in.
        assert_eq!(q.to_json(now + ms(1000))["timed"][0]["due_in"], -0.5);
        // Taking a snapshot leaves the queue as it was.
        assert_eq!(q.len(), 4);
    }

    #[test]
    fn events_are_small() {
        // an id and a boxed argument: a pending timer is 40 bytes with its
        // deadline and sequence number
        assert_eq!(std::mem::size_of::<Event>(), 16);
        assert!(std::mem::size_of::<Timed>() <= 48);
        let mut q = EventQueue::new();
        let x = q.id("x");
        assert_eq!(
            q.event_json(&Event::new(x, Some(json!(2)))),
            json!({"event": "x", "args": 2})
        );
    }
}
