//! Checks that span several attributes or fields, and the built-in names
//! an application's own names must not clash with.

use std::collections::HashMap;

use quote::ToTokens;
use syn::{Expr, ExprLit, FnArg, Lit, ReceiverKind, ReturnType, Type};

use crate::ast::{self, AppStruct, Field, Hook, HooksImpl, Shape};
use crate::attr::{number_literal, valid_long, HookKind};
use crate::ctxt::Ctxt;
pub(crate) use zenkit_builtins::Kind;
use zenkit_builtins::{Kinds, ValueType, CORE_KEY};

/// The type of a built-in configuration key, for `defaults(...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Flag,
    Int,
    Str,
    StrOrInt,
    /// One of a table's names (log levels, log formats), with what a name
    /// is, for messages.
    Choice(&'static [&'static str], &'static str),
    /// A positive number of seconds, integer or fractional.
    Seconds,
    /// A file mode creation mask: an octal string or an octal integer.
    Umask,
}

/// A built-in command-line option and/or configuration key of one kind of
/// application, as the runtime's table of built-in keys declares it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Builtin {
    /// The configuration key; `None` for clap's `--help` and `--version`.
    pub(crate) key: Option<&'static str>,
    /// The long option; `None` for keys without an option.
    pub(crate) long: Option<&'static str>,
    /// Another long option with the same meaning (pyzenkit's spelling).
    pub(crate) alias: Option<&'static str>,
    pub(crate) short: Option<char>,
    pub(crate) value: ValueKind,
}

impl Builtin {
    /// Whether `long` is this option or its alias.
    fn is_long(&self, long: &str) -> bool {
        self.long == Some(long) || self.alias == Some(long)
    }
}

impl From<ValueType> for ValueKind {
    fn from(value: ValueType) -> ValueKind {
        match value {
            ValueType::Bool => ValueKind::Flag,
            ValueType::Count | ValueType::Unsigned => ValueKind::Int,
            ValueType::Text | ValueType::Path | ValueType::Interval | ValueType::Time => {
                ValueKind::Str
            }
            ValueType::Account => ValueKind::StrOrInt,
            ValueType::LogLevel => ValueKind::Choice(zenkit_builtins::LOG_LEVELS, "log level"),
            ValueType::LogFormat => ValueKind::Choice(zenkit_builtins::LOG_FORMATS, "log format"),
            ValueType::Seconds => ValueKind::Seconds,
            ValueType::Umask => ValueKind::Umask,
        }
    }
}

/// The built-in options and keys of an application of `kind`: every key of
/// that kind (its option only where that kind has it), a key's other
/// spelling in files as a key of its own, and clap's options.
pub(crate) fn builtins(kind: Kind) -> impl Iterator<Item = Builtin> {
    let keys = zenkit_builtins::keys(kind).flat_map(move |k| {
        let opt = k.option.filter(|o| o.kinds.contains(kind));
        let value = ValueKind::from(k.value);
        let main = Builtin {
            key: Some(k.key),
            long: opt.map(|o| o.long),
            alias: opt.and_then(|o| o.alias),
            short: opt.and_then(|o| o.short),
            value,
        };
        let alias = k.alias.map(|alias| Builtin {
            key: Some(alias),
            long: None,
            alias: None,
            short: None,
            value,
        });
        [Some(main), alias].into_iter().flatten()
    });
    let clap = zenkit_builtins::CLAP_OPTIONS
        .iter()
        .map(|(long, short)| Builtin {
            key: None,
            long: Some(long),
            alias: None,
            short: Some(*short),
            value: ValueKind::Flag,
        });
    keys.chain(clap)
}

/// The built-in keys of every kind of application, each once (without the
/// other spellings files accept).
pub(crate) fn all_builtins() -> impl Iterator<Item = Builtin> {
    zenkit_builtins::KEYS.iter().map(|k| Builtin {
        key: Some(k.key),
        long: k.option.map(|o| o.long),
        alias: k.option.and_then(|o| o.alias),
        short: k.option.and_then(|o| o.short),
        value: k.value.into(),
    })
}

/// The built-in configuration key `key` of an application of `kind`.
pub(crate) fn builtin_key(key: &str, kind: Kind) -> Option<Builtin> {
    builtins(kind).find(|b| b.key == Some(key))
}

/// The kind of application only whose configuration key `key` is, if any.
fn key_kind(key: &str) -> Option<Kind> {
    zenkit_builtins::KEYS
        .iter()
        .find(|k| k.key == key || k.alias == Some(key))
        .and_then(|k| match k.kinds {
            Kinds::All => None,
            Kinds::Script => Some(Kind::Script),
            Kinds::Daemon => Some(Kind::Daemon),
        })
}

fn builtin_long(long: &str, kind: Kind) -> Option<Builtin> {
    builtins(kind).find(|b| b.is_long(long))
}

fn builtin_short(short: char, kind: Kind) -> Option<Builtin> {
    builtins(kind).find(|b| b.short == Some(short))
}

const EXPECTED_CLI_TYPES: &str = "an option holds one value parsed from text (a number, `String`, `PathBuf`, `Duration`, an enum deriving `zenkit::Value`, any `FromStr` type), `bool` for a flag, `Option<T>`, `Vec<T>` or `Option<Vec<T>>`; use `#[zen(config)]` for structured values";

/// Why a type cannot be an option's value, read from its syntax.
fn unsupported_cli_type(ty: &Type, nested: bool) -> Option<(&Type, &'static str)> {
    let what = match ty {
        Type::Group(g) => return unsupported_cli_type(&g.elem, nested),
        Type::Paren(p) => return unsupported_cli_type(&p.elem, nested),
        Type::Reference(_) => "a reference",
        Type::Tuple(t) if t.elems.is_empty() => "`()`",
        Type::Tuple(_) => "a tuple",
        Type::Array(_) | Type::Slice(_) => "an array",
        Type::Path(_) => {
            if let (false, Some(item)) = (
                nested,
                ast::generic_arg(ty, "Option").and_then(|inner| ast::generic_arg(inner, "Vec")),
            ) {
                return unsupported_cli_type(item, true);
            }
            if let Some(inner) =
                ast::generic_arg(ty, "Option").or_else(|| ast::generic_arg(ty, "Vec"))
            {
                if nested {
                    "nested `Option`/`Vec` types"
                } else {
                    return unsupported_cli_type(inner, true);
                }
            } else {
                match ast::last_segment(ty).map(|i| i.to_string()).as_deref() {
                    Some("HashMap" | "BTreeMap" | "IndexMap" | "Map") => "a map",
                    Some("HashSet" | "BTreeSet" | "IndexSet") => "a set",
                    _ => return None,
                }
            }
        }
        Type::Ptr(_)
        | Type::FnPtr(_)
        | Type::TraitObject(_)
        | Type::ImplTrait(_)
        | Type::Never(_) => "this kind of type",
        _ => return None,
    };
    Some((ty, what))
}

/// The message for an option name `name` that `owner` already uses.
fn taken(
    name: &str,
    owner: Option<&String>,
    builtin: Option<&Builtin>,
    what: &str,
) -> Option<String> {
    if let Some(b) = builtin {
        let long = b.long.unwrap_or_default();
        return Some(if name.len() == 1 {
            format!("`-{name}` is the built-in short option of `--{long}`; choose another {what}")
        } else if b.alias == Some(name) {
            format!("`--{name}` is a built-in option (another spelling of `--{long}`); choose another {what}")
        } else {
            format!("`--{name}` is a built-in option; choose another {what}")
        });
    }
    owner.map(|field| {
        if name.len() == 1 {
            format!(
                "`-{name}` is already the short option of field `{field}`; choose another {what}"
            )
        } else {
            format!("`--{name}` is already the option of field `{field}`; choose another {what}")
        }
    })
}

/// The checks of `#[derive(ZenApp)]` across fields and attributes.
pub(crate) fn app(cx: &Ctxt, app: &AppStruct) {
    let kind = app.attrs.kind();
    let both = app.attrs.script.is_some() && app.attrs.daemon.is_some();
    if let (true, Some(daemon)) = (both, &app.attrs.daemon) {
        cx.error_spanned_by(
            daemon,
            "`daemon` cannot be combined with `script`: an application is a script or a daemon; drop one of them",
        );
    }
    if let (Some((key, _)), false) = (&app.attrs.default_command, kind == Kind::Script) {
        cx.error_spanned_by(
            key,
            "`default_command` is for scripts: add `script` to `#[zen(...)]`, or drop `default_command`",
        );
    }
    for default in &app.attrs.defaults {
        let key = default.key.to_string();
        match key_kind(&key) {
            // which of the two kinds is meant is not known
            _ if both => {}
            Some(Kind::Script) if kind != Kind::Script => cx.error_spanned_by(
                &default.key,
                format!("`{key}` is a configuration key of scripts: add `script` to `#[zen(...)]`, or drop this default"),
            ),
            Some(Kind::Daemon) if kind != Kind::Daemon => cx.error_spanned_by(
                &default.key,
                format!("`{key}` is a configuration key of daemons: add `daemon` to `#[zen(...)]`, or drop this default"),
            ),
            _ => {}
        }
    }
    let mut longs: HashMap<String, String> = HashMap::new();
    let mut shorts: HashMap<char, String> = HashMap::new();
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    for field in &app.fields {
        let attrs = &field.attrs;
        if let Some(component) = &attrs.component {
            if kind != Kind::Daemon {
                cx.error_spanned_by(
                    component,
                    "`component` fields belong to daemons: add `daemon` to `#[zen(...)]` on the struct",
                );
            }
            let others = [
                attrs.cli.as_ref().map(|c| &c.key),
                attrs.config.as_ref(),
                attrs.pstate.as_ref(),
                attrs.default.as_ref().map(|d| &d.key),
                attrs.env.as_ref().map(|(k, _)| k),
                attrs.rename.as_ref().map(|(k, _)| k),
                attrs.hide.as_ref(),
                attrs.value_name.as_ref().map(|(k, _)| k),
                attrs.range.as_ref().map(|r| &r.key),
            ];
            for other in others.into_iter().flatten() {
                cx.error_spanned_by(
                    other,
                    format!("`{other}` cannot be combined with `component`: a component is a part of the daemon, neither configuration nor persistent state; it reads the configuration through the `Daemon` its handlers get"),
                );
            }
            let ty = crate::attr::type_text(field.ty);
            match field.shape() {
                Shape::Many(_) | Shape::OptionalMany(_) => cx.error_spanned_by(
                    field.ty,
                    format!("a `component` field holds one component, and `{ty}` is a list: give each component a field of its own, or make one component that holds the list"),
                ),
                Shape::Optional(_) => cx.error_spanned_by(
                    field.ty,
                    format!("a `component` field holds one component, which is always there, and `{ty}` may be none: let the component do nothing when its configuration says so"),
                ),
                Shape::One | Shape::Flag => {}
            }
            continue;
        }
        let is_key = attrs.cli.is_some() || attrs.config.is_some();
        if let Some(default) = &attrs.default {
            if !is_key {
                cx.error_spanned_by(
                    &default.key,
                    "`default` needs `cli` or `config`: only configuration keys have defaults",
                );
            }
        }
        if let (Some(pstate), true) = (&attrs.pstate, is_key) {
            cx.error_spanned_by(
                pstate,
                "`pstate` cannot be combined with `cli` or `config`: a field is either persistent state or configuration",
            );
        }
        if let (Some(_), Some(config)) = (&attrs.cli, &attrs.config) {
            cx.error_spanned_by(
                config,
                format!(
                    "`cli` already makes `{}` a configuration key; drop `config`",
                    field.key
                ),
            );
        }
        let mut key_clash = false;
        if is_key {
            let rename = if attrs.rename.is_some() {
                "choose another key in `rename`"
            } else {
                "rename the field"
            };
            if field.key == CORE_KEY {
                cx.error_at(
                    field.key_span(),
                    format!(
                        "`__core__` is the configuration section the runtime computes; {rename}"
                    ),
                );
                key_clash = true;
            } else if builtin_key(&field.key, kind).is_some() {
                cx.error_at(
                    field.key_span(),
                    format!("configuration key `{}` is built in; {rename}", field.key),
                );
                key_clash = true;
            } else if let Some(other) = keys.get(&field.key) {
                cx.error_at(
                    field.key_span(),
                    format!(
                        "configuration key `{}` is already field `{other}`'s; {rename}",
                        field.key
                    ),
                );
                key_clash = true;
            } else {
                keys.insert(field.key.clone(), field.ident.to_string());
            }
        }
        field_attributes(cx, field, is_key, &mut vars);
        if is_key {
            crate::defaults::check(cx, field);
        }
        if let (Some(default), Shape::Many(_) | Shape::OptionalMany(_)) =
            (&attrs.default, field.shape())
        {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &default.expr
            {
                cx.error_spanned_by(
                    s,
                    "a `Vec` field takes its default as an expression, e.g. `default = vec![\"a\".into()]`",
                );
            }
        }
        let Some(cli) = &attrs.cli else { continue };
        if let Some((ty, what)) = unsupported_cli_type(field.ty, false) {
            cx.error_spanned_by(
                ty,
                format!("`#[zen(cli)]` cannot hold {what}: {EXPECTED_CLI_TYPES}"),
            );
        }
        if let Some((long, span)) = field.long() {
            let explicit = cli.long.is_some();
            if !explicit && !valid_long(&long) {
                cx.error_at(span, invalid_long_message(field, &long));
            } else if explicit || !key_clash {
                match taken(
                    &long,
                    longs.get(&long),
                    builtin_long(&long, kind).as_ref(),
                    "name with `cli(long = \"...\")`",
                ) {
                    Some(message) => cx.error_at(span, message),
                    None => {
                        longs.insert(long, field.key.clone());
                    }
                }
            }
        }
        if let Some(short) = &cli.short {
            let c = short.value();
            match taken(
                &c.to_string(),
                shorts.get(&c),
                builtin_short(c, kind).as_ref(),
                "letter",
            ) {
                Some(message) => cx.error_spanned_by(short, message),
                None => {
                    shorts.insert(c, field.key.clone());
                }
            }
        }
    }
}

/// The checks of `env`, `rename`, `hide`, `value_name` and `range` against
/// the field's role and type; `vars` holds the environment variables taken
/// so far, by field.
fn field_attributes(cx: &Ctxt, field: &Field, is_key: bool, vars: &mut HashMap<String, String>) {
    let attrs = &field.attrs;
    let what = if attrs.pstate.is_some() {
        "a persistent-state field"
    } else {
        "a field without `cli` or `config`"
    };
    let key_only = [
        attrs.env.as_ref().map(|(k, _)| k),
        attrs.rename.as_ref().map(|(k, _)| k),
        attrs.hide.as_ref(),
        attrs.value_name.as_ref().map(|(k, _)| k),
        attrs.range.as_ref().map(|r| &r.key),
    ];
    if !is_key {
        for key in key_only.into_iter().flatten() {
            cx.error_spanned_by(
                key,
                format!("`{key}` is for configuration keys and options; {what} has none: add `cli` or `config`, or drop `{key}`"),
            );
        }
        return;
    }
    if attrs.cli.is_none() {
        for key in [
            attrs.hide.as_ref(),
            attrs.value_name.as_ref().map(|(k, _)| k),
        ]
        .into_iter()
        .flatten()
        {
            cx.error_spanned_by(
                key,
                format!("`{key}` is about the option in `--help`; a `config` key has no option: use `cli`, or drop `{key}`"),
            );
        }
    }
    let flag = matches!(field.shape(), Shape::Flag);
    if let (Some((key, _)), true, true) = (&attrs.value_name, flag, attrs.cli.is_some()) {
        cx.error_spanned_by(
            key,
            "a flag (a `bool` option) takes no value, so it has no value name; drop `value_name`",
        );
    }
    if let Some((_, var)) = &attrs.env {
        match vars.get(&var.value()) {
            Some(other) => cx.error_spanned_by(
                var,
                format!("environment variable `{}` already sets field `{other}`; give each key its own variable", var.value()),
            ),
            None => {
                vars.insert(var.value(), field.ident.to_string());
            }
        }
    }
    let Some(range) = &attrs.range else { return };
    if flag || field.is_duration() {
        let ty = if flag { "`bool`" } else { "a duration" };
        cx.error_spanned_by(
            &range.key,
            format!("`range` is for number fields; this field is {ty}"),
        );
        return;
    }
    let default = attrs.default.as_ref().and_then(|d| match &d.expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s
            .value()
            .trim()
            .parse::<f64>()
            .ok()
            .map(|x| (x, d.expr.clone())),
        expr => number_literal(expr).map(|x| (x, expr.clone())),
    });
    if let Some((x, expr)) = default {
        if !range.contains(x) {
            cx.error_spanned_by(
                expr,
                format!("this default is out of the field's range {}", range.text),
            );
        }
    }
}

/// Why the option a field's name gives is no option name, and what to
/// write instead, in terms of the field.
fn invalid_long_message(field: &Field, long: &str) -> String {
    invalid_name_message(
        &format!("the option of field `{}`", field.ident),
        &field.ident.to_string(),
        "field",
        |name| format!("cli(long = \"{name}\")"),
    )
    .unwrap_or_else(|| {
        format!(
            "field `{}` gives no valid option name (`{long}`): name the option with `cli(long = \"...\")`, or rename the field",
            field.ident
        )
    })
}

/// The message for a name taken from an identifier with a leading `_`,
/// which would start the name with a dash: `what` (the option of field
/// `_x`) is then named with `attribute(bare name)`, or `item` renamed.
/// `None` when the identifier is wrong in another way.
fn invalid_name_message(
    what: &str,
    ident: &str,
    item: &str,
    attribute: impl Fn(&str) -> String,
) -> Option<String> {
    let bare = ident.trim_start_matches('_').replace('_', "-");
    (ident.starts_with('_') && valid_long(&bare)).then(|| {
        let attribute = attribute(&bare);
        format!("{what} would start with a dash, from the {item}'s leading `_`: name it with `{attribute}`, or rename the {item}")
    })
}

/// Where hook methods are: the impl block of an application
/// (`#[zenkit::app]`) or of a component (`#[component]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    App,
    Component,
}

impl Place {
    /// The attribute, for messages.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Place::App => "`#[zenkit::app]`",
            Place::Component => "`#[component]`",
        }
    }
}

/// The signature a hook method must have.
struct Expected {
    /// `&mut self` (or `&self`).
    receiver_mut: bool,
    /// The parameters after the receiver: what each is, and whether it must
    /// be a `&mut` reference (and to what, for messages).
    params: &'static [(&'static str, Option<&'static str>)],
    /// What the method is, e.g. "a hook".
    noun: &'static str,
    /// The parameters besides the receiver, for "takes no parameter
    /// besides ..." messages.
    besides: &'static str,
    /// The whole signature, for messages.
    signature: &'static str,
}

const CONTEXT: &[(&str, Option<&str>)] = &[("the context parameter", Some("&mut Context"))];
const DAEMON: &[(&str, Option<&str>)] = &[("the daemon parameter", Some("&mut Daemon"))];
const CONFIG: &[(&str, Option<&str>)] = &[("the configuration parameter", None)];
const DAEMON_ARGS: &[(&str, Option<&str>)] = &[
    ("the daemon parameter", Some("&mut Daemon")),
    ("the arguments parameter", None),
];

fn expected(kind: HookKind, place: Place) -> Expected {
    let hook = |params, besides, signature| Expected {
        receiver_mut: true,
        params,
        noun: "a hook",
        besides,
        signature,
    };
    match (kind, place) {
        (HookKind::Command, _) => Expected {
            noun: "a command",
            ..hook(
                CONTEXT,
                "the context",
                "`fn name(&mut self, ctx: &mut Context) -> zenkit::Result<T>` with `T: serde::Serialize`, the context followed by any `#[arg]` and `#[opt]` parameters",
            )
        },
        (HookKind::OnEvent, _) => Expected {
            noun: "an event handler",
            ..hook(
                DAEMON_ARGS,
                "the daemon and the arguments",
                "`fn name(&mut self, daemon: &mut Daemon, args: Args) -> Flow`",
            )
        },
        (HookKind::OnSignal, _) => Expected {
            noun: "a signal handler",
            ..hook(
                DAEMON,
                "the daemon (a signal carries no arguments)",
                "`fn name(&mut self, daemon: &mut Daemon) -> Flow`",
            )
        },
        (HookKind::State, _) => Expected {
            receiver_mut: false,
            ..hook(
                &[],
                "`&self`",
                "`fn name(&self) -> T` with `T: serde::Serialize`",
            )
        },
        (HookKind::Configure, _) => hook(
            CONFIG,
            "the configuration",
            "`fn name(&mut self, config: MyConfig) -> zenkit::Result<()>` with `MyConfig: serde::Serialize + serde::Deserialize + Default`",
        ),
        (HookKind::Check, _) => Expected {
            receiver_mut: false,
            ..hook(
                CONFIG,
                "the configuration",
                "`fn name(&self, config: &MyConfig) -> zenkit::Result<()>`, where `MyConfig` is the type the `#[configure]` method takes",
            )
        },
        (_, Place::Component) => hook(
            DAEMON,
            "the daemon",
            "`fn name(&mut self, daemon: &mut Daemon) -> zenkit::Result<()>`",
        ),
        (_, Place::App) => hook(
            CONTEXT,
            "the context",
            "`fn name(&mut self, ctx: &mut Context) -> zenkit::Result<()>`",
        ),
    }
}

/// Why a hook of `kind` is not allowed at `place`, if it is not.
fn misplaced(kind: HookKind, place: Place) -> Option<&'static str> {
    match (place, kind) {
        (Place::App, HookKind::Reload) => Some(
            "`#[reload]` is a hook of components (`#[component]` impl blocks): the application's configuration fields are bound again on SIGHUP; to act after a reload, handle `#[on_signal(SIGHUP)]`",
        ),
        (Place::App, HookKind::State) => Some(
            "`#[state]` is a hook of components (`#[component]` impl blocks); the application's own state is its `#[zen(pstate)]` fields",
        ),
        (Place::App, HookKind::Configure | HookKind::Check) => Some(
            "`#[configure]` and `#[check]` are hooks of components (`#[component]` impl blocks): the application's configuration is bound into its `#[zen(cli)]` and `#[zen(config)]` fields",
        ),
        (Place::Component, HookKind::Process) => Some(
            "`#[process]` is not a hook of components: a daemon's work happens in event handlers; mark the method `#[on_event(\"start\")]` or another event",
        ),
        (Place::Component, HookKind::Teardown) => Some(
            "`#[teardown]` is not a hook of components: handle `#[on_event(\"stop\")]`, or clean up in the application's `#[teardown]` method",
        ),
        (Place::Component, HookKind::Action | HookKind::Command) => Some(
            "a component has no actions or commands: they belong to the application's `#[zenkit::app]` impl block",
        ),
        _ => None,
    }
}

/// The checks of `#[zenkit::app]` (`place` is `App`) or `#[component]`:
/// the impl block, each hook's place and signature, one method per
/// life-cycle hook, unique action and command names, no `#[process]` beside
/// commands.
pub(crate) fn hooks(cx: &Ctxt, hooks: &HooksImpl, place: Place) {
    let item = &hooks.item;
    if let Some((path, _)) = &item.trait_ {
        let what = match place {
            Place::App => "`impl MyApp { ... }`",
            Place::Component => "`impl MyComponent { ... }`",
        };
        cx.error_spanned_by(
            path,
            format!(
                "{} goes on an inherent impl block ({what}), not on a trait impl",
                place.attribute()
            ),
        );
    }
    match place {
        Place::App => {
            if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
                cx.error_spanned_by(
                    &item.generics,
                    "`#[zenkit::app]` does not support generic impl blocks; implement `zenkit::Hooks` by hand for a generic type",
                );
            }
        }
        Place::Component => {
            for lifetime in item.generics.lifetimes() {
                cx.error_spanned_by(
                    lifetime,
                    "a component lives as long as the daemon: it cannot borrow, so its impl block cannot have lifetime parameters",
                );
            }
        }
    }
    let mut seen: HashMap<&'static str, &syn::Ident> = HashMap::new();
    let mut names: HashMap<(HookKind, &str), &syn::Ident> = HashMap::new();
    for hook in &hooks.hooks {
        let kind = hook.marker.kind;
        if let Some(why) = misplaced(kind, place) {
            cx.error_spanned_by(&hook.marker.ident, why);
            continue;
        }
        // a command's further parameters are its arguments, checked apart;
        // those of another method are reported as misplaced markers
        signature(
            cx,
            kind,
            place,
            &hook.sig,
            kind == HookKind::Command || !hook.params.is_empty(),
        );
        if kind == HookKind::Command {
            crate::params::check(cx, &hook.name, &hook.sig, &hook.params);
        }
        if matches!(kind, HookKind::Action | HookKind::Command) {
            named(cx, hook, &mut names);
        } else if kind.is_handler() {
            // any number of handlers, of any events
        } else if let Some(first) = seen.get(kind.as_str()) {
            cx.error_spanned_by(
                &hook.marker.ident,
                format!(
                    "only one `#[{}]` method is allowed; `{first}` is already marked",
                    kind.as_str()
                ),
            );
        } else {
            seen.insert(kind.as_str(), &hook.method);
        }
    }
    if hooks.of(HookKind::Configure).next().is_none() {
        for check in hooks.of(HookKind::Check) {
            cx.error_spanned_by(
                &check.marker.ident,
                "`#[check]` checks the configuration a `#[configure]` method receives: add a `#[configure]` method, whose parameter's type is the component's configuration",
            );
        }
    }
    if let Some(command) = hooks.of(HookKind::Command).next() {
        for process in hooks.of(HookKind::Process) {
            cx.error_spanned_by(
                &process.marker.ident,
                format!(
                    "`#[process]` cannot be combined with `#[command]` (method `{}`): a script runs the selected command instead; make this method a `#[command]`, or drop `#[process]`",
                    command.method
                ),
            );
        }
    }
}

/// Checks the name of an action or command: valid when taken from the
/// method, not built in, not given twice.
fn named<'a>(cx: &Ctxt, hook: &'a Hook, names: &mut HashMap<(HookKind, &'a str), &'a syn::Ident>) {
    let kind = hook.marker.kind;
    let marker = kind.as_str();
    let name = hook.name.as_str();
    if hook.marker.name.is_none() && !valid_long(name) {
        let method = hook.method.to_string();
        let message = invalid_name_message(
            &format!("the {marker} name of method `{method}`"),
            &method,
            "method",
            |name| format!("#[{marker}(name = \"{name}\")]"),
        )
        .unwrap_or_else(|| {
            format!("`{name}` is not a valid {marker} name; give one with `#[{marker}(name = \"...\")]`")
        });
        cx.error_at(hook.name_span, message);
    } else if kind == HookKind::Action
        && zenkit_builtins::actions(Kind::Base).any(|a| a.name == name)
    {
        cx.error_at(
            hook.name_span,
            format!(
                "action `{name}` is built in; choose another name with `#[action(name = \"...\")]`"
            ),
        );
    } else if kind == HookKind::Command && name == "help" {
        cx.error_at(
            hook.name_span,
            "command `help` is built in: `tool help COMMAND` shows a command's help; choose another name with `#[command(name = \"...\")]`",
        );
    } else if let Some(first) = names.get(&(kind, name)) {
        cx.error_at(
            hook.name_span,
            format!("{marker} `{name}` is already defined by method `{first}`; choose another name with `#[{marker}(name = \"...\")]`"),
        );
    } else {
        names.insert((kind, name), &hook.method);
    }
}

fn signature(cx: &Ctxt, kind: HookKind, place: Place, sig: &syn::Signature, more: bool) {
    let expected = expected(kind, place);
    let marker = kind.as_str();
    let owner = match (place, kind) {
        (
            Place::Component,
            HookKind::Setup
            | HookKind::Reload
            | HookKind::State
            | HookKind::Configure
            | HookKind::Check,
        ) => "a component's".to_string(),
        _ if marker.starts_with(['a', 'e', 'i', 'o', 'u']) => "an".to_string(),
        _ => "a".to_string(),
    };
    let message = |what: &str| {
        format!(
            "{what}; {owner} `#[{marker}]` method has the signature {}",
            expected.signature
        )
    };
    let wrong = |span: &dyn ToTokens, what: &str| {
        cx.error_spanned_by(span.to_token_stream(), message(what));
    };
    let noun = expected.noun;
    let receiver = if expected.receiver_mut {
        "`&mut self`"
    } else {
        "`&self`"
    };
    let parens = sig.paren_token.span;
    if let Some(asyncness) = &sig.asyncness {
        return wrong(asyncness, &format!("{noun} cannot be `async`"));
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        return wrong(
            unsafety,
            &format!("{noun} cannot be `unsafe`: the runtime calls it as a safe method; put the unsafe code in an `unsafe` block inside it"),
        );
    }
    if !sig.generics.params.is_empty() {
        return wrong(
            &sig.generics,
            &format!("{noun} cannot have generic parameters"),
        );
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(r))
            if matches!(&r.kind, ReceiverKind::Reference(_, _, mutability)
                if mutability.is_some() == expected.receiver_mut) => {}
        Some(FnArg::Receiver(r)) => return wrong(r, &format!("the receiver must be {receiver}")),
        Some(FnArg::Typed(arg)) => {
            return wrong(arg, &format!("the first parameter must be {receiver}"))
        }
        None if expected.params.is_empty() => {
            return cx.error_at(parens.join(), message("the receiver is missing"))
        }
        None => return cx.error_at(parens.join(), message("the parameters are missing")),
    }
    for (what, reference) in expected.params {
        match inputs.next() {
            None => return cx.error_at(parens.join(), message(&format!("{what} is missing"))),
            Some(FnArg::Typed(arg)) => {
                if let Some(ty) = reference {
                    if !matches!(&*arg.ty, Type::Reference(r) if r.mutability.is_some()) {
                        return wrong(&arg.ty, &format!("{what} must be `{ty}`"));
                    }
                }
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = inputs.next().filter(|_| !more) {
        return wrong(
            extra,
            &format!("{noun} takes no parameter besides {}", expected.besides),
        );
    }
    if let ReturnType::Default = sig.output {
        cx.error_at(parens.close(), message("the return type is missing"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_unique() {
        use std::collections::HashSet;
        let (mut keys, mut longs, mut shorts) = (HashSet::new(), HashSet::new(), HashSet::new());
        for b in all_builtins() {
            assert!(b.key.is_none_or(|k| keys.insert(k)), "{:?} twice", b.key);
            for long in [b.long, b.alias].into_iter().flatten() {
                assert!(longs.insert(long), "--{long} twice");
            }
            assert!(
                b.short.is_none_or(|c| shorts.insert(c)),
                "{:?} twice",
                b.short
            );
        }
        assert_eq!(
            builtin_key("verbosity", Kind::Base).and_then(|b| b.long),
            Some("verbose")
        );
        assert!(builtin_key("help", Kind::Script).is_none());
        assert_eq!(
            builtin_short('V', Kind::Base).and_then(|b| b.long),
            Some("version")
        );
        assert!(builtin_key("interval", Kind::Base).is_none());
        assert_eq!(
            builtin_key("time_high", Kind::Script).and_then(|b| b.long),
            Some("time-high")
        );
        assert!(builtin_long("shell", Kind::Base).is_none());
        assert!(builtin_long("shell", Kind::Script).is_some());
        assert!(builtin_long("shell", Kind::Daemon).is_none());
        assert!(builtin_long("no-daemon", Kind::Daemon).is_some());
        assert!(builtin_key("stats_interval", Kind::Script).is_none());
        assert_eq!(
            builtin_key("stop_timeout", Kind::Daemon).map(|b| (b.long, b.value)),
            Some((None, ValueKind::Seconds))
        );
    }

    fn app_errors(item: syn::DeriveInput) -> String {
        let cx = Ctxt::new();
        if let Some(parsed) = AppStruct::from_ast(&cx, &item) {
            app(&cx, &parsed);
        }
        cx.check().err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn every_name_of_the_table_is_refused() {
        for (kind, marker) in [
            (Kind::Base, quote::quote!()),
            (Kind::Script, quote::quote!(#[zen(script)])),
            (Kind::Daemon, quote::quote!(#[zen(daemon)])),
        ] {
            for b in builtins(kind) {
                if let Some(key) = b.key {
                    let field = syn::Ident::new(key, proc_macro2::Span::call_site());
                    let item: syn::DeriveInput = syn::parse_quote! {
                        #marker
                        struct App {
                            #[zen(config)]
                            #field: String,
                        }
                    };
                    let errors = app_errors(item);
                    assert!(
                        errors.contains(&format!("configuration key `{key}` is built in")),
                        "{kind:?} {key}: {errors}"
                    );
                }
                for long in [b.long, b.alias].into_iter().flatten() {
                    let item: syn::DeriveInput = syn::parse_quote! {
                        #marker
                        struct App {
                            #[zen(cli(long = #long))]
                            own: String,
                        }
                    };
                    let errors = app_errors(item);
                    assert!(
                        errors.contains(&format!("`--{long}` is a built-in option")),
                        "{kind:?} --{long}: {errors}"
                    );
                }
                if let Some(short) = b.short {
                    let item: syn::DeriveInput = syn::parse_quote! {
                        #marker
                        struct App {
                            #[zen(cli(short = #short))]
                            own: String,
                        }
                    };
                    let errors = app_errors(item);
                    assert!(
                        errors.contains(&format!("`-{short}` is the built-in short option")),
                        "{kind:?} -{short}: {errors}"
                    );
                }
            }
        }
    }

    #[test]
    fn script_names_clash_only_in_scripts() {
        let base: syn::DeriveInput = syn::parse_quote! {
            struct Tool {
                #[zen(cli)]
                command: String,
                #[zen(cli(long = "time-high"))]
                high: u32,
            }
        };
        assert_eq!(app_errors(base), "");
        let script: syn::DeriveInput = syn::parse_quote! {
            #[zen(script)]
            struct Tool {
                #[zen(cli)]
                command: String,
                #[zen(cli(long = "time-high"))]
                high: u32,
            }
        };
        let errors = app_errors(script);
        assert_eq!(errors.matches("compile_error").count(), 2, "{errors}");
        assert!(
            errors.contains("configuration key `command` is built in"),
            "{errors}"
        );
        assert!(
            errors.contains("`--time-high` is a built-in option"),
            "{errors}"
        );
    }

    #[test]
    fn daemon_names_clash_only_in_daemons() {
        let base: syn::DeriveInput = syn::parse_quote! {
            struct Tool {
                #[zen(cli)]
                umask: String,
                #[zen(cli(long = "pid-file"))]
                pid: String,
                #[zen(cli)]
                parallel: bool,
                #[zen(cli(long = "paralel"))]
                sloppy: bool,
                #[zen(config)]
                work_dir: String,
            }
        };
        assert_eq!(app_errors(base), "");
        let daemon: syn::DeriveInput = syn::parse_quote! {
            #[zen(daemon)]
            struct Service {
                #[zen(cli)]
                umask: String,
                #[zen(cli(long = "pid-file"))]
                pid: String,
                #[zen(cli)]
                parallel: bool,
                #[zen(cli(long = "paralel"))]
                sloppy: bool,
                #[zen(config)]
                work_dir: String,
                #[zen(config)]
                chroot_dir: String,
                #[zen(cli(long = "chroot-dir"))]
                jail: String,
            }
        };
        let errors = app_errors(daemon);
        assert_eq!(errors.matches("compile_error").count(), 7, "{errors}");
        for message in [
            "configuration key `umask` is built in",
            "`--pid-file` is a built-in option",
            // pyzenkit's spelling of the key `paralel` in files
            "configuration key `parallel` is built in",
            "`--paralel` is a built-in option (another spelling of `--parallel`)",
            "configuration key `work_dir` is built in",
            "configuration key `chroot_dir` is built in",
            "`--chroot-dir` is a built-in option",
        ] {
            assert!(errors.contains(message), "{message}: {errors}");
        }
        // the key `pid_file` is every application's
        let base: syn::DeriveInput = syn::parse_quote! {
            #[zen(defaults(pid_file = "/run/tool.pid"))]
            struct Tool {
                #[zen(config)]
                pid_file: String,
            }
        };
        let errors = app_errors(base);
        assert_eq!(errors.matches("compile_error").count(), 1, "{errors}");
        assert!(
            errors.contains("configuration key `pid_file` is built in"),
            "{errors}"
        );
    }

    #[test]
    fn a_flag_on_by_default_is_named_by_its_no_option_and_a_rename_by_its_key() {
        let daemon: syn::DeriveInput = syn::parse_quote! {
            #[zen(daemon)]
            struct Service {
                #[zen(cli, default = true)]
                daemon: bool,
                #[zen(cli(long = "fork"), default = true)]
                detach: bool,
                #[zen(cli, rename = "detach")]
                other: bool,
                #[zen(cli, rename = "no-fork")]
                spoon: bool,
            }
        };
        let errors = app_errors(daemon);
        assert_eq!(errors.matches("compile_error").count(), 3, "{errors}");
        for message in [
            "`--no-daemon` is a built-in option",
            "configuration key `detach` is already field `detach`'s; choose another key in `rename`",
            "`--no-fork` is already the option of field `detach`",
        ] {
            assert!(errors.contains(message), "{message}: {errors}");
        }
    }

    #[test]
    fn daemon_keys_need_a_daemon() {
        let base: syn::DeriveInput = syn::parse_quote! {
            #[zen(script, defaults(umask = "0o027", paralel = true, work_dir = "/", chroot_dir = "/srv"))]
            struct Tool {}
        };
        let errors = app_errors(base);
        assert_eq!(errors.matches("compile_error").count(), 4, "{errors}");
        for key in ["umask", "paralel", "work_dir", "chroot_dir"] {
            assert!(
                errors.contains(&format!("`{key}` is a configuration key of daemons")),
                "{key}: {errors}"
            );
        }
        let daemon: syn::DeriveInput = syn::parse_quote! {
            #[zen(daemon, defaults(umask = "0o027", paralel = true, work_dir = "/", chroot_dir = "/srv", pid_file = "/run/d.pid"))]
            struct Service {}
        };
        assert_eq!(app_errors(daemon), "");
    }

    #[test]
    fn script_keys_need_a_script() {
        let base: syn::DeriveInput = syn::parse_quote! {
            #[zen(default_command = "run", defaults(interval = "daily", shell = true, log_level = "info"))]
            struct Tool {}
        };
        let errors = app_errors(base);
        assert_eq!(errors.matches("compile_error").count(), 3, "{errors}");
        assert!(
            errors.contains("`default_command` is for scripts"),
            "{errors}"
        );
        assert!(
            errors.contains("`interval` is a configuration key of scripts"),
            "{errors}"
        );
        let script: syn::DeriveInput = syn::parse_quote! {
            #[zen(default_command = "run", defaults(interval = "daily", shell = true), script)]
            struct Tool {}
        };
        assert_eq!(app_errors(script), "");
    }

    fn hooks_errors(place: Place, item: syn::ItemImpl) -> String {
        let cx = Ctxt::new();
        let parsed = HooksImpl::from_ast(&cx, item);
        hooks(&cx, &parsed, place);
        cx.check().err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn components_and_applications_have_their_own_hooks() {
        let component: syn::ItemImpl = syn::parse_quote! {
            impl<T: Clone> Counter<T> {
                #[setup]
                fn prepare(&mut self, d: &mut Daemon) -> Result<()> { Ok(()) }
                #[reload]
                fn reload(&mut self, d: &mut Daemon) -> Result<()> { Ok(()) }
                #[state]
                fn state(&self) -> u64 { 0 }
                #[on_event("a")]
                fn a(&mut self, d: &mut Daemon, args: Args) -> Flow { Flow::next() }
                #[on_event("a", first)]
                fn b(&mut self, d: &mut Daemon, args: Args) -> Flow { Flow::next() }
                #[on_signal(SIGHUP)]
                fn hup(&mut self, d: &mut Daemon) -> Flow { Flow::next() }
            }
        };
        assert_eq!(hooks_errors(Place::Component, component.clone()), "");
        let errors = hooks_errors(Place::App, component);
        // the daemon parameter of `#[setup]` is `&mut` as the context must
        // be: the compiler reports its type, not the macro
        assert_eq!(errors.matches("compile_error").count(), 3, "{errors}");
        assert!(
            errors.contains("does not support generic impl blocks"),
            "{errors}"
        );
        assert!(
            errors.contains("`#[reload]` is a hook of components"),
            "{errors}"
        );
        assert!(
            errors.contains("`#[state]` is a hook of components"),
            "{errors}"
        );
        let app: syn::ItemImpl = syn::parse_quote! {
            impl Tool {
                #[setup]
                fn setup(&mut self, ctx: &mut Context) -> Result<()> { Ok(()) }
                #[on_event("a")]
                fn a(&mut self, d: &mut Daemon, args: Args) -> Flow { Flow::next() }
                #[teardown]
                fn teardown(&mut self, ctx: &mut Context) -> Result<()> { Ok(()) }
            }
        };
        assert_eq!(hooks_errors(Place::App, app.clone()), "");
        let errors = hooks_errors(Place::Component, app);
        assert_eq!(errors.matches("compile_error").count(), 1, "{errors}");
        assert!(
            errors.contains("`#[teardown]` is not a hook of components"),
            "{errors}"
        );
    }

    #[test]
    fn unsupported_cli_types_by_syntax() {
        let what = |s: &str| {
            unsupported_cli_type(&syn::parse_str::<Type>(s).unwrap(), false).map(|(_, w)| w)
        };
        assert_eq!(what("&'static str"), Some("a reference"));
        assert_eq!(what("(u8, u8)"), Some("a tuple"));
        assert_eq!(what("()"), Some("`()`"));
        assert_eq!(what("[u8; 4]"), Some("an array"));
        assert_eq!(
            what("std::collections::BTreeMap<String, u8>"),
            Some("a map")
        );
        assert_eq!(what("Option<Vec<u8>>"), None);
        assert_eq!(what("Vec<Option<u8>>"), Some("nested `Option`/`Vec` types"));
        assert_eq!(
            what("Option<Vec<Vec<u8>>>"),
            Some("nested `Option`/`Vec` types")
        );
        assert_eq!(what("Vec<&str>"), Some("a reference"));
        for ok in [
            "String",
            "u32",
            "Option<PathBuf>",
            "Vec<String>",
            "bool",
            "serde_json::Value",
        ] {
            assert_eq!(what(ok), None, "{ok}");
        }
    }
}
