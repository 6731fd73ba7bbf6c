//! The setup stage: the configuration put in force (or only inspected:
//! `--help-config`, `--action config-schema`, `--action config-check`), a
//! daemon's start-up, the privilege drop with the hand-over of the files
//! and the writability checks, logging, the persistent state, the plugins'
//! and the author's setup, and the `--debug` dumps.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::dyn_app::DynApp;
use super::guard::guarded;
use super::inspect::{self, Inspect};
use super::{Runtime, Stop};
use crate::app::AppKind;
use crate::config::{Config, Layer};
use crate::configure::{self, start_logging};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::privileges::{self, Account};
use crate::spec::AppSpec;
use crate::{settings, state};

/// Runs the setup stage with the defaults, the command-line values and the
/// options of the keys that init found.
pub(super) fn setup(
    spec: &AppSpec,
    app: &mut dyn DynApp,
    rt: &mut Runtime,
    defaults: Map<String, Value>,
    cli: Map<String, Value>,
    options: Vec<(String, String)>,
) -> std::result::Result<(), Stop> {
    rt.ctx.mark("stage_setup_start", "Start of the setup stage");
    let requested = Inspect::requested(&cli);
    if let Some(Inspect::Describe(how)) = requested {
        let option_of = |key: &str| {
            let found = options.iter().find(|(k, _)| k == key);
            found.map(|(_, option)| option.clone())
        };
        return Err(Stop::Exit(inspect::describe(
            spec, rt, how, &defaults, &option_of,
        )?));
    }
    let get = |var: &str| rt.ctx.host.var_os(var);
    // the command line wins: a variable of a key it gives is not read
    let environment: Vec<_> = configure::environment(spec)
        .into_iter()
        .filter(|env| !cli.contains_key(env.key))
        .collect();
    // a check reports every bad variable and goes on with the good ones
    let (env, env_errors) = match requested {
        Some(Inspect::Check) => crate::config::read_each_env(&environment, get),
        _ => (crate::config::read_env(&environment, get)?, Vec::new()),
    };
    let mut config = match Config::load_with_env(defaults, env, cli) {
        Ok(config) => config,
        Err(err) if requested == Some(Inspect::Check) => {
            let mut errors = env_errors;
            errors.push(err);
            return Err(Stop::Exit(inspect::report(
                &rt.ctx.host,
                &rt.ctx.name,
                &[],
                errors,
                &[],
            )));
        }
        Err(err) => return Err(err.into()),
    };
    config.set_options(options);
    match Inspect::requested(config.as_map()) {
        Some(Inspect::Check) => {
            return Err(Stop::Exit(inspect::check(
                spec, app, rt, &config, env_errors,
            )))
        }
        Some(Inspect::Describe(how)) => {
            let option_of = |key: &str| config.option_of(key).map(str::to_string);
            let defaults = config
                .layers()
                .first()
                .map(|(_, d)| d.clone())
                .unwrap_or_default();
            return Err(Stop::Exit(inspect::describe(
                spec, rt, how, &defaults, &option_of,
            )?));
        }
        None => {}
    }
    setup_config(spec, app, rt, config)?;
    if let Err(err) = setup_state(app, rt) {
        crate::critical!("{}", err.message());
        return Err(if rt.ctx.core.logging.to_console {
            Stop::Reported(err)
        } else {
            Stop::Fail(err)
        });
    }
    rt.ctx.mark("stage_setup_stop", "End of the setup stage");
    Ok(())
}

/// Setup up to logging: configuration, typed binding, privileges, logging.
fn setup_config(
    spec: &AppSpec,
    app: &mut dyn DynApp,
    rt: &mut Runtime,
    config: Config,
) -> Result<()> {
    let Runtime { ctx, plugins, .. } = rt;
    let prepared = configure::prepare(spec, config)?;
    app.bind(&prepared.config)?;
    plugins.configure(&prepared.config)?;
    plugins.add_log_layers()?;
    let unknown = configure::checked_unknown_keys(spec, &prepared.config)?;
    let (user, group) = (prepared.user.clone(), prepared.group.clone());
    if ctx.host.is_own() && (user.is_some() || group.is_some()) {
        // the accounts are the whole process's, not the run's
        return Err(Error::setup(
            "a run in the test's own process cannot switch to another user or group; \
             run the built program instead (zenkit::testing::App::run)",
        ));
    }
    prepared.install(ctx);
    if cfg!(feature = "daemon") && spec.kind == AppKind::Daemon && ctx.settings.action.is_none() {
        #[cfg(feature = "daemon")]
        start_daemon(ctx, user.as_ref(), group.as_ref())?;
    } else {
        privileges::drop_privileges(user.as_ref(), group.as_ref())?;
        check_writable(ctx, user.as_ref(), group.as_ref())?;
        start_logging(ctx)?;
    }
    configure::warn_duplicate_keys(ctx);
    configure::warn_unknown_keys(ctx, &unknown);
    Ok(())
}

/// Starts a daemon: it opens its PID file and log file, detaches, and
/// hands its files over before it drops privileges.
#[cfg(feature = "daemon")]
fn start_daemon(ctx: &mut Context, user: Option<&Account>, group: Option<&Account>) -> Result<()> {
    crate::daemon::startup::start(ctx)?;
    start_logging(ctx)?;
    crate::daemon::startup::enter(ctx)?;
    hand_over_files(ctx, user, group)?;
    // once dropped, the daemon cannot remove root's PID file
    let dropping = user.is_some() || group.is_some();
    if let Some(pidfile) = ctx.pidfile.as_mut() {
        if dropping && nix::unistd::geteuid().is_root() {
            pidfile.start_remover()?;
        }
    }
    privileges::drop_privileges(user, group)?;
    check_writable(ctx, user, group)
}

/// Gives the daemon's log file and runlog directory to the account it is
/// about to become, so it can still reopen the log after a rotation and
/// write its runlogs. (The PID file stays root's: `start-stop-daemon`
/// refuses a PID file a non-root account could have written. The remover
/// the daemon starts before the drop takes it away at the end.)
#[cfg(feature = "daemon")]
fn hand_over_files(ctx: &Context, user: Option<&Account>, group: Option<&Account>) -> Result<()> {
    if user.is_none() && group.is_none() {
        return Ok(());
    }
    let uid = user.map(|u| nix::unistd::Uid::from_raw(u.id));
    let gid = group.map(|g| nix::unistd::Gid::from_raw(g.id));
    if ctx.core.logging.to_file {
        crate::handover::file(&ctx.settings.log_file, uid, gid, "log file")?;
    }
    let dir = &ctx.settings.runlog_dir;
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::setup(format!(
            "cannot create the runlog directory {}: {e}",
            dir.display()
        ))
    })?;
    crate::handover::dir(dir, uid, gid, "runlog directory")
}

/// After a privilege drop, checks that the files zenkit writes at the end
/// (persistent state, runlogs, daemon state) can be written, so a run fails
/// at its start rather than losing them at its end.
fn check_writable(ctx: &Context, user: Option<&Account>, group: Option<&Account>) -> Result<()> {
    if (user.is_none() && group.is_none()) || ctx.settings.action.is_some() {
        return Ok(());
    }
    let parent = settings::parent_dir;
    // the files are replaced atomically: their directories must be writable
    let mut places: Vec<(&str, &Path, PathBuf)> = Vec::new();
    if ctx.core.pstate.save {
        let file = &ctx.settings.pstate_file;
        places.push(("persistent state file", file, parent(file)));
    }
    if let Some(daemon) = &ctx.daemon {
        places.push((
            "daemon state file",
            &daemon.state_file,
            parent(&daemon.state_file),
        ));
    }
    if ctx.core.runlog.save {
        let dir = &ctx.settings.runlog_dir;
        let checked = if dir.exists() {
            dir.clone()
        } else {
            parent(dir)
        };
        places.push(("runlog directory", dir, checked));
    }
    for (what, place, dir) in places {
        if dir.exists() && nix::unistd::access(&dir, nix::unistd::AccessFlags::W_OK).is_err() {
            return Err(Error::setup(format!(
                "the {what} {} cannot be written after dropping privileges: {} is not writable by that account; \
                 make it writable or choose another place in the configuration",
                place.display(),
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Setup after logging is up: persistent state, the plugins' and the
/// author's setup, the dump.
fn setup_state(app: &mut dyn DynApp, rt: &mut Runtime) -> Result<()> {
    let Runtime { ctx, plugins, .. } = rt;
    let path = ctx.settings.pstate_file.clone();
    let pstate = state::load(&path)?;
    app.load_state(&pstate)
        .map_err(|err| err.context(format!("persistent state file {}", path.display())))?;
    ctx.pstate = pstate;
    plugins.setup(ctx)?;
    guarded("setup", || app.setup(ctx))?;
    dump_setup(ctx, &plugins.names());
    Ok(())
}

/// With `--debug` or debug logging, shows the name, paths, layers, the
/// final configuration, the persistent state and the plugins, under
/// pyzenkit's titles.
fn dump_setup(ctx: &Context, plugins: &[&str]) {
    if !ctx.dumps_setup() {
        return;
    }
    let name = format!("Application name is '{}'", ctx.name);
    ctx.dbgout(format_args!("{name}"));
    tracing::debug!("{name}");
    ctx.dump_debug("System paths", &ctx.paths.to_json());
    let mut defaults = Map::new();
    let mut dir = Map::new();
    let mut file = Map::new();
    let mut env = Map::new();
    let mut cli = Map::new();
    for (layer, values) in ctx.config.layers() {
        let into = match layer {
            Layer::Default => &mut defaults,
            Layer::Dir(_) => &mut dir,
            Layer::File(_) => &mut file,
            Layer::Env(_) => &mut env,
            Layer::Cli => &mut cli,
        };
        into.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    ctx.dump_debug("Default configurations", &defaults);
    ctx.dump_debug("Loaded directory configurations", &dir);
    ctx.dump_debug("Loaded file configurations", &file);
    ctx.dump_debug("Loaded environment configurations", &env);
    ctx.dump_debug("Loaded command line configurations", &cli);
    ctx.dump_debug("Final application configurations", ctx.config.as_map());
    ctx.dump_debug("Loaded persistent state", &ctx.pstate);
    ctx.dump_debug("Application plugins", &Value::from(plugins.to_vec()));
}
