//! End-to-end: plugins registered at link time, on the built examples, the
//! Prometheus textfile exporter, and two plugins of different crates that
//! share a name.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use support::prometheus::{checked, value};
use support::{dumped, signal, wait_exit, wait_for, Sandbox, RUNLOG_DUMP};
use zenkit::plugin::Plugin;
use zenkit::prelude::*;
use zenkit_prometheus::{parse, Prometheus};

/// A plugin of this crate registered under the name of the Prometheus
/// exporter, which another crate registers: only the start-up can tell.
#[derive(Default)]
struct Impostor;

#[zenkit::plugin]
impl Plugin for Impostor {
    fn name(&self) -> &'static str {
        "prometheus"
    }
}

/// Takes the plugins registered at link time.
#[derive(ZenApp, Default)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct Linked {}

impl Hooks for Linked {}

/// Lists the two plugins itself.
#[derive(ZenApp, Default)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
#[zen(plugins(Impostor, Prometheus), linked_plugins = false)]
struct Listed {}

impl Hooks for Listed {}

fn backup_sandbox() -> Sandbox {
    let sb = Sandbox::new("backup");
    sb.write("data/a.txt", "alpha\n");
    std::fs::create_dir_all(sb.path("archives")).unwrap();
    std::fs::create_dir_all(sb.path("etc/backup")).unwrap();
    let conf = serde_json::json!({"source": sb.path("data"), "target": sb.path("archives")});
    sb.write("etc/backup.conf", &conf.to_string());
    sb
}

#[test]
fn linking_the_crate_adds_the_plugin_and_opting_out_removes_it() {
    let sb = backup_sandbox();
    let help = sb.run(&["--help"]).stdout;
    assert!(help.contains("Plugin prometheus:"), "{help}");
    assert!(help.contains("--prometheus-dir <DIR>"), "{help}");
    let view = sb.run(&["--action", "config-view"]).stdout;
    assert!(view.contains("prometheus_dir: null"), "{view}");
    let debug = sb.run(&["--debug", "list"]);
    assert!(
        debug.stderr.contains("DBGOUT: plugins: prometheus"),
        "{debug:?}"
    );

    // dusage links the same crate but refuses link-time plugins
    let sb = Sandbox::new("dusage");
    let help = sb.run(&["--help"]).stdout;
    assert!(!help.contains("prometheus"), "{help}");
    let run = sb.run(&["--prometheus-dir", "x"]);
    assert_eq!(run.code, 64, "{run:?}");
    let view = sb
        .run(&[
            "--action",
            "config-view",
            "--config-file-silent",
            "--config-dir-silent",
        ])
        .stdout;
    assert!(view.contains("Application configuration"), "{view}");
    assert!(!view.contains("prometheus"), "{view}");
}

/// The message of a start-up that fails.
fn refusal<A: zenkit::App>() -> String {
    match zenkit::embed::<A, _, _>(["clash"]) {
        Ok(_) => panic!("two plugins named 'prometheus' started"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn two_plugins_of_one_name_stop_the_start_naming_both_types_and_crates() {
    let linked = refusal::<Linked>();
    assert!(
        linked.starts_with("two different plugins are named 'prometheus': "),
        "{linked}"
    );
    assert!(
        linked.contains("`plugins::Impostor` (registered by package zenkit-examples)"),
        "{linked}"
    );
    assert!(
        linked
            .contains("`zenkit_prometheus::Prometheus` (registered by package zenkit-prometheus)"),
        "{linked}"
    );
    assert!(linked.ends_with("; rename one of them"), "{linked}");

    let listed = refusal::<Listed>();
    assert_eq!(
        listed,
        "two different plugins are named 'prometheus': `plugins::Impostor` (listed in the application's `#[zen(plugins(...))]`) and `zenkit_prometheus::Prometheus` (listed in the application's `#[zen(plugins(...))]`); rename one of them"
    );
}

#[test]
fn a_script_run_writes_its_metrics_and_a_runlog_key() {
    let sb = backup_sandbox();
    let metrics_dir = sb.path("metrics");
    let dir = metrics_dir.to_string_lossy().into_owned();
    let run = sb.run(&["create", "--prometheus-dir", &dir, "--runlog-dump"]);
    assert_eq!(run.code, 0, "{run:?}");
    let runlog = dumped(&run.stdout, RUNLOG_DUMP);
    let file = metrics_dir.join("backup.prom");
    assert_eq!(runlog["prometheus_file"], file.to_string_lossy().as_ref());
    let families = checked(&file);
    let app = [("app", "backup")];
    assert_eq!(value(&families, "zenkit_last_run_success", &app), 1.0);
    assert_eq!(value(&families, "zenkit_errors_total", &app), 0.0);
    let ts = value(&families, "zenkit_last_run_timestamp_seconds", &app);
    assert!((ts - runlog["ts"].as_f64().unwrap()).abs() < 60.0);
    assert!(value(&families, "zenkit_last_run_duration_seconds", &app) >= 0.0);
    let mode = std::fs::metadata(&file).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o022,
        0
    );

    let run = sb.run(&[
        "create",
        "--prometheus-dir",
        &dir,
        "--source",
        "/no/such/dir",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let families = checked(&file);
    assert_eq!(value(&families, "zenkit_last_run_success", &app), 0.0);
    assert_eq!(value(&families, "zenkit_errors_total", &app), 1.0);
}

#[test]
fn a_daemon_exports_growing_counters_and_the_file_is_never_half_written() {
    let sb = Sandbox::new("watch");
    sb.write("app.log", "");
    let conf = serde_json::json!({"file": sb.path("app.log")});
    sb.write("etc/watch.conf", &conf.to_string());
    std::fs::create_dir_all(sb.path("etc/watch")).unwrap();
    let metrics = sb.path("metrics/watch.prom");
    let dir = sb.path("metrics").to_string_lossy().into_owned();
    let mut child = sb.spawn(&[
        "--no-daemon",
        "--prometheus-dir",
        &dir,
        "--stats-interval",
        "0.02",
    ]);
    wait_for(&sb.path("var/log/watch.log"), "Daemon startup initiated");

    // a reader parses the file while the daemon rewrites it
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (done, metrics) = (Arc::clone(&done), metrics.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(Ordering::SeqCst) {
                if let Ok(text) = std::fs::read_to_string(&metrics) {
                    parse(&text).unwrap_or_else(|e| panic!("half-written metrics ({e}):\n{text}"));
                    reads += 1;
                }
            }
            reads
        })
    };
    let lines = |sb: &Sandbox| -> f64 {
        let text = std::fs::read_to_string(sb.path("metrics/watch.prom")).unwrap_or_default();
        parse(&text)
            .ok()
            .and_then(|f| {
                let family = f
                    .into_iter()
                    .find(|f| f.name == "zenkit_component_statistic_total")?;
                family
                    .samples
                    .iter()
                    .find(|s| s.labels.contains(&("counter".into(), "lines".into())))
                    .map(|s| s.value)
            })
            .unwrap_or(0.0)
    };
    let append = |n: usize| {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(sb.path("app.log"))
            .unwrap();
        for i in 0..n {
            writeln!(file, "ERROR line {i}").unwrap();
        }
    };
    for expected in [3.0, 8.0] {
        append(if expected == 3.0 { 3 } else { 5 });
        let deadline = Instant::now() + Duration::from_secs(10);
        while lines(&sb) < expected {
            assert!(
                Instant::now() < deadline,
                "counter never reached {expected}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    signal(&child, Signal::SIGINT);
    assert_eq!(wait_exit(&mut child), 0);
    done.store(true, Ordering::SeqCst);
    assert!(reader.join().unwrap() > 0);
    let families = parse(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    let labels = [
        ("app", "watch"),
        ("component", "alerts"),
        ("counter", "matches"),
    ];
    assert_eq!(
        value(&families, "zenkit_component_statistic_total", &labels),
        8.0
    );
}
