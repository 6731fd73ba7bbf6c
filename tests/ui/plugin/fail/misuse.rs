use zenkit::plugin::Plugin;

/// Generic: which instance would be registered?
#[zenkit::plugin]
#[derive(Default)]
struct Counter<T> {
    count: T,
}

impl<T: Default + 'static> Plugin for Counter<T> {
    fn name(&self) -> &'static str {
        "counter"
    }
}

#[zenkit::plugin]
#[derive(Default)]
struct Bounded
where
    u8: Copy,
{
    count: u8,
}

#[zenkit::plugin(name = "meter")]
#[derive(Default)]
struct Meter;

impl Plugin for Meter {
    fn name(&self) -> &'static str {
        "meter"
    }
}

#[zenkit::plugin]
impl Meter {}

#[zenkit::plugin]
impl Clone for Meter {
    fn clone(&self) -> Self {
        Meter
    }
}

/// Generic on the impl block: which instance would be registered?
#[derive(Default)]
struct Pair<T>(T);

#[zenkit::plugin]
impl<T: Default + 'static> Plugin for Pair<T> {
    fn name(&self) -> &'static str {
        "pair"
    }
}

#[zenkit::plugin]
fn meter() {}

#[zenkit::plugin]
type Gauge = Meter;

#[zenkit::plugin]
union Raw {
    bits: u32,
}

fn main() {}
