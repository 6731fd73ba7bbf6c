//! The queue's protocol, durability, locking, recovery and safety checks.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use serde_json::json;
use zenkit::ErrorKind;
use zenkit_filer::{DirQueue, Options, Rescan};

mod support;
use support::{lockable, names};

/// The names in `tmp/` that are not the queue's own spare files, checking
/// that every spare is locked by a live queue.
fn writer_files(tmp: &Path) -> Vec<String> {
    let (spares, others): (Vec<String>, Vec<String>) = names(tmp)
        .into_iter()
        .partition(|name| name.ends_with(".spare"));
    for spare in spares {
        assert!(!lockable(&tmp.join(&spare)), "spare {spare} is locked");
    }
    others
}

fn with_next(next: &Path) -> Options {
    Options {
        next: Some(next.to_path_buf()),
        ..Options::default()
    }
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

#[test]
fn messages_go_from_incoming_through_pending_to_the_next_queue() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut queue = DirQueue::open(&dir, with_next(&next_dir)).unwrap();
    for sub in ["incoming", "pending", "tmp", "errors"] {
        assert!(dir.join(sub).is_dir(), "{sub}");
        assert!(next_dir.join(sub).is_dir(), "next {sub}");
    }
    assert_eq!(queue.next_queue_len(), Some(0));

    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(queue.enqueue(format!("message {n}").as_bytes()).unwrap());
        std::thread::sleep(Duration::from_millis(2));
    }
    let host = nix::unistd::gethostname().unwrap().into_string().unwrap();
    for id in &ids {
        let parts = id.parts().expect("Mentat's id format");
        assert_eq!(parts.host, host);
        assert_eq!(parts.pid, std::process::id());
        let meta = fs::metadata(dir.join("incoming").join(id.as_str())).unwrap();
        assert_eq!((parts.dev, parts.ino), (meta.dev(), meta.ino()));
        assert!(id.ends_with(".msg"));
    }
    assert_eq!(names(&dir.join("tmp")), Vec::<String>::new());
    assert_eq!(queue.count_incoming().unwrap(), 3);

    // Oldest first.
    for (n, id) in ids.iter().enumerate() {
        let message = queue.next().unwrap().expect("a message");
        assert_eq!(message.id(), id);
        assert_eq!(message.data(), format!("message {n}").as_bytes());
        assert!(dir.join("pending").join(id.as_str()).is_file());
        assert!(queue.is_held(&message));
        queue.commit(&message).unwrap();
        assert!(!queue.is_held(&message));
        assert_eq!(
            fs::read(next_dir.join("incoming").join(id.as_str())).unwrap(),
            message.data()
        );
    }
    assert!(queue.next().unwrap().is_none());
    assert_eq!(queue.count_pending().unwrap(), 0);
    assert_eq!(queue.count_incoming().unwrap(), 0);
    assert_eq!(names(&next_dir.join("tmp")), Vec::<String>::new());
    assert_eq!(queue.next_queue_len(), Some(3));
    assert_eq!(queue.recount_next().unwrap(), Some(3));
    let stats = queue.stats();
    assert_eq!(
        (stats.cnt_enqueued, stats.cnt_fetched, stats.cnt_committed),
        (3, 3, 3)
    );
    assert_eq!(stats.cnt_errors, 0);
}

#[test]
fn committing_without_a_next_queue_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut queue = DirQueue::open(dir.path(), Options::default()).unwrap();
    queue.enqueue(b"x").unwrap();
    let message = queue.next().unwrap().unwrap();
    queue.commit(message.id()).unwrap();
    assert_eq!(queue.count_pending().unwrap(), 0);
    assert_eq!(queue.next_queue_len(), None);
    assert_eq!(queue.recount_next().unwrap(), None);
}

#[test]
fn every_publishing_step_is_flushed_and_counted() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir, out) = (
        spool.path().join("a"),
        spool.path().join("b"),
        spool.path().join("out"),
    );
    fs::create_dir(&out).unwrap();
    let mut queue = DirQueue::open(&dir, with_next(&next_dir)).unwrap();
    let mut fsyncs = 0;
    let mut step = |queue: &DirQueue, expected: u64, what: &str| {
        fsyncs += expected;
        assert_eq!(queue.stats().fsyncs, fsyncs, "{what}");
    };
    for _ in 0..5 {
        queue.enqueue(b"data").unwrap();
    }
    step(&queue, 10, "enqueue: the file and incoming/");
    let a = queue.next().unwrap().unwrap();
    step(&queue, 0, "next: nothing");
    queue.update(&a, b"new").unwrap();
    step(&queue, 1, "update: the new file");
    queue.commit(&a).unwrap();
    step(&queue, 1, "commit: the next queue's incoming/");
    let b = queue.next().unwrap().unwrap();
    queue.banish(&b, Some(&json!({"reason": "test"}))).unwrap();
    step(&queue, 2, "banish: the .meta file and errors/");
    let c = queue.next().unwrap().unwrap();
    queue.banish(&c, None).unwrap();
    step(&queue, 1, "banish without metadata: errors/");
    let d = queue.next().unwrap().unwrap();
    queue.duplicate(&d, &out, Some(&json!({}))).unwrap();
    step(&queue, 3, "duplicate: the copy, the .meta file, the target");
    queue.cancel(&d).unwrap();
    step(&queue, 0, "cancel: nothing");
    let e = queue.next().unwrap().unwrap();
    queue
        .dispatch(&e, &out, Some(&json!({"to": "out"})))
        .unwrap();
    step(&queue, 2, "dispatch: the .meta file, the target");
}

#[test]
fn held_messages_stay_locked_until_they_are_finished() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut queue = DirQueue::open(&dir, with_next(&next_dir)).unwrap();
    queue.enqueue(b"old content").unwrap();
    let message = queue.next().unwrap().unwrap();
    let pending = dir.join("pending").join(message.id().as_str());
    assert!(!lockable(&pending));

    let before = fs::metadata(&pending).unwrap().ino();
    queue.update(&message, b"new content").unwrap();
    assert_eq!(fs::read(&pending).unwrap(), b"new content");
    assert_ne!(
        fs::metadata(&pending).unwrap().ino(),
        before,
        "a new file renamed over the old one"
    );
    assert!(
        !lockable(&pending),
        "the new file is locked before it is renamed in"
    );
    assert_eq!(writer_files(&dir.join("tmp")), Vec::<String>::new());
    assert_eq!(queue.stats().cnt_updated, 1);

    queue.commit(&message).unwrap();
    let handed_on = next_dir.join("incoming").join(message.id().as_str());
    assert_eq!(fs::read(&handed_on).unwrap(), b"new content");
    assert!(lockable(&handed_on), "released in the next queue");
}

#[test]
fn banished_messages_get_metadata_as_python_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut queue = DirQueue::open(dir.path(), Options::default()).unwrap();
    queue.enqueue(b"{broken").unwrap();
    queue.enqueue(b"").unwrap();
    let broken = queue.next().unwrap().unwrap();
    assert!(!broken.is_blank());
    let meta =
        json!({"reason": "invalid JSON: naïve", "line": 1, "details": {"b": [1, 2], "a": null}});
    queue.banish(&broken, Some(&meta)).unwrap();
    let errors = dir.path().join("errors");
    let id = broken.id().as_str();
    assert_eq!(fs::read(errors.join(id)).unwrap(), b"{broken");
    assert_eq!(
        fs::read_to_string(errors.join(format!("{id}.meta"))).unwrap(),
        "{\n    \"details\": {\n        \"a\": null,\n        \"b\": [\n            1,\n            2\n        ]\n    },\n    \"line\": 1,\n    \"reason\": \"invalid JSON: na\\u00efve\"\n}"
    );
    let empty = queue.next().unwrap().unwrap();
    assert!(empty.is_blank());
    queue.banish(&empty, None).unwrap();
    assert!(!errors.join(format!("{}.meta", empty.id())).exists());
    assert_eq!(
        queue.count_errors().unwrap(),
        2,
        ".meta files are not counted"
    );
    assert_eq!(queue.count_pending().unwrap(), 0);
    assert!(lockable(&errors.join(id)));
    assert_eq!(queue.stats().cnt_banished, 2);
}

#[test]
fn cancel_dispatch_and_duplicate() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let out = spool.path().join("out");
    fs::create_dir(&out).unwrap();
    let mut queue = DirQueue::open(&dir, Options::default()).unwrap();
    for data in ["one", "two", "three"] {
        queue.enqueue(data.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    let one = queue.next().unwrap().unwrap();
    queue.cancel(&one).unwrap();
    assert!(!dir.join("pending").join(one.id().as_str()).exists());

    let two = queue.next().unwrap().unwrap();
    queue
        .duplicate(&two, &out, Some(&json!({"copy": true})))
        .unwrap();
    assert!(queue.is_held(&two), "the original stays taken");
    assert_eq!(fs::read(out.join(two.id().as_str())).unwrap(), b"two");
    assert_eq!(
        fs::read_to_string(out.join(format!("{}.meta", two.id()))).unwrap(),
        "{\n    \"copy\": true\n}"
    );
    queue.update(&two, b"two, updated").unwrap();
    queue.commit(&two).unwrap();
    assert_eq!(
        fs::read(out.join(two.id().as_str())).unwrap(),
        b"two",
        "a copy"
    );

    let three = queue.next().unwrap().unwrap();
    queue.dispatch(three.id(), &out, None).unwrap();
    assert_eq!(fs::read(out.join(three.id().as_str())).unwrap(), b"three");
    assert_eq!(writer_files(&dir.join("tmp")), Vec::<String>::new());
    assert_eq!(queue.count_pending().unwrap(), 0);
    let err = queue
        .dispatch(three.id(), &out, None)
        .expect_err("no longer held");
    assert!(err.message().contains("is not held"), "{err}");
    let stats = queue.stats();
    assert_eq!(
        (
            stats.cnt_canceled,
            stats.cnt_duplicated,
            stats.cnt_dispatched,
            stats.cnt_errors
        ),
        (1, 1, 1, 1)
    );
}

#[test]
fn a_target_that_is_no_directory_is_refused_and_the_message_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut queue = DirQueue::open(dir.path().join("q"), Options::default()).unwrap();
    queue.enqueue(b"x").unwrap();
    let message = queue.next().unwrap().unwrap();
    let missing = dir.path().join("missing");
    let err = queue.dispatch(&message, &missing, None).unwrap_err();
    assert!(
        err.message()
            .starts_with(&format!("cannot use directory {}", missing.display())),
        "{err}"
    );
    assert!(err.downcast_ref::<std::io::Error>().is_some());
    assert!(queue.is_held(&message));
    queue.commit(&message).unwrap();
}

#[test]
fn blank_messages_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let mut queue = DirQueue::open(dir.path(), Options::default()).unwrap();
    let cases: [(&[u8], bool); 7] = [
        (b"", true),
        (b" \n\t\r", true),
        ("\u{1c}\u{a0}\u{2003}".as_bytes(), true),
        (b" x ", false),
        (b"{}", false),
        (b"\xff\xfe", false),
        (b"\0", false),
    ];
    for (data, _) in cases {
        queue.enqueue(data).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    for (data, blank) in cases {
        let message = queue.next().unwrap().unwrap();
        assert_eq!(message.data(), data);
        assert_eq!(message.is_blank(), blank, "{data:?}");
        assert_eq!(message.text().is_some(), data != b"\xff\xfe");
        queue.cancel(&message).unwrap();
    }
}

#[test]
fn ids_not_held_are_refused_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut queue = DirQueue::open(dir.path(), Options::default()).unwrap();
    let id = queue.enqueue(b"x").unwrap();
    let err = queue.commit(&id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
    assert!(err
        .message()
        .starts_with(&format!("message {id} is not held")));
    assert!(queue.banish("../../etc/passwd", None).is_err());
    assert!(queue.update("whatever", b"").is_err());
    assert_eq!(queue.stats().cnt_errors, 3);
    assert_eq!(queue.count_incoming().unwrap(), 1, "untouched");
}

#[test]
fn messages_of_a_dropped_queue_are_recovered_when_asked() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let mut first = DirQueue::open(&dir, Options::default()).unwrap();
    for n in 0..3 {
        first.enqueue(format!("{n}").as_bytes()).unwrap();
    }
    let taken: BTreeSet<String> = (0..2)
        .map(|_| first.next().unwrap().unwrap().id().to_string())
        .collect();
    // The locks go with the open files, as with a process that died.
    drop(first);

    let without = DirQueue::open(&dir, Options::default()).unwrap();
    assert_eq!(
        without.count_pending().unwrap(),
        2,
        "no recovery by default"
    );
    drop(without);

    let recovering = Options {
        recover: true,
        ..Options::default()
    };
    let mut second = DirQueue::open(&dir, recovering).unwrap();
    assert_eq!(second.stats().cnt_recovered, 2);
    assert_eq!(second.stats().fsyncs, 1, "incoming/ flushed once");
    assert_eq!(second.count_pending().unwrap(), 0);
    assert_eq!(second.count_incoming().unwrap(), 3);
    let mut seen = BTreeSet::new();
    while let Some(message) = second.next().unwrap() {
        seen.insert(message.id().to_string());
        second.commit(&message).unwrap();
    }
    assert_eq!(seen.len(), 3);
    assert!(taken.is_subset(&seen));
}

#[test]
fn messages_of_a_live_queue_are_never_recovered() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut owner = DirQueue::open(&dir, with_next(&next_dir)).unwrap();
    owner.enqueue(b"one").unwrap();
    owner.enqueue(b"two").unwrap();
    let one = owner.next().unwrap().unwrap();
    let two = owner.next().unwrap().unwrap();
    owner.update(&two, b"two, updated").unwrap();

    let mut other = DirQueue::open(
        &dir,
        Options {
            recover: true,
            ..with_next(&next_dir)
        },
    )
    .unwrap();
    assert_eq!(other.recover().unwrap(), 0);
    assert_eq!(
        other.rescan().unwrap(),
        Rescan {
            incoming: 0,
            recovered: 0,
            next_queue_len: Some(0),
            others_pending: 2,
        }
    );
    assert!(other.next().unwrap().is_none());
    assert_eq!(owner.recover().unwrap(), 0, "its own are left alone too");
    owner.commit(&one).unwrap();
    owner.commit(&two).unwrap();
    assert_eq!(
        fs::read(next_dir.join("incoming").join(two.id().as_str())).unwrap(),
        b"two, updated"
    );
    assert_eq!(other.stats().cnt_recovered, 0);
}

/// The next queue's length is counted once, follows the commits, and is
/// recounted on demand.
#[test]
fn the_next_queue_length_is_estimated_between_recounts() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut producer = DirQueue::open(&next_dir, Options::default()).unwrap();
    producer.enqueue(b"early 1").unwrap();
    producer.enqueue(b"early 2").unwrap();

    let mut queue = DirQueue::open(&dir, with_next(&next_dir)).unwrap();
    assert_eq!(queue.next_queue_len(), Some(2));
    for _ in 0..3 {
        queue.enqueue(b"x").unwrap();
    }
    while let Some(message) = queue.next().unwrap() {
        queue.commit(&message).unwrap();
    }
    assert_eq!(queue.next_queue_len(), Some(5));

    // The next stage takes four meanwhile: the estimate errs high.
    for _ in 0..4 {
        let message = producer.next().unwrap().unwrap();
        producer.commit(&message).unwrap();
    }
    assert_eq!(queue.next_queue_len(), Some(5));
    assert_eq!(queue.recount_next().unwrap(), Some(1));
    assert_eq!(queue.next_queue_len(), Some(1));
    producer.enqueue(b"late").unwrap();
    assert_eq!(queue.rescan().unwrap().next_queue_len, Some(2));
    assert_eq!(queue.next_queue_len(), Some(2));
}

#[test]
fn entries_that_are_no_messages_are_banished_without_being_opened() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let mut queue = DirQueue::open(&dir, Options::default()).unwrap();
    let incoming = dir.join("incoming");
    let secret = spool.path().join("secret");
    fs::write(&secret, "precious").unwrap();
    symlink(&secret, incoming.join("link.msg")).unwrap();
    nix::unistd::mkfifo(
        &incoming.join("fifo.msg"),
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .unwrap();
    fs::create_dir(incoming.join("dir.msg")).unwrap();
    let bad_name = OsStr::from_bytes(b"bad\xff.msg");
    fs::write(incoming.join(bad_name), "x").unwrap();
    let id = queue.enqueue(b"real").unwrap();

    let message = queue.next().unwrap().expect("the real message");
    assert_eq!(message.id(), &id);
    assert!(queue.next().unwrap().is_none());
    assert_eq!(queue.count_incoming().unwrap(), 0);

    let errors = dir.join("errors");
    let reason = |name: &str| -> String {
        let text = fs::read_to_string(errors.join(format!("{name}.meta"))).unwrap();
        let meta: serde_json::Value = serde_json::from_str(&text).unwrap();
        meta["reason"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        reason("link.msg"),
        "it is not a regular file but a symbolic link"
    );
    assert_eq!(reason("fifo.msg"), "it is not a regular file but a FIFO");
    assert_eq!(
        reason("dir.msg"),
        "it is not a regular file but a directory"
    );
    assert!(fs::symlink_metadata(errors.join("link.msg"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&secret).unwrap(), "precious");
    let mut meta_name = bad_name.to_os_string();
    meta_name.push(".meta");
    assert!(errors.join(bad_name).is_file());
    assert!(errors.join(meta_name).is_file());
    assert_eq!(queue.count_errors().unwrap(), 4);
    assert_eq!(queue.stats().cnt_banished, 4);
}

#[test]
fn messages_over_the_size_limit_are_banished() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        max_message_size: 10,
        ..Options::default()
    };
    let mut queue = DirQueue::open(dir.path(), options).unwrap();
    queue.enqueue(b"0123456789A").unwrap();
    queue.enqueue(b"0123456789").unwrap();
    let message = queue.next().unwrap().expect("the one within the limit");
    assert_eq!(message.data(), b"0123456789");
    assert_eq!(queue.count_errors().unwrap(), 1);
    let errors = dir.path().join("errors");
    let meta = names(&errors)
        .into_iter()
        .find(|n| n.ends_with(".meta"))
        .unwrap();
    assert_eq!(
        fs::read_to_string(errors.join(meta)).unwrap(),
        "{\n    \"reason\": \"the message is larger than 10 bytes\"\n}"
    );
}

#[test]
fn a_next_queue_on_another_file_system_gets_copies() {
    let shm = Path::new("/dev/shm");
    let spool = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir_in(shm).unwrap();
    let same_fs =
        fs::metadata(spool.path()).unwrap().dev() == fs::metadata(other.path()).unwrap().dev();
    if same_fs {
        eprintln!("skipped: /dev/shm is on the file system of the temporary directory");
        return;
    }
    let next_dir = other.path().join("next");
    let mut queue = DirQueue::open(spool.path().join("q"), with_next(&next_dir)).unwrap();
    queue.enqueue(b"far away").unwrap();
    let message = queue.next().unwrap().unwrap();
    let fsyncs = queue.stats().fsyncs;
    queue.commit(&message).unwrap();
    assert_eq!(queue.stats().fsyncs - fsyncs, 2, "the copy and incoming/");
    assert_eq!(
        fs::read(next_dir.join("incoming").join(message.id().as_str())).unwrap(),
        b"far away"
    );
    assert_eq!(queue.count_pending().unwrap(), 0);
    assert_eq!(names(&next_dir.join("tmp")), Vec::<String>::new());
}

// --------------------------------------------------------------------------
// Directories

fn open_error(dir: &Path, options: Options) -> String {
    let err = DirQueue::open(dir, options).expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Setup);
    err.message().to_owned()
}

#[test]
fn directories_writable_by_everybody_are_refused() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    DirQueue::open(&dir, Options::default()).unwrap();
    for mode in [0o777, 0o1777, 0o757] {
        fs::set_permissions(dir.join("incoming"), fs::Permissions::from_mode(mode)).unwrap();
        assert_eq!(
            open_error(&dir, Options::default()),
            format!(
                "queue directory {} cannot be used: it is writable by every user (mode {mode:04o}), \
                 who could plant or remove messages; remove that permission (chmod o-w)",
                dir.join("incoming").display()
            )
        );
    }
    fs::set_permissions(dir.join("incoming"), fs::Permissions::from_mode(0o755)).unwrap();
    let next_dir = spool.path().join("next");
    fs::create_dir(&next_dir).unwrap();
    fs::set_permissions(&next_dir, fs::Permissions::from_mode(0o777)).unwrap();
    let message = open_error(&dir, with_next(&next_dir));
    assert!(
        message.starts_with(&format!(
            "next queue directory {} cannot be used: it is writable by every user",
            next_dir.display()
        )),
        "{message}"
    );
}

#[test]
fn subdirectories_must_be_real_directories() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let elsewhere = spool.path().join("elsewhere");
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir(&elsewhere).unwrap();
    symlink(&elsewhere, dir.join("pending")).unwrap();
    assert_eq!(
        open_error(&dir, Options::default()),
        format!(
            "queue directory {} cannot be used: it is a symbolic link; the subdirectories of a \
             queue must be real directories",
            dir.join("pending").display()
        )
    );
    fs::remove_file(dir.join("pending")).unwrap();
    fs::write(dir.join("pending"), "").unwrap();
    assert_eq!(
        open_error(&dir, Options::default()),
        format!(
            "queue directory {} cannot be used: it is not a directory",
            dir.join("pending").display()
        )
    );

    // The queue directory itself may be reached through a link.
    let link = spool.path().join("link");
    symlink(&elsewhere, &link).unwrap();
    DirQueue::open(&link, Options::default()).unwrap();
}

#[test]
fn the_next_queue_must_be_another_queue() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let message = open_error(&dir, with_next(&spool.path().join("q/.")));
    assert!(message.contains("is the queue"), "{message}");
}

#[test]
fn missing_directories_are_created_with_the_given_mode() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("deep/er/q");
    let options = Options {
        perms: Some(0o2750),
        ..Options::default()
    };
    DirQueue::open(&dir, options).unwrap();
    for sub in ["", "incoming", "pending", "tmp", "errors"] {
        let mode = fs::metadata(dir.join(sub)).unwrap().mode() & 0o7777;
        assert_eq!(mode, 0o2750, "{sub}");
    }
}

fn nobody() -> nix::unistd::User {
    nix::unistd::User::from_name("nobody").unwrap().unwrap()
}

#[test]
fn as_root_directories_of_other_users_are_refused() {
    if !is_root() {
        eprintln!("skipped: as_root_directories_of_other_users_are_refused needs root");
        return;
    }
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    DirQueue::open(&dir, Options::default()).unwrap();
    let nobody = nobody();
    let (uid, gid) = (nobody.uid.as_raw(), nobody.gid.as_raw());
    std::os::unix::fs::chown(dir.join("errors"), Some(uid), None).unwrap();
    assert_eq!(
        open_error(&dir, Options::default()),
        format!(
            "queue directory {} cannot be used: it is owned by user 'nobody' (uid {uid}), neither \
             root nor the queue's user, and a process running as root must not work in a \
             directory another user controls; change its owner, or name that user as the \
             queue's user",
            dir.join("errors").display()
        )
    );
    let as_nobody = Options {
        user: Some(uid),
        ..Options::default()
    };
    DirQueue::open(&dir, as_nobody.clone()).unwrap();

    std::os::unix::fs::chown(dir.join("tmp"), None, Some(gid)).unwrap();
    fs::set_permissions(dir.join("tmp"), fs::Permissions::from_mode(0o770)).unwrap();
    let message = open_error(&dir, as_nobody.clone());
    assert!(
        message.starts_with(&format!(
            "queue directory {} cannot be used: it is writable by group",
            dir.join("tmp").display()
        )),
        "{message}"
    );
    DirQueue::open(
        &dir,
        Options {
            group: Some(gid),
            ..as_nobody
        },
    )
    .unwrap();
}

#[test]
fn as_root_missing_directories_are_given_to_the_queue_owner() {
    if !is_root() {
        eprintln!("skipped: as_root_missing_directories_are_given_to_the_queue_owner needs root");
        return;
    }
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let nobody = nobody();
    let options = Options {
        perms: Some(0o2770),
        user: Some(nobody.uid.as_raw()),
        group: Some(nobody.gid.as_raw()),
        ..Options::default()
    };
    let mut queue = DirQueue::open(&dir, options).unwrap();
    for sub in ["", "incoming", "pending", "tmp", "errors"] {
        let meta = fs::metadata(dir.join(sub)).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid(), meta.mode() & 0o7777),
            (nobody.uid.as_raw(), nobody.gid.as_raw(), 0o2770),
            "{sub}"
        );
    }
    queue.enqueue(b"x").unwrap();
}

// --------------------------------------------------------------------------
// Parallel instances

/// Several threads, each with its own queue on the same directory and
/// recovery on (with a rescan every few messages), take, update and commit
/// the same messages: each is handed on exactly once, with its update.
#[test]
fn parallel_instances_process_each_message_once() {
    const MESSAGES: usize = 800;
    const THREADS: usize = 4;
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let options = Options {
        recover: true,
        ..with_next(&next_dir)
    };
    let barrier = Arc::new(Barrier::new(THREADS * 2));
    let produced = Arc::new(AtomicUsize::new(0));
    // Producers and consumers at the same time.
    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (dir, barrier, produced) = (dir.clone(), barrier.clone(), produced.clone());
            let options = options.clone();
            std::thread::spawn(move || {
                let mut queue = DirQueue::open(&dir, options).unwrap();
                barrier.wait();
                let sent = (0..MESSAGES / THREADS)
                    .map(|n| {
                        let data = format!("{t}/{n}");
                        (queue.enqueue(data.as_bytes()).unwrap().to_string(), data)
                    })
                    .collect::<Vec<_>>();
                produced.fetch_add(1, Ordering::SeqCst);
                sent
            })
        })
        .collect();
    let consumers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (dir, barrier, produced) = (dir.clone(), barrier.clone(), produced.clone());
            let options = options.clone();
            std::thread::spawn(move || {
                let mut queue = DirQueue::open(&dir, options).unwrap();
                barrier.wait();
                let mut taken = Vec::new();
                loop {
                    // Read before looking, so that an empty queue after it
                    // means all is taken.
                    let all_sent = produced.load(Ordering::SeqCst) == THREADS;
                    let Some(message) = queue.next().unwrap() else {
                        if all_sent {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    };
                    let mut data = message.data().to_vec();
                    data.extend_from_slice(b" done");
                    queue.update(&message, &data).unwrap();
                    queue.commit(&message).unwrap();
                    taken.push(message.id().to_string());
                    if taken.len() % 16 == 0 {
                        queue.rescan().unwrap();
                    }
                }
                (taken, queue.stats())
            })
        })
        .collect();
    let mut sent = BTreeMap::new();
    for producer in producers {
        sent.extend(producer.join().unwrap());
    }
    assert_eq!(sent.len(), MESSAGES, "unique ids");
    let mut taken = Vec::new();
    let mut recovered = 0;
    for consumer in consumers {
        let (ids, stats) = consumer.join().unwrap();
        taken.extend(ids);
        recovered += stats.cnt_recovered;
        assert_eq!(stats.cnt_errors, 0);
    }
    assert_eq!(recovered, 0, "no live instance's message was recovered");
    assert_eq!(taken.len(), MESSAGES, "each message taken once");
    let taken: BTreeSet<_> = taken.into_iter().collect();
    assert_eq!(taken.len(), MESSAGES, "no message taken twice");
    assert!(sent.keys().all(|id| taken.contains(id)));
    let incoming = next_dir.join("incoming");
    assert_eq!(names(&incoming).len(), MESSAGES);
    for (id, data) in &sent {
        assert_eq!(
            fs::read_to_string(incoming.join(id)).unwrap(),
            format!("{data} done")
        );
    }
    for sub in ["incoming", "pending", "tmp", "errors"] {
        assert_eq!(names(&dir.join(sub)), Vec::<String>::new(), "{sub}");
    }
}

/// The environment variable that makes [`child_process`] a worker.
const CHILD: &str = "ZENKIT_FILER_TEST_CHILD";

/// A worker process, killed when dropped (when a test fails).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts this test binary again as a worker process running
/// [`child_process`] with `task`.
fn spawn_child(task: &str) -> Child {
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, task)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Child(child)
}

/// The lines a child printed, until it closed its output.
fn child_lines(child: &mut Child) -> Vec<String> {
    BufReader::new(child.0.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .collect()
}

/// Not a test of its own: the body of the worker processes of the tests
/// below, run when [`CHILD`] is set (`hold <dir>`: take one message and
/// wait to be killed; `drain <dir> <next>`: take and commit until the queue
/// is empty, printing the ids).
#[test]
fn child_process() {
    let Ok(task) = std::env::var(CHILD) else {
        return;
    };
    let words: Vec<&str> = task.split('\t').collect();
    let mut out = std::io::stdout();
    // The test harness has written `test child_process ... ` on this line.
    writeln!(out).unwrap();
    match words.as_slice() {
        ["hold", dir] => {
            let mut queue = DirQueue::open(dir, Options::default()).unwrap();
            let message = queue.next().unwrap().unwrap();
            writeln!(out, "held {}", message.id()).unwrap();
            out.flush().unwrap();
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        ["drain", dir, next] => {
            let options = Options {
                next: Some(PathBuf::from(next)),
                recover: true,
                ..Options::default()
            };
            let mut queue = DirQueue::open(dir, options).unwrap();
            while let Some(message) = queue.next().unwrap() {
                queue.commit(&message).unwrap();
                writeln!(out, "taken {}", message.id()).unwrap();
            }
            writeln!(out, "recovered {}", queue.stats().cnt_recovered).unwrap();
        }
        _ => panic!("unknown task {task:?}"),
    }
}

#[test]
fn parallel_processes_process_each_message_once() {
    const MESSAGES: usize = 600;
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut producer = DirQueue::open(&dir, Options::default()).unwrap();
    let sent: BTreeSet<String> = (0..MESSAGES)
        .map(|n| {
            producer
                .enqueue(format!("{n}").as_bytes())
                .unwrap()
                .to_string()
        })
        .collect();
    let task = format!("drain\t{}\t{}", dir.display(), next_dir.display());
    let mut children: Vec<_> = (0..3).map(|_| spawn_child(&task)).collect();
    let mut taken = Vec::new();
    for child in &mut children {
        let lines = child_lines(child);
        assert!(child.0.wait().unwrap().success());
        for line in lines {
            if let Some(id) = line.strip_prefix("taken ") {
                taken.push(id.to_owned());
            } else if let Some(n) = line.strip_prefix("recovered ") {
                assert_eq!(n, "0", "no live process's message was recovered");
            }
        }
    }
    assert_eq!(taken.len(), MESSAGES, "each message taken once");
    let taken: BTreeSet<String> = taken.into_iter().collect();
    assert_eq!(taken, sent);
    assert_eq!(names(&next_dir.join("incoming")).len(), MESSAGES);
    assert_eq!(names(&dir.join("pending")), Vec::<String>::new());
}

#[test]
fn the_messages_of_a_killed_process_are_recovered_not_before() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let mut queue = DirQueue::open(
        &dir,
        Options {
            recover: true,
            ..Options::default()
        },
    )
    .unwrap();
    let id = queue.enqueue(b"in flight").unwrap();
    let mut child = spawn_child(&format!("hold\t{}", dir.display()));
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let held = loop {
        let line = lines.next().expect("the child's report").unwrap();
        if let Some(held) = line.strip_prefix("held ") {
            break held.to_owned();
        }
    };
    assert_eq!(held, id.as_str());
    assert_eq!(queue.recover().unwrap(), 0, "its holder runs");
    assert!(queue.next().unwrap().is_none());

    drop(child);
    assert_eq!(queue.rescan().unwrap().recovered, 1);
    let message = queue.next().unwrap().expect("recovered");
    assert_eq!(message.id(), &id);
    assert_eq!(message.data(), b"in flight");
    queue.commit(&message).unwrap();
}

#[test]
fn a_message_stranded_in_tmp_by_a_dead_commit_is_recovered() {
    let spool = tempfile::tempdir().unwrap();
    let (first, second) = (spool.path().join("first"), spool.path().join("second"));
    let mut upstream = DirQueue::open(&first, with_next(&second)).unwrap();
    let id = upstream.enqueue(b"stranded").unwrap();
    let message = upstream.next().unwrap().unwrap();
    drop(upstream);
    // a commit that died between its two renames: in the next queue's tmp/
    let tmp = second.join("tmp").join(id.as_str());
    std::fs::rename(first.join("pending").join(id.as_str()), &tmp).unwrap();
    // a writer's own temporary file (device and inode 0) is left alone
    let writing = second.join("tmp").join("host.1.1796170124.085995.0.0.msg");
    std::fs::write(&writing, b"half").unwrap();

    let options = Options {
        recover: true,
        ..Options::default()
    };
    let mut fresh = DirQueue::open(&second, options.clone()).unwrap();
    assert!(fresh.next().unwrap().is_none(), "too recent to be stranded");
    drop(fresh);
    let options = Options {
        stranded_after: std::time::Duration::ZERO,
        ..options
    };
    let mut downstream = DirQueue::open(&second, options).unwrap();
    let found = downstream.next().unwrap().expect("the stranded message");
    assert_eq!(found.id(), message.id());
    assert_eq!(found.data(), b"stranded");
    assert!(writing.exists());
    assert_eq!(names(&second.join("tmp")).len(), 1);
}
