//! The runtime without the macros: an application implementing `App` and
//! `Hooks` by hand, brought up in embedded mode and finished by its host.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use zenkit::__private::clap;
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

    let err = zenkit::embed::<Manual, _, _>(["manual", "--no-such-option"]).unwrap_err();
    assert_eq!(err.exit_code(), 64);
    assert!(err.message().contains("--no-such-option"), "{err}");
    std::fs::remove_dir_all(root()).unwrap();
}
