//! Crash-safe file writes, JSON files and directory listings.
//!
//! Every file zenkit writes for the user (persistent state, runlogs, daemon
//! state) goes through [`write_atomic`]: the data lands in a new temporary
//! file in the same directory, is flushed to disk, then renamed over the
//! target and the directory is flushed too. A reader sees the old file or the
//! new one, never an empty or partial one, even if the writer is killed half
//! way.
//!
//! JSON is written as pyzenkit writes it: object keys sorted, 4-space indent.
//!
//! The runtime lists the directories it reads (configuration directory
//! files, PID files, runlogs) here too: the entries a test on their names
//! accepts, in name order.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions, Permissions};
use std::hash::{BuildHasher, RandomState};
use std::io::{self, ErrorKind as IoErrorKind, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::runlog::Runlog;
use crate::{Error, ErrorKind, Result};

/// Default mode of the files zenkit writes (runlogs, dumps): readable by
/// everybody, writable by the owner only.
pub const FILE_MODE: u32 = 0o644;

/// Default mode of files that may hold secrets (the persistent state):
/// readable and writable by the owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// How many temporary names are tried before giving up; a name is taken only
/// when somebody else created a file of the same random name meanwhile.
const TEMP_ATTEMPTS: u32 = 16;

/// Writes `data` to `path` atomically (new temporary file, fsync, rename,
/// fsync of the directory). Missing parent directories are created (when
/// the temporary file cannot be created for their lack, so a directory that
/// exists costs nothing).
///
/// The file gets the mode of the file it replaces without group and world
/// write permission (`mode & !0o022`) or, when `path` names no regular file
/// yet, `default_mode` ([`FILE_MODE`], [`PRIVATE_FILE_MODE`]). The mode is set
/// explicitly, so the umask does not change it.
///
/// The temporary file is `.<file name>.<random>.tmp` beside the target,
/// created exclusively and without following symbolic links: a file or link
/// planted there by somebody else is never written to.
pub fn write_atomic(path: &Path, data: &[u8], default_mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(IoErrorKind::InvalidInput, "path has no file name"))?;
    let mode = target_mode(path, default_mode);
    let (mut file, tmp) = match create_temp(&dir, temp_names(file_name)) {
        Err(err) if lacks_directory(&err) => {
            // For a file where a directory belongs (ENOTDIR) this fails
            // too, and its error says so more plainly.
            fs::create_dir_all(&dir)?;
            create_temp(&dir, temp_names(file_name))?
        }
        created => created?,
    };
    let result = (|| {
        file.set_permissions(Permissions::from_mode(mode))?;
        file.write_all(data)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether creating a file failed because its directory, or a directory
/// above it, is missing (or a file stands where one belongs).
fn lacks_directory(err: &io::Error) -> bool {
    err.kind() == IoErrorKind::NotFound || err.raw_os_error() == Some(nix::libc::ENOTDIR)
}

/// The mode a file written at `path` gets (see [`write_atomic`]).
fn target_mode(path: &Path, default_mode: u32) -> u32 {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => meta.mode() & 0o777 & !0o022,
        _ => default_mode & 0o777,
    }
}

/// Endless random temporary names for `file_name`: `.<file_name>.<hex>.tmp`.
fn temp_names(file_name: &OsStr) -> impl Iterator<Item = OsString> + '_ {
    // `RandomState` keys come from the operating system's random source, so
    // the names cannot be guessed in advance.
    let mut counter = 0u64;
    std::iter::from_fn(move || {
        counter += 1;
        let random = RandomState::new().hash_one((std::process::id(), counter));
        let mut name = OsString::from(".");
        name.push(file_name);
        name.push(format!(".{random:016x}.tmp"));
        Some(name)
    })
}

/// Creates a new file (mode 0600) in `dir` under the first of `names` that
/// is free, trying at most [`TEMP_ATTEMPTS`] names. Existing files and
/// symbolic links are never opened.
fn create_temp(dir: &Path, names: impl Iterator<Item = OsString>) -> io::Result<(File, PathBuf)> {
    for name in names.take(TEMP_ATTEMPTS as usize) {
        let tmp = dir.join(name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
            .mode(PRIVATE_FILE_MODE)
            .open(&tmp)
        {
            Ok(file) => return Ok((file, tmp)),
            Err(err) if err.kind() == IoErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        IoErrorKind::AlreadyExists,
        format!(
            "no free temporary file name in {} after {TEMP_ATTEMPTS} tries",
            dir.display()
        ),
    ))
}

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
struct Sorted<'a>(&'a Value);

/// Serializes an object with its keys in sorted order, see [`Sorted`].
struct SortedMap<'a>(&'a Map<String, Value>);

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

/// Reads a file that must hold a JSON object; `Ok(None)` when it does not
/// exist.
///
/// `what` names the file in messages (`"persistent state file"`); every
/// failure is an error of `kind`: an unreadable file, a syntax error (with
/// the file, line and column) or a value other than an object.
pub fn read_json_object(
    path: &Path,
    what: &str,
    kind: ErrorKind,
) -> Result<Option<Map<String, Value>>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == IoErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(Error::new(
                kind,
                format!("cannot read {what} {}: {err}", path.display()),
            ))
        }
    };
    match serde_json::from_str::<Value>(&text) {
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

/// Which entries [`list_dir`] keeps, besides those its name test refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// Regular files and symbolic links to them; links are followed, so
    /// dangling ones are left out.
    File,
    /// Everything but directories; a symbolic link is not followed and is
    /// kept whatever it points at.
    NotDir,
}

impl EntryKind {
    fn admits(self, entry: &fs::DirEntry) -> bool {
        // The type comes with the listing on most file systems, so only
        // links cost a `stat`.
        let file_type = entry.file_type();
        match self {
            EntryKind::NotDir => file_type.is_ok_and(|t| !t.is_dir()),
            EntryKind::File => match file_type {
                Ok(t) if t.is_file() => true,
                Ok(t) if !t.is_symlink() => false,
                _ => fs::metadata(entry.path()).is_ok_and(|m| m.is_file()),
            },
        }
    }
}

/// The entries of `dir` of `kind` whose names `keep` accepts, as paths into
/// `dir`, in ascending name order.
///
/// Failing to open or to read the directory is returned as it is (a
/// missing directory is [`IoErrorKind::NotFound`]), for the caller to say
/// what the directory was for.
pub(crate) fn list_dir(
    dir: &Path,
    kind: EntryKind,
    mut keep: impl FnMut(&OsStr) -> bool,
) -> io::Result<Vec<PathBuf>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if keep(&name) && kind.admits(&entry) {
            names.push(name);
        }
    }
    names.sort_unstable();
    Ok(names.into_iter().map(|name| dir.join(name)).collect())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn entries(dir: &Path) -> Vec<OsString> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    }

    /// The temporary file name the first version used: predictable.
    fn old_temp_name(dir: &Path, file_name: &str) -> PathBuf {
        dir.join(format!(".{file_name}.{}.tmp", std::process::id()))
    }

    #[test]
    fn writes_sorted_indented_json_with_safe_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        let value = serde_json::json!({"b": 1, "a": {"y": true, "x": null}});
        write_json_atomic(&path, &value).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\n    \"a\": {\n        \"x\": null,\n        \"y\": true\n    },\n    \"b\": 1\n}\n"
        );
        assert_eq!(mode_of(&path), FILE_MODE);
        assert_eq!(
            entries(path.parent().unwrap()),
            ["state.json"],
            "temporary file left behind"
        );
    }

    #[test]
    fn keys_are_sorted_whatever_order_the_map_keeps() {
        // With serde_json's `preserve_order` feature a map keeps insertion
        // order; the rendering must sort all the same.
        let mut inner = Map::new();
        inner.insert("é".into(), Value::from(3));
        inner.insert("z".into(), Value::from(2));
        inner.insert("B".into(), Value::from(1));
        let mut map = Map::new();
        map.insert("list".into(), Value::Array(vec![Value::Object(inner)]));
        map.insert("empty".into(), Value::Object(Map::new()));
        map.insert("a".into(), Value::Null);
        let expected = "{\n    \"a\": null,\n    \"empty\": {},\n    \"list\": [\n        {\n            \"B\": 1,\n            \"z\": 2,\n            \"é\": 3\n        }\n    ]\n}";
        assert_eq!(to_json_pretty(&map), expected);
        assert_eq!(to_json_pretty(&Value::Object(map.clone())), expected);
        assert_eq!(to_json_pretty(&Value::from("x")), "\"x\"");
    }

    #[test]
    fn replaces_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_atomic(&path, b"one", FILE_MODE).unwrap();
        write_atomic(&path, b"two", FILE_MODE).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(entries(dir.path()), ["f"]);
    }

    #[test]
    fn planted_symlink_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("f");
        symlink(&victim, old_temp_name(dir.path(), "f")).unwrap();
        write_atomic(&path, b"data", FILE_MODE).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read(&path).unwrap(), b"data");
        assert!(!fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn planted_world_writable_temporary_file_is_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let planted = old_temp_name(dir.path(), "f");
        fs::write(&planted, "").unwrap();
        fs::set_permissions(&planted, Permissions::from_mode(0o666)).unwrap();
        write_atomic(&path, b"data", FILE_MODE).unwrap();
        assert_eq!(mode_of(&path), FILE_MODE);
        assert_eq!(fs::read(&planted).unwrap(), b"", "planted file written to");
    }

    #[test]
    fn taken_temporary_names_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        fs::write(dir.path().join("taken"), "theirs").unwrap();
        symlink(&victim, dir.path().join("link")).unwrap();
        let names = ["taken", "link", "free"].map(OsString::from).into_iter();
        let (mut file, tmp) = create_temp(dir.path(), names).unwrap();
        file.write_all(b"mine").unwrap();
        assert_eq!(tmp, dir.path().join("free"));
        assert_eq!(mode_of(&tmp), PRIVATE_FILE_MODE);
        assert_eq!(
            fs::read_to_string(dir.path().join("taken")).unwrap(),
            "theirs"
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");

        let names = std::iter::repeat(OsString::from("taken"));
        let err = create_temp(dir.path(), names).unwrap_err();
        assert_eq!(err.kind(), IoErrorKind::AlreadyExists);
    }

    #[test]
    fn temporary_names_differ() {
        let names: Vec<OsString> = temp_names(OsStr::new("app.pstate")).take(3).collect();
        assert_ne!(names[0], names[1]);
        assert_ne!(names[1], names[2]);
        let first = names[0].to_str().unwrap();
        assert!(first.starts_with(".app.pstate.") && first.ends_with(".tmp"));
        assert_ne!(first, format!(".app.pstate.{}.tmp", std::process::id()));
    }

    #[test]
    fn existing_mode_is_kept_without_group_and_world_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        for (before, after) in [
            (0o600, 0o600),
            (0o640, 0o640),
            (0o666, 0o644),
            (0o775, 0o755),
        ] {
            fs::write(&path, "old").unwrap();
            fs::set_permissions(&path, Permissions::from_mode(before)).unwrap();
            write_atomic(&path, b"new", FILE_MODE).unwrap();
            assert_eq!(mode_of(&path), after, "mode {before:o}");
            write_atomic(&path, b"newer", PRIVATE_FILE_MODE).unwrap();
            assert_eq!(mode_of(&path), after, "mode {before:o}, second write");
        }
    }

    #[test]
    fn new_file_gets_the_default_mode() {
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("private");
        write_atomic(&private, b"secret", PRIVATE_FILE_MODE).unwrap();
        assert_eq!(mode_of(&private), PRIVATE_FILE_MODE);
        let public = dir.path().join("public");
        write_json_atomic(&public, &Value::Null).unwrap();
        assert_eq!(mode_of(&public), FILE_MODE);
        let with_mode = dir.path().join("with_mode");
        write_json_atomic_with_mode(&with_mode, &Map::new(), PRIVATE_FILE_MODE).unwrap();
        assert_eq!(mode_of(&with_mode), PRIVATE_FILE_MODE);
        assert_eq!(fs::read_to_string(&with_mode).unwrap(), "{}\n");
    }

    #[test]
    fn symlink_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other");
        fs::write(&other, "other").unwrap();
        fs::set_permissions(&other, Permissions::from_mode(0o666)).unwrap();
        let path = dir.path().join("f");
        symlink(&other, &path).unwrap();
        write_atomic(&path, b"new", PRIVATE_FILE_MODE).unwrap();
        assert_eq!(fs::read_to_string(&other).unwrap(), "other");
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode_of(&path), PRIVATE_FILE_MODE);
    }

    #[test]
    fn failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory at the target: the rename fails.
        let path = dir.path().join("target");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), "x").unwrap();
        assert!(write_atomic(&path, b"data", FILE_MODE).is_err());
        assert_eq!(entries(dir.path()), ["target"]);
    }

    #[test]
    fn read_json_object_reports_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        assert_eq!(
            read_json_object(&path, "test file", ErrorKind::Config).unwrap(),
            None
        );

        fs::write(&path, "{\"b\": [1], \"a\": 2}").unwrap();
        let map = read_json_object(&path, "test file", ErrorKind::Config)
            .unwrap()
            .unwrap();
        assert_eq!(Value::Object(map), serde_json::json!({"a": 2, "b": [1]}));

        fs::write(&path, "{\n  \"a\": 1,\n  oops\n}").unwrap();
        let err = read_json_object(&path, "test file", ErrorKind::Config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(
            err.message(),
            format!(
                "test file {}:3:3: key must be a string is not valid JSON; fix or remove the file",
                path.display()
            )
        );

        fs::write(&path, "true").unwrap();
        let err = read_json_object(&path, "test file", ErrorKind::Runtime).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
        assert_eq!(
            err.message(),
            format!(
                "test file {} holds a boolean, not a JSON object; fix or remove the file",
                path.display()
            )
        );

        let err = read_json_object(dir.path(), "test file", ErrorKind::Setup).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert!(err
            .message()
            .starts_with(&format!("cannot read test file {}: ", dir.path().display())));
    }

    #[test]
    fn missing_directories_are_created_and_a_blocked_path_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/f");
        write_atomic(&path, b"one", FILE_MODE).unwrap();
        write_atomic(&path, b"two", FILE_MODE).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");

        let blocker = dir.path().join("blocker");
        fs::write(&blocker, "a file, not a directory").unwrap();
        for target in [blocker.join("f"), blocker.join("sub/f")] {
            let err = write_atomic(&target, b"x", FILE_MODE).unwrap_err();
            let expected = fs::create_dir_all(target.parent().unwrap()).unwrap_err();
            assert_eq!(
                err.to_string(),
                expected.to_string(),
                "{}",
                target.display()
            );
        }
    }

    #[test]
    fn listings_keep_matching_names_of_the_kind_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in ["b.x", "a.x", "c.y", "ab.x"] {
            fs::write(d.join(name), "").unwrap();
        }
        fs::create_dir(d.join("dir.x")).unwrap();
        symlink(d.join("a.x"), d.join("link.x")).unwrap();
        symlink(d.join("dir.x"), d.join("linked-dir.x")).unwrap();
        symlink(d.join("nowhere"), d.join("dangling.x")).unwrap();
        let names = |kind| -> Vec<String> {
            list_dir(d, kind, |name| name.to_string_lossy().ends_with(".x"))
                .unwrap()
                .into_iter()
                .map(|path| {
                    assert_eq!(path.parent(), Some(d));
                    path.file_name().unwrap().to_string_lossy().into_owned()
                })
                .collect()
        };
        assert_eq!(names(EntryKind::File), ["a.x", "ab.x", "b.x", "link.x"]);
        assert_eq!(
            names(EntryKind::NotDir),
            ["a.x", "ab.x", "b.x", "dangling.x", "link.x", "linked-dir.x"]
        );

        let missing = list_dir(&d.join("missing"), EntryKind::File, |_| true).unwrap_err();
        assert_eq!(missing.kind(), IoErrorKind::NotFound);
        let not_dir = list_dir(&d.join("a.x"), EntryKind::File, |_| true).unwrap_err();
        assert_eq!(not_dir.raw_os_error(), Some(nix::libc::ENOTDIR));
    }
}
