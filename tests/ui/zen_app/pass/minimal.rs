//! The smallest applications (a script among them), and generated code that
//! keeps working when the author's module shadows common names.

#![allow(dead_code)]

use serde_json::{json, Value as JsonValue};
use zenkit::prelude::*;

// Names generated code must not pick up from the author's scope.
mod core {}
mod std {}
struct Map;
struct Value;
struct Config;
type Result<T> = ::std::result::Result<T, ()>;
type Option<T> = ::std::option::Option<T>;

#[derive(ZenApp, Default)]
struct Bare {}

#[zenkit::app]
impl Bare {}

/// A tool.
#[derive(ZenApp, Default)]
struct Plain {
    count: u32,
    /// Kind of the thing.
    #[zen(cli)]
    r#type: String,
}

impl Hooks for Plain {}

#[derive(ZenApp, Default)]
#[zen(script, default_command = "run")]
struct Scripted {}

#[zenkit::app]
impl Scripted {
    #[command]
    fn run(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        ::core::result::Result::Ok(())
    }
}

fn main() {
    let info = Bare::info();
    assert_eq!((info.name, info.about, info.long_about), (None, "", ""));
    assert!(Bare::options().is_empty());
    assert!(Bare::defaults().unwrap().is_empty());
    assert!(Bare::actions().is_empty());
    assert_eq!(Bare::info().paths, zenkit::paths::PathOverrides::default());

    assert_eq!(Scripted::COMMANDS.len(), 1);
    assert_eq!(Scripted::info().default_command, Some("run"));

    assert_eq!(Plain::info().about, "A tool");
    let options = Plain::options();
    assert_eq!(options.len(), 1);
    assert_eq!(options[0].get_id(), "type");
    assert_eq!(options[0].get_long(), Some("type"));
    assert_eq!(
        JsonValue::Object(Plain::defaults().unwrap()),
        json!({"type": ""})
    );
}
