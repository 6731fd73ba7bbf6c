//! Compatibility with Mentat's Python `mentat.dirq.DirectoryQueue`: each
//! takes what the other writes.
//!
//! These tests need `python3` with `mentat.dirq` importable (`pip install
//! --no-deps mentat-ng`, which `./run-tests` does) and fail, saying so,
//! without it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{json, Value};
use zenkit_filer::{to_python_json, DirQueue, Options};

/// What to do when Python or Mentat is missing.
const INSTALL: &str = "the tests of compatibility with Mentat need python3 with Mentat's \
                       mentat.dirq module: install it with `pip install --no-deps mentat-ng` \
                       (./run-tests does)";

/// Checks once that `mentat.dirq` can be imported, failing the test with
/// what to install otherwise.
fn require_mentat() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let output = Command::new("python3")
            .args(["-c", "import mentat.dirq"])
            .output()
            .map_err(|err| format!("cannot run python3 ({err}): {INSTALL}"))?;
        if !output.status.success() {
            return Err(format!(
                "python3 cannot import mentat.dirq ({}): {INSTALL}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(())
    });
    if let Err(message) = checked {
        panic!("{message}");
    }
}

/// Runs Python `script` with `args` (as `sys.argv[1:]`) and returns what it
/// printed.
fn python(script: &str, args: &[&str]) -> String {
    require_mentat();
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("cannot run python3 ({err}): {INSTALL}"));
    assert!(
        output.status.success(),
        "python3 failed:\n{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Python prints one JSON document per line.
fn json_lines(output: &str) -> Vec<Value> {
    output
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Takes every message of `dir` with Python and commits it (into `next`
/// when given); returns id → text.
fn python_drain(dir: &Path, next: Option<&Path>) -> BTreeMap<String, String> {
    let script = r#"
import json, sys, mentat.dirq
kwargs = {"dir_next_queue": sys.argv[2]} if len(sys.argv) > 2 else {}
queue = mentat.dirq.DirectoryQueue(sys.argv[1], **kwargs)
while True:
    (mid, data) = queue.next()
    if mid is None:
        break
    print(json.dumps([mid, data]))
    queue.commit(mid)
"#;
    let mut args = vec![text(dir)];
    if let Some(next) = next {
        args.push(text(next));
    }
    json_lines(&python(script, &args))
        .into_iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_owned(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn rust_takes_what_python_enqueues_and_python_takes_what_rust_commits() {
    const N: usize = 50;
    let spool = tempfile::tempdir().unwrap();
    let (first, second) = (spool.path().join("first"), spool.path().join("second"));
    let script = r#"
import json, os, sys, mentat.dirq
queue = mentat.dirq.DirectoryQueue(sys.argv[1])
for n in range(int(sys.argv[2])):
    mid = queue.enqueue(json.dumps({"n": n, "text": "zpráva"}, ensure_ascii=False))
    print(json.dumps([mid, os.getpid()]))
"#;
    let enqueued = json_lines(&python(script, &[text(&first), &N.to_string()]));
    assert_eq!(enqueued.len(), N);
    let python_pid = enqueued[0][1].as_u64().unwrap() as u32;

    let mut queue = DirQueue::open(
        &first,
        Options {
            next: Some(second.clone()),
            recover: true,
            ..Options::default()
        },
    )
    .unwrap();
    let mut taken = BTreeMap::new();
    while let Some(message) = queue.next().unwrap() {
        let parts = message.id().parts().expect("Mentat's id format");
        assert_eq!(parts.pid, python_pid);
        let meta = std::fs::metadata(first.join("pending").join(message.id().as_str())).unwrap();
        assert_eq!((parts.dev, parts.ino), (meta.dev(), meta.ino()));
        let mut idea: Value = serde_json::from_slice(message.data()).unwrap();
        assert_eq!(idea["text"], "zpráva");
        idea["seen_by"] = "rust".into();
        queue.update(&message, idea.to_string().as_bytes()).unwrap();
        queue.commit(&message).unwrap();
        taken.insert(message.id().to_string(), idea);
    }
    assert_eq!(taken.len(), N, "every message taken once");
    for pair in &enqueued {
        assert!(taken.contains_key(pair[0].as_str().unwrap()));
    }
    assert_eq!(queue.count_pending().unwrap(), 0);

    let drained = python_drain(&second, None);
    assert_eq!(drained.len(), N);
    for (id, data) in drained {
        let idea: Value = serde_json::from_str(&data).unwrap();
        assert_eq!(idea, taken[&id], "{id}");
    }
}

#[test]
fn python_takes_what_rust_enqueues_and_rust_takes_what_python_commits() {
    const N: usize = 50;
    let spool = tempfile::tempdir().unwrap();
    let (first, second) = (spool.path().join("first"), spool.path().join("second"));
    let mut producer = DirQueue::open(&first, Options::default()).unwrap();
    let sent: BTreeMap<String, String> = (0..N)
        .map(|n| {
            let data = format!("{{\"n\": {n}, \"text\": \"zpráva\"}}");
            (producer.enqueue(data.as_bytes()).unwrap().to_string(), data)
        })
        .collect();

    let drained = python_drain(&first, Some(&second));
    assert_eq!(drained, sent, "Python took every message as written");
    assert_eq!(producer.count_incoming().unwrap(), 0);
    assert_eq!(producer.count_pending().unwrap(), 0);

    let mut consumer = DirQueue::open(&second, Options::default()).unwrap();
    let mut taken = BTreeMap::new();
    while let Some(message) = consumer.next().unwrap() {
        consumer.commit(&message).unwrap();
        taken.insert(message.id().to_string(), message.text().unwrap().to_owned());
    }
    assert_eq!(taken, sent, "Rust took every message Python committed");
}

#[test]
fn metadata_is_written_byte_for_byte_as_python_writes_it() {
    let spool = tempfile::tempdir().unwrap();
    let (python_queue, rust_queue) = (spool.path().join("py"), spool.path().join("rs"));
    let metadata = json!({
        "reason": "Invalid IDEA message: naïve ‘quotes’ and 😀",
        "errors": [{"path": "/Source/0/IP4", "code": 7}, [], {}],
        "nested": {"z": null, "a": true, "m": false},
        "count": 3,
        "control": "tab\tnewline\nquote\" backslash\\ del\u{7f}",
        "floats": [1e16, 1e15, 0.0001, 0.00001, -2.5e-7, 100.0, 0.1, 1.5e300],
    });
    let script = r#"
import json, os, sys, mentat.dirq
queue = mentat.dirq.DirectoryQueue(sys.argv[1])
queue.enqueue("bad")
(mid, data) = queue.next()
queue.banish(mid, json.loads(sys.argv[2]))
print(mid)
"#;
    let id = python(script, &[text(&python_queue), &metadata.to_string()]);
    let expected = std::fs::read(
        python_queue
            .join("errors")
            .join(format!("{}.meta", id.trim())),
    )
    .unwrap();

    let mut queue = DirQueue::open(&rust_queue, Options::default()).unwrap();
    queue.enqueue(b"bad").unwrap();
    let message = queue.next().unwrap().unwrap();
    queue.banish(&message, Some(&metadata)).unwrap();
    let written = std::fs::read(
        rust_queue
            .join("errors")
            .join(format!("{}.meta", message.id())),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(written).unwrap(),
        String::from_utf8(expected).unwrap()
    );

    let rendered = python(
        "import json, sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True, indent=4), end='')",
        &[&metadata.to_string()],
    );
    assert_eq!(to_python_json(&metadata), rendered);
}

/// The caveat of the crate documentation, shown: a Python instance does not
/// lock the message it processes, so a zenkit instance recovering the same
/// queue takes it back from under it, both process it, and the Python
/// instance's commit deletes the file the zenkit instance holds.
#[test]
fn python_instances_do_not_lock_so_recovery_takes_their_messages() {
    let spool = tempfile::tempdir().unwrap();
    let dir = spool.path().join("q");
    let mut queue = DirQueue::open(&dir, Options::default()).unwrap();
    let id = queue.enqueue(b"shared").unwrap();
    require_mentat();
    let script = r#"
import sys, mentat.dirq
queue = mentat.dirq.DirectoryQueue(sys.argv[1])
(mid, data) = queue.next()
print("taken", mid, flush=True)
sys.stdin.readline()
try:
    queue.commit(mid)
    print("committed", flush=True)
except FileNotFoundError:
    print("gone", flush=True)
"#;
    let mut child = Command::new("python3")
        .args(["-c", script, text(&dir)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run python3 ({err}): {INSTALL}"));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), format!("taken {id}"));

    assert_eq!(queue.recover().unwrap(), 1, "the Python instance's message");
    let message = queue.next().unwrap().unwrap();
    assert_eq!(message.id(), &id);

    writeln!(child.stdin.take().unwrap()).unwrap();
    assert_eq!(lines.next().unwrap().unwrap(), "committed");
    assert!(child.wait().unwrap().success());
    let err = queue.commit(&message).unwrap_err();
    let io = err.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound, "{err}");
}
