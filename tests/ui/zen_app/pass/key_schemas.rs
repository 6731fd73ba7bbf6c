//! The schema of each configuration key comes from its field's type: the
//! type's `JsonSchema` when it has one (a nested section deriving it
//! through zenkit's re-export), none when it has not, which still
//! compiles; the doc comment is the key's help.

use serde::{Deserialize, Serialize};
use zenkit::prelude::*;
use zenkit::App;

/// The nested section `db`.
#[derive(Serialize, Deserialize, Default, zenkit::schemars::JsonSchema)]
#[schemars(crate = "zenkit::schemars")]
struct Db {
    /// The server's port.
    port: u16,
}

/// A section without a schema.
#[derive(Serialize, Deserialize, Default)]
struct Opaque {
    level: u8,
}

#[derive(ZenApp, Default)]
struct Tool {
    /// How many at most.
    #[zen(cli, default = 3)]
    count: u32,
    /// Where the data is.
    #[zen(config)]
    db: Db,
    /// Not described by its type.
    #[zen(config)]
    opaque: Opaque,
    /// A flag.
    #[zen(cli)]
    dry_run: bool,
}

#[zenkit::app]
impl Tool {}

fn main() {
    let mut generator = zenkit::schema::generator();
    let keys = Tool::key_schemas(&mut generator);
    let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(names, ["count", "db", "opaque", "dry_run"]);
    let schema = |key: &str| {
        let found = keys.iter().find(|k| k.key == key).unwrap();
        found.schema.clone().map(serde_json::Value::from)
    };
    assert_eq!(schema("count").unwrap()["type"], "integer");
    assert_eq!(schema("dry_run").unwrap()["type"], "boolean");
    assert_eq!(schema("db").unwrap()["$ref"], "#/$defs/Db");
    assert!(schema("opaque").is_none());
    assert_eq!(keys[0].help, "How many at most.");
    let defs = generator.take_definitions(true);
    assert_eq!(
        defs["Db"]["properties"]["port"]["description"],
        "The server's port."
    );
}
