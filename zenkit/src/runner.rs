//! The life-cycle runner: init → setup → action | process → evaluate →
//! teardown, and embedded mode (init and setup only).

use std::cell::{Cell, RefCell};
use std::ffi::OsString;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Once;

use serde_json::{json, Map, Value};

use crate::actions::{self, ActionInput};
use crate::app::{App, AppKind};
use crate::config::{self, Config, Layer};
use crate::context::{timestamp, Context};
use crate::error::{Error, Result};
use crate::log::{self, LogLevel, LogSettings};
use crate::paths::Paths;
use crate::privileges::{self, Account};
use crate::runlog::{analysis, Runlog};
use crate::settings::{self, Core, DaemonSettings, ScriptSettings, Settings};
use crate::{cli, fs, state};

/// An application brought up in embedded mode (pyzenkit's plugin mode):
/// configured, logging, state loaded, author setup done; nothing run yet.
/// Another program holds it, calls into `app` with `ctx`, and may finish the
/// life-cycle with [`Embedded::run`], [`Embedded::run_action`] and
/// [`Embedded::finish`].
#[derive(Debug)]
pub struct Embedded<A> {
    /// The application.
    pub app: A,
    /// Its context.
    pub ctx: Context,
}

impl<A: App> Embedded<A> {
    /// Runs the rest of the life-cycle as [`run`] would: the configured
    /// action, or process → evaluate → teardown. Returns the exit code.
    pub fn run(mut self) -> u8 {
        run_stages(&mut self.app, &mut self.ctx)
    }

    /// Runs action `name` (the author's or a built-in one) in an action
    /// stage; returns the exit code of the run so far.
    pub fn run_action(&mut self, name: &str) -> u8 {
        stage_action(&mut self.app, &mut self.ctx, name);
        self.ctx.runlog.rc()
    }

    /// Runs the teardown stage (the author's teardown, then the persistent
    /// state and the runlog are saved) and returns the exit code.
    pub fn finish(mut self) -> u8 {
        stage_teardown(&mut self.app, &mut self.ctx);
        self.ctx.runlog.rc()
    }
}

/// How a run stops before its stages.
enum Stop {
    /// clap printed help or version, or found a usage error.
    Clap(clap::Error),
    /// An error not reported yet.
    Fail(Error),
    /// An error already written to the console log.
    Reported(Error),
}

impl From<Error> for Stop {
    fn from(err: Error) -> Self {
        Stop::Fail(err)
    }
}

/// Runs application `A` with the process's arguments and returns its exit code.
///
/// ```no_run
/// # use zenkit::prelude::*;
/// # #[derive(Default)] struct MyApp;
/// # impl App for MyApp { fn info() -> zenkit::AppInfo { zenkit::AppInfo::new("1.0") } }
/// # impl Hooks for MyApp {}
/// fn main() -> std::process::ExitCode {
///     zenkit::run::<MyApp>()
/// }
/// ```
pub fn run<A: App>() -> ExitCode {
    run_from::<A, _, _>(std::env::args_os())
}

/// Runs application `A` with the given arguments (the first is the program).
/// `.env.local` and `.env` of the working directory are read first.
pub fn run_from<A, I, T>(args: I) -> ExitCode
where
    A: App,
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    crate::paths::load_dotenv();
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    match bring_up::<A>(args) {
        Ok(Embedded { mut app, mut ctx }) => {
            let rc = run_stages(&mut app, &mut ctx);
            if crate::daemon::daemonize::awaiting_report() {
                let errors = ctx.runlog.get("errors").and_then(Value::as_array);
                let last = errors.and_then(|e| e.last()).and_then(Value::as_str);
                crate::daemon::daemonize::report_failure(
                    last.unwrap_or("the daemon stopped during start-up"),
                    rc.max(1),
                );
            }
            ExitCode::from(rc)
        }
        Err(Stop::Clap(err)) => {
            let _ = err.print();
            ExitCode::from(if err.use_stderr() {
                crate::error::EXIT_USAGE
            } else {
                0
            })
        }
        Err(Stop::Fail(err)) => {
            crate::daemon::daemonize::report_failure(err.message(), err.exit_code());
            eprintln!("{} CRITICAL ERROR: {}", timestamp(), err.message());
            ExitCode::from(err.exit_code())
        }
        Err(Stop::Reported(err)) => {
            crate::daemon::daemonize::report_failure(err.message(), err.exit_code());
            ExitCode::from(err.exit_code())
        }
    }
}

/// Brings application `A` up in embedded mode: init and setup only, with the
/// given arguments (the first is the program). Unlike [`run_from`] it does
/// not read `.env` files (the host program owns its environment).
///
/// Help and version requests and command-line errors are returned as usage
/// errors carrying clap's text.
pub fn embed<A, I, T>(args: I) -> Result<Embedded<A>>
where
    A: App,
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    match bring_up::<A>(args.into_iter().map(Into::into).collect()) {
        Ok(embedded) => Ok(embedded),
        Err(Stop::Clap(err)) => Err(Error::usage(
            err.render().to_string().trim_end().to_string(),
        )),
        Err(Stop::Fail(err) | Stop::Reported(err)) => Err(err),
    }
}

/// What init hands to setup.
struct Initialized<A> {
    app: A,
    ctx: Context,
    defaults: Map<String, Value>,
    cli: Map<String, Value>,
    /// The option of each key that has one (`--stats-interval`).
    options: Vec<(String, String)>,
}

fn bring_up<A: App>(args: Vec<OsString>) -> std::result::Result<Embedded<A>, Stop> {
    let Initialized {
        mut app,
        mut ctx,
        defaults,
        cli,
        options,
    } = init::<A>(args)?;
    ctx.mark("stage_setup_start", "Start of the setup stage");
    let mut config = Config::load(defaults, cli)?;
    config.set_options(options);
    setup_config(&mut app, &mut ctx, config)?;
    if let Err(err) = setup_state(&mut app, &mut ctx) {
        crate::critical!("{}", err.message());
        return Err(if ctx.core.logging.to_console {
            Stop::Reported(err)
        } else {
            Stop::Fail(err)
        });
    }
    ctx.mark("stage_setup_stop", "End of the setup stage");
    Ok(Embedded { app, ctx })
}

/// Names an application may have: `^[_a-zA-Z][-_a-zA-Z0-9.]*$`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The built-in actions followed by the author's, as (name, help).
fn all_actions<A: App>() -> Vec<(&'static str, &'static str)> {
    zenkit_builtins::actions(A::KIND)
        .map(|a| (a.name, a.help))
        .chain(A::actions().into_iter().map(|a| (a.name, a.help)))
        .collect()
}

fn init<A: App>(args: Vec<OsString>) -> std::result::Result<Initialized<A>, Stop> {
    let info = A::info();
    let exe_name = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "zenkit-app".to_string());
    let default_name = info.name.map(str::to_string).unwrap_or(exe_name);
    let commands: Vec<(&str, &str)> = A::COMMANDS.iter().map(|c| (c.name, c.help)).collect();
    let plugins = crate::plugin::collect(A::plugins(), A::LINKED_PLUGINS)?;
    let plugin_args = cli::plugin_args(
        vec![
            (
                "zenkit's built-in options".to_string(),
                cli::builtin_args(A::KIND),
            ),
            ("the application's options".to_string(), A::options()),
        ],
        plugins.iter().map(|p| (p.name(), p.options())).collect(),
    )?;
    let cmd = cli::command(
        &info,
        A::KIND,
        &default_name,
        A::options(),
        plugin_args,
        &commands,
        &all_actions::<A>(),
    );
    let matches = cmd
        .clone()
        .try_get_matches_from(&args)
        .map_err(Stop::Clap)?;
    let cli_values = cli::cli_layer(&cmd, &matches)?;
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
    let debug = cli_values.get("debug") == Some(&Value::Bool(true));
    let name = match cli_values.get("name").and_then(Value::as_str) {
        Some(given) => given.to_string(),
        None => default_name,
    };
    if !valid_name(&name) {
        return Err(Error::usage(format!(
            "invalid application name '{name}': it must match ^[_a-zA-Z][-_a-zA-Z0-9.]*$; pass a valid --name"
        ))
        .into());
    }
    let paths = Paths::from_env(&info.paths);
    let argv = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let runlog = Runlog::new(&name, argv);
    let mut ctx = Context::new(name, paths, runlog, debug);
    ctx.dbgout(format_args!("application '{}' initialized", ctx.name));
    let default_command = info
        .default_command
        .or_else(|| A::COMMANDS.first().map(|c| c.name));
    let mut defaults = settings::defaults(A::KIND, &ctx.name, &ctx.paths, default_command);
    let builtin_keys: Vec<String> = defaults.keys().cloned().collect();
    let author = A::defaults()?;
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
    if A::KIND == AppKind::Daemon {
        // a component's own keys join the defaults; the keys of the
        // application it views are the application's
        let mut wiring = crate::daemon::Wiring::new();
        A::wire(&mut wiring);
        for (component, key, value) in wiring.config_defaults()? {
            if !defaults.contains_key(&key) {
                owners.push((key.clone(), format!("a key of component '{component}'")));
                defaults.insert(key, value);
            }
        }
    }
    for plugin in &plugins {
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
    ctx.plugins = plugins;
    if !ctx.plugins.is_empty() {
        ctx.dbgout(format_args!("plugins: {}", ctx.plugin_names().join(", ")));
    }
    Ok(Initialized {
        app: A::default(),
        ctx,
        defaults,
        cli: cli_values,
        options,
    })
}

/// Resolves the account named by configuration key `key`, if set; an error
/// is located where the value was set.
fn account(
    config: &Config,
    key: &str,
    resolve: fn(&Value) -> Result<Account>,
) -> Result<Option<Account>> {
    match config.value(key) {
        None | Some(Value::Null) => Ok(None),
        Some(spec) => resolve(spec)
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
fn check_choice(config: &Config, key: &str, what: &str, valid: &[&str]) -> Result<()> {
    let Some(Value::String(given)) = config.value(key) else {
        return Ok(());
    };
    if valid.contains(&given.as_str()) {
        return Ok(());
    }
    Err(config.error_for(
        key,
        format!(
            "unknown {what} '{given}'; valid {what}s: {}",
            valid.join(", ")
        ),
    ))
}

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

/// Checks and binds a freshly loaded configuration of application `A`.
pub(crate) fn prepare<A: App>(mut config: Config) -> Result<Prepared> {
    let is_script = A::KIND == AppKind::Script;
    if is_script && config.value("regular") == Some(&Value::Bool(true)) {
        // the regular mode is quiet whatever the layers say (SPEC §6)
        config.set("quiet", json!(true), Layer::Default);
    }
    let settings = Settings::bind(&config)?;
    let actions: Vec<&str> = all_actions::<A>().iter().map(|(name, _)| *name).collect();
    check_choice(&config, "action", "action", &actions)?;
    let mut script = None;
    if is_script {
        let commands: Vec<&str> = A::COMMANDS.iter().map(|c| c.name).collect();
        check_choice(&config, "command", "command", &commands)?;
        script = Some(ScriptSettings::bind(&config, chrono::Utc::now())?);
    }
    let daemon = match A::KIND {
        AppKind::Daemon => Some(DaemonSettings::bind(&config)?),
        _ => None,
    };
    let user = account(&config, "user", privileges::resolve_user)?;
    let group = account(&config, "group", privileges::resolve_group)?;
    for (key, acc) in [("user", &user), ("group", &group)] {
        if let Some(acc) = acc {
            let layer = config
                .origin(key)
                .map(|o| o.layer.clone())
                .unwrap_or(Layer::Default);
            config.set(key, acc.to_json(), layer);
        }
    }
    let core = Core::new(A::KIND, settings.log_level, script.as_ref());
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

impl Prepared {
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
        to_console: logging.to_console,
        level_console: logging.level_console,
        file: logging.to_file.then(|| ctx.settings.log_file.clone()),
        level_file: logging.level_file,
    })
}

/// Setup up to logging: configuration, typed binding, privileges, logging.
fn setup_config<A: App>(app: &mut A, ctx: &mut Context, config: Config) -> Result<()> {
    let known: Vec<String> = config.layers()[0].1.keys().cloned().collect();
    let prepared = prepare::<A>(config)?;
    app.bind(&prepared.config)?;
    for plugin in &mut ctx.plugins {
        plugin.configure(&prepared.config)?;
    }
    let unknown = unknown_keys::<A>(&prepared.config, &known);
    if A::DENY_UNKNOWN_KEYS {
        if let Some(first) = unknown.first() {
            return Err(first.clone());
        }
    }
    let (user, group) = (prepared.user.clone(), prepared.group.clone());
    prepared.install(ctx);
    if A::KIND == AppKind::Daemon && ctx.settings.action.is_none() {
        // a daemon opens its PID file and log file before it drops privileges
        crate::daemon::startup::start(ctx)?;
        start_logging(ctx)?;
        crate::daemon::startup::enter(ctx)?;
        hand_over_files(ctx, user.as_ref(), group.as_ref())?;
        privileges::drop_privileges(user.as_ref(), group.as_ref())?;
        check_writable(ctx, user.as_ref(), group.as_ref())?;
    } else {
        privileges::drop_privileges(user.as_ref(), group.as_ref())?;
        check_writable(ctx, user.as_ref(), group.as_ref())?;
        start_logging(ctx)?;
    }
    for warning in &unknown {
        // a cron job must not mail about its configuration on every run
        if ctx.settings.quiet {
            tracing::warn!(target: log::FILE_ONLY, "{warning}");
        } else {
            tracing::warn!("{warning}");
        }
    }
    for (layer, key) in ctx.config.ignored_keys() {
        tracing::warn!(
            "configuration key '{key}' in {layer} is ignored: it cannot be set in a file"
        );
    }
    Ok(())
}

/// The unknown keys of a configuration, each as a located configuration
/// error naming the closest known key: the top-level keys that are not in
/// `known` (nor another spelling of a built-in key), then the keys inside
/// the application's configuration values that their types do not use.
fn unknown_keys<A: App>(config: &Config, known: &[String]) -> Vec<Error> {
    let mut known: Vec<&str> = known.iter().map(String::as_str).collect();
    known.extend(zenkit_builtins::keys(A::KIND).filter_map(|k| k.alias));
    let top = config.unknown_keys(&known).into_iter().map(|key| {
        let hint = config::closest(&key, &known);
        (vec![config::Segment::Key(key.clone())], hint)
    });
    let nested = A::unknown_keys(config).into_iter().map(|unknown| {
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

/// Gives the daemon's log file and runlog directory to the account it is
/// about to become, so it can still reopen the log after a rotation and
/// write its runlogs. (The PID file stays root's: `start-stop-daemon`
/// refuses a PID file a non-root account could have written. The daemon
/// clears it through the descriptor it keeps.)
fn hand_over_files(ctx: &Context, user: Option<&Account>, group: Option<&Account>) -> Result<()> {
    if user.is_none() && group.is_none() {
        return Ok(());
    }
    let uid = user.map(|u| nix::unistd::Uid::from_raw(u.id));
    let gid = group.map(|g| nix::unistd::Gid::from_raw(g.id));
    if ctx.core.logging.to_file {
        nix::unistd::chown(&ctx.settings.log_file, uid, gid).map_err(|e| {
            Error::setup(format!(
                "cannot hand the log file {} over: {e}",
                ctx.settings.log_file.display()
            ))
        })?;
    }
    let dir = &ctx.settings.runlog_dir;
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::setup(format!(
            "cannot create the runlog directory {}: {e}",
            dir.display()
        ))
    })?;
    nix::unistd::chown(dir, uid, gid).map_err(|e| {
        Error::setup(format!(
            "cannot hand the runlog directory {} over: {e}",
            dir.display()
        ))
    })
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

/// Setup after logging is up: persistent state, the author's setup, the dump.
fn setup_state<A: App>(app: &mut A, ctx: &mut Context) -> Result<()> {
    let path = ctx.settings.pstate_file.clone();
    let pstate = state::load(&path)?;
    app.load_state(&pstate)
        .map_err(|err| err.context(format!("persistent state file {}", path.display())))?;
    ctx.pstate = pstate;
    ctx.each_plugin(|plugin, ctx| {
        plugin
            .setup(ctx)
            .map_err(|e| e.context(format!("plugin '{}'", plugin.name())))
    })?;
    guarded("setup", || app.setup(ctx))?;
    dump_setup(ctx);
    Ok(())
}

/// With `--debug` or debug logging, shows paths, layers, the final
/// configuration and the persistent state.
fn dump_setup(ctx: &Context) {
    let debug_logging = ctx.settings.log_level == LogLevel::Debug;
    if !ctx.settings.debug && !debug_logging {
        return;
    }
    let show = |what: String, value: fs::JsonRef<'_>| {
        let text = fs::to_json_pretty(value);
        ctx.dbgout(format_args!("{what}:\n{text}"));
        tracing::debug!("{what}:\n{text}");
    };
    show("application paths".into(), (&ctx.paths.to_json()).into());
    for (layer, values) in ctx.config.layers() {
        show(format!("configuration layer {layer}"), values.into());
    }
    show("final configuration".into(), ctx.config.as_map().into());
    show("persistent state".into(), (&ctx.pstate).into());
}

thread_local! {
    /// How many `guarded` calls are running on this thread.
    static GUARD_DEPTH: Cell<u32> = const { Cell::new(0) };
    /// The message and location of the last panic caught by `guarded`.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records panics inside [`guarded`] and
/// hands every other panic to the hook that was there before.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARD_DEPTH.with(Cell::get) == 0 {
                return previous(info);
            }
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let place = info
                .location()
                .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            PANIC.with(|p| *p.borrow_mut() = Some(format!("{payload}{place}")));
        }));
    });
}

/// Runs `f`, turning a panic into an error carrying its message and location.
fn guarded<R>(stage: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    install_panic_hook();
    PANIC.with(|p| p.borrow_mut().take());
    GUARD_DEPTH.with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARD_DEPTH.with(|d| d.set(d.get() - 1));
    result.unwrap_or_else(|_| {
        let what = PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Error::msg(format!("panic in the {stage} stage: {what}")))
    })
}

/// Runs the stages after setup and returns the exit code.
fn run_stages<A: App>(app: &mut A, ctx: &mut Context) -> u8 {
    match ctx.settings.action.clone() {
        Some(action) => stage_action(app, ctx, &action),
        None => {
            stage(ctx, "process", "processing", |ctx| {
                guarded("process", || match A::KIND {
                    AppKind::Script => run_command(app, ctx),
                    AppKind::Daemon => crate::daemon::event_loop::run(app, ctx),
                    AppKind::Base => app.process(ctx),
                })
            });
            stage(ctx, "evaluate", "evaluation", |ctx| {
                evaluate(ctx);
                Ok(())
            });
            stage_teardown(app, ctx);
        }
    }
    ctx.runlog.rc()
}

/// Runs one stage between its time marks `stage_<ident>_start/stop`,
/// registering its error.
fn stage(ctx: &mut Context, ident: &str, descr: &str, f: impl FnOnce(&mut Context) -> Result<()>) {
    ctx.mark(
        &format!("stage_{ident}_start"),
        &format!("Start of the {descr} stage"),
    );
    if let Err(err) = f(ctx) {
        ctx.register_error_code(&err, err.exit_code());
    }
    ctx.mark(
        &format!("stage_{ident}_stop"),
        &format!("End of the {descr} stage"),
    );
}

/// A script's process step: runs the selected command and records its name
/// and result in the runlog.
fn run_command<A: App>(app: &mut A, ctx: &mut Context) -> Result<()> {
    let Some(name) = ctx.script.as_ref().map(|s| s.command.clone()) else {
        return Err(Error::msg("no command is selected"));
    };
    if crate::runlog::RESERVED_KEYS.contains(&name.as_str()) {
        return Err(Error::usage(format!(
            "command '{name}' would overwrite the runlog key of that name; rename the command"
        )));
    }
    ctx.runlog.insert("command", json!(name));
    tracing::info!("Executing script command '{name}'");
    match app.execute_command(&name, ctx) {
        Some(result) => {
            ctx.runlog.insert(name, result?);
            Ok(())
        }
        None => Err(Error::usage(format!(
            "command '{name}' has no implementation"
        ))),
    }
}

fn stage_action<A: App>(app: &mut A, ctx: &mut Context, action: &str) {
    ctx.runlog.insert("action", json!(action));
    stage(ctx, "action", "action", |ctx| {
        if let Some(result) = guarded("action", || Ok(app.run_action(action, ctx)))? {
            return result;
        }
        builtin_action(ctx, action)
    });
}

fn builtin_action(ctx: &mut Context, action: &str) -> Result<()> {
    if crate::daemon::actions::run(action, ctx, &mut std::io::stdout().lock())? {
        return Ok(());
    }
    let config = &ctx.config;
    let settings = &ctx.settings;
    let origin_of = |path: &str| config.origin(path).map(ToString::to_string);
    let input = ActionInput {
        config: config.as_map(),
        origin_of: &origin_of,
        verbose: settings.verbosity > 0,
        runlog_dir: &settings.runlog_dir,
        input: settings.input.as_deref(),
        limit: settings.limit,
        now: crate::runlog::now_ts(),
    };
    let mut out = std::io::stdout().lock();
    if !actions::run_builtin(action, &input, &mut out)? {
        return Err(Error::usage(format!(
            "action '{action}' is listed but has no implementation"
        )));
    }
    out.flush()
        .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

fn evaluate(ctx: &mut Context) {
    let analysis = analysis::analyze(&ctx.runlog.to_value(), crate::runlog::now_ts());
    tracing::info!(
        "Application runtime: '{}' (effectivity {:6.2} %)",
        analysis::format_duration(analysis.dur_run),
        analysis.effectivity
    );
}

fn stage_teardown<A: App>(app: &mut A, ctx: &mut Context) {
    ctx.mark("stage_teardown_start", "Start of the teardown stage");
    if let Err(err) = guarded("teardown", || app.teardown(ctx)) {
        ctx.register_error_code(&err, err.exit_code());
    }
    let mut plugins = std::mem::take(&mut ctx.plugins);
    for plugin in &mut plugins {
        if let Err(err) = plugin.teardown(ctx) {
            ctx.register_error(err.context(format!("plugin '{}'", plugin.name())));
        }
        for (key, value) in plugin.runlog(ctx) {
            if crate::runlog::RESERVED_KEYS.contains(&key.as_str()) {
                tracing::warn!(
                    "plugin '{}' may not set the runlog key '{key}'",
                    plugin.name()
                );
            } else {
                ctx.runlog.insert(key, value);
            }
        }
    }
    ctx.plugins = plugins;
    if let Err(err) = save_pstate(app, ctx) {
        ctx.register_error(&err);
    }
    ctx.mark("stage_teardown_stop", "End of the teardown stage");
    if let Err(err) = save_runlog(ctx) {
        ctx.register_error(&err);
    }
}

/// Prints a JSON document to stdout; a closed stdout is an error, not a panic.
fn print_json<'a>(value: impl Into<fs::JsonRef<'a>>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", fs::to_json_pretty(value))
        .and_then(|()| out.flush())
        .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

fn save_pstate<A: App>(app: &A, ctx: &mut Context) -> Result<()> {
    app.save_state(&mut ctx.pstate)?;
    if ctx.core.pstate.save {
        state::save(&ctx.settings.pstate_file, &ctx.pstate)?;
    }
    if ctx.settings.pstate_dump || ctx.settings.pstate_log {
        let state = Value::Object(ctx.pstate.clone());
        if ctx.settings.pstate_log {
            tracing::info!(
                "Application persistent state:\n{}",
                fs::to_json_pretty(&state)
            );
        }
        if ctx.settings.pstate_dump {
            print_json(&state)?;
        }
    }
    Ok(())
}

fn save_runlog(ctx: &mut Context) -> Result<()> {
    if ctx.core.runlog.save {
        let dir = &ctx.settings.runlog_dir;
        ctx.runlog
            .save(dir)
            .map_err(|e| Error::msg(format!("cannot write runlog into {}: {e}", dir.display())))?;
    }
    if ctx.settings.runlog_log {
        tracing::info!("Application runlog:\n{}", fs::to_json_pretty(&ctx.runlog));
    }
    if ctx.settings.runlog_dump {
        print_json(&ctx.runlog)?;
    }
    Ok(())
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

    #[test]
    fn panics_become_errors_with_location() {
        let err = guarded::<()>("process", || panic!("boom {}", 7)).unwrap_err();
        assert!(
            err.message()
                .starts_with("panic in the process stage: boom 7 at "),
            "{err}"
        );
        assert!(err.message().contains("runner.rs:"), "{err}");
        assert_eq!(guarded("process", || Ok(5)).unwrap(), 5);
    }

    #[test]
    fn panics_in_other_threads_leave_the_guard_balanced() {
        install_panic_hook();
        // a panic in another thread started from a guarded stage is not
        // swallowed: the thread's own result still carries it
        let outcome = guarded("process", || {
            let joined = std::thread::spawn(|| panic!("worker failed")).join();
            Ok(joined.is_err())
        });
        assert_eq!(outcome, Ok(true));
        assert_eq!(GUARD_DEPTH.with(Cell::get), 0);
    }
}
