use std::net::IpAddr;

use zenkit::prelude::*;

/// How much a report shows.
#[derive(zenkit::Value, Debug, Clone, Copy, Default)]
enum Detail {
    #[default]
    Summary,
    FullReport,
    #[zen(name = "raw")]
    Everything,
}

/// A string default of an enum field names one of its values, checked at
/// compile time; other types parse it at start-up.
#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli, default = "full_report")]
    detail: Detail,
    #[zen(config, default = "everything")]
    stored: Option<Detail>,
    #[zen(cli, default = "summary")]
    shown: Detail,
    #[zen(config, default = "127.0.0.1")]
    listen: Option<IpAddr>,
}

impl Hooks for Tool {}

fn main() {}
