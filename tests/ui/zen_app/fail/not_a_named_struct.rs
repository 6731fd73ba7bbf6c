use zenkit::prelude::*;

#[derive(ZenApp)]
enum Mode {
    Fast,
    Slow,
}

#[derive(ZenApp, Default)]
struct Pair(u32, u32);

#[derive(ZenApp, Default)]
struct Wrapper<T> {
    #[zen(config)]
    inner: T,
}

fn main() {}
