use zenkit::prelude::*;

#[derive(Default)]
struct Part {}

#[component]
impl Part {}

#[derive(ZenApp, Default)]
#[zen(script, daemon, defaults(stats_interval = 60))]
struct Both {}

impl Hooks for Both {}

#[derive(ZenApp, Default)]
#[zen(defaults(no_daemon = true))]
struct Plain {
    #[zen(component)]
    part: Part,
}

impl Hooks for Plain {}

#[derive(ZenApp, Default)]
#[zen(daemon = true)]
struct Flagged {}

impl Hooks for Flagged {}

#[derive(ZenApp, Default)]
#[zen(
    daemon,
    defaults(stats_interval = 0, stop_timeout = 0.5, runlog_interval = "1h")
)]
struct Service {
    #[zen(cli)]
    state_file: String,
    #[zen(cli(long = "no-daemon"))]
    foreground: bool,
    #[zen(component, cli, pstate)]
    part: Part,
    #[zen(component, default = Part {})]
    other: Part,
}

impl Hooks for Service {}

fn main() {}
