//! End-to-end: a stage on JetStream shows Prometheus its connection's state
//! (a gauge that goes to 0 while the server is down and back to 1) and the
//! messages delivered to it again after another instance died holding them.

mod support;

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use support::prometheus::{checked, value};
use support::{pid_in, stop_within};
use zenkit::testing::Sandbox;
use zenkit_filer_nats::testing::Server;
use zenkit_prometheus::Family;

const ENRICH: &str = "filer_enrich";

/// Waits (up to 60 s) until the metrics file of `sandbox` passes `ready`,
/// checked by promtool each time.
fn wait_metrics(sandbox: &Sandbox, what: &str, ready: impl Fn(&[Family]) -> bool) -> Vec<Family> {
    let file = sandbox.path("prom").join(format!("{ENRICH}.prom"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if file.exists() {
            let families = checked(&file);
            if ready(&families) {
                return families;
            }
        }
        assert!(
            Instant::now() < deadline,
            "never {what}:\n{}",
            std::fs::read_to_string(&file).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sample(families: &[Family], name: &str, label: (&str, &str)) -> Option<f64> {
    let family = families.iter().find(|f| f.name == name)?;
    family
        .samples
        .iter()
        .find(|s| {
            s.labels
                .iter()
                .any(|(k, v)| (k.as_str(), v.as_str()) == label)
        })
        .map(|s| s.value)
}

#[test]
fn a_jetstream_stage_shows_its_connection_and_redeliveries_to_prometheus() {
    let mut server = Server::start();
    let sandbox = Sandbox::new();
    let url = server.url();
    let prom = sandbox.path("prom");
    let source = sandbox.write("source.txt", "");
    let stage = |limit: &str| -> i32 {
        let args = [
            "--queue-in-dir",
            "nats:///METRICS",
            "--queue-out-dir",
            "nats:///METRICS_OUT",
            "--queue-out-limit",
            limit,
            "--queue-out-wait",
            "1",
            "--nats-servers",
            &url,
            "--nats-ack-wait",
            "1",
            "--stats-interval",
            "1",
            "--prometheus-dir",
            prom.to_str().unwrap(),
        ];
        let run = sandbox.app(ENRICH).command(&args).output().unwrap();
        assert!(run.status.success(), "{ENRICH} did not start: {run:?}");
        pid_in(&sandbox.path(format!("var/run/{ENRICH}.pid")))
    };
    // a first instance pauses with two messages in the next stream and the
    // rest of the messages taken, then dies holding them
    let first = stage("1");
    let lines: String = (1..=10)
        .map(|n| format!("{{\"n\": {n}, \"line\": \"line {n}\"}}\n"))
        .collect();
    std::fs::write(&source, lines).unwrap();
    let ingest = sandbox
        .app("filer_ingest")
        .command(&[
            "--source",
            source.to_str().unwrap(),
            "--queue-out-dir",
            "nats:///METRICS",
            "--nats-servers",
            &url,
        ])
        .output()
        .unwrap();
    assert!(ingest.status.success(), "{ingest:?}");
    let paused = wait_metrics(&sandbox, "paused", |f| {
        sample(
            f,
            "zenkit_component_statistic_total",
            ("counter", "cnt_paused"),
        ) >= Some(1.0)
    });
    let held = value(&paused, "zenkit_component_value", &[("gauge", "nats_held")])
        + value(
            &paused,
            "zenkit_component_value",
            &[("gauge", "nats_waiting")],
        );
    assert!(held >= 1.0, "the paused stage holds the rest: {held}");
    stop_within(first, Signal::SIGKILL, Duration::from_secs(10));
    std::fs::remove_dir_all(&prom).unwrap();

    // the second instance gets them again once their ack wait is over
    let second = stage("1000");
    let counter = |f: &[Family], name: &str| {
        sample(f, "zenkit_component_statistic_total", ("counter", name)).unwrap_or(0.0)
    };
    let gauge = |f: &[Family], name: &str| {
        sample(f, "zenkit_component_value", ("gauge", name)).unwrap_or(-1.0)
    };
    let families = wait_metrics(&sandbox, "redelivered and committed", |f| {
        counter(f, "cnt_committed") >= 1.0
            && counter(f, "cnt_committed") == counter(f, "cnt_redelivered")
            && gauge(f, "nats_held") == 0.0
            && gauge(f, "nats_waiting") == 0.0
    });
    let connected = [("component", "filer"), ("gauge", "nats_connected")];
    assert_eq!(value(&families, "zenkit_component_value", &connected), 1.0);

    // the server goes away and comes back: the gauge follows
    server.kill();
    wait_metrics(&sandbox, "disconnected", |f| {
        sample(f, "zenkit_component_value", ("gauge", "nats_connected")) == Some(0.0)
    });
    server.restart();
    let families = wait_metrics(&sandbox, "reconnected", |f| {
        sample(f, "zenkit_component_value", ("gauge", "nats_connected")) == Some(1.0)
    });
    let disconnects = [("component", "filer"), ("counter", "nats_disconnects")];
    assert_eq!(
        value(&families, "zenkit_component_statistic_total", &disconnects),
        1.0
    );
    stop_within(second, Signal::SIGINT, Duration::from_secs(30));
}
