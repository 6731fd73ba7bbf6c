use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Tool {
    #[setup]
    fn prepare(&self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[process]
    fn process(&mut self) -> Result<()> {
        Ok(())
    }

    #[teardown]
    fn finish(&mut self, _ctx: &mut Context) {}

    #[action]
    fn show(&mut self, _ctx: &mut Context, _extra: u32) -> Result<()> {
        Ok(())
    }

    #[action]
    fn consume(self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action]
    fn by_value(&mut self, _ctx: Context) -> Result<()> {
        Ok(())
    }

    #[action]
    fn typed(self: &mut Self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action]
    async fn later(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action]
    unsafe fn release(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
