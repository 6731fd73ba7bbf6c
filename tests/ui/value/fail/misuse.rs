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

fn main() {}
