//! Crash-safe file writes, JSON files and directory listings.
//!
//! Every file zenkit writes for the user (persistent state, runlogs, daemon
//! state) goes through [`write_atomic`]: the data lands in a new temporary
//! file in the same directory, is flushed to disk, then renamed over the
//! target and the directory is flushed too. A reader sees the old file or the
//! new one, never an empty or partial one, even if the writer is killed half
//! way. A writer killed half way leaves its temporary file behind; the next
//! write of the same file removes it once that writer is gone
//! ([`write_atomic`]).
//!
//! The files zenkit reads (configuration, persistent state, runlogs) must be
//! regular files: a FIFO or a device is refused without blocking on it, and
//! so is a file over a size limit ([`MAX_CONFIG_FILE_SIZE`],
//! [`MAX_DATA_FILE_SIZE`]).
//!
//! JSON is written as pyzenkit writes it: object keys sorted, 4-space indent.
//!
//! The runtime lists the directories it reads (configuration directory
//! files, PID files, runlogs) here too: the entries a test on their names
//! accepts, in name order.
//!
//! ```
//! use serde_json::json;
//! use zenkit::fs::{read_json_object, write_atomic, write_json_atomic};
//! use zenkit::ErrorKind;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("state.json");
//! write_json_atomic(&path, &json!({"runs": 3}))?;
//! let state = read_json_object(&path, "state file", ErrorKind::Setup)?;
//! assert_eq!(state.unwrap()["runs"], 3);
//! let absent = read_json_object(&dir.path().join("none.json"), "state file", ErrorKind::Setup)?;
//! assert!(absent.is_none());
//!
//! // any bytes, with the mode a new file gets
//! write_atomic(&dir.path().join("report.txt"), b"all good\n", 0o640)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod atomic;
mod json;
mod list;
mod read;

pub use atomic::write_atomic;
pub(crate) use atomic::write_atomic_sweeping;
pub use json::{
    read_json_object, to_json_pretty, write_json_atomic, write_json_atomic_with_mode, JsonRef,
};
pub(crate) use json::{read_json_object_as, write_json_atomic_sweeping, JsonFile};
pub(crate) use list::{list_dir, EntryKind};
pub use read::describe;
pub(crate) use read::{open_checked, read_bounded, read_regular, ReadError};

/// Default mode of the files zenkit writes (runlogs, dumps): readable by
/// everybody, writable by the owner only.
pub const FILE_MODE: u32 = 0o644;

/// Default mode of files that may hold secrets (the persistent state):
/// readable and writable by the owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Largest configuration file read: 16 MiB.
pub const MAX_CONFIG_FILE_SIZE: u64 = 16 << 20;

/// Largest JSON data file read (persistent state, runlog): 256 MiB.
pub const MAX_DATA_FILE_SIZE: u64 = 256 << 20;

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::{OsStr, OsString};
    use std::fs::{self, File, Permissions};
    use std::io::{ErrorKind as IoErrorKind, Write};
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;

    use crate::ErrorKind;
    use nix::sys::stat::Mode;
    use std::path::{Path, PathBuf};

    use super::atomic::*;
    use super::list::*;
    use super::read::*;
    use serde_json::{Map, Value};
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
        nix::unistd::mkfifo(&d.join("fifo.x"), Mode::from_bits_truncate(0o600)).unwrap();
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
        assert_eq!(names(EntryKind::Regular), ["a.x", "ab.x", "b.x"]);
        assert_eq!(
            names(EntryKind::Followed),
            ["a.x", "ab.x", "b.x", "fifo.x", "link.x"]
        );
        assert_eq!(
            names(EntryKind::NotDir),
            [
                "a.x",
                "ab.x",
                "b.x",
                "dangling.x",
                "fifo.x",
                "link.x",
                "linked-dir.x"
            ]
        );

        let missing = list_dir(&d.join("missing"), EntryKind::Regular, |_| true).unwrap_err();
        assert_eq!(missing.kind(), IoErrorKind::NotFound);
        let not_dir = list_dir(&d.join("a.x"), EntryKind::Regular, |_| true).unwrap_err();
        assert_eq!(not_dir.raw_os_error(), Some(nix::libc::ENOTDIR));
    }

    /// A process ID that no process has: the highest free one below the
    /// kernel's limit.
    fn dead_pid() -> i32 {
        let max = fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
            .unwrap_or(32768);
        (2..max)
            .rev()
            .find(|&pid| process_is_gone(pid))
            .expect("a free process ID")
    }

    fn read(path: &Path, follow: bool, limit: u64) -> std::result::Result<Vec<u8>, ReadError> {
        let mut buf = b"old".to_vec();
        read_regular(None, path, follow, limit, &mut buf).map(|()| buf)
    }

    fn refused_as(result: std::result::Result<Vec<u8>, ReadError>) -> String {
        match result {
            Err(err @ (ReadError::NotRegular(_) | ReadError::TooLarge(_))) => err.what(),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn temporary_names_carry_the_writers_pid() {
        let name = temp_names(OsStr::new("app.pstate")).next().unwrap();
        assert_eq!(
            parse_temp_name(&name),
            Some((OsStr::new("app.pstate"), std::process::id() as i32))
        );
        for (name, parsed) in [
            (".a.b.12.0123456789abcdef.tmp", Some(("a.b", 12))),
            (".x.1.ffffffffffffffff.tmp", Some(("x", 1))),
            (".x.0.0123456789abcdef.tmp", None),
            (".x.012.0123456789abcdef.tmp", None),
            (".x.-3.0123456789abcdef.tmp", None),
            (".x.+3.0123456789abcdef.tmp", None),
            (".x.99999999999.0123456789abcdef.tmp", None),
            (".x.12.0123456789ABCDEF.tmp", None),
            (".x.12.0123456789abcde.tmp", None),
            (".x.12.0123456789abcdef.tmp~", None),
            ("x.12.0123456789abcdef.tmp", None),
            ("..12.0123456789abcdef.tmp", None),
            (".12.0123456789abcdef.tmp", None),
            (".x.0123456789abcdef.tmp", None),
            (".x.12.tmp", None),
        ] {
            let expected = parsed.map(|(n, pid)| (OsStr::new(n), pid));
            assert_eq!(parse_temp_name(OsStr::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn leftovers_of_dead_writers_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = dead_pid();
        let ours = std::process::id();
        let random = "0123456789abcdef";
        let stale = format!(".f.{dead}.{random}.tmp");
        let live = format!(".f.{ours}.{random}.tmp");
        let init = format!(".f.1.{random}.tmp");
        let other_file = format!(".g.{dead}.{random}.tmp");
        let old_pattern = format!(".f.{random}.tmp");
        let dead_link = format!(".f.{dead}.fedcba9876543210.tmp");
        let dead_dir = format!(".f.{dead}.0000000000000000.tmp");
        for name in [&stale, &live, &init, &other_file, &old_pattern] {
            fs::write(d.join(name), "partial").unwrap();
        }
        fs::write(d.join("victim"), "precious").unwrap();
        symlink(d.join("victim"), d.join(&dead_link)).unwrap();
        fs::create_dir(d.join(&dead_dir)).unwrap();

        remove_stale_temps(d, |name| name == "f");
        let mut expected: Vec<OsString> = [
            &live,
            &init,
            &other_file,
            &old_pattern,
            &dead_link,
            &dead_dir,
        ]
        .iter()
        .map(OsString::from)
        .collect();
        expected.push("victim".into());
        expected.sort();
        assert_eq!(entries(d), expected);
        assert_eq!(fs::read_to_string(d.join("victim")).unwrap(), "precious");

        remove_stale_temps(&d.join("missing"), |_| true);
    }

    #[test]
    fn a_write_removes_the_leftovers_of_its_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = dead_pid();
        let stale = format!(".f.{dead}.0123456789abcdef.tmp");
        let other = format!(".g.{dead}.0123456789abcdef.tmp");
        fs::write(d.join(&stale), "partial").unwrap();
        fs::write(d.join(&other), "partial").unwrap();
        write_atomic(&d.join("f"), b"data", FILE_MODE).unwrap();
        assert_eq!(entries(d), [OsString::from(&other), OsString::from("f")]);

        let json = d.join("x.runlog");
        let runlog_leftover = format!(".y.runlog.{dead}.0123456789abcdef.tmp");
        fs::write(d.join(&runlog_leftover), "partial").unwrap();
        let is_runlog = |name: &OsStr| name.as_bytes().ends_with(b".runlog");
        write_json_atomic_sweeping(&json, &Value::Null, FILE_MODE, is_runlog).unwrap();
        assert!(!d.join(&runlog_leftover).exists());
        assert!(d.join(&other).exists());
    }

    #[test]
    fn regular_files_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, "0123456789").unwrap();
        assert_eq!(read(&path, false, 10).unwrap(), b"0123456789");
        assert_eq!(refused_as(read(&path, false, 9)), "is larger than 9 bytes");

        let link = dir.path().join("link");
        symlink(&path, &link).unwrap();
        assert_eq!(read(&link, true, 100).unwrap(), b"0123456789");
        assert_eq!(
            refused_as(read(&link, false, 100)),
            "is not a regular file (a symbolic link)"
        );

        let dir_file = File::open(dir.path()).unwrap();
        let mut buf = Vec::new();
        read_regular(Some(&dir_file), &dir.path().join("f"), false, 100, &mut buf).unwrap();
        assert_eq!(buf, b"0123456789");

        let missing = read(&dir.path().join("missing"), true, 100).unwrap_err();
        assert!(matches!(missing, ReadError::Io(ref e) if e.kind() == IoErrorKind::NotFound));
        let is_dir = read(dir.path(), true, 100).unwrap_err();
        assert!(
            matches!(is_dir, ReadError::Io(ref e) if e.raw_os_error() == Some(nix::libc::EISDIR))
        );
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o600)).unwrap();
        let linked_fifo = dir.path().join("linked-fifo");
        symlink(&fifo, &linked_fifo).unwrap();
        let socket = dir.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        for (path, kind) in [
            (fifo.as_path(), "a FIFO"),
            (linked_fifo.as_path(), "a FIFO"),
            (socket.as_path(), "a socket"),
            (Path::new("/dev/zero"), "a character device"),
            (Path::new("/dev/null"), "a character device"),
        ] {
            assert_eq!(
                refused_as(read(path, true, MAX_CONFIG_FILE_SIZE)),
                format!("is not a regular file ({kind})"),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn reading_stops_past_the_limit_whatever_the_size_says() {
        // Files in /proc claim size 0.
        let path = Path::new("/proc/self/status");
        assert_eq!(fs::metadata(path).unwrap().len(), 0);
        assert_eq!(refused_as(read(path, true, 10)), "is larger than 10 bytes");
        assert!(!read(path, true, 1 << 20).unwrap().is_empty());

        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("huge");
        File::create(&huge)
            .unwrap()
            .set_len(MAX_CONFIG_FILE_SIZE + 1)
            .unwrap();
        assert_eq!(
            refused_as(read(&huge, true, MAX_CONFIG_FILE_SIZE)),
            "is larger than 16 MiB"
        );
        assert_eq!(Size(MAX_DATA_FILE_SIZE).to_string(), "256 MiB");
        assert_eq!(Size(2048).to_string(), "2 KiB");
    }

    #[test]
    fn json_objects_are_read_from_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o600)).unwrap();
        let err = read_json_object(&fifo, "test file", ErrorKind::Setup).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert_eq!(
            err.message(),
            format!(
                "test file {} is not a regular file (a FIFO); replace it with a regular file",
                fifo.display()
            )
        );

        let path = dir.path().join("x.json");
        fs::write(&path, "{}").unwrap();
        let link = dir.path().join("link.json");
        symlink(&path, &link).unwrap();
        let file = JsonFile {
            what: "test file",
            kind: ErrorKind::Runtime,
            hint: "do something",
            follow_links: false,
        };
        assert_eq!(read_json_object_as(&path, &file).unwrap(), Some(Map::new()));
        let err = read_json_object_as(&link, &file).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "test file {} is not a regular file (a symbolic link); do something",
                link.display()
            )
        );

        fs::write(&path, b"{\"a\": \"\xff\"}").unwrap();
        let err = read_json_object_as(&path, &file).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "cannot read test file {}: stream did not contain valid UTF-8",
                path.display()
            )
        );
    }
}
