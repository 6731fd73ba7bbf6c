//! Preparing a configuration and putting it in force, for start-up and for
//! a daemon's SIGHUP reload alike.
//!
//! The steps are kept apart so a caller can check everything before it
//! changes anything: [`prepare`] checks and binds a merged configuration
//! without touching the process or the context (the action and command
//! names, the built-in settings, the accounts); [`checked_unknown_keys`]
//! lists the keys nothing knows; [`Prepared::install`] commits the result to the
//! context; [`start_logging`] then puts its logging in force.

use serde_json::{json, Value};

use crate::app::AppKind;
use crate::config::{self, Config, Layer};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::log::{self, LogSettings};
use crate::privileges::{self, Account};
use crate::settings::{Core, DaemonSettings, ScriptSettings, Settings};
use crate::spec::AppSpec;

/// A merged configuration, checked and bound to the built-in settings, with
/// `__core__` computed: what setup and a SIGHUP reload put in force.
pub(crate) struct Prepared {
    pub(crate) config: Config,
    pub(crate) core: Core,
    pub(crate) settings: Settings,
    pub(crate) script: Option<ScriptSettings>,
    pub(crate) daemon: Option<DaemonSettings>,
    pub(crate) user: Option<Account>,
    pub(crate) group: Option<Account>,
}

/// The built-in actions followed by the author's, as (name, help).
pub(crate) fn all_actions(spec: &AppSpec) -> Vec<(&'static str, &'static str)> {
    zenkit_builtins::actions(spec.kind)
        .filter(|a| cfg!(feature = "manual") || !zenkit_builtins::MANUAL_ACTIONS.contains(&a.name))
        .map(|a| (a.name, a.help))
        .chain((spec.actions)().into_iter().map(|a| (a.name, a.help)))
        .collect()
}

/// The keys of application `spec` that environment variables set: the
/// built-in ones and the author's.
pub(crate) fn environment(spec: &AppSpec) -> Vec<config::EnvKey> {
    let mut keys = crate::settings::environment().to_vec();
    keys.extend((spec.environment)());
    keys
}

/// Checks and binds a freshly loaded configuration of application `spec`.
pub(crate) fn prepare(spec: &AppSpec, mut config: Config) -> Result<Prepared> {
    let mut settings = Settings::bind(&config)?;
    let actions: Vec<&str> = all_actions(spec).iter().map(|(name, _)| *name).collect();
    check_choice(&config, "action", settings.action.as_deref(), &actions)?;
    let mut script = None;
    if spec.kind == AppKind::Script {
        let bound = ScriptSettings::bind(&config, chrono::Utc::now())?;
        let commands: Vec<&str> = spec.commands.iter().map(|c| c.name).collect();
        check_choice(&config, "command", Some(&bound.command), &commands)?;
        if bound.regular {
            // the regular mode is quiet whatever the layers say
            settings.quiet = true;
            config.set("quiet", json!(true), Layer::Default);
        }
        script = Some(bound);
    }
    let daemon = match spec.kind {
        AppKind::Daemon => Some(DaemonSettings::bind(&config)?),
        _ => None,
    };
    let accounts: Accounts = config.bind()?;
    let (user, group) = accounts.resolve(&config);
    let (user, group) = (user?, group?);
    for (key, acc) in [("user", &user), ("group", &group)] {
        if let Some(acc) = acc {
            let layer = config
                .origin(key)
                .map(|o| o.layer.clone())
                .unwrap_or(Layer::Default);
            config.set(key, acc.to_json(), layer);
        }
    }
    let core = Core::new(spec.kind, settings.log_level, script.as_ref());
    config.set_core(core.to_json());
    Ok(Prepared {
        config,
        core,
        settings,
        script,
        daemon,
        user,
        group,
    })
}

/// Checks a freshly loaded configuration of application `spec` as [`prepare`]
/// does, gathering every error instead of stopping at the first: the
/// built-in settings key by key, the action and command names, the
/// accounts (resolved, not taken on).
pub(crate) fn check(spec: &AppSpec, config: &Config) -> Vec<Error> {
    let mut errors = Vec::new();
    if let Some(settings) = crate::check::gather(config, Settings::bind, &mut errors) {
        let actions: Vec<&str> = all_actions(spec).iter().map(|(name, _)| *name).collect();
        errors.extend(check_choice(config, "action", settings.action.as_deref(), &actions).err());
    }
    if spec.kind == AppKind::Script {
        let now = chrono::Utc::now();
        if let Some(bound) =
            crate::check::gather(config, |c| ScriptSettings::bind(c, now), &mut errors)
        {
            let commands: Vec<&str> = spec.commands.iter().map(|c| c.name).collect();
            errors.extend(check_choice(config, "command", Some(&bound.command), &commands).err());
        }
    }
    if spec.kind == AppKind::Daemon {
        crate::check::gather(config, DaemonSettings::bind, &mut errors);
    }
    if let Some(accounts) = crate::check::gather(config, Config::bind::<Accounts>, &mut errors) {
        let (user, group) = accounts.resolve(config);
        errors.extend(user.err());
        errors.extend(group.err());
    }
    errors
}

impl Prepared {
    /// Keeps what start-up decided for this process over a reload: the
    /// daemon state file and whether the log goes to the console.
    #[cfg(feature = "daemon")]
    pub(crate) fn keep_startup_choices(&mut self, ctx: &Context) {
        if let (Some(settings), Some(old)) = (self.daemon.as_mut(), ctx.daemon.as_ref()) {
            settings.state_file = old.state_file.clone();
        }
        self.core.logging.to_console = ctx.core.logging.to_console;
        self.config.set_core(self.core.to_json());
    }

    /// Puts the prepared configuration in force in `ctx` (a `--debug` given
    /// on the command line stays on).
    pub(crate) fn install(self, ctx: &mut Context) {
        ctx.settings = Settings {
            debug: ctx.settings.debug || self.settings.debug,
            ..self.settings
        };
        ctx.script = self.script;
        ctx.daemon = self.daemon;
        ctx.core = self.core;
        ctx.config = self.config;
    }
}

/// Starts or reconfigures logging from the configuration in force.
pub(crate) fn start_logging(ctx: &Context) -> Result<()> {
    let logging = &ctx.core.logging;
    log::init(&LogSettings {
        name: ctx.name.clone(),
        level: logging.level,
        to_console: logging.to_console,
        level_console: logging.level_console,
        file: logging.to_file.then(|| ctx.settings.log_file.clone()),
        level_file: logging.level_file,
        filter: ctx.settings.log_filter.clone(),
        format: ctx.settings.log_format,
        // a run with output of its own keeps its console lines
        journal: !ctx.host.is_own() && log::console_to_journal(ctx.settings.log_journal),
    })
}

/// The accounts to run as, as given: a name, a numeric id, or the resolved
/// `[name, id]` of a configuration dump.
#[derive(serde::Deserialize)]
struct Accounts {
    user: Option<Value>,
    group: Option<Value>,
}

impl Accounts {
    /// The user and the group resolved, each an error of its own.
    fn resolve(self, config: &Config) -> (Result<Option<Account>>, Result<Option<Account>>) {
        (
            account(config, "user", self.user, privileges::resolve_user),
            account(config, "group", self.group, privileges::resolve_group),
        )
    }
}

/// Resolves the account `spec` given for key `key`, if any; an error is
/// located where the value was set.
fn account(
    config: &Config,
    key: &str,
    spec: Option<Value>,
    resolve: fn(&Value) -> Result<Account>,
) -> Result<Option<Account>> {
    match spec {
        None | Some(Value::Null) => Ok(None),
        Some(spec) => resolve(&spec)
            .map(Some)
            .map_err(|err| match config.origin(key) {
                Some(origin) if origin.layer != Layer::Cli => config.error_at(key, err.message()),
                _ => err,
            }),
    }
}

/// Checks that key `key` (`action`, `command`) names one of `valid`, early,
/// before privileges, logging or state: an unknown name from the command
/// line is a usage error, from a file a located configuration error.
fn check_choice(config: &Config, key: &str, given: Option<&str>, valid: &[&str]) -> Result<()> {
    match given {
        None => Ok(()),
        Some(given) if valid.contains(&given) => Ok(()),
        Some(given) => Err(config.error_for(
            key,
            format!(
                "unknown {key} '{given}'; valid {key}s: {}",
                valid.join(", ")
            ),
        )),
    }
}

/// The unknown keys of `config` as [`unknown_keys`] reports them, the keys
/// of its defaults being the known ones; with `#[zen(deny_unknown_keys)]`
/// the first of them is the error instead.
pub(crate) fn checked_unknown_keys(spec: &AppSpec, config: &Config) -> Result<Vec<Error>> {
    let unknown = all_unknown_keys(spec, config);
    match unknown.first() {
        Some(first) if spec.deny_unknown_keys => Err(first.clone()),
        _ => Ok(unknown),
    }
}

/// The unknown keys of `config` as [`unknown_keys`] reports them, the keys
/// of its defaults being the known ones.
pub(crate) fn all_unknown_keys(spec: &AppSpec, config: &Config) -> Vec<Error> {
    let known: Vec<String> = match config.layers().first() {
        Some((_, defaults)) => defaults.keys().cloned().collect(),
        None => Vec::new(),
    };
    unknown_keys(spec, config, &known)
}

/// The unknown keys of a configuration, each as a located configuration
/// error naming the closest known key: the top-level keys that are not in
/// `known` (nor another spelling of a built-in key), then the keys inside
/// the application's configuration values that their types do not use.
fn unknown_keys(spec: &AppSpec, config: &Config, known: &[String]) -> Vec<Error> {
    let mut known: Vec<&str> = known.iter().map(String::as_str).collect();
    known.extend(zenkit_builtins::keys(spec.kind).filter_map(|k| k.alias));
    let top = config.unknown_keys(&known).into_iter().map(|key| {
        let hint = config::closest(&key, &known);
        (vec![config::Segment::Key(key.clone())], hint)
    });
    let nested = (spec.unknown_keys)(config).into_iter().map(|unknown| {
        let given = match unknown.path.last() {
            Some(config::Segment::Key(key)) => key.as_str(),
            _ => "",
        };
        let hint = config::closest(given, &unknown.known);
        (unknown.path, hint)
    });
    top.chain(nested)
        .map(|(path, hint)| {
            let hint = hint
                .map(|h| format!("; did you mean '{h}'?"))
                .unwrap_or_default();
            config.error_at_path(&path, format!("unknown key{hint}"))
        })
        .collect()
}

/// Logs a warning about the configuration: to the log file, and to the
/// console unless the run is quiet.
fn warn_about_config(ctx: &Context, warning: &dyn std::fmt::Display) {
    // a cron job must not mail about its configuration on every run
    if ctx.settings.quiet {
        tracing::warn!(target: log::FILE_ONLY, "{warning}");
    } else {
        tracing::warn!("{warning}");
    }
}

/// Logs the keys a configuration file gives twice in one object as
/// warnings, with the logging in force.
pub(crate) fn warn_duplicate_keys(ctx: &Context) {
    for duplicate in ctx.config.duplicate_keys() {
        warn_about_config(ctx, duplicate);
    }
}

/// Logs the unknown keys as warnings, then the keys the configuration files
/// set but may not, with the logging in force.
pub(crate) fn warn_unknown_keys(ctx: &Context, unknown: &[Error]) {
    for warning in unknown {
        warn_about_config(ctx, warning);
    }
    for warning in ignored_key_warnings(&ctx.config) {
        warn_about_config(ctx, &warning);
    }
}

/// A warning for each key the configuration files set but may not.
pub(crate) fn ignored_key_warnings(config: &Config) -> Vec<String> {
    config
        .ignored_keys()
        .into_iter()
        .map(|(layer, key)| {
            format!("configuration key '{key}' in {layer} is ignored: it cannot be set in a file")
        })
        .collect()
}
