use zenkit::plugin as register;
use zenkit::plugin::Plugin;

/// Registered twice under two names of the attribute, which the first
/// cannot tell apart: the second says so.
#[zenkit::plugin]
#[register]
#[derive(Default)]
struct Meter;

impl Plugin for Meter {
    fn name(&self) -> &'static str {
        "meter"
    }
}

/// The same on the impl block.
#[derive(Default)]
struct Gauge;

#[register]
#[zenkit::plugin]
impl Plugin for Gauge {
    fn name(&self) -> &'static str {
        "gauge"
    }
}

/// Registered on its definition and on its impl block.
#[zenkit::plugin]
#[derive(Default)]
struct Timer;

#[zenkit::plugin]
impl Plugin for Timer {
    fn name(&self) -> &'static str {
        "timer"
    }
}

fn main() {}
