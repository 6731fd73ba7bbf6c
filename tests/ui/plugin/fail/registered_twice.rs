use zenkit::plugin as register;
use zenkit::plugin::Plugin;

/// Registered twice under two names of the attribute, which the attribute
/// cannot tell apart; the registrations conflict.
#[zenkit::plugin]
#[register]
#[derive(Default)]
struct Meter;

impl Plugin for Meter {
    fn name(&self) -> &'static str {
        "meter"
    }
}

fn main() {}
