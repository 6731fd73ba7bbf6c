use std::time::Duration;

use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(pstate, env = "TOOL_TOTAL")]
    total: u64,
    #[zen(rename = "other")]
    plain: u8,
    #[zen(config, hide)]
    secret: String,
    #[zen(config, value_name = "N")]
    count: u32,
    #[zen(cli, value_name = "YES")]
    flag: bool,
    #[zen(cli, range = 0..=1)]
    switch: bool,
    #[zen(cli, range = 1..=9)]
    wait: Duration,
}

impl Hooks for Tool {}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
