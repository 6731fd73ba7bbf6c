//! The command line: the built-in options (from the table of built-in
//! keys), the author's and the plugins' options, and turning what was given
//! into a configuration layer.
//!
//! A script's commands are subcommands, with arguments and options of their
//! own; every other option may come before or after the command's name.
//!
//! A plugin declares its options as [`clap::Arg`]s whose values come from
//! [`value_parser`]; the rest is the runtime's.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

use zenkit_builtins::{Key, Kinds, Opt, Takes, ValueType};

use crate::app::{AppInfo, AppKind, CommandParam, ParamPlace, ParamShape};
use crate::script::CommandArgs;
use crate::{Error, Result};

/// Help heading of the options every zenkit application has.
pub(crate) const COMMON_HEADING: &str = "Common options";

/// Help heading of the options of scripts.
pub(crate) const SCRIPT_HEADING: &str = "Script options";

/// Help heading of the options of daemons.
pub(crate) const DAEMON_HEADING: &str = "Daemon options";

/// A clap value parser that parses `T` from the argument's text and keeps
/// it as a JSON value, so the command line can be merged as a configuration
/// layer. A value JSON cannot hold (NaN, an infinity) is refused: it would
/// otherwise become `null`, which overrides nothing.
///
/// Plugins use it for their own options:
///
/// ```
/// let arg = clap::Arg::new("prometheus_dir")
///     .long("prometheus-dir")
///     .value_parser(zenkit::cli::value_parser::<std::path::PathBuf>());
/// # let _ = arg;
/// ```
pub fn value_parser<T>() -> clap::builder::ValueParser
where
    T: std::str::FromStr + serde::Serialize + 'static,
    T::Err: std::fmt::Display,
{
    clap::builder::ValueParser::new(text_json::<T>)
}

/// `T` parsed from `raw` with `FromStr`, as JSON; the option value parser's
/// and an environment variable's reading of a value.
pub(crate) fn text_json<T>(raw: &str) -> std::result::Result<Value, String>
where
    T: std::str::FromStr + serde::Serialize,
    T::Err: std::fmt::Display,
{
    let value = T::from_str(raw).map_err(|e| e.to_string())?;
    match serde_json::to_value(value) {
        Ok(Value::Null) => Err(format!("'{raw}' is not a finite number")),
        Ok(value) => Ok(value),
        Err(e) => Err(e.to_string()),
    }
}

/// The option of built-in key `key`, as its table row says.
fn builtin_arg(key: &Key, opt: Opt) -> Arg {
    let env = crate::settings::environment();
    let help = match env.iter().find(|env| env.key == key.key) {
        Some(env) => format!("{} [env: {}]", key.help, env.var),
        None => key.help.to_string(),
    };
    let mut arg = Arg::new(key.key).long(opt.long).help(help);
    if let Some(short) = opt.short {
        arg = arg.short(short);
    }
    if let Some(alias) = opt.alias {
        arg = arg.alias(alias);
    }
    if let Some(other) = key.conflicts {
        arg = arg.conflicts_with(other);
    }
    arg = match key.takes {
        Takes::Flag => arg.action(ArgAction::SetTrue),
        Takes::Count => arg.action(ArgAction::Count),
        Takes::Value(name) => arg.value_name(name).action(ArgAction::Set),
    };
    arg = match key.value {
        ValueType::Bool | ValueType::Count => arg,
        // files take the names in any case, and so does the command line
        ValueType::LogLevel => arg.ignore_case(true).value_parser(
            PossibleValuesParser::new(zenkit_builtins::LOG_LEVELS.iter().map(|name| {
                PossibleValue::new(*name).hide(zenkit_builtins::LOG_LEVEL_ALIASES.contains(name))
            }))
            .map(Value::String),
        ),
        ValueType::LogFormat => arg.ignore_case(true).value_parser(
            PossibleValuesParser::new(zenkit_builtins::LOG_FORMATS).map(Value::String),
        ),
        ValueType::Unsigned => arg.value_parser(value_parser::<u64>()),
        ValueType::Seconds => arg.value_parser(value_parser::<f64>()),
        ValueType::Text
        | ValueType::Path
        | ValueType::Account
        | ValueType::Umask
        | ValueType::Interval
        | ValueType::Time => arg.value_parser(value_parser::<String>()),
    };
    arg.help_heading(match opt.kinds {
        Kinds::All => COMMON_HEADING,
        Kinds::Script => SCRIPT_HEADING,
        Kinds::Daemon => DAEMON_HEADING,
    })
}

/// The options every application of `kind` has, each with the
/// configuration key it sets as its id, from the table of built-in keys.
pub(crate) fn builtin_args(kind: AppKind) -> Vec<Arg> {
    zenkit_builtins::options(kind)
        .map(|(key, opt)| builtin_arg(key, opt))
        .collect()
}

/// Builds the whole command: the author's options under "Options", the
/// built-in ones under their headings, the actions as the possible values
/// of `--action`, and a script's commands (each a name and its help) as
/// subcommands.
#[doc(hidden)]
pub fn command(
    info: &AppInfo,
    kind: AppKind,
    name: &str,
    author: Vec<Arg>,
    plugins: Vec<Arg>,
    commands: &[(&str, &str)],
    actions: &[(&str, &str)],
) -> Command {
    let commands: Vec<(&str, &str, &[CommandParam])> =
        commands.iter().map(|&(n, h)| (n, h, &[][..])).collect();
    let spec = Spec {
        info,
        kind,
        name,
        author,
        extra: plugins,
        commands: &commands,
        actions,
        defaults: &Map::new(),
    };
    match build(spec) {
        Ok(cmd) => cmd,
        // commands without parameters cannot clash with an option
        Err(err) => unreachable!("{err}"),
    }
}

/// What the whole command line is made of.
pub(crate) struct Spec<'a> {
    pub(crate) info: &'a AppInfo,
    pub(crate) kind: AppKind,
    /// The program's name in usage lines.
    pub(crate) name: &'a str,
    /// The author's options.
    pub(crate) author: Vec<Arg>,
    /// The components' and plugins' options, under their headings.
    pub(crate) extra: Vec<Arg>,
    /// A script's commands: name, help, parameters.
    pub(crate) commands: &'a [(&'a str, &'a str, &'a [CommandParam])],
    /// The actions: name, help.
    pub(crate) actions: &'a [(&'a str, &'a str)],
    /// The default of every key, shown after its option's help.
    pub(crate) defaults: &'a Map<String, Value>,
}

/// The place in help of the first option every command shares.
const FIRST_SHARED_OPTION: usize = 100;

/// Builds the whole command of `spec`; a command's option that clashes
/// with another option is an error.
pub(crate) fn build(spec: Spec<'_>) -> Result<Command> {
    let Spec {
        info,
        kind,
        name,
        author,
        extra,
        commands,
        actions,
        defaults,
    } = spec;
    let scripted = !commands.is_empty();
    let options: Vec<Arg> = author
        .into_iter()
        .chain(builtin_args(kind))
        .chain(extra)
        .map(|arg| {
            let arg = with_default(arg, defaults);
            let arg = if arg.get_id() == "action" {
                arg.value_parser(ActionParser::new(actions))
            } else {
                arg
            };
            // a script's options may come before or after its command
            if scripted && !arg.is_positional() {
                arg.global(true)
            } else {
                arg
            }
        })
        .collect();
    let mut cmd = Command::new(name.to_string())
        // in a command's help, its own parameters (numbered from 0) come
        // before the options it shares with every command
        .next_display_order(FIRST_SHARED_OPTION)
        // any unique prefix of a long option, as Python's argparse accepts
        .infer_long_args(true)
        .version(info.version)
        .about(info.about)
        .long_about((!info.long_about.is_empty()).then_some(info.long_about))
        .args(&options);
    if scripted {
        let default = info.default_command.unwrap_or(commands[0].0);
        cmd = cmd
            .subcommand_help_heading("Commands")
            .subcommand_value_name("COMMAND")
            .after_help(format!("Without a command, '{default}' runs."))
            // an unknown command is reported with the valid ones, as for --command
            .allow_external_subcommands(true);
        for &(command, help, params) in commands {
            cmd = cmd.subcommand(subcommand(command, help, params, &options)?);
        }
    }
    Ok(cmd)
}

/// The subcommand of script command `name`, with its parameters as
/// arguments and options; one whose names another option has already is
/// an error.
fn subcommand(name: &str, help: &str, params: &[CommandParam], taken: &[Arg]) -> Result<Command> {
    let mut sub = Command::new(name.to_string()).about(help.to_string());
    for param in params {
        let arg = command_arg(param);
        for option in names(&arg).into_iter().skip(1) {
            if let Some(other) = taken.iter().find(|a| names(a).contains(&option)) {
                return Err(Error::setup(format!(
                    "option {option} of command '{name}' clashes with the option of key '{}'; rename the parameter or give it another `long`",
                    other.get_id()
                )));
            }
        }
        sub = sub.arg(arg);
    }
    Ok(sub)
}

/// The id of command parameter `name` among the matches: apart from the
/// configuration keys, which are the ids of the other options.
pub(crate) fn param_id(name: &str) -> String {
    format!("param:{name}")
}

/// The clap argument of a command's parameter.
fn command_arg(param: &CommandParam) -> Arg {
    let check = param.check;
    let text =
        clap::builder::ValueParser::new(move |raw: &str| check(raw).map(|()| raw.to_string()));
    let value_name = param.long.to_uppercase().replace('-', "_");
    let mut arg = Arg::new(param_id(param.name))
        .help(param.help.to_string())
        .value_name(value_name);
    if param.place == ParamPlace::Option {
        arg = arg.long(param.long.to_string());
        if let Some(short) = param.short {
            arg = arg.short(short);
        }
    }
    match param.shape {
        ParamShape::Flag => arg.action(ArgAction::SetTrue),
        ParamShape::One => arg.action(ArgAction::Set).required(true).value_parser(text),
        ParamShape::Optional => arg.action(ArgAction::Set).value_parser(text),
        ParamShape::Many if param.place == ParamPlace::Positional => arg
            .action(ArgAction::Append)
            .num_args(1..)
            .value_parser(text),
        ParamShape::Many => arg.action(ArgAction::Append).value_parser(text),
    }
}

/// `arg` with the default of its key after its help, when there is one
/// worth showing.
fn with_default(arg: Arg, defaults: &Map<String, Value>) -> Arg {
    let id = arg.get_id().as_str();
    let found = defaults.get(id).or_else(|| {
        let mut parts = id.split('.');
        let first = defaults.get(parts.next()?)?;
        parts.try_fold(first, |value, part| value.get(part))
    });
    let Some(shown) = found.and_then(shown_default) else {
        return arg;
    };
    let explained = arg
        .get_help()
        .is_some_and(|h| h.to_string().contains("(default:"));
    let counter = matches!(arg.get_action(), ArgAction::Count) && shown == "0";
    let flag = matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse);
    if explained || counter || flag {
        // the help says it in words already (`default: now`), a counter
        // starts at zero as every counter does, and a flag's default is
        // the opposite of what it sets (a `--no-` flag's help says so)
        return arg;
    }
    let suffix = format!("[default: {shown}]");
    let help = match arg.get_help() {
        Some(help) => format!("{help} {suffix}"),
        None => suffix.clone(),
    };
    let long = arg
        .get_long_help()
        .map(|long| format!("{long}\n\n{suffix}"));
    let arg = arg.help(help);
    match long {
        Some(long) => arg.long_help(long),
        None => arg,
    }
}

/// How a default shows in help; nothing for null, false and empty values.
fn shown_default(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Object(map) if map.is_empty() => None,
        other => Some(other.to_string()),
    }
}

/// The value parser of `--action`: any name (an unknown one is reported
/// with the valid ones once the configuration is read, as for the key),
/// with the actions and their help as the possible values clap shows in
/// help and completions offer.
#[derive(Clone)]
struct ActionParser(Vec<PossibleValue>);

impl ActionParser {
    fn new(actions: &[(&str, &str)]) -> ActionParser {
        ActionParser(
            actions
                .iter()
                .map(|(name, help)| PossibleValue::new(name.to_string()).help(help.to_string()))
                .collect(),
        )
    }
}

impl TypedValueParser for ActionParser {
    type Value = Value;

    fn parse_ref(
        &self,
        _cmd: &Command,
        _arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<Value, clap::Error> {
        Ok(Value::String(value.to_string_lossy().into_owned()))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().cloned()))
    }
}

/// What an option is called by: its id, `--long` and `-s`.
fn names(arg: &Arg) -> Vec<String> {
    let mut names = vec![format!("key {}", arg.get_id())];
    names.extend(arg.get_long().map(|l| format!("--{l}")));
    names.extend(arg.get_short().map(|s| format!("-{s}")));
    names.extend(
        arg.get_all_aliases()
            .unwrap_or_default()
            .into_iter()
            .map(|a| format!("--{a}")),
    );
    names
}

/// Who adds options of their own to the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A plugin.
    Plugin,
    /// A daemon's component.
    Component,
}

/// The options of plugins or components (`kind`; each a name and its
/// options), each owner's under a heading of its own, checked against the
/// options already taken (`taken`: owner, options) and each other: a clash
/// is an error naming both owners.
pub(crate) fn grouped_args(
    taken: Vec<(String, Vec<Arg>)>,
    kind: Owner,
    groups: Vec<(&str, Vec<Arg>)>,
) -> Result<Vec<Arg>> {
    let mut owners: Vec<(String, String)> = Vec::new();
    for (owner, args) in &taken {
        for arg in args {
            owners.extend(names(arg).into_iter().map(|n| (n, owner.clone())));
        }
    }
    let (noun, heading) = match kind {
        Owner::Plugin => ("plugin", "Plugin"),
        Owner::Component => ("component", "Component"),
    };
    let mut result = Vec::new();
    for (name, args) in groups {
        let owner = format!("{noun} '{name}'");
        for arg in args {
            for option in names(&arg) {
                if let Some((_, other)) = owners.iter().find(|(n, _)| *n == option) {
                    return Err(Error::setup(format!(
                        "option {option} of {owner} clashes with {other}; rename one of them"
                    )));
                }
                owners.push((option, owner.clone()));
            }
            result.push(arg.help_heading(format!("{heading} {name}")));
        }
    }
    Ok(result)
}

/// The configuration layer of the command line: only options actually given.
///
/// Values come from the JSON value parsers of zenkit options; an option
/// written by hand with clap's default string parser is taken as a string.
#[doc(hidden)]
pub fn cli_layer(cmd: &Command, matches: &ArgMatches) -> Result<Map<String, Value>> {
    let mut layer = Map::new();
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if matches.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        let value = match arg.get_action() {
            ArgAction::SetTrue => Value::Bool(true),
            ArgAction::SetFalse => Value::Bool(false),
            ArgAction::Count => Value::from(matches.get_count(id)),
            ArgAction::Append => Value::Array(values(matches, id)?),
            _ => match values(matches, id)?.into_iter().next() {
                Some(v) => v,
                None => continue,
            },
        };
        layer.insert(id.to_string(), value);
    }
    // the command given by its name wins over `--command`
    if let Some((command, _)) = matches.subcommand() {
        layer.insert("command".to_string(), Value::String(command.to_string()));
    }
    Ok(layer)
}

/// The arguments the command named on the command line was given after
/// its name (`commands`: each name and parameters); `None` when no known
/// command was named there.
pub(crate) fn command_args(
    matches: &ArgMatches,
    commands: &[(&str, &str, &[CommandParam])],
) -> Option<CommandArgs> {
    let (name, sub) = matches.subcommand()?;
    let (_, _, params) = commands.iter().find(|(n, _, _)| *n == name)?;
    let values = params
        .iter()
        .filter_map(|p| {
            let value = crate::script::matched(sub, &param_id(p.name), p.shape)?;
            Some((p.name.to_string(), value))
        })
        .collect();
    Some(CommandArgs::from_json(values))
}

/// The values of option `id` as JSON, whichever of zenkit's or clap's
/// default parser produced them.
fn values(matches: &ArgMatches, id: &str) -> Result<Vec<Value>> {
    if let Ok(found) = matches.try_get_many::<Value>(id) {
        return Ok(found.map(|v| v.cloned().collect()).unwrap_or_default());
    }
    match matches.try_get_many::<String>(id) {
        Ok(found) => Ok(found
            .map(|v| v.map(|s| Value::String(s.clone())).collect())
            .unwrap_or_default()),
        Err(_) => Err(Error::setup(format!(
            "option '{id}' has a value parser zenkit cannot read; use zenkit::cli::value_parser or clap's string parser"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Map<String, Value> {
        let info = AppInfo::new("1.0");
        let author = vec![
            Arg::new("who")
                .long("who")
                .value_parser(value_parser::<String>()),
            Arg::new("times")
                .long("times")
                .short('n')
                .value_parser(value_parser::<u32>()),
            Arg::new("tags")
                .long("tag")
                .value_parser(value_parser::<String>())
                .action(ArgAction::Append),
        ];
        let cmd = command(
            &info,
            AppKind::Base,
            "app",
            author,
            vec![],
            &[],
            &[("config-view", "Show")],
        );
        let matches = cmd.clone().try_get_matches_from(args).unwrap();
        cli_layer(&cmd, &matches).unwrap()
    }

    #[test]
    fn only_given_options_enter_the_layer() {
        let layer = parse(&[
            "app", "-vvv", "--debug", "--who", "x", "-n", "3", "--tag", "a", "--tag", "b",
        ]);
        assert_eq!(
            Value::Object(layer),
            serde_json::json!({"verbosity": 3, "debug": true, "who": "x", "times": 3, "tags": ["a", "b"]})
        );
        assert!(parse(&["app"]).is_empty());
    }

    #[test]
    fn builtin_option_values_are_typed() {
        let layer = parse(&[
            "app",
            "--limit",
            "5",
            "--log-level",
            "debug",
            "--config-file-silent",
        ]);
        assert_eq!(
            Value::Object(layer),
            serde_json::json!({"limit": 5, "log_level": "debug", "config_file_silent": true})
        );
    }

    fn check_number(raw: &str) -> std::result::Result<(), String> {
        raw.parse::<u32>().map(|_| ()).map_err(|e| e.to_string())
    }

    const RESET_PARAMS: &[CommandParam] = &[
        CommandParam {
            name: "what",
            place: ParamPlace::Positional,
            shape: ParamShape::One,
            long: "what",
            short: None,
            help: "What to forget",
            check: check_number,
        },
        CommandParam {
            name: "hard",
            place: ParamPlace::Option,
            shape: ParamShape::Flag,
            long: "hard",
            short: Some('H'),
            help: "Forget for good",
            check: check_number,
        },
        CommandParam {
            name: "also",
            place: ParamPlace::Option,
            shape: ParamShape::Many,
            long: "also",
            short: None,
            help: "More to forget",
            check: check_number,
        },
    ];

    fn script(defaults: &Map<String, Value>) -> Command {
        let info = AppInfo::new("1.0");
        let commands: [(&str, &str, &[CommandParam]); 2] = [
            ("greet", "Say hello", &[]),
            ("reset", "Forget", RESET_PARAMS),
        ];
        build(Spec {
            info: &info,
            kind: AppKind::Script,
            name: "app",
            author: vec![Arg::new("who")
                .long("who")
                .help("Whom to greet")
                .value_parser(value_parser::<String>())],
            extra: vec![],
            commands: &commands,
            actions: &[("config-view", "Show the configuration")],
            defaults,
        })
        .unwrap()
    }

    #[test]
    fn script_commands_are_subcommands_and_options_go_before_or_after() {
        let cmd = script(&Map::new());
        let layer = |args: &[&str]| {
            let matches = cmd.clone().try_get_matches_from(args).unwrap();
            Value::Object(cli_layer(&cmd, &matches).unwrap())
        };
        assert_eq!(
            layer(&["app", "greet"]),
            serde_json::json!({"command": "greet"})
        );
        assert_eq!(
            layer(&["app", "--command", "reset", "greet", "--shell"]),
            serde_json::json!({"command": "greet", "shell": true})
        );
        assert_eq!(
            layer(&["app", "--shell", "greet", "--who", "x", "--inter", "daily"]),
            serde_json::json!({"command": "greet", "shell": true, "who": "x", "interval": "daily"})
        );
        assert_eq!(
            layer(&["app", "--command", "greet", "--interval", "daily"]),
            serde_json::json!({"command": "greet", "interval": "daily"})
        );
        // an unknown command is left to the check of the key, which lists the valid ones
        assert_eq!(
            layer(&["app", "frobnicate", "x"]),
            serde_json::json!({"command": "frobnicate"})
        );
        assert!(cmd
            .clone()
            .try_get_matches_from(["app", "--shell", "--regular"])
            .is_err());
    }

    #[test]
    fn a_command_takes_its_own_arguments_and_options() {
        let cmd = script(&Map::new());
        let commands: [(&str, &str, &[CommandParam]); 2] =
            [("greet", "", &[]), ("reset", "", RESET_PARAMS)];
        let args = |argv: &[&str]| {
            let matches = cmd.clone().try_get_matches_from(argv).unwrap();
            command_args(&matches, &commands).map(|a| a.to_json())
        };
        assert_eq!(
            args(&["app", "--shell", "reset", "7", "-H", "--also", "1", "--also", "2", "--debug"]),
            Some(serde_json::json!({"what": "7", "hard": true, "also": ["1", "2"]}))
        );
        assert_eq!(
            args(&["app", "reset", "7"]),
            Some(serde_json::json!({"what": "7"}))
        );
        assert_eq!(args(&["app", "greet"]), Some(serde_json::json!({})));
        assert_eq!(args(&["app", "--command", "reset"]), None);
        assert_eq!(args(&["app", "frobnicate"]), None);
        for bad in [
            &["app", "reset"][..],
            &["app", "reset", "x"],
            &["app", "greet", "--hard"],
        ] {
            let err = cmd.clone().try_get_matches_from(bad).unwrap_err();
            assert!(err.use_stderr(), "{bad:?}");
        }
    }

    #[test]
    fn a_command_option_may_not_take_a_name_already_taken() {
        let info = AppInfo::new("1.0");
        let commands: [(&str, &str, &[CommandParam]); 1] = [("reset", "", &RESET_PARAMS[1..2])];
        let err = build(Spec {
            info: &info,
            kind: AppKind::Script,
            name: "app",
            author: vec![Arg::new("hard_mode").long("hard")],
            extra: vec![],
            commands: &commands,
            actions: &[],
            defaults: &Map::new(),
        })
        .unwrap_err();
        assert_eq!(
            err.message(),
            "option --hard of command 'reset' clashes with the option of key 'hard_mode'; rename the parameter or give it another `long`"
        );
    }

    #[test]
    fn help_shows_defaults_commands_and_actions() {
        let defaults = serde_json::json!({
            "who": "world", "log_level": "info", "debug": false, "tags": [], "limit": null,
        });
        let Value::Object(defaults) = defaults else {
            unreachable!()
        };
        let mut cmd = script(&defaults).term_width(200);
        let help = cmd.render_help().to_string();
        assert!(help.contains("Whom to greet [default: world]"), "{help}");
        assert!(
            help.contains("[default: info] [possible values: "),
            "{help}"
        );
        assert!(!help.contains("[default: false]"), "{help}");
        assert!(
            help.contains("Commands:\n  greet  Say hello\n  reset  Forget\n  help "),
            "{help}"
        );
        assert!(help.contains("Usage: app [OPTIONS] [COMMAND]"), "{help}");
        assert!(help.contains("Script options:"), "{help}");
        assert!(help.contains("[possible values: config-view]"), "{help}");
        let long = cmd.render_long_help().to_string();
        assert!(
            long.contains("- config-view: Show the configuration"),
            "{long}"
        );
        let reset = cmd
            .clone()
            .try_get_matches_from(["app", "help", "reset"])
            .unwrap_err();
        assert!(!reset.use_stderr());
        let reset = reset.render().to_string();
        assert!(
            reset.contains("Usage: app reset [OPTIONS] <WHAT>"),
            "{reset}"
        );
        assert!(
            reset.contains("<WHAT>\n          What to forget"),
            "{reset}"
        );
        assert!(reset.contains("-H, --hard"), "{reset}");
    }

    #[test]
    fn base_applications_have_no_script_options() {
        let ids: Vec<String> = builtin_args(AppKind::Base)
            .iter()
            .map(|a| a.get_id().to_string())
            .collect();
        assert!(
            !ids.iter().any(|id| id == "shell" || id == "command"),
            "{ids:?}"
        );
        assert!(builtin_args(AppKind::Script)
            .iter()
            .any(|a| a.get_id() == "time_high"));
    }

    #[test]
    fn plugin_options_get_their_group_and_clashes_name_both_owners() {
        let taken = vec![
            ("zenkit".to_string(), builtin_args(AppKind::Base)),
            ("the app".to_string(), vec![Arg::new("who").long("who")]),
        ];
        let ok = grouped_args(
            taken.clone(),
            Owner::Plugin,
            vec![("prom", vec![Arg::new("prom_dir").long("prom-dir")])],
        )
        .unwrap();
        assert_eq!(ok[0].get_help_heading(), Some("Plugin prom"));
        let ok = grouped_args(
            taken.clone(),
            Owner::Component,
            vec![("filer", vec![Arg::new("queue_in_dir").long("queue-in-dir")])],
        )
        .unwrap();
        assert_eq!(ok[0].get_help_heading(), Some("Component filer"));
        let err = grouped_args(
            taken.clone(),
            Owner::Component,
            vec![("filer", vec![Arg::new("whom").long("who")])],
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "option --who of component 'filer' clashes with the app; rename one of them"
        );
        let err = grouped_args(
            taken.clone(),
            Owner::Plugin,
            vec![("greeter", vec![Arg::new("whom").long("who")])],
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "option --who of plugin 'greeter' clashes with the app; rename one of them"
        );
        let err = grouped_args(
            taken,
            Owner::Plugin,
            vec![
                ("a", vec![Arg::new("x").long("same")]),
                ("b", vec![Arg::new("y").long("same")]),
            ],
        )
        .unwrap_err();
        assert!(
            err.message().contains("plugin 'b' clashes with plugin 'a'"),
            "{err}"
        );
    }

    #[test]
    fn unique_prefixes_of_long_options_are_accepted() {
        let info = AppInfo::new("1.0");
        let cmd = command(&info, AppKind::Daemon, "app", vec![], vec![], &[], &[]);
        let layer = |args: &[&str]| {
            let matches = cmd.clone().try_get_matches_from(args).unwrap();
            Value::Object(cli_layer(&cmd, &matches).unwrap())
        };
        assert_eq!(
            layer(&["app", "--no-d", "--verb", "--stats", "5", "--para"]),
            serde_json::json!({"no_daemon": true, "verbosity": 1, "stats_interval": 5.0, "paralel": true})
        );
        // `--runlog-` could be --runlog-dir, --runlog-dump, ...
        assert!(cmd
            .clone()
            .try_get_matches_from(["app", "--runlog-d"])
            .is_err());
        let script = command(&info, AppKind::Script, "app", vec![], vec![], &[], &[]);
        let matches = script
            .clone()
            .try_get_matches_from(["app", "--adjust", "--time-h", "1"])
            .unwrap();
        assert_eq!(
            Value::Object(cli_layer(&script, &matches).unwrap()),
            serde_json::json!({"adjust_thresholds": true, "time_high": "1"})
        );
    }

    #[test]
    fn quiet_conflicts_with_verbose_and_bad_values_are_rejected() {
        let info = AppInfo::new("1.0");
        let cmd = command(&info, AppKind::Base, "app", vec![], vec![], &[], &[]);
        assert!(cmd
            .clone()
            .try_get_matches_from(["app", "--quiet", "-v"])
            .is_err());
        assert!(cmd
            .clone()
            .try_get_matches_from(["app", "--limit", "x"])
            .is_err());
        assert!(cmd
            .try_get_matches_from(["app", "--log-level", "loud"])
            .is_err());
    }

    #[test]
    fn log_levels_and_formats_are_possible_values_and_warn_is_another_spelling() {
        let info = AppInfo::new("1.0");
        let cmd = command(&info, AppKind::Base, "app", vec![], vec![], &[], &[]);
        let layer = |args: &[&str]| {
            let matches = cmd.clone().try_get_matches_from(args).unwrap();
            Value::Object(cli_layer(&cmd, &matches).unwrap())
        };
        assert_eq!(
            layer(&["app", "--log-level", "warn", "--log-format", "json"]),
            serde_json::json!({"log_level": "warn", "log_format": "json"})
        );
        assert_eq!(
            layer(&["app", "--log-level", "DEBUG", "--log-format", "JSON"]),
            serde_json::json!({"log_level": "DEBUG", "log_format": "JSON"})
        );
        assert!(cmd
            .clone()
            .try_get_matches_from(["app", "--log-format", "xml"])
            .is_err());
        let help = cmd.clone().render_help().to_string();
        let help: String = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            help.contains("[possible values: trace, debug, info, warning, error, critical]"),
            "{help}"
        );
        assert!(help.contains("[possible values: text, json]"), "{help}");
        // as an author's option with `env` does, --log-filter names RUST_LOG
        assert!(
            help.contains("(info,mytool::db=debug,hyper=warn) [env: RUST_LOG]"),
            "{help}"
        );
    }
}
