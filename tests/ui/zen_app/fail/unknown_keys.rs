use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(scrip, paths(logs = "log"), defaults(log_lvl = "debug"))]
struct Tool {
    #[zen(clii)]
    first: u32,
    #[zen(cli(shrt = 'a'))]
    second: u32,
}

impl Hooks for Tool {}

fn main() {}
