//! A component's own keys get command-line options, under a heading of the
//! component's own in `--help`; a clash with another owner's option is an
//! error naming both.

use serde::{Deserialize, Serialize};
use zenkit::cli::value_parser;
use zenkit::daemon::Component;
use zenkit::prelude::*;

#[derive(Serialize, Deserialize)]
#[serde(default)]
struct ClockKeys {
    tick_every: f64,
}

impl Default for ClockKeys {
    fn default() -> ClockKeys {
        ClockKeys { tick_every: 2.5 }
    }
}

/// A component written by hand, with an option for its key.
#[derive(Default, Debug)]
struct Clock {
    every: f64,
}

impl Component for Clock {
    type Config = ClockKeys;

    fn options() -> Vec<zenkit::clap::Arg> {
        vec![zenkit::clap::Arg::new("tick_every")
            .long("tick-every")
            .value_name("SECONDS")
            .help("Seconds between ticks")
            .value_parser(value_parser::<f64>())]
    }

    fn configure(&mut self, config: ClockKeys) -> zenkit::Result<()> {
        self.every = config.tick_every;
        Ok(())
    }
}

#[derive(ZenApp, Default, Debug)]
#[zen(daemon, name = "clocked")]
struct Clocked {
    #[zen(component)]
    clock: Clock,
}

#[zenkit::app]
impl Clocked {}

/// The same component beside an application option of the same name.
#[derive(ZenApp, Default, Debug)]
#[zen(daemon, name = "clashing")]
struct Clashing {
    /// Not the clock's.
    #[zen(cli)]
    tick_every: u32,
    #[zen(component)]
    clock: Clock,
}

#[zenkit::app]
impl Clashing {}

#[test]
fn a_component_option_is_in_help_under_its_heading_and_sets_its_key() {
    let help = zenkit::embed::<Clocked, _, _>(["clocked", "--help"]).unwrap_err();
    let help = help.message();
    let heading = help.find("Component clock:").expect(help);
    assert!(help[heading..].contains("--tick-every <SECONDS>"), "{help}");

    let root = tempfile::tempdir().unwrap();
    let root_arg = root.path().display().to_string();
    std::env::set_var("APP_ROOT_PATH", &root_arg);
    let args = [
        "clocked",
        "--no-daemon",
        "--config-file-silent",
        "--config-dir-silent",
    ];
    let embedded = zenkit::embed::<Clocked, _, _>(args).unwrap();
    assert_eq!(embedded.ctx.config().value("tick_every"), Some(&json!(2.5)));
    // it holds the PID file until finished
    assert_eq!(embedded.finish(), 0);
    let given = [&args[..], &["--tick-every", "0.5"]].concat();
    let embedded = zenkit::embed::<Clocked, _, _>(given).unwrap();
    assert_eq!(embedded.ctx.config().value("tick_every"), Some(&json!(0.5)));
    assert_eq!(embedded.finish(), 0);
    let bad = [&args[..], &["--tick-every", "soon"]].concat();
    let err = zenkit::embed::<Clocked, _, _>(bad).unwrap_err();
    assert_eq!(err.exit_code(), 64, "{err}");
    assert!(err.message().contains("--tick-every"), "{err}");

    let err = zenkit::embed::<Clashing, _, _>(["clashing", "--no-daemon"]).unwrap_err();
    assert!(
        err.message()
            .contains("tick_every of component 'clock' clashes with the application's options"),
        "{err}"
    );
}
