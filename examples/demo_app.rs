//! Temporary hand-written application used until the derive lands.
use zenkit::prelude::*;

#[derive(Default)]
struct Demo;

impl App for Demo {
    fn info() -> zenkit::AppInfo {
        zenkit::AppInfo::new(env!("CARGO_PKG_VERSION"))
    }
}
impl Hooks for Demo {}

fn main() {
    let _ = Demo::info();
}
