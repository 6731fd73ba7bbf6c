//! The field attributes `env`, `rename`, `hide`, `value_name` and `range`,
//! durations, `Option<Vec<T>>` and a flag that is on by default, checked
//! through what the generated `App` impl returns and a real configuration.

use std::time::Duration;

use serde_json::{json, Map, Value};
use zenkit::config::{Config, EnvValue};
use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct Tool {
    /// Parallel jobs.
    #[zen(cli(short = 'j'), rename = "max_jobs", env = "TOOL_JOBS", range = 1..=100, default = 4)]
    jobs: u32,
    #[zen(cli, range = 1..100)]
    below: Option<u8>,
    #[zen(cli, range = ..=9)]
    digits: Vec<u8>,
    #[zen(config, range = 0.5..=2.0, default = 1.0)]
    factor: f64,
    #[zen(cli, range = -10..=10, default = -3)]
    offset: i32,
    #[zen(cli, range = -1..=1, default = 0.5)]
    tilt: f32,
    /// How long to wait.
    #[zen(cli, env = "TOOL_TIMEOUT", default = "1m 30s", value_name = "DURATION")]
    timeout: Duration,
    #[zen(cli)]
    pauses: Vec<std::time::Duration>,
    #[zen(cli)]
    pause: Option<Duration>,
    #[zen(config, default = "2h")]
    keep: Duration,
    #[zen(config)]
    lapses: Option<Vec<Duration>>,
    #[zen(config, default = Duration::from_millis(1500))]
    grace: Duration,
    #[zen(cli(long = "tag"), hide)]
    tags: Option<Vec<String>>,
    /// Colours.
    #[zen(cli, default = true)]
    colour: bool,
    #[zen(cli, env = "TOOL_DRY")]
    dry_run: bool,
    #[zen(config, env = "TOOL_LIMITS")]
    limits: Map<String, Value>,
}

impl Hooks for Tool {}

fn main() {
    let options = Tool::options();
    let arg = |id: &str| {
        options
            .iter()
            .find(|a| a.get_id() == id)
            .unwrap_or_else(|| panic!("no option {id}"))
    };
    assert_eq!(arg("max_jobs").get_long(), Some("max-jobs"));
    assert_eq!(arg("max_jobs").get_short(), Some('j'));
    assert_eq!(
        arg("timeout").get_value_names().unwrap()[0].as_str(),
        "DURATION"
    );
    assert_eq!(
        arg("timeout").get_help().unwrap().to_string(),
        "How long to wait [env: TOOL_TIMEOUT]"
    );
    assert_eq!(
        arg("dry_run").get_help().unwrap().to_string(),
        "[env: TOOL_DRY]"
    );
    assert!(arg("tags").is_hide_set());
    assert!(!arg("timeout").is_hide_set());
    assert_eq!(arg("colour").get_long(), Some("no-colour"));
    assert_eq!(
        arg("colour").get_help().unwrap().to_string(),
        "Colours; on by default; this option turns it off"
    );
    assert_eq!(format!("{:?}", arg("colour").get_action()), "SetFalse");
    assert_eq!(arg("dry_run").get_long(), Some("dry-run"));

    let env: Vec<(&str, &str)> = Tool::environment().iter().map(|e| (e.key, e.var)).collect();
    assert_eq!(
        env,
        [
            ("max_jobs", "TOOL_JOBS"),
            ("timeout", "TOOL_TIMEOUT"),
            ("dry_run", "TOOL_DRY"),
            ("limits", "TOOL_LIMITS")
        ]
    );
    let read = |vars: &[(&str, &str)]| {
        zenkit::config::read_env(&Tool::environment(), |var| {
            vars.iter().find(|(v, _)| *v == var).map(|(_, t)| t.into())
        })
    };
    let values = read(&[
        ("TOOL_JOBS", "7"),
        ("TOOL_TIMEOUT", "5m"),
        ("TOOL_DRY", "yes"),
        ("TOOL_LIMITS", "{\"a\": 1}"),
    ])
    .unwrap();
    let got: Vec<(&str, &Value)> = values.iter().map(|v| (v.key.as_str(), &v.value)).collect();
    assert_eq!(
        got,
        [
            ("max_jobs", &json!(7)),
            ("timeout", &json!("5m")),
            ("dry_run", &json!(true)),
            ("limits", &json!({"a": 1}))
        ]
    );
    let err = read(&[("TOOL_DRY", "maybe")]).unwrap_err();
    assert!(err.message().starts_with("environment variable TOOL_DRY: configuration key 'dry_run': \"maybe\" is no flag value"), "{err}");

    let defaults = Tool::defaults().unwrap();
    assert_eq!(
        Value::Object(defaults.clone()),
        json!({
            "config_file_silent": true, "config_dir_silent": true,
            "max_jobs": 4, "below": null, "digits": [], "factor": 1.0, "offset": -3, "tilt": 0.5,
            "timeout": "1m 30s", "pauses": [], "pause": null, "keep": "2h", "lapses": null, "grace": "1s 500ms",
            "tags": null, "colour": true, "dry_run": false, "limits": {},
        })
    );

    let cmd = zenkit::cli::command(&Tool::info(), Tool::KIND, "tool", options, vec![], &[], &[]);
    let parse = |args: &[&str]| {
        let matches = cmd.clone().try_get_matches_from(args).unwrap();
        zenkit::cli::cli_layer(&cmd, &matches).unwrap()
    };
    let cli = parse(&[
        "tool", "--no-colour", "--pauses", "1s", "--pauses", "2", "--pause", "0.5", "--tag", "a",
        "--digits", "9",
    ]);
    assert_eq!(
        Value::Object(cli.clone()),
        json!({"colour": false, "pauses": ["1s", "2s"], "pause": "500ms", "tags": ["a"], "digits": [9]})
    );
    let config = Config::load_with_env(defaults.clone(), values, cli).unwrap();
    let mut tool = Tool::default();
    tool.bind(&config).unwrap();
    assert_eq!(tool.jobs, 7);
    assert_eq!(tool.timeout, Duration::from_secs(300));
    assert_eq!(tool.pauses, [Duration::from_secs(1), Duration::from_secs(2)]);
    assert_eq!(tool.pause, Some(Duration::from_millis(500)));
    assert_eq!(tool.keep, Duration::from_secs(7200));
    assert_eq!(tool.lapses, None);
    assert_eq!(tool.grace, Duration::from_millis(1500));
    assert_eq!(tool.tags, Some(vec!["a".to_string()]));
    assert!(!tool.colour && tool.dry_run);
    assert_eq!((tool.offset, tool.factor), (-3, 1.0));

    for (args, message) in [
        (&["tool", "-j", "101"][..], "'max_jobs': 101 is out of the range 1..=100"),
        (&["tool", "--below", "100"][..], "'below': 100 is out of the range 1..100"),
        (
            &["tool", "--digits", "1", "--digits", "10"][..],
            "'digits[1]': 10 is out of the range ..=9",
        ),
        (&["tool", "--offset=-11"][..], "'offset': -11 is out of the range -10..=10"),
        (&["tool", "--tilt=-1.5"][..], "'tilt': -1.5 is out of the range -1..=1"),
    ] {
        let config = Config::load(defaults.clone(), parse(args)).unwrap();
        let err = Tool::default().bind(&config).unwrap_err();
        assert_eq!(err.kind(), zenkit::ErrorKind::Usage);
        assert_eq!(err.message(), format!("command line: configuration key {message}"));
    }
    let mut out_of_range = defaults.clone();
    out_of_range.insert("factor".into(), json!(3));
    let env = vec![EnvValue {
        var: "TOOL_FACTOR".into(),
        key: "factor".into(),
        value: json!(0.1),
    }];
    let config = Config::load_with_env(out_of_range, env, Map::new()).unwrap();
    let err = Tool::default().bind(&config).unwrap_err();
    assert_eq!(
        err.message(),
        "environment variable TOOL_FACTOR: configuration key 'factor': 0.1 is out of the range 0.5..=2.0"
    );
}
