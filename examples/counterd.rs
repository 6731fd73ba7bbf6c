//! A counter served on a Unix-domain socket: a daemon that does I/O.
//!
//! Each client connects, writes one request line and gets one line of JSON
//! back, then the server closes the connection:
//!
//! | request  | answer                                                   |
//! |----------|----------------------------------------------------------|
//! | `get`    | `{"count":N}`                                            |
//! | `add K`  | adds the integer `K` and answers the new count           |
//! | `slow S` | after `S` seconds of blocking work: `{"slow":S,"count":N}` |
//! | other    | `{"error":"..."}`                                        |
//!
//! It shows the daemon's event sources at work:
//!
//! * the listening socket and every connection are non-blocking and watched
//!   with `watch_fd`: the listener's `accept` event takes every pending
//!   connection, a connection's `client` event reads what arrived (a request
//!   may come in pieces) and, when an answer does not fit into the socket at
//!   once, writes the rest when the socket is writable again;
//! * `slow S` stands for a request to a slow backend: a job on the worker
//!   pool (`--worker-threads`, 4 by default) sleeps, and its result comes
//!   back as the `slow_done` event while the loop goes on serving other
//!   clients; handlers take their arguments as typed values (`Ready`,
//!   `SlowDone`);
//! * a graceful stop (SIGINT) closes the listener at once, so new clients
//!   are refused, and waits for the slow requests being worked on, up to
//!   `stop_timeout` (a configuration file key, 30 s by default);
//! * the socket file: a stale one (left by a daemon that was killed) is
//!   removed at start, one a live server listens on, or any other kind of
//!   file found at the path, makes the daemon refuse to start; its own is
//!   removed at the stop and at exit;
//! * statistics (`connections`, `requests.get`, `requests.add`,
//!   `requests.slow`, `requests.bad`, …) in the log every `--stats-interval`
//!   seconds and in the runlog; the count and the connections in the
//!   SIGUSR2 state dump.
//!
//! Try it (the socket is `<run>/counterd.sock`, `<run>` being
//! `$APP_ROOT_PATH/var/run`; or pass `--socket PATH`, where a relative path
//! is taken from `--work-dir`, `/` by default):
//!
//! ```text
//! APP_ROOT_PATH=/tmp/counterd cargo run --example counterd -- --no-daemon
//! echo 'add 5' | socat - UNIX-CONNECT:/tmp/counterd/var/run/counterd.sock
//! echo 'slow 3' | nc -U /tmp/counterd/var/run/counterd.sock &
//! echo get | nc -U /tmp/counterd/var/run/counterd.sock
//! ```
//!
//! Stop it with Ctrl-C (SIGINT). The count lives in memory only: it starts
//! at 0 with every start.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Number;
use zenkit::daemon::{EventId, Interest, Ready, WatchId};
use zenkit::prelude::*;

/// A counter served on a Unix-domain socket.
#[derive(ZenApp, Default)]
#[zen(daemon)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct Counterd {
    /// Unix-domain socket to listen on (default: <run>/<name>.sock)
    #[zen(cli)]
    socket: Option<PathBuf>,
    /// Longest `slow S` request accepted, in seconds (default: 60)
    #[zen(cli, default = 60.0)]
    max_slow: f64,
    #[zen(component)]
    server: Server,
}

/// What the server needs of the configuration: two of the application's
/// keys.
#[derive(Serialize, Deserialize, Default)]
struct ServerConfig {
    socket: Option<PathBuf>,
    max_slow: f64,
}

/// The longest request line taken, newline included.
const MAX_REQUEST: usize = 256;

/// The socket file the server listens on.
#[derive(Debug)]
struct Listener {
    socket: UnixListener,
    path: PathBuf,
    /// Device and inode of the socket file made, so that only that file is
    /// removed at the end.
    file: (u64, u64),
    watch: Option<WatchId>,
}

impl Listener {
    /// Removes the socket file, if the path still names the one made.
    fn remove_file(&self) {
        let ours = std::fs::symlink_metadata(&self.path)
            .is_ok_and(|m| m.file_type().is_socket() && (m.dev(), m.ino()) == self.file);
        if !ours {
            return;
        }
        match std::fs::remove_file(&self.path) {
            Ok(()) => info!("Removed the socket {}", self.path.display()),
            Err(err) => warn!("Cannot remove the socket {}: {err}", self.path.display()),
        }
    }
}

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Reading the request line.
    Reading,
    /// A job of the worker pool works on the request.
    Working,
    /// Writing the answer.
    Writing,
}

/// One client's connection.
#[derive(Debug)]
struct Conn {
    /// Tells this connection from a later one on the same descriptor.
    serial: u64,
    stream: UnixStream,
    watch: Option<(WatchId, Interest)>,
    phase: Phase,
    input: Vec<u8>,
    output: Vec<u8>,
}

/// What a slow request's job hands back to the loop.
#[derive(Serialize, Deserialize)]
struct SlowDone {
    fd: RawFd,
    serial: u64,
    slow: Number,
}

/// The answer to a slow request, its keys in this order.
#[derive(Serialize)]
struct SlowAnswer {
    slow: Number,
    count: i64,
}

/// A request line, understood.
enum Request {
    Get,
    Add(i64),
    Slow(Number, Duration),
    Bad(String),
}

/// Serves the counter on the socket.
#[derive(Default)]
struct Server {
    configured: Option<PathBuf>,
    max_slow: f64,
    listener: Option<Listener>,
    /// The socket path, kept after the listener is closed (for the state).
    path: PathBuf,
    client_event: Option<EventId>,
    conns: HashMap<RawFd, Conn>,
    serial: u64,
    count: i64,
    peak: usize,
}

/// Makes the listening socket at `path`: a stale socket there is removed
/// first, anything else refused.
fn listen(path: &Path) -> zenkit::Result<UnixListener> {
    let shown = path.display();
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => match UnixStream::connect(path) {
            Ok(_) => {
                return Err(Error::setup(format!(
                    "another server is listening on the socket {shown}"
                )))
            }
            Err(err) if err.kind() == ErrorKind::ConnectionRefused => {
                // nobody listens: a socket left by a daemon that was killed;
                // looked at again right before, so only that very file goes
                let same = std::fs::symlink_metadata(path).is_ok_and(|m| {
                    m.file_type().is_socket() && (m.dev(), m.ino()) == (meta.dev(), meta.ino())
                });
                if !same {
                    return Err(Error::setup(format!(
                        "{shown} changed while it was examined"
                    )));
                }
                std::fs::remove_file(path).map_err(|e| {
                    Error::setup(format!("cannot remove the stale socket {shown}: {e}"))
                })?;
                info!("Removed the stale socket {shown}");
            }
            Err(err) => {
                return Err(Error::setup(format!(
                    "cannot tell whether the socket {shown} is in use: {err}"
                )))
            }
        },
        Ok(meta) => {
            let kind = if meta.is_dir() {
                "a directory"
            } else if meta.file_type().is_symlink() {
                "a symbolic link"
            } else if meta.is_file() {
                "a regular file"
            } else {
                "not a socket"
            };
            return Err(Error::setup(format!(
                "{shown} is {kind}, not a socket; it is left alone: remove it or choose another --socket"
            )));
        }
        Err(err) if err.kind() == ErrorKind::NotFound => {}
        Err(err) => return Err(Error::setup(format!("cannot examine {shown}: {err}"))),
    }
    let listener = UnixListener::bind(path)
        .map_err(|e| Error::setup(format!("cannot listen on {shown}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::setup(format!("cannot make {shown} non-blocking: {e}")))?;
    Ok(listener)
}

/// Understands a request line.
fn parse(line: &[u8], max_slow: f64) -> Request {
    let Ok(line) = std::str::from_utf8(line) else {
        return Request::Bad("the request is not UTF-8".into());
    };
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["get"] => Request::Get,
        ["add", k] => match k.parse() {
            Ok(k) => Request::Add(k),
            Err(_) => Request::Bad(format!("add takes an integer, not '{k}'")),
        },
        ["slow", s] => {
            let seconds = s.parse::<Number>().ok().and_then(|n| {
                let secs = n.as_f64()?;
                (0.0..=max_slow).contains(&secs).then_some((n, secs))
            });
            match seconds {
                Some((n, secs)) => Request::Slow(n, Duration::from_secs_f64(secs)),
                None => Request::Bad(format!(
                    "slow takes seconds from 0 to {max_slow}, not '{s}'"
                )),
            }
        }
        [] => Request::Bad("empty request; expected get, add K or slow S".into()),
        _ => Request::Bad(format!(
            "unknown request '{}'; expected get, add K or slow S",
            line.trim()
        )),
    }
}

impl Server {
    /// Takes a new connection.
    fn open(&mut self, d: &mut Daemon<'_>, stream: UnixStream) {
        if let Err(err) = stream.set_nonblocking(true) {
            warn!("Cannot make a connection non-blocking: {err}");
            return;
        }
        let event = *self
            .client_event
            .get_or_insert_with(|| d.event_id(Server::CLIENT));
        let watch = d.watch_fd(&stream, Interest::READABLE, event);
        self.serial += 1;
        let conn = Conn {
            serial: self.serial,
            stream,
            watch: Some((watch, Interest::READABLE)),
            phase: Phase::Reading,
            input: Vec::new(),
            output: Vec::new(),
        };
        self.conns.insert(conn.stream.as_raw_fd(), conn);
        self.peak = self.peak.max(self.conns.len());
        d.inc_statistic("connections", 1);
    }

    /// Closes a connection: its watch goes first, then the descriptor.
    fn close(&mut self, d: &mut Daemon<'_>, fd: RawFd) {
        if let Some(conn) = self.conns.remove(&fd) {
            if let Some((watch, _)) = conn.watch {
                d.unwatch(watch);
            }
        }
    }

    /// Watches a connection for `interest`, or not at all.
    fn rewatch(&mut self, d: &mut Daemon<'_>, fd: RawFd, interest: Option<Interest>) {
        let Some(conn) = self.conns.get_mut(&fd) else {
            return;
        };
        if conn.watch.map(|(_, i)| i) == interest {
            return;
        }
        if let Some((watch, _)) = conn.watch.take() {
            d.unwatch(watch);
        }
        if let (Some(interest), Some(event)) = (interest, self.client_event) {
            conn.watch = Some((d.watch_fd(&conn.stream, interest, event), interest));
        }
    }

    /// Stops taking connections and removes the socket file; the
    /// connections open are served on.
    fn stop_listening(&mut self, d: &mut Daemon<'_>) {
        if let Some(listener) = self.listener.take() {
            if let Some(watch) = listener.watch {
                d.unwatch(watch);
            }
            listener.remove_file();
        }
    }

    /// Reads what arrived on a connection and serves its request once the
    /// line is complete (or the client has closed its side after it).
    fn read_request(&mut self, d: &mut Daemon<'_>, fd: RawFd) {
        let Some(conn) = self.conns.get_mut(&fd) else {
            return;
        };
        let mut chunk = [0u8; 512];
        let mut closed = false;
        while !conn.input.contains(&b'\n') && conn.input.len() <= MAX_REQUEST {
            match conn.stream.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => conn.input.extend_from_slice(&chunk[..n]),
                Err(err) if err.kind() == ErrorKind::WouldBlock => break,
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                Err(err) => {
                    debug!("Reading a request failed: {err}");
                    d.inc_statistic("errors.read", 1);
                    self.close(d, fd);
                    return;
                }
            }
        }
        let line = match conn.input.iter().position(|&b| b == b'\n') {
            Some(end) if end < MAX_REQUEST => conn.input[..end].to_vec(),
            _ if conn.input.len() >= MAX_REQUEST => {
                d.inc_statistic("requests.bad", 1);
                let why = format!("the request is longer than {} bytes", MAX_REQUEST - 1);
                self.answer(d, fd, json!({ "error": why }));
                return;
            }
            // the line is not complete: its rest comes with the next event
            _ if !closed => return,
            // the client went away without a word
            _ if conn.input.is_empty() => {
                self.close(d, fd);
                return;
            }
            // the client closed its side after a line without newline
            _ => std::mem::take(&mut conn.input),
        };
        self.serve(d, fd, &line);
    }

    /// Answers a request, or hands it to the worker pool.
    fn serve(&mut self, d: &mut Daemon<'_>, fd: RawFd, line: &[u8]) {
        let answer = match parse(line, self.max_slow) {
            Request::Get => {
                d.inc_statistic("requests.get", 1);
                json!({ "count": self.count })
            }
            Request::Add(k) => match self.count.checked_add(k) {
                Some(count) => {
                    d.inc_statistic("requests.add", 1);
                    self.count = count;
                    json!({ "count": count })
                }
                None => {
                    d.inc_statistic("requests.bad", 1);
                    json!({ "error": format!("adding {k} would overflow the count") })
                }
            },
            Request::Slow(slow, sleep) => {
                d.inc_statistic("requests.slow", 1);
                let Some(conn) = self.conns.get_mut(&fd) else {
                    return;
                };
                conn.phase = Phase::Working;
                let serial = conn.serial;
                // nothing more to read: not watched until the answer is due
                self.rewatch(d, fd, None);
                info!("Slow request of {slow} s handed to the worker pool");
                d.spawn_job(Server::SLOW_DONE, move || {
                    // stands for a blocking call to a slow backend
                    std::thread::sleep(sleep);
                    SlowDone { fd, serial, slow }
                });
                return;
            }
            Request::Bad(why) => {
                d.inc_statistic("requests.bad", 1);
                json!({ "error": why })
            }
        };
        self.answer(d, fd, answer);
    }

    /// Starts writing `answer`, as one line of JSON, on a connection.
    fn answer(&mut self, d: &mut Daemon<'_>, fd: RawFd, answer: impl Serialize) {
        let Some(conn) = self.conns.get_mut(&fd) else {
            return;
        };
        conn.phase = Phase::Writing;
        conn.output = serde_json::to_vec(&answer).unwrap_or_default();
        conn.output.push(b'\n');
        self.write_answer(d, fd);
    }

    /// Writes what the socket takes of the answer; closes the connection
    /// once it is written, or watches for room to write the rest.
    fn write_answer(&mut self, d: &mut Daemon<'_>, fd: RawFd) {
        let Some(conn) = self.conns.get_mut(&fd) else {
            return;
        };
        while !conn.output.is_empty() {
            match conn.stream.write(&conn.output) {
                Ok(n) => {
                    conn.output.drain(..n);
                }
                Err(err) if err.kind() == ErrorKind::WouldBlock => {
                    self.rewatch(d, fd, Some(Interest::WRITABLE));
                    return;
                }
                Err(err) if err.kind() == ErrorKind::Interrupted => {}
                Err(err) => {
                    debug!("Writing an answer failed: {err}");
                    d.inc_statistic("errors.write", 1);
                    break;
                }
            }
        }
        self.close(d, fd);
    }
}

#[zenkit::component]
impl Server {
    #[check]
    fn check(&self, config: &ServerConfig) -> zenkit::Result<()> {
        if !(config.max_slow.is_finite() && config.max_slow >= 0.0) {
            return Err(Error::config(format!(
                "max_slow must be a number of seconds >= 0, not {}",
                config.max_slow
            )));
        }
        // at a reload: the socket stays where it is
        if self.listener.is_some() && config.socket != self.configured {
            return Err(Error::config(
                "the socket cannot move at a reload; restart the daemon to change it",
            ));
        }
        Ok(())
    }

    #[configure]
    fn configure(&mut self, config: ServerConfig) -> zenkit::Result<()> {
        self.configured = config.socket;
        self.max_slow = config.max_slow;
        Ok(())
    }

    /// Listens before the daemon reports that it is up, so that a client
    /// may connect as soon as the start is reported.
    #[setup]
    fn setup(&mut self, d: &mut Daemon<'_>) -> zenkit::Result<()> {
        let path = match &self.configured {
            Some(path) => path.clone(),
            None => d.paths().run.join(format!("{}.sock", d.name())),
        };
        let socket = listen(&path)?;
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|e| Error::setup(format!("cannot examine {}: {e}", path.display())))?;
        let mut listener = Listener {
            socket,
            path: path.clone(),
            file: (meta.dev(), meta.ino()),
            watch: None,
        };
        listener.watch = Some(d.watch_fd(&listener.socket, Interest::READABLE, Server::ACCEPT));
        info!("Listening on {}", path.display());
        self.listener = Some(listener);
        self.path = path;
        self.client_event = Some(d.event_id(Server::CLIENT));
        Ok(())
    }

    /// Takes every connection waiting on the listener.
    #[on_event("accept")]
    fn accept(&mut self, d: &mut Daemon<'_>, _ready: Ready) -> Flow {
        while let Some(listener) = &self.listener {
            match listener.socket.accept() {
                Ok((stream, _)) => self.open(d, stream),
                Err(err) if err.kind() == ErrorKind::WouldBlock => break,
                Err(err)
                    if matches!(
                        err.kind(),
                        ErrorKind::Interrupted | ErrorKind::ConnectionAborted
                    ) => {}
                Err(err) => {
                    // out of descriptors, most likely: the connections wait
                    // in the backlog while the listener rests a moment
                    warn!("Cannot accept a connection: {err}; trying again in 0.1 s");
                    d.inc_statistic("errors.accept", 1);
                    if let Some(watch) = self.listener.as_mut().and_then(|l| l.watch.take()) {
                        d.unwatch(watch);
                    }
                    d.schedule_after_secs(0.1, Server::RESUME_ACCEPT, None);
                    break;
                }
            }
        }
        Flow::next()
    }

    #[on_event("resume_accept")]
    fn resume_accept(&mut self, d: &mut Daemon<'_>, _args: Args) -> Flow {
        if let Some(listener) = self.listener.as_mut() {
            if listener.watch.is_none() {
                listener.watch =
                    Some(d.watch_fd(&listener.socket, Interest::READABLE, Server::ACCEPT));
            }
        }
        Flow::next()
    }

    /// A connection is readable (its request) or writable (the rest of
    /// its answer).
    #[on_event("client")]
    fn client(&mut self, d: &mut Daemon<'_>, ready: Ready) -> Flow {
        match self.conns.get(&ready.fd).map(|c| c.phase) {
            Some(Phase::Reading) => self.read_request(d, ready.fd),
            Some(Phase::Writing) => self.write_answer(d, ready.fd),
            Some(Phase::Working) | None => {}
        }
        Flow::next()
    }

    /// A slow request's job is done: its client gets the answer.
    #[on_event("slow_done")]
    fn slow_done(&mut self, d: &mut Daemon<'_>, done: SlowDone) -> Flow {
        let current = self
            .conns
            .get(&done.fd)
            .is_some_and(|c| c.serial == done.serial && c.phase == Phase::Working);
        if current {
            let answer = SlowAnswer {
                slow: done.slow,
                count: self.count,
            };
            self.answer(d, done.fd, answer);
        }
        Flow::next()
    }

    /// No new clients once the daemon stops: the socket goes at once, the
    /// requests being served are finished.
    #[on_event("stop")]
    fn stop(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        self.stop_listening(d);
        Flow::Continue(args)
    }

    #[state]
    fn state(&self) -> Value {
        let working = self
            .conns
            .values()
            .filter(|c| c.phase == Phase::Working)
            .count();
        json!({
            "socket": self.path,
            "listening": self.listener.is_some(),
            "count": self.count,
            "open_connections": self.conns.len(),
            "peak_connections": self.peak,
            "slow_requests_running": working,
        })
    }
}

#[zenkit::app]
impl Counterd {
    /// However the loop ended (SIGTERM, the `terminate` fail-safe), the
    /// socket file goes.
    #[teardown]
    fn teardown(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        if let Some(listener) = self.server.listener.take() {
            listener.remove_file();
        }
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Counterd>()
}
