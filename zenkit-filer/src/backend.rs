//! Queue backends: what the [`Filer`](crate::Filer) component takes its
//! messages from and hands them on to.
//!
//! The filer drives a [`QueueBackend`]; the directory queue is the one this
//! crate has ([`DirBackend`]). Another crate adds one by registering a
//! [`BackendKind`] for a URL scheme (`nats://` for zenkit-filer-nats):
//! when `queue_in_dir` or `queue_out_dir` is such a URL, the filer asks that
//! kind to open the queues, and the daemon's handlers stay the same. As
//! with plugins, a binary must refer to the crate of a backend it wants only
//! for its registration (`use zenkit_filer_nats as _;`).

use std::any::Any;
use std::fmt;
use std::fs::File;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use serde_json::Value;
use zenkit::daemon::{Daemon, Interest};
use zenkit::Result;

use crate::{DirQueue, Message, Options, Rescan};

/// What the filer needs of a queue: the operations of [`DirQueue`] by a
/// message's id, and a way to be told of new messages.
///
/// Every operation on a message takes the id of a message this queue
/// returned from [`next`](QueueBackend::next) and has not finished; errors
/// name what failed. The guarantees are the directory queue's: a message
/// is taken by one instance at a time, is gone from the input only once
/// [`commit`](QueueBackend::commit) (with group commit: the following
/// [`flush`](QueueBackend::flush)) handed it on durably, and comes back to
/// some instance when the one holding it dies.
pub trait QueueBackend: fmt::Debug + Send {
    /// Takes the next message, or `None` when there is none now.
    fn next(&mut self) -> Result<Option<Message>>;
    /// Replaces a taken message's content with `data`.
    fn update(&mut self, id: &str, data: &[u8]) -> Result<()>;
    /// Hands a taken message on to the output queue (deletes it without
    /// one).
    fn commit(&mut self, id: &str) -> Result<()>;
    /// Moves a taken message aside with `meta` saying why.
    fn banish(&mut self, id: &str, meta: Option<&Value>) -> Result<()>;
    /// Deletes a taken message.
    fn cancel(&mut self, id: &str) -> Result<()>;
    /// Moves a taken message into `target` (a directory, or what the
    /// backend takes there) with `meta`.
    fn dispatch(&mut self, id: &str, target: &str, meta: Option<&Value>) -> Result<()>;
    /// Copies a taken message into `target`, with `meta`; it stays taken.
    fn duplicate(&mut self, id: &str, target: &str, meta: Option<&Value>) -> Result<()>;
    /// Adds a message to the input queue and returns its id.
    fn enqueue(&mut self, data: &[u8]) -> Result<String>;
    /// Makes the operations staged by group commit take effect, durably.
    fn flush(&mut self) -> Result<()>;
    /// The operations staged for the next [`flush`](QueueBackend::flush).
    fn unflushed(&self) -> usize;
    /// Turns group commit on or off (off flushes what is staged).
    fn set_group_commit(&mut self, on: bool) -> Result<()>;
    /// Adds a file to flush to disk before committed messages leave the
    /// input (see [`DirQueue::flush_with`]).
    fn flush_with(&mut self, file: File, path: PathBuf);
    /// What a daemon does every so often (see [`DirQueue::rescan`]).
    fn rescan(&mut self) -> Result<Rescan>;
    /// The estimated number of messages waiting in the output queue, for
    /// back-pressure; `None` without an output queue.
    fn next_queue_len(&self) -> Option<usize>;
    /// Counts the messages waiting in the output queue now: the estimate
    /// of [`next_queue_len`](QueueBackend::next_queue_len) starts again
    /// from that count.
    fn recount_next(&mut self) -> Result<()>;
    /// Arranges for `event` to be queued in the daemon when new messages
    /// may have arrived.
    fn watch(&mut self, daemon: &mut Daemon<'_>, event: &'static str) -> Result<()>;
    /// Called by `event` of [`watch`](QueueBackend::watch): takes what
    /// told of the new messages.
    fn woken(&mut self) {}
    /// A reload put a new configuration in force: take what of it applies
    /// to a queue already open (the queues themselves change only at a
    /// restart).
    fn reload(&mut self, daemon: &mut Daemon<'_>) -> Result<()> {
        let _ = daemon;
        Ok(())
    }
    /// The counters of the queue, name to number.
    fn stats(&self) -> Vec<(&'static str, u64)>;
    /// Counters of the backend beyond the filer's own statistics
    /// (`cnt_*`), which the filer copies into the daemon's statistics.
    fn counters(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
    /// Values of the backend that go up and down (a connection's state,
    /// messages waiting), which the filer puts in the group `gauges` of
    /// the daemon's statistics.
    fn gauges(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
    /// The input queue as the log names it: `directory '/var/spool/x'`.
    fn input(&self) -> String;
    /// The output queue as the log names it; `None` without one.
    fn output(&self) -> Option<String>;
    /// The backend, for [`Filer::queue`](crate::Filer::queue) to find a
    /// directory queue in it.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// Where `queue_in_dir` or `queue_out_dir` points: a directory, or a URL
/// of a registered backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A directory queue, its path resolved (a bare name is under
    /// `<var>/spool/`).
    Dir(PathBuf),
    /// A URL, `<scheme>://…`, as the key has it.
    Url(String),
}

impl Endpoint {
    /// The endpoint `text` names: a URL when it starts with `<scheme>://`
    /// (letters, digits, `+`, `-`, `.`), else a directory as Mentat
    /// resolves it, a bare name under `<var>/spool/`.
    pub fn parse(var: &Path, text: &str) -> Endpoint {
        match scheme_of(text) {
            Some(_) => Endpoint::Url(text.to_string()),
            None => Endpoint::Dir(queue_path(var, text)),
        }
    }

    /// The URL's scheme; `None` for a directory.
    pub fn scheme(&self) -> Option<&str> {
        match self {
            Endpoint::Dir(_) => None,
            Endpoint::Url(url) => scheme_of(url),
        }
    }
}

fn scheme_of(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// `dir` as Mentat resolves it: a bare name is under `<var>/spool/`.
fn queue_path(var: &Path, dir: &str) -> PathBuf {
    if Path::new(dir)
        .parent()
        .is_some_and(|p| !p.as_os_str().is_empty())
    {
        PathBuf::from(dir)
    } else {
        var.join("spool").join(dir)
    }
}

/// What a [`BackendKind`] opens: the filer's queues and its directory
/// options.
#[derive(Debug)]
pub struct Spec<'a> {
    /// The configuration key of the input queue, `queue_in_dir` under the
    /// channel's prefix, for errors.
    pub input_key: &'a str,
    /// The input queue.
    pub input: &'a Endpoint,
    /// The configuration key of the output queue, for errors.
    pub output_key: &'a str,
    /// The output queue; `None` to delete committed messages.
    pub output: Option<&'a Endpoint>,
    /// The options of the directory queues, without a next queue.
    pub options: &'a Options,
    /// Only to enqueue into `input`: nothing is taken from it (a first
    /// stage, see [`open_producer`]).
    pub producer: bool,
}

/// A queue backend for the URLs of one scheme, registered with
/// `inventory::submit!` by the crate that has it.
#[derive(Debug)]
pub struct BackendKind {
    /// The URL scheme, without `://`.
    pub scheme: &'static str,
    /// The package that has the backend, for the error when none is linked.
    pub package: &'static str,
    /// Opens the queues of `spec`, of which at least one is a URL of
    /// `scheme`, in the daemon's setup.
    pub open: fn(&mut Daemon<'_>, &Spec<'_>) -> Result<Box<dyn QueueBackend>>,
}

inventory::collect!(BackendKind);

/// Opens the queues of `spec`: by the backend of their URLs' scheme when
/// one is a URL, else as a [`DirBackend`].
pub(crate) fn open(daemon: &mut Daemon<'_>, spec: &Spec<'_>) -> Result<Box<dyn QueueBackend>> {
    let urls = [
        (spec.input_key, Some(spec.input)),
        (spec.output_key, spec.output),
    ];
    let mut schemes = urls
        .iter()
        .filter_map(|(key, endpoint)| Some((*key, endpoint.as_ref()?.scheme()?)));
    let Some((key, scheme)) = schemes.next() else {
        let Endpoint::Dir(dir) = spec.input else {
            unreachable!("an endpoint without a scheme is a directory")
        };
        let options = Options {
            next: spec.output.map(|endpoint| match endpoint {
                Endpoint::Dir(dir) => dir.clone(),
                Endpoint::Url(_) => unreachable!("an endpoint with a scheme is a URL"),
            }),
            ..spec.options.clone()
        };
        return Ok(Box::new(DirBackend::open(dir, options)?));
    };
    if let Some((other_key, other)) = schemes.next().filter(|(_, other)| *other != scheme) {
        return Err(zenkit::Error::config(format!(
            "{other_key}: a '{other}://' queue cannot be used with the '{scheme}://' queue of {key}"
        )));
    }
    match inventory::iter::<BackendKind>().find(|kind| kind.scheme == scheme) {
        Some(kind) => (kind.open)(daemon, spec),
        None => Err(zenkit::Error::config(format!(
            "{key}: no queue backend for '{scheme}://' URLs is linked into this program{}",
            match scheme {
                "nats" => {
                    ": add the zenkit-filer-nats package and `use zenkit_filer_nats as _;`"
                }
                _ => "",
            }
        ))),
    }
}

/// Opens the queue `text` names (a directory, a bare name under
/// `<var>/spool/`, or a URL of a registered backend) only to enqueue into
/// it, for a daemon's first stage that makes messages rather than takes
/// them: [`QueueBackend::enqueue`], then [`QueueBackend::flush`] with group
/// commit. `key` is the configuration key that gave `text`, for errors.
pub fn open_producer(
    daemon: &mut Daemon<'_>,
    key: &str,
    text: &str,
    options: &Options,
) -> Result<Box<dyn QueueBackend>> {
    let endpoint = Endpoint::parse(&daemon.paths().var, text);
    let spec = Spec {
        input_key: key,
        input: &endpoint,
        output_key: key,
        output: None,
        options,
        producer: true,
    };
    open(daemon, &spec)
}

/// The directory queue as a [`QueueBackend`], told of new messages by
/// inotify.
#[derive(Debug)]
pub struct DirBackend {
    queue: DirQueue,
    inotify: Option<Inotify>,
}

impl DirBackend {
    /// Opens the directory queue in `dir` (see [`DirQueue::open`]).
    pub fn open(dir: impl AsRef<Path>, options: Options) -> Result<DirBackend> {
        Ok(DirBackend {
            queue: DirQueue::open(dir, options)?,
            inotify: None,
        })
    }

    /// The directory queue.
    pub fn queue(&mut self) -> &mut DirQueue {
        &mut self.queue
    }
}

impl QueueBackend for DirBackend {
    fn next(&mut self) -> Result<Option<Message>> {
        self.queue.next()
    }

    fn update(&mut self, id: &str, data: &[u8]) -> Result<()> {
        self.queue.update(id, data)
    }

    fn commit(&mut self, id: &str) -> Result<()> {
        self.queue.commit(id)
    }

    fn banish(&mut self, id: &str, meta: Option<&Value>) -> Result<()> {
        self.queue.banish(id, meta)
    }

    fn cancel(&mut self, id: &str) -> Result<()> {
        self.queue.cancel(id)
    }

    fn dispatch(&mut self, id: &str, target: &str, meta: Option<&Value>) -> Result<()> {
        self.queue.dispatch(id, target, meta)
    }

    fn duplicate(&mut self, id: &str, target: &str, meta: Option<&Value>) -> Result<()> {
        self.queue.duplicate(id, target, meta)
    }

    fn enqueue(&mut self, data: &[u8]) -> Result<String> {
        Ok(self.queue.enqueue(data)?.as_str().to_string())
    }

    fn flush(&mut self) -> Result<()> {
        self.queue.flush()
    }

    fn unflushed(&self) -> usize {
        self.queue.unflushed()
    }

    fn set_group_commit(&mut self, on: bool) -> Result<()> {
        self.queue.set_group_commit(on)
    }

    fn flush_with(&mut self, file: File, path: PathBuf) {
        self.queue.flush_with(file, path);
    }

    fn rescan(&mut self) -> Result<Rescan> {
        self.queue.rescan()
    }

    fn next_queue_len(&self) -> Option<usize> {
        self.queue.next_queue_len()
    }

    fn recount_next(&mut self) -> Result<()> {
        self.queue.recount_next().map(drop)
    }

    /// Watches `incoming/` with inotify.
    fn watch(&mut self, daemon: &mut Daemon<'_>, event: &'static str) -> Result<()> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)
            .map_err(|e| zenkit::Error::setup(format!("cannot watch the input queue: {e}")))?;
        inotify
            .add_watch(
                self.queue.incoming_dir(),
                AddWatchFlags::IN_MOVED_TO | AddWatchFlags::IN_CLOSE_WRITE,
            )
            .map_err(|e| {
                zenkit::Error::setup(format!(
                    "cannot watch {}: {e}",
                    self.queue.incoming_dir().display()
                ))
            })?;
        daemon.watch_fd(inotify.as_fd(), Interest::READABLE, event);
        self.inotify = Some(inotify);
        Ok(())
    }

    fn woken(&mut self) {
        if let Some(inotify) = &self.inotify {
            while matches!(inotify.read_events(), Ok(events) if !events.is_empty()) {}
        }
    }

    fn stats(&self) -> Vec<(&'static str, u64)> {
        self.queue.stats().iter().collect()
    }

    fn input(&self) -> String {
        format!("directory '{}'", self.queue.dir().display())
    }

    fn output(&self) -> Option<String> {
        self.queue
            .next_dir()
            .map(|dir| format!("directory '{}'", dir.display()))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_directories() {
        let var = Path::new("/var");
        assert_eq!(
            Endpoint::parse(var, "nats:///ENRICH"),
            Endpoint::Url("nats:///ENRICH".into())
        );
        assert_eq!(
            Endpoint::parse(var, "nats:///ENRICH").scheme(),
            Some("nats")
        );
        assert_eq!(
            Endpoint::parse(var, "enricher"),
            Endpoint::Dir("/var/spool/enricher".into())
        );
        assert_eq!(
            Endpoint::parse(var, "/srv/q://x"),
            Endpoint::Dir("/srv/q://x".into())
        );
        assert_eq!(Endpoint::parse(var, "./q"), Endpoint::Dir("./q".into()));
        assert_eq!(Endpoint::parse(var, "1a://x").scheme(), None);
    }
}
