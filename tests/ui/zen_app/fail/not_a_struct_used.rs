use zenkit::prelude::*;

/// An enum or a tuple struct is refused once; its impl block and its use
/// as an application add no error.
#[derive(ZenApp, Default)]
enum Mode {
    #[default]
    Fast,
}

#[zenkit::app]
impl Mode {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

#[derive(ZenApp, Default)]
struct Pair(u32, u32);

impl Hooks for Pair {}

fn main() -> std::process::ExitCode {
    let _ = zenkit::run::<Pair>();
    zenkit::run::<Mode>()
}
