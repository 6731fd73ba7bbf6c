//! The arguments and options a script command was given after its name,
//! as its method's parameters receive them.

use std::fmt::Display;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::app::{CommandInfo, ParamPlace, ParamShape};
use crate::config::{Config, Layer};
use crate::{Error, Result};

/// What a script command was given on the command line after its name:
/// each parameter's text (a flag's `true`, a repeated one's list), by the
/// parameter's name. Empty when the command was selected by `--command` or
/// the `command` key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommandArgs {
    values: Map<String, Value>,
}

impl CommandArgs {
    /// Arguments from their JSON form (`{"snapshot": "x", "dry_run": true}`).
    pub fn from_json(values: Map<String, Value>) -> CommandArgs {
        CommandArgs { values }
    }

    /// The arguments as JSON, as the runlog records them.
    pub fn to_json(&self) -> Value {
        Value::Object(self.values.clone())
    }

    /// The text of parameter `name`, its texts for a repeated one, `true`
    /// for a flag given; `None` when it was not given.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether flag `name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name) == Some(&Value::Bool(true))
    }

    /// The value of parameter `name` parsed as `T`, if it was given.
    pub fn optional<T>(&self, name: &str) -> Result<Option<T>>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.optional_with(name, from_str)
    }

    /// The value of required parameter `name` parsed as `T`.
    pub fn one<T>(&self, name: &str) -> Result<T>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.one_with(name, from_str)
    }

    /// The values of repeated parameter `name` parsed as `T`, in order.
    pub fn many<T>(&self, name: &str) -> Result<Vec<T>>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.many_with(name, from_str)
    }

    /// The value of parameter `name` parsed with `parse`, if it was given.
    pub fn optional_with<T>(&self, name: &str, parse: Parser<T>) -> Result<Option<T>> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => parsed(name, text, parse).map(Some),
            Some(other) => Err(wrong(name, other)),
        }
    }

    /// The value of required parameter `name` parsed with `parse`.
    pub fn one_with<T>(&self, name: &str, parse: Parser<T>) -> Result<T> {
        self.optional_with(name, parse)?.ok_or_else(|| {
            Error::usage(format!(
                "the command's parameter '{name}' was not given; give it after the command's name"
            ))
        })
    }

    /// The values of repeated parameter `name` parsed with `parse`, in order.
    pub fn many_with<T>(&self, name: &str, parse: Parser<T>) -> Result<Vec<T>> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => parsed(name, text, parse),
                    other => Err(wrong(name, other)),
                })
                .collect(),
            Some(Value::String(text)) => Ok(vec![parsed(name, text, parse)?]),
            Some(other) => Err(wrong(name, other)),
        }
    }
}

/// A parser of one value of a command's parameter: the value, or why the
/// text is not one.
pub type Parser<T> = fn(&str) -> std::result::Result<T, String>;

fn from_str<T>(text: &str) -> std::result::Result<T, String>
where
    T: FromStr,
    T::Err: Display,
{
    T::from_str(text).map_err(|e| e.to_string())
}

fn parsed<T>(name: &str, text: &str, parse: Parser<T>) -> Result<T> {
    parse(text).map_err(|e| Error::usage(format!("invalid value '{text}' for '{name}': {e}")))
}

fn wrong(name: &str, value: &Value) -> Error {
    Error::usage(format!(
        "the command's parameter '{name}' holds {value}, not text"
    ))
}

/// The error of command `command` selected by the `command` key of
/// `config` (from `--command`, a file or the default) without the
/// arguments it needs: `None` when it needs none. `app` is the
/// application's name, for the example. A usage error when `--command`
/// selected it, else a configuration error located where the key was set.
pub(crate) fn missing(app: &str, command: &CommandInfo, config: &Config) -> Option<Error> {
    let needed: Vec<String> = command
        .params
        .iter()
        .filter(|p| p.required())
        .map(|p| match p.place {
            ParamPlace::Positional => p.long.to_uppercase().replace('-', "_"),
            ParamPlace::Option => format!("--{} <VALUE>", p.long),
        })
        .collect();
    if needed.is_empty() {
        return None;
    }
    let name = command.name;
    let list = needed.join(" ");
    let message = format!(
        "command '{name}' needs {list}, which only its own command line gives: run `{app} {name} {list}` instead of selecting it with --command or the 'command' key"
    );
    // the application's default command is chosen by the run's command
    // line giving none: a usage error, as `--command` is
    let by_default = match config.origin("command") {
        Some(origin) => origin.layer == Layer::Default,
        None => true,
    };
    Some(if by_default {
        Error::usage(message)
    } else {
        config.error_for("command", message)
    })
}

/// The JSON form of one parameter's matched values in `matches`, or `None`
/// when it was not given.
pub(crate) fn matched(matches: &clap::ArgMatches, name: &str, shape: ParamShape) -> Option<Value> {
    if matches.value_source(name) != Some(clap::parser::ValueSource::CommandLine) {
        return None;
    }
    match shape {
        ParamShape::Flag => Some(Value::Bool(matches.get_flag(name))),
        ParamShape::Many => Some(Value::Array(
            matches
                .get_many::<String>(name)?
                .map(|s| Value::String(s.clone()))
                .collect(),
        )),
        ParamShape::One | ParamShape::Optional => matches
            .get_one::<String>(name)
            .map(|s| Value::String(s.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::CommandParam;
    use serde_json::json;

    fn args(value: Value) -> CommandArgs {
        match value {
            Value::Object(map) => CommandArgs::from_json(map),
            _ => unreachable!(),
        }
    }

    #[test]
    fn values_are_parsed_into_the_parameter_types() {
        let a = args(json!({"snapshot": "s1", "n": "3", "tag": ["a", "b"], "dry_run": true}));
        assert_eq!(a.one::<String>("snapshot").unwrap(), "s1");
        assert_eq!(a.optional::<u8>("n").unwrap(), Some(3));
        assert_eq!(a.optional::<u8>("absent").unwrap(), None);
        assert_eq!(a.many::<String>("tag").unwrap(), ["a", "b"]);
        assert!(a.many::<u8>("absent").unwrap().is_empty());
        assert!(a.flag("dry_run") && !a.flag("absent"));
        let err = a.one::<u8>("snapshot").unwrap_err();
        assert_eq!(err.exit_code(), 64);
        assert!(
            err.message().contains("invalid value 's1' for 'snapshot'"),
            "{err}"
        );
        assert_eq!(a.one::<String>("absent").unwrap_err().exit_code(), 64);
    }

    fn check(_: &str) -> std::result::Result<(), String> {
        Ok(())
    }

    #[test]
    fn a_command_needing_arguments_cannot_be_selected_alone() {
        const PARAMS: &[CommandParam] = &[
            CommandParam {
                name: "snapshot",
                place: ParamPlace::Positional,
                shape: ParamShape::One,
                long: "snapshot",
                short: None,
                help: "",
                check,
            },
            CommandParam {
                name: "dry_run",
                place: ParamPlace::Option,
                shape: ParamShape::Flag,
                long: "dry-run",
                short: None,
                help: "",
                check,
            },
        ];
        let restore = CommandInfo {
            name: "restore",
            help: "",
            params: PARAMS,
        };
        let config = |cli: Value| {
            let defaults = serde_json::json!({
                "config_file": null, "config_dir": null, "command": "restore",
            });
            let (Value::Object(defaults), Value::Object(cli)) = (defaults, cli) else {
                unreachable!("objects")
            };
            let mut config = Config::load(defaults, cli).unwrap();
            config.set_options([("command".to_string(), "--command".to_string())]);
            config
        };
        let given = config(serde_json::json!({"command": "restore"}));
        let err = missing("backup", &restore, &given).unwrap();
        assert_eq!(err.exit_code(), 64);
        assert!(
            err.message()
                .starts_with("option --command: command 'restore' needs SNAPSHOT,")
                && err.message().contains("`backup restore SNAPSHOT`"),
            "{err}"
        );
        // the default command, chosen because the command line names none:
        // the command line lacks the command and its arguments (a file that
        // names it is a located configuration error, see tests/command_line.rs)
        let default = config(serde_json::json!({}));
        let err = missing("backup", &restore, &default).unwrap();
        assert_eq!(err.exit_code(), 64, "{err}");
        assert!(
            err.message()
                .starts_with("command 'restore' needs SNAPSHOT,"),
            "{err}"
        );
        let optional = CommandInfo {
            params: &PARAMS[1..],
            ..restore
        };
        assert!(missing("backup", &optional, &given).is_none());
    }
}
