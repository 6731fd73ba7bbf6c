//! Typed event arguments: a handler takes its arguments as its own
//! `Deserialize` type, events are scheduled with any `Serialize` value, a
//! handler that returns `Flow::next()` hands the event's arguments on
//! unchanged, and arguments that do not fit are an error that ends the
//! chain.

use serde::{Deserialize, Serialize};
use zenkit::prelude::*;
use zenkit::Embedded;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Order {
    item: String,
    count: u32,
}

#[derive(Default)]
struct Shop {
    orders: Vec<(String, u32)>,
    raw_seen: Vec<Value>,
    totals: Vec<u32>,
}

#[component]
impl Shop {
    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon, args: Args) -> Flow {
        d.schedule_with("order", &Order { item: "tea".into(), count: 3 });
        // does not fit `Order`: reported, and the chain ends
        d.schedule_with("order", &serde_json::json!({"item": "milk"}));
        d.schedule_with("total", &7u32);
        Flow::Continue(args)
    }

    #[on_event("order")]
    fn order(&mut self, _d: &mut Daemon, order: Order) -> Flow {
        self.orders.push((order.item, order.count));
        Flow::next()
    }

    /// Runs after `order` and sees the event's own arguments.
    #[on_event("order")]
    fn audit(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        self.raw_seen.push(args.clone().unwrap_or_default());
        Flow::Continue(args)
    }

    #[on_event("total")]
    fn total(&mut self, d: &mut Daemon, total: u32) -> Flow {
        self.totals.push(total);
        d.set_done();
        Flow::next()
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Typed {
    #[zen(component)]
    shop: Shop,
}

/// What the run saw, for `main` to check after it.
static SEEN: std::sync::Mutex<Option<(Shop, Vec<String>)>> = std::sync::Mutex::new(None);

#[zenkit::app]
impl Typed {
    #[teardown]
    fn keep(&mut self, ctx: &mut Context) -> Result<()> {
        let errors = ctx.runlog_record().get("errors").cloned().unwrap_or_default();
        let errors = errors
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.as_str().map(str::to_string))
            .collect();
        *SEEN.lock().unwrap() = Some((std::mem::take(&mut self.shop), errors));
        Ok(())
    }
}

fn main() {
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let args = [
        "typed",
        "--no-daemon",
        "--quiet",
        "--log-level",
        "critical",
        "--config-file-silent",
        "--config-dir-silent",
    ];
    let embedded: Embedded<Typed> = zenkit::embed(args).unwrap();
    // the arguments that did not fit make the run fail
    assert_eq!(embedded.run(), 1);
    let (shop, errors) = SEEN.lock().unwrap().take().expect("the teardown ran");
    assert_eq!(shop.orders, [("tea".to_string(), 3)]);
    assert_eq!(
        shop.raw_seen,
        [serde_json::json!({"item": "tea", "count": 3})]
    );
    assert_eq!(shop.totals, [7]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("handler 'order' cannot take the arguments {\"item\":\"milk\"}")
            && errors[0].contains("missing field `count`"),
        "{errors:?}"
    );
}
