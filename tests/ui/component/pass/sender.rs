//! Events from another thread: a sender delivers 100,000 events in order,
//! none lost, while the loop runs; once the daemon's loop has ended, a send
//! is refused and dropping the senders is harmless.

use std::sync::Mutex;

use serde_json::json;
use zenkit::daemon::Sender;
use zenkit::prelude::*;
use zenkit::Embedded;

const EVENTS: u64 = 100_000;

static KEPT: Mutex<Option<Sender>> = Mutex::new(None);

#[derive(Default)]
struct Counter {
    seen: u64,
    next: u64,
    in_order: bool,
}

#[component]
impl Counter {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        self.in_order = true;
        let sender = d.sender();
        *KEPT.lock().unwrap() = Some(sender.clone());
        std::thread::spawn(move || {
            for n in 0..EVENTS {
                assert!(sender.send("item", Some(json!(n))));
            }
        });
        Flow::Continue(args)
    }

    #[on_event("item")]
    fn item(&mut self, d: &mut Daemon, args: Args) -> Flow {
        let n = args.as_ref().and_then(|a| a.as_u64()).unwrap();
        self.in_order &= n == self.next;
        self.next = n + 1;
        self.seen += 1;
        if self.seen == EVENTS {
            d.set_done();
        }
        Flow::Continue(args)
    }

    #[state]
    fn state(&self) -> serde_json::Value {
        json!({"seen": self.seen, "in_order": self.in_order})
    }
}

/// A daemon with the counter.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Inbox {
    #[zen(component)]
    counter: Counter,
}

#[zenkit::app]
impl Inbox {
    #[teardown]
    fn check(&mut self, _ctx: &mut Context) -> Result<()> {
        assert_eq!(self.counter.seen, EVENTS);
        assert!(self.counter.in_order, "events arrived out of order");
        Ok(())
    }
}

fn main() {
    // a lost event would leave the daemon waiting: fail instead of hanging
    std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_secs(120));
        eprintln!("the daemon did not see all events within 120 s");
        std::process::exit(1);
    });
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let args = [
        "inbox",
        "--no-daemon",
        "--quiet",
        "--log-level",
        "critical",
        "--config-file-silent",
        "--config-dir-silent",
    ];
    let embedded: Embedded<Inbox> = zenkit::embed(args).unwrap();
    assert_eq!(embedded.run(), 0);
    let sender = KEPT.lock().unwrap().take().unwrap();
    assert!(!sender.send("item", None), "the loop has ended");
    drop(sender);
}
