use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(default_command = "run", defaults(interval = "daily"))]
struct Plain {}

impl Hooks for Plain {}

#[derive(ZenApp, Default)]
#[zen(script, default_command = "two words", defaults(command = "run"))]
struct Job {
    #[zen(cli)]
    shell: bool,
    #[zen(cli(long = "time-high"))]
    high: u32,
}

impl Hooks for Job {}

#[derive(ZenApp, Default)]
#[zen(script = true)]
struct Flagged {}

impl Hooks for Flagged {}

fn main() {}
