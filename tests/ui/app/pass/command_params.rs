//! A script command's own arguments and options: `#[arg]` and `#[opt]`
//! parameters of each shape, their rows in `COMMANDS`, and the values the
//! generated dispatch reads from the command's arguments.

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use zenkit::prelude::*;
use zenkit::script::CommandArgs;
use zenkit::{Embedded, ParamPlace, ParamShape};

#[derive(ZenApp, Default, Debug)]
#[zen(script)]
struct Restorer {}

#[zenkit::app]
impl Restorer {
    /// Unpacks an archive.
    #[command]
    fn restore(
        &mut self,
        _ctx: &mut Context,
        #[arg(help = "Archive to unpack")] archive: String,
        #[arg] level: Option<u8>,
        #[arg] mut rest: Vec<PathBuf>,
        #[opt(short = 'n', help = "Change nothing")] dry_run: bool,
        #[opt(long = "into-dir")] into: Option<PathBuf>,
        #[opt] r#type: Vec<String>,
    ) -> zenkit::Result<Value> {
        rest.sort();
        Ok(json!({
            "archive": archive, "level": level, "rest": rest, "dry_run": dry_run,
            "into": into, "type": r#type,
        }))
    }

    #[command]
    fn plain(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        Ok(())
    }
}

fn args(value: Value) -> CommandArgs {
    let Value::Object(map) = value else {
        unreachable!()
    };
    CommandArgs::from_json(map)
}

fn main() {
    let restore = &Restorer::COMMANDS[0];
    assert_eq!((restore.name, restore.help), ("restore", "Unpacks an archive"));
    let rows: Vec<_> = restore
        .params
        .iter()
        .map(|p| (p.name, p.place, p.shape, p.long, p.short, p.help))
        .collect();
    assert_eq!(
        rows,
        [
            ("archive", ParamPlace::Positional, ParamShape::One, "archive", None, "Archive to unpack"),
            ("level", ParamPlace::Positional, ParamShape::Optional, "level", None, ""),
            ("rest", ParamPlace::Positional, ParamShape::Many, "rest", None, ""),
            ("dry_run", ParamPlace::Option, ParamShape::Flag, "dry-run", Some('n'), "Change nothing"),
            ("into", ParamPlace::Option, ParamShape::Optional, "into-dir", None, ""),
            ("type", ParamPlace::Option, ParamShape::Many, "type", None, ""),
        ]
    );
    // each value is checked with its type's `FromStr`
    assert!((restore.params[0].check)("anything").is_ok());
    assert!((restore.params[1].check)("7").is_ok());
    assert!((restore.params[1].check)("300").is_err());
    assert!(Restorer::COMMANDS[1].params.is_empty());

    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let base = [
        "restorer",
        "--config-file-silent",
        "--config-dir-silent",
        "--shell",
    ];
    // the default command needs its archive, which only its command line gives
    let err = zenkit::embed::<Restorer, _, _>(base).unwrap_err();
    assert_eq!(err.exit_code(), 64);
    assert!(err.message().starts_with("command 'restore' needs ARCHIVE"), "{err}");
    // nor is it a fault of the configuration
    let check = base.iter().copied().chain(["--action", "config-check"]);
    let err = zenkit::embed::<Restorer, _, _>(check).unwrap_err();
    assert_eq!(err.exit_code(), 0, "{err}");
    let named = base.iter().copied().chain(["restore", "a.tar", "--into-dir", "x"]);
    assert!(zenkit::embed::<Restorer, _, _>(named).is_ok());
    let plain = base.iter().copied().chain(["--command", "plain"]);
    let Embedded { mut app, mut ctx, .. } = zenkit::embed::<Restorer, _, _>(plain).unwrap();
    let given = args(json!({
        "archive": "a.tar", "level": "3", "rest": ["y", "x"], "dry_run": true,
        "type": ["t1", "t2"],
    }));
    assert_eq!(
        app.execute_command("restore", &given, &mut ctx).unwrap().unwrap(),
        json!({
            "archive": "a.tar", "level": 3, "rest": ["x", "y"], "dry_run": true,
            "into": null, "type": ["t1", "t2"],
        })
    );
    let minimal = args(json!({"archive": "a.tar"}));
    assert_eq!(
        app.execute_command("restore", &minimal, &mut ctx).unwrap().unwrap()["dry_run"],
        json!(false)
    );
    // a value its type refuses is a usage error of the command
    let bad = args(json!({"archive": "a.tar", "level": "high"}));
    let err = app.execute_command("restore", &bad, &mut ctx).unwrap().unwrap_err();
    assert_eq!(err.exit_code(), 64);
    assert!(err.message().contains("invalid value 'high' for 'level'"), "{err}");
    let none = CommandArgs::from_json(Map::new());
    assert_eq!(
        app.execute_command("plain", &none, &mut ctx).unwrap().unwrap(),
        Value::Null
    );
}
