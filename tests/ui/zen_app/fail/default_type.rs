use std::collections::BTreeMap;

use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(config, default = "a=1")]
    limits: BTreeMap<String, u32>,
}

impl Hooks for Tool {}

fn main() {}
