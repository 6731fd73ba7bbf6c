//! The directory queue.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind as IoErrorKind, Read, Write};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::libc;
use serde_json::{json, Value};
use zenkit::{Error, ErrorKind, Result};

use crate::dirs::QueueDirs;
use crate::files::{
    copy_from, count_entries, io_error, open_message, open_target_dir, read_names, rename,
    rename_error, same_file, sync_dir, Locked, Temp,
};
use crate::flush::{spare_name, Enqueued, Held, Output, Staged, TmpFile};
use crate::id::{self, MessageId};
use crate::json::to_python_json;
use crate::Stats;

/// How many names `tmp/` is tried with before a write gives up; a name is
/// taken only by another writer of this process in the same microsecond.
const TEMP_ATTEMPTS: usize = 1000;

/// How a queue is opened.
///
/// ```
/// use zenkit_filer::Options;
///
/// let options = Options {
///     next: Some("/var/mentat/spool/mentat-enricher.py".into()),
///     perms: Some(0o2770),
///     recover: true,
///     ..Options::default()
/// };
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The queue that [`DirQueue::commit`] hands messages on to (Mentat's
    /// `dir_next_queue`); `None` to delete committed messages.
    pub next: Option<PathBuf>,
    /// The mode of the directories the queue creates when they are missing
    /// (Mentat's `queue_perms`), set exactly (the umask does not apply);
    /// `None` for `0o755` less the umask.
    pub perms: Option<u32>,
    /// The user (uid) that the directories the queue creates are given to.
    /// A process running as root also accepts queue directories owned by
    /// this user (besides root).
    pub user: Option<u32>,
    /// The group (gid) that the directories the queue creates are given to.
    /// A process running as root also accepts queue directories that this
    /// group may write to (besides root's group).
    pub group: Option<u32>,
    /// Move the messages of instances that died back from `pending/` to
    /// `incoming/`: at [`DirQueue::open`] and at every [`DirQueue::rescan`]
    /// (see [`DirQueue::recover`]). Leave it off when Python Mentat
    /// instances read the same queue: they do not lock the messages they
    /// process, so theirs would look abandoned.
    pub recover: bool,
    /// The mode of the message files the queue writes, less the umask.
    pub file_mode: u32,
    /// The largest message [`DirQueue::next`] reads, in bytes; a larger one
    /// is banished (with metadata saying why) instead of read.
    pub max_message_size: u64,
    /// How long a message that a previous stage's commit moved into
    /// `tmp/` must have been left there before recovery takes it for
    /// stranded (its stage died between the commit's two renames).
    pub stranded_after: std::time::Duration,
    /// Group commit: [`enqueue`](DirQueue::enqueue),
    /// [`update`](DirQueue::update) and [`commit`](DirQueue::commit) only
    /// stage what they do, and [`flush`](DirQueue::flush) makes all that is
    /// staged take effect with one flush of the new contents and one of
    /// each directory they entered, instead of two flushes per message.
    /// Off, each of them takes effect, durably, before it returns.
    pub group_commit: bool,
}

impl Default for Options {
    /// No next queue, directories and files with the default modes, owned
    /// by whoever runs the program, no recovery, messages up to 256 MiB,
    /// each operation durable on its own.
    fn default() -> Self {
        Options {
            next: None,
            perms: None,
            user: None,
            group: None,
            recover: false,
            file_mode: 0o644,
            max_message_size: zenkit::fs::MAX_DATA_FILE_SIZE,
            stranded_after: std::time::Duration::from_secs(60),
            group_commit: false,
        }
    }
}

/// A message taken from the queue by [`DirQueue::next`]: its id and its
/// content.
///
/// The message stays in `pending/`, locked by the queue that took it, until
/// that queue [commits](DirQueue::commit), [banishes](DirQueue::banish),
/// [cancels](DirQueue::cancel) or [dispatches](DirQueue::dispatch) it by
/// its id. The lock is the queue's, not this value's: the id alone (as an
/// event of a daemon carries it) is enough to finish the message, and
/// dropping a `Message` changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    id: MessageId,
    data: Vec<u8>,
}

impl Message {
    /// A message of a queue backend: its id and its content.
    pub fn new(id: MessageId, data: Vec<u8>) -> Message {
        Message { id, data }
    }

    /// The id of the message.
    pub fn id(&self) -> &MessageId {
        &self.id
    }

    /// The content of the message.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The content of the message, taken out of it.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The content as text; `None` when it is not UTF-8 (Mentat reads
    /// messages as UTF-8 text and fails on such a message).
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.data).ok()
    }

    /// Whether the message is empty or only white space, the test of
    /// Mentat's filer component (`not data or data.isspace()`), which
    /// banishes such messages. Content that is not UTF-8 is not blank.
    pub fn is_blank(&self) -> bool {
        // Python's `str.isspace` also counts the separators U+001C–U+001F.
        self.text().is_some_and(|text| {
            text.chars()
                .all(|c| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
        })
    }
}

impl AsRef<str> for Message {
    fn as_ref(&self) -> &str {
        self.id.as_str()
    }
}

/// What [`DirQueue::rescan`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rescan {
    /// The messages now listed in `incoming/`, to be taken by
    /// [`DirQueue::next`].
    pub incoming: usize,
    /// The messages of dead instances moved back to `incoming/` (0 without
    /// [`Options::recover`]).
    pub recovered: usize,
    /// The messages counted in the next queue's `incoming/`; `None` without
    /// a next queue.
    pub next_queue_len: Option<usize>,
    /// The messages in `pending/` that this queue does not hold: being
    /// processed by other instances, or abandoned and not recovered.
    pub others_pending: usize,
}

/// The next queue and what is known of its length.
#[derive(Debug)]
pub(crate) struct NextQueue {
    pub(crate) dirs: QueueDirs,
    /// Counted at the last recount, plus the commits since.
    pub(crate) len: usize,
}

/// A directory message queue, on disk as Mentat's `DirectoryQueue`.
///
/// See the [crate documentation](crate) for the protocol, the guarantees
/// and an example.
///
/// Every operation on a message takes the id of a message that this queue
/// took with [`next`](DirQueue::next) and has not finished yet (it holds
/// its lock); other ids are refused. Every failed operation is counted in
/// [`Stats::cnt_errors`]. Errors are [`zenkit::Error`]s of kind
/// [`Runtime`](ErrorKind::Runtime) (of kind [`Setup`](ErrorKind::Setup)
/// when the queue cannot be opened) whose message names the file or
/// directory and what failed; an I/O error that caused one is its source
/// (`err.downcast_ref::<std::io::Error>()`).
///
/// Each message the queue holds keeps its file open (for the lock).
/// Dropping the queue releases the locks of the messages it had taken and
/// not finished: they stay in `pending/` until an instance recovers them.
#[derive(Debug)]
pub struct DirQueue {
    pub(crate) dirs: QueueDirs,
    pub(crate) next: Option<NextQueue>,
    pub(crate) host: String,
    recover: bool,
    stranded_after: std::time::Duration,
    pub(crate) file_mode: u32,
    max_message_size: u64,
    /// The names of `incoming/` not tried yet, the oldest last.
    listed: Vec<String>,
    /// The messages taken and not finished, by id.
    pub(crate) held: HashMap<String, Held>,
    /// What the next flush makes take effect.
    pub(crate) staged: Staged,
    group_commit: bool,
    /// Flushed before staged commits take effect.
    pub(crate) outputs: Vec<Output>,
    /// Files in `tmp/` that updates write into instead of creating one.
    pub(crate) spares: Vec<TmpFile>,
    pub(crate) stats: Stats,
}

impl DirQueue {
    /// Opens the queue in directory `dir`, creating it and its
    /// subdirectories `incoming/`, `pending/`, `tmp/` and `errors/` when
    /// they are missing, and the next queue's likewise.
    ///
    /// Fails with one [setup](ErrorKind::Setup) error naming the directory
    /// and what is wrong when a directory of either queue cannot be trusted
    /// or used: a subdirectory that is a symbolic link or not a directory,
    /// a directory writable by every user, for a process running as root a
    /// directory owned by another user than root or [`Options::user`] or
    /// writable by another group than root's or [`Options::group`], for
    /// another process a directory it cannot write in. Fails too when the
    /// next queue is this queue.
    ///
    /// Counts the next queue's messages once, then, with
    /// [`Options::recover`], recovers the messages of dead instances.
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<DirQueue> {
        let dir = dir.as_ref();
        let dirs = QueueDirs::prepare(dir, "queue", &options)?;
        let next = match &options.next {
            None => None,
            Some(next_dir) => {
                let next_dirs = QueueDirs::prepare(next_dir, "next queue", &options)?;
                if same_file(&dirs.root, &next_dirs.root) {
                    return Err(Error::setup(format!(
                        "the next queue {} is the queue {} itself",
                        next_dir.display(),
                        dir.display()
                    )));
                }
                let len = count_entries(&next_dirs.incoming, false)?;
                Some(NextQueue {
                    dirs: next_dirs,
                    len,
                })
            }
        };
        let host = nix::unistd::gethostname()
            .map(|name| name.to_string_lossy().into_owned())
            .map_err(|errno| {
                Error::with_source(
                    ErrorKind::Setup,
                    format!("cannot get the host name for message ids: {}", errno.desc()),
                    io::Error::from(errno),
                )
            })?;
        let mut queue = DirQueue {
            dirs,
            next,
            host,
            recover: options.recover,
            stranded_after: options.stranded_after,
            file_mode: options.file_mode,
            max_message_size: options.max_message_size,
            listed: Vec::new(),
            held: HashMap::new(),
            staged: Staged::default(),
            group_commit: options.group_commit,
            outputs: Vec::new(),
            spares: Vec::new(),
            stats: Stats::default(),
        };
        if queue.recover {
            queue.recover()?;
        }
        Ok(queue)
    }

    // ----------------------------------------------------------------------
    // Messages

    /// Writes a new message with content `data` into the queue's
    /// `incoming/` and returns its id.
    ///
    /// The message is written into `tmp/` as `<host>.<pid>.<time>.0.0.msg`
    /// (created exclusively, never through a symbolic link), flushed to
    /// disk, renamed into `incoming/` under its id (with the file's device
    /// and inode numbers), and `incoming/` is flushed: once this returns,
    /// the message survives a crash or a power loss. With
    /// [`Options::group_commit`] the message is only written, and renamed
    /// into `incoming/` by the next [`flush`](DirQueue::flush).
    pub fn enqueue(&mut self, data: &[u8]) -> Result<MessageId> {
        let result = self.enqueue_inner(data);
        self.counted(result)
    }

    /// Takes the next message of `incoming/`: moves it into `pending/`,
    /// locked by this queue, and returns it; `None` when `incoming/` is
    /// empty.
    ///
    /// `incoming/` is listed when the messages listed before are used up,
    /// and they are taken oldest first (by the time in their ids). Each is
    /// opened without following symbolic links and locked
    /// (`flock(LOCK_EX|LOCK_NB)`) before it is renamed into `pending/`, so
    /// that no other zenkit instance can take or recover it while this one
    /// holds it; one that another instance takes or holds first is left
    /// ([`Stats::cnt_skipped`]). Entries that are not messages (symbolic
    /// links, directories, FIFOs, sockets, devices, names that are not
    /// UTF-8) and messages larger than [`Options::max_message_size`] are
    /// moved into `errors/` with an `.meta` file saying why
    /// ([`Stats::cnt_banished`]), and the next message is taken.
    ///
    /// Taking a message flushes nothing: after a crash a message is in
    /// `incoming/` or in `pending/`, and recovery brings it back from
    /// `pending/` either way.
    // Mentat's name; it is no `Iterator::next`, as it fails with an error.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Message>> {
        let result = self.next_inner();
        self.counted(result)
    }

    /// Replaces the content of taken message `id` with `data`, atomically:
    /// the new content is written into `tmp/`, locked, flushed and renamed
    /// over the message in `pending/`. A reader or a crash sees the old
    /// content or the new one, never a mix, and the message stays locked
    /// throughout. With [`Options::group_commit`] the new content is only
    /// written, and put in place by the next [`flush`](DirQueue::flush)
    /// (or goes on to the next queue directly when the message is
    /// committed before). An operation that takes the message as it is
    /// ([`banish`](DirQueue::banish), [`dispatch`](DirQueue::dispatch),
    /// [`duplicate`](DirQueue::duplicate)) puts a new content in place
    /// first.
    pub fn update(&mut self, id: impl AsRef<str>, data: &[u8]) -> Result<()> {
        let result = self.update_inner(id.as_ref(), data);
        self.counted(result)
    }

    /// Finishes taken message `id`: hands it on to the next queue, or
    /// deletes it when there is none.
    ///
    /// Handing on is Mentat's: the message is renamed into the next queue's
    /// `tmp/` (its lock is released then), then into its `incoming/`, which
    /// is flushed; the estimate of the next queue's length
    /// ([`next_queue_len`](DirQueue::next_queue_len)) grows by one. When
    /// the next queue is on another file system the message is copied into
    /// its `tmp/` and flushed instead, and deleted here once it is in the
    /// next queue's `incoming/`.
    ///
    /// If the second rename fails, the message stays in the next queue's
    /// `tmp/`, and the error says so.
    ///
    /// With [`Options::group_commit`] this only marks the message
    /// committed: the next [`flush`](DirQueue::flush) hands it on, and
    /// until then no other operation takes its id. Without, the commit
    /// takes effect before this returns. The files added with
    /// [`flush_with`](DirQueue::flush_with) are flushed first, either way.
    pub fn commit(&mut self, id: impl AsRef<str>) -> Result<()> {
        let result = self.commit_inner(id.as_ref());
        self.counted(result)
    }

    /// Moves taken message `id` into `errors/`; with `metadata`, writes it
    /// first, as Python's `json.dump(metadata, sort_keys=True, indent=4)`
    /// does, into `errors/<id>.meta` (through `tmp/` and flushed). Then
    /// `errors/` is flushed.
    ///
    /// Name the reason in the metadata (`{"reason": "…"}`) for whoever
    /// looks into `errors/`. When the metadata cannot be written nothing is
    /// moved and the message stays taken.
    pub fn banish(&mut self, id: impl AsRef<str>, metadata: Option<&Value>) -> Result<()> {
        let result = self.banish_inner(id.as_ref(), metadata);
        self.counted(result)
    }

    /// Deletes taken message `id` without handing it on.
    pub fn cancel(&mut self, id: impl AsRef<str>) -> Result<()> {
        let result = self.cancel_inner(id.as_ref());
        self.counted(result)
    }

    /// Moves taken message `id` into directory `dir` (under its id), with
    /// `metadata` written first into `<dir>/<id>.meta` like
    /// [`banish`](DirQueue::banish); then `dir` is flushed. `dir` must
    /// exist and be on the queue's file system.
    pub fn dispatch(
        &mut self,
        id: impl AsRef<str>,
        dir: impl AsRef<Path>,
        metadata: Option<&Value>,
    ) -> Result<()> {
        let result = self.dispatch_inner(id.as_ref(), dir.as_ref(), metadata);
        self.counted(result)
    }

    /// Copies taken message `id` into directory `dir` (under its id):
    /// written into `tmp/`, flushed and renamed there, with `metadata`
    /// written first into `<dir>/<id>.meta` like
    /// [`banish`](DirQueue::banish); then `dir` is flushed. The message
    /// itself stays taken. `dir` must exist and be on the queue's file
    /// system.
    pub fn duplicate(
        &mut self,
        id: impl AsRef<str>,
        dir: impl AsRef<Path>,
        metadata: Option<&Value>,
    ) -> Result<()> {
        let result = self.duplicate_inner(id.as_ref(), dir.as_ref(), metadata);
        self.counted(result)
    }

    /// Makes what [`Options::group_commit`] staged take effect, in the order
    /// it was staged: the new contents of the enqueued and the updated
    /// messages are flushed to disk (one `fdatasync`, or one `syncfs` of
    /// the queue's file system for several), so are the files added with
    /// [`flush_with`](DirQueue::flush_with) when a commit is staged, then
    /// the messages are renamed into place, then the directories that
    /// received messages (`incoming/`, the next queue's `incoming/`) are
    /// flushed. Once this returns, all of it survives a power loss. Nothing
    /// to do without group commit, or when nothing is staged; dropping the
    /// queue flushes too.
    ///
    /// When the new contents cannot be flushed, none of the staged
    /// operations takes effect and none stays staged: the enqueued messages
    /// and the updates are dropped (the disk may have lost them, and a
    /// flush tried again could claim otherwise), and the committed messages
    /// are held again, uncommitted, with their content from before. When
    /// one rename fails, the rest still take effect and the first error is
    /// returned.
    pub fn flush(&mut self) -> Result<()> {
        let result = self.flush_inner();
        self.counted(result)
    }

    /// Turns [`Options::group_commit`] on or off; turning it off flushes
    /// what is staged.
    pub fn set_group_commit(&mut self, on: bool) -> Result<()> {
        self.group_commit = on;
        if on {
            Ok(())
        } else {
            self.flush()
        }
    }

    /// The operations staged for the next [`flush`](DirQueue::flush):
    /// enqueued messages, and taken messages updated or committed.
    pub fn unflushed(&self) -> usize {
        self.staged.len()
    }

    /// Adds `file` (named `path`, for errors) to the files flushed
    /// (`fdatasync`) before committed messages leave the queue: what a
    /// stage wrote for the messages it commits, such as the file a last
    /// stage stores them in, so that a message is gone from the queue only
    /// once what was made of it is on disk. With
    /// [`Options::group_commit`] that is one flush per
    /// [`flush`](DirQueue::flush) rather than one per message.
    pub fn flush_with(&mut self, file: File, path: impl Into<PathBuf>) {
        self.outputs.push(Output {
            file,
            path: path.into(),
        });
    }

    /// Moves the messages that no live instance holds back from `pending/`
    /// to `incoming/`, and returns how many.
    ///
    /// A message in `pending/` is held by the instance that took it for as
    /// long as that instance runs (the lock goes with the process), so a
    /// message whose lock can be taken (`LOCK_NB`) belongs to an instance
    /// that died or dropped its queue. The messages this queue holds are
    /// left alone, and so are those of other live zenkit instances.
    /// Entries of `pending/` that are not messages are moved into
    /// `errors/`.
    ///
    /// Python Mentat instances do not lock their messages: do not recover a
    /// queue that Python instances read too (see the crate
    /// documentation). [`Options::recover`] calls this at open and at every
    /// rescan; a queue may call it at any time whatever that option says.
    pub fn recover(&mut self) -> Result<usize> {
        let result = self.recover_inner();
        self.counted(result)
    }

    /// What a daemon does every so often: with [`Options::recover`],
    /// recovers the messages of dead instances; lists `incoming/` afresh
    /// for [`next`](DirQueue::next); and recounts the next queue
    /// ([`recount_next`](DirQueue::recount_next)).
    pub fn rescan(&mut self) -> Result<Rescan> {
        let result = self.rescan_inner();
        self.counted(result)
    }

    // ----------------------------------------------------------------------
    // Counts

    /// The number of entries in `incoming/`, listed now.
    pub fn count_incoming(&self) -> Result<usize> {
        count_entries(&self.dirs.incoming, false)
    }

    /// The number of entries in `pending/`, listed now: the messages being
    /// processed by all instances.
    pub fn count_pending(&self) -> Result<usize> {
        count_entries(&self.dirs.pending, false)
    }

    /// The number of banished messages in `errors/`, listed now; unlike
    /// Mentat's count, the `.meta` files are not counted.
    pub fn count_errors(&self) -> Result<usize> {
        count_entries(&self.dirs.errors, true)
    }

    /// The estimated number of messages in the next queue's `incoming/`,
    /// for back-pressure without listing a directory at every check: as
    /// counted at open or at the last [`recount_next`](DirQueue::recount_next),
    /// plus the messages this queue committed since, those staged for the
    /// next [`flush`](DirQueue::flush) included. As the next stage takes
    /// messages meanwhile, the estimate only errs high. `None`
    /// without a next queue.
    pub fn next_queue_len(&self) -> Option<usize> {
        let staged = self
            .staged
            .messages
            .iter()
            .filter(|id| self.held.get(*id).is_some_and(|held| held.committed))
            .count();
        self.next.as_ref().map(|next| next.len + staged)
    }

    /// Counts the entries in the next queue's `incoming/` now (Mentat's
    /// `count_done`) and makes that the estimate of
    /// [`next_queue_len`](DirQueue::next_queue_len); `None` without a next
    /// queue. A daemon calls it at its queue-check interval (as
    /// [`rescan`](DirQueue::rescan) does).
    pub fn recount_next(&mut self) -> Result<Option<usize>> {
        let result = self.recount_next_inner();
        self.counted(result)
    }

    // ----------------------------------------------------------------------
    // State

    /// What the queue has done since it was opened.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Whether this queue holds message `id`: took it and has not finished
    /// it (a commit staged for the next flush finished it).
    pub fn is_held(&self, id: impl AsRef<str>) -> bool {
        self.held
            .get(id.as_ref())
            .is_some_and(|held| !held.committed)
    }

    /// The number of messages this queue holds.
    pub fn held_count(&self) -> usize {
        self.held.values().filter(|held| !held.committed).count()
    }

    /// The queue directory.
    pub fn dir(&self) -> &Path {
        &self.dirs.root
    }

    /// The queue's `incoming/`: complete messages waiting to be taken.
    pub fn incoming_dir(&self) -> &Path {
        &self.dirs.incoming
    }

    /// The queue's `pending/`: messages being processed.
    pub fn pending_dir(&self) -> &Path {
        &self.dirs.pending
    }

    /// The queue's `tmp/`: files being written.
    pub fn tmp_dir(&self) -> &Path {
        &self.dirs.tmp
    }

    /// The queue's `errors/`: banished messages and their `.meta` files.
    pub fn errors_dir(&self) -> &Path {
        &self.dirs.errors
    }

    /// The next queue's directory, if there is one.
    pub fn next_dir(&self) -> Option<&Path> {
        self.next.as_ref().map(|next| next.dirs.root.as_path())
    }

    // ----------------------------------------------------------------------
    // The operations

    /// Counts a failed operation.
    fn counted<T>(&mut self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.stats.cnt_errors += 1;
        }
        result
    }

    fn enqueue_inner(&mut self, data: &[u8]) -> Result<MessageId> {
        let (mut file, temp) = self.create_temp()?;
        file.write_all(data)
            .map_err(|err| io_error(format!("cannot write {}", temp.path().display()), err))?;
        let meta = file
            .metadata()
            .map_err(|err| io_error(format!("cannot stat {}", temp.path().display()), err))?;
        let id = id::generate(&self.host, meta.dev(), meta.ino());
        self.staged.enqueued.push(Enqueued {
            file,
            temp,
            id: id.clone(),
        });
        self.flush_ungrouped()?;
        Ok(MessageId::new(id))
    }

    /// Without group commit, makes the operation just staged take effect.
    fn flush_ungrouped(&mut self) -> Result<()> {
        if self.group_commit {
            Ok(())
        } else {
            self.flush_inner()
        }
    }

    fn next_inner(&mut self) -> Result<Option<Message>> {
        let mut listed_now = false;
        loop {
            let Some(name) = self.listed.pop() else {
                if listed_now {
                    return Ok(None);
                }
                self.list_incoming()?;
                listed_now = true;
                continue;
            };
            if let Some(message) = self.take(name)? {
                return Ok(Some(message));
            }
        }
    }

    /// Lists `incoming/` into `self.listed`, oldest last; names that are
    /// not UTF-8 are banished.
    fn list_incoming(&mut self) -> Result<()> {
        let incoming = self.dirs.incoming.clone();
        let mut keyed = Vec::new();
        for name in read_names(&incoming)? {
            match name.into_string() {
                Ok(name) => keyed.push(name),
                Err(name) => self.reject(&incoming, &name, "its name is not UTF-8")?,
            }
        }
        keyed.sort_unstable_by(|a, b| id::age_key(b).cmp(&id::age_key(a)));
        self.listed = keyed;
        Ok(())
    }

    /// Takes message `name` from `incoming/` into `pending/`, locked;
    /// `None` when another instance was first or the entry is no message.
    fn take(&mut self, name: String) -> Result<Option<Message>> {
        let path = self.dirs.incoming.join(&name);
        let incoming = self.dirs.incoming.clone();
        let Some((lock, meta)) = self.open_and_lock(&incoming, &name)? else {
            return Ok(None);
        };
        let pending = self.dirs.pending.join(&name);
        match fs::rename(&path, &pending) {
            Ok(()) => {}
            Err(err) if err.kind() == IoErrorKind::NotFound => {
                self.stats.cnt_skipped += 1;
                return Ok(None);
            }
            Err(err) => return Err(rename_error(&path, &pending, err)),
        }
        self.stats.cnt_fetched += 1;
        let limit = self.max_message_size;
        let read = if meta.len() > limit {
            Ok(None)
        } else {
            read_message(&lock, meta.len(), limit)
        };
        match read {
            Ok(Some(data)) => {
                self.held.insert(name.clone(), Held::new(lock));
                Ok(Some(Message {
                    id: MessageId::new(name),
                    data,
                }))
            }
            Ok(None) => {
                self.held.insert(name.clone(), Held::new(lock));
                let reason = format!("the message is larger than {limit} bytes");
                if let Err(err) = self.banish_inner(&name, Some(&json!({ "reason": reason }))) {
                    // Left for recovery rather than held unknown to the caller.
                    self.held.remove(&name);
                    return Err(err);
                }
                Ok(None)
            }
            Err(err) => {
                drop(lock);
                Err(io_error(
                    format!(
                        "cannot read message {}; it stays there until it is recovered",
                        pending.display()
                    ),
                    err,
                ))
            }
        }
    }

    /// Opens entry `name` of `dir` (without following a symbolic link) and
    /// locks it, checking that it still is the entry of that name; `None`
    /// when it is gone, locked by another instance, or replaced meanwhile
    /// (counted as skipped), or no regular file (then banished).
    fn open_and_lock(&mut self, dir: &Path, name: &str) -> Result<Option<(Locked, fs::Metadata)>> {
        let path = dir.join(name);
        // Checked before opening, so that no device or FIFO is opened.
        let before = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == IoErrorKind::NotFound => return self.skipped(),
            Err(err) => return Err(io_error(format!("cannot stat {}", path.display()), err)),
        };
        if !before.file_type().is_file() {
            let reason = format!(
                "it is not a regular file but {}",
                zenkit::fs::describe(before.file_type())
            );
            self.reject(dir, OsStr::new(name), &reason)?;
            return Ok(None);
        }
        let (file, writable) = match open_message(&path) {
            Ok(opened) => opened,
            // Gone, or replaced by a link or a FIFO since: seen next time.
            Err(err)
                if err.kind() == IoErrorKind::NotFound
                    || matches!(err.raw_os_error(), Some(libc::ELOOP | libc::ENXIO)) =>
            {
                return self.skipped()
            }
            Err(err) => return Err(io_error(format!("cannot open {}", path.display()), err)),
        };
        let meta = file
            .metadata()
            .map_err(|err| io_error(format!("cannot stat {}", path.display()), err))?;
        if !meta.file_type().is_file() {
            return self.skipped();
        }
        let lock = match Locked::lock(file, writable) {
            Ok(lock) => lock,
            Err(Errno::EWOULDBLOCK) => return self.skipped(),
            Err(errno) => {
                return Err(io_error(
                    format!("cannot lock {}", path.display()),
                    errno.into(),
                ))
            }
        };
        // The file locked must still be the one of that name: another
        // instance may have replaced it (an update) and released the old
        // file before this lock was taken.
        match fs::symlink_metadata(&path) {
            Ok(now) if now.dev() == meta.dev() && now.ino() == meta.ino() => Ok(Some((lock, meta))),
            Ok(_) => self.skipped(),
            Err(err) if err.kind() == IoErrorKind::NotFound => self.skipped(),
            Err(err) => Err(io_error(format!("cannot stat {}", path.display()), err)),
        }
    }

    /// A message another instance took or holds.
    fn skipped<T>(&mut self) -> Result<Option<T>> {
        self.stats.cnt_skipped += 1;
        Ok(None)
    }

    fn update_inner(&mut self, id: &str, data: &[u8]) -> Result<()> {
        self.check_held(id)?;
        let update = self.spare()?;
        // Written over the spare's old content, which is cut off only when
        // longer: freeing blocks costs more than writing over them.
        let written = update.file.metadata().and_then(|meta| {
            update.file.write_all_at(data, 0)?;
            if meta.len() > data.len() as u64 {
                update.file.set_len(data.len() as u64)?;
            }
            Ok(())
        });
        if let Err(err) = written {
            return Err(io_error(
                format!("cannot write {}", update.temp.path().display()),
                err,
            ));
        }
        let held = self.held.get_mut(id).expect("checked above");
        // A former update not in place yet becomes a spare.
        if let Some(former) = held.update.replace(update) {
            self.keep_spare(former);
        }
        self.stage(id);
        self.flush_ungrouped()
    }

    fn commit_inner(&mut self, id: &str) -> Result<()> {
        self.check_held(id)?;
        self.held.get_mut(id).expect("checked above").committed = true;
        self.stage(id);
        self.flush_ungrouped()
    }

    fn banish_inner(&mut self, id: &str, metadata: Option<&Value>) -> Result<()> {
        self.check_held(id)?;
        self.settle(id)?;
        let errors = self.dirs.errors.clone();
        let meta = match metadata {
            Some(metadata) => Some(self.write_meta(&errors, OsStr::new(id), metadata)?),
            None => None,
        };
        let pending = self.dirs.pending.join(id);
        let target = errors.join(id);
        if let Err(err) = rename(&pending, &target) {
            if let Some(meta) = meta {
                let _ = fs::remove_file(meta);
            }
            return Err(err);
        }
        self.held.remove(id);
        sync_dir(&mut self.stats, &self.dirs.errors_handle, &self.dirs.errors)?;
        self.stats.cnt_banished += 1;
        Ok(())
    }

    fn cancel_inner(&mut self, id: &str) -> Result<()> {
        self.check_held(id)?;
        self.unstage(id);
        let pending = self.dirs.pending.join(id);
        fs::remove_file(&pending)
            .map_err(|err| io_error(format!("cannot remove {}", pending.display()), err))?;
        self.held.remove(id);
        self.stats.cnt_canceled += 1;
        Ok(())
    }

    fn dispatch_inner(&mut self, id: &str, dir: &Path, metadata: Option<&Value>) -> Result<()> {
        self.check_held(id)?;
        self.settle(id)?;
        let handle = open_target_dir(dir)?;
        let meta = match metadata {
            Some(metadata) => Some(self.write_meta(dir, OsStr::new(id), metadata)?),
            None => None,
        };
        let pending = self.dirs.pending.join(id);
        let target = dir.join(id);
        if let Err(err) = rename(&pending, &target) {
            if let Some(meta) = meta {
                let _ = fs::remove_file(meta);
            }
            return Err(err);
        }
        self.held.remove(id);
        sync_dir(&mut self.stats, &handle, dir)?;
        self.stats.cnt_dispatched += 1;
        Ok(())
    }

    fn duplicate_inner(&mut self, id: &str, dir: &Path, metadata: Option<&Value>) -> Result<()> {
        self.check_held(id)?;
        self.settle(id)?;
        let handle = open_target_dir(dir)?;
        let (mut file, temp) = self.create_temp()?;
        let source = self.dirs.pending.join(id);
        let held: &File = &self.held[id].file;
        copy_from(held, &source, &mut file, temp.path())?;
        self.sync_file(&file, temp.path())?;
        let meta = match metadata {
            Some(metadata) => Some(self.write_meta(dir, OsStr::new(id), metadata)?),
            None => None,
        };
        if let Err(err) = rename(temp.path(), &dir.join(id)) {
            if let Some(meta) = meta {
                let _ = fs::remove_file(meta);
            }
            return Err(err);
        }
        temp.keep();
        sync_dir(&mut self.stats, &handle, dir)?;
        self.stats.cnt_duplicated += 1;
        Ok(())
    }

    fn recover_inner(&mut self) -> Result<usize> {
        let pending = self.dirs.pending.clone();
        let mut recovered = 0;
        for name in read_names(&pending)? {
            let Some(id) = name.to_str() else {
                self.reject(&pending, &name, "its name is not UTF-8")?;
                continue;
            };
            if self.held.contains_key(id) {
                continue;
            }
            let skipped = self.stats.cnt_skipped;
            let taken = self.open_and_lock(&pending, id);
            // Held by a live instance is no skip of a message to take.
            self.stats.cnt_skipped = skipped;
            let Some((lock, _)) = taken? else {
                continue;
            };
            let from = pending.join(id);
            let to = self.dirs.incoming.join(id);
            match fs::rename(&from, &to) {
                Ok(()) => recovered += 1,
                Err(err) if err.kind() == IoErrorKind::NotFound => {}
                Err(err) => return Err(rename_error(&from, &to, err)),
            }
            drop(lock);
        }
        recovered += self.recover_stranded()?;
        if recovered > 0 {
            sync_dir(
                &mut self.stats,
                &self.dirs.incoming_handle,
                &self.dirs.incoming,
            )?;
        }
        self.stats.cnt_recovered += recovered as u64;
        Ok(recovered)
    }

    /// Moves into `incoming/` the messages a previous stage's commit left
    /// in `tmp/` when it died between its two renames: files named with a
    /// whole id (a writer's own temporary files have 0 for the device and
    /// the inode), regular, unlocked, and untouched for
    /// [`Options::stranded_after`] (a live commit keeps a message there for
    /// microseconds).
    fn recover_stranded(&mut self) -> Result<usize> {
        let tmp = self.dirs.tmp.clone();
        let stranded_after = self.stranded_after;
        let mut recovered = 0;
        for name in read_names(&tmp)? {
            let Some(id) = name.to_str() else {
                continue;
            };
            if id.ends_with(".spare") {
                self.remove_dead_spare(id)?;
                continue;
            }
            let whole = MessageId::new(id.to_string())
                .parts()
                .is_some_and(|p| p.dev != 0 || p.ino != 0);
            let path = tmp.join(id);
            let stale = fs::symlink_metadata(&path).is_ok_and(|meta| {
                meta.file_type().is_file()
                    && std::time::SystemTime::UNIX_EPOCH
                        + std::time::Duration::from_secs(meta.ctime().max(0) as u64)
                        + stranded_after
                        <= std::time::SystemTime::now()
            });
            let target = self.dirs.incoming.join(id);
            if !whole || !stale || target.exists() {
                continue;
            }
            let Some((lock, _)) = self.open_and_lock(&tmp, id)? else {
                continue;
            };
            match fs::rename(&path, &target) {
                Ok(()) => recovered += 1,
                Err(err) if err.kind() == IoErrorKind::NotFound => {}
                Err(err) => return Err(rename_error(&path, &target, err)),
            }
            drop(lock);
        }
        Ok(recovered)
    }

    /// Removes spare file `tmp/<name>` when its instance is gone: it is
    /// unlocked and untouched for [`Options::stranded_after`] (a live
    /// instance locks a spare right after creating it).
    fn remove_dead_spare(&mut self, name: &str) -> Result<()> {
        let path = self.dirs.tmp.join(name);
        let stale = fs::symlink_metadata(&path).is_ok_and(|meta| {
            std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(meta.ctime().max(0) as u64)
                + self.stranded_after
                <= std::time::SystemTime::now()
        });
        if !stale {
            return Ok(());
        }
        let tmp = self.dirs.tmp.clone();
        let skipped = self.stats.cnt_skipped;
        let taken = self.open_and_lock(&tmp, name);
        // Held by a live instance is no skip of a message to take.
        self.stats.cnt_skipped = skipped;
        if let Some((lock, _)) = taken? {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == IoErrorKind::NotFound => {}
                Err(err) => return Err(io_error(format!("cannot remove {}", path.display()), err)),
            }
            drop(lock);
        }
        Ok(())
    }

    fn recount_next_inner(&mut self) -> Result<Option<usize>> {
        let Some(next) = &mut self.next else {
            return Ok(None);
        };
        next.len = count_entries(&next.dirs.incoming, false)?;
        Ok(Some(next.len))
    }

    fn rescan_inner(&mut self) -> Result<Rescan> {
        let recovered = if self.recover {
            self.recover_inner()?
        } else {
            0
        };
        self.list_incoming()?;
        let next_queue_len = self.recount_next_inner()?;
        let others_pending =
            count_entries(&self.dirs.pending, false)?.saturating_sub(self.held.len());
        Ok(Rescan {
            incoming: self.listed.len(),
            recovered,
            next_queue_len,
            others_pending,
        })
    }

    // ----------------------------------------------------------------------
    // Helpers

    /// Refuses an id that this queue does not hold.
    fn check_held(&self, id: &str) -> Result<()> {
        if self.is_held(id) {
            return Ok(());
        }
        Err(Error::msg(format!(
            "message {id} is not held by the queue {}: it was not taken there by next(), or it \
             was already committed, banished, canceled or dispatched",
            self.dirs.root.display()
        )))
    }

    /// Moves entry `name` of `dir`, which is not a message, into `errors/`
    /// with metadata giving `reason`. Nothing is done when it is gone
    /// (another instance moved it).
    fn reject(&mut self, dir: &Path, name: &OsStr, reason: &str) -> Result<()> {
        let from = dir.join(name);
        let to = self.dirs.errors.join(name);
        match fs::rename(&from, &to) {
            Ok(()) => {}
            Err(err) if err.kind() == IoErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(rename_error(&from, &to, err)),
        }
        let errors = self.dirs.errors.clone();
        self.write_meta(&errors, name, &json!({ "reason": reason }))?;
        sync_dir(&mut self.stats, &self.dirs.errors_handle, &self.dirs.errors)?;
        self.stats.cnt_banished += 1;
        Ok(())
    }

    /// Writes `metadata` into `<dir>/<name>.meta` through `tmp/`, flushed
    /// (the directory is not); returns its path.
    fn write_meta(&mut self, dir: &Path, name: &OsStr, metadata: &Value) -> Result<PathBuf> {
        let (mut file, temp) = self.create_temp()?;
        file.write_all(to_python_json(metadata).as_bytes())
            .map_err(|err| io_error(format!("cannot write {}", temp.path().display()), err))?;
        self.sync_file(&file, temp.path())?;
        let mut meta_name = OsString::from(name);
        meta_name.push(".meta");
        let target = dir.join(meta_name);
        rename(temp.path(), &target)?;
        temp.keep();
        Ok(target)
    }

    /// A spare file to write a message's new content into: a kept one, or
    /// a new file `tmp/<host>.<pid>.<time>.spare`, locked (a locked spare
    /// belongs to a live instance; recovery removes the others).
    fn spare(&mut self) -> Result<TmpFile> {
        if let Some(spare) = self.spares.pop() {
            return Ok(spare);
        }
        let (file, temp) = self.create_in_tmp(|| spare_name(&self.host))?;
        let file = Locked::lock(file, true).map_err(|errno| {
            io_error(
                format!("cannot lock {}", temp.path().display()),
                errno.into(),
            )
        })?;
        Ok(TmpFile { file, temp })
    }

    /// Creates a new file in `tmp/` named like a message being written,
    /// `<host>.<pid>.<time>.0.0.msg`.
    fn create_temp(&self) -> Result<(File, Temp)> {
        self.create_in_tmp(|| id::generate(&self.host, 0, 0))
    }

    /// Creates a new file in `tmp/` (never through a symbolic link) under
    /// the first free name of those `name` makes.
    fn create_in_tmp(&self, name: impl Fn() -> String) -> Result<(File, Temp)> {
        for _ in 0..TEMP_ATTEMPTS {
            let path = self.dirs.tmp.join(name());
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(self.file_mode)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)
            {
                Ok(file) => return Ok((file, Temp::new(path))),
                // Another writer of this process in the same microsecond.
                Err(err) if err.kind() == IoErrorKind::AlreadyExists => std::thread::yield_now(),
                Err(err) => return Err(io_error(format!("cannot create {}", path.display()), err)),
            }
        }
        Err(Error::msg(format!(
            "no free file name in {} after {TEMP_ATTEMPTS} tries",
            self.dirs.tmp.display()
        )))
    }

    /// Flushes `file` (named `path`) to disk.
    fn sync_file(&mut self, file: &File, path: &Path) -> Result<()> {
        self.stats.fsyncs += 1;
        file.sync_all()
            .map_err(|err| io_error(format!("cannot flush {}", path.display()), err))
    }
}

/// The content of message `file`, `len` bytes by its metadata, in one
/// `read` when it has not grown since (it is complete and locked, so it
/// should not); `None` when it is larger than `limit` bytes.
fn read_message(mut file: &File, len: u64, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut data = vec![0; len as usize + 1];
    let n = loop {
        match file.read(&mut data) {
            Err(err) if err.kind() == IoErrorKind::Interrupted => {}
            read => break read?,
        }
    };
    data.truncate(n);
    if n as u64 != len {
        // Short (interrupted) or grown: read on to the end, up to the limit.
        file.take(limit.saturating_add(1) - n as u64)
            .read_to_end(&mut data)?;
    }
    Ok((data.len() as u64 <= limit).then_some(data))
}

impl Drop for DirQueue {
    /// Flushes what is staged; the messages taken and not finished stay in
    /// `pending/`, unlocked, for recovery.
    fn drop(&mut self) {
        let _ = self.flush_inner();
    }
}
