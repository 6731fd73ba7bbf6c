//! Gathering every error of binding a configuration to a type, for
//! `--action config-check`: binding with serde stops at the first wrong
//! value, so the key of each error is put back to its default and the
//! binding tried again, until it succeeds or the error is one no reset
//! can mend.

use serde_json::Value;

use crate::config::{Config, Layer};
use crate::{Error, Result};

/// Binds `config` with `bind`, adding every error found to `errors`; the
/// value bound once every wrong key is back at its default, if any.
pub(crate) fn gather<T>(
    config: &Config,
    bind: impl Fn(&Config) -> Result<T>,
    errors: &mut Vec<Error>,
) -> Option<T> {
    let defaults = config.layers().first().map(|(_, defaults)| defaults);
    let mut trial = config.clone();
    let mut reset: Vec<String> = Vec::new();
    loop {
        let err = match bind(&trial) {
            Ok(value) => return Some(value),
            Err(err) => err,
        };
        let key = err
            .origin()
            .and_then(|o| o.key.as_deref())
            .map(|k| top_key(k).to_string());
        let known = !errors.contains(&err);
        if known {
            errors.push(err);
        }
        let key = key?;
        if reset.contains(&key) || !known {
            return None;
        }
        let default = defaults
            .and_then(|d| d.get(&key))
            .cloned()
            .unwrap_or(Value::Null);
        trial.set(&key, default, Layer::Default);
        reset.push(key);
    }
}

/// The top-level key of a key path as messages write it (`db.port`,
/// `hosts[1].name`).
fn top_key(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::{json, Map};

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Keys {
        a: u8,
        b: bool,
        c: String,
        d: Option<u32>,
    }

    fn config(defaults: Value, cli: Value) -> Config {
        let obj = |v: Value| match v {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let mut defaults = obj(defaults);
        defaults.insert("config_file".into(), json!(null));
        defaults.insert("config_dir".into(), json!(null));
        Config::load(defaults, obj(cli)).unwrap()
    }

    #[test]
    fn every_wrong_key_is_reported_once() {
        let config = config(
            json!({"a": 1, "b": false, "c": "x", "d": null}),
            json!({"a": 300, "b": "yes", "d": -1}),
        );
        let mut errors = Vec::new();
        let keys = gather(&config, Config::bind::<Keys>, &mut errors);
        assert!(keys.is_some_and(|k| k.a == 1 && !k.b));
        let keys: Vec<_> = errors
            .iter()
            .map(|e| e.origin().and_then(|o| o.key.clone()).unwrap())
            .collect();
        assert_eq!(keys, ["a", "b", "d"], "{errors:?}");
    }

    #[test]
    fn a_wrong_default_ends_the_gathering() {
        let config = config(json!({"a": "many", "b": false, "c": "x"}), json!({}));
        let mut errors = Vec::new();
        assert!(gather(&config, Config::bind::<Keys>, &mut errors).is_none());
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn top_keys_of_paths() {
        assert_eq!(top_key("db.port"), "db");
        assert_eq!(top_key("hosts[1].name"), "hosts");
        assert_eq!(top_key("a"), "a");
    }
}
