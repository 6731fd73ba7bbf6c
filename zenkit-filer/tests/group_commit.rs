//! Group commit and spare files: staged operations take effect at the
//! flush, with two flushes to disk for a whole batch; outputs are flushed
//! before commits; updates reuse the files of finished messages; recovery
//! removes the spares of dead instances and leaves live ones alone.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use zenkit_filer::{DirQueue, Options};

mod support;
use support::{lockable, names};

fn grouped(next: Option<&Path>) -> Options {
    Options {
        next: next.map(Path::to_path_buf),
        group_commit: true,
        ..Options::default()
    }
}

const BATCH: usize = 20;

#[test]
fn a_batch_takes_effect_at_the_flush_with_two_flushes_to_disk() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut queue = DirQueue::open(&dir, grouped(Some(&next_dir))).unwrap();

    for n in 0..BATCH {
        queue.enqueue(format!("message {n}").as_bytes()).unwrap();
    }
    assert_eq!(queue.count_incoming().unwrap(), 0, "staged, not published");
    assert_eq!(queue.unflushed(), BATCH);
    queue.flush().unwrap();
    assert_eq!(queue.count_incoming().unwrap(), BATCH);
    assert_eq!(queue.stats().fsyncs, 2, "one syncfs, one of incoming/");
    assert_eq!(queue.stats().cnt_enqueued, BATCH as u64);

    let mut taken = Vec::new();
    while let Some(message) = queue.next().unwrap() {
        let new = message.text().unwrap().to_uppercase();
        queue.update(&message, new.as_bytes()).unwrap();
        queue.commit(&message).unwrap();
        assert!(
            !queue.is_held(&message),
            "committed: finished for the caller"
        );
        let err = queue.banish(&message, None).expect_err("committed");
        assert!(err.message().contains("is not held"), "{err}");
        taken.push(message);
    }
    assert_eq!(taken.len(), BATCH);
    let incoming = next_dir.join("incoming");
    assert_eq!(
        names(&incoming),
        Vec::<String>::new(),
        "nothing handed on yet"
    );
    assert_eq!(queue.count_pending().unwrap(), BATCH, "all still pending");
    assert_eq!(
        queue.next_queue_len(),
        Some(BATCH),
        "the staged commits count"
    );
    let fsyncs = queue.stats().fsyncs;
    queue.flush().unwrap();
    assert_eq!(
        queue.stats().fsyncs - fsyncs,
        2,
        "one syncfs, one of incoming/"
    );
    assert_eq!(queue.unflushed(), 0);
    assert_eq!(queue.count_pending().unwrap(), 0);
    for message in &taken {
        let text = fs::read_to_string(incoming.join(message.id().as_str())).unwrap();
        assert_eq!(text, message.text().unwrap().to_uppercase());
    }
    assert_eq!(queue.stats().cnt_committed, BATCH as u64);
    assert_eq!(queue.stats().cnt_updated, BATCH as u64);

    // The same without group commit: two flushes per message.
    let mut each = DirQueue::open(&next_dir, Options::default()).unwrap();
    while let Some(message) = each.next().unwrap() {
        each.update(&message, b"again").unwrap();
        each.commit(&message).unwrap();
    }
    assert_eq!(each.stats().fsyncs, BATCH as u64, "one per update");
    assert_eq!(each.stats().cnt_committed, BATCH as u64);
}

#[test]
fn the_old_files_become_spares_and_no_file_is_created_or_removed_per_message() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut queue = DirQueue::open(&dir, grouped(Some(&next_dir))).unwrap();
    let tmp = dir.join("tmp");
    let inodes = |dir: &Path, names: &[String]| -> std::collections::BTreeSet<u64> {
        names
            .iter()
            .map(|name| fs::metadata(dir.join(name)).unwrap().ino())
            .collect()
    };
    let mut spared = std::collections::BTreeSet::new();
    for round in 0..3 {
        for n in 0..BATCH {
            queue.enqueue(format!("{round}.{n}").as_bytes()).unwrap();
        }
        queue.flush().unwrap();
        let mut ids = Vec::new();
        while let Some(message) = queue.next().unwrap() {
            queue.update(&message, b"new").unwrap();
            queue.commit(&message).unwrap();
            ids.push(message.id().as_str().to_string());
        }
        queue.flush().unwrap();
        for id in &ids {
            // spares with longer old contents ("0.10") are cut to the new one
            let text = fs::read(next_dir.join("incoming").join(id)).unwrap();
            assert_eq!(text, b"new", "round {round}: {id}");
        }
        if round > 0 {
            assert_eq!(
                inodes(&next_dir.join("incoming"), &ids),
                spared,
                "round {round}: the new contents went on in the spares of the round before"
            );
        }
        let spares = names(&tmp);
        spared = inodes(&tmp, &spares);
        assert_eq!(
            spares.len(),
            BATCH,
            "round {round}: one spare per message of a batch, reused: {spares:?}"
        );
        for spare in &spares {
            assert!(spare.ends_with(".spare"), "{spare}");
            assert!(!lockable(&tmp.join(spare)), "{spare} is locked");
        }
    }

    // An update not committed in its batch is exchanged with the message:
    // the message's old file is the spare now.
    queue.enqueue(b"old").unwrap();
    queue.flush().unwrap();
    let message = queue.next().unwrap().unwrap();
    let pending = dir.join("pending").join(message.id().as_str());
    let old_inode = fs::metadata(&pending).unwrap().ino();
    queue.update(&message, b"new content").unwrap();
    assert_eq!(fs::read(&pending).unwrap(), b"old", "until the flush");
    queue.flush().unwrap();
    assert_eq!(fs::read(&pending).unwrap(), b"new content");
    assert!(!lockable(&pending), "the new content is locked");
    let inodes: Vec<u64> = names(&tmp)
        .iter()
        .map(|name| fs::metadata(tmp.join(name)).unwrap().ino())
        .collect();
    assert!(inodes.contains(&old_inode), "the old file is a spare");

    // A banishment takes the updated content.
    queue.update(&message, b"banished content").unwrap();
    queue.banish(&message, None).unwrap();
    let banished = dir.join("errors").join(message.id().as_str());
    assert_eq!(fs::read(banished).unwrap(), b"banished content");

    drop(queue);
    assert_eq!(
        names(&tmp),
        Vec::<String>::new(),
        "spares removed with the queue"
    );
}

#[test]
fn dropping_the_queue_flushes_what_is_staged() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let mut queue = DirQueue::open(&dir, grouped(Some(&next_dir))).unwrap();
    queue.enqueue(b"one").unwrap();
    queue.enqueue(b"two").unwrap();
    queue.flush().unwrap();
    let one = queue.next().unwrap().unwrap();
    queue.update(&one, b"ONE").unwrap();
    queue.commit(&one).unwrap();
    queue.enqueue(b"three").unwrap();
    drop(queue);
    let next = names(&next_dir.join("incoming"));
    assert_eq!(next, vec![one.id().as_str().to_string()]);
    assert_eq!(
        fs::read(next_dir.join("incoming").join(&next[0])).unwrap(),
        b"ONE"
    );
    assert_eq!(names(&dir.join("incoming")).len(), 2, "two and three");
    assert_eq!(names(&dir.join("pending")), Vec::<String>::new());
}

#[test]
fn an_output_is_flushed_once_per_flush_and_only_for_commits() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("last");
    let store = spool.path().join("store.jsonl");
    let file = fs::File::create(&store).unwrap();
    let mut queue = DirQueue::open(&dir, grouped(None)).unwrap();
    queue.flush_with(file, &store);
    for n in 0..BATCH {
        queue.enqueue(format!("{n}").as_bytes()).unwrap();
    }
    queue.flush().unwrap();
    let fsyncs = queue.stats().fsyncs;
    assert_eq!(fsyncs, 2, "no commit staged: the output is not flushed");
    while let Some(message) = queue.next().unwrap() {
        queue.commit(&message).unwrap();
    }
    assert_eq!(queue.count_pending().unwrap(), BATCH);
    queue.flush().unwrap();
    assert_eq!(queue.stats().fsyncs - fsyncs, 1, "the output, once");
    assert_eq!(queue.count_pending().unwrap(), 0, "deleted after it");

    // Without group commit, once per commit.
    let file = fs::File::create(spool.path().join("other.jsonl")).unwrap();
    let mut each = DirQueue::open(spool.path().join("each"), Options::default()).unwrap();
    each.flush_with(file, spool.path().join("other.jsonl"));
    for n in 0..3 {
        each.enqueue(format!("{n}").as_bytes()).unwrap();
    }
    let fsyncs = each.stats().fsyncs;
    while let Some(message) = each.next().unwrap() {
        each.commit(&message).unwrap();
    }
    assert_eq!(each.stats().fsyncs - fsyncs, 3);
}

#[test]
fn recovery_removes_the_spares_of_dead_instances_only() {
    let spool = tempfile::tempdir().unwrap();
    let (dir, next_dir) = (spool.path().join("a"), spool.path().join("b"));
    let options = Options {
        recover: true,
        stranded_after: std::time::Duration::ZERO,
        ..grouped(Some(&next_dir))
    };
    let mut live = DirQueue::open(&dir, options.clone()).unwrap();
    for n in 0..3 {
        live.enqueue(format!("{n}").as_bytes()).unwrap();
    }
    live.flush().unwrap();
    while let Some(message) = live.next().unwrap() {
        live.update(&message, b"new").unwrap();
        live.commit(&message).unwrap();
    }
    live.flush().unwrap();
    let tmp = dir.join("tmp");
    let spares = names(&tmp);
    assert_eq!(spares.len(), 3);
    // what an instance that was killed leaves: unlocked spares
    let dead = [
        "host.1.1796170000.000001.spare",
        "host.1.1796170000.000002.spare",
    ];
    for name in dead {
        fs::write(tmp.join(name), b"an old message").unwrap();
    }

    let mut sibling = DirQueue::open(&dir, options).unwrap();
    assert_eq!(
        names(&tmp),
        spares,
        "the dead ones removed, the live ones kept"
    );
    assert_eq!(sibling.stats().cnt_skipped, 0, "a live spare is no skip");
    sibling.rescan().unwrap();
    assert_eq!(names(&tmp), spares);
    drop(live);
    sibling.rescan().unwrap();
    assert_eq!(names(&tmp), Vec::<String>::new());
}
