//! Every hook marker, actions with and without a name, the return types a
//! hook may have, and the dispatch of the generated `Hooks` impl on an
//! application brought up in embedded mode.

use zenkit::prelude::*;
use zenkit::{ActionInfo, Embedded};

#[derive(Debug)]
struct Refused(&'static str);

impl From<Refused> for Error {
    fn from(refused: Refused) -> Self {
        Error::msg(refused.0).with_code(3)
    }
}

/// Adds a step to a total.
#[derive(ZenApp, Default)]
struct Counter {
    /// Added by each process step.
    #[zen(cli, default = 1)]
    step: u32,
    calls: Vec<&'static str>,
    total: u32,
}

#[zenkit::app]
impl Counter {
    #[setup]
    fn prepare(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        self.calls.push("setup");
        Ok(())
    }

    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        self.calls.push("process");
        self.total += self.step;
        Ok(())
    }

    #[teardown]
    fn finish(&mut self, _ctx: &mut Context) -> std::result::Result<(), Refused> {
        self.calls.push("teardown");
        Err(Refused("teardown refused"))
    }

    /// Print the total.
    ///
    /// Not part of the one-line help.
    #[action]
    fn show_total(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
        self.calls.push("show-total");
        ctx.print(0, format_args!("{}", self.total));
        Ok(())
    }

    /// Start again from zero.
    #[action(name = "reset")]
    fn reset_total(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        self.total = 0;
        Ok(())
    }

    #[action]
    fn r#break(&mut self, _ctx: &mut Context) -> std::result::Result<(), Refused> {
        Err(Refused("broken"))
    }

    fn helper(&self) -> u32 {
        self.total
    }
}

fn main() {
    assert_eq!(
        Counter::actions(),
        [
            ActionInfo {
                name: "show-total",
                help: "Print the total"
            },
            ActionInfo {
                name: "reset",
                help: "Start again from zero"
            },
            ActionInfo {
                name: "break",
                help: ""
            },
        ]
    );

    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let args = [
        "counter",
        "--config-file-silent",
        "--config-dir-silent",
        "--quiet",
        "--step",
        "5",
    ];
    let Embedded { mut app, mut ctx, .. } = zenkit::embed::<Counter, _, _>(args).unwrap();
    assert_eq!(app.calls, ["setup"], "embedded mode runs the setup hook");

    Hooks::process(&mut app, &mut ctx).unwrap();
    assert_eq!(app.total, 5);
    assert!(matches!(
        app.run_action("show-total", &mut ctx),
        Some(Ok(()))
    ));
    assert!(matches!(app.run_action("reset", &mut ctx), Some(Ok(()))));
    assert_eq!(app.helper(), 0);
    assert!(
        app.run_action("reset-total", &mut ctx).is_none(),
        "the method name is not the action name"
    );
    assert!(
        app.run_action("config-view", &mut ctx).is_none(),
        "built-in actions are the runtime's"
    );
    let err = app.run_action("break", &mut ctx).unwrap().unwrap_err();
    assert_eq!((err.message(), err.exit_code()), ("broken", 3));
    let err = Hooks::teardown(&mut app, &mut ctx).unwrap_err();
    assert_eq!(err.message(), "teardown refused");
    assert_eq!(app.calls, ["setup", "process", "show-total", "teardown"]);
}
