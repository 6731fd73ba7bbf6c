use zenkit::prelude::*;

/// Handlers on an application that is not a daemon.
#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Tool {
    #[on_event("start")]
    fn start(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }

    #[on_signal(SIGHUP)]
    fn reload(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }
}

/// A signal handler alone on a script.
#[derive(ZenApp, Default)]
#[zen(script)]
struct Job {}

#[zenkit::app]
impl Job {
    #[command]
    fn run(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[on_signal(SIGUSR1)]
    fn poke(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }
}

/// A process step in a daemon.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Service {}

#[zenkit::app]
impl Service {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[on_event("start")]
    fn start(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }
}

fn main() {}
