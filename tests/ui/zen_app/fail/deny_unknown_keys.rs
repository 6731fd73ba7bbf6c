use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(deny_unknown_keys = true)]
struct Tool {
    #[zen(cli)]
    first: u32,
}

impl Hooks for Tool {}

fn main() {}
