use std::collections::HashMap;

use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli)]
    label: &'static str,
    #[zen(cli)]
    size: (u32, u32),
    #[zen(cli)]
    bytes: [u8; 4],
    #[zen(cli)]
    limits: HashMap<String, u32>,
    #[zen(cli)]
    ports: Vec<Option<u16>>,
    #[zen(cli)]
    callback: Option<fn()>,
}

impl Hooks for Tool {}

fn main() {}
