use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(
    name = "1st",
    paths(log = 1),
    defaults(log_level = "loud", debug = "yes", limit = "5")
)]
struct Tool {
    #[zen(cli(short = '-', long = "--size"))]
    size: u32,
    #[zen(cli, default = "a")]
    tags: Vec<String>,
    #[zen(config = true)]
    mode: String,
}

impl Hooks for Tool {}

fn main() {}
