use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(defaults(log_level = "debug", name = "other"))]
struct Tool {}

impl Hooks for Tool {}

fn main() {}
