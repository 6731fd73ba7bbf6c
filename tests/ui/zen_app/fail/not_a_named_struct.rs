use zenkit::prelude::*;

#[derive(ZenApp, Default)]
enum Mode {
    #[default]
    Fast,
    Slow,
}

impl Hooks for Mode {}

#[derive(ZenApp, Default)]
struct Pair(u32, u32);

impl Hooks for Pair {}

#[derive(ZenApp, Default)]
struct Wrapper<T> {
    #[zen(config)]
    inner: T,
}

fn main() {}
