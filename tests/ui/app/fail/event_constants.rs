use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Poller {}

#[zenkit::app]
impl Poller {
    #[on_event("start")]
    fn begin(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        // misspelt: the handler below is of `poll`
        d.schedule(Poller::POL, None);
        Flow::Continue(args)
    }

    #[on_event("poll")]
    fn poll(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
        d.schedule_after_secs(5.0, Self::POLL, None);
        Flow::Continue(args)
    }

    #[on_event("poll_now")]
    fn now(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        Flow::Continue(args)
    }
}

/// A clash in an application's block.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Pusher {}

#[zenkit::app]
impl Pusher {
    #[on_event("push_now")]
    fn now(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event("push-now")]
    fn now_too(&mut self, _d: &mut Daemon<'_>, args: Args) -> Flow {
        Flow::Continue(args)
    }
}

fn main() {}
