use zenkit::prelude::*;

/// Not parsed from text.
struct Snapshot;

#[derive(ZenApp, Default)]
#[zen(script)]
struct Job {}

#[zenkit::app]
impl Job {
    #[command]
    fn restore(
        &mut self,
        _ctx: &mut Context,
        #[arg] snapshot: Snapshot,
    ) -> Result<()> {
        let _ = snapshot;
        Ok(())
    }
}

fn main() {}
