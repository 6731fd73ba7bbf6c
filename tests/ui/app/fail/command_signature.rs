use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(script)]
struct Job {}

#[zenkit::app]
impl Job {
    #[command]
    fn shared(&self, _ctx: &mut Context) -> Result<u32> {
        Ok(1)
    }

    #[command]
    fn bare(&mut self) -> Result<u32> {
        Ok(1)
    }

    #[command]
    fn nothing(&mut self, _ctx: &mut Context) {}

    #[command]
    fn extra(&mut self, _ctx: &mut Context, _n: u32) -> Result<u32> {
        Ok(1)
    }

    #[command]
    async fn later(&mut self, _ctx: &mut Context) -> Result<u32> {
        Ok(1)
    }

    #[command]
    fn generic<T: Default>(&mut self, _ctx: &mut Context) -> Result<u32> {
        Ok(1)
    }
}

fn main() {}
