use zenkit::prelude::*;

/// Not an impl block.
#[component]
#[derive(Default)]
struct Poller {}

#[component]
fn poll() {}

#[component]
impl Component for Poller {}

#[derive(Default)]
struct Reader<'a> {
    text: &'a str,
}

#[component]
impl<'a> Reader<'a> {
    #[state]
    fn state(&self) -> &'a str {
        self.text
    }
}

#[derive(Default)]
struct Worker {}

#[component(fast)]
impl Worker {
    #[process]
    fn work(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action]
    fn show(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[state]
    fn state(&self) -> u32 {
        1
    }

    #[state]
    fn other_state(&self) -> u32 {
        2
    }
}

#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Service {}

#[zenkit::app]
impl Service {
    #[reload]
    fn reload(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[state]
    fn state(&self) -> u32 {
        1
    }
}

fn main() {}
