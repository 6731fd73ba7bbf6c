use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Tool {
    #[action]
    fn show(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action(name = "show")]
    fn show_again(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action]
    fn config_view(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action(name = "runlog-dump")]
    fn dump(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action(name = "two words")]
    fn spaced(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() {}
