//! The stages after setup: an action, or process → evaluate → teardown;
//! teardown saves the persistent state and the runlog.

use std::io::Write;

use serde_json::{json, Value};

use super::dyn_app::DynApp;
use super::guard::guarded;
use crate::actions::{self, ActionInput};
use crate::app::{AppKind, CommandInfo};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::plugin::Plugins;
use crate::runlog::analysis;
use crate::script::CommandArgs;
use crate::spec::AppSpec;
use crate::{fs, state};

/// Runs the stages after setup and returns the exit code.
pub(super) fn run(
    spec: &AppSpec,
    app: &mut dyn DynApp,
    ctx: &mut Context,
    plugins: &mut Plugins,
    command_args: Option<&CommandArgs>,
) -> u8 {
    match ctx.settings.action.clone() {
        Some(name) => action(app, ctx, &name),
        None => {
            stage(ctx, "process", "processing", |ctx| {
                guarded("process", || match spec.kind {
                    AppKind::Script => run_command(spec.commands, app, ctx, command_args),
                    #[cfg(feature = "daemon")]
                    AppKind::Daemon => app.run_daemon(ctx, plugins),
                    #[cfg(not(feature = "daemon"))]
                    AppKind::Daemon => Err(crate::app::without_daemon()),
                    AppKind::Base => app.process(ctx),
                })
            });
            stage(ctx, "evaluate", "evaluation", |ctx| {
                evaluate(ctx);
                Ok(())
            });
            teardown(app, ctx, plugins);
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

/// A script's process step: runs the selected command with the arguments
/// given after its name (`None`: it was not named on the command line) and
/// records its name, arguments and result in the runlog.
fn run_command(
    commands: &[CommandInfo],
    app: &mut dyn DynApp,
    ctx: &mut Context,
    args: Option<&CommandArgs>,
) -> Result<()> {
    let Some(name) = ctx.script.as_ref().map(|s| s.command.clone()) else {
        return Err(Error::msg("no command is selected"));
    };
    if crate::runlog::RESERVED_KEYS.contains(&name.as_str()) {
        return Err(Error::usage(format!(
            "command '{name}' would overwrite the runlog key of that name; rename the command"
        )));
    }
    ctx.runlog.insert("command", json!(name));
    // without arguments (selected by `--command`), the command needs none:
    // the life-cycle checked that before setup was over
    let empty = CommandArgs::default();
    let args = args.unwrap_or(&empty);
    let info = commands.iter().find(|c| c.name == name);
    if info.is_some_and(|c| !c.params.is_empty()) {
        ctx.runlog.insert("arguments", args.to_json());
    }
    tracing::info!("Executing script command '{name}'");
    match app.execute_command(&name, args, ctx) {
        Some(result) => {
            ctx.runlog.insert(name, result?);
            Ok(())
        }
        None => Err(Error::usage(format!(
            "command '{name}' has no implementation"
        ))),
    }
}

/// The action stage: the author's action `name`, or else the built-in one.
pub(super) fn action(app: &mut dyn DynApp, ctx: &mut Context, name: &str) {
    ctx.runlog.insert("action", json!(name));
    stage(ctx, "action", "action", |ctx| {
        if let Some(result) = guarded("action", || Ok(app.run_action(name, ctx)))? {
            return result;
        }
        builtin_action(ctx, name)
    });
}

/// Where action output and dumps go: stdout, or nowhere in a quiet run
/// (`--quiet`, a script's `--regular`), as with pyzenkit.
fn output(ctx: &Context) -> Box<dyn Write> {
    if ctx.settings.quiet {
        Box::new(std::io::sink())
    } else {
        Box::new(ctx.host.writer(crate::host::Stream::Stdout))
    }
}

fn builtin_action(ctx: &mut Context, action: &str) -> Result<()> {
    // an action a file names is the file's mistake, one a host program
    // asks for is the call's
    let refused = |why: &str| {
        let message = format!(
            "action '{action}' {why}: run `{} --action {action}`",
            ctx.name
        );
        if ctx.settings.action.as_deref() == Some(action) {
            ctx.config.error_for("action", message)
        } else {
            Error::usage(message)
        }
    };
    if zenkit_builtins::MANUAL_ACTIONS.contains(&action) {
        return Err(refused("is answered from the command line alone"));
    }
    let inspections = [
        zenkit_builtins::CONFIG_CHECK,
        zenkit_builtins::CONFIG_SCHEMA,
    ];
    if inspections.contains(&action) {
        return Err(refused(
            "inspects the configuration before it is put in force, not in an action stage",
        ));
    }
    #[cfg(feature = "daemon")]
    if crate::daemon::actions::run(action, ctx, &mut output(ctx))? {
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
    let mut out = output(ctx);
    if !actions::run_builtin(action, &input, &mut out, ctx.host.stdout_is_terminal())? {
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

/// The teardown stage: the author's teardown, the plugins', then the
/// persistent state and the runlog are saved.
pub(super) fn teardown(app: &mut dyn DynApp, ctx: &mut Context, plugins: &mut Plugins) {
    ctx.mark("stage_teardown_start", "Start of the teardown stage");
    if let Err(err) = guarded("teardown", || app.teardown(ctx)) {
        ctx.register_error_code(&err, err.exit_code());
    }
    plugins.teardown(ctx);
    if let Err(err) = save_pstate(app, ctx) {
        ctx.register_error(&err);
    }
    ctx.mark("stage_teardown_stop", "End of the teardown stage");
    if let Err(err) = save_runlog(ctx) {
        ctx.register_error(&err);
    }
}

/// Prints a JSON document to stdout; a closed stdout is an error, not a panic.
/// Prints a dump, pyzenkit's header line and the JSON document, unless the
/// run is quiet; a closed stdout is an error, not a panic.
fn print_dump<'a>(ctx: &Context, header: &str, value: impl Into<fs::JsonRef<'a>>) -> Result<()> {
    let mut out = output(ctx);
    writeln!(out, "{header}\n{}", fs::to_json_pretty(value))
        .and_then(|()| out.flush())
        .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

/// The header of the persistent state's dump and log line.
const PSTATE_HEADER: &str = "Application persistent state >>>";
/// The header of the runlog's dump and log line.
const RUNLOG_HEADER: &str = "Application runlog >>>";

fn save_pstate(app: &dyn DynApp, ctx: &mut Context) -> Result<()> {
    app.save_state(&mut ctx.pstate)?;
    if ctx.core.pstate.save {
        state::save(&ctx.settings.pstate_file, &ctx.pstate)?;
    }
    if ctx.settings.pstate_dump || ctx.settings.pstate_log {
        let state = Value::Object(ctx.pstate.clone());
        if ctx.settings.pstate_log {
            tracing::info!("{PSTATE_HEADER}\n{}", fs::to_json_pretty(&state));
        }
        if ctx.settings.pstate_dump {
            print_dump(ctx, PSTATE_HEADER, &state)?;
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
        tracing::info!("{RUNLOG_HEADER}\n{}", fs::to_json_pretty(&ctx.runlog));
    }
    if ctx.settings.runlog_dump {
        print_dump(ctx, RUNLOG_HEADER, &ctx.runlog)?;
    }
    Ok(())
}
