//! The life-cycle runner (SPEC §2): init → setup → action | process →
//! evaluate → teardown, and embedded mode (init + setup only).

use std::ffi::OsString;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Map, Value};

use crate::actions::{self, ActionInput, BUILTIN_ACTIONS};
use crate::app::{App, AppKind};
use crate::config::{self, Config};
use crate::context::{timestamp, Context};
use crate::error::{Error, Result};
use crate::log::{self, LogLevel, LogSettings};
use crate::paths::Paths;
use crate::privileges::{self, Account};
use crate::runlog::{analysis, Runlog};
use crate::{cli, fs, state};

/// An application brought up in embedded mode: configured, logging, state
/// loaded, author setup done; nothing run. Another program holds it and
/// calls into it.
#[derive(Debug)]
pub struct Embedded<A> {
    /// The application.
    pub app: A,
    /// Its context.
    pub ctx: Context,
}

/// How a run stops before its stages: clap printed help or version, or a
/// usage error, or an error of init/setup.
enum Stop {
    Clap(clap::Error),
    Fail(Error),
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
pub fn run_from<A, I, T>(args: I) -> ExitCode
where
    A: App,
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    match bring_up::<A>(args) {
        Ok(Embedded { mut app, mut ctx }) => ExitCode::from(run_stages(&mut app, &mut ctx)),
        Err(Stop::Clap(err)) => {
            let _ = err.print();
            ExitCode::from(if err.use_stderr() {
                crate::error::EXIT_USAGE
            } else {
                0
            })
        }
        Err(Stop::Fail(err)) => {
            eprintln!("{} CRITICAL ERROR: {}", timestamp(), err.message());
            ExitCode::from(err.exit_code())
        }
    }
}

/// Brings application `A` up in embedded mode (pyzenkit's plugin mode):
/// init and setup only, with the given arguments (the first is the program).
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
        Err(Stop::Fail(err)) => Err(err),
    }
}

fn bring_up<A: App>(args: Vec<OsString>) -> std::result::Result<Embedded<A>, Stop> {
    let Initialized {
        mut app,
        mut ctx,
        defaults,
        cli,
    } = init::<A>(args)?;
    ctx.mark("stage_setup_start", "Start of the setup stage");
    setup(&mut app, &mut ctx, defaults, cli)?;
    ctx.mark("stage_setup_stop", "End of the setup stage");
    Ok(Embedded { app, ctx })
}

/// Names an application may have: `^[_a-zA-Z][-_a-zA-Z0-9.]*$`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn all_actions<A: App>() -> Vec<(&'static str, &'static str)> {
    BUILTIN_ACTIONS
        .iter()
        .map(|a| (a.name, a.help))
        .chain(A::actions().into_iter().map(|a| (a.name, a.help)))
        .collect()
}

/// What init hands to setup.
struct Initialized<A> {
    app: A,
    ctx: Context,
    defaults: Map<String, Value>,
    cli: Map<String, Value>,
}

fn init<A: App>(args: Vec<OsString>) -> std::result::Result<Initialized<A>, Stop> {
    crate::paths::load_dotenv();
    let info = A::info();
    let exe_name = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "zenkit-app".to_string());
    let default_name = info.name.map(str::to_string).unwrap_or(exe_name);
    let cmd = cli::command(&info, &default_name, A::options(), &all_actions::<A>());
    let matches = cmd
        .clone()
        .try_get_matches_from(&args)
        .map_err(Stop::Clap)?;
    let cli_values = cli::cli_layer(&cmd, &matches);
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
    let ctx = Context::new(name, paths, runlog, debug);
    ctx.dbgout(format_args!("application '{}' initialized", ctx.name));
    let mut defaults = builtin_defaults(&ctx.name, &ctx.paths, info.kind);
    defaults.extend(A::defaults()?);
    Ok(Initialized {
        app: A::default(),
        ctx,
        defaults,
        cli: cli_values,
    })
}

/// The built-in configuration keys and their defaults (SPEC §3.1).
pub fn builtin_defaults(name: &str, paths: &Paths, kind: AppKind) -> Map<String, Value> {
    let _ = kind;
    let p = |dir: &Path, file: String| Value::String(dir.join(file).display().to_string());
    let mut map = Map::new();
    for (key, value) in [
        ("debug", json!(false)),
        ("quiet", json!(false)),
        ("verbosity", json!(0)),
        ("name", json!(name)),
        ("user", Value::Null),
        ("group", Value::Null),
        ("config_file", p(&paths.cfg, format!("{name}.conf"))),
        ("config_dir", p(&paths.cfg, name.to_string())),
        ("config_file_silent", json!(false)),
        ("config_dir_silent", json!(false)),
        ("log_file", p(&paths.log, format!("{name}.log"))),
        ("log_level", json!("info")),
        ("action", Value::Null),
        ("input", Value::Null),
        ("limit", Value::Null),
        ("pstate_file", p(&paths.run, format!("{name}.pstate"))),
        ("pstate_dump", json!(false)),
        ("pstate_log", json!(false)),
        ("runlog_dir", p(&paths.run, name.to_string())),
        ("runlog_dump", json!(false)),
        ("runlog_log", json!(false)),
        ("pid_file", p(&paths.run, format!("{name}.pid"))),
    ] {
        map.insert(key.to_string(), value);
    }
    map
}

fn core_bool(config: &Config, path: &str) -> bool {
    config
        .lookup(path)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn core_level(config: &Config, path: &str) -> Result<LogLevel> {
    let raw = config
        .lookup(path)
        .and_then(Value::as_str)
        .unwrap_or("INFO");
    raw.parse()
}

fn account(
    config: &Config,
    key: &str,
    resolve: fn(&Value) -> Result<Account>,
) -> Result<Option<Account>> {
    match config.value(key) {
        None | Some(Value::Null) => Ok(None),
        Some(spec) => {
            let account = resolve(spec)?;
            Ok(Some(account))
        }
    }
}

fn setup<A: App>(
    app: &mut A,
    ctx: &mut Context,
    defaults: Map<String, Value>,
    cli_values: Map<String, Value>,
) -> Result<()> {
    let known: Vec<String> = defaults.keys().cloned().collect();
    let mut config = Config::load(defaults, cli_values)?;
    let user = account(&config, "user", privileges::resolve_user)?;
    let group = account(&config, "group", privileges::resolve_group)?;
    for (key, acc) in [("user", &user), ("group", &group)] {
        if let Some(acc) = acc {
            let layer = config
                .origin(key)
                .map(|o| o.layer.clone())
                .unwrap_or(config::Layer::Default);
            config.set(key, json!([acc.name, acc.id]), layer);
        }
    }
    let core = config::core_section(config.as_map(), A::info().kind);
    config.set_core(core);
    app.bind(&config)?;
    ctx.quiet = config.get::<Option<bool>>("quiet")?.unwrap_or(false);
    ctx.verbosity = config.get::<Option<u8>>("verbosity")?.unwrap_or(0);
    ctx.debug = ctx.debug || config.get::<Option<bool>>("debug")?.unwrap_or(false);
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let unknown = config.unknown_keys(&known);
    if !unknown.is_empty() {
        ctx.dbgout(format_args!(
            "WARNING: unknown configuration keys kept but not used: {}",
            unknown.join(", ")
        ));
    }
    ctx.config = config;

    privileges::drop_privileges(user.as_ref(), group.as_ref())?;

    let log_file: PathBuf = ctx.config.get("log_file")?;
    log::init(&LogSettings {
        name: ctx.name.clone(),
        to_console: core_bool(&ctx.config, "__core__.logging.to_console"),
        level_console: core_level(&ctx.config, "__core__.logging.level_console")?,
        file: core_bool(&ctx.config, "__core__.logging.to_file").then_some(log_file),
        level_file: core_level(&ctx.config, "__core__.logging.level_file")?,
    })?;

    for (layer, key) in ctx.config.ignored_keys() {
        tracing::warn!(
            "configuration key '{key}' in {layer} is ignored: it cannot be set in a file"
        );
    }

    let pstate_file: PathBuf = ctx.config.get("pstate_file")?;
    let pstate = state::load(&pstate_file)?;
    app.load_state(&pstate)?;
    ctx.pstate = pstate;

    guarded("setup", || app.setup(ctx))?;
    dump_setup(ctx);
    Ok(())
}

fn dump_setup(ctx: &Context) {
    if !ctx.debug {
        return;
    }
    ctx.dbgout(format_args!(
        "application paths:\n{}",
        fs::to_json_pretty(&ctx.paths.to_json())
    ));
    for (layer, values) in ctx.config.layers() {
        ctx.dbgout(format_args!(
            "configuration layer {layer}:\n{}",
            fs::to_json_pretty(&Value::Object(values.clone()))
        ));
    }
    ctx.dbgout(format_args!(
        "final configuration:\n{}",
        fs::to_json_pretty(&Value::Object(ctx.config.as_map().clone()))
    ));
    ctx.dbgout(format_args!(
        "persistent state:\n{}",
        fs::to_json_pretty(&Value::Object(ctx.pstate.clone()))
    ));
}

/// Runs `f`, turning a panic into an error carrying its message and location.
fn guarded<R>(stage: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    thread_local! {
        static PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|info| {
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
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(previous);
    result.unwrap_or_else(|_| {
        let what = PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default();
        Err(Error::msg(format!("panic in the {stage} stage: {what}")))
    })
}

/// Runs the stages after setup and returns the exit code.
fn run_stages<A: App>(app: &mut A, ctx: &mut Context) -> u8 {
    let action = ctx
        .config
        .value("action")
        .and_then(Value::as_str)
        .map(str::to_string);
    match action {
        Some(action) => stage_action(app, ctx, &action),
        None => {
            stage(ctx, "process", |ctx| {
                guarded("process", || app.process(ctx))
            });
            stage(ctx, "evaluate", |ctx| {
                evaluate(ctx);
                Ok(())
            });
            stage_teardown(app, ctx);
        }
    }
    ctx.runlog.rc()
}

/// Runs one stage between its time marks, registering its error.
fn stage(ctx: &mut Context, name: &str, f: impl FnOnce(&mut Context) -> Result<()>) {
    ctx.mark(
        &format!("stage_{name}_start"),
        &format!("Start of the {name} stage"),
    );
    if let Err(err) = f(ctx) {
        ctx.register_error_code(&err, err.exit_code());
    }
    ctx.mark(
        &format!("stage_{name}_stop"),
        &format!("End of the {name} stage"),
    );
}

fn stage_action<A: App>(app: &mut A, ctx: &mut Context, action: &str) {
    let known = all_actions::<A>();
    if !known.iter().any(|(name, _)| *name == action) {
        let valid: Vec<&str> = known.iter().map(|(name, _)| *name).collect();
        let err = Error::usage(format!(
            "unknown action '{action}'; valid actions: {}",
            valid.join(", ")
        ));
        eprintln!("{} CRITICAL ERROR: {}", timestamp(), err.message());
        ctx.runlog.set_rc(err.exit_code());
        return;
    }
    ctx.runlog.insert("action", json!(action));
    stage(ctx, "action", |ctx| {
        if let Some(result) = guarded("action", || Ok(app.run_action(action, ctx)))? {
            return result;
        }
        builtin_action(ctx, action)
    });
}

fn builtin_action(ctx: &mut Context, action: &str) -> Result<()> {
    let runlog_dir: PathBuf = ctx.config.get("runlog_dir")?;
    let input: Option<PathBuf> = ctx.config.get("input")?;
    let limit: Option<usize> = ctx.config.get("limit")?;
    let config = &ctx.config;
    let origin_of = |path: &str| config.origin(path).map(ToString::to_string);
    let input = ActionInput {
        config: config.as_map(),
        origin_of: &origin_of,
        verbose: ctx.verbosity > 0,
        runlog_dir: &runlog_dir,
        input: input.as_deref(),
        limit,
        now: crate::runlog::now_ts(),
    };
    let mut out = std::io::stdout().lock();
    actions::run_builtin(action, &input, &mut out)?;
    out.flush()?;
    Ok(())
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
    if let Err(err) = save_pstate(app, ctx) {
        ctx.register_error(&err);
    }
    ctx.mark("stage_teardown_stop", "End of the teardown stage");
    if let Err(err) = save_runlog(ctx) {
        ctx.register_error(&err);
    }
}

fn save_pstate<A: App>(app: &A, ctx: &mut Context) -> Result<()> {
    app.save_state(&mut ctx.pstate)?;
    let state = Value::Object(ctx.pstate.clone());
    if core_bool(&ctx.config, "__core__.pstate.save") {
        let path: PathBuf = ctx.config.get("pstate_file")?;
        state::save(&path, &ctx.pstate)?;
    }
    if ctx
        .config
        .get::<Option<bool>>("pstate_dump")?
        .unwrap_or(false)
    {
        println!("{}", fs::to_json_pretty(&state));
    }
    if ctx
        .config
        .get::<Option<bool>>("pstate_log")?
        .unwrap_or(false)
    {
        tracing::info!(
            "Application persistent state:\n{}",
            fs::to_json_pretty(&state)
        );
    }
    Ok(())
}

fn save_runlog(ctx: &mut Context) -> Result<()> {
    if core_bool(&ctx.config, "__core__.runlog.save") {
        let dir: PathBuf = ctx.config.get("runlog_dir")?;
        ctx.runlog
            .save(&dir)
            .map_err(|e| Error::msg(format!("cannot write runlog into {}: {e}", dir.display())))?;
    }
    let runlog = ctx.runlog.to_value();
    if ctx
        .config
        .get::<Option<bool>>("runlog_dump")?
        .unwrap_or(false)
    {
        println!("{}", fs::to_json_pretty(&runlog));
    }
    if ctx
        .config
        .get::<Option<bool>>("runlog_log")?
        .unwrap_or(false)
    {
        tracing::info!("Application runlog:\n{}", fs::to_json_pretty(&runlog));
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
}
