use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli, pstate)]
    total: u64,
    #[zen(config)]
    #[zen(pstate)]
    last_run: u64,
}

impl Hooks for Tool {}

fn main() {}
