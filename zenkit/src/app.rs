//! The traits an application implements, which [`crate::lifecycle`] drives.
//!
//! An application is a plain struct. [`App`] describes its data: options,
//! configuration keys, persistent-state fields. [`Hooks`] holds its
//! behaviour: setup, process, teardown and actions. `#[derive(ZenApp)]`
//! implements [`App`], the `#[zenkit::app]` attribute on an impl block
//! implements [`Hooks`]; both can be written by hand, the runtime does not
//! need the macros.

use serde_json::{Map, Value};

use crate::config::Config;
use crate::context::Context;
use crate::paths::PathOverrides;
use crate::Result;

/// The kind of an application: a base application (`Base`), a script
/// (`Script`) or a daemon (`Daemon`); decides its extra options, keys,
/// actions and life-cycle.
pub use zenkit_builtins::Kind as AppKind;

/// The error of an application of kind daemon in a program built without
/// zenkit's `daemon` feature (possible only with a hand-written [`App`]:
/// the derive refuses `#[zen(daemon)]` then; likewise for scripts).
#[cfg(not(feature = "daemon"))]
pub(crate) fn without_daemon() -> crate::Error {
    without_feature("a daemon", "daemon")
}

/// The error of an application of kind script in a program built without
/// zenkit's `script` feature.
#[cfg(not(feature = "script"))]
pub(crate) fn without_script() -> crate::Error {
    without_feature("a script", "script")
}

#[cfg(not(all(feature = "daemon", feature = "script")))]
fn without_feature(kind: &str, feature: &str) -> crate::Error {
    crate::Error::setup(format!(
        "this program is {kind}, but it was built without zenkit's `{feature}` feature; enable the feature in its Cargo.toml"
    ))
}

/// Static description of an application.
#[derive(Debug, Clone)]
pub struct AppInfo {
    /// The application name; `None` takes the executable's file name.
    pub name: Option<&'static str>,
    /// One-line description (first paragraph of the struct's doc comment).
    pub about: &'static str,
    /// Full description (the whole doc comment).
    pub long_about: &'static str,
    /// Version printed by `--version`.
    pub version: &'static str,
    /// A script's command run when none is selected.
    pub default_command: Option<&'static str>,
    /// Overrides of the default sub-paths.
    pub paths: PathOverrides,
}

impl AppInfo {
    /// A base application's description with no name, no text and default paths.
    pub fn new(version: &'static str) -> AppInfo {
        AppInfo {
            name: None,
            about: "",
            long_about: "",
            version,
            default_command: None,
            paths: PathOverrides::default(),
        }
    }
}

/// A quick action an application offers through `--action NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo {
    /// The action's name, in kebab-case.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
}

/// A command of a script, selected by its name as the first positional
/// argument (a subcommand, which may take arguments and options of its
/// own), `--command NAME` or the configuration key `command`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandInfo {
    /// The command's name, in kebab-case.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// The command's own arguments and options, in declaration order
    /// (`#[arg]` and `#[opt]` parameters of its method).
    pub params: &'static [CommandParam],
}

/// An argument or option of a script command, which its method receives
/// as a parameter.
#[derive(Debug, Clone, Copy)]
pub struct CommandParam {
    /// The parameter's name: its id among the command's arguments.
    pub name: &'static str,
    /// A positional argument (`#[arg]`) or an option (`#[opt]`).
    pub place: ParamPlace,
    /// How many values it takes, from the parameter's type.
    pub shape: ParamShape,
    /// An option's long name (the parameter's name in kebab-case unless
    /// given); for an argument, its value name in help.
    pub long: &'static str,
    /// An option's short name.
    pub short: Option<char>,
    /// One line of help.
    pub help: &'static str,
    /// Checks one value: parses it into the parameter's type, or says why not.
    pub check: fn(&str) -> std::result::Result<(), String>,
}

/// Where a command's parameter is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamPlace {
    /// A positional argument after the command's name.
    Positional,
    /// An option `--long VALUE` (or a flag `--long`).
    Option,
}

/// How many values a command's parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamShape {
    /// `bool`: a flag, no value.
    Flag,
    /// `T`: exactly one value, required.
    One,
    /// `Option<T>`: one value or none.
    Optional,
    /// `Vec<T>`: any number of values.
    Many,
}

/// Parameters are equal when they are given alike; their checks are not
/// compared (two instances of one function may have different addresses).
impl PartialEq for CommandParam {
    fn eq(&self, other: &CommandParam) -> bool {
        (
            self.name, self.place, self.shape, self.long, self.short, self.help,
        ) == (
            other.name,
            other.place,
            other.shape,
            other.long,
            other.short,
            other.help,
        )
    }
}

impl Eq for CommandParam {}

impl CommandParam {
    /// Whether the command cannot run without this parameter.
    pub fn required(&self) -> bool {
        self.shape == ParamShape::One
    }
}

impl CommandInfo {
    /// A command without arguments or options of its own.
    pub const fn new(name: &'static str, help: &'static str) -> CommandInfo {
        CommandInfo {
            name,
            help,
            params: &[],
        }
    }
}

/// The data side of an application: its options, configuration keys and
/// persistent-state fields. Implemented by `#[derive(ZenApp)]`.
pub trait App: Hooks + Default + 'static {
    /// The kind of application (`#[zen(script)]`, `#[zen(daemon)]`).
    const KIND: AppKind = AppKind::Base;

    /// The static description.
    fn info() -> AppInfo;

    /// The author's command-line options. Each argument's id is the
    /// configuration key it sets; its parsed value must be a
    /// [`serde_json::Value`] (flags use `SetTrue`, counters `Count`).
    fn options() -> Vec<clap::Arg> {
        Vec::new()
    }

    /// Default values of the author's configuration keys, and of any built-in
    /// key the author gives another default.
    fn defaults() -> Result<Map<String, Value>> {
        Ok(Map::new())
    }

    /// The configuration keys that environment variables can set
    /// (`#[zen(env = "VAR")]`), read between the configuration file and the
    /// command line.
    fn environment() -> Vec<crate::config::EnvKey> {
        Vec::new()
    }

    /// Copies the merged configuration into the struct's configuration fields.
    fn bind(&mut self, config: &Config) -> Result<()> {
        let _ = config;
        Ok(())
    }

    /// Binds every configuration field as [`App::bind`] does, gathering the
    /// error of each field instead of stopping at the first
    /// (`--action config-check`).
    fn bind_checked(&mut self, config: &Config) -> Vec<crate::Error> {
        self.bind(config).err().into_iter().collect()
    }

    /// The schemas of the author's configuration keys, their doc comments
    /// as help, for `--action config-schema` and `--help-config`; a key not
    /// listed is described from its default.
    fn key_schemas(
        generator: &mut crate::schema::SchemaGenerator,
    ) -> Vec<crate::schema::KeySchema> {
        let _ = generator;
        Vec::new()
    }

    /// The keys inside the author's configuration values that binding them
    /// ignores (a misspelled key in a nested section), with full paths.
    fn unknown_keys(config: &Config) -> Vec<crate::config::UnknownKey> {
        let _ = config;
        Vec::new()
    }

    /// Whether unknown configuration keys are errors (exit 78) instead of
    /// warnings (`#[zen(deny_unknown_keys)]`).
    const DENY_UNKNOWN_KEYS: bool = false;

    /// Whether plugins registered at link time join the application
    /// (`#[zen(linked_plugins = false)]` refuses them).
    const LINKED_PLUGINS: bool = true;

    /// Plugins the application lists itself (`#[zen(plugins(Type, …))]`).
    fn plugins() -> Vec<Box<dyn crate::plugin::Plugin>> {
        Vec::new()
    }

    /// Registers the daemon's components (`#[zen(component)]` fields) with
    /// [`Wiring::component`](crate::daemon::Wiring::component).
    #[cfg(feature = "daemon")]
    fn wire(wiring: &mut crate::daemon::Wiring<Self>) {
        let _ = wiring;
    }

    /// Reads the persistent-state fields from the loaded state object; keys
    /// that are absent leave the field as it is.
    fn load_state(&mut self, state: &Map<String, Value>) -> Result<()> {
        let _ = state;
        Ok(())
    }

    /// Writes the persistent-state fields into the state object.
    fn save_state(&self, state: &mut Map<String, Value>) -> Result<()> {
        let _ = state;
        Ok(())
    }
}

/// The behaviour of an application: life-cycle hooks and actions.
/// Implemented by the `#[zenkit::app]` attribute on an impl block.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no life-cycle hooks: `zenkit::Hooks` is not implemented for it",
    label = "`{Self}` needs an impl of `zenkit::Hooks`",
    note = "add `#[zenkit::app] impl {Self} {{ ... }}` or `impl zenkit::Hooks for {Self} {{}}`"
)]
pub trait Hooks: Sized {
    /// A script's commands, in declaration order.
    const COMMANDS: &'static [CommandInfo] = &[];

    /// Runs the script command `name` with its arguments `args` and returns
    /// its result, which goes to the runlog under the command's name; `None`
    /// when there is no such command.
    fn execute_command(
        &mut self,
        name: &str,
        args: &crate::script::CommandArgs,
        ctx: &mut Context,
    ) -> Option<Result<Value>> {
        let _ = (name, args, ctx);
        None
    }

    /// The application's own event handlers (a daemon's `#[on_event]` and
    /// `#[on_signal]` methods of the impl block), in declaration order.
    #[cfg(feature = "daemon")]
    fn handlers() -> Vec<crate::daemon::Handler<Self>> {
        Vec::new()
    }

    /// The author's actions, in declaration order.
    fn actions() -> Vec<ActionInfo> {
        Vec::new()
    }

    /// Runs the author's action `name`; `None` when there is no such action.
    fn run_action(&mut self, name: &str, ctx: &mut Context) -> Option<Result<()>> {
        let _ = (name, ctx);
        None
    }

    /// The author's part of setup, after configuration, logging and state.
    fn setup(&mut self, ctx: &mut Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }

    /// The main work of a base application.
    fn process(&mut self, ctx: &mut Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }

    /// The author's part of teardown, before state and runlog are saved.
    fn teardown(&mut self, ctx: &mut Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
}
