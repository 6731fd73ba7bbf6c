//! The life-cycle: init → setup → action | process → evaluate → teardown,
//! and embedded mode (init and setup only).
//!
//! This file holds the entry points and the runtime that owns the
//! application's context and its plugins beside the application, so a
//! plugin hook can borrow its plugin and the context at once. Each stage has
//! a file: `init` (command line, name, paths, defaults, plugins), `setup`
//! (configuration in force, privileges, logging, persistent state, the
//! author's setup), `stages` (action, process, evaluate, teardown) and
//! `guard` (panics in the author's code turned into errors); `inspect`
//! holds what setup does instead when asked only to describe or check the
//! configuration.
//!
//! Only the entry points are generic over the application: the stages take
//! its [`AppSpec`] and its value as a [`DynApp`] (`dyn_app`), so they are
//! compiled once, in zenkit, not in every application.
//!
//! Layering, each module using only those below it:
//!
//! ```text
//! lifecycle → daemon::event_loop → configure → spec → app → daemon::wiring
//!   → plugin → daemon::Daemon → context → settings → log → progress
//! ```
//!
//! `configure` prepares a configuration and puts it in force, for start-up
//! and for a daemon's SIGHUP reload alike, so the event loop never calls
//! back into the life-cycle. The daemon's PID file sits below the context.

mod dyn_app;
mod guard;
mod init;
mod inspect;
mod setup;
mod stages;

use std::ffi::OsString;
use std::process::ExitCode;

#[cfg(feature = "daemon")]
use serde_json::Value;

use self::dyn_app::DynApp;
use crate::app::App;
use crate::config::Config;
use crate::context::{timestamp, Context};
#[cfg(feature = "daemon")]
use crate::daemon::daemonize;
use crate::error::{Error, Result};
use crate::host::{Host, Stream};
use crate::plugin::Plugins;
use crate::script::CommandArgs;
use crate::spec::AppSpec;

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
    /// Its plugins, owned beside the application and the context.
    plugins: Plugins,
    /// What a script's command was given after its name.
    command_args: Option<CommandArgs>,
}

impl<A: App> Embedded<A> {
    /// Runs the rest of the life-cycle as [`run`] would: the configured
    /// action, or process → evaluate → teardown. Returns the exit code.
    pub fn run(mut self) -> u8 {
        stages::run(
            AppSpec::of::<A>(),
            &mut self.app,
            &mut self.ctx,
            &mut self.plugins,
            self.command_args.as_ref(),
        )
    }

    /// Runs action `name` (the author's or a built-in one) in an action
    /// stage; returns the exit code of the run so far.
    pub fn run_action(&mut self, name: &str) -> u8 {
        stages::action(&mut self.app, &mut self.ctx, name);
        self.ctx.runlog.rc()
    }

    /// Runs the teardown stage (the author's teardown, then the persistent
    /// state and the runlog are saved) and returns the exit code.
    pub fn finish(mut self) -> u8 {
        stages::teardown(&mut self.app, &mut self.ctx, &mut self.plugins);
        self.ctx.runlog.rc()
    }
}

/// A running application's context and plugins, which the stages use
/// beside the application's value.
struct Runtime {
    ctx: Context,
    plugins: Plugins,
    /// What a script's command was given after its name; `None` when it
    /// was not named on the command line.
    command_args: Option<CommandArgs>,
}

/// How a run stops before its stages.
enum Stop {
    /// clap printed help or version, or found a usage error.
    Clap(clap::Error),
    /// An error not reported yet.
    Fail(Error),
    /// An error already written to the console log.
    Reported(Error),
    /// Finished early, with this exit code: an action answered from the
    /// command line alone (`--action man`) or an inspection of the
    /// configuration (`--action config-check`).
    Exit(u8),
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
    ExitCode::from(run_on::<A>(&Host::default(), args))
}

/// Runs application `A` with `args` (the first is the program), reading
/// its environment from `host` and writing its output there; returns the
/// exit code.
pub(crate) fn run_on<A: App>(host: &Host, args: Vec<OsString>) -> u8 {
    run_args(host, AppSpec::of::<A>(), || Box::new(A::default()), args)
}

/// Runs the application of `spec`, its value made by `new_app`, with
/// `args` and the environment and output of `host`; returns its exit code.
fn run_args(
    host: &Host,
    spec: &AppSpec,
    new_app: fn() -> Box<dyn DynApp>,
    args: Vec<OsString>,
) -> u8 {
    let stop = match init::init(host, spec, args) {
        Ok((mut runtime, given)) => {
            let mut app = new_app();
            match setup_all(spec, &mut *app, &mut runtime, given) {
                Ok(()) => {
                    let rc = stages::run(
                        spec,
                        &mut *app,
                        &mut runtime.ctx,
                        &mut runtime.plugins,
                        runtime.command_args.as_ref(),
                    );
                    #[cfg(feature = "daemon")]
                    if daemonize::awaiting_report() {
                        let errors = runtime.ctx.runlog.get("errors").and_then(Value::as_array);
                        let last = errors.and_then(|e| e.last()).and_then(Value::as_str);
                        daemonize::report_failure(
                            last.unwrap_or("the daemon stopped during start-up"),
                            rc.max(1),
                        );
                    }
                    // the application goes before its context and plugins
                    drop(app);
                    return rc;
                }
                Err(stop) => {
                    drop(app);
                    stop
                }
            }
        }
        Err(stop) => stop,
    };
    match stop {
        Stop::Clap(err) => {
            let stream = if err.use_stderr() {
                Stream::Stderr
            } else {
                Stream::Stdout
            };
            // clap colours what it prints itself on a terminal
            let _ = if host.is_own() {
                host.write(stream, &err.render().to_string())
            } else {
                err.print()
            };
            if err.use_stderr() {
                crate::error::EXIT_USAGE
            } else {
                0
            }
        }
        Stop::Fail(err) => {
            #[cfg(feature = "daemon")]
            daemonize::report_failure(err.message(), err.exit_code());
            let line = format!("{} CRITICAL ERROR: {}\n", timestamp(), err.message());
            let _ = host.write(Stream::Stderr, &line);
            err.exit_code()
        }
        Stop::Reported(err) => {
            #[cfg(feature = "daemon")]
            daemonize::report_failure(err.message(), err.exit_code());
            err.exit_code()
        }
        Stop::Exit(code) => code,
    }
}

/// Brings application `A` up in embedded mode: init and setup only, with the
/// given arguments (the first is the program). Unlike [`run_from`] it does
/// not read `.env` files (the host program owns its environment).
///
/// Help and version requests and command-line errors are returned as usage
/// errors carrying clap's text; a run that finished early (what `--action
/// man`, `--help-config`, `--action config-check` or `--action
/// config-schema` prints is printed) as an error carrying its exit code.
pub fn embed<A, I, T>(args: I) -> Result<Embedded<A>>
where
    A: App,
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let spec = AppSpec::of::<A>();
    let (mut runtime, given) = init::init(
        &Host::default(),
        spec,
        args.into_iter().map(Into::into).collect(),
    )
    .map_err(embed_error)?;
    let mut app = A::default();
    setup_all(spec, &mut app, &mut runtime, given).map_err(embed_error)?;
    let Runtime {
        ctx,
        plugins,
        command_args,
    } = runtime;
    Ok(Embedded {
        app,
        ctx,
        plugins,
        command_args,
    })
}

/// The error [`embed`] returns for a run that stopped before its stages.
fn embed_error(stop: Stop) -> Error {
    match stop {
        Stop::Clap(err) => Error::usage(err.render().to_string().trim_end().to_string()),
        Stop::Fail(err) | Stop::Reported(err) => err,
        Stop::Exit(code) => Error::usage(format!(
            "the run finished early with exit code {code}; nothing is left to embed"
        ))
        .with_code(code),
    }
}

/// Setup, after init, of `app`, a fresh value of the application.
fn setup_all(
    spec: &AppSpec,
    app: &mut dyn DynApp,
    runtime: &mut Runtime,
    given: init::Given,
) -> std::result::Result<(), Stop> {
    let init::Given {
        defaults,
        cli,
        options,
    } = given;
    setup::setup(spec, app, runtime, defaults, cli, options)?;
    if let Some(err) = missing_command_args(spec, runtime) {
        return Err(Stop::Fail(err));
    }
    Ok(())
}

/// The error of a script whose selected command needs arguments that were
/// not given, because it was selected by `--command` or the `command` key
/// rather than named on the command line.
fn missing_command_args(spec: &AppSpec, runtime: &Runtime) -> Option<Error> {
    let ctx = &runtime.ctx;
    if ctx.settings.action.is_some() {
        return None;
    }
    let selected = &ctx.script.as_ref()?.command;
    missing_args_of(spec, runtime, &ctx.config, selected)
}

/// The error of command `selected` of `config` needing arguments that were
/// not given, when it was not named on the command line of `runtime`.
fn missing_args_of(
    spec: &AppSpec,
    runtime: &Runtime,
    config: &Config,
    selected: &str,
) -> Option<Error> {
    if runtime.command_args.is_some() {
        return None;
    }
    let command = spec.commands.iter().find(|c| c.name == selected)?;
    crate::script::missing(&runtime.ctx.name, command, config)
}
