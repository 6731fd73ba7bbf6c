//! Two filer queues in one daemon, each of its own channel: the main queue
//! with Mentat's keys, options and events, and an `alerts` queue with its
//! own, each processed by its own handler and committed into its own
//! output queue.

use std::time::Duration;

use zenkit::prelude::*;
use zenkit_filer::{Channel, DirQueue, Filer, Options, Process};

mod support;
use support::run_embedded;

const EACH: usize = 20;

#[derive(Debug, Default)]
struct Alerts;

impl Channel for Alerts {
    const NAME: &'static str = "alerts";
}

#[derive(ZenApp, Default)]
#[zen(daemon, name = "triage")]
struct Triage {
    #[zen(component)]
    filer: Filer,
    #[zen(component)]
    alerts: Filer<Alerts>,
    processed: usize,
}

impl Triage {
    fn count(&mut self, d: &mut Daemon<'_>) {
        self.processed += 1;
        if self.processed == 2 * EACH {
            d.schedule_after(Duration::from_millis(50), Daemon::STOP, None);
        }
    }
}

#[zenkit::app]
impl Triage {
    #[on_event("message_process")]
    fn event(&mut self, d: &mut Daemon<'_>, message: Process) -> Flow {
        self.count(d);
        let data = message.data.to_uppercase();
        d.schedule_with(
            Filer::MESSAGE_UPDATE,
            &json!({"id": message.id, "data": data}),
        );
        d.schedule_with(Filer::MESSAGE_COMMIT, &json!({"id": message.id}));
        Flow::next()
    }

    #[on_event("alerts_message_process")]
    fn alert(&mut self, d: &mut Daemon<'_>, message: Process) -> Flow {
        self.count(d);
        let data = format!("ALERT: {}", message.data);
        d.schedule_with(
            Filer::<Alerts>::event(Filer::MESSAGE_UPDATE),
            &json!({"id": message.id, "data": data}),
        );
        d.schedule_with(
            Filer::<Alerts>::event(Filer::MESSAGE_COMMIT),
            &json!({"id": message.id}),
        );
        Flow::next()
    }
}

fn texts(dir: &std::path::Path) -> Vec<String> {
    let mut queue = DirQueue::open(dir, Options::default()).unwrap();
    let mut texts = Vec::new();
    while let Some(message) = queue.next().unwrap() {
        texts.push(message.text().unwrap().to_string());
        queue.commit(&message).unwrap();
    }
    texts.sort();
    texts
}

#[test]
fn two_queues_in_one_daemon_each_with_its_keys_options_and_events() {
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let spool = root.path().join("var/spool");
    let mut events = DirQueue::open(spool.join("events"), Options::default()).unwrap();
    let mut alerts = DirQueue::open(spool.join("triage-alerts"), Options::default()).unwrap();
    for n in 0..EACH {
        events.enqueue(format!("event {n:02}").as_bytes()).unwrap();
        alerts.enqueue(format!("alert {n:02}").as_bytes()).unwrap();
    }
    drop((events, alerts));

    let args = [
        "--queue-in-dir",
        "events",
        "--queue-out-dir",
        "events-out",
        // the alerts' input queue is the default, `<daemon>-alerts`
        "--alerts-queue-out-dir",
        "alerts-out",
        "--alerts-queue-batch",
        "1",
    ];
    assert_eq!(run_embedded::<Triage>("triage", &args), 0);

    let expected = |f: &dyn Fn(usize) -> String| (0..EACH).map(f).collect::<Vec<_>>();
    assert_eq!(
        texts(&spool.join("events-out")),
        expected(&|n| format!("EVENT {n:02}"))
    );
    assert_eq!(
        texts(&spool.join("alerts-out")),
        expected(&|n| format!("ALERT: alert {n:02}"))
    );
    for input in ["events", "triage-alerts"] {
        let queue = DirQueue::open(spool.join(input), Options::default()).unwrap();
        assert_eq!(queue.count_incoming().unwrap(), 0, "{input}");
        assert_eq!(queue.count_pending().unwrap(), 0, "{input}");
    }
}

#[test]
fn each_channel_has_its_own_options_in_the_help_and_in_errors() {
    let help = zenkit::embed::<Triage, _, _>(["triage", "--help"])
        .err()
        .expect("the help")
        .to_string();
    for option in [
        "--queue-in-dir <DIR>",
        "--queue-batch <N>",
        "--alerts-queue-in-dir <DIR>",
        "--alerts-queue-out-limit <N>",
        "--alerts-queue-batch <N>",
    ] {
        assert_eq!(help.matches(option).count(), 1, "{option} in:\n{help}");
    }
    assert!(help.contains("Component filer"), "{help}");
    assert!(help.contains("Component alerts"), "{help}");

    let err = zenkit::embed::<Triage, _, _>(["triage", "--alerts-queue-out-limit", "many"])
        .err()
        .expect("a bad value");
    assert!(
        err.to_string().contains("--alerts-queue-out-limit"),
        "{err}"
    );
}

#[test]
fn each_channel_has_its_keys_in_the_schema() {
    use zenkit::daemon::Component;
    let mut generator = zenkit::schema::generator();
    let schema = Filer::<Alerts>::config_schema(&mut generator).expect("a schema");
    let properties = schema.get("properties").expect("properties");
    let keys: Vec<&String> = properties.as_object().unwrap().keys().collect();
    assert!(
        keys.iter().all(|k| k.starts_with("alerts_queue_")),
        "{keys:?}"
    );
    assert_eq!(properties["alerts_queue_batch"]["minimum"], 1);
    let main = Filer::<zenkit_filer::Main>::config_schema(&mut generator).expect("a schema");
    assert!(main
        .get("properties")
        .unwrap()
        .get("queue_in_dir")
        .is_some());
}
