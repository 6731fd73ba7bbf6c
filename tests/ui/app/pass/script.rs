//! Scripts: commands with and without a name, the default command given or
//! taken from the first command, the result types a command may have, and
//! the generated dispatch on scripts brought up in embedded mode.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use zenkit::prelude::*;
use zenkit::script::CommandArgs;
use zenkit::{AppKind, CommandInfo, Embedded};

#[derive(Serialize)]
struct Report {
    counted: u32,
    label: String,
}

#[derive(Debug)]
struct Refused;

impl From<Refused> for Error {
    fn from(_: Refused) -> Self {
        Error::msg("refused").with_code(3)
    }
}

/// Counts up a total kept between runs.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "count-up")]
struct Counter {
    /// Added by each count.
    #[zen(cli, default = 2)]
    step: u32,
    #[zen(pstate)]
    total: u32,
    calls: Vec<&'static str>,
}

#[zenkit::app]
impl Counter {
    #[setup]
    fn prepare(&mut self, _ctx: &mut Context) -> Result<()> {
        self.calls.push("setup");
        Ok(())
    }

    /// Forget the total.
    ///
    /// Not part of the one-line help.
    #[command]
    fn reset(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        self.total = 0;
        Ok(())
    }

    /// Add the step to the total.
    #[command]
    fn count_up(&mut self, _ctx: &mut Context) -> Result<u32> {
        self.total += self.step;
        Ok(self.total)
    }

    /// Describe the total.
    #[command(name = "report")]
    fn make_report(&mut self, _ctx: &mut Context) -> std::result::Result<Report, Refused> {
        Ok(Report {
            counted: self.total,
            label: format!("{} so far", self.total),
        })
    }

    #[command]
    fn refuse(&mut self, _ctx: &mut Context) -> std::result::Result<u32, Refused> {
        Err(Refused)
    }

    /// Tally by pairs, which JSON cannot key.
    #[command]
    fn pairs(&mut self, _ctx: &mut Context) -> Result<BTreeMap<(u8, u8), u8>> {
        Ok(BTreeMap::from([((1, 2), 3)]))
    }

    /// Print the total.
    #[action]
    fn show_total(&mut self, ctx: &mut Context) -> Result<()> {
        self.calls.push("show-total");
        ctx.print(0, format_args!("{}", self.total));
        Ok(())
    }
}

/// A script whose default is its first command.
#[derive(ZenApp, Default)]
#[zen(script)]
struct Single {}

#[zenkit::app]
impl Single {
    /// Do the one thing.
    #[command]
    fn only(&mut self, _ctx: &mut Context) -> Result<&'static str> {
        Ok("done")
    }
}

fn main() {
    assert_eq!(Counter::KIND, AppKind::Script);
    assert_eq!(Counter::info().default_command, Some("count-up"));
    let info = CommandInfo::new;
    assert_eq!(
        Counter::COMMANDS,
        [
            info("reset", "Forget the total"),
            info("count-up", "Add the step to the total"),
            info("report", "Describe the total"),
            info("refuse", ""),
            info("pairs", "Tally by pairs, which JSON cannot key"),
        ]
    );
    assert_eq!(Counter::actions().len(), 1, "actions stay beside commands");
    assert_eq!(Single::KIND, AppKind::Script);
    assert_eq!(Single::info().default_command, None);
    assert_eq!(Single::COMMANDS, [info("only", "Do the one thing")]);

    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let args = [
        "counter",
        "--config-file-silent",
        "--config-dir-silent",
        "--quiet",
        "--shell",
        "--step",
        "5",
    ];
    let Embedded { mut app, mut ctx, .. } = zenkit::embed::<Counter, _, _>(args).unwrap();
    assert_eq!(app.calls, ["setup"]);
    let none = CommandArgs::default();
    let mut run = |name: &str| app.execute_command(name, &none, &mut ctx);
    assert_eq!(run("count-up").unwrap().unwrap(), json!(5));
    assert_eq!(run("count-up").unwrap().unwrap(), json!(10));
    assert_eq!(
        run("report").unwrap().unwrap(),
        json!({"counted": 10, "label": "10 so far"})
    );
    assert_eq!(run("reset").unwrap().unwrap(), Value::Null);
    assert!(
        run("make-report").is_none(),
        "the method name is not the command name"
    );
    assert!(run("show-total").is_none(), "actions are not commands");
    let err = run("refuse").unwrap().unwrap_err();
    assert_eq!((err.message(), err.exit_code()), ("refused", 3));
    let err = run("pairs").unwrap().unwrap_err();
    assert!(
        err.message()
            .starts_with("the result of command `pairs` cannot be stored as JSON:"),
        "{err}"
    );
    assert_eq!(app.total, 0);

    let Embedded { mut app, mut ctx, .. } = zenkit::embed::<Single, _, _>([
        "single",
        "--config-file-silent",
        "--config-dir-silent",
        "--shell",
    ])
    .unwrap();
    assert_eq!(
        app.execute_command("only", &CommandArgs::default(), &mut ctx)
            .unwrap()
            .unwrap(),
        json!("done")
    );
}
