/// A component, in a program built without zenkit's `daemon` feature.
#[derive(Default)]
struct Clock {}

#[zenkit::component]
impl Clock {}

fn main() {}
