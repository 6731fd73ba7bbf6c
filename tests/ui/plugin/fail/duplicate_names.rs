use zenkit::plugin::Plugin;

mod power {
    use zenkit::plugin::Plugin;

    /// Meters the power drawn.
    #[derive(Default)]
    pub struct Meter;

    #[zenkit::plugin]
    impl Plugin for Meter {
        fn name(&self) -> &'static str {
            "meter"
        }
    }
}

mod water {
    use zenkit::plugin::Plugin;

    /// Meters the water used: a plugin of another type, of the same name.
    #[derive(Default)]
    pub struct Meter;

    #[zenkit::plugin]
    impl Plugin for Meter {
        fn name(&self) -> &'static str {
            "meter"
        }
    }
}

/// Names that are no identifiers are told apart too.
#[derive(Default)]
struct Level;

#[zenkit::plugin]
impl Plugin for Level {
    fn name(&self) -> &'static str {
        "level-1"
    }
}

#[derive(Default)]
struct Gauge;

#[zenkit::plugin]
impl zenkit::plugin::Plugin for Gauge {
    fn name(&self) -> &'static str {
        "level-1"
    }
}

fn main() {}
