//! `?` on standard errors inside hooks, and hooks that return boxed
//! standard errors: the source of each error stays reachable.

use std::error::Error as StdError;
use std::num::ParseIntError;

use zenkit::prelude::*;
use zenkit::{Embedded, ErrorKind};

type BoxError = Box<dyn StdError + Send + Sync>;

/// Parses a number.
#[derive(ZenApp, Default)]
struct Parser {
    /// The text to parse.
    #[zen(cli, default = "x")]
    text: String,
    parsed: u32,
}

#[zenkit::app]
impl Parser {
    #[setup]
    fn prepare(&mut self, _ctx: &mut Context) -> std::result::Result<(), BoxError> {
        // inside a hook returning a box, `?` boxes any standard error
        let base: u32 = "40".parse()?;
        let checked: std::result::Result<u32, BoxError> = Ok(base + 2);
        self.parsed = checked?;
        Ok(())
    }

    #[process]
    fn process(&mut self, _ctx: &mut Context) -> Result<()> {
        self.parsed = self.text.parse::<u32>()?;
        Ok(())
    }

    #[teardown]
    fn finish(&mut self, _ctx: &mut Context) -> std::result::Result<(), BoxError> {
        Err(Box::new(std::io::Error::other("disk gone")))
    }

    /// `?` on a boxed error in a hook returning `zenkit::Result`.
    #[action]
    fn boxed(&mut self, _ctx: &mut Context) -> Result<()> {
        let failed: std::result::Result<(), BoxError> = Err("no luck".into());
        failed?;
        Ok(())
    }

    /// A zenkit error boxed and returned keeps its kind and exit code.
    #[action]
    fn boxed_zenkit(&mut self, _ctx: &mut Context) -> std::result::Result<(), BoxError> {
        Err(Error::config("kept").with_code(5).into_boxed())
    }
}

fn main() {
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let args = ["parser", "--config-file-silent", "--config-dir-silent", "--quiet"];
    let Embedded { mut app, mut ctx, .. } = zenkit::embed::<Parser, _, _>(args).unwrap();
    assert_eq!(app.parsed, 42, "the setup hook ran");

    let err = Hooks::process(&mut app, &mut ctx).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
    assert_eq!(err.exit_code(), 1);
    assert_eq!(err.message(), "invalid digit found in string");
    assert!(err.downcast_ref::<ParseIntError>().is_some());
    assert_eq!(err.chain().count(), 1);

    let err = Hooks::teardown(&mut app, &mut ctx).unwrap_err();
    assert_eq!(err.message(), "disk gone");
    assert!(err.downcast_ref::<std::io::Error>().is_some());

    let err = app.run_action("boxed", &mut ctx).unwrap().unwrap_err();
    assert_eq!((err.kind(), err.message()), (ErrorKind::Runtime, "no luck"));

    let err = app.run_action("boxed-zenkit", &mut ctx).unwrap().unwrap_err();
    assert_eq!(err, Error::config("kept").with_code(5));
    assert_eq!(err.exit_code(), 5);

    // the whole life-cycle registers the errors: exit 1, runlog `errors`
    let embedded = zenkit::embed::<Parser, _, _>(args).unwrap();
    assert_eq!(embedded.run(), 1);
    let runlogs: Vec<_> = std::fs::read_dir(root.path().join("var/run/parser"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runlogs.len(), 1, "{runlogs:?}");
    let runlog: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&runlogs[0]).unwrap()).unwrap();
    assert_eq!(runlog["result"], "failure");
    assert_eq!(
        runlog["errors"],
        serde_json::json!(["invalid digit found in string", "disk gone"])
    );
}
