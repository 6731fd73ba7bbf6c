//! zenkit's demonstration script, after pyzenkit's `DemoZenScript`.
//!
//! Two commands, `default` and `alternative`, count their runs in the
//! persistent state and return a small result object that lands in the
//! runlog. All files live under `tmp/` of `APP_ROOT_PATH` (the current
//! directory when unset):
//!
//! ```text
//! cargo run --example demo_script -- alternative -v --runlog-dump
//! ```

use serde::Serialize;
use zenkit::prelude::*;

/// DemoScript - demonstration script of zenkit.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "default")]
#[zen(paths(
    cfg = "tmp",
    var = "tmp",
    log = "tmp",
    run = "tmp",
    tmp = "tmp",
    bin = "tmp"
))]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct DemoScript {
    /// Number of runs so far.
    #[zen(pstate)]
    counter: u64,
}

/// What a command returns; written to the runlog under the command's name.
#[derive(Serialize)]
struct Outcome {
    result: &'static str,
    data: u32,
}

impl DemoScript {
    fn greet(&mut self, ctx: &mut Context, command: &str) {
        self.counter += 1;
        info!("Demonstration implementation of the '{command}' script command");
        info!(
            "Number of runs from the persistent state: '{}'",
            self.counter
        );
        ctx.print(0, format_args!("Hello world"));
        ctx.print(1, format_args!("Hello world, verbosity level 1"));
        ctx.print(2, format_args!("Hello world, verbosity level 2"));
        ctx.print(3, format_args!("Hello world, verbosity level 3"));
    }
}

#[zenkit::app]
impl DemoScript {
    /// Default script command.
    #[command(name = "default")]
    fn run_default(&mut self, ctx: &mut Context) -> zenkit::Result<Outcome> {
        self.greet(ctx, "default");
        info!("Try: --help, -v, --debug, --pstate-dump, --runlog-dump, alternative, --command alternative");
        if let Some(script) = ctx.script() {
            info!(
                "Current upper time boundary: '{}'",
                script.time_high.to_rfc3339()
            );
        }
        Ok(Outcome {
            result: "success",
            data: 5,
        })
    }

    /// Alternative script command.
    #[command]
    fn alternative(&mut self, ctx: &mut Context) -> zenkit::Result<Outcome> {
        self.greet(ctx, "alternative");
        Ok(Outcome {
            result: "success",
            data: 100,
        })
    }
}

fn main() -> std::process::ExitCode {
    zenkit::paths::default_root(".");
    zenkit::run::<DemoScript>()
}
