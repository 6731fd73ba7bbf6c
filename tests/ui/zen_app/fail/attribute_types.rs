use zenkit::prelude::*;

/// Not `std::time::Duration`.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Duration(u64);

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli, range = 1..=9)]
    label: String,
    #[zen(cli)]
    wait: Duration,
}

impl Hooks for Tool {}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tool>()
}
