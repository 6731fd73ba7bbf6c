//! Message ids: the file names of messages, in Mentat's format.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::time::{SystemTime, UNIX_EPOCH};

/// The id of a message, which is also the name of its file in every
/// directory of the queue.
///
/// An id made by [`DirQueue::enqueue`](crate::DirQueue::enqueue), like one
/// made by Mentat's `DirectoryQueue.enqueue`, is
/// `<host>.<pid>.<seconds>.<microseconds>.<st_dev>.<st_ino>.msg`: the host
/// name and process ID of the writer, the time of the write with six
/// decimals (Python's `f"{time.time():f}"`), and the device and inode
/// numbers of the file, which make the id unique on the file system. Ids of
/// messages that other writers put in a queue may be any file name; the
/// queue takes them as they are, and [`MessageId::parts`] is `None` for
/// them.
///
/// An id dereferences to its text (`&str`), and every method of
/// [`DirQueue`](crate::DirQueue) that takes an id takes anything that is
/// `AsRef<str>`: a `MessageId`, a [`Message`](crate::Message), a `&str` or a
/// `String` (the id as an event of a daemon carries it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(String);

/// The fields of an id in Mentat's format, see [`MessageId::parts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdParts<'a> {
    /// The writer's host name (it may contain dots).
    pub host: &'a str,
    /// The writer's process ID.
    pub pid: u32,
    /// The time of the write: whole seconds since the Unix epoch.
    pub secs: u64,
    /// The time of the write: microseconds past `secs`.
    pub micros: u32,
    /// The device number of the file when it was written.
    pub dev: u64,
    /// The inode number of the file when it was written.
    pub ino: u64,
}

impl MessageId {
    /// The id as text, which is its file name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The fields of the id, when it has Mentat's format (see the type's
    /// documentation); `None` for any other name.
    pub fn parts(&self) -> Option<IdParts<'_>> {
        parse(&self.0)
    }

    /// The id `name`, as it is: the name of a message's file, or the id a
    /// queue backend other than the directory gives its messages.
    pub fn new(name: impl Into<String>) -> MessageId {
        MessageId(name.into())
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Deref for MessageId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for MessageId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for MessageId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for MessageId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for MessageId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl From<MessageId> for String {
    fn from(id: MessageId) -> String {
        id.0
    }
}

/// Parses `<host>.<pid>.<secs>.<micros>.<dev>.<ino>.msg`.
fn parse(name: &str) -> Option<IdParts<'_>> {
    let mut fields = name.rsplitn(7, '.');
    let suffix = fields.next()?;
    let ino = number(fields.next()?)?;
    let dev = number(fields.next()?)?;
    let micros_text = fields.next()?;
    let secs = number(fields.next()?)?;
    let pid = number(fields.next()?)?;
    let host = fields.next()?;
    if suffix != "msg" || host.is_empty() || micros_text.len() != 6 {
        return None;
    }
    Some(IdParts {
        host,
        pid: u32::try_from(pid).ok()?,
        secs,
        micros: u32::try_from(number(micros_text)?).ok()?,
        dev,
        ino,
    })
}

/// A decimal number of ASCII digits only.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The id of a message written now by this process, with the given device
/// and inode numbers (`0.0` for the name of a file still being written).
pub(crate) fn generate(host: &str, dev: u64, ino: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{host}.{}.{}.{:06}.{dev}.{ino}.msg",
        std::process::id(),
        now.as_secs(),
        now.subsec_micros()
    )
}

/// The order in which listed messages are taken: oldest write time first
/// for ids in Mentat's format, then the other names; ties by name.
pub(crate) fn age_key(name: &str) -> (u64, u32, &str) {
    match parse(name) {
        Some(parts) => (parts.secs, parts.micros, name),
        None => (u64::MAX, u32::MAX, name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_mentat_format_are_parsed() {
        let id = MessageId::new("mentat.cesnet.cz.4242.1700000000.012345.2049.131077.msg");
        let parts = id.parts().unwrap();
        assert_eq!(
            parts,
            IdParts {
                host: "mentat.cesnet.cz",
                pid: 4242,
                secs: 1700000000,
                micros: 12345,
                dev: 2049,
                ino: 131077,
            }
        );
        for other in [
            "x.msg",
            "host.1.2.3.4.5.txt",
            ".1.1700000000.000001.0.0.msg",
            "host.1.1700000000.1.0.0.msg",
            "host.-1.1700000000.000001.0.0.msg",
            "host.1.1700000000.000001.0.x.msg",
        ] {
            assert_eq!(MessageId::new(other.to_string()).parts(), None, "{other}");
        }
    }

    #[test]
    fn generated_ids_parse_back() {
        let name = generate("host.example", 7, 9);
        let id = MessageId::new(name);
        let parts = id.parts().unwrap();
        assert_eq!(parts.host, "host.example");
        assert_eq!(parts.pid, std::process::id());
        assert_eq!((parts.dev, parts.ino), (7, 9));
        assert!(parts.micros < 1_000_000);
    }

    #[test]
    fn older_messages_sort_first() {
        let mut names = vec![
            "zzz",
            "b.1.1700000001.000000.0.1.msg",
            "a.1.1700000000.500000.0.2.msg",
            "c.1.1700000000.400000.0.3.msg",
        ];
        names.sort_by_key(|n| age_key(n));
        assert_eq!(
            names,
            [
                "c.1.1700000000.400000.0.3.msg",
                "a.1.1700000000.500000.0.2.msg",
                "b.1.1700000001.000000.0.1.msg",
                "zzz"
            ]
        );
    }
}
