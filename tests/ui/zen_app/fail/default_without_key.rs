use zenkit::prelude::*;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(default = 3)]
    retries: u32,
}

impl Hooks for Tool {}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
