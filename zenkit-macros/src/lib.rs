//! Derive and attribute macros of zenkit. Use them through the `zenkit`
//! crate (`zenkit::ZenApp`, `zenkit::app`, `zenkit::component`,
//! `zenkit::plugin`), which re-exports them beside the traits they
//! implement.
//!
//! Each macro runs one pipeline: `ast` reads the item into a small model,
//! `attr` reads the attributes into typed values, `check` runs the checks
//! that span several attributes (`defaults` those of literal defaults
//! against the field's type), `expand` generates the code. Every error is
//! collected in a `ctxt::Ctxt` and all are reported at once; on error
//! `fallback` still emits the user's item and stub impls. What the compiler
//! checks for the macros is spelt as traits of `zenkit::types` on the
//! author's tokens (`expand::kinds` for the rules between an application's
//! kind and its methods), so that its errors read like the macros' own;
//! `features` leaves out what zenkit's features turn off.

mod ast;
mod attr;
mod check;
mod ctxt;
mod defaults;
mod doc;
mod expand;
mod fallback;
mod features;
mod params;
mod signal;

use proc_macro::TokenStream;

/// Derives `zenkit::App` for an application struct with named fields.
///
/// The struct's doc comment is the `--help` text: its first paragraph the
/// short description, the whole text the long one. The version is the
/// crate's `CARGO_PKG_VERSION`.
///
/// Keys of `#[zen(...)]` on the struct:
/// * `name = "..."`: the application name (default: the executable's name);
/// * `script`: the application is a script (`App::KIND` is
///   `AppKind::Script`): it has the script options (`--command`, `--shell`,
///   `--regular`, `--interval`, ...) and runs one of its `#[command]`
///   methods instead of a process step. A script must have at least one
///   command. The script options and keys are reserved only in scripts: a
///   base application may have its own `--command` or key `interval`;
/// * `daemon`: the application is a daemon (`App::KIND` is
///   `AppKind::Daemon`): it has the daemon options (`--no-daemon`,
///   `--state-file`, `--stats-interval`, `--runlog-interval`) and runs an
///   event loop over the handlers of its components and of its own
///   `#[zenkit::app]` impl block instead of a process step. Not with
///   `script`;
/// * `default_command = "..."` (with `script` only): the command run when none
///   is selected, checked at compile time against the commands; without it
///   the first command in declaration order is the default;
/// * `paths(cfg = "...", var = "...", log = "...", run = "...", tmp = "...",
///   bin = "...")`: sub-paths under the root (`APP_ROOT_PATH`);
/// * `defaults(key = literal, ...)`: new defaults of built-in configuration
///   keys, e.g. `defaults(config_file_silent = true, log_level = "debug")`;
///   a script's keys only in a script, a daemon's (e.g.
///   `stats_interval = 60`, `stop_timeout = 0.5`) only in a daemon; not `name`, which decides the paths
///   before defaults apply (use `name = "..."`), nor `command` (use
///   `default_command = "..."`);
/// * `plugins(TypeA, TypeB, ...)`: plugins the application lists itself
///   (`App::plugins`), for builds where registration at link time is not
///   wanted. Each type implements `zenkit::plugin::Plugin` and `Default`
///   and is made with `Default::default()`; a type listed twice is an
///   error;
/// * `linked_plugins = false` (or `true`, the default): whether the plugins
///   registered at link time by `#[zenkit::plugin]` join the application
///   (`App::LINKED_PLUGINS`). With `false` only the listed ones run.
///
/// Whatever their source, plugins run in the order of their names.
///
/// Keys of `#[zen(...)]` on a field:
/// * `cli` or `cli(short = 'n', long = "name")`: a configuration key named
///   after the field and the option `--field-name`. A `bool` field is a
///   flag (with `default = true`, the flag `--no-field-name` turns it off),
///   `Option<T>` an optional value, `Vec<T>` a repeatable option,
///   `Option<Vec<T>>` a repeatable option that is `None` unless given,
///   anything else one value parsed with `FromStr`. A type written
///   `Duration` is `std::time::Duration`, read as `"90s"`, `"1h 30m"` or
///   seconds; an enum deriving `zenkit::Value` offers its names as the
///   option's possible values. The field's doc comment is the option's help;
/// * `config`: a configuration key without an option;
/// * `default = <expr>`: the key's default; a string literal is parsed with
///   `FromStr` (a duration's as a duration) at run time, any other
///   expression must have the field's type. Without it the default comes
///   from the struct's `Default` impl;
/// * `env = "VAR"` (with `cli` or `config`): environment variable `VAR`
///   sets the key, above the configuration files and below the command
///   line; empty counts as unset;
/// * `rename = "key"`: the configuration key (and the option, unless
///   `cli(long = ...)` names it) instead of the field's name;
/// * `hide` (with `cli`): the option is not shown in `--help`;
/// * `value_name = "N"` (with `cli`, not on a flag): the option's value name
///   in `--help`;
/// * `range = 1..=100` (also `1..100`, `..=9`, `0.5..=2.0`): a number field,
///   or an `Option` or `Vec` of numbers, must be in the range; a literal
///   default outside it is a compile error;
/// * `pstate`: a field kept in the persistent state file;
/// * `component` (daemons only): a component of the daemon, a type with a
///   `#[component]` impl block (or a hand-written `zenkit::daemon::Component`
///   impl). Components are registered in field order under the field's
///   name, which names them in statistics and the daemon state.
///
/// Fields without `#[zen]` are left alone.
///
/// ```ignore
/// use zenkit::prelude::*;
///
/// /// Greets people.
/// #[derive(ZenApp, Default)]
/// #[zen(defaults(config_file_silent = true), plugins(Timer), linked_plugins = false)]
/// struct Greeter {
///     /// Whom to greet.
///     #[zen(cli, default = "world")]
///     who: String,
///     /// How many times.
///     #[zen(cli(short = 'n'), default = 1)]
///     times: u32,
///     /// Greetings made over all runs.
///     #[zen(pstate)]
///     total: u64,
/// }
/// ```
#[proc_macro_derive(ZenApp, attributes(zen))]
pub fn derive_zen_app(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::app::derive(&input).into()
}

/// Derives the value traits of an enum of unit variants, so that it can be
/// the type of an option or a configuration key: `zenkit::value::EnumValue`
/// (the list of names), `FromStr`, `Display`, `serde::Serialize` and
/// `serde::Deserialize`, all from one set of names.
///
/// A variant's name is its identifier in kebab-case (`FastMode` →
/// `fast-mode`), or the one given with `#[zen(name = "...")]` on the
/// variant. The command line and files take exactly these names; any other
/// text is an error that lists them, and an option of the type shows them
/// in `--help` as its possible values.
///
/// Compile errors: a struct or union, a variant with fields, two variants
/// with one name, a generic enum, an unknown key.
///
/// ```ignore
/// #[derive(zenkit::Value, Clone, Copy, Default)]
/// enum Compression {
///     #[default]
///     None,
///     Gzip,
///     #[zen(name = "zstd")]
///     Zstandard,
/// }
/// ```
#[proc_macro_derive(Value, attributes(zen))]
pub fn derive_value(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::value::derive(&input).into()
}

/// Implements `zenkit::Hooks` from the methods of an inherent impl block.
///
/// Mark methods with `#[setup]`, `#[process]`, `#[teardown]` (at most one
/// each) and `#[action]` or `#[action(name = "...")]` (any number; the name
/// defaults to the method's name in kebab-case, the help to the first
/// paragraph of its doc comment). Each has the signature
/// `fn name(&mut self, ctx: &mut Context) -> zenkit::Result<()>`; the error
/// type may be any `E: Into<zenkit::Error>`.
///
/// In a script (`#[zen(script)]`), mark its commands `#[command]` or
/// `#[command(name = "...")]`, named and described like actions, listed in
/// declaration order. A command has the signature
/// `fn name(&mut self, ctx: &mut Context) -> zenkit::Result<T>` with
/// `T: serde::Serialize`; its value goes to the runlog under the command's
/// name. A script has no `#[process]` method: the selected command is its
/// process step. `#[command]` on an application that is not a script, a
/// script without commands and a `default_command` naming no command are
/// compile errors.
///
/// Each command is a subcommand (`tool help COMMAND` shows its help), and
/// may take arguments and options of its own as parameters after the
/// context: `#[arg]` (or `#[arg(help = "...")]`) marks a positional
/// argument, `#[opt]` (or `#[opt(help = "...", short = 'n', long = "...")]`)
/// an option named after the parameter in kebab-case. The type says how
/// many values: `bool` is a flag (options only), `T` one value, required,
/// `Option<T>` one or none, `Vec<T>` any number (a positional one last);
/// `T` is parsed with `FromStr`. A parameter without a marker, a marker on
/// another method, a `bool` argument, a required argument after an
/// optional one or after a `Vec`, an option name given twice or taken by a
/// built-in option, and a type without `FromStr` are compile errors.
///
/// In a daemon (`#[zen(daemon)]`), mark the application's own event
/// handlers `#[on_event("name")]` or `#[on_signal(SIGX)]`, as in a
/// `#[component]` impl block (see there for their signatures); they run
/// after the built-in handlers of the same event, before those of the
/// components. Handlers on an application that is not a daemon, and a
/// `#[process]` method in a daemon, are compile errors.
///
/// ```ignore
/// // on the struct: #[zen(script, default_command = "greet")]
/// #[zenkit::app]
/// impl Greeter {
///     /// Say hello.
///     #[command]
///     fn greet(&mut self, ctx: &mut Context) -> zenkit::Result<u32> {
///         for _ in 0..self.times {
///             ctx.print(0, format_args!("Hello, {}!", self.who));
///         }
///         self.total += u64::from(self.times);
///         Ok(self.times)
///     }
///
///     /// Forget the total, or only `--keep` less of it.
///     #[command(name = "forget")]
///     fn reset(
///         &mut self,
///         _ctx: &mut Context,
///         #[opt(help = "How much to keep")] keep: Option<u64>,
///     ) -> zenkit::Result<()> {
///         self.total = keep.unwrap_or(0).min(self.total);
///         Ok(())
///     }
///
///     /// Print the total and exit.
///     #[action]
///     fn show_total(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
///         ctx.print(0, format_args!("{}", self.total));
///         Ok(())
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn app(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::hooks::expand(args.into(), item.into()).into()
}

/// Implements `zenkit::daemon::Component` from the methods of an inherent
/// impl block, so that the type can be a `#[zen(component)]` field of a
/// daemon.
///
/// Mark methods with:
/// * `#[on_event("name")]`: a handler of event `name`, with the signature
///   `fn name(&mut self, daemon: &mut Daemon, args: Args) -> Flow`. It gets
///   the arguments of the event (or those the previous handler passed on)
///   and returns `Flow::next()`, `Flow::with(args)` or `Flow::Stop`.
///   `#[on_event("name", first)]` puts the handler before the handlers
///   registered earlier for the event;
/// * `#[on_signal(SIGHUP)]` (or `first` as well): a handler of a signal's
///   event (`signal_hup`), with the signature
///   `fn name(&mut self, daemon: &mut Daemon) -> Flow`. Any catchable signal
///   but SIGINT (handle `#[on_event("stop")]`) and SIGTERM (which leaves the
///   loop at once) may be named; the signal handler itself only records the
///   signal, the method runs in the event loop;
/// * `#[setup]` (run once before the `start` event) and `#[reload]` (run
///   after a SIGHUP put a new configuration in force), each at most once,
///   with the signature `fn name(&mut self, daemon: &mut Daemon) ->
///   zenkit::Result<()>`;
/// * `#[state]`, at most once: `fn name(&self) -> T` with
///   `T: serde::Serialize`, the component's part of the daemon state.
///
/// Handlers are registered in declaration order. The impl block may be
/// generic, so that one component serves many daemons; its type parameters
/// must be `'static`.
///
/// Each event of an `#[on_event]` method also becomes a documented
/// associated constant of the type, a `zenkit::daemon::TypedEvent` named
/// for the event in upper snake case (`tick` → `Ticker::TICK`,
/// `message.next` → `MESSAGE_NEXT`; see `TypedEvent` for the rule): schedule
/// by it, and a misspelt event is a build error. Two events of the block
/// that make one constant are an error at the second name. `#[zenkit::app]`
/// does the same for a daemon's own handlers.
///
/// ```ignore
/// use zenkit::prelude::*;
///
/// #[derive(Default)]
/// struct Ticker {
///     ticks: u64,
/// }
///
/// #[component]
/// impl Ticker {
///     #[on_event("start")]
///     fn start(&mut self, d: &mut Daemon, _args: Args) -> Flow {
///         d.schedule(Ticker::TICK, None);
///         Flow::next()
///     }
///
///     #[on_event("tick")]
///     fn tick(&mut self, d: &mut Daemon, _args: Args) -> Flow {
///         self.ticks += 1;
///         d.inc_statistic("ticks", 1);
///         if !d.is_done() {
///             d.schedule_after_secs(1.0, Self::TICK, None);
///         }
///         Flow::next()
///     }
///
///     #[on_signal(SIGUSR1)]
///     fn reset(&mut self, _d: &mut Daemon) -> Flow {
///         self.ticks = 0;
///         Flow::next()
///     }
///
///     #[state]
///     fn state(&self) -> u64 {
///         self.ticks
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn component(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::component::expand(args.into(), item.into()).into()
}

/// Registers a plugin type at link time, so that every application of a
/// program linking the type's crate gains the plugin (unless it says
/// `#[zen(linked_plugins = false)]`).
///
/// Goes on the plugin's `impl zenkit::plugin::Plugin for Type` block, or
/// on the definition of its struct or enum, without generic parameters;
/// the type implements `Default` too, and the registration makes the
/// plugin with `Default::default()`. The item is left unchanged. The
/// attribute takes no arguments.
///
/// On the impl block, a `fn name` that returns a string literal is checked
/// against the other plugins registered so in the crate: two plugins of one
/// crate with the same name are a compile error at the second name, which
/// reads "the name `two_plugins_of_this_crate_are_named_meter` is defined
/// multiple times" (the compiler names the hidden macro that stands for the
/// name). Plugins of different crates sharing a name, or whose name is
/// computed, stop the program at start-up with a message naming both types
/// and where they come from.
///
/// Compile errors: the type does not implement `Plugin` or `Default`, the
/// type or impl is generic (list its instances in the application's
/// `#[zen(plugins(...))]` instead), the item is none of these, a type
/// registered twice (twice the attribute, or on both its definition and its
/// impl block: "conflicting implementations of trait
/// `zenkit::plugin::RegisteredOnce`"), and two plugins of the crate named
/// alike.
///
/// The linker drops a crate nothing refers to, and its registrations with
/// it: an application that uses a plugin crate only for its plugins must
/// refer to it, e.g. `use zenkit_prometheus as _;`.
///
/// ```ignore
/// use zenkit::plugin::Plugin;
///
/// /// Counts the runs of any application that links this crate.
/// #[derive(Default)]
/// pub struct RunCounter;
///
/// #[zenkit::plugin]
/// impl Plugin for RunCounter {
///     fn name(&self) -> &'static str {
///         "run-counter"
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn plugin(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::plugin::expand(args.into(), item.into()).into()
}
