//! End-to-end: the persistent state file is never seen empty or partial,
//! neither by a concurrent reader nor after the writer is killed.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::Sandbox;

/// Reads the state file; it may be absent (before the first save) but if it
/// is there it must be a whole JSON object with a counter.
fn check_state(sb: &Sandbox) -> Option<u64> {
    let text = match std::fs::read_to_string(sb.path("tmp/demo_app.pstate")) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("cannot read state: {e}"),
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("partial state file ({e}): {text:?}"));
    Some(value["counter"].as_u64().expect("counter"))
}

#[test]
fn concurrent_reader_never_sees_a_partial_state_file() {
    let sb = Arc::new(Sandbox::new("demo_app"));
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (sb, done) = (Arc::clone(&sb), Arc::clone(&done));
        std::thread::spawn(move || {
            for _ in 0..25 {
                assert_eq!(sb.run(&["--quiet"]).code, 0);
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let mut reads = 0;
    let mut last = 0;
    while !done.load(Ordering::SeqCst) {
        if let Some(counter) = check_state(&sb) {
            assert!(
                counter >= last,
                "counter went back from {last} to {counter}"
            );
            last = counter;
            reads += 1;
        }
    }
    writer.join().unwrap();
    assert_eq!(check_state(&sb), Some(25));
    assert!(reads > 0, "the reader never saw the file");
}

#[test]
fn writer_killed_at_any_moment_leaves_a_whole_state_file() {
    let sb = Sandbox::new("demo_app");
    assert_eq!(sb.run(&["--quiet"]).code, 0);
    let mut killed = 0;
    for round in 0..40u64 {
        let mut child = sb.spawn(&["--quiet"]);
        // spread the kill over the whole run, saves included
        std::thread::sleep(Duration::from_micros(250 * (round % 20)));
        if child.kill().is_ok() {
            killed += 1;
        }
        let _ = child.wait();
        assert!(
            check_state(&sb).is_some(),
            "state file vanished in round {round}"
        );
    }
    assert!(killed > 0);
    let leftovers: Vec<_> = std::fs::read_dir(sb.path("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    // a killed writer may leave its temporary file, never a broken state
    assert!(
        leftovers.iter().all(|n| n.starts_with('.')),
        "{leftovers:?}"
    );
}
