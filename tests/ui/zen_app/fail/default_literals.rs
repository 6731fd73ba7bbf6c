use std::path::PathBuf;
use std::time::Duration;

use zenkit::prelude::*;

/// Literal defaults the field's type cannot hold: each is one error on the
/// literal, at compile time, saying what to write.
#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli, default = "ten")]
    count: u32,
    #[zen(cli, default = 300)]
    level: u8,
    #[zen(config, default = -1)]
    workers: usize,
    #[zen(config, default = 1.5)]
    retries: u32,
    #[zen(cli, default = 5)]
    title: String,
    #[zen(config, default = true)]
    root: PathBuf,
    #[zen(config, default = "half")]
    ratio: f64,
    #[zen(config, default = "yes")]
    strict: bool,
    #[zen(config, default = "ab")]
    separator: char,
    #[zen(cli, default = "soon")]
    timeout: Duration,
    #[zen(config, default = 90)]
    grace: Duration,
    #[zen(config, default = "-5")]
    quota: Option<u16>,
    #[zen(cli, default = 8080)]
    ports: Vec<u16>,
}

impl Hooks for Tool {}

fn main() {}
