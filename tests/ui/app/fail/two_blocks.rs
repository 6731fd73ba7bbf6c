use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Tool {
    #[setup]
    fn setup(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

/// A second block of the same application: one error over both.
#[zenkit::app]
impl Tool {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
