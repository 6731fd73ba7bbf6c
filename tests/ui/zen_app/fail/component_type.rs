use zenkit::prelude::*;

#[derive(Default)]
struct NotAComponent {}

#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Service {
    #[zen(component)]
    part: NotAComponent,
    #[zen(component)]
    text: String,
}

impl Hooks for Service {}

fn main() {}
