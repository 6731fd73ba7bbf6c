//! Derive and attribute macros of zenkit. Use them through the `zenkit`
//! crate (`zenkit::ZenApp`, `zenkit::app`), which re-exports them beside the
//! traits they implement.
//!
//! Each macro runs one pipeline: `ast` reads the item into a small model,
//! `attr` reads the attributes into typed values, `check` runs the checks
//! that span several attributes, `expand` generates the code. Every error is
//! collected in a `ctxt::Ctxt` and all are reported at once; on error
//! `fallback` still emits the user's item and stub impls.

mod ast;
mod attr;
mod check;
mod ctxt;
mod doc;
mod expand;
mod fallback;

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
/// * `default_command = "..."` (with `script` only): the command run when none
///   is selected, checked at compile time against the commands; without it
///   the first command in declaration order is the default;
/// * `paths(cfg = "...", var = "...", log = "...", run = "...", tmp = "...",
///   bin = "...")`: sub-paths under the root (`APP_ROOT_PATH`);
/// * `defaults(key = literal, ...)`: new defaults of built-in configuration
///   keys, e.g. `defaults(config_file_silent = true, log_level = "debug")`;
///   a script's keys only in a script; not `name`, which decides the paths
///   before defaults apply (use `name = "..."`), nor `command` (use
///   `default_command = "..."`).
///
/// Keys of `#[zen(...)]` on a field:
/// * `cli` or `cli(short = 'n', long = "name")`: a configuration key named
///   after the field and the option `--field-name`. A `bool` field is a
///   flag, `Option<T>` an optional value, `Vec<T>` a repeatable option,
///   anything else one value parsed with `FromStr`. The field's doc comment
///   is the option's help;
/// * `config`: a configuration key without an option;
/// * `default = <expr>`: the key's default; a string literal is parsed with
///   `FromStr` at run time, any other expression must have the field's type.
///   Without it the default comes from the struct's `Default` impl;
/// * `pstate`: a field kept in the persistent state file.
///
/// Fields without `#[zen]` are left alone.
///
/// ```ignore
/// use zenkit::prelude::*;
///
/// /// Greets people.
/// #[derive(ZenApp, Default)]
/// #[zen(defaults(config_file_silent = true))]
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
///     /// Forget the total.
///     #[command(name = "forget")]
///     fn reset(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
///         self.total = 0;
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
