use zenkit::plugin::Plugin;

/// The attribute twice on one type.
#[zenkit::plugin]
#[derive(Default)]
#[zenkit::plugin]
struct Meter;

impl Plugin for Meter {
    fn name(&self) -> &'static str {
        "meter"
    }
}

fn main() {}
