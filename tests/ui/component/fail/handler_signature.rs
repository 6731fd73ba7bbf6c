use zenkit::prelude::*;

#[derive(Default)]
struct Tail {}

#[component]
impl Tail {
    #[on_event("start")]
    fn no_args(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_event("poll")]
    fn shared(&self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event("poll")]
    fn by_value(&mut self, _d: Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_event("poll")]
    fn no_return(&mut self, _d: &mut Daemon, _args: Args) {}

    #[on_event("poll")]
    unsafe fn raw(&mut self, _d: &mut Daemon, _args: Args) -> Flow {
        Flow::next()
    }

    #[on_event("poll")]
    fn generic<T>(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_signal(SIGHUP)]
    fn with_args(&mut self, _d: &mut Daemon, _args: Args) -> Flow {
        Flow::next()
    }

    #[on_signal(SIGUSR1)]
    fn alone(&mut self) -> Flow {
        Flow::next()
    }

    #[setup]
    fn prepare(&mut self) -> Result<()> {
        Ok(())
    }

    #[state]
    fn state(&mut self) -> u32 {
        0
    }
}

#[derive(Default)]
struct Other {}

#[component]
impl Other {
    #[state]
    fn state(&self, _d: &mut Daemon) -> u32 {
        0
    }
}

fn main() {}
