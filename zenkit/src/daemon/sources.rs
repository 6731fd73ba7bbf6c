//! The event sources a daemon's loop waits on besides its queue: file
//! descriptors becoming ready and paths changing, all in the loop's single
//! `ppoll` together with the pipe signals and other threads wake it by.
//!
//! Each readiness becomes an event at the end of the queue. A source whose
//! event is queued is not looked at again until that event's handlers have
//! run, so a readable descriptor the handler drains gives one event, not one
//! per loop turn, and a burst of writes to a watched file one `modified`.

use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::time::Duration;

use nix::libc;
use serde::{Deserialize, Serialize};

use super::names::EventId;
use super::path_watch::{PathWatches, Report};
use super::queue::{Event, EventQueue};
use crate::Result;

/// What readiness of a file descriptor a watch waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest {
    readable: bool,
    writable: bool,
}

impl Interest {
    /// Data to read, a connection to accept, or the other end closed.
    pub const READABLE: Interest = Interest {
        readable: true,
        writable: false,
    };
    /// Room to write.
    pub const WRITABLE: Interest = Interest {
        readable: false,
        writable: true,
    };
    /// Either.
    pub const BOTH: Interest = Interest {
        readable: true,
        writable: true,
    };

    fn poll_events(self) -> libc::c_short {
        let mut events = 0;
        if self.readable {
            events |= libc::POLLIN;
        }
        if self.writable {
            events |= libc::POLLOUT;
        }
        events
    }
}

/// The arguments of a descriptor watch's event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    /// The descriptor.
    pub fd: RawFd,
    /// It can be read without blocking (or the other end closed).
    pub readable: bool,
    /// It can be written without blocking.
    pub writable: bool,
    /// The other end hung up.
    pub hangup: bool,
    /// An error is pending on it.
    pub error: bool,
}

/// Names a watch, to remove it with [`Daemon::unwatch`](super::Daemon::unwatch).
/// No two watches in place have the same id; the id of a removed watch is
/// given again only after half a billion further watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WatchId(u32);

/// An event's source tag: the watch id above the low bits, and in them 0
/// for a descriptor or 1 + the change for a path.
const CODE_BITS: u32 = 3;

/// The greatest watch id: one that fits a source tag above its code bits.
/// After it, ids start again at 1, skipping those still in use.
const MAX_ID: u32 = u32::MAX >> CODE_BITS;

struct FdWatch {
    id: u32,
    fd: RawFd,
    interest: Interest,
    event: EventId,
    queued: bool,
}

/// The watches of a daemon.
#[derive(Default)]
pub(crate) struct Sources {
    last_id: u32,
    /// Ids went past [`MAX_ID`] once: a new id may be one still in use.
    wrapped: bool,
    fds: Vec<FdWatch>,
    paths: PathWatches,
    /// The `pollfd`s of the last poll, kept to spare an allocation per poll.
    scratch: Vec<libc::pollfd>,
    reports: Vec<Report>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sources")
            .field("fds", &self.fds.iter().map(|w| w.fd).collect::<Vec<_>>())
            .field("paths", &self.paths)
            .finish()
    }
}

impl Sources {
    /// A new watch id, within the bits a source tag has for it: a daemon
    /// that watches each of its connections goes through ids fast.
    fn next_id(&mut self) -> u32 {
        loop {
            if self.last_id >= MAX_ID {
                self.last_id = 1;
                self.wrapped = true;
            } else {
                self.last_id += 1;
            }
            let id = self.last_id;
            if !self.wrapped || !(self.fds.iter().any(|w| w.id == id) || self.paths.contains(id)) {
                return id;
            }
        }
    }

    /// The watches for the daemon state dump, with the names of their
    /// events: `[{"fd": 5, "event": "readable"}, {"path": "…", "event": …}]`.
    pub(crate) fn to_json(&self, queue: &EventQueue) -> serde_json::Value {
        let fds = self.fds.iter().map(|w| {
            serde_json::json!({
                "fd": w.fd,
                "readable": w.interest.readable,
                "writable": w.interest.writable,
                "event": queue.name(w.event),
            })
        });
        let paths = self
            .paths
            .iter()
            .map(|(path, event)| serde_json::json!({"path": path, "event": queue.name(event)}));
        fds.chain(paths).collect()
    }

    /// Whether any source is watched.
    pub(crate) fn is_empty(&self) -> bool {
        self.fds.is_empty() && self.paths.is_empty()
    }

    /// Watches `fd` for `interest`, reporting to `event`.
    pub(crate) fn watch_fd(
        &mut self,
        fd: BorrowedFd<'_>,
        interest: Interest,
        event: EventId,
    ) -> WatchId {
        let id = self.next_id();
        self.fds.push(FdWatch {
            id,
            fd: fd.as_raw_fd(),
            interest,
            event,
            queued: false,
        });
        WatchId(id)
    }

    /// Watches `path`, reporting to `event`.
    pub(crate) fn watch_path(&mut self, path: &Path, event: EventId) -> Result<WatchId> {
        let id = self.next_id();
        self.paths.add(id, path, event)?;
        Ok(WatchId(id))
    }

    /// Removes a watch; false when there is none by that id.
    pub(crate) fn unwatch(&mut self, watch: WatchId) -> bool {
        let before = self.fds.len();
        self.fds.retain(|w| w.id != watch.0);
        before != self.fds.len() || self.paths.remove(watch.0)
    }

    /// The event of source tag `source` was handled: the source may report
    /// again.
    pub(crate) fn handled(&mut self, source: u32) {
        let (id, code) = (source >> CODE_BITS, source & ((1 << CODE_BITS) - 1));
        if code == 0 {
            if let Some(w) = self.fds.iter_mut().find(|w| w.id == id) {
                w.queued = false;
            }
        } else if let Some(change) = PathWatches::change_of(code - 1) {
            self.paths.handled(id, change);
        }
    }

    /// Waits up to `timeout` (none: forever; zero: not at all) for `wake`
    /// or a source to become ready, and queues an event for each source
    /// that did. Returns what went wrong with a source (the watch of a
    /// descriptor that was closed is removed).
    pub(crate) fn poll(
        &mut self,
        wake: BorrowedFd<'_>,
        timeout: Option<Duration>,
        queue: &mut EventQueue,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let mut fds = std::mem::take(&mut self.scratch);
        fds.clear();
        let entry = |fd: RawFd, events| libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        fds.push(entry(wake.as_raw_fd(), libc::POLLIN));
        let inotify = self.paths.fd();
        if let Some(fd) = inotify {
            fds.push(entry(fd, libc::POLLIN));
        }
        let first_watch = fds.len();
        for w in &self.fds {
            // a queued watch is skipped: -1 makes poll ignore the entry
            let fd = if w.queued { -1 } else { w.fd };
            fds.push(entry(fd, w.interest.poll_events()));
        }
        let spec = timeout.map(|t| libc::timespec {
            tv_sec: t.as_secs().min(libc::time_t::MAX as u64) as libc::time_t,
            tv_nsec: t.subsec_nanos() as libc::c_long,
        });
        let spec_ptr = spec
            .as_ref()
            .map_or(std::ptr::null(), |s| s as *const libc::timespec);
        // SAFETY: `fds` is a live array of `fds.len()` pollfd values and
        // `spec_ptr` null or a live timespec; no signal mask is changed.
        let ready = unsafe {
            libc::ppoll(
                fds.as_mut_ptr(),
                fds.len() as libc::nfds_t,
                spec_ptr,
                std::ptr::null(),
            )
        };
        if ready > 0 {
            if inotify.is_some() && fds[1].revents != 0 {
                let mut reports = std::mem::take(&mut self.reports);
                if let Err(problem) = self.paths.read(&mut reports) {
                    problems.push(problem);
                }
                for report in reports.drain(..) {
                    let args = serde_json::to_value(&report.change).ok();
                    let mut event = Event::new(report.event, args);
                    event.source = (report.id << CODE_BITS) | (report.code() + 1);
                    queue.push(event);
                }
                self.reports = reports;
            }
            let mut closed = Vec::new();
            for (w, pollfd) in self.fds.iter_mut().zip(&fds[first_watch..]) {
                let revents = pollfd.revents;
                if pollfd.fd < 0 || revents == 0 {
                    continue;
                }
                if revents & libc::POLLNVAL != 0 {
                    problems.push(format!(
                        "file descriptor {} was closed while watched; its watch is removed",
                        w.fd
                    ));
                    closed.push(w.id);
                    continue;
                }
                let ready = Ready {
                    fd: w.fd,
                    readable: revents & (libc::POLLIN | libc::POLLHUP) != 0,
                    writable: revents & libc::POLLOUT != 0,
                    hangup: revents & libc::POLLHUP != 0,
                    error: revents & libc::POLLERR != 0,
                };
                let mut event = Event::new(w.event, serde_json::to_value(ready).ok());
                event.source = w.id << CODE_BITS;
                w.queued = true;
                queue.push(event);
            }
            if !closed.is_empty() {
                self.fds.retain(|w| !closed.contains(&w.id));
            }
        }
        self.scratch = fds;
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::{AsFd, OwnedFd};

    /// A pipe with a byte in it: its read end stays readable.
    fn readable_pipe() -> (OwnedFd, OwnedFd) {
        let (read, write) = nix::unistd::pipe().unwrap();
        nix::unistd::write(&write, b"x").unwrap();
        (read, write)
    }

    /// Polls without waiting; the source tags of the events it queued.
    fn poll_tags(sources: &mut Sources, wake: BorrowedFd<'_>, queue: &mut EventQueue) -> Vec<u32> {
        assert_eq!(
            sources.poll(wake, Some(Duration::ZERO), queue),
            Vec::<String>::new()
        );
        std::iter::from_fn(|| queue.pop_immediate())
            .map(|event| event.source)
            .collect()
    }

    #[test]
    fn a_ready_descriptor_reports_once_until_its_event_is_handled() {
        let (wake, _wake_end) = nix::unistd::pipe().unwrap();
        let (data, _data_end) = readable_pipe();
        let mut queue = EventQueue::new();
        let event = queue.id("data");
        let mut sources = Sources::default();
        sources.watch_fd(data.as_fd(), Interest::READABLE, event);
        let tags = poll_tags(&mut sources, wake.as_fd(), &mut queue);
        assert_eq!(tags.len(), 1);
        assert!(poll_tags(&mut sources, wake.as_fd(), &mut queue).is_empty());
        sources.handled(tags[0]);
        assert_eq!(poll_tags(&mut sources, wake.as_fd(), &mut queue), tags);
    }

    #[test]
    fn watch_ids_past_the_tag_bits_start_again_and_skip_those_in_use() {
        let (wake, _wake_end) = nix::unistd::pipe().unwrap();
        let (data, _data_end) = readable_pipe();
        let mut queue = EventQueue::new();
        let event = queue.id("data");
        let mut sources = Sources::default();
        let first = sources.watch_fd(data.as_fd(), Interest::READABLE, event);
        assert_eq!(first, WatchId(1));
        // a daemon that has watched half a billion connections
        sources.last_id = MAX_ID - 1;
        let last = sources.watch_fd(data.as_fd(), Interest::READABLE, event);
        let wrapped = sources.watch_fd(data.as_fd(), Interest::READABLE, event);
        assert_eq!(last, WatchId(MAX_ID));
        assert_eq!(wrapped, WatchId(2), "id 1 is still in use");
        // every watch reports again once its event is handled: none is
        // left waiting for a handled() its tag cannot name
        for round in 0..3 {
            let tags = poll_tags(&mut sources, wake.as_fd(), &mut queue);
            assert_eq!(tags.len(), 3, "round {round}: {tags:?}");
            for tag in tags {
                sources.handled(tag);
            }
        }
    }
}
