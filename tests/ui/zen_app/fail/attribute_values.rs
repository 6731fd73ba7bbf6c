use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli, env = "1ST")]
    first: u8,
    #[zen(cli, env = "TOOL_X")]
    second: u8,
    #[zen(config, env = "TOOL_X")]
    third: u8,
    #[zen(cli, rename = "two words")]
    spaced: u8,
    #[zen(cli, rename = "log_level")]
    level: String,
    #[zen(cli, rename = "second")]
    again: u8,
    #[zen(cli, value_name = "")]
    unnamed: u8,
    #[zen(cli, range = 1..=LIMIT)]
    named_bound: u8,
    #[zen(cli, range = 5..1)]
    backwards: u8,
    #[zen(cli, range = ..)]
    everything: u8,
    #[zen(cli, range = 1..=10, default = 11)]
    too_big: u8,
    #[zen(cli, range = 1)]
    not_a_range: u8,
    #[zen(cli, hide = true)]
    hidden: u8,
}

const LIMIT: u8 = 9;

impl Hooks for Tool {}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
