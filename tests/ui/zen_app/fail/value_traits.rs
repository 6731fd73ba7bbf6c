use zenkit::prelude::*;

#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Color {
    rgb: u32,
}

#[derive(Default)]
struct Handle;

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli)]
    color: Color,
    #[zen(cli)]
    background: Option<Color>,
    #[zen(config)]
    handle: Handle,
    #[zen(pstate)]
    cache: Handle,
}

impl Hooks for Tool {}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
