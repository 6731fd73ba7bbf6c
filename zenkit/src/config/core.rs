//! The internal `__core__` section, computed from the merged configuration.

use serde_json::{json, Map, Value};

use crate::app::AppKind;

/// The key of the core section in the merged configuration. Users cannot set
/// it: a `__core__` key in a file is dropped.
pub const CORE_KEY: &str = "__core__";

/// The log level used when `log_level` is not set to a string.
const DEFAULT_LOG_LEVEL: &str = "info";

/// Builds the `__core__` section of an application of `kind` from the merged
/// configuration:
///
/// * `logging`: `to_console` and `to_file` true, `level`, `level_console`
///   and `level_file` all `log_level` upper-cased (`"INFO"`);
/// * `pstate`: `save` true;
/// * `runlog`: `save` true;
/// * for daemons also `state`: `save` true;
/// * for scripts, the modes of SPEC §6: `shell` turns off the log file, the
///   runlog and the state file; otherwise (`regular` or default) they are
///   on, and `regular` lowers the console to `WARNING`. `shell` wins when a
///   configuration sets both. (`regular` also forces the `quiet` key; the
///   runner sets that key before binding.)
///
/// `log_level` is taken as given; checking it is the job of whoever binds it.
pub fn core_section(merged: &Map<String, Value>, kind: AppKind) -> Value {
    let level = merged
        .get("log_level")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_LOG_LEVEL)
        .to_uppercase();
    let mut core = Map::new();
    core.insert(
        "logging".to_string(),
        json!({
            "to_console": true,
            "to_file": true,
            "level": level,
            "level_console": level,
            "level_file": level,
        }),
    );
    core.insert("pstate".to_string(), json!({ "save": true }));
    core.insert("runlog".to_string(), json!({ "save": true }));
    match kind {
        AppKind::Daemon => {
            core.insert("state".to_string(), json!({ "save": true }));
        }
        AppKind::Script if is_true(merged, "shell") => {
            core["logging"]["to_file"] = json!(false);
            core["pstate"]["save"] = json!(false);
            core["runlog"]["save"] = json!(false);
        }
        AppKind::Script if is_true(merged, "regular") => {
            core["logging"]["level_console"] = json!("WARNING");
        }
        AppKind::Base | AppKind::Script => {}
    }
    Value::Object(core)
}

fn is_true(merged: &Map<String, Value>, key: &str) -> bool {
    merged.get(key) == Some(&Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn script_modes() {
        let shell = core_section(
            &merged(json!({"shell": true, "regular": true})),
            AppKind::Script,
        );
        assert_eq!(shell["logging"]["to_file"], json!(false));
        assert_eq!(shell["logging"]["to_console"], json!(true));
        assert_eq!(shell["pstate"]["save"], json!(false));
        assert_eq!(shell["runlog"]["save"], json!(false));
        let regular = core_section(
            &merged(json!({"regular": true, "log_level": "debug"})),
            AppKind::Script,
        );
        assert_eq!(regular["logging"]["level_console"], json!("WARNING"));
        assert_eq!(regular["logging"]["level_file"], json!("DEBUG"));
        assert_eq!(regular["logging"]["to_file"], json!(true));
        assert_eq!(regular["pstate"]["save"], json!(true));
        assert_eq!(regular["runlog"]["save"], json!(true));
        // the modes are a script's: a base application ignores the keys
        let base = core_section(&merged(json!({"shell": true})), AppKind::Base);
        assert_eq!(base["logging"]["to_file"], json!(true));
    }

    #[test]
    fn base_app_core_section() {
        let core = core_section(&merged(json!({"log_level": "warning"})), AppKind::Base);
        assert_eq!(
            core,
            json!({
                "logging": {"to_console": true, "to_file": true, "level": "WARNING",
                            "level_console": "WARNING", "level_file": "WARNING"},
                "pstate": {"save": true},
                "runlog": {"save": true},
            })
        );
        assert_eq!(
            core_section(&merged(json!({"log_level": "debug"})), AppKind::Script),
            {
                let mut c = core_section(&merged(json!({"log_level": "debug"})), AppKind::Base);
                c["logging"]["level"] = json!("DEBUG");
                c
            }
        );
    }

    #[test]
    fn daemons_also_save_state() {
        let core = core_section(&merged(json!({"log_level": "error"})), AppKind::Daemon);
        assert_eq!(core["state"], json!({"save": true}));
        assert_eq!(core["logging"]["level_file"], json!("ERROR"));
        assert_eq!(core["pstate"], json!({"save": true}));
    }

    #[test]
    fn level_defaults_to_info() {
        for given in [
            json!({}),
            json!({"log_level": null}),
            json!({"log_level": 3}),
        ] {
            let core = core_section(&merged(given), AppKind::Base);
            assert_eq!(core["logging"]["level"], json!("INFO"));
            assert_eq!(core["logging"]["level_console"], json!("INFO"));
        }
    }
}
