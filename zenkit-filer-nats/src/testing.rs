//! Real `nats-server` processes for tests: a JetStream server and a
//! JetStream cluster on loopback.
//!
//! Enabled by the `testing` feature. Every server listens on 127.0.0.1 only
//! and on ports chosen at start (never a fixed number), keeps its JetStream
//! store in a temporary directory, and writes its log there. Dropping a
//! [`Server`] or a [`Cluster`] kills its processes (SIGKILL), waits for them
//! and removes the directory, also when the test panics.
//!
//! The starts block until JetStream answers, so a test can use the server at
//! once; they panic with the server's log when it does not come up within a
//! bounded time. They may be called from synchronous code or from inside a
//! Tokio runtime (the readiness probe runs on its own thread).
//!
//! The binary is `nats-server` from `PATH`, or the path in the environment
//! variable `ZENKIT_NATS_SERVER`.
//!
//! ```no_run
//! use zenkit_filer_nats::testing::{Cluster, Server};
//!
//! # async fn example() {
//! let mut server = Server::start();
//! let client = async_nats::connect(server.url()).await.unwrap();
//! // ... publish through JetStream ...
//! server.kill(); // SIGKILL
//! server.restart(); // same port, same store: the client reconnects
//! drop(client);
//!
//! let cluster = Cluster::start(3);
//! let addrs: Vec<async_nats::ServerAddr> =
//!     cluster.urls().iter().map(|u| u.parse().unwrap()).collect();
//! let client = async_nats::ConnectOptions::new().connect(addrs).await.unwrap();
//! // ... streams with num_replicas: 3 can be created at once ...
//! # drop(client);
//! # }
//! ```

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use tempfile::TempDir;

/// How long a single server may take to answer JetStream requests.
const SERVER_READY: Duration = Duration::from_secs(10);
/// How long a cluster may take to elect a meta leader and place replicas.
const CLUSTER_READY: Duration = Duration::from_secs(30);
/// How long a SIGTERM may take before the process is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(25);

/// The stream created and deleted to check that a cluster places replicas.
const PROBE_STREAM: &str = "ZENKIT_TESTING_PROBE";

fn nats_server_binary() -> OsString {
    std::env::var_os("ZENKIT_NATS_SERVER").unwrap_or_else(|| OsString::from("nats-server"))
}

/// One `nats-server` process: its command line, port and log; the process
/// itself while it runs.
///
/// Reached through [`Server`] and [`Cluster::node`]. Dropping it kills and
/// waits for the process.
#[derive(Debug)]
pub struct Node {
    name: String,
    args: Vec<OsString>,
    // a single server's first start asks for a random port (`-p -1`); every
    // later start names the port it got
    port_arg: bool,
    log_path: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Node {
    /// The server's name: `n<i>` in a cluster, `nats-server` alone.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client URL, `nats://127.0.0.1:PORT`; the same across restarts.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The client port; the same across restarts.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id while the server runs; `None` after a kill or stop.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Everything the server has logged, over all its starts (empty when the
    /// log cannot be read).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Kills the process with SIGKILL and waits for it; nothing when it does
    /// not run.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the process with SIGTERM (a clean shutdown) and waits for it,
    /// killing it when it is not gone within 10 s; nothing when it does not
    /// run.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        let sent = Command::new("kill")
            .arg("-s")
            .arg("TERM")
            .arg(child.id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if sent {
            let deadline = Instant::now() + STOP_GRACE;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                thread::sleep(POLL);
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    fn spawn(&mut self) {
        self.spawn_with(&[]);
    }

    fn spawn_with(&mut self, extra: &[OsString]) {
        assert!(self.child.is_none(), "{}: already running", self.name);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .unwrap_or_else(|e| panic!("{}: {}: {e}", self.name, self.log_path.display()));
        let log_err = log
            .try_clone()
            .unwrap_or_else(|e| panic!("{}: {}: {e}", self.name, self.log_path.display()));
        let mut command = Command::new(nats_server_binary());
        command.args(&self.args).args(extra);
        if self.port_arg {
            command.arg("-p").arg(self.port.to_string());
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: cannot run {:?} (install nats-server or set ZENKIT_NATS_SERVER): {e}",
                    self.name,
                    nats_server_binary()
                )
            });
        self.child = Some(child);
    }

    /// Panics with the log when the process has exited.
    fn check_alive(&mut self) {
        if let Some(child) = self.child.as_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                panic!(
                    "{}: nats-server exited ({status}) while starting; its log:\n{}",
                    self.name,
                    self.log()
                );
            }
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A JetStream-enabled `nats-server` on 127.0.0.1, with its store and log in
/// a temporary directory.
///
/// Dropping it kills the process (SIGKILL), waits for it and removes the
/// directory.
#[derive(Debug)]
pub struct Server {
    // declared before `dir`: the process goes before its directory
    node: Node,
    dir: TempDir,
}

impl Server {
    /// Starts a server on a free port (`-p -1`, read back from the ports
    /// file) with JetStream on, and waits until JetStream answers.
    ///
    /// # Panics
    ///
    /// When the temporary directory cannot be made, `nats-server` cannot be
    /// run, or JetStream does not answer within 10 s (the message holds the
    /// server's log).
    pub fn start() -> Server {
        let dir = tempfile::Builder::new()
            .prefix("zenkit-nats-")
            .tempdir()
            .unwrap_or_else(|e| panic!("nats-server test directory: {e}"));
        let store = dir.path().join("js");
        let mut node = Node {
            name: "nats-server".to_owned(),
            args: vec![
                "-a".into(),
                "127.0.0.1".into(),
                "-js".into(),
                "-sd".into(),
                store.into(),
            ],
            port_arg: false,
            log_path: dir.path().join("nats-server.log"),
            port: 0,
            child: None,
        };
        node.spawn_with(&[
            "-p".into(),
            "-1".into(),
            "--ports_file_dir".into(),
            dir.path().into(),
        ]);
        let deadline = Instant::now() + SERVER_READY;
        node.port = wait_ports_file(&mut node, dir.path(), deadline);
        // later starts name the port
        node.port_arg = true;
        let mut server = Server { node, dir };
        server.wait_ready(deadline);
        server
    }

    /// The client URL, `nats://127.0.0.1:PORT`; the same across restarts.
    pub fn url(&self) -> String {
        self.node.url()
    }

    /// The client port; the same across restarts.
    pub fn port(&self) -> u16 {
        self.node.port()
    }

    /// The process id while the server runs; `None` after [`kill`] or
    /// [`stop`].
    ///
    /// [`kill`]: Server::kill
    /// [`stop`]: Server::stop
    pub fn pid(&self) -> Option<u32> {
        self.node.pid()
    }

    /// The temporary directory holding the store (`js/`) and the log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Everything the server has logged, over all its starts.
    pub fn log(&self) -> String {
        self.node.log()
    }

    /// The process, as a [`Node`].
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Kills the server with SIGKILL and waits for it.
    pub fn kill(&mut self) {
        self.node.kill();
    }

    /// Stops the server with SIGTERM and waits for it (SIGKILL after 10 s).
    pub fn stop(&mut self) {
        self.node.stop();
    }

    /// Starts the server again on the same port with the same store, and
    /// waits until JetStream answers; a still running process is stopped
    /// (SIGTERM) first. Clients that know the URL reconnect.
    ///
    /// Between the old process going and the new one binding, another
    /// process on this host could take the port; on loopback with ports the
    /// kernel handed out at random, this race is accepted.
    ///
    /// # Panics
    ///
    /// When the server does not come up within 10 s (the message holds its
    /// log).
    pub fn restart(&mut self) {
        self.node.stop();
        self.node.spawn();
        self.wait_ready(Instant::now() + SERVER_READY);
    }

    fn wait_ready(&mut self, deadline: Instant) {
        let urls = vec![self.node.url()];
        let result = probe(urls, deadline, Check::Account, &mut [&mut self.node]);
        if let Err(error) = result {
            panic!(
                "nats-server on {}: JetStream did not answer: {error}; its log:\n{}",
                self.node.url(),
                self.node.log()
            );
        }
    }
}

/// A JetStream cluster of `nats-server` processes on 127.0.0.1, each with
/// its own configuration file, store and log in one temporary directory.
///
/// Dropping it kills every process (SIGKILL), waits for them and removes the
/// directory.
#[derive(Debug)]
pub struct Cluster {
    // declared before `dir`: the processes go before their directory
    nodes: Vec<Node>,
    dir: TempDir,
}

impl Cluster {
    /// Starts `n` servers forming the cluster `zenkit`, and waits until the
    /// JetStream meta leader is elected and a stream with `n` replicas can
    /// be created, so a test may create replicated streams at once.
    ///
    /// The client and route ports are found free by binding 127.0.0.1:0 and
    /// closing the socket again before the servers start; another process
    /// could take one in between, a loopback-only race that is accepted
    /// (the start then fails with the log saying so).
    ///
    /// # Panics
    ///
    /// When `n` is 0, the directory or configuration cannot be written,
    /// `nats-server` cannot be run, or the cluster is not ready within 30 s
    /// (the message holds the servers' logs).
    pub fn start(n: usize) -> Cluster {
        assert!(n > 0, "a cluster needs at least one server");
        let dir = tempfile::Builder::new()
            .prefix("zenkit-nats-cluster-")
            .tempdir()
            .unwrap_or_else(|e| panic!("nats-server test directory: {e}"));
        let ports = free_ports(2 * n);
        let (client_ports, route_ports) = ports.split_at(n);
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            let name = format!("n{i}");
            let routes: Vec<String> = route_ports
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, port)| format!("\"nats-route://127.0.0.1:{port}\""))
                .collect();
            let store = dir.path().join(&name);
            let config = format!(
                "server_name: {name}\n\
                 listen: \"127.0.0.1:{client}\"\n\
                 jetstream {{\n  store_dir: {store}\n}}\n\
                 cluster {{\n  name: zenkit\n  listen: \"127.0.0.1:{route}\"\n  routes: [{routes}]\n}}\n",
                client = client_ports[i],
                store = quote(&store),
                route = route_ports[i],
                routes = routes.join(", "),
            );
            let config_path = dir.path().join(format!("{name}.conf"));
            File::create(&config_path)
                .and_then(|mut file| std::io::Write::write_all(&mut file, config.as_bytes()))
                .unwrap_or_else(|e| panic!("{}: {e}", config_path.display()));
            nodes.push(Node {
                log_path: dir.path().join(format!("{name}.log")),
                name,
                args: vec!["-c".into(), config_path.into()],
                port_arg: false,
                port: client_ports[i],
                child: None,
            });
        }
        let mut cluster = Cluster { nodes, dir };
        for node in &mut cluster.nodes {
            node.spawn();
        }
        let deadline = Instant::now() + CLUSTER_READY;
        let urls = cluster.urls();
        let mut nodes: Vec<&mut Node> = cluster.nodes.iter_mut().collect();
        let ready = probe(urls, deadline, Check::Replicas(n), &mut nodes);
        drop(nodes);
        if let Err(error) = ready {
            panic!(
                "nats cluster of {n}: not ready: {error}; the logs:\n{}",
                cluster.logs()
            );
        }
        cluster
    }

    /// The number of servers.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the cluster has no servers (never: [`Cluster::start`] needs
    /// one).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The client URLs of all servers, in node order.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(Node::url).collect()
    }

    /// The client URLs comma-joined, as a configuration key listing servers
    /// takes them.
    pub fn servers_arg(&self) -> String {
        self.urls().join(",")
    }

    /// The client URLs parsed, for `async_nats::ConnectOptions::connect`.
    pub fn server_addrs(&self) -> Vec<async_nats::ServerAddr> {
        self.urls()
            .iter()
            .map(|url| url.parse().expect("a loopback nats URL parses"))
            .collect()
    }

    /// The temporary directory holding the configurations, stores and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Server `i` (URL, port, pid, log).
    ///
    /// # Panics
    ///
    /// When `i` is not below [`len`](Cluster::len).
    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    /// Kills server `i` with SIGKILL and waits for it.
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].kill();
    }

    /// Stops server `i` with SIGTERM and waits for it (SIGKILL after 10 s).
    pub fn stop(&mut self, i: usize) {
        self.nodes[i].stop();
    }

    /// Starts server `i` again with the same ports, configuration and store
    /// (stopping it first when it still runs), and waits until JetStream
    /// answers through it, that is until it has rejoined the cluster.
    ///
    /// # Panics
    ///
    /// When the server is not back within 30 s (the message holds its log).
    pub fn restart(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        node.stop();
        node.spawn();
        let urls = vec![node.url()];
        if let Err(error) = probe(
            urls,
            Instant::now() + CLUSTER_READY,
            Check::Account,
            &mut [node],
        ) {
            panic!(
                "nats cluster node {i} ({}): not back: {error}; its log:\n{}",
                self.nodes[i].url(),
                self.nodes[i].log()
            );
        }
    }

    /// The logs of all servers, each under a header naming it.
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|node| format!("==== {} ({}) ====\n{}", node.name, node.url(), node.log()))
            .collect()
    }
}

/// Reads the port from `<dir>/nats-server_<pid>.ports`, written once the
/// server listens: `{"nats":["nats://127.0.0.1:PORT"], ...}`.
fn wait_ports_file(node: &mut Node, dir: &Path, deadline: Instant) -> u16 {
    let pid = node.pid().expect("the server was just spawned");
    let path = dir.join(format!("nats-server_{pid}.ports"));
    let mut last = String::from("no ports file yet");
    while Instant::now() < deadline {
        node.check_alive();
        match fs::read_to_string(&path) {
            Ok(text) => match port_from_ports_file(&text) {
                Some(port) => return port,
                // it may be read while being written
                None => last = format!("cannot read a client port from {text:?}"),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => last = e.to_string(),
        }
        thread::sleep(POLL);
    }
    panic!(
        "nats-server: {}: {last}; its log:\n{}",
        path.display(),
        node.log()
    );
}

fn port_from_ports_file(text: &str) -> Option<u16> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let url = value.get("nats")?.as_array()?.first()?.as_str()?;
    url.rsplit(':').next()?.parse().ok()
}

/// `count` distinct ports the kernel considers free on 127.0.0.1.
fn free_ports(count: usize) -> Vec<u16> {
    // all listeners stay open until every port is chosen, so none repeats
    let listeners: Vec<TcpListener> = (0..count)
        .map(|_| {
            TcpListener::bind("127.0.0.1:0")
                .unwrap_or_else(|e| panic!("binding 127.0.0.1:0 to find a free port: {e}"))
        })
        .collect();
    listeners
        .iter()
        .map(|listener| {
            listener
                .local_addr()
                .unwrap_or_else(|e| panic!("the port of a bound socket: {e}"))
                .port()
        })
        .collect()
}

/// A path as a quoted string in a nats-server configuration.
fn quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[derive(Clone, Copy)]
enum Check {
    /// The JetStream account information answers.
    Account,
    /// Also a file stream with this many replicas can be created.
    Replicas(usize),
}

/// Retries `check` against `urls` until it passes or `deadline`, on a thread
/// of its own with a current-thread runtime (so the caller may be inside a
/// runtime), panicking with the log when one of `nodes` exits meanwhile.
/// The error is the last failure.
fn probe(
    urls: Vec<String>,
    deadline: Instant,
    check: Check,
    nodes: &mut [&mut Node],
) -> Result<(), String> {
    let cancel = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = mpsc::channel();
    let prober = {
        let cancel = Arc::clone(&cancel);
        thread::spawn(move || {
            let _ = done_tx.send(probe_loop(&urls, deadline, check, &cancel));
        })
    };
    // cancels and joins the prober also when a node's exit panics below
    struct Joiner(Arc<AtomicBool>, Option<thread::JoinHandle<()>>);
    impl Drop for Joiner {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
            if let Some(handle) = self.1.take() {
                let _ = handle.join();
            }
        }
    }
    let _joiner = Joiner(cancel, Some(prober));
    loop {
        match done_rx.recv_timeout(POLL * 2) {
            Ok(result) => return result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                for node in nodes.iter_mut() {
                    node.check_alive();
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err("the readiness probe failed".to_owned());
            }
        }
    }
}

fn probe_loop(
    urls: &[String],
    deadline: Instant,
    check: Check,
    cancel: &AtomicBool,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a runtime for the readiness probe: {e}"))?;
    let addrs: Vec<async_nats::ServerAddr> = urls
        .iter()
        .map(|url| url.parse().map_err(|e| format!("{url}: {e}")))
        .collect::<Result<_, _>>()?;
    runtime.block_on(async {
        let mut last = String::from("not tried");
        while Instant::now() < deadline && !cancel.load(Ordering::Relaxed) {
            let attempt = tokio::time::timeout(Duration::from_secs(2), attempt(&addrs, check));
            match attempt.await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(error)) => last = error,
                Err(_) => last = "no answer within 2 s".to_owned(),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(last)
    })
}

async fn attempt(addrs: &[async_nats::ServerAddr], check: Check) -> Result<(), String> {
    let client = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(1))
        .connect(addrs.to_vec())
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut js = jetstream::new(client);
    js.set_timeout(Duration::from_secs(1));
    // the account info, read as plain JSON: async-nats' `Account` wants
    // fields (`reserved_memory`, `reserved_storage`) a 2.9 server does not send
    let info: serde_json::Value = js
        .request("INFO", &serde_json::json!({}))
        .await
        .map_err(|e| format!("JetStream account info: {e}"))?;
    if let Some(error) = info.get("error") {
        return Err(format!("JetStream account info: {error}"));
    }
    if let Check::Replicas(replicas) = check {
        let config = jetstream::stream::Config {
            name: PROBE_STREAM.to_owned(),
            subjects: vec![format!("{PROBE_STREAM}.>")],
            storage: jetstream::stream::StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        };
        js.create_stream(config)
            .await
            .map_err(|e| format!("creating a stream of {replicas} replicas: {e}"))?;
        js.delete_stream(PROBE_STREAM)
            .await
            .map_err(|e| format!("deleting the probe stream: {e}"))?;
    }
    Ok(())
}
