//! Event names and the integer ids the loop dispatches by.
//!
//! Every name a daemon handles gets an [`EventId`] when the daemon is wired,
//! in registration order, so the handler chains are a `Vec` indexed by id.
//! A name scheduled later that no handler waits for gets the next free id
//! the first time it is seen, and the loop reports it as having no handler.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Serialize, Serializer};

/// The name of an event.
///
/// Made from a `&'static str` it keeps just the reference, so making, cloning
/// and dropping it never allocates. Made from a `String` the text moves into
/// one shared allocation and clones only bump a reference count.
///
/// Equality, ordering and hashing are those of the text: names made either
/// way are equal when their text is, and a map keyed by `EventName` can be
/// searched with a `&str`.
#[derive(Clone)]
pub struct EventName(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl EventName {
    /// A name referring to static text; usable in constants.
    pub const fn from_static(name: &'static str) -> EventName {
        EventName(Repr::Static(name))
    }

    /// The text of the name.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(name) => name,
            Repr::Shared(name) => name,
        }
    }
}

impl From<&'static str> for EventName {
    #[inline]
    fn from(name: &'static str) -> EventName {
        EventName::from_static(name)
    }
}

impl From<String> for EventName {
    fn from(name: String) -> EventName {
        EventName(Repr::Shared(Arc::from(name)))
    }
}

impl From<Arc<str>> for EventName {
    fn from(name: Arc<str>) -> EventName {
        EventName(Repr::Shared(name))
    }
}

impl Deref for EventName {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for EventName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for EventName {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for EventName {
    #[inline]
    fn eq(&self, other: &EventName) -> bool {
        let (a, b) = (self.as_str(), other.as_str());
        // Clones of one name and names made from one literal share their text.
        (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
    }
}

impl Eq for EventName {}

impl PartialEq<str> for EventName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for EventName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for EventName {
    fn partial_cmp(&self, other: &EventName) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EventName {
    fn cmp(&self, other: &EventName) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for EventName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl Serialize for EventName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The id of an event name within one daemon (or one [`EventNames`]
/// table): resolve a name once with
/// [`Daemon::event_id`](super::Daemon::event_id) and schedule by id in hot
/// paths, so no name is looked up per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u32);

impl EventId {
    /// The id's position in its table.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A table of event names and their ids: the first name added is id 0,
/// the next id 1, and so on.
#[derive(Debug, Clone, Default)]
pub struct EventNames {
    names: Vec<EventName>,
    ids: FxHashMap<EventName, EventId>,
    statics: StaticIds,
}

/// Slots of the cache of static names (a power of two).
const STATIC_SLOTS: usize = 64;

/// The ids of names made from static text, by the address and length of
/// the text, so that a name scheduled by a literal is found without hashing
/// or comparing its text. Static text is never freed nor changed: its
/// address and length stand for the same name for the life of the process.
/// Each slot holds the address (0: empty; no reference is null), the length
/// and the id; two names whose addresses share a slot take turns in it.
#[derive(Clone)]
struct StaticIds([(usize, u32, EventId); STATIC_SLOTS]);

impl Default for StaticIds {
    fn default() -> StaticIds {
        StaticIds([(0, 0, EventId(0)); STATIC_SLOTS])
    }
}

impl fmt::Debug for StaticIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let used = self.0.iter().filter(|slot| slot.0 != 0).count();
        write!(f, "StaticIds({used} cached)")
    }
}

impl StaticIds {
    /// The slot of the text at `address`: the address's bits mixed by a
    /// multiplication, the top ones taken.
    #[inline]
    fn slot(address: usize) -> usize {
        ((address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % STATIC_SLOTS
    }
}

impl EventNames {
    /// An empty table.
    pub fn new() -> EventNames {
        EventNames::default()
    }

    /// The id of `name`, added to the table when it is new.
    #[inline]
    pub fn intern(&mut self, name: impl Into<EventName>) -> EventId {
        let name = name.into();
        match name.0 {
            Repr::Static(text) => self.intern_static(text),
            Repr::Shared(_) => self.intern_text(name),
        }
    }

    /// The id of static `text`: from the cache when it was seen by its
    /// address, else by its text (and cached).
    #[inline]
    fn intern_static(&mut self, text: &'static str) -> EventId {
        let address = text.as_ptr() as usize;
        let slot = StaticIds::slot(address);
        let (cached, len, id) = self.statics.0[slot];
        if cached == address && len as usize == text.len() {
            return id;
        }
        let id = self.intern_text(EventName::from_static(text));
        if let Ok(len) = u32::try_from(text.len()) {
            self.statics.0[slot] = (address, len, id);
        }
        id
    }

    /// The id of `name` found by its text, added to the table when it is new.
    fn intern_text(&mut self, name: EventName) -> EventId {
        if let Some(&id) = self.ids.get(name.as_str()) {
            return id;
        }
        let id = EventId(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    /// The id of `name`, if the table has it.
    pub fn get(&self, name: &str) -> Option<EventId> {
        self.ids.get(name).copied()
    }

    /// The name of `id` (`?` for an id of another table).
    #[inline]
    pub fn name(&self, id: EventId) -> &EventName {
        static UNKNOWN: EventName = EventName::from_static("?");
        self.names.get(id.index()).unwrap_or(&UNKNOWN)
    }

    /// How many names the table holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the table holds no name.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (EventId, &EventName)> {
        self.names
            .iter()
            .enumerate()
            .map(|(index, name)| (EventId(index as u32), name))
    }
}

/// What names an event where one is scheduled: an [`EventId`], or a name
/// (`&'static str`, `String`, [`EventName`]) resolved to its id on the spot.
pub trait IntoEvent {
    /// The event's id in `names`.
    fn into_event(self, names: &mut EventNames) -> EventId;
}

impl IntoEvent for EventId {
    #[inline]
    fn into_event(self, _names: &mut EventNames) -> EventId {
        self
    }
}

impl IntoEvent for &'static str {
    #[inline]
    fn into_event(self, names: &mut EventNames) -> EventId {
        names.intern(self)
    }
}

impl IntoEvent for String {
    fn into_event(self, names: &mut EventNames) -> EventId {
        match names.get(&self) {
            Some(id) => id,
            None => names.intern(self),
        }
    }
}

impl IntoEvent for EventName {
    fn into_event(self, names: &mut EventNames) -> EventId {
        names.intern(self)
    }
}

impl IntoEvent for Arc<str> {
    fn into_event(self, names: &mut EventNames) -> EventId {
        names.intern(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn names_get_ids_in_order_and_keep_them() {
        let mut names = EventNames::new();
        let start = names.intern("start");
        let tick = "tick".into_event(&mut names);
        assert_eq!((start.index(), tick.index()), (0, 1));
        assert_eq!(String::from("tick").into_event(&mut names), tick);
        assert_eq!(EventName::from("start").into_event(&mut names), start);
        let computed: &'static str = Box::leak(String::from("tick").into_boxed_str());
        assert_eq!(
            computed.into_event(&mut names),
            tick,
            "same text, other address"
        );
        assert_eq!(tick.into_event(&mut names), tick);
        assert_eq!(names.get("tick"), Some(tick));
        assert_eq!(names.get("nope"), None);
        assert_eq!(names.name(start), "start");
        assert_eq!(names.len(), 2);
        let listed: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(listed, ["start", "tick"]);
        assert_eq!(EventNames::new().name(tick), "?");
    }

    #[test]
    fn static_names_keep_their_ids_through_the_cache() {
        // more names than the cache has slots: some share a slot
        let texts: Vec<&'static str> = (0..3 * STATIC_SLOTS)
            .map(|i| &*Box::leak(format!("event{i}").into_boxed_str()))
            .collect();
        let mut names = EventNames::new();
        let ids: Vec<EventId> = texts.iter().map(|t| names.intern(*t)).collect();
        for round in 0..3 {
            for (i, text) in texts.iter().enumerate().rev() {
                assert_eq!(names.intern(*text), ids[i], "round {round}: {text}");
                let copy: &'static str = Box::leak(text.to_string().into_boxed_str());
                assert_eq!(names.intern(copy), ids[i], "same text, other address");
                assert_eq!(names.intern(text.to_string()), ids[i]);
            }
        }
        assert_eq!(names.len(), texts.len());
        // an empty name is a name too
        let empty = names.intern("");
        assert_eq!(names.intern(String::new()), empty);
        assert_eq!(names.name(empty), "");
    }

    #[test]
    fn event_names_compare_by_text() {
        let literal = EventName::from("start");
        let owned = EventName::from(String::from("start"));
        const CONST: EventName = EventName::from_static("start");
        assert_eq!(literal, owned);
        assert_eq!(owned, CONST);
        assert_eq!(literal, "start");
        assert_ne!(literal, EventName::from("stop"));
        let (a, b) = (EventName::from("a"), EventName::from(String::from("b")));
        assert!(a < b);
        assert_eq!(b.cmp(&a), Ordering::Greater);
        assert_eq!(
            format!("{literal}|{owned:?}|{:>7}", CONST),
            "start|\"start\"|  start"
        );

        // Static names keep referring to the literal: no copy is made.
        assert_eq!(literal.as_str().as_ptr(), "start".as_ptr());
        // Clones of an owned name share its text.
        let clone = owned.clone();
        assert_eq!(clone.as_str().as_ptr(), owned.as_str().as_ptr());

        let mut map = HashMap::new();
        map.insert(owned, 1);
        map.insert(EventName::from("stop"), 2);
        assert_eq!(map.get("start"), Some(&1));
        assert_eq!(map.get(&literal), Some(&1));
        assert_eq!(map.len(), 2);

        assert_eq!(
            serde_json::to_value(&literal).unwrap(),
            serde_json::json!("start")
        );
    }
}
