//! Reads `#[zen(...)]` and the hook markers into typed values that keep
//! their spans. Mistakes confined to one attribute are reported here; checks
//! across attributes live in `check`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitBool, LitChar, LitStr, Meta, Token, Type};

use crate::check::{all_builtins, Kind, ValueKind};
use crate::ctxt::Ctxt;
use crate::signal;

/// Keys of `#[zen(...)]` on the struct.
const CONTAINER_KEYS: &str =
    "name, script, daemon, default_command, paths, defaults, plugins, linked_plugins, deny_unknown_keys";
/// Keys of `#[zen(...)]` on a field.
const FIELD_KEYS: &str =
    "cli, config, default, env, rename, hide, value_name, range, pstate, component";
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
use zenkit_builtins::{umask_from_text as umask, MAX_UMASK};

/// How a umask is written in Rust source, for messages.
const UMASK_FORMS: &str =
    "an octal mask of at most 0o777, e.g. `0o027`, `\"0o027\"`, `\"027\"` or `\"0027\"`";

/// `#[zen(...)]` on the application struct.
#[derive(Default)]
pub(crate) struct Container {
    /// `name = "..."`.
    pub(crate) name: Option<LitStr>,
    /// `script`: the application is a script.
    pub(crate) script: Option<Ident>,
    /// `daemon`: the application is a daemon.
    pub(crate) daemon: Option<Ident>,
    /// `default_command = "..."`: the key and the command's name.
    pub(crate) default_command: Option<(Ident, LitStr)>,
    /// `paths(kind = "...", ...)`.
    pub(crate) paths: Vec<(Ident, LitStr)>,
    /// `defaults(key = literal, ...)`.
    pub(crate) defaults: Vec<BuiltinDefault>,
    /// `plugins(Type, ...)`: the plugin types the application lists, in
    /// order.
    pub(crate) plugins: Option<Vec<Type>>,
    /// `deny_unknown_keys`: unknown configuration keys are errors.
    pub(crate) deny_unknown_keys: Option<Ident>,
    /// `linked_plugins = bool`: whether plugins registered at link time
    /// join the application.
    pub(crate) linked_plugins: Option<LitBool>,
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
    Float(f64),
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
    /// `component`: a daemon's component.
    pub(crate) component: Option<Ident>,
    /// `env = "VAR"`: an environment variable that sets the key.
    pub(crate) env: Option<(Ident, LitStr)>,
    /// `rename = "key"`: the configuration key (and option) instead of the
    /// field name.
    pub(crate) rename: Option<(Ident, LitStr)>,
    /// `hide`: the option is not shown in `--help`.
    pub(crate) hide: Option<Ident>,
    /// `value_name = "N"`: the option's value name in `--help`.
    pub(crate) value_name: Option<(Ident, LitStr)>,
    /// `range = 1..=100`: the bounds of a number field.
    pub(crate) range: Option<RangeAttr>,
}

/// `range = <start>..<end>` or `..=`, either bound optional, each a number
/// literal.
pub(crate) struct RangeAttr {
    /// The `range` keyword.
    pub(crate) key: Ident,
    pub(crate) start: Option<Expr>,
    pub(crate) end: Option<Expr>,
    pub(crate) inclusive: bool,
    /// The range as written, e.g. `1..=100`.
    pub(crate) text: String,
    /// The bounds' values, for checks of literal defaults.
    pub(crate) start_value: Option<f64>,
    pub(crate) end_value: Option<f64>,
}

impl RangeAttr {
    /// Whether `x` is in the range.
    pub(crate) fn contains(&self, x: f64) -> bool {
        self.start_value.is_none_or(|s| x >= s)
            && self
                .end_value
                .is_none_or(|e| if self.inclusive { x <= e } else { x < e })
    }
}

/// `cli` or `cli(short = 'x', long = "name")`.
pub(crate) struct Cli {
    /// The `cli` keyword.
    pub(crate) key: Ident,
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
    Reload,
    State,
    Configure,
    Check,
    OnEvent,
    OnSignal,
}

impl HookKind {
    fn from_ident(ident: &Ident) -> Option<HookKind> {
        Some(match ident.to_string().as_str() {
            "setup" => HookKind::Setup,
            "process" => HookKind::Process,
            "teardown" => HookKind::Teardown,
            "action" => HookKind::Action,
            "command" => HookKind::Command,
            "reload" => HookKind::Reload,
            "state" => HookKind::State,
            "configure" => HookKind::Configure,
            "check" => HookKind::Check,
            "on_event" => HookKind::OnEvent,
            "on_signal" => HookKind::OnSignal,
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
            HookKind::Reload => "reload",
            HookKind::State => "state",
            HookKind::Configure => "configure",
            HookKind::Check => "check",
            HookKind::OnEvent => "on_event",
            HookKind::OnSignal => "on_signal",
        }
    }

    /// Whether the marker makes the method an event handler.
    pub(crate) fn is_handler(self) -> bool {
        matches!(self, HookKind::OnEvent | HookKind::OnSignal)
    }
}

/// A hook marker on a method: `#[process]`, `#[action(name = "...")]`,
/// `#[command]`, ...
pub(crate) struct Marker {
    pub(crate) kind: HookKind,
    /// The marker's name token, for spans.
    pub(crate) ident: Ident,
    /// `name = "..."` of `#[action(...)]` or `#[command(...)]`.
    pub(crate) name: Option<LitStr>,
    /// What `#[on_event(...)]` or `#[on_signal(...)]` says; `None` when it
    /// is malformed (the error is recorded).
    pub(crate) handler: Option<HandlerArgs>,
}

/// The arguments of `#[on_event("name", first)]` or
/// `#[on_signal(SIGX, first)]`.
pub(crate) struct HandlerArgs {
    /// The event handled: the name given, or the signal's event.
    pub(crate) event: String,
    /// The event's name or signal as written, for errors.
    pub(crate) event_span: Span,
    /// `first`: run before the handlers registered earlier.
    pub(crate) first: bool,
}

impl Container {
    /// The kind of application; a script when both `script` and `daemon`
    /// are given, which `check::app` reports.
    pub(crate) fn kind(&self) -> Kind {
        if self.script.is_some() {
            Kind::Script
        } else if self.daemon.is_some() {
            Kind::Daemon
        } else {
            Kind::Base
        }
    }
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
                "daemon" => {
                    if first_time(cx, &meta, &out.daemon) && no_value(cx, &meta, "daemon")? {
                        out.daemon = Some(key_ident(&meta));
                    }
                }
                "deny_unknown_keys" => {
                    if first_time(cx, &meta, &out.deny_unknown_keys)
                        && no_value(cx, &meta, "deny_unknown_keys")?
                    {
                        out.deny_unknown_keys = Some(key_ident(&meta));
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
                "plugins" => {
                    let first = first_time(cx, &meta, &out.plugins);
                    if let Some(types) = plugin_list(cx, &meta)? {
                        if first {
                            out.plugins = Some(types);
                        }
                    }
                }
                "linked_plugins" => {
                    let first = first_time(cx, &meta, &out.linked_plugins);
                    if !meta.input.peek(syn::Token![=]) {
                        cx.error_spanned_by(
                            &meta.path,
                            "`linked_plugins` needs a value: `linked_plugins = false` refuses the plugins registered at link time",
                        );
                        return skip_value(&meta);
                    }
                    match literal(cx, &meta, "`true` or `false`")? {
                        Some(Lit::Bool(linked)) if first => out.linked_plugins = Some(linked),
                        Some(Lit::Bool(_)) | None => {}
                        Some(other) => cx.error_spanned_by(
                            &other,
                            "`linked_plugins` takes `true` or `false`: `linked_plugins = false` refuses the plugins registered at link time",
                        ),
                    }
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

/// Reads the types of `plugins(TypeA, TypeB)`; `None` when the key has no
/// list (the error is recorded). A type listed twice is reported and kept
/// once.
fn plugin_list(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Vec<Type>>> {
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            "`plugins` takes a list of plugin types: `plugins(MyPlugin, other::Plugin)`",
        );
        skip_value(meta)?;
        return Ok(None);
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let listed = Punctuated::<Type, Token![,]>::parse_terminated(&content)?;
    if listed.is_empty() {
        cx.error_spanned_by(
            &meta.path,
            "`plugins()` lists no plugin: list plugin types, e.g. `plugins(MyPlugin)`, or remove it",
        );
        return Ok(None);
    }
    let mut seen: Vec<String> = Vec::new();
    let mut types = Vec::new();
    for ty in listed {
        let text = type_text(&ty);
        if seen.contains(&text) {
            cx.error_spanned_by(
                &ty,
                format!("plugin `{text}` is listed twice in `plugins(...)`; list each plugin once"),
            );
        } else {
            seen.push(text);
            types.push(ty);
        }
    }
    Ok(Some(types))
}

/// A type as the user wrote it, for comparisons and messages: `a::B<u8>`.
pub(crate) fn type_text(ty: &Type) -> String {
    let mut text = quote::ToTokens::to_token_stream(ty).to_string();
    for (spaced, tight) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        (" <", "<"),
        (" >", ">"),
        (" ,", ","),
    ] {
        text = text.replace(spaced, tight);
    }
    text
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
    // the keys of scripts and daemons are accepted here and refused for
    // other applications by `check::app`, once the kind is known
    let Some(builtin) = all_builtins().find(|b| b.key == Some(key.as_str())) else {
        let valid: Vec<&str> = all_builtins()
            .filter_map(|b| b.key)
            .filter(|k| *k != NAME_KEY && *k != COMMAND_KEY)
            .collect();
        return unknown_key(cx, meta, "`defaults(...)`", &valid.join(", "));
    };
    let ident = key_ident(meta);
    let repeated = defaults.iter().any(|d| d.key == ident);
    let Some(lit) = literal(cx, meta, &builtin.value.expected())? else {
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
        (ValueKind::Seconds, Lit::Int(i)) => match i.base10_parse::<u64>() {
            Ok(0) => {
                cx.error_spanned_by(i, format!("`{key}` must be a positive number of seconds"));
                None
            }
            Ok(n) => Some(JsonLit::Int(n)),
            Err(err) => {
                cx.syn_error(err);
                None
            }
        },
        (ValueKind::Seconds, Lit::Float(f)) => match f.base10_parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => Some(JsonLit::Float(x)),
            Ok(_) => {
                cx.error_spanned_by(f, format!("`{key}` must be a positive number of seconds"));
                None
            }
            Err(err) => {
                cx.syn_error(err);
                None
            }
        },
        (ValueKind::Str | ValueKind::StrOrInt, Lit::Str(s)) => Some(JsonLit::Str(s.value())),
        (ValueKind::Choice(names, _), Lit::Str(s)) if names.contains(&s.value().as_str()) => {
            Some(JsonLit::Str(s.value()))
        }
        (ValueKind::Choice(names, what), Lit::Str(s)) => {
            cx.error_spanned_by(
                s,
                format!(
                    "unknown {what} {:?}; valid {what}s: {}",
                    s.value(),
                    names.join(", ")
                ),
            );
            None
        }
        (ValueKind::Umask, Lit::Str(s)) if umask(&s.value()).is_some() => {
            Some(JsonLit::Str(s.value()))
        }
        (ValueKind::Umask, Lit::Str(s)) => {
            cx.error_spanned_by(s, format!("invalid umask {:?}: {UMASK_FORMS}", s.value()));
            None
        }
        (ValueKind::Umask, Lit::Int(i)) => match i.base10_parse::<u32>() {
            // a decimal `27` is almost surely a mistaken `0o027`
            Ok(n) if n != 0 && !i.to_string().starts_with("0o") => {
                cx.error_spanned_by(
                    i,
                    format!("write the umask `{i}` in octal (`0o...`): {UMASK_FORMS}"),
                );
                None
            }
            Ok(n) if n > MAX_UMASK => {
                cx.error_spanned_by(i, format!("invalid umask `{i}`: {UMASK_FORMS}"));
                None
            }
            // the runtime reads a number's digits as octal: hand it the text
            Ok(n) => Some(JsonLit::Str(format!("0o{n:o}"))),
            Err(err) => {
                cx.syn_error(err);
                None
            }
        },
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
                "component" => {
                    if first_time(cx, &meta, &out.component) && no_value(cx, &meta, "component")? {
                        out.component = Some(key_ident(&meta));
                    }
                }
                "env" => {
                    let first = first_time(cx, &meta, &out.env);
                    if let Some(var) = lit_str(cx, &meta)? {
                        if !valid_env_var(&var.value()) {
                            cx.error_spanned_by(
                                &var,
                                "an environment variable's name is ASCII letters, digits and `_`, not starting with a digit, e.g. `env = \"TOOL_TIMEOUT\"`",
                            );
                        } else if first {
                            out.env = Some((key_ident(&meta), var));
                        }
                    }
                }
                "rename" => {
                    let first = first_time(cx, &meta, &out.rename);
                    if let Some(key) = lit_str(cx, &meta)? {
                        if !valid_key(&key.value()) {
                            cx.error_spanned_by(
                                &key,
                                "a configuration key is ASCII letters, digits, `_` and `-`, starting with a letter or `_`, e.g. `rename = \"max_jobs\"`",
                            );
                        } else if first {
                            out.rename = Some((key_ident(&meta), key));
                        }
                    }
                }
                "hide" => {
                    if first_time(cx, &meta, &out.hide) && no_value(cx, &meta, "hide")? {
                        out.hide = Some(key_ident(&meta));
                    }
                }
                "value_name" => {
                    let first = first_time(cx, &meta, &out.value_name);
                    if let Some(name) = lit_str(cx, &meta)? {
                        let text = name.value();
                        if text.is_empty() || text.chars().any(char::is_whitespace) {
                            cx.error_spanned_by(
                                &name,
                                "a value name is one word, e.g. `value_name = \"SECONDS\"`",
                            );
                        } else if first {
                            out.value_name = Some((key_ident(&meta), name));
                        }
                    }
                }
                "range" => {
                    let first = first_time(cx, &meta, &out.range);
                    if let Some(range) = range(cx, &meta)? {
                        if first {
                            out.range = Some(range);
                        }
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

/// Whether `name` is a valid environment variable name for `env = "..."`.
fn valid_env_var(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Whether `key` is a valid configuration key for `rename = "..."`.
fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

const RANGE_FORMS: &str = "a range of number literals, e.g. `range = 1..=100`, `range = 1..100`, `range = ..=9` or `range = 0.5..=2.0`";

/// A number literal, possibly negative, as written and as a value.
pub(crate) fn number_literal(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_digits().parse().ok(),
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_digits().parse().ok(),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => number_literal(expr).map(|x| -x),
        Expr::Group(g) => number_literal(&g.expr),
        Expr::Paren(p) => number_literal(&p.expr),
        _ => None,
    }
}

fn range(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<RangeAttr>> {
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(&meta.path, format!("`range` needs a value: {RANGE_FORMS}"));
        skip_value(meta)?;
        return Ok(None);
    }
    let expr: Expr = meta.value()?.parse()?;
    let Expr::Range(range) = &expr else {
        cx.error_spanned_by(&expr, format!("expected {RANGE_FORMS}"));
        return Ok(None);
    };
    let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
    let mut ok = true;
    let mut bound = |e: &Option<Box<Expr>>| -> Option<f64> {
        let e = e.as_deref()?;
        let value = number_literal(e);
        if value.is_none() {
            cx.error_spanned_by(
                e,
                format!("a bound of `range` is a number literal: {RANGE_FORMS}"),
            );
            ok = false;
        }
        value
    };
    let (start_value, end_value) = (bound(&range.start), bound(&range.end));
    if !ok {
        return Ok(None);
    }
    if range.start.is_none() && range.end.is_none() {
        cx.error_spanned_by(&expr, format!("`..` bounds nothing: {RANGE_FORMS}"));
        return Ok(None);
    }
    if let (Some(s), Some(e)) = (start_value, end_value) {
        if s > e || (s == e && !inclusive) {
            cx.error_spanned_by(
                &expr,
                "this range holds no number: its start is not below its end",
            );
            return Ok(None);
        }
    }
    let text = expr_text(&expr).replace(' ', "");
    Ok(Some(RangeAttr {
        key: key_ident(meta),
        start: range.start.as_deref().cloned(),
        end: range.end.as_deref().cloned(),
        inclusive,
        text,
        start_value,
        end_value,
    }))
}

/// An expression as written, token by token.
fn expr_text(expr: &Expr) -> String {
    quote::ToTokens::to_token_stream(expr).to_string()
}

/// The name of a variant of an enum deriving `Value`: `#[zen(name = "...")]`.
pub(crate) fn variant_name(cx: &Ctxt, attrs: &[Attribute]) -> Option<LitStr> {
    let mut name: Option<LitStr> = None;
    for attr in zen_attrs(attrs) {
        if !is_list(cx, attr) {
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            if key_of(&meta) != "name" {
                return unknown_key(cx, &meta, "`#[zen(...)]` of a variant", "name");
            }
            let first = first_time(cx, &meta, &name);
            if let Some(lit) = lit_str(cx, &meta)? {
                let text = lit.value();
                if text.is_empty() || text.starts_with('-') || text.trim() != text {
                    cx.error_spanned_by(
                        &lit,
                        "a value's name cannot be empty, start with `-` or start or end with white space",
                    );
                } else if first {
                    name = Some(lit);
                }
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    name
}

/// Reports any `#[zen(...)]` on an enum deriving `Value`: it takes none.
pub(crate) fn no_container_keys(cx: &Ctxt, attrs: &[Attribute]) {
    for attr in zen_attrs(attrs) {
        cx.error_spanned_by(
            attr,
            "`#[derive(Value)]` takes no `#[zen(...)]` on the enum; rename a value with `#[zen(name = \"...\")]` on its variant",
        );
    }
}

fn cli(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Cli> {
    let mut out = Cli {
        key: key_ident(meta),
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
            name: None,
            handler: None,
        };
        match (&attr.meta, kind) {
            (_, HookKind::OnEvent | HookKind::OnSignal) => {
                marker.handler = handler_args(cx, attr, kind);
            }
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

/// Usage of a handler marker, for messages.
fn handler_usage(kind: HookKind) -> &'static str {
    if kind == HookKind::OnEvent {
        "`#[on_event(\"name\")]`, or `#[on_event(\"name\", first)]` to run before the handlers registered earlier"
    } else {
        "`#[on_signal(SIGUSR1)]`, or `#[on_signal(SIGUSR1, first)]` to run before the handlers registered earlier"
    }
}

/// Reads `#[on_event("name", first)]` or `#[on_signal(SIGX, first)]`;
/// `None` when it is malformed (every mistake is recorded).
fn handler_args(cx: &Ctxt, attr: &Attribute, kind: HookKind) -> Option<HandlerArgs> {
    let marker = kind.as_str();
    let usage = handler_usage(kind);
    let what = if kind == HookKind::OnEvent {
        "the event's name"
    } else {
        "a signal"
    };
    let list = match &attr.meta {
        Meta::List(list) => list,
        Meta::Path(_) => {
            cx.error_spanned_by(attr, format!("`#[{marker}]` needs {what}: write {usage}"));
            return None;
        }
        Meta::NameValue(_) => {
            cx.error_spanned_by(attr, format!("expected {usage}"));
            return None;
        }
    };
    let args = match list.parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
        Ok(args) => args,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    let mut args = args.into_iter();
    let Some(head) = args.next() else {
        cx.error_spanned_by(attr, format!("`#[{marker}]` needs {what}: write {usage}"));
        return None;
    };
    let event = if kind == HookKind::OnEvent {
        event_name(cx, &head)
    } else {
        signal_name(cx, &head)
    };
    let mut first: Option<&Ident> = None;
    let rest: Vec<Expr> = args.collect();
    let mut flags_ok = true;
    for flag in &rest {
        let ident = match flag {
            Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => {
                path.path.get_ident()
            }
            _ => None,
        };
        match ident {
            Some(ident) if ident == "first" => {
                if first.is_some() {
                    cx.error_spanned_by(ident, "`first` is given twice");
                    flags_ok = false;
                }
                first = Some(ident);
            }
            Some(ident) => {
                cx.error_spanned_by(
                    ident,
                    format!(
                        "unknown flag `{ident}` of `#[{marker}(...)]`; the only flag is `first`"
                    ),
                );
                flags_ok = false;
            }
            None => {
                cx.error_spanned_by(
                    flag,
                    format!("expected the flag `first` after {what}; write {usage}"),
                );
                flags_ok = false;
            }
        }
    }
    let event = event?;
    if let (Some(first), RELOAD_EVENT) = (first, event.as_str()) {
        cx.error_spanned_by(
            first,
            "SIGHUP handlers run after the built-in reload, so that they can learn its outcome from `daemon.reload_outcome()`; drop `first`",
        );
        flags_ok = false;
    }
    flags_ok.then(|| HandlerArgs {
        event,
        event_span: syn::spanned::Spanned::span(&head),
        first: first.is_some(),
    })
}

/// The event of SIGHUP, whose built-in handler reloads the configuration.
const RELOAD_EVENT: &str = "signal_hup";

/// The event name of `#[on_event(...)]`: a non-empty string literal.
fn event_name(cx: &Ctxt, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            let name = s.value();
            if name.trim().is_empty() {
                cx.error_spanned_by(s, "an event name cannot be empty");
                None
            } else if name.trim() != name {
                cx.error_spanned_by(s, "an event name cannot start or end with white space");
                None
            } else {
                Some(name)
            }
        }
        Expr::Path(path) if path.path.get_ident().is_some() => {
            let ident = quote::ToTokens::to_token_stream(&path.path);
            cx.error_spanned_by(
                path,
                format!("the event name is a string literal: write `#[on_event(\"{ident}\")]`"),
            );
            None
        }
        other => {
            cx.error_spanned_by(
                other,
                "expected the event's name as a string literal, e.g. `#[on_event(\"start\")]`",
            );
            None
        }
    }
}

/// The event of the signal named in `#[on_signal(...)]`.
fn signal_name(cx: &Ctxt, expr: &Expr) -> Option<String> {
    let ident = match expr {
        Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => path.path.get_ident(),
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            cx.error_spanned_by(
                s,
                format!(
                    "write the signal's name without quotes: `#[on_signal({})]`",
                    s.value()
                ),
            );
            return None;
        }
        _ => None,
    };
    let Some(ident) = ident else {
        cx.error_spanned_by(
            expr,
            "expected a signal's name, e.g. `#[on_signal(SIGHUP)]`",
        );
        return None;
    };
    match signal::event_of(&ident.to_string()) {
        Ok(event) => Some(event.to_string()),
        Err(message) => {
            cx.error_spanned_by(ident, message);
            None
        }
    }
}

impl ValueKind {
    /// What a literal of this kind looks like, for messages.
    pub(crate) fn expected(self) -> String {
        match self {
            ValueKind::Flag => "`true` or `false`".into(),
            ValueKind::Int => "an integer".into(),
            ValueKind::Str => "a string".into(),
            ValueKind::StrOrInt => "a name or a number".into(),
            ValueKind::Seconds => "a positive number of seconds, e.g. `60` or `0.5`".into(),
            ValueKind::Umask => "an octal mask, e.g. `0o027` or `\"0o027\"`".into(),
            ValueKind::Choice(names, what) => format!("a {what}: one of {}", names.join(", ")),
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
    fn handler_markers_name_their_events() {
        let read = |method: syn::ImplItemFn| {
            let mut method = method;
            let cx = Ctxt::new();
            let markers = take_markers(&cx, &mut method.attrs);
            let errors = cx.check().err().map(|e| e.to_string());
            let handler = markers
                .into_iter()
                .next()
                .and_then(|m| m.handler)
                .map(|h| (h.event, h.first));
            (handler, errors)
        };
        let (handler, errors) = read(syn::parse_quote! {
            #[on_event("poll", first)]
            fn poll(&mut self) {}
        });
        assert_eq!(handler, Some(("poll".to_string(), true)));
        assert!(errors.is_none());
        let (handler, _) = read(syn::parse_quote! {
            #[on_signal(SIGPOLL)]
            fn io(&mut self) {}
        });
        assert_eq!(handler, Some(("signal_io".to_string(), false)));
        let (handler, errors) = read(syn::parse_quote! {
            #[on_event("poll", first, first, later)]
            fn poll(&mut self) {}
        });
        assert!(handler.is_none(), "a malformed marker gives no handler");
        let errors = errors.unwrap();
        assert_eq!(errors.matches("compile_error").count(), 2, "{errors}");
        assert!(errors.contains("`first` is given twice"), "{errors}");
        assert!(errors.contains("unknown flag `later`"), "{errors}");
        let (handler, errors) = read(syn::parse_quote! {
            #[on_event(" poll")]
            fn poll(&mut self) {}
        });
        assert!(handler.is_none());
        assert!(errors.unwrap().contains("white space"));
    }

    #[test]
    fn daemon_defaults_take_seconds() {
        let cx = Ctxt::new();
        let item: syn::DeriveInput = syn::parse_quote! {
            #[zen(daemon, defaults(stop_timeout = 0.5, stats_interval = 60, runlog_interval = 0.0))]
            struct Service {}
        };
        let attrs = container(&cx, &item.attrs);
        assert_eq!(attrs.kind(), Kind::Daemon);
        let values: Vec<(String, String)> = attrs
            .defaults
            .iter()
            .map(|d| {
                let value = match d.value {
                    JsonLit::Float(x) => format!("float {x}"),
                    JsonLit::Int(n) => format!("int {n}"),
                    _ => "other".to_string(),
                };
                (d.key.to_string(), value)
            })
            .collect();
        assert_eq!(
            values,
            [
                ("stop_timeout".to_string(), "float 0.5".to_string()),
                ("stats_interval".to_string(), "int 60".to_string()),
            ]
        );
        let errors = cx.check().unwrap_err().to_string();
        assert!(
            errors.contains("`runlog_interval` must be a positive number of seconds"),
            "{errors}"
        );
    }

    #[test]
    fn daemon_defaults_take_paths_a_umask_and_a_flag() {
        let cx = Ctxt::new();
        let item: syn::DeriveInput = syn::parse_quote! {
            #[zen(daemon, defaults(
                chroot_dir = "/srv/jail",
                work_dir = "/var/lib/demo",
                umask = 0o027,
                paralel = true,
            ))]
            struct Service {}
        };
        let attrs = container(&cx, &item.attrs);
        let values: Vec<(String, String)> = attrs
            .defaults
            .iter()
            .map(|d| {
                let value = match &d.value {
                    JsonLit::Str(s) => format!("str {s}"),
                    JsonLit::Int(n) => format!("int {n}"),
                    JsonLit::Bool(b) => format!("bool {b}"),
                    JsonLit::Float(_) => "float".to_string(),
                };
                (d.key.to_string(), value)
            })
            .collect();
        assert_eq!(
            values,
            [
                ("chroot_dir", "str /srv/jail"),
                ("work_dir", "str /var/lib/demo"),
                ("umask", "str 0o27"),
                ("paralel", "bool true"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert!(cx.check().is_ok());

        for (bad, message) in [
            (quote::quote!(umask = 27), "write the umask `27` in octal"),
            (
                quote::quote!(umask = 0x1f),
                "write the umask `0x1f` in octal",
            ),
            (quote::quote!(umask = 0o1000), "invalid umask `0o1000`"),
            (
                quote::quote!(umask = "0o029"),
                "invalid umask \\\"0o029\\\"",
            ),
            (quote::quote!(umask = true), "`umask` takes an octal mask"),
            (
                quote::quote!(paralel = "yes"),
                "`paralel` takes `true` or `false`",
            ),
            (quote::quote!(work_dir = 1), "`work_dir` takes a string"),
        ] {
            let cx = Ctxt::new();
            let item: syn::DeriveInput = syn::parse_quote! {
                #[zen(daemon, defaults(#bad))]
                struct Service {}
            };
            let attrs = container(&cx, &item.attrs);
            assert!(attrs.defaults.is_empty(), "{bad}");
            let errors = cx.check().unwrap_err().to_string();
            assert!(errors.contains(message), "{bad}: {errors}");
        }
    }

    #[test]
    fn plugin_keys() {
        let cx = Ctxt::new();
        let item: syn::DeriveInput = syn::parse_quote! {
            #[zen(plugins(Meter, a::Timer<u8>), linked_plugins = false)]
            struct Tool {}
        };
        let attrs = container(&cx, &item.attrs);
        cx.check().unwrap();
        let types: Vec<String> = attrs.plugins.unwrap().iter().map(type_text).collect();
        assert_eq!(types, ["Meter", "a::Timer<u8>"]);
        assert!(!attrs.linked_plugins.unwrap().value);

        for (bad, message, kept) in [
            (
                quote::quote!(#[zen(plugins(A, B, ::x::A, A))]),
                "plugin `A` is listed twice",
                Some(3),
            ),
            (quote::quote!(#[zen(plugins())]), "lists no plugin", None),
            (
                quote::quote!(#[zen(plugins = A)]),
                "takes a list of plugin types",
                None,
            ),
            (
                quote::quote!(#[zen(plugins(A), plugins(B))]),
                "`plugins` is given twice",
                Some(1),
            ),
            (
                quote::quote!(#[zen(linked_plugins = "no")]),
                "takes `true` or `false`",
                None,
            ),
            (
                quote::quote!(#[zen(linked_plugins = no)]),
                "expected `true` or `false`",
                None,
            ),
            (quote::quote!(#[zen(linked_plugins)]), "needs a value", None),
        ] {
            let cx = Ctxt::new();
            let item: syn::DeriveInput = syn::parse2(quote::quote!(#bad struct Tool {})).unwrap();
            let attrs = container(&cx, &item.attrs);
            assert_eq!(attrs.plugins.map(|p| p.len()), kept, "{bad}");
            assert!(attrs.linked_plugins.is_none(), "{bad}");
            let errors = cx.check().unwrap_err().to_string();
            assert_eq!(
                errors.matches("compile_error").count(),
                1,
                "{bad}: {errors}"
            );
            assert!(errors.contains(message), "{bad}: {errors}");
        }
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
