//! journald's native protocol: one datagram per entry, sent to
//! `/run/systemd/journal/socket`, with `PRIORITY` (`crit` for a critical
//! error, `err`, `warning`, `info`, `debug`; trace events are `debug`
//! too), `MESSAGE` (the text of the console line), `SYSLOG_IDENTIFIER`
//! (the application's name), `TARGET`, `CODE_FILE`, `CODE_LINE` and the
//! event's fields as upper-case names (`user_id` → `USER_ID`). A field whose
//! name cannot be a journal field name as it is, or is one of the names
//! above, gets the prefix `F_`.
//!
//! Whether stderr is the journal is decided as systemd documents it: the
//! variable `JOURNAL_STREAM` holds the device and inode of the stream
//! systemd connected, and they must be those of stderr.

use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::UnixDatagram;
use std::path::Path;

use tracing::{Level, Metadata};

use super::record::Record;

/// The socket journald reads entries from.
pub(crate) const SOCKET: &str = "/run/systemd/journal/socket";

/// The variable systemd sets for a service whose stderr is the journal.
pub(crate) const STREAM_VARIABLE: &str = "JOURNAL_STREAM";

/// The names an entry sets itself.
const OWN_FIELDS: [&str; 6] = [
    "PRIORITY",
    "MESSAGE",
    "SYSLOG_IDENTIFIER",
    "TARGET",
    "CODE_FILE",
    "CODE_LINE",
];

/// Whether stderr is the stream `JOURNAL_STREAM` names (`<device>:<inode>`).
pub(crate) fn stderr_is_journal() -> bool {
    match std::env::var(STREAM_VARIABLE) {
        Ok(value) => names_stream(&value, io::stderr()),
        Err(_) => false,
    }
}

/// Whether `value`, a `JOURNAL_STREAM` value, names the file open at `fd`.
fn names_stream(value: &str, fd: impl AsFd) -> bool {
    let Some((dev, ino)) = value.split_once(':') else {
        return false;
    };
    let (Ok(dev), Ok(ino)) = (dev.parse::<u64>(), ino.parse::<u64>()) else {
        return false;
    };
    match nix::sys::stat::fstat(fd.as_fd()) {
        // the types are narrower than u64 on some targets
        #[allow(clippy::useless_conversion)]
        Ok(stat) => u64::from(stat.st_dev) == dev && u64::from(stat.st_ino) == ino,
        Err(_) => false,
    }
}

/// The syslog priority of an event of `level`, by the record's mark.
fn priority(level: &Level, critical: bool) -> u8 {
    match *level {
        Level::ERROR if critical => 2,
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// A connection to journald.
#[derive(Debug)]
pub(crate) struct Journal {
    socket: UnixDatagram,
}

impl Journal {
    /// Connects to journald's socket.
    pub(crate) fn connect() -> io::Result<Journal> {
        Journal::connect_at(Path::new(SOCKET))
    }

    /// Connects to the datagram socket at `path`.
    pub(crate) fn connect_at(path: &Path) -> io::Result<Journal> {
        let socket = UnixDatagram::unbound()?;
        socket.connect(path)?;
        Ok(Journal { socket })
    }

    /// Sends one entry. A record too large for a datagram fails with
    /// `EMSGSIZE`; the caller writes it elsewhere.
    pub(crate) fn send(
        &self,
        identifier: &str,
        meta: &Metadata<'_>,
        record: &Record,
    ) -> io::Result<()> {
        let entry = entry(identifier, &Place::of(meta), record);
        self.socket.send(&entry).map(|_| ())
    }
}

/// Where an event comes from: what of its metadata an entry holds.
struct Place<'a> {
    level: Level,
    target: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
}

impl<'a> Place<'a> {
    fn of(meta: &'a Metadata<'a>) -> Place<'a> {
        Place {
            level: *meta.level(),
            target: meta.target(),
            file: meta.file(),
            line: meta.line(),
        }
    }
}

/// The datagram of one entry.
fn entry(identifier: &str, place: &Place<'_>, record: &Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let priority = priority(&place.level, record.critical).to_string();
    push(&mut out, "PRIORITY", &priority);
    push(&mut out, "MESSAGE", &record.text());
    push(&mut out, "SYSLOG_IDENTIFIER", identifier);
    push(&mut out, "TARGET", place.target);
    if let Some(file) = place.file {
        push(&mut out, "CODE_FILE", file);
    }
    if let Some(line) = place.line {
        push(&mut out, "CODE_LINE", &line.to_string());
    }
    for (name, value) in &record.fields {
        let value = match value {
            super::record::FieldValue::Str(s) => s.clone(),
            other => other.text(),
        };
        push(&mut out, &field_name(name), &value);
    }
    out
}

/// Appends a field: `NAME=value\n`, or for a value with a newline the
/// binary form `NAME\n<length, 64-bit little-endian><value>\n`.
fn push(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    if value.contains('\n') {
        out.push(b'\n');
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    } else {
        out.push(b'=');
    }
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

/// A journal field name for an event field: upper case, characters other
/// than letters, digits and `_` as `_`; `F_` in front of a name that would
/// start with `_` or a digit or is one the entry sets itself. At most 64
/// characters.
fn field_name(name: &str) -> String {
    let mut upper: String = name
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            c @ ('A'..='Z' | '0'..='9' | '_') => c,
            _ => '_',
        })
        .collect();
    let starts_well = upper.starts_with(|c: char| c.is_ascii_uppercase());
    if !starts_well || OWN_FIELDS.contains(&upper.as_str()) {
        upper.insert_str(0, "F_");
    }
    upper.truncate(64);
    upper
}

#[cfg(test)]
mod tests {
    use super::super::record::FieldValue;
    use super::*;

    /// Reads the fields of a native-protocol datagram.
    fn fields(datagram: &[u8]) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        let mut rest = datagram;
        while !rest.is_empty() {
            let end = rest.iter().position(|&b| b == b'\n').unwrap();
            let line = &rest[..end];
            if let Some(eq) = line.iter().position(|&b| b == b'=') {
                let name = String::from_utf8(line[..eq].to_vec()).unwrap();
                fields.push((name, String::from_utf8(line[eq + 1..].to_vec()).unwrap()));
                rest = &rest[end + 1..];
            } else {
                let name = String::from_utf8(line.to_vec()).unwrap();
                let len = u64::from_le_bytes(rest[end + 1..end + 9].try_into().unwrap()) as usize;
                let value = &rest[end + 9..end + 9 + len];
                assert_eq!(rest[end + 9 + len], b'\n');
                fields.push((name, String::from_utf8(value.to_vec()).unwrap()));
                rest = &rest[end + 10 + len..];
            }
        }
        fields
    }

    #[test]
    fn field_names_are_journal_names() {
        assert_eq!(field_name("user_id"), "USER_ID");
        assert_eq!(field_name("a.b-c"), "A_B_C");
        assert_eq!(field_name("_private"), "F__PRIVATE");
        assert_eq!(field_name("9lives"), "F_9LIVES");
        assert_eq!(field_name("priority"), "F_PRIORITY");
        assert_eq!(field_name(&"x".repeat(80)).len(), 64);
    }

    #[test]
    fn priorities_follow_syslog() {
        assert_eq!(priority(&Level::ERROR, true), 2);
        assert_eq!(priority(&Level::ERROR, false), 3);
        assert_eq!(priority(&Level::WARN, false), 4);
        assert_eq!(priority(&Level::INFO, false), 6);
        assert_eq!(priority(&Level::DEBUG, false), 7);
        assert_eq!(priority(&Level::TRACE, false), 7);
    }

    #[test]
    fn entries_reach_the_socket_in_the_native_protocol() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let server = UnixDatagram::bind(&path).unwrap();
        let journal = Journal::connect_at(&path).unwrap();
        let record = Record {
            message: "two\nlines".into(),
            fields: vec![
                ("count", FieldValue::U64(3)),
                ("who", FieldValue::Str("a b".into())),
            ],
            critical: false,
        };
        let place = Place {
            level: Level::WARN,
            target: "demo::db",
            file: Some("src/db.rs"),
            line: Some(7),
        };
        journal
            .socket
            .send(&entry("demo", &place, &record))
            .unwrap();
        let mut buf = vec![0; 4096];
        let n = server.recv(&mut buf).unwrap();
        let fields = fields(&buf[..n]);
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("PRIORITY"), Some("4"));
        assert_eq!(get("MESSAGE"), Some("two\nlines count=3 who=\"a b\""));
        assert_eq!(get("SYSLOG_IDENTIFIER"), Some("demo"));
        assert_eq!(get("TARGET"), Some("demo::db"));
        assert_eq!(get("CODE_FILE"), Some("src/db.rs"));
        assert_eq!(get("CODE_LINE"), Some("7"));
        assert_eq!(get("COUNT"), Some("3"));
        assert_eq!(get("WHO"), Some("a b"));
    }

    #[test]
    fn journal_stream_must_name_the_open_stream() {
        let file = tempfile::tempfile().unwrap();
        let stat = nix::sys::stat::fstat(file.as_fd()).unwrap();
        let value = format!("{}:{}", stat.st_dev, stat.st_ino);
        assert!(names_stream(&value, &file));
        let other = tempfile::tempfile().unwrap();
        assert!(!names_stream(&value, &other));
        assert!(!names_stream("", &file));
        assert!(!names_stream(&format!("{}", stat.st_dev), &file));
        assert!(!names_stream("x:y", &file));
    }
}
