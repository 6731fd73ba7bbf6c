//! Group commit: the operations that write messages are staged, and a flush
//! makes all that is staged take effect with one flush of the new contents
//! and one of each directory they entered.

use std::fs::{self, File};
use std::io::ErrorKind as IoErrorKind;
use std::path::Path;

use nix::libc;
use zenkit::Result;

use crate::files::{copy_into_new, io_error, rename, rename_error, sync_dir, Locked, Temp};
use crate::queue::DirQueue;

/// The most spare files a queue keeps.
pub(crate) const SPARES: usize = 128;

/// A new name for a spare file in `tmp/`: `<host>.<pid>.<time>.spare`, a
/// name no writer and no message has.
pub(crate) fn spare_name(host: &str) -> String {
    let name = crate::id::generate(host, 0, 0);
    format!("{}.spare", name.trim_end_matches(".0.0.msg"))
}

/// Exchanges the files `a` and `b` (`renameat2` with `RENAME_EXCHANGE`)
/// and returns `true`; where the file system or the system cannot, renames
/// `a` over `b` and returns `false`.
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use nix::errno::Errno;
        use nix::fcntl::{renameat2, RenameFlags, AT_FDCWD};
        match renameat2(AT_FDCWD, a, AT_FDCWD, b, RenameFlags::RENAME_EXCHANGE) {
            Ok(()) => return Ok(true),
            Err(Errno::EINVAL | Errno::ENOSYS | Errno::EOPNOTSUPP) => {}
            Err(errno) => return Err(rename_error(a, b, errno.into())),
        }
    }
    rename(a, b).map(|()| false)
}

/// A message the queue took and has not finished.
#[derive(Debug)]
pub(crate) struct Held {
    /// The message file in `pending/`, locked.
    pub(crate) file: Locked,
    /// Its new content, not in place yet.
    pub(crate) update: Option<TmpFile>,
    /// Committed, to take effect at the next flush.
    pub(crate) committed: bool,
    /// Listed in [`Staged::messages`].
    pub(crate) staged: bool,
}

impl Held {
    /// A commit that could not take effect: the message is held again,
    /// uncommitted, with its staged update (if any) back.
    fn uncommit(&mut self, update: Option<TmpFile>) {
        self.committed = false;
        self.update = update;
    }

    pub(crate) fn new(file: Locked) -> Held {
        Held {
            file,
            update: None,
            committed: false,
            staged: false,
        }
    }
}

/// A file of this queue in `tmp/`, locked: the new content of a held
/// message, or a spare (see [`DirQueue::keep_spare`]).
#[derive(Debug)]
pub(crate) struct TmpFile {
    pub(crate) file: Locked,
    pub(crate) temp: Temp,
}

/// A message written into `tmp/`, to be renamed into `incoming/` as `id`.
#[derive(Debug)]
pub(crate) struct Enqueued {
    pub(crate) file: File,
    pub(crate) temp: Temp,
    pub(crate) id: String,
}

/// A file that the stage wrote for the messages it commits, flushed before
/// the commits take effect.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) file: File,
    pub(crate) path: std::path::PathBuf,
}

/// What the next flush makes take effect, in the order it was staged.
#[derive(Debug, Default)]
pub(crate) struct Staged {
    pub(crate) enqueued: Vec<Enqueued>,
    /// The held messages with an update or a commit staged.
    pub(crate) messages: Vec<String>,
}

impl Staged {
    pub(crate) fn len(&self) -> usize {
        self.enqueued.len() + self.messages.len()
    }
}

/// The directories a flush moved messages into, and the old files of the
/// messages it handed on with a new content, to be retired once the next
/// queue's `incoming/` is flushed: until then the old content stays where
/// recovery finds it.
#[derive(Debug, Default)]
struct Entered {
    incoming: bool,
    next: bool,
    retired: Vec<(String, Locked)>,
}

impl DirQueue {
    /// Lists held message `id` among the staged ones.
    pub(crate) fn stage(&mut self, id: &str) {
        if let Some(held) = self.held.get_mut(id) {
            if !held.staged {
                held.staged = true;
                self.staged.messages.push(id.to_owned());
            }
        }
    }

    /// Makes what is staged take effect: the new contents (and the
    /// outputs, when a commit is staged) are flushed to disk, then renamed
    /// into place in the order they were staged, then the directories they
    /// entered are flushed.
    ///
    /// When the contents cannot be flushed nothing takes effect and nothing
    /// stays staged: the new contents may be lost (a retried flush could
    /// report success for data the disk never got), so the enqueues and the
    /// updates are dropped and the messages stay held, uncommitted, with
    /// their content from before. When one operation fails the others still
    /// take effect; the first error is returned.
    pub(crate) fn flush_inner(&mut self) -> Result<()> {
        if self.staged.len() == 0 {
            return Ok(());
        }
        if let Err(err) = self.sync_staged() {
            self.discard_staged();
            return Err(err);
        }
        let mut failed = None;
        let mut entered = Entered::default();
        for enqueued in std::mem::take(&mut self.staged.enqueued) {
            let target = self.dirs.incoming.join(&enqueued.id);
            match rename(enqueued.temp.path(), &target) {
                Ok(()) => {
                    enqueued.temp.keep();
                    entered.incoming = true;
                    self.stats.cnt_enqueued += 1;
                }
                Err(err) => {
                    failed.get_or_insert(err);
                }
            }
        }
        for id in std::mem::take(&mut self.staged.messages) {
            if let Err(err) = self.apply(&id, &mut entered) {
                failed.get_or_insert(err);
            }
        }
        if entered.incoming {
            if let Err(err) = sync_dir(
                &mut self.stats,
                &self.dirs.incoming_handle,
                &self.dirs.incoming,
            ) {
                failed.get_or_insert(err);
            }
        }
        if let (true, Some(next)) = (entered.next, &self.next) {
            if let Err(err) = sync_dir(
                &mut self.stats,
                &next.dirs.incoming_handle,
                &next.dirs.incoming,
            ) {
                failed.get_or_insert(err);
            }
        }
        for (id, file) in entered.retired {
            if let Err(err) = self.retire(&id, file) {
                failed.get_or_insert(err);
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Flushes the staged new contents, one file with `fdatasync`, several
    /// with one `syncfs` of the queue's file system; and, when a commit is
    /// staged, the outputs.
    fn sync_staged(&mut self) -> Result<()> {
        let mut contents: Vec<(&File, &Path)> = self
            .staged
            .enqueued
            .iter()
            .map(|e| (&e.file, e.temp.path()))
            .collect();
        let mut commits = false;
        for id in &self.staged.messages {
            if let Some(held) = self.held.get(id) {
                commits |= held.committed;
                if let Some(update) = &held.update {
                    contents.push((&update.file, update.temp.path()));
                }
            }
        }
        let mut fsyncs = 0;
        let synced = match contents.as_slice() {
            [] => Ok(()),
            [(file, path)] => {
                fsyncs += 1;
                file.sync_data()
                    .map_err(|err| io_error(format!("cannot flush {}", path.display()), err))
            }
            [(file, _), ..] => {
                fsyncs += 1;
                nix::unistd::syncfs(file).map_err(|errno| {
                    io_error(
                        format!(
                            "cannot flush the file system of {}",
                            self.dirs.tmp.display()
                        ),
                        errno.into(),
                    )
                })
            }
        };
        let synced = synced.and_then(|()| {
            if !commits {
                return Ok(());
            }
            self.outputs.iter().try_for_each(|output| {
                fsyncs += 1;
                output
                    .file
                    .sync_data()
                    .map_err(|err| io_error(format!("cannot flush {}", output.path.display()), err))
            })
        });
        self.stats.fsyncs += fsyncs;
        synced
    }

    /// Drops every staged operation: the enqueued files and the updates are
    /// removed, the commits undone.
    fn discard_staged(&mut self) {
        self.staged.enqueued.clear();
        for id in std::mem::take(&mut self.staged.messages) {
            if let Some(held) = self.held.get_mut(&id) {
                held.uncommit(None);
                held.staged = false;
            }
        }
    }

    /// Makes the staged update and commit of held message `id` take effect.
    fn apply(&mut self, id: &str, entered: &mut Entered) -> Result<()> {
        let Some(held) = self.held.get_mut(id) else {
            return Ok(());
        };
        held.staged = false;
        let update = held.update.take();
        let pending = self.dirs.pending.join(id);
        if !held.committed {
            let Some(update) = update else {
                return Ok(());
            };
            return self.put_in_place(id, update);
        }
        let updated = update.is_some();
        // What goes on: the new content in `tmp/`, or the message itself.
        let source = update
            .as_ref()
            .map_or(pending.as_path(), |update| update.temp.path())
            .to_path_buf();
        let Some(next) = &mut self.next else {
            if let Err(err) = fs::remove_file(&source) {
                held.uncommit(update);
                return Err(io_error(format!("cannot remove {}", source.display()), err));
            }
            return self.finish(id, updated, updated, None);
        };
        let staged = next.dirs.tmp.join(id);
        let target = next.dirs.incoming.join(id);
        let copied = match fs::rename(&source, &staged) {
            Ok(()) => false,
            Err(err) if err.raw_os_error() == Some(libc::EXDEV) => {
                let file: &File = update.as_ref().map_or(&held.file, |update| &update.file);
                let copy = copy_into_new(file, &source, &staged, self.file_mode).and_then(|out| {
                    self.stats.fsyncs += 1;
                    out.sync_all()
                        .map_err(|err| io_error(format!("cannot flush {}", staged.display()), err))
                });
                if let Err(err) = copy {
                    let _ = fs::remove_file(&staged);
                    held.uncommit(update);
                    return Err(err);
                }
                true
            }
            Err(err) => {
                held.uncommit(update);
                return Err(rename_error(&source, &staged, err));
            }
        };
        if let Err(err) = fs::rename(&staged, &target) {
            let err = rename_error(&staged, &target, err);
            if copied {
                let _ = fs::remove_file(&staged);
                held.uncommit(update);
                return Err(err.context(format!("message {id} stays pending")));
            }
            // Moved out of this queue: the next queue recovers it from its
            // `tmp/` (a commit stranded there).
            if let Some(update) = update {
                update.temp.keep();
            }
            self.finish(id, updated, updated, None)?;
            return Err(err.context(format!("message {id} was left in the next queue's tmp/")));
        }
        next.len += 1;
        entered.next = true;
        if let Some(update) = update {
            if copied {
                let _ = fs::remove_file(update.temp.path());
            }
            update.temp.keep();
        }
        self.finish(id, updated, copied || updated, Some(entered))
    }

    /// Releases committed message `id`, counts it (and its update), and,
    /// when its file in `pending/` is not the one that went on (an update
    /// or a copy did), retires that file: at once, or after the flush of
    /// the next queue's `incoming/` when `entered` is given.
    fn finish(
        &mut self,
        id: &str,
        updated: bool,
        remove_pending: bool,
        entered: Option<&mut Entered>,
    ) -> Result<()> {
        let held = self.held.remove(id);
        self.stats.cnt_committed += 1;
        if updated {
            self.stats.cnt_updated += 1;
        }
        match (remove_pending, held, entered) {
            (false, _, _) => Ok(()),
            (true, Some(held), Some(entered)) => {
                entered.retired.push((id.to_owned(), held.file));
                Ok(())
            }
            (true, Some(held), None) => self.retire(id, held.file),
            (true, None, _) => Ok(()),
        }
    }

    /// Retires `pending/<id>`, the old file of a message that went on:
    /// kept as a spare when there is room, else removed.
    fn retire(&mut self, id: &str, file: Locked) -> Result<()> {
        let pending = self.dirs.pending.join(id);
        if self.spares.len() < SPARES && file.is_writable() {
            let spare = self.dirs.tmp.join(spare_name(&self.host));
            if fs::rename(&pending, &spare).is_ok() {
                self.keep_spare(TmpFile {
                    file,
                    temp: Temp::new(spare),
                });
                return Ok(());
            }
        }
        match fs::remove_file(&pending) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == IoErrorKind::NotFound => Ok(()),
            Err(err) => Err(io_error(
                format!(
                    "message {id} was committed, but cannot remove {}, from which it will be \
                     processed again",
                    pending.display()
                ),
                err,
            )),
        }
    }

    /// Puts the new content `update` of held message `id`, flushed, in
    /// place of the message in `pending/`: exchanged with it
    /// (`RENAME_EXCHANGE`), so that the old file becomes a spare, or
    /// renamed over it where the file system cannot exchange. The message
    /// is locked throughout: both files are. `pending/` is not flushed:
    /// after a power loss the message is there with the old content or the
    /// new, and, not committed, it is processed again either way.
    fn put_in_place(&mut self, id: &str, update: TmpFile) -> Result<()> {
        let pending = self.dirs.pending.join(id);
        let exchanged = exchange(update.temp.path(), &pending)?;
        let Some(held) = self.held.get_mut(id) else {
            return Ok(());
        };
        let old = std::mem::replace(&mut held.file, update.file);
        self.stats.cnt_updated += 1;
        if exchanged {
            self.keep_spare(TmpFile {
                file: old,
                temp: update.temp,
            });
        } else {
            update.temp.keep();
        }
        Ok(())
    }

    /// Puts a staged update of held message `id` in place on its own,
    /// flushed, for an operation that takes the message as it is now
    /// (banish, dispatch, duplicate).
    pub(crate) fn settle(&mut self, id: &str) -> Result<()> {
        let Some(update) = self.held.get_mut(id).and_then(|held| held.update.take()) else {
            return Ok(());
        };
        if let Some(held) = self.held.get_mut(id) {
            held.staged = false;
        }
        self.staged.messages.retain(|staged| staged != id);
        self.stats.fsyncs += 1;
        update.file.sync_data().map_err(|err| {
            io_error(
                format!("cannot flush {}", update.temp.path().display()),
                err,
            )
        })?;
        self.put_in_place(id, update)
    }

    /// Keeps `spare` for a later update, which then writes into it instead
    /// of creating a file: on ext4 and most file systems creating and
    /// removing files costs more than the rest of a message's way. At most
    /// [`SPARES`] are kept; one more is removed.
    pub(crate) fn keep_spare(&mut self, spare: TmpFile) {
        if self.spares.len() < SPARES && spare.file.is_writable() {
            self.spares.push(spare);
        }
    }

    /// Drops a staged update of held message `id`, which is being canceled.
    pub(crate) fn unstage(&mut self, id: &str) {
        let update = self.held.get_mut(id).and_then(|held| {
            held.staged = false;
            held.update.take()
        });
        if let Some(update) = update {
            self.keep_spare(update);
        }
        self.staged.messages.retain(|staged| staged != id);
    }
}
