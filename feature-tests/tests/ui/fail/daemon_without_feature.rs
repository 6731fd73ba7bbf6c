use zenkit::prelude::*;

/// A daemon, in a program built without zenkit's `daemon` feature.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Watcher {}

#[zenkit::app]
impl Watcher {}

fn main() {}
