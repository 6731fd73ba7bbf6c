//! JSON files as pyzenkit writes them (keys sorted, 4-space indent),
//! written atomically, and JSON objects read with located errors.

use std::ffi::OsStr;
use std::io::{self, ErrorKind as IoErrorKind};
use std::path::Path;

use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::runlog::Runlog;
use crate::{Error, ErrorKind, Result};

use super::*;

/// A borrowed JSON document for [`to_json_pretty`] and the JSON writers: a
/// value, an object or a runlog. `&Value`, `&Map<String, Value>` and
/// `&Runlog` convert into it, so nothing is copied to render them.
#[derive(Debug, Clone, Copy)]
pub enum JsonRef<'a> {
    /// Any JSON value.
    Value(&'a Value),
    /// A JSON object.
    Object(&'a Map<String, Value>),
}

impl<'a> From<&'a Value> for JsonRef<'a> {
    fn from(value: &'a Value) -> Self {
        JsonRef::Value(value)
    }
}

impl<'a> From<&'a Map<String, Value>> for JsonRef<'a> {
    fn from(map: &'a Map<String, Value>) -> Self {
        JsonRef::Object(map)
    }
}

impl<'a> From<&'a Runlog> for JsonRef<'a> {
    fn from(runlog: &'a Runlog) -> Self {
        JsonRef::Object(runlog.as_map())
    }
}

/// Serializes a value with the keys of every object in sorted order,
/// whatever order the map keeps them in (serde_json's `preserve_order`
/// feature keeps insertion order).
pub(super) struct Sorted<'a>(&'a Value);

/// Serializes an object with its keys in sorted order, see [`Sorted`].
pub(super) struct SortedMap<'a>(&'a Map<String, Value>);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Value::Array(items) => serializer.collect_seq(items.iter().map(Sorted)),
            Value::Object(map) => SortedMap(map).serialize(serializer),
            scalar => scalar.serialize(serializer),
        }
    }
}

impl Serialize for SortedMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut entries: Vec<(&String, &Value)> = self.0.iter().collect();
        // Byte order of UTF-8 is code point order, Python's `sort_keys` order.
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        serializer.collect_map(entries.into_iter().map(|(key, value)| (key, Sorted(value))))
    }
}

/// Renders JSON as pyzenkit does: object keys sorted, 4-space indent, no
/// trailing newline.
pub fn to_json_pretty<'a>(value: impl Into<JsonRef<'a>>) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    let rendered = match value.into() {
        JsonRef::Value(value) => Sorted(value).serialize(&mut ser),
        JsonRef::Object(map) => SortedMap(map).serialize(&mut ser),
    };
    rendered.expect("JSON values have string keys and finite numbers, so they always serialize");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes JSON atomically, formatted by [`to_json_pretty`] with a final
/// newline; a new file gets [`FILE_MODE`] (see [`write_atomic`]).
pub fn write_json_atomic<'a>(path: &Path, value: impl Into<JsonRef<'a>>) -> io::Result<()> {
    write_json_atomic_with_mode(path, value, FILE_MODE)
}

/// Writes JSON atomically like [`write_json_atomic`]; a new file gets
/// `default_mode`.
pub fn write_json_atomic_with_mode<'a>(
    path: &Path,
    value: impl Into<JsonRef<'a>>,
    default_mode: u32,
) -> io::Result<()> {
    let mut text = to_json_pretty(value);
    text.push('\n');
    write_atomic(path, text.as_bytes(), default_mode)
}

/// Writes JSON atomically like [`write_json_atomic_with_mode`], removing
/// beforehand the temporary files that dead writers left of any file whose
/// name `stale` accepts (not only of `path`).
pub(crate) fn write_json_atomic_sweeping<'a>(
    path: &Path,
    value: impl Into<JsonRef<'a>>,
    default_mode: u32,
    stale: impl FnMut(&OsStr) -> bool,
) -> io::Result<()> {
    let mut text = to_json_pretty(value);
    text.push('\n');
    write_atomic_sweeping(path, text.as_bytes(), default_mode, stale)
}

/// Reads a file that must hold a JSON object; `Ok(None)` when it does not
/// exist.
///
/// `what` names the file in messages (`"persistent state file"`); every
/// failure is an error of `kind`: an unreadable file, one that is not a
/// regular file (a FIFO, a device) or is larger than
/// [`MAX_DATA_FILE_SIZE`], a syntax error (with the file, line and column)
/// or a value other than an object. Symbolic links are followed.
pub fn read_json_object(
    path: &Path,
    what: &str,
    kind: ErrorKind,
) -> Result<Option<Map<String, Value>>> {
    read_json_object_as(
        path,
        &JsonFile {
            what,
            kind,
            hint: "replace it with a regular file",
            follow_links: true,
        },
    )
}

/// How [`read_json_object_as`] reads a file and reports its failures.
pub(crate) struct JsonFile<'a> {
    /// Names the file in messages: `"persistent state file"`.
    pub what: &'a str,
    /// The kind of every error.
    pub kind: ErrorKind,
    /// What to do about a path that is not a regular file:
    /// `"point --pstate-file at a file"`.
    pub hint: &'a str,
    /// Whether a symbolic link is followed or refused.
    pub follow_links: bool,
}

/// [`read_json_object`] as `file` says.
pub(crate) fn read_json_object_as(
    path: &Path,
    file: &JsonFile<'_>,
) -> Result<Option<Map<String, Value>>> {
    let JsonFile {
        what, kind, hint, ..
    } = *file;
    let mut bytes = Vec::new();
    match read_regular(
        None,
        path,
        file.follow_links,
        MAX_DATA_FILE_SIZE,
        &mut bytes,
    ) {
        Ok(()) => {}
        Err(ReadError::Io(err)) if err.kind() == IoErrorKind::NotFound => return Ok(None),
        Err(err @ ReadError::NotRegular(_)) => {
            return Err(Error::new(
                kind,
                format!("{what} {} {}; {hint}", path.display(), err.what()),
            ))
        }
        Err(err @ ReadError::TooLarge(_)) => {
            return Err(Error::new(
                kind,
                format!(
                    "{what} {} {}; fix or remove the file",
                    path.display(),
                    err.what()
                ),
            ))
        }
        Err(ReadError::Io(err)) => {
            return Err(Error::new(
                kind,
                format!("cannot read {what} {}: {err}", path.display()),
            ))
        }
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(Error::new(
            kind,
            format!(
                "cannot read {what} {}: stream did not contain valid UTF-8",
                path.display()
            ),
        ));
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(other) => Err(Error::new(
            kind,
            format!(
                "{what} {} holds {}, not a JSON object; fix or remove the file",
                path.display(),
                json_kind(&other)
            ),
        )),
        Err(err) => Err(Error::new(
            kind,
            format!(
                "{what} {} is not valid JSON; fix or remove the file",
                json_error_location(path, &err)
            ),
        )),
    }
}

/// `<file>:<line>:<column>: <what is wrong>` for a JSON syntax error in `path`.
pub(crate) fn json_error_location(path: &Path, err: &serde_json::Error) -> String {
    let full = err.to_string();
    // serde_json appends " at line L column C"; the position is already in front.
    let what = match full.rfind(" at line ") {
        Some(at) if err.line() > 0 => &full[..at],
        _ => full.as_str(),
    };
    format!("{}:{}:{}: {what}", path.display(), err.line(), err.column())
}

/// The kind of a JSON value, with an article, for error messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
