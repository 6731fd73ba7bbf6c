use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(script)]
struct Job {}

#[zenkit::app]
impl Job {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[command]
    fn run(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[command(name = "run")]
    fn run_again(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[command]
    fn _hidden(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[command(name = "two words")]
    fn spaced(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[command(nam = "x")]
    fn misspelled(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[command = "assigned"]
    fn assigned(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    /// An action may share a command's name.
    #[action(name = "run")]
    fn run_action(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() {}
