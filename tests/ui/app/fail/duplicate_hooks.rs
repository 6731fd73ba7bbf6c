use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Tool {
    #[process]
    fn first(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[process]
    fn second(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[setup]
    #[teardown]
    fn both(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() {}
