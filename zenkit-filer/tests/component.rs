//! The filer component in a daemon run in this process: messages already
//! waiting and messages arriving while it runs are processed, updated and
//! committed into the next queue; an empty one is banished with a reason.

use std::sync::Mutex;
use std::time::Duration;

use zenkit::prelude::*;
use zenkit_filer::{DirQueue, Filer, Options, Process};

mod support;
use support::run_embedded;

const WAITING: usize = 50;
const ARRIVING: usize = 50;

static COUNTS: Mutex<Option<(usize, usize)>> = Mutex::new(None);

/// Upper-cases each message, then commits it.
#[derive(Default)]
struct Upper {
    processed: usize,
    in_dir: std::path::PathBuf,
}

#[zenkit::component]
impl Upper {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        self.in_dir = d.paths().var.join("spool").join("upper-in");
        d.schedule_after(Duration::from_millis(50), Upper::PRODUCE, None);
        Flow::Continue(args)
    }

    /// Messages arriving while the daemon waits: inotify wakes the filer (the
    /// rescan would come only after 3 s; the whole run takes well under that).
    #[on_event("produce")]
    fn produce(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        let mut queue = DirQueue::open(&self.in_dir, Options::default()).unwrap();
        for n in 0..ARRIVING {
            queue.enqueue(format!("late {n}").as_bytes()).unwrap();
        }
        Flow::Continue(args)
    }

    #[on_event("message_process")]
    fn process(&mut self, d: &mut Daemon, message: Process) -> Flow {
        self.processed += 1;
        if self.processed == WAITING + ARRIVING + 2 {
            d.schedule_after(Duration::from_millis(50), Daemon::STOP, None);
        }
        if message.data == "panic, please" {
            panic!("cannot upper-case this");
        }
        if message.data == "no data, please" {
            // an update without data is an error: the message keeps its content
            d.schedule_with(Filer::MESSAGE_UPDATE, &json!({"id": message.id}));
            d.schedule_with(Filer::MESSAGE_COMMIT, &json!({"id": message.id}));
            return Flow::next();
        }
        let data = message.data.to_uppercase();
        d.schedule_with(
            Filer::MESSAGE_UPDATE,
            &json!({"id": message.id, "data": data}),
        );
        d.schedule_with(Filer::MESSAGE_COMMIT, &json!({"id": message.id}));
        Flow::next()
    }

    #[on_event("message_banish")]
    fn banished(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        let mut counts = COUNTS.lock().unwrap();
        let (banished, _) = counts.get_or_insert((0, 0));
        *banished += 1;
        Flow::Continue(args)
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "upper")]
struct UpperDaemon {
    #[zen(component)]
    filer: Filer,
    #[zen(component)]
    upper: Upper,
}

#[zenkit::app]
impl UpperDaemon {}

#[test]
fn waiting_and_arriving_messages_are_processed_and_committed() {
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let spool = root.path().join("var/spool");
    let mut input = DirQueue::open(spool.join("upper-in"), Options::default()).unwrap();
    for n in 0..WAITING {
        input.enqueue(format!("waiting {n}").as_bytes()).unwrap();
    }
    input.enqueue(b" \n").unwrap();
    input.enqueue(b"panic, please").unwrap();
    input.enqueue(b"no data, please").unwrap();
    drop(input);
    let args = [
        "--queue-in-dir",
        "upper-in",
        "--queue-out-dir",
        "upper-out",
        "--queue-in-wait",
        "600",
    ];
    // the panic is an error of the run; the daemon went on
    assert_eq!(run_embedded::<UpperDaemon>("upper", &args), 1);

    let mut output = DirQueue::open(spool.join("upper-out"), Options::default()).unwrap();
    let mut texts = Vec::new();
    while let Some(message) = output.next().unwrap() {
        texts.push(message.text().unwrap().to_string());
        output.commit(&message).unwrap();
    }
    texts.sort();
    let mut expected: Vec<String> = (0..WAITING)
        .map(|n| format!("WAITING {n}"))
        .chain((0..ARRIVING).map(|n| format!("LATE {n}")))
        .chain(["no data, please".to_string()])
        .collect();
    expected.sort();
    assert_eq!(texts, expected);
    let input = DirQueue::open(spool.join("upper-in"), Options::default()).unwrap();
    assert_eq!(input.count_incoming().unwrap(), 0);
    assert_eq!(input.count_pending().unwrap(), 0);
    assert_eq!(input.count_errors().unwrap(), 2);
    let mut reasons: Vec<String> = std::fs::read_dir(input.errors_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "meta"))
        .map(|e| {
            let meta: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            meta["reason"].as_str().unwrap().to_string()
        })
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "empty message",
            "handler 'upper.process' panicked: cannot upper-case this"
        ]
    );
    assert_eq!(COUNTS.lock().unwrap().map(|c| c.0), Some(2));
}
