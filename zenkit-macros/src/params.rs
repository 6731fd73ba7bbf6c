//! The parameters of a `#[command]` method after the context: `#[arg]`
//! marks a positional argument, `#[opt]` an option of the command's own,
//! each given after the command's name on the command line.
//!
//! ```text
//! #[command]
//! fn restore(&mut self, ctx: &mut Context,
//!            #[arg(help = "Archive to restore")] snapshot: String,
//!            #[opt(short = 'n', help = "Only show what would change")] dry_run: bool)
//! ```
//!
//! The type says how many values: `bool` a flag (options only), `T` one
//! (required), `Option<T>` one or none, `Vec<T>` any number; `T` is parsed
//! with `FromStr`.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, LitChar, LitStr, Pat, Signature, Type};

use crate::ast::{kebab, shape, Shape};
use crate::attr::{valid_long, HookKind};
use crate::ctxt::Ctxt;

/// Where a command's parameter is given.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `#[arg]`: a positional argument.
    Arg,
    /// `#[opt]`: an option.
    Opt,
}

impl Place {
    fn marker(self) -> &'static str {
        match self {
            Place::Arg => "arg",
            Place::Opt => "opt",
        }
    }
}

/// One marked parameter of a method.
pub(crate) struct Param {
    pub(crate) place: Place,
    /// The marker's name, for errors about the marker.
    pub(crate) marker: Ident,
    /// The parameter's name (without `r#`); `None` for a pattern.
    pub(crate) name: Option<Ident>,
    pub(crate) pat: Box<Pat>,
    pub(crate) ty: Box<Type>,
    /// The parameter's position in the signature, the receiver being 0.
    pub(crate) index: usize,
    pub(crate) help: Option<LitStr>,
    pub(crate) short: Option<LitChar>,
    pub(crate) long: Option<LitStr>,
}

impl Param {
    /// The option's long name, or the argument's value name in kebab-case.
    pub(crate) fn long(&self) -> String {
        match (&self.long, &self.name) {
            (Some(long), _) => long.value(),
            (None, Some(name)) => kebab(&name.unraw().to_string()),
            (None, None) => String::new(),
        }
    }

    /// The parameter's name as the runtime knows it.
    pub(crate) fn key(&self) -> String {
        self.name
            .as_ref()
            .map(|n| n.unraw().to_string())
            .unwrap_or_default()
    }
}

/// Removes the `#[arg]` and `#[opt]` markers from the parameters of `sig`
/// and returns the marked parameters; `kind` is the method's hook, when it
/// is one: only a command's parameters may be marked.
pub(crate) fn take(cx: &Ctxt, sig: &mut Signature, kind: Option<HookKind>) -> Vec<Param> {
    let method = sig.ident.clone();
    let mut params = Vec::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(typed) = input else { continue };
        let mut found: Option<Param> = None;
        let mut kept = Vec::new();
        for attr in std::mem::take(&mut typed.attrs) {
            let place = if attr.path().is_ident("arg") {
                Place::Arg
            } else if attr.path().is_ident("opt") {
                Place::Opt
            } else {
                kept.push(attr);
                continue;
            };
            let marker = attr.path().get_ident().cloned().expect("a plain name");
            if let Some(first) = &found {
                cx.error_spanned_by(
                    &marker,
                    format!(
                        "this parameter is already marked `#[{}]`; a parameter is either a positional argument (`#[arg]`) or an option (`#[opt]`)",
                        first.place.marker()
                    ),
                );
                continue;
            }
            let mut param = Param {
                place,
                marker,
                name: match &*typed.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        Some(p.ident.clone())
                    }
                    _ => None,
                },
                pat: typed.pat.clone(),
                ty: typed.ty.clone(),
                index,
                help: None,
                short: None,
                long: None,
            };
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                arguments(cx, &attr, &mut param);
            }
            found = Some(param);
        }
        typed.attrs = kept;
        params.extend(found);
    }
    if kind != Some(HookKind::Command) {
        let what = match kind {
            Some(kind) => format!("a `#[{}]` method", kind.as_str()),
            None => "not a hook".to_string(),
        };
        for param in &params {
            cx.error_spanned_by(
                &param.marker,
                format!(
                    "`#[{}]` marks a parameter of a `#[command]` method, which the command line gives after the command's name; `{method}` is {what}",
                    param.place.marker()
                ),
            );
        }
    }
    params
}

/// Reads `#[arg(help = "...")]` or `#[opt(help = "...", short = 'x', long = "...")]`.
fn arguments(cx: &Ctxt, attr: &syn::Attribute, param: &mut Param) {
    let marker = param.place.marker();
    let known = match param.place {
        Place::Arg => "`help`",
        Place::Opt => "`help`, `short` and `long`",
    };
    let result = attr.parse_nested_meta(|meta| {
        let Some(ident) = meta.path.get_ident() else {
            return Err(meta.error(format!("`#[{marker}]` takes {known}")));
        };
        let twice = || {
            cx.error_spanned_by(
                ident,
                format!("`{ident}` is given twice in `#[{marker}(...)]`"),
            )
        };
        match (ident.to_string().as_str(), param.place) {
            ("help", _) => {
                let value: LitStr = meta.value()?.parse()?;
                if param.help.is_some() {
                    twice();
                }
                param.help = Some(value);
            }
            ("short", Place::Opt) => {
                let value: LitChar = meta.value()?.parse()?;
                if !value.value().is_ascii_alphanumeric() {
                    cx.error_spanned_by(
                        &value,
                        "a short option is one ASCII letter or digit",
                    );
                }
                if param.short.is_some() {
                    twice();
                }
                param.short = Some(value);
            }
            ("long", Place::Opt) => {
                let value: LitStr = meta.value()?.parse()?;
                if !valid_long(&value.value()) {
                    cx.error_spanned_by(
                        &value,
                        "a long option is ASCII letters, digits, `-`, `_` or `.`, starting with a letter or digit",
                    );
                }
                if param.long.is_some() {
                    twice();
                }
                param.long = Some(value);
            }
            ("short" | "long", Place::Arg) => {
                return Err(meta.error(format!(
                    "a positional argument has no `{ident}` name; make the parameter an `#[opt]` to give one"
                )));
            }
            _ => return Err(meta.error(format!("`#[{marker}]` takes {known}"))),
        }
        Ok(())
    });
    if let Err(err) = result {
        cx.syn_error(err);
    }
}

/// Checks the parameters of command `command` (with signature `sig`):
/// every parameter after the context marked, plain names, types that fit
/// their place, the order of positional arguments, and names unique among
/// the command's options and apart from the built-in ones.
pub(crate) fn check(cx: &Ctxt, command: &str, sig: &Signature, params: &[Param]) {
    for (index, input) in sig.inputs.iter().enumerate().skip(2) {
        if let FnArg::Typed(typed) = input {
            if !params.iter().any(|p| p.index == index) {
                cx.error_spanned_by(
                    &typed.pat,
                    format!(
                        "a parameter of command `{command}` after the context is given on the command line: mark it `#[arg]` (a positional argument) or `#[opt]` (an option)"
                    ),
                );
            }
        }
    }
    let mut longs: HashMap<String, Span> = HashMap::new();
    let mut shorts: HashMap<char, Span> = HashMap::new();
    let mut last_arg: Option<(&Param, Shape)> = None;
    for param in params {
        if param.index < 2 {
            cx.error_spanned_by(
                &param.marker,
                "the context comes first: a command's method takes `&mut self`, `ctx: &mut Context`, then its `#[arg]` and `#[opt]` parameters",
            );
            continue;
        }
        if param.name.is_none() {
            cx.error_spanned_by(
                &param.pat,
                format!(
                    "a `#[{}]` parameter needs a plain name, which names it on the command line",
                    param.place.marker()
                ),
            );
            continue;
        }
        let shape = shape(&param.ty);
        if matches!(shape, Shape::OptionalMany(_)) {
            cx.error_spanned_by(
                &param.ty,
                format!(
                    "a `#[{}]` parameter that may be repeated is a `Vec`: given no value, it is empty; drop the `Option`",
                    param.place.marker()
                ),
            );
            continue;
        }
        if param.place == Place::Arg {
            if matches!(shape, Shape::Flag) {
                cx.error_spanned_by(
                    &param.ty,
                    "a positional argument cannot be a `bool`: make it `#[opt]`, a flag given as `--name`",
                );
            }
            match last_arg {
                Some((before, Shape::Many(_))) => cx.error_spanned_by(
                    &param.marker,
                    format!(
                        "`#[arg] {}` follows `#[arg] {}`, a `Vec` that takes every remaining argument; put the `Vec` last",
                        param.key(),
                        before.key()
                    ),
                ),
                Some((before, Shape::Optional(_))) if matches!(shape, Shape::One) => cx
                    .error_spanned_by(
                        &param.marker,
                        format!(
                            "the required `#[arg] {}` follows the optional `#[arg] {}`; put the required arguments first",
                            param.key(),
                            before.key()
                        ),
                    ),
                _ => {}
            }
            last_arg = Some((param, shape));
            continue;
        }
        let long = param.long();
        let span = param
            .long
            .as_ref()
            .map_or_else(|| param.pat.span(), LitStr::span);
        if long == "help" {
            cx.error_at(
                span,
                "`--help` is the command's help; give the option another `long`",
            );
        } else if let Some(builtin) = builtin_long(&long) {
            cx.error_at(
                span,
                format!(
                    "`--{long}` is the built-in option of key `{builtin}`, which a command's options cannot reuse; give the option another `long`"
                ),
            );
        } else if longs.insert(long.clone(), span).is_some() {
            cx.error_at(
                span,
                format!("command `{command}` has option `--{long}` twice; give one of them another `long`"),
            );
        }
        if let Some(short) = &param.short {
            let c = short.value();
            if c == 'h' {
                cx.error_spanned_by(short, "`-h` is the command's help; choose another `short`");
            } else if let Some(builtin) = builtin_short(c) {
                cx.error_spanned_by(
                    short,
                    format!(
                        "`-{c}` is the built-in option of key `{builtin}`; choose another `short`"
                    ),
                );
            } else if shorts.insert(c, short.span()).is_some() {
                cx.error_spanned_by(
                    short,
                    format!("command `{command}` has option `-{c}` twice; choose another `short`"),
                );
            }
        }
    }
}

/// The key of the built-in option `--long` of scripts, if there is one.
fn builtin_long(long: &str) -> Option<&'static str> {
    zenkit_builtins::options(zenkit_builtins::Kind::Script)
        .find(|(_, opt)| opt.long == long || opt.alias == Some(long))
        .map(|(key, _)| key.key)
}

/// The key of the built-in option `-c` of scripts, if there is one.
fn builtin_short(c: char) -> Option<&'static str> {
    zenkit_builtins::options(zenkit_builtins::Kind::Script)
        .find(|(_, opt)| opt.short == Some(c))
        .map(|(key, _)| key.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(kind: Option<HookKind>, method: &str) -> (Vec<Param>, String) {
        let mut sig: Signature = syn::parse_str(method).unwrap();
        let cx = Ctxt::new();
        let params = take(&cx, &mut sig, kind);
        if kind == Some(HookKind::Command) {
            check(&cx, "restore", &sig, &params);
        }
        let errors = cx.check().err().map(|e| e.to_string()).unwrap_or_default();
        (params, errors)
    }

    #[test]
    fn markers_are_read_and_removed() {
        let mut sig: Signature = syn::parse_str(
            "fn restore(&mut self, ctx: &mut Context, #[arg(help = \"Archive\")] snapshot: String, #[opt(short = 'n', long = \"dry\")] dry_run: bool, #[opt] tag: Vec<String>)",
        )
        .unwrap();
        let cx = Ctxt::new();
        let params = take(&cx, &mut sig, Some(HookKind::Command));
        check(&cx, "restore", &sig, &params);
        assert!(cx.check().is_ok());
        assert_eq!(params.len(), 3);
        assert!(params[0].place == Place::Arg && params[0].key() == "snapshot");
        assert_eq!(params[0].help.as_ref().unwrap().value(), "Archive");
        assert_eq!(params[1].long(), "dry");
        assert_eq!(params[1].short.as_ref().unwrap().value(), 'n');
        assert_eq!(params[2].long(), "tag");
        let text = quote::quote!(#sig).to_string();
        assert!(!text.contains("arg") && !text.contains("opt"), "{text}");
    }

    #[test]
    fn misuse_is_reported() {
        for (kind, method, message) in [
            (
                Some(HookKind::Action),
                "fn a(&mut self, ctx: &mut Context, #[arg] x: String)",
                "`a` is a `#[action]` method",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, x: String)",
                "mark it `#[arg]`",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[arg] x: bool)",
                "cannot be a `bool`",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[arg] x: Vec<String>, #[arg] y: String)",
                "put the `Vec` last",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[arg] x: Option<String>, #[arg] y: String)",
                "put the required arguments first",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[opt] x: bool, #[opt(long = \"x\")] y: bool)",
                "has option `--x` twice",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[opt] debug: bool)",
                "built-in option of key `debug`",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[opt(short = 'v')] x: bool)",
                "`-v` is the built-in option of key `verbosity`",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[arg(short = 'x')] x: String)",
                "a positional argument has no `short` name",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[arg] #[opt] x: String)",
                "already marked `#[arg]`",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, #[arg] ctx: String)",
                "the context comes first",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[arg] (x, y): (u8, u8))",
                "needs a plain name",
            ),
            (
                Some(HookKind::Command),
                "fn a(&mut self, ctx: &mut Context, #[opt(bogus = 1)] x: bool)",
                "`#[opt]` takes `help`, `short` and `long`",
            ),
        ] {
            let (_, errors) = errors(kind, method);
            assert!(errors.contains(message), "{method}: {errors}");
        }
    }
}
