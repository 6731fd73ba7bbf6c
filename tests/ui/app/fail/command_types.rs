use zenkit::prelude::*;

struct Opaque;

/// Neither a standard error nor convertible into `zenkit::Error`.
struct Refusal;

#[derive(ZenApp, Default)]
#[zen(script)]
struct Job {}

#[zenkit::app]
impl Job {
    #[command]
    fn opaque(&mut self, _ctx: &mut Context) -> Result<Opaque> {
        Ok(Opaque)
    }

    #[command]
    fn plain(&mut self, _ctx: &mut Context) -> u32 {
        1
    }

    #[command]
    fn refuse(&mut self, _ctx: &mut Context) -> std::result::Result<u32, Refusal> {
        Ok(1)
    }

    #[command]
    fn wrong_context(&mut self, _ctx: &mut String) -> Result<u32> {
        Ok(1)
    }
}

fn main() {}
