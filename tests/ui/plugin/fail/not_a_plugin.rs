use zenkit::plugin::Plugin;
use zenkit::prelude::*;

/// Has a `Default` but no `Plugin` impl.
#[zenkit::plugin]
#[derive(Default)]
struct Meter;

/// Is a plugin without a `Default`.
#[zenkit::plugin]
struct Timer {
    seconds: u64,
}

impl Plugin for Timer {
    fn name(&self) -> &'static str {
        "timer"
    }
}

#[derive(Default)]
struct Gauge;

#[derive(ZenApp, Default)]
#[zen(plugins(Gauge, Timer))]
struct Tool {}

impl Hooks for Tool {}

fn main() {}
