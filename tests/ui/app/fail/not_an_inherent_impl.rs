use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {}

#[zenkit::app]
impl Hooks for Tool {}

#[derive(Default)]
struct Wrapper<T>(T);

#[zenkit::app]
impl<T> Wrapper<T> {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

#[zenkit::app]
fn helper() {}

fn main() {}
