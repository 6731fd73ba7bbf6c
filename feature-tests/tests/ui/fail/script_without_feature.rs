use zenkit::prelude::*;

/// A script, in a program built without zenkit's `script` feature.
#[derive(ZenApp, Default)]
#[zen(script)]
struct Report {}

#[zenkit::app]
impl Report {
    /// Prints the report.
    #[command]
    fn print(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        Ok(())
    }
}

fn main() {}
