use zenkit::prelude::*;

#[derive(Default)]
struct Clock;

#[component]
impl Clock {
    #[on_event("tick")]
    fn tick(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        // misspelt: the handler's event is `tick`
        d.schedule(Clock::TIK, None);
        Flow::Continue(args)
    }

    #[on_event("start")]
    fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        // an event of another component
        d.schedule(Clock::MESSAGE_NEXT, None);
        // the daemon's own events are constants of `Daemon`
        d.schedule(Daemon::STPO, None);
        Flow::Continue(args)
    }
}

/// A mistake in one handler leaves the constants of the others usable.
#[derive(Default)]
struct Meter;

#[component]
impl Meter {
    #[on_event("measure")]
    fn measure(&mut self, d: &mut Daemon<'_>) -> u32 {
        d.schedule(Meter::MEASURE, None);
        0
    }
}

fn main() {}
