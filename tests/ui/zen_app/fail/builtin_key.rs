use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(config)]
    log_file: String,
    #[zen(cli)]
    verbosity: u8,
    #[zen(config)]
    __core__: u8,
}

impl Hooks for Tool {}

fn main() {}
