use zenkit::prelude::*;

#[derive(Default)]
struct Watcher {}

#[component]
impl Watcher {
    #[on_event]
    fn unnamed(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event(start)]
    fn bare(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event(42)]
    fn number(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event("")]
    fn empty(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event("poll", last)]
    fn flagged(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event("poll", first = true)]
    fn assigned(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_signal(SIGFOO)]
    fn unknown(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_signal(usr1)]
    fn lower(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_signal("SIGHUP")]
    fn quoted(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_signal(SIGINT)]
    fn interrupted(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_signal(SIGTERM)]
    fn terminated(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_signal(SIGKILL)]
    fn killed(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_signal(SIGSEGV)]
    fn faulted(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_signal]
    fn nothing(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }
}

fn main() {}
