use zenkit::prelude::*;

/// An application whose impl block lacks `#[zenkit::app]`.
#[derive(ZenApp, Default)]
struct Tool {}

impl Tool {
    #[allow(dead_code)]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
