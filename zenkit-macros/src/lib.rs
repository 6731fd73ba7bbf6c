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
/// * `paths(cfg = "...", var = "...", log = "...", run = "...", tmp = "...",
///   bin = "...")`: sub-paths under the root (`APP_ROOT_PATH`);
/// * `defaults(key = literal, ...)`: new defaults of built-in configuration
///   keys, e.g. `defaults(config_file_silent = true, log_level = "debug")`;
///   not `name`, which decides the paths before defaults apply (use
///   `name = "..."`).
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
/// `fn name(&mut self, ctx: &mut Context) -> zenkit::Result<()>`.
///
/// ```ignore
/// #[zenkit::app]
/// impl Greeter {
///     #[process]
///     fn process(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
///         ctx.print(0, format_args!("Hello, {}!", self.who));
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
