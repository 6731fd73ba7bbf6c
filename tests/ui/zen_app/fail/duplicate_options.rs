use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli(short = 'w'))]
    who: String,
    #[zen(cli(long = "who", short = 'w'))]
    whom: String,
    #[zen(cli(long = "debug"))]
    trace: bool,
    #[zen(cli(short = 'v'))]
    volume: u8,
    #[zen(cli)]
    help: bool,
}

impl Hooks for Tool {}

fn main() {}
