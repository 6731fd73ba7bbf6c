//! The command line: the built-in options (from the table of built-in
//! keys), the author's and the plugins' options, and turning what was given
//! into a configuration layer.
//!
//! A plugin declares its options as [`clap::Arg`]s whose values come from
//! [`value_parser`]; the rest is the runtime's.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

use zenkit_builtins::{Key, Kinds, Opt, Takes, ValueType};

use crate::app::{AppInfo, AppKind};
use crate::{Error, Result};

/// Help heading of the options every zenkit application has.
pub(crate) const COMMON_HEADING: &str = "Common options";

/// Help heading of the options of scripts.
pub(crate) const SCRIPT_HEADING: &str = "Script options";

/// Help heading of the options of daemons.
pub(crate) const DAEMON_HEADING: &str = "Daemon options";

/// Id of the positional argument that selects a script's command.
pub(crate) const COMMAND_ARG: &str = "COMMAND";

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
    let mut arg = Arg::new(key.key).long(opt.long).help(key.help);
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
        ValueType::LogLevel => arg.value_parser(
            PossibleValuesParser::new(zenkit_builtins::LOG_LEVELS).map(Value::String),
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
/// built-in ones under their headings, a script's commands as the first
/// positional argument, and the lists of commands and actions after the help.
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
    let mut cmd = Command::new(name.to_string())
        // any unique prefix of a long option, as Python's argparse accepts
        .infer_long_args(true)
        .version(info.version)
        .about(info.about)
        .long_about((!info.long_about.is_empty()).then_some(info.long_about))
        .args(author)
        .args(builtin_args(kind))
        .args(plugins);
    let mut after = Vec::new();
    if !commands.is_empty() {
        let default = info.default_command.unwrap_or(commands[0].0);
        cmd = cmd.arg(
            Arg::new(COMMAND_ARG)
                .help(format!("Command to run (default: {default})"))
                .value_parser(value_parser::<String>())
                .action(ArgAction::Set),
        );
        after.push(listing("Commands:", commands));
    }
    if !actions.is_empty() {
        after.push(listing("Actions (--action NAME):", actions));
    }
    if !after.is_empty() {
        cmd = cmd.after_help(after.join("\n\n"));
    }
    cmd
}

/// A help section: a title, then one `name  help` line per entry.
fn listing(title: &str, entries: &[(&str, &str)]) -> String {
    let width = entries.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut text = String::from(title);
    for (name, help) in entries {
        text.push_str(&format!("\n  {name:width$}  {help}"));
    }
    text
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
    // the positional form of the command wins over `--command`
    if let Some(command) = layer.remove(COMMAND_ARG) {
        layer.insert("command".to_string(), command);
    }
    Ok(layer)
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

    #[test]
    fn script_command_positional_wins_over_the_option() {
        let info = AppInfo::new("1.0");
        let commands = [("greet", "Say hello"), ("reset", "Forget")];
        let cmd = command(
            &info,
            AppKind::Script,
            "app",
            vec![],
            vec![],
            &commands,
            &[],
        );
        let layer = |args: &[&str]| {
            let matches = cmd.clone().try_get_matches_from(args).unwrap();
            Value::Object(cli_layer(&cmd, &matches).unwrap())
        };
        assert_eq!(
            layer(&["app", "reset"]),
            serde_json::json!({"command": "reset"})
        );
        assert_eq!(
            layer(&["app", "--command", "greet", "reset", "--shell"]),
            serde_json::json!({"command": "reset", "shell": true})
        );
        assert_eq!(
            layer(&["app", "--command", "greet", "--interval", "daily"]),
            serde_json::json!({"command": "greet", "interval": "daily"})
        );
        assert!(cmd
            .clone()
            .try_get_matches_from(["app", "--shell", "--regular"])
            .is_err());
        let help = cmd.clone().render_help().to_string();
        assert!(
            help.contains("Commands:\n  greet  Say hello\n  reset  Forget"),
            "{help}"
        );
        assert!(help.contains("Script options:"), "{help}");
        assert!(help.contains("[COMMAND]"), "{help}");
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
}
