use zenkit::prelude::*;

/// A default command that names no command.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "go-on")]
struct Misnamed {}

#[zenkit::app]
impl Misnamed {
    #[command]
    fn go(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

/// A script without commands: one error, not a second one for its default.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "go")]
struct Empty {}

#[zenkit::app]
impl Empty {
    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

/// A script without commands and without a default.
#[derive(ZenApp, Default)]
#[zen(script)]
struct Bare {}

#[zenkit::app]
impl Bare {}

/// Commands on an application that is not a script.
#[derive(ZenApp, Default)]
struct Plain {}

#[zenkit::app]
impl Plain {
    #[command]
    fn go(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    #[command]
    fn again(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() {}
