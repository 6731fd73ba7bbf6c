//! The types zenkit accepts in each place of an application: option,
//! configuration and state fields, defaults, command parameters, the
//! results of hooks and commands, plugins, and in daemons event arguments,
//! handler results, component state and component fields.
//!
//! Each trait is implemented for every type that fits its place, or by
//! the macros for the applications of a kind, so an author never
//! implements one. They exist for their compile error: a type that does
//! not fit is one error on the author's own type, and a method of the
//! wrong kind one error on its marker, saying what the place needs.
//!
//! ```compile_fail
//! use zenkit::prelude::*;
//!
//! /// Neither parsed from text nor kept as JSON.
//! #[derive(Default)]
//! struct Handle;
//!
//! #[derive(ZenApp, Default)]
//! struct Tool {
//!     /// error: `Handle` cannot be the value of a command-line option
//!     #[zen(cli)]
//!     handle: Handle,
//! }
//!
//! impl Hooks for Tool {}
//!
//! fn main() -> std::process::ExitCode {
//!     zenkit::run::<Tool>()
//! }
//! ```
//!
//! The implementations carry `#[diagnostic::do_not_recommend]`, so the
//! compiler names the place's trait and its note, not the traits behind it.

use std::fmt::Display;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::__private::{self as p, ConfigOps, ListOps, StateOps, ValueOps};
use crate::config::Config;
use crate::plugin::Plugin;
use crate::{Error, ErrorKind, Result};

/// A type a command-line option (`#[zen(cli)]`) can hold, alone or as
/// `Option<T>`, `Vec<T>` or `Option<Vec<T>>`: parsed from text with
/// `FromStr` (whose error implements `Display`) and kept as JSON with
/// `serde::Serialize` and `serde::Deserialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the value of a command-line option",
    label = "not usable as an option value",
    note = "an option's value is parsed from text with `FromStr` (whose error implements `Display`) and kept as JSON with `serde::Serialize` and `serde::Deserialize`; for values the command line cannot give, use `#[zen(config)]`"
)]
pub trait OptionValue: Sized + 'static {
    #[doc(hidden)]
    const ONE: ValueOps<Self>;
    #[doc(hidden)]
    const OPTIONAL: ValueOps<Option<Self>>;
    #[doc(hidden)]
    const MANY: ListOps<Vec<Self>>;
    #[doc(hidden)]
    const OPTIONAL_MANY: ListOps<Option<Vec<Self>>>;
}

#[diagnostic::do_not_recommend]
impl<T> OptionValue for T
where
    T: FromStr + Serialize + DeserializeOwned + 'static,
    T::Err: Display,
{
    const ONE: ValueOps<T> = p::cli_one::<T>();
    const OPTIONAL: ValueOps<Option<T>> = p::cli_optional::<T>();
    const MANY: ListOps<Vec<T>> = p::cli_many::<T>();
    const OPTIONAL_MANY: ListOps<Option<Vec<T>>> = p::cli_optional_many::<T>();
}

/// A type a configuration key (`#[zen(config)]`) can hold: kept as JSON
/// with `serde::Serialize` and `serde::Deserialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the type of a configuration key",
    label = "not usable as a configuration value",
    note = "configuration values are kept as JSON: the type needs `serde::Serialize` and `serde::Deserialize`"
)]
pub trait ConfigValue: Sized + 'static {
    #[doc(hidden)]
    const KEY: ConfigOps<Self>;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned + 'static> ConfigValue for T {
    const KEY: ConfigOps<T> = p::config_key::<T>();
}

/// A type a persistent-state field (`#[zen(pstate)]`) can hold: the state
/// is a JSON file, so `serde::Serialize` and `serde::Deserialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the type of a persistent-state field",
    label = "not usable as persistent state",
    note = "the persistent state is a JSON file: the type needs `serde::Serialize` and `serde::Deserialize`"
)]
pub trait StateValue: Sized + 'static {
    #[doc(hidden)]
    const STATE: StateOps<Self>;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned + 'static> StateValue for T {
    const STATE: StateOps<T> = p::state_key::<T>();
}

/// A type a string-literal `default = "..."` can be parsed into, with
/// `FromStr`.
#[diagnostic::on_unimplemented(
    message = "a string default cannot be parsed into `{Self}`",
    label = "this type has no `FromStr`",
    note = "a string-literal `default` is parsed with `FromStr`; write the default as an expression of the field's type instead, e.g. `default = Vec::new()`"
)]
pub trait TextDefault: Sized {
    #[doc(hidden)]
    fn parse_default(key: &str, text: &str) -> Result<Self>;
}

#[diagnostic::do_not_recommend]
impl<T> TextDefault for T
where
    T: FromStr,
    T::Err: Display,
{
    fn parse_default(key: &str, text: &str) -> Result<T> {
        p::parse_default::<T>(key, text)
    }
}

/// A field type read as a duration: `std::time::Duration`, or an `Option`
/// or `Vec` of it, written as text ("90s", "5m", "1h30m") or seconds.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `std::time::Duration` field type",
    label = "a field type named `Duration` is read as `std::time::Duration`",
    note = "zenkit reads a field of type `Duration`, `Option<Duration>`, `Vec<Duration>` or `Option<Vec<Duration>>` as `std::time::Duration` (\"90s\", \"5m\", \"1h30m\", seconds); name another duration type differently, e.g. through a type alias"
)]
pub trait DurationValue: Sized + 'static {
    #[doc(hidden)]
    const ONE: ValueOps<Self>;
    #[doc(hidden)]
    const MANY: ListOps<Self>;
    #[doc(hidden)]
    const KEY: ConfigOps<Self>;
    #[doc(hidden)]
    fn parse_default(key: &str, text: &str) -> Result<Self>;
}

#[diagnostic::do_not_recommend]
impl<T: p::DurationShape> DurationValue for T {
    const ONE: ValueOps<T> = p::duration_one::<T>();
    const MANY: ListOps<T> = p::duration_many::<T>();
    const KEY: ConfigOps<T> = p::duration_key::<T>();
    fn parse_default(key: &str, text: &str) -> Result<T> {
        p::duration_default::<T>(key, text)
    }
}

/// A field type `#[zen(range = ...)]` can check: an integer or
/// floating-point number, or an `Option` or `Vec` of numbers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no range: `range` is for number fields",
    label = "not a number type",
    note = "`range = 1..=100` checks integer and floating-point fields and `Option`s and `Vec`s of them"
)]
pub trait InRange: Sized {
    #[doc(hidden)]
    fn get_in_range(config: &Config, key: &str, range: p::Range) -> Result<Self>;
}

#[diagnostic::do_not_recommend]
impl<T: p::Numbers + DeserializeOwned> InRange for T {
    fn get_in_range(config: &Config, key: &str, range: p::Range) -> Result<T> {
        p::get_in_range(config, key, range)
    }
}

/// A type a script command's `#[arg]` or `#[opt]` parameter can have:
/// parsed from the command line's text with `FromStr`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the value of a command's argument or option",
    label = "not parsed from text",
    note = "a command's `#[arg]` and `#[opt]` values are parsed with `FromStr` (whose error implements `Display`); take the text as a `String` and convert it in the method"
)]
pub trait ParamValue: Sized {
    #[doc(hidden)]
    fn parse_param(text: &str) -> std::result::Result<Self, String>;
}

#[diagnostic::do_not_recommend]
impl<T> ParamValue for T
where
    T: FromStr,
    T::Err: Display,
{
    fn parse_param(text: &str) -> std::result::Result<T, String> {
        T::from_str(text).map_err(|e| e.to_string())
    }
}

/// A return type of a hook or action method: `Result<(), E>` where
/// `E: Into<zenkit::Error>`, which holds for every `std::error::Error +
/// Send + Sync + 'static`, `Box<dyn std::error::Error + Send + Sync>` and
/// types with their own `From` impl (see [`crate::error`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a return type of a zenkit hook",
    label = "expected `zenkit::Result<()>`",
    note = "setup, process, teardown and action methods return `zenkit::Result<()>`, or `Result<(), E>` where `E: Into<zenkit::Error>`: any `std::error::Error + Send + Sync + 'static` and `Box<dyn std::error::Error + Send + Sync>` convert"
)]
pub trait HookReturn {
    #[doc(hidden)]
    fn into_result(self) -> Result<()>;
}

#[diagnostic::do_not_recommend]
impl<E: Into<Error>> HookReturn for std::result::Result<(), E> {
    fn into_result(self) -> Result<()> {
        self.map_err(Into::into)
    }
}

/// A return type of a script command: `Result<T, E>` where `T:
/// serde::Serialize` (the value goes to the runlog as JSON) and `E:
/// Into<zenkit::Error>` (as for [`HookReturn`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a return type of a zenkit command",
    label = "expected `zenkit::Result<T>` with `T: serde::Serialize`",
    note = "a `#[command]` method returns `zenkit::Result<T>`, or `Result<T, E>` where `E: Into<zenkit::Error>`; its value `T` goes to the runlog as JSON, so it needs `serde::Serialize`"
)]
pub trait CommandReturn {
    #[doc(hidden)]
    fn into_value(self, command: &str) -> Result<Value>;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize, E: Into<Error>> CommandReturn for std::result::Result<T, E> {
    fn into_value(self, command: &str) -> Result<Value> {
        let value = self.map_err(Into::into)?;
        serde_json::to_value(value).map_err(|e| {
            let message =
                format!("the result of command `{command}` cannot be stored as JSON: {e}");
            Error::with_source(ErrorKind::Runtime, message, e)
        })
    }
}

/// A type `#[zenkit::plugin]` or `#[zen(plugins(...))]` can make a plugin
/// of: a [`Plugin`] with a `Default` value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a zenkit plugin",
    label = "not a plugin type",
    note = "a plugin type implements `zenkit::plugin::Plugin` and `Default`; the application makes it with `Default::default()`"
)]
pub trait PluginType {
    #[doc(hidden)]
    fn new_plugin() -> Box<dyn Plugin>;
}

#[diagnostic::do_not_recommend]
impl<P: Plugin + Default> PluginType for P {
    fn new_plugin() -> Box<dyn Plugin> {
        Box::new(P::default())
    }
}

/// An application of kind script (`#[zen(script)]`), implemented by
/// `#[derive(ZenApp)]`: `#[command]` methods belong to scripts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a script, and `#[command]` methods belong to scripts",
    label = "a command of an application that is no script",
    note = "add `script` to `#[zen(...)]` on `{Self}`, or make the method an `#[action]`"
)]
pub trait ScriptApp {
    #[doc(hidden)]
    const CHECKED: () = ();
}

/// An application of kind daemon (`#[zen(daemon)]`), implemented by
/// `#[derive(ZenApp)]`: event and signal handlers belong to daemons.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a daemon, and event and signal handlers belong to daemons",
    label = "a handler of an application that is no daemon",
    note = "add `daemon` to `#[zen(...)]` on `{Self}`"
)]
pub trait DaemonApp {
    #[doc(hidden)]
    const CHECKED: () = ();
}

/// An application with a `#[process]` step: any but a daemon, whose event
/// loop runs instead. Implemented by `#[derive(ZenApp)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a daemon, which has no `#[process]` step: its event loop runs instead",
    label = "the process step of a daemon",
    note = "do the work in event handlers, e.g. `#[on_event(\"start\")]`, or drop `daemon` from `#[zen(...)]` on `{Self}`"
)]
pub trait ProcessApp {
    #[doc(hidden)]
    const CHECKED: () = ();
}

/// A script with commands, implemented by `#[zenkit::app]` for a block
/// with a `#[command]` method: a script needs at least one.
#[diagnostic::on_unimplemented(
    message = "script `{Self}` has no commands",
    label = "a script without a `#[command]` method",
    note = "mark a method of `{Self}` `#[command]` in its `#[zenkit::app]` impl block"
)]
pub trait ScriptCommands {
    #[doc(hidden)]
    const CHECKED: () = ();
}

/// A script with the command whose name hashes to `NAME`: one whose
/// `#[zenkit::app]` block implements [`CommandNamed`] for it.
/// `default_command` names one.
#[diagnostic::on_unimplemented(
    message = "`default_command` names no command of `{Self}`",
    label = "no `#[command]` method has this name",
    note = "a command's name is its method's name in kebab-case, or the one in `#[command(name = \"...\")]`; a script has at least one `#[command]` method"
)]
pub trait HasCommand<const NAME: u64> {
    #[doc(hidden)]
    const CHECKED: () = ();
}

#[diagnostic::do_not_recommend]
impl<T: CommandNamed<NAME>, const NAME: u64> HasCommand<NAME> for T {}

/// Implemented by `#[zenkit::app]` for each command of its block, by the
/// hash of the command's name; behind [`HasCommand`], so that a missing
/// command's error does not list the others.
#[doc(hidden)]
pub trait CommandNamed<const NAME: u64> {}

/// No value: implements the traits the macros implement for applications,
/// so that the compiler, when one is missing, does not suggest adding one.
#[doc(hidden)]
pub enum Never {}

#[diagnostic::do_not_recommend]
impl ScriptApp for Never {}
#[diagnostic::do_not_recommend]
impl DaemonApp for Never {}
#[diagnostic::do_not_recommend]
impl ProcessApp for Never {}
#[diagnostic::do_not_recommend]
impl ScriptCommands for Never {}

#[cfg(feature = "daemon")]
pub use daemon::{ComponentField, ComponentState, HandlerArgs, HandlerReturn};

#[cfg(feature = "daemon")]
mod daemon {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;

    use crate::__private::{self as p, ComponentAccess};
    use crate::daemon::{Args, Component, Daemon, Flow, Wiring};

    /// A type an `#[on_event]` handler can take the event's arguments as:
    /// any `serde::Deserialize` type they are converted into (or `Args`,
    /// taken as they are).
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be the arguments of a zenkit event handler",
        label = "not deserializable",
        note = "an `#[on_event]` method takes `Args` as they are, or any `T: serde::Deserialize` they are converted into: derive `serde::Deserialize` for `{Self}`"
    )]
    pub trait HandlerArgs: Sized {
        #[doc(hidden)]
        fn run_handler(
            daemon: &mut Daemon<'_>,
            args: Args,
            handler: &str,
            call: impl FnOnce(&mut Daemon<'_>, Self) -> Flow,
        ) -> Flow;
    }

    #[diagnostic::do_not_recommend]
    impl<T: DeserializeOwned> HandlerArgs for T {
        fn run_handler(
            daemon: &mut Daemon<'_>,
            args: Args,
            handler: &str,
            call: impl FnOnce(&mut Daemon<'_>, T) -> Flow,
        ) -> Flow {
            p::typed_handler(daemon, args, handler, call)
        }
    }

    /// A return type of an event or signal handler: [`Flow`].
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a return type of a zenkit event handler",
        label = "expected `Flow`",
        note = "`#[on_event]` and `#[on_signal]` methods return `zenkit::daemon::Flow`: `Flow::next()` runs the next handler, `Flow::with(args)` hands it arguments, `Flow::Stop` ends the chain; report an error with `daemon.register_error(...)`"
    )]
    pub trait HandlerReturn {
        #[doc(hidden)]
        fn into_flow(self) -> Flow;
    }

    #[diagnostic::do_not_recommend]
    impl HandlerReturn for Flow {
        fn into_flow(self) -> Flow {
            self
        }
    }

    /// A return type of a component's `#[state]` method: any
    /// `serde::Serialize` type, written to the daemon state file as JSON.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be the state of a component",
        label = "not serializable",
        note = "a `#[state]` method returns any `T: serde::Serialize`; it goes to the daemon state file as JSON"
    )]
    pub trait ComponentState: Sized {
        #[doc(hidden)]
        fn state_json(self, component: &str) -> Value;
    }

    #[diagnostic::do_not_recommend]
    impl<T: Serialize> ComponentState for T {
        fn state_json(self, component: &str) -> Value {
            p::component_state(component, self)
        }
    }

    /// A type a `#[zen(component)]` field can have: a daemon [`Component`].
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a daemon component",
        label = "not a component",
        note = "mark an impl block of the component's type with `#[zenkit::component]`, or implement `zenkit::daemon::Component` by hand"
    )]
    pub trait ComponentField: Sized + 'static {
        #[doc(hidden)]
        fn register<A: 'static>(
            wiring: &mut Wiring<A>,
            name: &'static str,
            access: ComponentAccess<A, Self>,
        );
    }

    #[diagnostic::do_not_recommend]
    impl<C: Component> ComponentField for C {
        fn register<A: 'static>(
            wiring: &mut Wiring<A>,
            name: &'static str,
            access: ComponentAccess<A, C>,
        ) {
            wiring.component::<C>(name, access);
        }
    }
}
