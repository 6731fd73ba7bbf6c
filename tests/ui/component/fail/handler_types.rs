use zenkit::prelude::*;

#[derive(Default)]
struct Tail {}

struct Opaque;

#[component]
impl Tail {
    #[on_event("poll")]
    fn fallible(&mut self, _d: &mut Daemon, _args: Args) -> Result<Flow> {
        Ok(Flow::next())
    }

    #[on_event("poll")]
    fn opaque(&mut self, _d: &mut Daemon, _args: Opaque) -> Flow {
        Flow::next()
    }

    #[setup]
    fn prepare(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[state]
    fn state(&self) -> Opaque {
        Opaque
    }
}

fn main() {}
