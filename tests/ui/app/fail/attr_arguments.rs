use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app(script)]
impl Tool {
    #[process(fast)]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action(nam = "x")]
    fn first(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action = "second"]
    fn second(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[action]
    const LIMIT: u32 = 3;
}

fn main() {}
