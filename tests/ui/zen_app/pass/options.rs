//! Every container and field key of `#[derive(ZenApp)]`, checked through
//! what the generated `App` impl returns and through a real command line,
//! configuration and state round trip.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Map, Value};
use zenkit::config::Config;
use zenkit::prelude::*;
use zenkit::AppKind;

/// Greets people and remembers how often it did.
///
/// Meant to run from cron.
#[derive(ZenApp, Default)]
#[zen(
    name = "greeter",
    paths(log = "logs", run = "state"),
    defaults(config_file_silent = true, log_level = "debug", limit = 5)
)]
struct Greeter {
    /// Whom to greet.
    #[zen(cli, default = "world")]
    who: String,
    /// How many times.
    ///
    /// At least once.
    #[zen(cli(short = 'n'), default = 2)]
    times: u32,
    /// Shout the greeting.
    #[zen(cli(long = "loud"))]
    shout: bool,
    /// Extra lines.
    #[zen(cli(short = 't', long = "tag"), default = vec!["hi".to_string()])]
    tags: Vec<String>,
    /// Where to write.
    #[zen(cli)]
    out_file: Option<PathBuf>,
    #[zen(cli, default = "3")]
    retries: Option<u8>,
    /// Greeting templates by language.
    #[zen(config)]
    templates: BTreeMap<String, String>,
    #[zen(config, default = true)]
    polite: bool,
    #[zen(config, default = "0.5")]
    ratio: f64,
    /// A literal on an `Option` field is its value when not given.
    #[zen(config, default = 30)]
    cap: Option<u16>,
    #[zen(config, default = -2)]
    offset: i32,
    #[zen(config, default = 'x')]
    marker: char,
    /// Greetings made over all runs.
    #[zen(pstate)]
    total: u64,
    #[zen(pstate)]
    last: Option<String>,
    scratch: Vec<u8>,
}

impl Hooks for Greeter {}

fn main() {
    let info = Greeter::info();
    assert_eq!(info.name, Some("greeter"));
    assert_eq!(info.about, "Greets people and remembers how often it did");
    assert_eq!(
        info.long_about,
        "Greets people and remembers how often it did.\n\nMeant to run from cron."
    );
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(Greeter::KIND, AppKind::Base);
    assert_eq!(info.default_command, None);
    assert_eq!(
        (info.paths.log, info.paths.run, info.paths.cfg),
        (Some("logs"), Some("state"), None)
    );

    let options = Greeter::options();
    let row = |id: &str| {
        let arg = options
            .iter()
            .find(|a| a.get_id() == id)
            .unwrap_or_else(|| panic!("no option {id}"));
        (
            arg.get_long().map(str::to_string),
            arg.get_short(),
            arg.get_help().map(|h| h.to_string()),
            arg.get_long_help().map(|h| h.to_string()),
            arg.get_value_names()
                .map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
            format!("{:?}", arg.get_action()),
        )
    };
    let ids: Vec<&str> = options.iter().map(|a| a.get_id().as_str()).collect();
    assert_eq!(
        ids,
        ["who", "times", "shout", "tags", "out_file", "retries"]
    );
    let s = |x: &str| Some(x.to_string());
    let names = |x: &str| Some(vec![x.to_string()]);
    assert_eq!(
        row("who"),
        (
            s("who"),
            None,
            s("Whom to greet"),
            None,
            names("WHO"),
            "Set".into()
        )
    );
    assert_eq!(
        row("times"),
        (
            s("times"),
            Some('n'),
            s("How many times"),
            s("How many times.\n\nAt least once."),
            names("TIMES"),
            "Set".into()
        )
    );
    assert_eq!(
        row("shout"),
        (
            s("loud"),
            None,
            s("Shout the greeting"),
            None,
            None,
            "SetTrue".into()
        )
    );
    assert_eq!(
        row("tags"),
        (
            s("tag"),
            Some('t'),
            s("Extra lines"),
            None,
            names("TAGS"),
            "Append".into()
        )
    );
    assert_eq!(row("out_file").0, s("out-file"));
    assert_eq!(row("retries").2, None);

    let defaults = Greeter::defaults().unwrap();
    assert_eq!(
        Value::Object(defaults.clone()),
        json!({
            "config_file_silent": true, "log_level": "debug", "limit": 5,
            "who": "world", "times": 2, "shout": false, "tags": ["hi"], "out_file": null,
            "retries": 3, "templates": {}, "polite": true, "ratio": 0.5,
            "cap": 30, "offset": -2, "marker": "x",
        })
    );

    let cmd = zenkit::cli::command(&info, Greeter::KIND, "greeter", options, vec![], &[], &[]);
    let parse = |args: &[&str]| {
        cmd.clone()
            .try_get_matches_from(args)
            .map(|m| zenkit::cli::cli_layer(&cmd, &m).expect("readable values"))
    };
    let cli = parse(&[
        "greeter",
        "--who",
        "Bob",
        "-n",
        "3",
        "--loud",
        "-t",
        "a",
        "--tag",
        "b",
        "--out-file",
        "/tmp/x",
    ])
    .unwrap();
    assert_eq!(
        Value::Object(cli.clone()),
        json!({"who": "Bob", "times": 3, "shout": true, "tags": ["a", "b"], "out_file": "/tmp/x"})
    );
    assert!(
        parse(&["greeter", "-n", "many"]).is_err(),
        "a u32 option rejects text"
    );
    assert!(
        parse(&["greeter", "--loud=yes"]).is_err(),
        "a flag takes no value"
    );
    assert!(
        parse(&["greeter"]).unwrap().is_empty(),
        "absent options stay unset"
    );

    let config = Config::load(defaults, cli).unwrap();
    let mut app = Greeter::default();
    app.bind(&config).unwrap();
    assert_eq!((app.who.as_str(), app.times, app.shout), ("Bob", 3, true));
    assert_eq!(app.tags, ["a", "b"]);
    assert_eq!(app.out_file, Some(PathBuf::from("/tmp/x")));
    assert_eq!((app.retries, app.polite, app.ratio), (Some(3), true, 0.5));
    assert!(app.templates.is_empty());
    assert!(app.scratch.is_empty());

    let mut stored = Map::new();
    stored.insert("total".into(), json!(7));
    stored.insert("other".into(), json!("kept"));
    app.last = Some("before".into());
    app.load_state(&stored).unwrap();
    assert_eq!(
        (app.total, app.last.as_deref()),
        (7, Some("before")),
        "absent keys leave fields alone"
    );
    app.last = None;
    app.save_state(&mut stored).unwrap();
    assert_eq!(
        Value::Object(stored.clone()),
        json!({"total": 7, "last": null, "other": "kept"})
    );
    stored.insert("total".into(), json!("seven"));
    let err = app.load_state(&stored).unwrap_err();
    assert!(err.message().contains("`total`"), "{err}");
}
