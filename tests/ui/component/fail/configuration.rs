use serde::{Deserialize, Serialize};
use zenkit::prelude::*;

#[derive(Serialize, Deserialize, Default)]
struct PollConfig {
    every: f64,
}

#[derive(Default)]
struct Unchecked;

#[component]
impl Unchecked {
    #[check]
    fn check(&self, config: &PollConfig) -> Result<()> {
        let _ = config;
        Ok(())
    }
}

#[derive(Default)]
struct Misshapen;

#[component]
impl Misshapen {
    #[configure]
    fn configure(&mut self) -> Result<()> {
        Ok(())
    }

    #[check]
    fn check(&mut self, config: &PollConfig) -> Result<()> {
        let _ = config;
        Ok(())
    }
}

#[derive(Default)]
struct Twice;

#[component]
impl Twice {
    #[configure]
    fn configure(&mut self, config: PollConfig, more: u32) -> Result<()> {
        let _ = (config, more);
        Ok(())
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Poller {
    #[zen(cli, default = 1.0)]
    every: f64,
}

#[zenkit::app]
impl Poller {
    #[configure]
    fn configure(&mut self, config: PollConfig) -> Result<()> {
        let _ = config;
        Ok(())
    }
}

fn main() {}

#[derive(Default)]
struct Early;

#[component]
impl Early {
    #[on_signal(SIGHUP, first)]
    fn before(&mut self, _d: &mut Daemon) -> Flow {
        Flow::next()
    }

    #[on_event("signal_hup", first)]
    fn before_too(&mut self, _d: &mut Daemon, args: Args) -> Flow {
        Flow::Continue(args)
    }
}
