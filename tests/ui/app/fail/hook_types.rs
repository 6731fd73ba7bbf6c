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
    fn boxed(&mut self, _ctx: &mut Context) -> std::result::Result<(), Box<dyn std::error::Error>> {
        Ok(())
    }

    #[action]
    fn question_mark(&mut self, _ctx: &mut Context) -> Result<()> {
        let refused: std::result::Result<(), Refusal> = Ok(());
        refused?;
        Ok(())
    }

    #[action]
    fn wrong_context(&mut self, _ctx: &mut String) -> Result<()> {
        Ok(())
    }
}

fn main() {}
