use zenkit::prelude::*;

/// Neither a standard error nor convertible into `zenkit::Error`.
struct Refusal;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Tool {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<u32> {
        Ok(1)
    }

    #[action]
    fn refuse(&mut self, _ctx: &mut Context) -> std::result::Result<(), Refusal> {
        Ok(())
    }

    #[action]
    fn wrong_context(&mut self, _ctx: &mut String) -> Result<()> {
        Ok(())
    }
}

fn main() {}
