//! End-to-end: the `counterd` example, a daemon serving a counter on a
//! Unix-domain socket, driven by real clients and signals.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::json;
use support::{json, signal, wait_exit, wait_for, Running, Sandbox};

const SOCKET: &str = "var/run/counterd.sock";
const LOG: &str = "var/log/counterd.log";

/// Starts counterd in the foreground and waits until it listens.
fn start(sb: &Sandbox) -> Running {
    let child = sb.spawn(&["--no-daemon"]);
    wait_for(&sb.path(LOG), "Daemon startup initiated");
    child
}

/// Connects and sends one request line; the answer is read later.
fn send(socket: &Path, line: &str) -> UnixStream {
    let mut stream = UnixStream::connect(socket)
        .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", socket.display()));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(format!("{line}\n").as_bytes())
        .unwrap_or_else(|e| panic!("cannot send {line:?}: {e}"));
    stream
}

/// Reads what the server sends until it closes the connection.
fn answer_of(mut stream: UnixStream) -> String {
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .unwrap_or_else(|e| panic!("no answer ({e}); got {answer:?}"));
    answer
}

/// One request, its answer as JSON.
fn request(socket: &Path, line: &str) -> serde_json::Value {
    let answer = answer_of(send(socket, line));
    assert!(answer.ends_with('\n'), "{line:?}: {answer:?}");
    json(&answer)
}

/// Waits up to 10 s until the file at `path` holds `count` lines with
/// `needle`.
fn wait_for_count(path: &Path, needle: &str, count: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.matches(needle).count() >= count {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never held {count} times {needle:?}:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The server component's counters in the newest runlog.
fn server_statistics(sb: &Sandbox) -> serde_json::Value {
    let files = sb.runlogs("var/run/counterd");
    let runlog = json(&std::fs::read_to_string(files.last().expect("a runlog")).unwrap());
    runlog["statistics"]["components"]["server"].clone()
}

/// The server component's part of a fresh SIGUSR2 state dump.
fn server_state(sb: &Sandbox, child: &std::process::Child) -> serde_json::Value {
    let path = sb.path("var/run/counterd.state");
    let _ = std::fs::remove_file(&path);
    signal(child, Signal::SIGUSR2);
    // the file is replaced atomically: once it is there, it is whole
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(Instant::now() < deadline, "no state dump after SIGUSR2");
        std::thread::sleep(Duration::from_millis(10));
    }
    json(&std::fs::read_to_string(&path).unwrap())["components"]["server"].clone()
}

/// Raises this process's limit of open files to at least `needed` (the
/// daemons it starts inherit it).
fn raise_open_files(needed: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write one live rlimit.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur >= needed {
            return;
        }
        assert!(
            limit.rlim_max >= needed,
            "the test needs {needed} open files, the hard limit is {}",
            limit.rlim_max
        );
        limit.rlim_cur = needed;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
}

#[test]
fn a_thousand_connections_at_once_are_all_answered() {
    const CLIENTS: usize = 1000;
    const THREADS: usize = 4;
    // this process holds the clients' ends, the daemon the server's
    raise_open_files(CLIENTS as u64 + 500);
    let sb = Sandbox::new("counterd");
    let mut child = start(&sb);
    let socket: PathBuf = sb.path(SOCKET);
    let connected = Arc::new(Barrier::new(THREADS + 1));
    let held = Arc::new(Barrier::new(THREADS + 1));
    let clients: Vec<_> = (0..THREADS)
        .map(|_| {
            let (socket, connected, held) = (socket.clone(), connected.clone(), held.clone());
            std::thread::spawn(move || {
                let streams: Vec<UnixStream> = (0..CLIENTS / THREADS)
                    .map(|i| {
                        let stream = UnixStream::connect(&socket)
                            .unwrap_or_else(|e| panic!("connection {i} refused: {e}"));
                        stream
                            .set_read_timeout(Some(Duration::from_secs(10)))
                            .unwrap();
                        stream
                    })
                    .collect();
                connected.wait();
                held.wait();
                let mut streams: Vec<UnixStream> = streams
                    .into_iter()
                    .map(|mut s| {
                        s.write_all(b"add 1\n").expect("request sent");
                        s
                    })
                    .collect();
                streams
                    .iter_mut()
                    .map(|s| {
                        let mut answer = String::new();
                        s.read_to_string(&mut answer)
                            .unwrap_or_else(|e| panic!("no answer ({e}); got {answer:?}"));
                        answer
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    connected.wait();
    // the daemon holds every connection at once before any request comes
    let deadline = Instant::now() + Duration::from_secs(10);
    let state = loop {
        let state = server_state(&sb, &child);
        if state["open_connections"] == CLIENTS || Instant::now() > deadline {
            break state;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(state["open_connections"], CLIENTS, "{state}");
    held.wait();
    let mut counts: Vec<i64> = clients
        .into_iter()
        .flat_map(|t| t.join().expect("a client thread failed"))
        .map(|answer| {
            assert!(answer.ends_with('\n'), "{answer:?}");
            let value = json(&answer);
            value["count"]
                .as_i64()
                .unwrap_or_else(|| panic!("not a count: {answer:?}"))
        })
        .collect();
    // each add saw the count of the adds before it: 1 to 1000, once each
    counts.sort_unstable();
    assert_eq!(counts, (1..=CLIENTS as i64).collect::<Vec<_>>());
    assert_eq!(request(&socket, "get"), json!({"count": CLIENTS}));

    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let stats = server_statistics(&sb);
    assert_eq!(stats["connections"], CLIENTS + 1, "{stats}");
    assert_eq!(stats["requests"]["add"], CLIENTS, "{stats}");
    assert_eq!(stats["requests"]["get"], 1, "{stats}");
    assert!(stats.get("errors").is_none(), "{stats}");
    assert!(!socket.exists(), "the socket is left behind");
}

#[test]
fn slow_requests_run_on_the_worker_pool_while_others_are_served() {
    const SLOW: usize = 3;
    let sb = Sandbox::new("counterd");
    let mut child = start(&sb);
    let socket = sb.path(SOCKET);
    assert_eq!(request(&socket, "add 7"), json!({"count": 7}));
    let sent = Instant::now();
    let slow: Vec<UnixStream> = (0..SLOW).map(|_| send(&socket, "slow 1")).collect();
    wait_for_count(
        &sb.path(LOG),
        "Slow request of 1 s handed to the worker pool",
        SLOW,
    );
    // the loop goes on serving while the jobs sleep
    for i in 0..5 {
        let asked = Instant::now();
        assert_eq!(request(&socket, "get"), json!({"count": 7}));
        let took = asked.elapsed();
        assert!(
            took < Duration::from_millis(500),
            "get {i} took {took:?} beside the slow requests"
        );
    }
    assert_eq!(request(&socket, "add 1"), json!({"count": 8}));
    let served = sent.elapsed();
    for stream in slow {
        let answer = answer_of(stream);
        let answered = sent.elapsed();
        // the answer is the count when the job is done
        assert_eq!(answer, "{\"slow\":1,\"count\":8}\n");
        assert!(
            served < answered,
            "the other requests took {served:?}, the slow one {answered:?}"
        );
        // side by side on the pool: three of them one after the other
        // would take 3 s
        assert!(
            (Duration::from_secs(1)..Duration::from_millis(2500)).contains(&answered),
            "a slow request of 1 s answered after {answered:?}"
        );
    }
    assert_eq!(
        request(&socket, "slow x"),
        json!({"error": "slow takes seconds from 0 to 60, not 'x'"})
    );
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let stats = server_statistics(&sb);
    assert_eq!(stats["requests"]["slow"], SLOW, "{stats}");
    assert_eq!(stats["requests"]["bad"], 1, "{stats}");
}

#[test]
fn a_graceful_stop_refuses_new_clients_and_waits_for_the_running_job() {
    let sb = Sandbox::new("counterd");
    let mut child = start(&sb);
    let socket = sb.path(SOCKET);
    let log = sb.path(LOG);
    let slow = send(&socket, "slow 2");
    wait_for(&log, "Slow request of 2 s handed to the worker pool");
    let stopped = Instant::now();
    signal(&child, Signal::SIGINT);
    wait_for(&log, "Removed the socket");
    match UnixStream::connect(&socket) {
        Err(err) => assert_eq!(err.kind(), ErrorKind::NotFound, "{err}"),
        Ok(_) => panic!("a stopping daemon took a new client"),
    }
    assert_eq!(answer_of(slow), "{\"slow\":2,\"count\":0}\n");
    let answered = stopped.elapsed();
    assert_eq!(wait_exit(&mut child), 0);
    let exited = stopped.elapsed();
    assert!(
        answered > Duration::from_secs(1) && exited < Duration::from_secs(2 + 3),
        "answered {answered:?}, exited {exited:?} after the SIGINT"
    );
    let text = sb.read(LOG);
    assert!(
        text.contains("INFO: Waiting for 1 job of the worker pool"),
        "{text}"
    );
    assert!(!text.contains("Forcefully terminating"), "{text}");
    assert!(!socket.exists());
}

#[test]
fn the_stop_timeout_ends_a_daemon_whose_job_runs_on() {
    let sb = Sandbox::new("counterd");
    sb.write("etc/counterd.conf", r#"{"stop_timeout": 1}"#);
    let mut child = start(&sb);
    let socket = sb.path(SOCKET);
    let log = sb.path(LOG);
    let slow = send(&socket, "slow 5");
    wait_for(&log, "Slow request of 5 s handed to the worker pool");
    let stopped = Instant::now();
    signal(&child, Signal::SIGINT);
    let code = wait_exit(&mut child);
    let exited = stopped.elapsed();
    assert!(
        (Duration::from_millis(900)..Duration::from_secs(1 + 3)).contains(&exited),
        "exited (code {code}) {exited:?} after the SIGINT"
    );
    let text = sb.read(LOG);
    for line in [
        "INFO: Stopping gracefully, terminating in 1 s at the latest",
        "WARNING: Forcefully terminating the application",
        "INFO: Daemon processing termination forced by timeout.",
        "WARNING: Leaving 1 job of the worker pool unfinished",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
    // the client's connection went with the process, unanswered
    assert_eq!(answer_of(slow), "");
    assert!(!socket.exists());
}

#[test]
fn a_regular_file_at_the_socket_path_is_left_alone() {
    let sb = Sandbox::new("counterd");
    let planted = sb.write(SOCKET, "not a socket\n");
    let shown = planted.display().to_string();
    // in the foreground the error is logged; detaching, the starting
    // command prints the daemon's error
    for (args, level) in [
        (&["--no-daemon"][..], "ERROR: "),
        (&[][..], "CRITICAL ERROR: "),
    ] {
        let run = sb.run(args);
        assert_ne!(run.code, 0, "{args:?}: {run:?}");
        let lines: Vec<&str> = run.stderr.lines().filter(|l| l.contains(&shown)).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {}", run.stderr);
        assert!(
            lines[0].contains(&format!(
                "{level}setup of component 'server': {shown} is a regular file, not a socket"
            )),
            "{args:?}: {}",
            lines[0]
        );
        assert_eq!(sb.read(SOCKET), "not a socket\n", "{args:?}");
    }
    assert!(!sb.read(LOG).contains("Daemon startup initiated"));
}

#[test]
fn a_stale_socket_is_replaced_and_a_live_one_refused() {
    let sb = Sandbox::new("counterd");
    std::fs::create_dir_all(sb.path("var/run")).unwrap();
    let socket = sb.path(SOCKET);
    let other = UnixListener::bind(&socket).unwrap();
    let run = sb.run(&["--no-daemon"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "ERROR: setup of component 'server': another server is listening on the socket {}",
            socket.display()
        )),
        "{}",
        run.stderr
    );
    // the other server ends without removing its socket
    drop(other);
    assert!(socket.exists());
    let mut child = start(&sb);
    assert!(sb.read(LOG).contains("Removed the stale socket"));
    assert_eq!(request(&socket, "add 2"), json!({"count": 2}));
    signal(&child, Signal::SIGTERM);
    assert_eq!(wait_exit(&mut child), 0);
    assert!(!socket.exists(), "SIGTERM left the socket behind");
}

#[test]
fn requests_in_pieces_without_newline_or_wrong_are_answered() {
    let sb = Sandbox::new("counterd");
    let mut child = start(&sb);
    let socket = sb.path(SOCKET);
    // a request line in three pieces
    let mut stream = UnixStream::connect(&socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for piece in ["ad", "d 4", "0\n"] {
        stream.write_all(piece.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(answer_of(stream), "{\"count\":40}\n");
    // the client closes its side after a line without newline
    let mut stream = UnixStream::connect(&socket).unwrap();
    stream.write_all(b"add -1").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(answer_of(stream), "{\"count\":39}\n");
    // a client that leaves without a word gets nothing and costs nothing
    drop(UnixStream::connect(&socket).unwrap());
    for (line, error) in [
        ("", "empty request; expected get, add K or slow S"),
        (
            "put 3",
            "unknown request 'put 3'; expected get, add K or slow S",
        ),
        ("add three", "add takes an integer, not 'three'"),
        ("slow 61", "slow takes seconds from 0 to 60, not '61'"),
        (&"x".repeat(300), "the request is longer than 255 bytes"),
    ] {
        assert_eq!(
            request(&socket, line),
            json!({ "error": error }),
            "{line:?}"
        );
    }
    assert_eq!(
        request(&socket, "add 9223372036854775807"),
        json!({"error": "adding 9223372036854775807 would overflow the count"})
    );
    assert_eq!(request(&socket, "get"), json!({"count": 39}));
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    let stats = server_statistics(&sb);
    assert_eq!(stats["connections"], 10, "{stats}");
    assert_eq!(stats["requests"]["bad"], 6, "{stats}");
}
