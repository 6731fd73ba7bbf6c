#[derive(zenkit::Value)]
struct NotAnEnum {
    level: u8,
}

#[derive(zenkit::Value)]
enum WithData {
    Plain,
    Sized(u32),
    Named { x: u8 },
}

#[derive(zenkit::Value)]
enum SameName {
    FastMode,
    #[zen(name = "fast-mode")]
    Quick,
}

#[derive(zenkit::Value)]
enum UnknownKey {
    #[zen(rename = "x")]
    One,
    #[zen(name = "")]
    Two,
}

#[derive(zenkit::Value)]
#[zen(rename_all = "lowercase")]
enum OnTheEnum {
    One,
}

#[derive(zenkit::Value)]
enum Empty {}

/// A mistake in the enum is reported once, not again where it is used.
#[derive(zenkit::ZenApp, Default)]
struct Tool {
    #[zen(cli)]
    mode: Option<SameName>,
    #[zen(config)]
    data: Vec<WithData>,
}

impl zenkit::Hooks for Tool {}

fn main() {
    let _ = "fast-mode".parse::<SameName>();
}
