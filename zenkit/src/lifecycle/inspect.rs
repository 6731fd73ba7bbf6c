//! What a run can tell about its configuration without running anything:
//! `--help-config` (every key as text), `--action config-schema` (a JSON
//! Schema of the configuration file) and `--action config-check` (the whole
//! configuration checked, every error reported). Each prints, then the run
//! ends with its exit code before logging, privileges, the persistent state,
//! the runlog or a daemon's PID file: no file is written or created.

use serde_json::{Map, Value};

use super::dyn_app::DynApp;
use super::Runtime;
use crate::app::AppKind;
use crate::config::{Config, Layer};
use crate::configure;
use crate::error::{Error, ErrorKind, EXIT_CONFIG, EXIT_SUCCESS, EXIT_USAGE};
use crate::host::{Host, Stream};
use crate::schema::{self, Catalog, KeyDoc, Owner};
use crate::spec::AppSpec;

/// What the command line asks to inspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Inspect {
    /// `--help-config` or `--action config-schema`.
    Describe(Description),
    /// `--action config-check`.
    Check,
}

/// How the keys are described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Description {
    /// As text (`--help-config`).
    Keys,
    /// As a JSON Schema (`--action config-schema`).
    Schema,
}

impl Inspect {
    /// What `values` (the command line, or the merged configuration) ask
    /// for, if anything.
    pub(super) fn requested(values: &Map<String, Value>) -> Option<Inspect> {
        if values.get("help_config") == Some(&Value::Bool(true)) {
            return Some(Inspect::Describe(Description::Keys));
        }
        match values.get("action").and_then(Value::as_str) {
            Some(zenkit_builtins::CONFIG_SCHEMA) => Some(Inspect::Describe(Description::Schema)),
            Some(zenkit_builtins::CONFIG_CHECK) => Some(Inspect::Check),
            _ => None,
        }
    }
}

/// Prints the keys of application `spec` as `how` says; `defaults` are the
/// defaults of every key, `option_of` names the option of a key. Returns
/// the exit code.
pub(super) fn describe(
    spec: &AppSpec,
    rt: &Runtime,
    how: Description,
    defaults: &Map<String, Value>,
    option_of: &dyn Fn(&str) -> Option<String>,
) -> crate::Result<u8> {
    let catalog = catalog(spec, rt, defaults, option_of)?;
    let text = match how {
        Description::Schema => {
            let schema = catalog.json_schema(&rt.ctx.name);
            let mut text = serde_json::to_string_pretty(&schema)
                .map_err(|e| Error::msg(format!("cannot write the schema: {e}")))?;
            text.push('\n');
            text
        }
        Description::Keys => catalog.help_text(&rt.ctx.name),
    };
    print(&rt.ctx.host, &text)?;
    Ok(EXIT_SUCCESS)
}

fn print(host: &Host, text: &str) -> crate::Result<()> {
    use std::io::Write;
    let mut out = host.writer(Stream::Stdout);
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

/// Every key of application `spec`: the built-in ones, the application's, its
/// components' and its plugins', with the schemas their types give.
fn catalog(
    spec: &AppSpec,
    rt: &Runtime,
    defaults: &Map<String, Value>,
    option_of: &dyn Fn(&str) -> Option<String>,
) -> crate::Result<Catalog> {
    let mut generator = schema::generator();
    let environment = configure::environment(spec);
    let env_of = |key: &str| {
        let found = environment.iter().find(|env| env.key == key);
        found.map(|env| env.var.to_string())
    };
    let default_of = |key: &str| defaults.get(key).cloned().unwrap_or(Value::Null);
    let actions: Vec<&str> = configure::all_actions(spec)
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let commands: Vec<&str> = spec.commands.iter().map(|c| c.name).collect();
    let mut keys: Vec<KeyDoc> = zenkit_builtins::keys(spec.kind)
        .map(|key| KeyDoc {
            key: key.key.to_string(),
            owner: Owner::Builtin,
            schema: schema::builtin_schema(key, &actions, &commands),
            default: default_of(key.key),
            help: key.help.to_string(),
            option: option_of(key.key),
            env: env_of(key.key),
            aliases: key.alias.map(str::to_string).into_iter().collect(),
            in_files: key.in_files,
        })
        .collect();
    let declared = (spec.key_schemas)(&mut generator);
    let author_keys: Vec<String> = (spec.defaults)()?
        .keys()
        .filter(|k| !keys.iter().any(|doc| doc.key == **k))
        .cloned()
        .collect();
    let add =
        |keys: &mut Vec<KeyDoc>, owner: Owner, key: &str, schema: Option<Value>, help: String| {
            if keys.iter().any(|doc| doc.key == key) {
                return;
            }
            let default = default_of(key);
            keys.push(KeyDoc {
                key: key.to_string(),
                owner,
                schema: schema.unwrap_or_else(|| schema::inferred(&default)),
                default,
                help,
                option: option_of(key),
                env: env_of(key),
                aliases: Vec::new(),
                in_files: true,
            });
        };
    for key in &author_keys {
        let found = declared.iter().find(|d| d.key == *key);
        let schema = found.and_then(|d| d.schema.clone()).map(Value::from);
        let help = found.map(|d| d.help.clone()).unwrap_or_default();
        add(&mut keys, Owner::Application, key, schema, help);
    }
    {
        let components = spec.components(Some(&mut generator))?;
        let schemas = &components.schemas;
        let options: Vec<clap::Arg> = components
            .options
            .iter()
            .flat_map(|(_, args)| args.iter().cloned())
            .collect();
        for (component, key, _) in components.defaults {
            let properties = schemas
                .iter()
                .find(|(name, _)| *name == component)
                .and_then(|(_, schema)| schema.clone());
            let property = properties.and_then(|object| {
                let defs = generator.definitions();
                schema::resolve(&object, defs)
                    .get("properties")
                    .and_then(|p| p.get(&key))
                    .cloned()
            });
            let help = property
                .as_ref()
                .and_then(|p| p.get("description"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| option_help(&options, &key))
                .unwrap_or_default();
            let owner = Owner::Component(component);
            add(&mut keys, owner, &key, property, help);
        }
    }
    for plugin in rt.plugins.iter() {
        let declared = plugin.schema(&mut generator);
        let options = plugin.options();
        for key in plugin.defaults().keys() {
            let found = declared.iter().find(|d| d.key == *key);
            let schema = found.and_then(|d| d.schema.clone()).map(Value::from);
            let help = found
                .map(|d| d.help.clone())
                .filter(|h| !h.is_empty())
                .or_else(|| option_help(&options, key))
                .unwrap_or_default();
            let owner = Owner::Plugin(plugin.name().to_string());
            add(&mut keys, owner, key, schema, help);
        }
    }
    let defs = generator.take_definitions(true);
    Ok(Catalog { keys, defs })
}

/// The help of the option among `options` that sets key `key`.
fn option_help(options: &[clap::Arg], key: &str) -> Option<String> {
    options
        .iter()
        .find(|arg| arg.get_id() == key)
        .and_then(|arg| arg.get_help())
        .map(ToString::to_string)
}

/// Checks the whole configuration of application `spec` as setup and a
/// daemon's start would, without taking anything on: the built-in keys,
/// the application's, its plugins' and its components'; unknown keys are
/// warnings (errors with `deny_unknown_keys`). Prints every warning and
/// error, one per line, and returns the exit code. `env_errors` are those
/// of environment variables whose values were left out of `config`.
pub(super) fn check(
    spec: &AppSpec,
    app: &mut dyn DynApp,
    rt: &mut Runtime,
    config: &Config,
    env_errors: Vec<Error>,
) -> u8 {
    let mut errors = env_errors;
    errors.extend(configure::check(spec, config));
    // the application's default command needing arguments says nothing
    // about the configuration: a run names it with them
    let chosen = config
        .origin("command")
        .is_some_and(|origin| origin.layer != Layer::Default);
    if spec.kind == AppKind::Script && chosen {
        if let Ok(Some(selected)) = config.get::<Option<String>>("command") {
            errors.extend(super::missing_args_of(spec, rt, config, &selected));
        }
    }
    errors.extend(app.bind_checked(config));
    errors.extend(rt.plugins.check(config));
    #[cfg(feature = "daemon")]
    errors.extend(app.check_components(config));
    let mut warnings: Vec<String> = config
        .duplicate_keys()
        .iter()
        .map(ToString::to_string)
        .collect();
    let unknown = configure::all_unknown_keys(spec, config);
    if spec.deny_unknown_keys {
        errors.extend(unknown);
    } else {
        warnings.extend(unknown.iter().map(ToString::to_string));
    }
    warnings.extend(configure::ignored_key_warnings(config));
    let files: Vec<String> = config
        .layers()
        .iter()
        .filter_map(|(layer, _)| match layer {
            crate::config::Layer::Dir(_) | crate::config::Layer::File(_) => Some(layer.to_string()),
            _ => None,
        })
        .collect();
    report(&rt.ctx.host, &rt.ctx.name, &files, errors, &warnings)
}

/// Prints the outcome of a check of application `name`'s configuration,
/// read from `files`: each warning and error on a line of its own on
/// the stderr of `host`, and a last line saying how it went. Returns the
/// exit code: 0 without errors, 64 when every error is about the command
/// line, else 78.
pub(super) fn report(
    host: &Host,
    name: &str,
    files: &[String],
    errors: Vec<Error>,
    warnings: &[String],
) -> u8 {
    let say = |stream, line: String| {
        let _ = host.write(stream, &format!("{line}\n"));
    };
    let mut unique: Vec<Error> = Vec::new();
    for err in errors {
        if !unique.iter().any(|e| e.message() == err.message()) {
            unique.push(err);
        }
    }
    for warning in warnings {
        say(Stream::Stderr, format!("warning: {warning}"));
    }
    for err in &unique {
        say(Stream::Stderr, format!("error: {}", err.message()));
    }
    let read = if files.is_empty() {
        "no configuration file".to_string()
    } else {
        files.join(", ")
    };
    if unique.is_empty() {
        say(
            Stream::Stdout,
            format!("{name}: the configuration is valid ({read})"),
        );
        return EXIT_SUCCESS;
    }
    let count = unique.len();
    let noun = if count == 1 { "error" } else { "errors" };
    say(
        Stream::Stderr,
        format!("{name}: the configuration has {count} {noun} ({read})"),
    );
    if unique.iter().all(|e| e.kind() == ErrorKind::Usage) {
        EXIT_USAGE
    } else {
        EXIT_CONFIG
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn what_is_requested() {
        let requested = |v| Inspect::requested(&map(v));
        assert_eq!(
            requested(json!({"help_config": true, "action": "config-check"})),
            Some(Inspect::Describe(Description::Keys))
        );
        assert_eq!(
            requested(json!({"action": "config-schema"})),
            Some(Inspect::Describe(Description::Schema))
        );
        assert_eq!(
            requested(json!({"action": "config-check"})),
            Some(Inspect::Check)
        );
        assert_eq!(requested(json!({"action": "config-view"})), None);
        assert_eq!(requested(json!({"help_config": false})), None);
    }

    #[test]
    fn exit_codes_of_a_check() {
        let host = Host::own(Default::default());
        let files = ["/etc/x.conf".to_string()];
        assert_eq!(report(&host, "x", &files, Vec::new(), &[]), EXIT_SUCCESS);
        let usage = Error::usage("option --limit: bad");
        let config = Error::config("/etc/x.conf:1:2: configuration key 'a': bad");
        assert_eq!(
            report(&host, "x", &files, vec![usage.clone()], &[]),
            EXIT_USAGE
        );
        assert_eq!(
            report(&host, "x", &files, vec![usage, config], &[]),
            EXIT_CONFIG
        );
        let setup = Error::setup("unknown user 'nosuch'");
        assert_eq!(
            report(&host, "x", &[], vec![setup], &["w".into()]),
            EXIT_CONFIG
        );
        let (stdout, stderr) = host.take_output();
        assert_eq!(
            String::from_utf8(stdout).unwrap(),
            "x: the configuration is valid (/etc/x.conf)\n"
        );
        let stderr = String::from_utf8(stderr).unwrap();
        assert!(
            stderr.ends_with(
                "warning: w\nerror: unknown user 'nosuch'\n\
                 x: the configuration has 1 error (no configuration file)\n"
            ),
            "{stderr}"
        );
    }
}
