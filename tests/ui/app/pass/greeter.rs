//! A whole base application run twice from `main`: options, built-in
//! default overrides, configuration binding, the process hook and the
//! persistent state working together.

use zenkit::prelude::*;

/// Greets people and remembers how often it did.
#[derive(ZenApp, Default)]
#[zen(defaults(
    config_file_silent = true,
    config_dir_silent = true,
    log_level = "error"
))]
struct Greeter {
    /// Whom to greet.
    #[zen(cli, default = "world")]
    who: String,
    /// How many times.
    #[zen(cli(short = 'n'), default = 1)]
    times: u32,
    /// Greetings made over all runs.
    #[zen(pstate)]
    total: u64,
}

#[zenkit::app]
impl Greeter {
    #[process]
    fn greet(&mut self, ctx: &mut Context) -> Result<()> {
        if self.who == "nobody" {
            return Err(Error::msg("there is nobody to greet"));
        }
        for _ in 0..self.times {
            ctx.print(1, format_args!("Hello, {}!", self.who));
        }
        self.total += u64::from(self.times);
        Ok(())
    }
}

fn main() {
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let run = |args: &[&str]| {
        let code = zenkit::run_from::<Greeter, _, _>(
            std::iter::once("greeter").chain(args.iter().copied()),
        );
        format!("{code:?}")
    };
    let success = format!("{:?}", std::process::ExitCode::SUCCESS);
    let failure = format!("{:?}", std::process::ExitCode::FAILURE);
    let total = || {
        let text = std::fs::read_to_string(root.path().join("var/run/greeter.pstate")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["total"].clone()
    };

    assert_eq!(run(&["-n", "2"]), success);
    assert_eq!(total(), 2);
    assert_eq!(run(&["--who", "Bob", "--times", "3"]), success);
    assert_eq!(total(), 5);
    assert_eq!(run(&["--who", "nobody"]), failure);
    assert_eq!(
        total(),
        5,
        "a failed process step adds nothing, the state is still saved"
    );
}
