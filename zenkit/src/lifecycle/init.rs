//! The init stage: the plugins, the command line, the application name and
//! paths, and the defaults of every configuration key, with the clashes
//! between the keys of the runtime, the application and its plugins. The
//! actions answered from the command line alone (shell completions, the
//! manual page) end the run here, before any file is touched.

use std::ffi::OsString;
use std::path::Path;

use serde_json::{Map, Value};

use super::{Runtime, Stop};
#[cfg(not(all(feature = "daemon", feature = "script")))]
use crate::app::AppKind;
use crate::app::CommandParam;
use crate::cli;
use crate::configure::all_actions;
use crate::context::Context;
use crate::error::Error;
use crate::host::Host;
#[cfg(feature = "manual")]
use crate::manual;
use crate::paths::Paths;
use crate::plugin::Plugins;
use crate::runlog::Runlog;
use crate::settings;
use crate::spec::{AppSpec, Components};

/// What init hands to setup beside the runtime.
pub(super) struct Given {
    pub(super) defaults: Map<String, Value>,
    pub(super) cli: Map<String, Value>,
    /// The option of each key that has one (`--stats-interval`).
    pub(super) options: Vec<(String, String)>,
}

/// The built-in options read from the command line before the configuration.
#[derive(serde::Deserialize)]
struct Early {
    #[serde(default)]
    debug: bool,
    name: Option<String>,
}

/// Names an application may have: `^[_a-zA-Z][-_a-zA-Z0-9.]*$`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(super) fn init(
    host: &Host,
    spec: &AppSpec,
    args: Vec<OsString>,
) -> Result<(Runtime, Given), Stop> {
    let info = (spec.info)();
    let exe_name = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "zenkit-app".to_string());
    let default_name = info.name.map(str::to_string).unwrap_or(exe_name);
    let commands: Vec<(&str, &str, &[CommandParam])> = spec
        .commands
        .iter()
        .map(|c| (c.name, c.help, c.params))
        .collect();
    #[cfg(not(feature = "daemon"))]
    if spec.kind == AppKind::Daemon {
        return Err(crate::app::without_daemon().into());
    }
    #[cfg(not(feature = "script"))]
    if spec.kind == AppKind::Script {
        return Err(crate::app::without_script().into());
    }
    let plugins = Plugins::collect((spec.plugins)(), spec.linked_plugins)?;
    let components = spec.components(None)?;
    let mut taken = vec![
        (
            "zenkit's built-in options".to_string(),
            cli::builtin_args(spec.kind),
        ),
        ("the application's options".to_string(), (spec.options)()),
    ];
    let mut extra_args = Vec::new();
    if !components.options.is_empty() {
        let args = cli::grouped_args(
            taken.clone(),
            cli::Owner::Component,
            components
                .options
                .iter()
                .map(|(name, args)| (name.as_str(), args.clone()))
                .collect(),
        )?;
        taken.push(("a component".to_string(), args.clone()));
        extra_args.extend(args);
    }
    extra_args.extend(cli::grouped_args(
        taken,
        cli::Owner::Plugin,
        plugins.iter().map(|p| (p.name(), p.options())).collect(),
    )?);
    let paths = Paths::from_root_var(host.var_os(crate::paths::ROOT_ENV), &info.paths);
    let default_command = info
        .default_command
        .or_else(|| spec.commands.first().map(|c| c.name));
    // the defaults help shows are those of the default name
    let help_defaults = defaults(
        spec,
        &default_name,
        &paths,
        default_command,
        &components,
        &plugins,
    )?;
    let cmd = cli::build(cli::Spec {
        info: &info,
        kind: spec.kind,
        name: &default_name,
        author: (spec.options)(),
        extra: extra_args,
        commands: &commands,
        actions: &all_actions(spec),
        defaults: &help_defaults,
    })?;
    let matches = cmd
        .clone()
        .try_get_matches_from(&args)
        .map_err(Stop::Clap)?;
    let cli_values = cli::cli_layer(&cmd, &matches)?;
    #[cfg(feature = "manual")]
    if let Some(Value::String(action)) = cli_values.get("action") {
        if let Some(page) = manual::Page::of(action) {
            // printed from the command line alone: no file is touched
            let shell = cli_values.get("input").and_then(Value::as_str);
            manual::print(page, cmd, shell, host)?;
            return Err(Stop::Exit(0));
        }
    }
    let command_args = cli::command_args(&matches, &commands);
    let options = cmd
        .get_arguments()
        .filter_map(|arg| {
            let name = match (arg.get_long(), arg.get_short()) {
                (Some(long), _) => format!("--{long}"),
                (None, Some(short)) => format!("-{short}"),
                (None, None) => return None,
            };
            Some((arg.get_id().to_string(), name))
        })
        .collect();
    // what the command line says before any configuration is read: the
    // name decides where the configuration is
    let early: Early = serde_json::from_value(Value::Object(cli_values.clone()))
        .map_err(|e| Error::usage(e.to_string()))?;
    let debug = early.debug;
    let name = early.name.unwrap_or_else(|| default_name.clone());
    if !valid_name(&name) {
        return Err(Error::usage(format!(
            "invalid application name '{name}': it must match ^[_a-zA-Z][-_a-zA-Z0-9.]*$; pass a valid --name"
        ))
        .into());
    }
    let argv = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let runlog = Runlog::new(&name, argv);
    let mut ctx = Context::new(name, paths, runlog, debug);
    ctx.host = host.clone();
    ctx.dbgout(format_args!("application '{}' initialized", ctx.name));
    let defaults = if ctx.name == default_name {
        help_defaults
    } else {
        defaults(
            spec,
            &ctx.name,
            &ctx.paths,
            default_command,
            &components,
            &plugins,
        )?
    };
    ctx.plugin_names = plugins.names();
    if !ctx.plugin_names.is_empty() {
        ctx.dbgout(format_args!("plugins: {}", ctx.plugin_names.join(", ")));
    }
    let runtime = Runtime {
        ctx,
        plugins,
        command_args,
    };
    let given = Given {
        defaults,
        cli: cli_values,
        options,
    };
    Ok((runtime, given))
}

/// The defaults of the built-in keys, the application's and the plugins';
/// a plugin's key that another owner has already is an error.
fn defaults(
    spec: &AppSpec,
    name: &str,
    paths: &Paths,
    default_command: Option<&str>,
    components: &Components,
    plugins: &Plugins,
) -> Result<Map<String, Value>, Stop> {
    let mut defaults = settings::defaults(spec.kind, name, paths, default_command);
    let builtin_keys: Vec<String> = defaults.keys().cloned().collect();
    let author = (spec.defaults)()?;
    let mut owners: Vec<(String, String)> = builtin_keys
        .into_iter()
        .map(|k| (k, "a built-in key".to_string()))
        .chain(
            author
                .keys()
                .map(|k| (k.clone(), "a key of the application".to_string())),
        )
        .collect();
    defaults.extend(author);
    // a component's own keys join the defaults; the keys of the
    // application it views are the application's
    for (component, key, value) in &components.defaults {
        if !defaults.contains_key(key) {
            owners.push((key.clone(), format!("a key of component '{component}'")));
            defaults.insert(key.clone(), value.clone());
        }
    }
    for plugin in plugins.iter() {
        for (key, value) in plugin.defaults() {
            if let Some((_, owner)) = owners.iter().find(|(k, _)| *k == key) {
                return Err(Error::setup(format!(
                    "configuration key '{key}' of plugin '{}' clashes with {owner}; rename one of them",
                    plugin.name()
                ))
                .into());
            }
            owners.push((key.clone(), format!("a key of plugin '{}'", plugin.name())));
            defaults.insert(key, value);
        }
    }
    Ok(defaults)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_names() {
        for ok in ["app", "_x", "demo-app.py", "A1_b-c.d"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "1app", "-x", "a b", "a/b", ".x"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
