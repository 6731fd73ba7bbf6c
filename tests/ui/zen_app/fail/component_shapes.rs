use zenkit::daemon::Daemon;
use zenkit::prelude::*;

#[derive(Default)]
struct Clock;

#[zenkit::component]
impl Clock {
    #[on_event("tick")]
    fn tick(&mut self, _d: &mut Daemon, _args: Args) -> Flow {
        Flow::next()
    }
}

/// A component field holds one component: no list, no option, and the
/// advice is about the field, not about an impl of `Vec<Clock>`.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Service {
    #[zen(component)]
    clocks: Vec<Clock>,
    #[zen(component)]
    spare: Option<Clock>,
}

impl Hooks for Service {}

fn main() {}
