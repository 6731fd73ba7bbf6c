//! A component's configuration schema comes from its `#[configure]` type
//! when that implements `JsonSchema`, for a generic component too; a
//! component whose type has none, or that needs no configuration, has none.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use zenkit::daemon::Component;
use zenkit::prelude::*;

/// The component's own section.
#[derive(Serialize, Deserialize, Default, zenkit::schemars::JsonSchema)]
#[schemars(crate = "zenkit::schemars")]
struct SinkConfig {
    /// Attempts before giving up.
    sink_retries: u32,
}

#[derive(Default)]
struct Sink<U>(PhantomData<U>);

#[component]
impl<U: 'static> Sink<U> {
    #[configure]
    fn configure(&mut self, _config: SinkConfig) -> Result<()> {
        Ok(())
    }
}

#[derive(Serialize, Deserialize, Default)]
struct PlainConfig {
    plain_level: u8,
}

#[derive(Default)]
struct Plain;

#[component]
impl Plain {
    #[configure]
    fn configure(&mut self, _config: PlainConfig) -> Result<()> {
        Ok(())
    }
}

#[derive(Default)]
struct Quiet;

#[component]
impl Quiet {
    #[on_event("start")]
    fn start(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }
}

fn main() {
    let mut generator = zenkit::schema::generator();
    let sink = Sink::<u8>::config_schema(&mut generator).expect("a schema");
    let sink = serde_json::Value::from(sink);
    assert_eq!(sink["$ref"], "#/$defs/SinkConfig");
    let defs = generator.definitions();
    assert_eq!(
        defs["SinkConfig"]["properties"]["sink_retries"]["description"],
        "Attempts before giving up."
    );
    assert!(Plain::config_schema(&mut generator).is_none());
    assert!(Quiet::config_schema(&mut generator).is_none());
}
