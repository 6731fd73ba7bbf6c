use zenkit::prelude::*;

/// An option named after a field whose name starts with `_`: the advice
/// names the option the author can write, not `---internal`.
#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli)]
    _internal: bool,
    #[zen(cli(long = "internal"))]
    _renamed: bool,
}

impl Hooks for Tool {}

fn main() {}
