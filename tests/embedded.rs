//! The runtime without the macros: an application implementing `App` and
//! `Hooks` by hand, brought up in embedded mode and finished by its host.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use zenkit::clap;
use zenkit::paths::PathOverrides;
use zenkit::prelude::*;
use zenkit::{ActionInfo, AppInfo};

static ROOT: OnceLock<&'static str> = OnceLock::new();

fn root() -> &'static str {
    ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        Box::leak(dir.display().to_string().into_boxed_str())
    })
}

#[derive(Debug, Default)]
struct Manual {
    greeting: String,
    runs: u64,
}

impl App for Manual {
    fn info() -> AppInfo {
        let mut info = AppInfo::new("0.0.1");
        info.name = Some("manual");
        let r = Some(root());
        info.paths = PathOverrides {
            cfg: r,
            var: r,
            log: r,
            run: r,
            tmp: r,
            bin: r,
        };
        info
    }

    fn options() -> Vec<clap::Arg> {
        // a hand-written option with clap's default string parser
        vec![clap::Arg::new("greeting").long("greeting")]
    }

    fn defaults() -> zenkit::Result<Map<String, Value>> {
        let mut map = Map::new();
        map.insert("greeting".into(), json!("hello"));
        map.insert("config_file_silent".into(), json!(true));
        map.insert("config_dir_silent".into(), json!(true));
        Ok(map)
    }

    fn bind(&mut self, config: &zenkit::config::Config) -> zenkit::Result<()> {
        self.greeting = config.get("greeting")?;
        Ok(())
    }

    fn load_state(&mut self, state: &Map<String, Value>) -> zenkit::Result<()> {
        self.runs = state.get("runs").and_then(Value::as_u64).unwrap_or(0);
        Ok(())
    }

    fn save_state(&self, state: &mut Map<String, Value>) -> zenkit::Result<()> {
        state.insert("runs".into(), json!(self.runs));
        Ok(())
    }
}

impl Hooks for Manual {
    fn actions() -> Vec<ActionInfo> {
        vec![ActionInfo {
            name: "count",
            help: "Count a run",
        }]
    }

    fn run_action(&mut self, name: &str, ctx: &mut Context) -> Option<zenkit::Result<()>> {
        (name == "count").then(|| {
            self.runs += 1;
            ctx.pstate().insert("greeted".into(), json!(self.greeting));
            Ok(())
        })
    }
}

#[test]
fn a_hand_written_app_is_embedded_driven_and_finished_by_its_host() {
    let mut embedded =
        zenkit::embed::<Manual, _, _>(["manual", "--greeting", "ahoy", "--quiet"]).unwrap();
    assert_eq!(embedded.app.greeting, "ahoy");
    assert_eq!(
        embedded.ctx.config().value("greeting"),
        Some(&json!("ahoy"))
    );
    assert!(embedded.ctx.is_quiet());
    assert_eq!(embedded.run_action("count"), 0);
    assert_eq!(embedded.run_action("count"), 0);
    assert_eq!(embedded.finish(), 0);

    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/manual.pstate", root())).unwrap(),
    )
    .unwrap();
    assert_eq!(state, json!({"runs": 2, "greeted": "ahoy"}));

    let again = zenkit::embed::<Manual, _, _>(["manual"]).unwrap();
    assert_eq!(again.app.runs, 2);
    assert_eq!(again.app.greeting, "hello");
    assert_eq!(again.run(), 0);

    // a check of the configuration comes before setup, not in an action stage
    let mut checked = zenkit::embed::<Manual, _, _>(["manual"]).unwrap();
    assert_eq!(checked.run_action("config-check"), 64);
    let runlog = checked.ctx.runlog_record().to_value().to_string();
    assert!(
        runlog.contains("action 'config-check' inspects the configuration before it is put in force, not in an action stage: run `manual --action config-check`"),
        "{runlog}"
    );
    assert_eq!(checked.finish(), 64);

    let err = zenkit::embed::<Manual, _, _>(["manual", "--no-such-option"]).unwrap_err();
    assert_eq!(err.exit_code(), 64);
    assert!(err.message().contains("--no-such-option"), "{err}");
    std::fs::remove_dir_all(root()).unwrap();
}

/// A plugin whose option collides with the application's.
#[derive(Debug, Default)]
struct OptionClash;

impl zenkit::plugin::Plugin for OptionClash {
    fn name(&self) -> &'static str {
        "option-clash"
    }

    fn options(&self) -> Vec<clap::Arg> {
        vec![clap::Arg::new("salute").long("greeting")]
    }
}

/// A plugin whose configuration key collides with the application's.
#[derive(Debug, Default)]
struct KeyClash;

impl zenkit::plugin::Plugin for KeyClash {
    fn name(&self) -> &'static str {
        "key-clash"
    }

    fn defaults(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("greeting".into(), json!("hi"));
        map
    }
}

/// The hand-written application again, with one clashing plugin `P`.
#[derive(Debug, Default)]
struct Hosting<P>(std::marker::PhantomData<P>);

impl<P: zenkit::plugin::Plugin + Default + std::fmt::Debug> App for Hosting<P> {
    const LINKED_PLUGINS: bool = false;

    fn info() -> AppInfo {
        Manual::info()
    }

    fn options() -> Vec<clap::Arg> {
        Manual::options()
    }

    fn defaults() -> zenkit::Result<Map<String, Value>> {
        Manual::defaults()
    }

    fn plugins() -> Vec<Box<dyn zenkit::plugin::Plugin>> {
        vec![Box::new(P::default())]
    }
}

impl<P> Hooks for Hosting<P> {}

#[test]
fn a_plugin_clashing_with_the_application_is_a_startup_error_naming_both() {
    let err = zenkit::embed::<Hosting<OptionClash>, _, _>(["hosting"]).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert_eq!(
        err.message(),
        "option --greeting of plugin 'option-clash' clashes with the application's options; rename one of them"
    );
    let err = zenkit::embed::<Hosting<KeyClash>, _, _>(["hosting"]).unwrap_err();
    assert_eq!(
        err.message(),
        "configuration key 'greeting' of plugin 'key-clash' clashes with a key of the application; rename one of them"
    );
}
