//! Reads `#[zen(...)]` and the hook markers into typed values that keep
//! their spans. Mistakes confined to one attribute are reported here; checks
//! across attributes live in `check`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitChar, LitStr, Meta};

use crate::check::{builtin_key, builtins, ValueKind};
use crate::ctxt::Ctxt;

/// Keys of `#[zen(...)]` on the struct.
const CONTAINER_KEYS: &str = "name, script, default_command, paths, defaults";
/// Keys of `#[zen(...)]` on a field.
const FIELD_KEYS: &str = "cli, config, default, pstate";
/// Keys of `cli(...)`.
const CLI_KEYS: &str = "short, long";
/// Keys of `paths(...)`, in the order of `PathOverrides`.
pub(crate) const PATH_KEYS: [&str; 6] = ["cfg", "var", "log", "run", "tmp", "bin"];
/// The built-in key of the application name: set by `#[zen(name = "...")]`,
/// never by `defaults(...)`, because the name decides the paths, which are
/// fixed before any default applies.
const NAME_KEY: &str = "name";
/// The built-in key of a script's command: its default is set by
/// `#[zen(default_command = "...")]`, which is checked against the commands.
const COMMAND_KEY: &str = "command";
/// The log levels `log_level` accepts.
const LOG_LEVELS: [&str; 5] = ["debug", "info", "warning", "error", "critical"];

/// `#[zen(...)]` on the application struct.
#[derive(Default)]
pub(crate) struct Container {
    /// `name = "..."`.
    pub(crate) name: Option<LitStr>,
    /// `script`: the application is a script.
    pub(crate) script: Option<Ident>,
    /// `default_command = "..."`: the key and the command's name.
    pub(crate) default_command: Option<(Ident, LitStr)>,
    /// `paths(kind = "...", ...)`.
    pub(crate) paths: Vec<(Ident, LitStr)>,
    /// `defaults(key = literal, ...)`.
    pub(crate) defaults: Vec<BuiltinDefault>,
}

/// A new default of a built-in configuration key.
pub(crate) struct BuiltinDefault {
    /// The key as written.
    pub(crate) key: Ident,
    /// The value, checked against the key's type.
    pub(crate) value: JsonLit,
}

/// A literal that becomes a JSON value.
pub(crate) enum JsonLit {
    Bool(bool),
    Int(u64),
    Str(String),
}

/// `#[zen(...)]` on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// `cli` or `cli(...)`.
    pub(crate) cli: Option<Cli>,
    /// `config`.
    pub(crate) config: Option<Ident>,
    /// `default = <expr>`.
    pub(crate) default: Option<DefaultAttr>,
    /// `pstate`.
    pub(crate) pstate: Option<Ident>,
}

/// `cli` or `cli(short = 'x', long = "name")`.
pub(crate) struct Cli {
    pub(crate) short: Option<LitChar>,
    pub(crate) long: Option<LitStr>,
}

/// `default = <expr>`.
pub(crate) struct DefaultAttr {
    /// The `default` keyword.
    pub(crate) key: Ident,
    pub(crate) expr: Expr,
}

/// Which hook a method marker names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HookKind {
    Setup,
    Process,
    Teardown,
    Action,
    Command,
}

impl HookKind {
    fn from_ident(ident: &Ident) -> Option<HookKind> {
        Some(match ident.to_string().as_str() {
            "setup" => HookKind::Setup,
            "process" => HookKind::Process,
            "teardown" => HookKind::Teardown,
            "action" => HookKind::Action,
            "command" => HookKind::Command,
            _ => return None,
        })
    }

    /// The marker as written, e.g. `process`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            HookKind::Setup => "setup",
            HookKind::Process => "process",
            HookKind::Teardown => "teardown",
            HookKind::Action => "action",
            HookKind::Command => "command",
        }
    }
}

/// A hook marker on a method: `#[process]`, `#[action(name = "...")]`,
/// `#[command]`, ...
pub(crate) struct Marker {
    pub(crate) kind: HookKind,
    /// The marker's name token, for spans.
    pub(crate) ident: Ident,
    /// The spans of the attribute's `#` and `]`, for errors over the whole
    /// attribute.
    pub(crate) bounds: (Span, Span),
    /// `name = "..."` of `#[action(...)]` or `#[command(...)]`.
    pub(crate) name: Option<LitStr>,
}

/// The key of a nested meta item as a string, e.g. `cli`.
fn key_of(meta: &ParseNestedMeta) -> String {
    meta.path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_else(|| quote::ToTokens::to_token_stream(&meta.path).to_string())
}

fn key_ident(meta: &ParseNestedMeta) -> Ident {
    meta.path.get_ident().cloned().unwrap_or_else(|| {
        let span = meta
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        Ident::new("key", span)
    })
}

/// Consumes whatever follows an unknown or repeated key (`= value` or
/// `(...)`) so that parsing goes on with the next key.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

fn unknown_key(cx: &Ctxt, meta: &ParseNestedMeta, place: &str, valid: &str) -> syn::Result<()> {
    cx.error_spanned_by(
        &meta.path,
        format!(
            "unknown key `{}` in {place}; valid keys: {valid}",
            key_of(meta)
        ),
    );
    skip_value(meta)
}

/// Records "given twice" when `slot` is already set; true when it was free.
fn first_time<T>(cx: &Ctxt, meta: &ParseNestedMeta, slot: &Option<T>) -> bool {
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("`{}` is given twice", key_of(meta)));
        false
    } else {
        true
    }
}

fn no_value(cx: &Ctxt, meta: &ParseNestedMeta, usage: &str) -> syn::Result<bool> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{}` takes no value; write `{usage}`", key_of(meta)),
        );
        skip_value(meta)?;
        return Ok(false);
    }
    Ok(true)
}

/// Parses `= <expr>` and returns the expression when it is a literal.
fn literal(cx: &Ctxt, meta: &ParseNestedMeta, expected: &str) -> syn::Result<Option<Lit>> {
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            format!(
                "`{}` needs a value: `{} = {expected}`",
                key_of(meta),
                key_of(meta)
            ),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Ok(Some(lit)),
        other => {
            cx.error_spanned_by(&other, format!("expected {expected}"));
            Ok(None)
        }
    }
}

fn lit_str(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<LitStr>> {
    Ok(match literal(cx, meta, "\"...\"")? {
        Some(Lit::Str(s)) => Some(s),
        Some(other) => {
            cx.error_spanned_by(
                &other,
                format!(
                    "`{}` takes a string literal: `{} = \"...\"`",
                    key_of(meta),
                    key_of(meta)
                ),
            );
            None
        }
        None => None,
    })
}

fn zen_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("zen"))
}

/// Reports `#[zen]` / `#[zen = ...]`; true for the `#[zen(...)]` form.
fn is_list(cx: &Ctxt, attr: &Attribute) -> bool {
    if let Meta::List(_) = attr.meta {
        true
    } else {
        cx.error_spanned_by(attr, "expected `#[zen(...)]`");
        false
    }
}

/// Whether `name` is a valid application name: `^[_a-zA-Z][-_a-zA-Z0-9.]*$`.
pub(crate) fn valid_app_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether `long` is a valid long option or action name: ASCII letters,
/// digits and `-`, `_`, `.`, starting with a letter or digit.
pub(crate) fn valid_long(long: &str) -> bool {
    let mut chars = long.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Reads the struct's `#[zen(...)]` attributes.
pub(crate) fn container(cx: &Ctxt, attrs: &[Attribute]) -> Container {
    let mut out = Container::default();
    for attr in zen_attrs(attrs) {
        if !is_list(cx, attr) {
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            match key_of(&meta).as_str() {
                "name" => {
                    let first = first_time(cx, &meta, &out.name);
                    if let Some(name) = lit_str(cx, &meta)? {
                        if !valid_app_name(&name.value()) {
                            cx.error_spanned_by(
                                &name,
                                "invalid application name: it must match ^[_a-zA-Z][-_a-zA-Z0-9.]*$",
                            );
                        } else if first {
                            out.name = Some(name);
                        }
                    }
                }
                "script" => {
                    if first_time(cx, &meta, &out.script) && no_value(cx, &meta, "script")? {
                        out.script = Some(key_ident(&meta));
                    }
                }
                "default_command" => {
                    let first = first_time(cx, &meta, &out.default_command);
                    if let Some(name) = lit_str(cx, &meta)? {
                        if !valid_long(&name.value()) {
                            cx.error_spanned_by(
                                &name,
                                "a command name is ASCII letters, digits, `-`, `_` or `.`, starting with a letter or digit",
                            );
                        } else if first {
                            out.default_command = Some((key_ident(&meta), name));
                        }
                    }
                }
                "paths" => {
                    if !meta.input.peek(syn::token::Paren) {
                        cx.error_spanned_by(
                            &meta.path,
                            "`paths` takes a list: `paths(log = \"...\", run = \"...\")`",
                        );
                        return skip_value(&meta);
                    }
                    meta.parse_nested_meta(|inner| paths_entry(cx, &inner, &mut out.paths))?;
                }
                "defaults" => {
                    if !meta.input.peek(syn::token::Paren) {
                        cx.error_spanned_by(
                            &meta.path,
                            "`defaults` takes a list: `defaults(log_level = \"debug\")`",
                        );
                        return skip_value(&meta);
                    }
                    meta.parse_nested_meta(|inner| {
                        defaults_entry(cx, &inner, &mut out.defaults)
                    })?;
                }
                _ => unknown_key(cx, &meta, "`#[zen(...)]` of the struct", CONTAINER_KEYS)?,
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

fn paths_entry(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    paths: &mut Vec<(Ident, LitStr)>,
) -> syn::Result<()> {
    let key = key_of(meta);
    if !PATH_KEYS.contains(&key.as_str()) {
        return unknown_key(cx, meta, "`paths(...)`", &PATH_KEYS.join(", "));
    }
    let ident = key_ident(meta);
    let repeated = paths.iter().any(|(k, _)| *k == ident);
    if let Some(value) = lit_str(cx, meta)? {
        if repeated {
            cx.error_spanned_by(&meta.path, format!("`{key}` is given twice"));
        } else if value.value().is_empty() {
            cx.error_spanned_by(&value, "a path cannot be empty");
        } else {
            paths.push((ident, value));
        }
    }
    Ok(())
}

fn defaults_entry(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    defaults: &mut Vec<BuiltinDefault>,
) -> syn::Result<()> {
    let key = key_of(meta);
    if key == NAME_KEY {
        cx.error_spanned_by(
            &meta.path,
            "the application name cannot be a default: it decides the paths before defaults apply; write `#[zen(name = \"...\")]` instead",
        );
        return skip_value(meta);
    }
    if key == COMMAND_KEY {
        cx.error_spanned_by(
            &meta.path,
            "a script's default command is not set here: write `#[zen(default_command = \"...\")]` instead",
        );
        return skip_value(meta);
    }
    // a script's own keys are accepted here and refused for other
    // applications by `check::app`, once `script` is known
    let Some(builtin) = builtin_key(&key, true) else {
        let valid: Vec<&str> = builtins(true)
            .filter_map(|b| b.key)
            .filter(|k| *k != NAME_KEY && *k != COMMAND_KEY)
            .collect();
        return unknown_key(cx, meta, "`defaults(...)`", &valid.join(", "));
    };
    let ident = key_ident(meta);
    let repeated = defaults.iter().any(|d| d.key == ident);
    let Some(lit) = literal(cx, meta, builtin.value.expected())? else {
        return Ok(());
    };
    let value = match (builtin.value, &lit) {
        (ValueKind::Flag, Lit::Bool(b)) => Some(JsonLit::Bool(b.value)),
        (ValueKind::Int | ValueKind::StrOrInt, Lit::Int(i)) => match i.base10_parse::<u64>() {
            Ok(n) => Some(JsonLit::Int(n)),
            Err(err) => {
                cx.syn_error(err);
                None
            }
        },
        (ValueKind::Str | ValueKind::StrOrInt, Lit::Str(s)) => Some(JsonLit::Str(s.value())),
        (ValueKind::LogLevel, Lit::Str(s)) if LOG_LEVELS.contains(&s.value().as_str()) => {
            Some(JsonLit::Str(s.value()))
        }
        (ValueKind::LogLevel, Lit::Str(s)) => {
            cx.error_spanned_by(
                s,
                format!(
                    "unknown log level {:?}; valid levels: {}",
                    s.value(),
                    LOG_LEVELS.join(", ")
                ),
            );
            None
        }
        _ => {
            cx.error_spanned_by(&lit, format!("`{key}` takes {}", builtin.value.expected()));
            None
        }
    };
    if repeated {
        cx.error_spanned_by(&meta.path, format!("`{key}` is given twice"));
    } else if let Some(value) = value {
        defaults.push(BuiltinDefault { key: ident, value });
    }
    Ok(())
}

/// Reads a field's `#[zen(...)]` attributes.
pub(crate) fn field(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in zen_attrs(attrs) {
        if !is_list(cx, attr) {
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            match key_of(&meta).as_str() {
                "cli" => {
                    let first = first_time(cx, &meta, &out.cli);
                    let cli = cli(cx, &meta)?;
                    if first {
                        out.cli = Some(cli);
                    }
                }
                "config" => {
                    if first_time(cx, &meta, &out.config) && no_value(cx, &meta, "config")? {
                        out.config = Some(key_ident(&meta));
                    }
                }
                "pstate" => {
                    if first_time(cx, &meta, &out.pstate) && no_value(cx, &meta, "pstate")? {
                        out.pstate = Some(key_ident(&meta));
                    }
                }
                "default" => {
                    let first = first_time(cx, &meta, &out.default);
                    if !meta.input.peek(syn::Token![=]) {
                        cx.error_spanned_by(
                            &meta.path,
                            "`default` needs a value: `default = <expression>`",
                        );
                        return skip_value(&meta);
                    }
                    let expr: Expr = meta.value()?.parse()?;
                    if first {
                        out.default = Some(DefaultAttr {
                            key: key_ident(&meta),
                            expr,
                        });
                    }
                }
                _ => unknown_key(cx, &meta, "`#[zen(...)]` of a field", FIELD_KEYS)?,
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

fn cli(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Cli> {
    let mut out = Cli {
        short: None,
        long: None,
    };
    if meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            "`cli` takes no value; write `cli` or `cli(short = 'x', long = \"name\")`",
        );
        skip_value(meta)?;
        return Ok(out);
    }
    if !meta.input.peek(syn::token::Paren) {
        return Ok(out);
    }
    meta.parse_nested_meta(|inner| {
        match key_of(&inner).as_str() {
            "short" => {
                let first = first_time(cx, &inner, &out.short);
                match literal(cx, &inner, "a character: `short = 'x'`")? {
                    Some(Lit::Char(c)) => {
                        if !c.value().is_ascii_alphanumeric() {
                            cx.error_spanned_by(&c, "a short option must be an ASCII letter or digit");
                        } else if first {
                            out.short = Some(c);
                        }
                    }
                    Some(other) => cx.error_spanned_by(&other, "expected a character: `short = 'x'`"),
                    None => {}
                }
            }
            "long" => {
                let first = first_time(cx, &inner, &out.long);
                if let Some(long) = lit_str(cx, &inner)? {
                    if !valid_long(&long.value()) {
                        cx.error_spanned_by(
                            &long,
                            "a long option is ASCII letters, digits, `-`, `_` or `.`, starting with a letter or digit (written without `--`)",
                        );
                    } else if first {
                        out.long = Some(long);
                    }
                }
            }
            _ => unknown_key(cx, &inner, "`cli(...)`", CLI_KEYS)?,
        }
        Ok(())
    })?;
    Ok(out)
}

/// Removes the hook markers from a method's attributes and reads them.
pub(crate) fn take_markers(cx: &Ctxt, attrs: &mut Vec<Attribute>) -> Vec<Marker> {
    let mut markers = Vec::new();
    attrs.retain(|attr| {
        let Some(ident) = attr.path().get_ident() else {
            return true;
        };
        let Some(kind) = HookKind::from_ident(ident) else {
            return true;
        };
        let mut marker = Marker {
            kind,
            ident: ident.clone(),
            bounds: (attr.pound_token.span, attr.bracket_token.span.close()),
            name: None,
        };
        match (&attr.meta, kind) {
            (Meta::Path(_), _) => {}
            (Meta::List(_), HookKind::Action | HookKind::Command) => {
                let place = format!("`#[{}(...)]`", kind.as_str());
                let what = if kind == HookKind::Action {
                    "an action name"
                } else {
                    "a command name"
                };
                let result = attr.parse_nested_meta(|meta| {
                    if key_of(&meta) != "name" {
                        return unknown_key(cx, &meta, &place, "name");
                    }
                    let first = first_time(cx, &meta, &marker.name);
                    if let Some(name) = lit_str(cx, &meta)? {
                        if !valid_long(&name.value()) {
                            cx.error_spanned_by(
                                &name,
                                format!("{what} is ASCII letters, digits, `-`, `_` or `.`, starting with a letter or digit"),
                            );
                        } else if first {
                            marker.name = Some(name);
                        }
                    }
                    Ok(())
                });
                if let Err(err) = result {
                    cx.syn_error(err);
                }
            }
            (_, HookKind::Action | HookKind::Command) => cx.error_spanned_by(
                attr,
                format!(
                    "expected `#[{0}]` or `#[{0}(name = \"...\")]`",
                    kind.as_str()
                ),
            ),
            (_, kind) => cx.error_spanned_by(
                &attr.meta,
                format!("`#[{}]` takes no arguments", kind.as_str()),
            ),
        }
        markers.push(marker);
        false
    });
    markers
}

impl ValueKind {
    /// What a literal of this kind looks like, for messages.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            ValueKind::Flag => "`true` or `false`",
            ValueKind::Int => "an integer",
            ValueKind::Str => "a string",
            ValueKind::StrOrInt => "a name or a number",
            ValueKind::LogLevel => {
                "one of \"debug\", \"info\", \"warning\", \"error\", \"critical\""
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["demo", "_x", "demo-app.v2"] {
            assert!(valid_app_name(ok), "{ok}");
        }
        for bad in ["", "1st", "-x", "a b", "é"] {
            assert!(!valid_app_name(bad), "{bad}");
        }
        for ok in ["size", "out-file", "v2", "a_b"] {
            assert!(valid_long(ok), "{ok}");
        }
        for bad in ["", "--size", "-x", "two words", "_x"] {
            assert!(!valid_long(bad), "{bad}");
        }
    }

    #[test]
    fn markers_are_removed_and_read() {
        let cx = Ctxt::new();
        let mut method: syn::ImplItemFn = syn::parse_quote! {
            /// Doc.
            #[action(name = "show-it")]
            #[inline]
            fn show(&mut self) {}
        };
        let markers = take_markers(&cx, &mut method.attrs);
        assert!(cx.check().is_ok());
        assert_eq!(markers.len(), 1);
        assert_eq!(markers[0].kind, HookKind::Action);
        assert_eq!(
            markers[0].name.as_ref().map(LitStr::value).as_deref(),
            Some("show-it")
        );
        assert_eq!(method.attrs.len(), 2, "doc and inline stay");

        let cx = Ctxt::new();
        let mut method: syn::ImplItemFn = syn::parse_quote! {
            #[command(name = "two words")]
            fn run(&mut self) {}
        };
        let markers = take_markers(&cx, &mut method.attrs);
        assert_eq!(markers.len(), 1);
        assert_eq!(markers[0].kind, HookKind::Command);
        assert!(markers[0].name.is_none(), "an invalid name is dropped");
        assert!(method.attrs.is_empty());
        let errors = cx.check().unwrap_err().to_string();
        assert!(
            errors.contains("a command name is ASCII letters"),
            "{errors}"
        );
    }

    #[test]
    fn every_error_of_an_attribute_is_collected() {
        let cx = Ctxt::new();
        let field: syn::Field = syn::parse_quote! {
            #[zen(clii, cli(short = '-', long = "x"), pstate = 1)]
            x: u8
        };
        let attrs = super::field(&cx, &field.attrs);
        assert!(attrs.cli.is_some() && attrs.pstate.is_none());
        let errors = cx.check().unwrap_err().to_string();
        assert_eq!(errors.matches("compile_error").count(), 3, "{errors}");
    }

    #[test]
    fn the_name_is_not_a_default() {
        let cx = Ctxt::new();
        let item: syn::DeriveInput = syn::parse_quote! {
            #[zen(defaults(name = "other", log_level = "debug"))]
            struct Tool {}
        };
        let attrs = container(&cx, &item.attrs);
        assert_eq!(attrs.defaults.len(), 1, "log_level stays");
        assert_eq!(attrs.defaults[0].key, "log_level");
        let errors = cx.check().unwrap_err().to_string();
        assert_eq!(errors.matches("compile_error").count(), 1, "{errors}");
        assert!(
            errors.contains("write `#[zen(name = \\\"...\\\")]` instead"),
            "{errors}"
        );

        let cx = Ctxt::new();
        let item: syn::DeriveInput = syn::parse_quote! {
            #[zen(defaults(nam = "x"))]
            struct Tool {}
        };
        container(&cx, &item.attrs);
        let errors = cx.check().unwrap_err().to_string();
        assert!(
            errors.contains("valid keys: debug, quiet, verbosity, user,"),
            "{errors}"
        );
    }
}
