use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Tool {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<u32> {
        Ok(1)
    }

    #[action]
    fn format(&mut self, _ctx: &mut Context) -> std::result::Result<(), std::fmt::Error> {
        Ok(())
    }

    #[action]
    fn wrong_context(&mut self, _ctx: &mut String) -> Result<()> {
        Ok(())
    }
}

fn main() {}
