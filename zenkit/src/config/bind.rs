//! Binding configuration values to typed values, with errors that say where
//! the offending value was set.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::merge::{format_path, Segment};
use super::{Config, Layer, Origin};
use crate::{Error, ErrorOrigin, Result};

/// What an operator does about a key the application needs and nobody set.
const SET_IT: &str = "set it in the configuration file or on the command line";

/// The typed value of top-level key `key`.
pub(super) fn get<T: DeserializeOwned>(config: &Config, key: &str) -> Result<T> {
    let Some(value) = config.merged.get(key) else {
        return serde_json::from_value(Value::Null).map_err(|_| not_set(key));
    };
    serde_path_to_error::deserialize(value).map_err(|err| key_error(config, key, &err))
}

/// The error of a key that is not set and has no value without one.
fn not_set(key: &str) -> Error {
    Error::config(format!("configuration key '{key}' is not set; {SET_IT}"))
        .at(ErrorOrigin::for_key(key))
}

/// The error of binding the value of top-level key `key`.
fn key_error(
    config: &Config,
    key: &str,
    err: &serde_path_to_error::Error<serde_json::Error>,
) -> Error {
    binding_error(config, vec![Segment::Key(key.to_string())], err)
}

/// The whole merged configuration bound to `T`.
pub(super) fn bind<T: DeserializeOwned>(config: &Config) -> Result<T> {
    let entries = config.merged.iter().map(|(k, v)| (k.as_str(), v));
    let map = serde::de::value::MapDeserializer::<_, serde_json::Error>::new(entries);
    serde_path_to_error::deserialize(map).map_err(|err| binding_error(config, Vec::new(), &err))
}

fn binding_error(
    config: &Config,
    mut path: Vec<Segment>,
    err: &serde_path_to_error::Error<serde_json::Error>,
) -> Error {
    path.extend(err.path().iter().map(|segment| match segment {
        serde_path_to_error::Segment::Seq { index } => Segment::Index(*index),
        serde_path_to_error::Segment::Map { key } => Segment::Key(key.clone()),
        serde_path_to_error::Segment::Enum { variant } => Segment::Key(variant.clone()),
        serde_path_to_error::Segment::Unknown => Segment::Key("?".to_string()),
    }));
    let message = err.inner().to_string();
    if let Some(field) = missing_field(&message) {
        // The position is that of the object the field is missing from.
        let origin = deepest_origin(config, &path);
        let prefix = match origin {
            Some(origin) if origin.layer != Layer::Default => format!("{origin}: "),
            _ => String::new(),
        };
        path.push(Segment::Key(field.to_string()));
        return Error::config(format!(
            "{prefix}configuration key '{}' is missing; {SET_IT}",
            format_path(&path)
        ))
        .at(error_origin(origin, &path));
    }
    if path.is_empty() {
        return Error::config(format!("the configuration cannot be bound: {message}"));
    }
    error_for(config, &path, &message)
}

/// An error about the value at `path`: a usage error naming the option when
/// the command line gave it, else a located configuration error.
pub(super) fn error_for(config: &Config, path: &[Segment], message: &str) -> Error {
    let from_cli = deepest_origin(config, path).is_some_and(|o| o.layer == Layer::Cli);
    let option = match path.first() {
        Some(Segment::Key(key)) if from_cli => config.options.get(key),
        _ => None,
    };
    let at = ErrorOrigin::for_key(format_path(path));
    match option {
        Some(option) => {
            let message = message.replace(['\r', '\n'], " ");
            Error::usage(format!("option {option}: {message}")).at(at)
        }
        None if from_cli => {
            Error::usage(located(deepest_origin(config, path), path, message)).at(at)
        }
        None => located_error(config, path, message),
    }
}

/// The field name of serde's "missing field `name`" message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.strip_suffix('`')
}

/// The origin of the value at `path`, or of its deepest part that exists.
fn deepest_origin<'a>(config: &'a Config, path: &[Segment]) -> Option<&'a Origin> {
    let (Segment::Key(first), rest) = path.split_first()? else {
        return None;
    };
    Some(&config.origins.get(first)?.deepest(rest).at)
}

/// A configuration error about the value at `path`, located where it was set.
pub(super) fn located_error(config: &Config, path: &[Segment], message: &str) -> Error {
    let origin = deepest_origin(config, path);
    Error::config(located(origin, path, message)).at(error_origin(origin, path))
}

/// The origin of an error about the value at `path` set at `origin`: the
/// key, and the file position for a value from a file.
fn error_origin(origin: Option<&Origin>, path: &[Segment]) -> ErrorOrigin {
    let at = match origin {
        Some(Origin {
            layer: Layer::Dir(file) | Layer::File(file),
            line,
            column,
        }) => ErrorOrigin::in_file(file.to_path_buf(), *line, *column),
        _ => ErrorOrigin::default(),
    };
    at.with_key(format_path(path))
}

/// `<where>: configuration key '<path>': <message>` on one line; `<where>` is
/// `file:line:column`, `command line`, or the message starts with `built-in
/// default of` for defaults.
pub(super) fn located(origin: Option<&Origin>, path: &[Segment], message: &str) -> String {
    let key = format_path(path).replace(['\r', '\n'], " ");
    let message = message.replace(['\r', '\n'], " ");
    match origin {
        Some(origin) if origin.layer == Layer::Default => {
            format!("built-in default of configuration key '{key}': {message}")
        }
        Some(origin) => format!("{origin}: configuration key '{key}': {message}"),
        None => format!("configuration key '{key}': {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde::Deserialize;
    use serde_json::{json, Map};
    use std::fs;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Limits {
        max_items: u32,
        #[serde(default)]
        names: Vec<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Mode {
        Fast,
        Safe,
    }

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    /// A configuration from a file with `text`, the defaults and the command
    /// line given.
    fn load_with(text: &str, defaults: Value, cli: Value) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.conf");
        fs::write(&file, text).unwrap();
        let mut all = map(json!({"config_file": file, "config_dir_silent": true}));
        all.extend(map(defaults));
        let config = Config::load(all, map(cli)).unwrap();
        (dir, config)
    }

    fn file_of(dir: &tempfile::TempDir) -> String {
        dir.path().join("app.conf").display().to_string()
    }

    fn err<T: DeserializeOwned + std::fmt::Debug>(config: &Config, key: &str) -> String {
        let err = config.get::<T>(key).expect_err("binding should fail");
        assert_eq!(err.kind(), ErrorKind::Config);
        err.to_string()
    }

    #[test]
    fn good_values_bind() {
        let text = "{\"limits\": {\"max_items\": 5}, \"mode\": \"safe\", \"n\": null}";
        let (_dir, config) = load_with(text, json!({"n": 1}), json!({}));
        assert_eq!(
            config.get::<Limits>("limits").unwrap(),
            Limits {
                max_items: 5,
                names: Vec::new()
            }
        );
        assert_eq!(config.get::<Mode>("mode").unwrap(), Mode::Safe);
        assert_eq!(config.get::<u8>("n").unwrap(), 1);
        assert_eq!(config.get::<Option<String>>("absent").unwrap(), None);
    }

    #[test]
    fn wrong_type_names_file_line_column_and_nested_key() {
        let text = "# limits\n{\n  \"limits\": {\n    \"max_items\": \"many\"\n  }\n}\n";
        let (dir, config) = load_with(text, json!({}), json!({}));
        assert_eq!(
            err::<Limits>(&config, "limits"),
            format!(
                "{}:4:18: configuration key 'limits.max_items': invalid type: string \"many\", expected u32",
                file_of(&dir)
            )
        );
    }

    #[test]
    fn array_items_are_located() {
        let text = "{\"limits\": {\"max_items\": 1,\n \"names\": [\"a\",\n  7]}}";
        let (dir, config) = load_with(text, json!({}), json!({}));
        assert_eq!(
            err::<Limits>(&config, "limits"),
            format!(
                "{}:3:3: configuration key 'limits.names[1]': invalid type: integer `7`, expected a string",
                file_of(&dir)
            )
        );
    }

    #[test]
    fn unknown_enum_value_is_located() {
        let (dir, config) = load_with(
            "{\n\"mode\": \"turbo\"}",
            json!({"mode": "fast"}),
            json!({}),
        );
        assert_eq!(
            err::<Mode>(&config, "mode"),
            format!(
                "{}:2:9: configuration key 'mode': unknown variant `turbo`, expected `fast` or `safe`",
                file_of(&dir)
            )
        );
    }

    #[test]
    fn values_from_the_command_line_and_defaults_say_so() {
        let (_dir, mut config) = load_with("{}", json!({"limit": "x"}), json!({"count": -1}));
        let from_cli = config.get::<u32>("count").unwrap_err();
        assert_eq!(from_cli.kind(), ErrorKind::Usage);
        assert_eq!(
            from_cli.to_string(),
            "command line: configuration key 'count': invalid value: integer `-1`, expected u32"
        );
        config.set_options([("count".to_string(), "--count".to_string())]);
        assert_eq!(
            config.get::<u32>("count").unwrap_err().to_string(),
            "option --count: invalid value: integer `-1`, expected u32"
        );
        assert_eq!(
            err::<u32>(&config, "limit"),
            "built-in default of configuration key 'limit': invalid type: string \"x\", expected u32"
        );
    }

    #[test]
    fn a_field_missing_inside_an_object_is_named() {
        let (dir, config) = load_with("{\n  \"limits\": {\"names\": []}}", json!({}), json!({}));
        assert_eq!(
            err::<Limits>(&config, "limits"),
            format!(
                "{}:2:13: configuration key 'limits.max_items' is missing; set it in the configuration file or on the command line",
                file_of(&dir)
            )
        );
        let (_dir, config) = load_with("{}", json!({"limits": {}}), json!({}));
        assert_eq!(
            err::<Limits>(&config, "limits"),
            "configuration key 'limits.max_items' is missing; set it in the configuration file or on the command line"
        );
    }

    #[test]
    fn the_whole_configuration_binds_with_located_errors() {
        #[derive(Debug, Deserialize)]
        struct Keys {
            limits: Limits,
            mode: Mode,
        }
        let text = "{\"limits\": {\"max_items\": 5}, \"mode\": \"fast\", \"other\": 1}";
        let (_dir, config) = load_with(text, json!({}), json!({}));
        let keys: Keys = config.bind().unwrap();
        assert_eq!((keys.limits.max_items, keys.mode), (5, Mode::Fast));
        let (dir, config) = load_with(
            "{\n\"mode\": \"turbo\", \"limits\": {\"max_items\": 1}}",
            json!({}),
            json!({}),
        );
        let err = config.bind::<Keys>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(
            err.to_string(),
            format!(
                "{}:2:9: configuration key 'mode': unknown variant `turbo`, expected `fast` or `safe`",
                file_of(&dir)
            )
        );
    }

    #[test]
    fn a_key_nobody_set_is_named() {
        let (_dir, config) = load_with("{}", json!({}), json!({}));
        assert_eq!(
            err::<u32>(&config, "workers"),
            "configuration key 'workers' is not set; set it in the configuration file or on the command line"
        );
    }

    #[test]
    fn deep_merged_values_are_located_in_their_own_layer() {
        let text = "{\"limits\": {\"names\": [\"a\"]}}";
        let (_dir, config) = load_with(text, json!({"limits": {"max_items": "lots"}}), json!({}));
        assert_eq!(
            err::<Limits>(&config, "limits"),
            "built-in default of configuration key 'limits.max_items': invalid type: string \"lots\", expected u32"
        );
    }

    #[test]
    fn error_at_locates_any_value() {
        let (dir, config) = load_with(
            "{\n \"log_level\": \"loud\"}",
            json!({"log_level": "info"}),
            json!({}),
        );
        let e = config.error_at(
            "log_level",
            "expected one of debug, info, warning, error, critical",
        );
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(
            e.to_string(),
            format!(
                "{}:2:15: configuration key 'log_level': expected one of debug, info, warning, error, critical",
                file_of(&dir)
            )
        );
        assert_eq!(
            config.error_at("nowhere", "bad\nthing").to_string(),
            "configuration key 'nowhere': bad thing"
        );
    }
}
