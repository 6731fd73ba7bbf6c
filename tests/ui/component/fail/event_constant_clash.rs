use zenkit::prelude::*;

#[derive(Default)]
struct Clock;

#[component]
impl Clock {
    #[on_event("tick")]
    fn tick(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        d.schedule(Clock::TICK, None);
        Flow::Continue(args)
    }

    /// Differs from `tick` only in case: one constant `TICK` for both.
    #[on_event("Tick")]
    fn big_tick(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event("message_next")]
    fn next(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        Flow::Continue(args)
    }

    /// Differs from `message_next` only in its separator.
    #[on_event("message.next")]
    fn dotted(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        Flow::Continue(args)
    }
}

fn main() {}
