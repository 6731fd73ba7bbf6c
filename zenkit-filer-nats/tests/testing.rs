//! The test servers of `zenkit_filer_nats::testing`: a JetStream server that
//! keeps its store over a SIGKILL, a cluster that keeps acknowledging with a
//! node down, and no process left after a drop.

#![cfg(feature = "testing")]

use std::path::Path;
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use zenkit_filer_nats::testing::{Cluster, Server};

fn file_stream(name: &str, replicas: usize) -> stream::Config {
    stream::Config {
        name: name.to_owned(),
        subjects: vec![format!("{name}.>")],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        ..Default::default()
    }
}

async fn connect(urls: &[String]) -> jetstream::Context {
    let addrs: Vec<async_nats::ServerAddr> = urls.iter().map(|url| url.parse().unwrap()).collect();
    let client = async_nats::ConnectOptions::new()
        .connect(addrs)
        .await
        .expect("connect to the test servers");
    let mut js = jetstream::new(client);
    js.set_timeout(Duration::from_secs(2));
    js
}

/// How long a request may keep failing before the test gives up: after a
/// node of a cluster is killed, the survivors wait out a Raft election
/// timeout (several seconds, longer on a loaded machine) before a stream has
/// a leader again.
const SETTLE: Duration = Duration::from_secs(45);

/// Publishes `payload` with a message id, retrying while the ack does not
/// come (a stream leader election after a node went down); the id makes a
/// retried message count once.
async fn publish_acked(js: &jetstream::Context, subject: &str, id: &str, payload: &'static str) {
    let mut last = String::new();
    let deadline = tokio::time::Instant::now() + SETTLE;
    while tokio::time::Instant::now() < deadline {
        let headers = {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", id);
            headers
        };
        match js
            .publish_with_headers(subject.to_owned(), headers, payload.into())
            .await
        {
            Ok(ack) => match ack.await {
                Ok(_) => return,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no ack for {subject} {id}: {last}");
}

/// The number of messages in stream `name`, retrying while the request is
/// lost (one sent on a connection to a killed server before the client saw
/// it go).
async fn messages(js: &jetstream::Context, name: &str) -> u64 {
    let mut last = String::new();
    let deadline = tokio::time::Instant::now() + SETTLE;
    while tokio::time::Instant::now() < deadline {
        match js.get_stream(name).await {
            Ok(mut stream) => match stream.info().await {
                Ok(info) => return info.state.messages,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("stream {name}: no info: {last}");
}

#[tokio::test]
async fn a_server_keeps_its_store_over_a_sigkill_and_restarts_on_its_url() {
    let mut server = Server::start();
    let url = server.url();
    assert_eq!(url, format!("nats://127.0.0.1:{}", server.port()));
    assert_ne!(server.port(), 0);
    let first_pid = server.pid().expect("the server runs");

    let js = connect(std::slice::from_ref(&url)).await;
    js.create_stream(file_stream("KEEP", 1)).await.unwrap();
    publish_acked(&js, "KEEP.a", "1", "kept").await;
    assert_eq!(messages(&js, "KEEP").await, 1);

    server.kill();
    assert_eq!(server.pid(), None);
    assert!(!Path::new(&format!("/proc/{first_pid}")).exists());

    server.restart();
    assert_eq!(server.url(), url);
    assert_ne!(server.pid(), Some(first_pid));
    let fresh = connect(std::slice::from_ref(&url)).await;
    assert_eq!(messages(&fresh, "KEEP").await, 1, "log:\n{}", server.log());
    // the first client reconnects to the URL it knows
    assert_eq!(messages(&js, "KEEP").await, 1, "log:\n{}", server.log());
    let message = js
        .get_stream("KEEP")
        .await
        .unwrap()
        .get_raw_message(1)
        .await
        .unwrap();
    assert_eq!(&message.payload[..], b"kept");
    assert!(server.log().contains("Server is ready"));
}

#[tokio::test]
async fn a_server_stopped_with_sigterm_restarts_too() {
    let mut server = Server::start();
    let js = connect(&[server.url()]).await;
    js.create_stream(file_stream("TERM", 1)).await.unwrap();
    publish_acked(&js, "TERM.a", "1", "one").await;
    server.stop();
    assert_eq!(server.pid(), None);
    server.restart();
    publish_acked(&js, "TERM.a", "2", "two").await;
    assert_eq!(messages(&js, "TERM").await, 2);
}

#[tokio::test]
async fn a_cluster_acknowledges_with_a_node_down_and_takes_it_back() {
    let mut cluster = Cluster::start(3);
    assert_eq!(cluster.len(), 3);
    let urls = cluster.urls();
    assert_eq!(cluster.servers_arg(), urls.join(","));
    let mut ports: Vec<u16> = (0..3).map(|i| cluster.node(i).port()).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 3);

    let js = connect(&urls).await;
    let info = js
        .create_stream(file_stream("R3", 3))
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .clone();
    assert_eq!(info.config.num_replicas, 3);
    publish_acked(&js, "R3.a", "1", "one").await;

    // the node the client is on may be the one going down: it reconnects
    let killed = cluster.node(0).pid().unwrap();
    cluster.kill(0);
    assert!(!Path::new(&format!("/proc/{killed}")).exists());
    publish_acked(&js, "R3.a", "2", "two").await;
    publish_acked(&js, "R3.a", "3", "three").await;
    assert_eq!(messages(&js, "R3").await, 3);

    cluster.restart(0);
    assert_eq!(cluster.node(0).url(), urls[0]);
    assert!(cluster.node(0).log().contains("Server is ready"));
    publish_acked(&js, "R3.a", "4", "four").await;
    assert_eq!(messages(&js, "R3").await, 4, "logs:\n{}", cluster.logs());
}

#[test]
fn dropping_servers_and_clusters_leaves_no_process() {
    let server = Server::start();
    let server_pid = server.pid().unwrap();
    let server_dir = server.dir().to_owned();
    assert!(Path::new(&format!("/proc/{server_pid}")).exists());
    drop(server);
    assert!(!Path::new(&format!("/proc/{server_pid}")).exists());
    assert!(!server_dir.exists());

    let cluster = Cluster::start(3);
    let pids: Vec<u32> = (0..3).map(|i| cluster.node(i).pid().unwrap()).collect();
    let cluster_dir = cluster.dir().to_owned();
    drop(cluster);
    for pid in pids {
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "{pid} runs");
    }
    assert!(!cluster_dir.exists());
}

#[test]
fn a_panicking_test_leaves_no_process() {
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let server = Server::start();
        tx.send(server.pid().unwrap()).unwrap();
        panic!("a failing test");
    })
    .join();
    assert!(outcome.is_err());
    let pid = rx.recv().unwrap();
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
}
