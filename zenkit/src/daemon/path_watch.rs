//! Paths as event sources, through one inotify instance.
//!
//! A watched path is followed by name: the directory that holds it is
//! watched for a file of that name appearing (created, or moved there),
//! leaving (moved away) and being deleted, and the file standing at the path
//! for being written to. When a new file appears at the path, its writes are
//! watched too, while the writes to the file that was moved away keep being
//! reported until the next one appears: a reader can drain a rotated log
//! before it turns to the new one.

use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, InotifyEvent, WatchDescriptor};
use serde::{Deserialize, Serialize};

use super::names::EventId;
use crate::{Error, Result};

/// What happened at a watched path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// A file appeared at the path: created there, or moved there.
    Created,
    /// The file at the path (or the one just moved away from it) was
    /// written to or truncated.
    Modified,
    /// The file at the path was renamed away (rotated).
    Moved,
    /// The file at the path was deleted.
    Deleted,
}

impl Change {
    const ALL: [Change; 4] = [
        Change::Created,
        Change::Modified,
        Change::Moved,
        Change::Deleted,
    ];

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The arguments of a path watch's event: `{"path": ..., "change": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathChange {
    /// The watched path.
    pub path: PathBuf,
    /// What happened there.
    pub change: Change,
}

const DIR_MASK: AddWatchFlags = AddWatchFlags::IN_CREATE
    .union(AddWatchFlags::IN_MOVED_TO)
    .union(AddWatchFlags::IN_MOVED_FROM)
    .union(AddWatchFlags::IN_DELETE)
    .union(AddWatchFlags::IN_ONLYDIR);
const FILE_MASK: AddWatchFlags = AddWatchFlags::IN_MODIFY;

struct Watched {
    id: u32,
    path: PathBuf,
    dir: WatchDescriptor,
    name: OsString,
    /// The file at the path last, and the one before it (moved away).
    files: Vec<WatchDescriptor>,
    event: EventId,
    /// Changes whose event is queued and not handled yet: another change of
    /// the same kind before then is the same news.
    pending: u8,
}

/// The path watches of a daemon.
#[derive(Default)]
pub(crate) struct PathWatches {
    inotify: Option<Inotify>,
    watched: Vec<Watched>,
}

impl std::fmt::Debug for PathWatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.watched.iter().map(|w| &w.path))
            .finish()
    }
}

/// A change to report: which watch, what, and the event it goes to.
pub(crate) struct Report {
    pub(crate) id: u32,
    pub(crate) event: EventId,
    pub(crate) change: PathChange,
}

impl PathWatches {
    /// The inotify descriptor to poll, once a path is watched.
    pub(crate) fn fd(&self) -> Option<RawFd> {
        self.inotify.as_ref().map(|i| i.as_fd().as_raw_fd())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.watched.is_empty()
    }

    /// The watched paths and their events.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Path, EventId)> {
        self.watched.iter().map(|w| (w.path.as_path(), w.event))
    }

    /// Whether watch `id` is one of these.
    pub(crate) fn contains(&self, id: u32) -> bool {
        self.watched.iter().any(|w| w.id == id)
    }

    /// Watches `path` as watch `id`, reporting to `event`.
    pub(crate) fn add(&mut self, id: u32, path: &Path, event: EventId) -> Result<()> {
        let name = path
            .file_name()
            .ok_or_else(|| Error::msg(format!("cannot watch {}: no file name", path.display())))?
            .to_os_string();
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if self.inotify.is_none() {
            let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)
                .map_err(|e| Error::setup(format!("cannot start watching paths: {e}")))?;
            self.inotify = Some(inotify);
        }
        let inotify = self.inotify.as_ref().expect("made above");
        let dir_wd = inotify
            .add_watch(dir, DIR_MASK)
            .map_err(|e| Error::msg(format!("cannot watch directory {}: {e}", dir.display())))?;
        let files = inotify.add_watch(path, FILE_MASK).into_iter().collect();
        self.watched.push(Watched {
            id,
            path: path.to_path_buf(),
            dir: dir_wd,
            name,
            files,
            event,
            pending: 0,
        });
        Ok(())
    }

    /// Stops watch `id`; false when there is none.
    pub(crate) fn remove(&mut self, id: u32) -> bool {
        let Some(index) = self.watched.iter().position(|w| w.id == id) else {
            return false;
        };
        let gone = self.watched.remove(index);
        for wd in gone.files.iter().copied().chain([gone.dir]) {
            self.release(wd);
        }
        true
    }

    /// Removes descriptor `wd` from inotify unless another watch uses it
    /// (inotify gives one descriptor per inode).
    fn release(&self, wd: WatchDescriptor) {
        let used = self
            .watched
            .iter()
            .any(|w| w.dir == wd || w.files.contains(&wd));
        if let (false, Some(inotify)) = (used, &self.inotify) {
            let _ = inotify.rm_watch(wd);
        }
    }

    /// The change of watch `id` was handled.
    pub(crate) fn handled(&mut self, id: u32, change: Change) {
        if let Some(w) = self.watched.iter_mut().find(|w| w.id == id) {
            w.pending &= !change.bit();
        }
    }

    /// Reads what inotify has and reports each change once while it waits
    /// to be handled.
    pub(crate) fn read(&mut self, reports: &mut Vec<Report>) -> std::result::Result<(), String> {
        loop {
            let events = match self.inotify.as_ref().map(Inotify::read_events) {
                Some(Ok(events)) if !events.is_empty() => events,
                Some(Err(Errno::EAGAIN)) | Some(Ok(_)) | None => return Ok(()),
                Some(Err(Errno::EINTR)) => continue,
                Some(Err(err)) => return Err(format!("cannot read the path watches: {err}")),
            };
            for event in &events {
                self.apply(event, reports);
            }
        }
    }

    fn apply(&mut self, event: &InotifyEvent, reports: &mut Vec<Report>) {
        if event.mask.contains(AddWatchFlags::IN_Q_OVERFLOW) {
            // changes were lost: every reader should look again
            for index in 0..self.watched.len() {
                self.follow(index);
                self.report(index, Change::Modified, reports);
            }
            return;
        }
        for index in 0..self.watched.len() {
            let Some(change) = self.change_of_event(index, event) else {
                continue;
            };
            if change == Change::Created {
                self.follow(index);
            }
            self.report(index, change, reports);
        }
    }

    /// What `event` means for watch `index`, if anything.
    fn change_of_event(&mut self, index: usize, event: &InotifyEvent) -> Option<Change> {
        let w = &mut self.watched[index];
        let mask = event.mask;
        if w.dir == event.wd && event.name.as_deref() == Some(&w.name) {
            if mask.intersects(AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO) {
                Some(Change::Created)
            } else if mask.contains(AddWatchFlags::IN_MOVED_FROM) {
                Some(Change::Moved)
            } else if mask.contains(AddWatchFlags::IN_DELETE) {
                Some(Change::Deleted)
            } else {
                None
            }
        } else if w.files.contains(&event.wd) {
            if mask.contains(AddWatchFlags::IN_IGNORED) {
                // the file is gone for good
                w.files.retain(|&wd| wd != event.wd);
                None
            } else {
                mask.contains(AddWatchFlags::IN_MODIFY)
                    .then_some(Change::Modified)
            }
        } else {
            None
        }
    }

    /// Watches the writes of the file now at the path of watch `index`,
    /// keeping the previous file's.
    fn follow(&mut self, index: usize) {
        let Some(inotify) = &self.inotify else {
            return;
        };
        let Ok(wd) = inotify.add_watch(&self.watched[index].path, FILE_MASK) else {
            return;
        };
        let files = &mut self.watched[index].files;
        if files.last() == Some(&wd) {
            return;
        }
        files.retain(|&f| f != wd);
        files.push(wd);
        if files.len() > 2 {
            let old = files.remove(0);
            self.release(old);
        }
    }

    fn report(&mut self, index: usize, change: Change, reports: &mut Vec<Report>) {
        let w = &mut self.watched[index];
        if w.pending & change.bit() != 0 {
            return;
        }
        w.pending |= change.bit();
        reports.push(Report {
            id: w.id,
            event: w.event,
            change: PathChange {
                path: w.path.clone(),
                change,
            },
        });
    }

    /// The change a report code stands for (see [`Report::code`]).
    pub(crate) fn change_of(code: u32) -> Option<Change> {
        Change::ALL.get(code as usize).copied()
    }
}

impl Report {
    /// The change as a small number, for the event's source tag.
    pub(crate) fn code(&self) -> u32 {
        self.change.change as u32
    }
}
