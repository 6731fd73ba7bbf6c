//! `#[derive(ZenApp)]` → `impl zenkit::App`.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DeriveInput, Expr, ExprLit, Lit, LitStr};

use super::{kinds, private, respan};
use crate::ast::{AppStruct, Field, Role, Shape};
use crate::attr::{JsonLit, RangeAttr};
use crate::check::{self, Kind};
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::features::{self, Feature};

/// Expands `#[derive(ZenApp)]`.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let app = AppStruct::from_ast(&cx, input);
    if let Some(app) = &app {
        check::app(&cx, app);
    }
    let stub = input.generics.params.is_empty() && input.generics.where_clause.is_none();
    let kind = app.as_ref().map_or(Kind::Base, |a| a.attrs.kind());
    match (cx.check(), app) {
        (Ok(()), Some(app)) => generate(&app),
        (Err(errors), _) => fallback::app(&input.ident, errors, stub, kind),
        (Ok(()), None) => fallback::app(&input.ident, TokenStream::new(), stub, kind),
    }
}

/// The `const` holding the operations of field `index`.
fn ops_name(index: usize) -> Ident {
    format_ident!("__ZENKIT_KEY_{}", index)
}

fn state_name(index: usize) -> Ident {
    format_ident!("__ZENKIT_STATE_{}", index)
}

/// The `const` items building each field's operations, each spanned on the
/// field's type so that a missing trait is reported there, once.
fn field_consts(app: &AppStruct) -> TokenStream {
    let p = private();
    let ident = app.ident;
    app.fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let ty = field.ty;
            let span = ty.span();
            let duration = field.is_duration();
            let (name, ops_ty, init) = match (field.role(), field.shape()) {
                (Role::Cli, Shape::Flag) => (
                    ops_name(i),
                    quote!(#p::ConfigOps<#ty>),
                    quote_spanned!(span=> ::zenkit::__private::cli_flag()),
                ),
                (Role::Cli, Shape::One | Shape::Optional(_)) if duration => (
                    ops_name(i),
                    quote!(#p::ValueOps<#ty>),
                    quote_spanned!(span=> <#ty as ::zenkit::types::DurationValue>::ONE),
                ),
                (Role::Cli, Shape::Many(_) | Shape::OptionalMany(_)) if duration => (
                    ops_name(i),
                    quote!(#p::ListOps<#ty>),
                    quote_spanned!(span=> <#ty as ::zenkit::types::DurationValue>::MANY),
                ),
                (Role::Cli, Shape::One) => (
                    ops_name(i),
                    quote!(#p::ValueOps<#ty>),
                    quote_spanned!(span=> <#ty as ::zenkit::types::OptionValue>::ONE),
                ),
                (Role::Cli, Shape::Optional(inner)) => (
                    ops_name(i),
                    quote!(#p::ValueOps<#ty>),
                    quote_spanned!(inner.span()=> <#inner as ::zenkit::types::OptionValue>::OPTIONAL),
                ),
                (Role::Cli, Shape::Many(inner)) => (
                    ops_name(i),
                    quote!(#p::ListOps<#ty>),
                    quote_spanned!(inner.span()=> <#inner as ::zenkit::types::OptionValue>::MANY),
                ),
                (Role::Cli, Shape::OptionalMany(inner)) => (
                    ops_name(i),
                    quote!(#p::ListOps<#ty>),
                    quote_spanned!(inner.span()=> <#inner as ::zenkit::types::OptionValue>::OPTIONAL_MANY),
                ),
                (Role::Config, _) if duration => (
                    ops_name(i),
                    quote!(#p::ConfigOps<#ty>),
                    quote_spanned!(span=> <#ty as ::zenkit::types::DurationValue>::KEY),
                ),
                (Role::Config, _) => (
                    ops_name(i),
                    quote!(#p::ConfigOps<#ty>),
                    quote_spanned!(span=> <#ty as ::zenkit::types::ConfigValue>::KEY),
                ),
                (Role::Pstate, _) => (
                    state_name(i),
                    quote!(#p::StateOps<#ty>),
                    quote_spanned!(span=> <#ty as ::zenkit::types::StateValue>::STATE),
                ),
                (Role::Component, _) => (
                    component_name(i),
                    quote!(#p::ComponentOps<#ident, #ty>),
                    quote_spanned!(span=> #p::ComponentOps {
                        register: <#ty as ::zenkit::types::ComponentField>::register::<#ident>,
                    }),
                ),
                (Role::Ignored, _) => return TokenStream::new(),
            };
            let init = match &field.attrs.range {
                Some(range) => ranged(init, field, range),
                None => init,
            };
            if field.role() == Role::Component {
                return features::daemon_items(quote!(const #name: #ops_ty = #init;));
            }
            quote!(const #name: #ops_ty = #init;)
        })
        .collect()
}

/// Operations `init` whose `get` also checks `range`, the check spanned on
/// the `range` key so that a field type without numbers is reported there.
fn ranged(init: TokenStream, field: &Field, range: &RangeAttr) -> TokenStream {
    let span = range.key.span();
    let bound = |b: &Option<Expr>| match b {
        Some(b) => {
            let b = bound_expr(b);
            quote_spanned!(span=> ::core::option::Option::Some(::zenkit::__private::Bound::from(#b)))
        }
        None => quote_spanned!(span=> ::core::option::Option::None),
    };
    let (start, end) = (bound(&range.start), bound(&range.end));
    let inclusive = range.inclusive;
    let text = &range.text;
    let ty = respan(field.ty.to_token_stream(), span);
    let check = quote_spanned! {span=>
        <#ty as ::zenkit::types::InRange>::get_in_range(__zenkit_config, __zenkit_key, ::zenkit::__private::Range {
            start: #start,
            end: #end,
            inclusive: #inclusive,
            text: #text,
        })
    };
    quote! {{
        let mut __zenkit_ops = #init;
        __zenkit_ops.get = |__zenkit_config, __zenkit_key| #check;
        __zenkit_ops
    }}
}

/// A bound of a range as the runtime compares it: an integer literal
/// without a suffix is an `i128` (any field's integers fit), the rest keeps
/// its own type (a float literal is an `f64`, a constant its type).
fn bound_expr(b: &Expr) -> TokenStream {
    match b {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) if int.suffix().is_empty() => match int.base10_parse::<i128>() {
            Ok(n) => {
                let mut lit = Literal::i128_suffixed(n);
                lit.set_span(int.span());
                lit.into_token_stream()
            }
            Err(_) => b.to_token_stream(),
        },
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(minus),
            expr,
            ..
        }) => {
            let inner = bound_expr(expr);
            quote!(#minus #inner)
        }
        Expr::Group(group) => bound_expr(&group.expr),
        Expr::Paren(paren) => bound_expr(&paren.expr),
        _ => b.to_token_stream(),
    }
}

fn generate(app: &AppStruct) -> TokenStream {
    let p = private();
    let ident = app.ident;
    let consts = field_consts(app);
    let info = info(app);
    let options = options(app);
    let defaults = defaults(app);
    let environment = environment(app);
    let bind = bind(app);
    let schemas = key_schemas(app);
    let unknown = unknown_keys(app);
    let state = state(app);
    let kind = fallback::kind_const(app.attrs.kind());
    let wire = wire(app);
    let assertions = script_assertions(app);
    let plugins = plugins(app);
    let features = feature_checks(app);
    let names = app
        .fields
        .iter()
        .filter(|f| is_key(f))
        .map(crate::defaults::name_check);
    let kinds = kinds::kind_impls(ident, app.attrs.kind());
    quote! {
        #(#names)*
        const _: () = {
            #features
            #kinds
            #consts
            #assertions

            #[automatically_derived]
            impl #p::App for #ident {
                #kind
                #info
                #options
                #defaults
                #environment
                #bind
                #schemas
                #unknown
                #wire
                #state
                #plugins
            }
        };
    }
}

/// The check that zenkit has the feature of the application's kind, on
/// the author's `script` or `daemon`.
fn feature_checks(app: &AppStruct) -> TokenStream {
    let script = app
        .attrs
        .script
        .as_ref()
        .map(|token| features::needs(Feature::Script, "`#[zen(script)]`", token.span()));
    let daemon = app
        .attrs
        .daemon
        .as_ref()
        .map(|token| features::needs(Feature::Daemon, "`#[zen(daemon)]`", token.span()));
    quote!(#script #daemon)
}

/// `const LINKED_PLUGINS` and `fn plugins()` from `linked_plugins = ...`
/// and `plugins(...)`; nothing for a key not given. Each plugin is made by
/// a call spanned on its type, so that a type that is no plugin is
/// reported there.
fn plugins(app: &AppStruct) -> TokenStream {
    let p = private();
    let linked = app
        .attrs
        .linked_plugins
        .as_ref()
        .map(|linked| quote!(const LINKED_PLUGINS: bool = #linked;));
    let list = app.attrs.plugins.as_ref().map(|types| {
        let makes = types.iter().map(
            |ty| quote_spanned!(ty.span()=> <#ty as ::zenkit::types::PluginType>::new_plugin()),
        );
        quote! {
            fn plugins() -> ::std::vec::Vec<::std::boxed::Box<dyn #p::Plugin>> {
                ::std::vec![#(#makes),*]
            }
        }
    });
    quote!(#linked #list)
}

fn component_name(index: usize) -> Ident {
    format_ident!("__ZENKIT_COMPONENT_{}", index)
}

/// `fn wire()` registering the component fields in field order; nothing
/// without components.
fn wire(app: &AppStruct) -> TokenStream {
    let p = private();
    let calls: Vec<TokenStream> = app
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.role() == Role::Component)
        .map(|(i, field)| {
            let ops = component_name(i);
            let ident = field.ident;
            let key = &field.key;
            quote! {
                (#ops.register)(__zenkit_wiring, #key, |__zenkit_app| &mut __zenkit_app.#ident);
            }
        })
        .collect();
    if calls.is_empty() {
        return TokenStream::new();
    }
    features::daemon_items(quote! {
        fn wire(__zenkit_wiring: &mut #p::Wiring<Self>) {
            #(#calls)*
        }
    })
}

fn info(app: &AppStruct) -> TokenStream {
    let p = private();
    let name = app
        .attrs
        .name
        .as_ref()
        .map(|name| quote!(__zenkit_info.name = ::core::option::Option::Some(#name);));
    let about = &app.doc.short;
    let long_about = &app.doc.long;
    let default_command = app.attrs.default_command.as_ref().map(|(_, command)| {
        quote!(__zenkit_info.default_command = ::core::option::Option::Some(#command);)
    });
    let paths = app.attrs.paths.iter().map(
        |(kind, value)| quote!(__zenkit_info.paths.#kind = ::core::option::Option::Some(#value);),
    );
    quote! {
        fn info() -> #p::AppInfo {
            let mut __zenkit_info = #p::AppInfo::new(::core::env!("CARGO_PKG_VERSION"));
            #name
            __zenkit_info.about = #about;
            __zenkit_info.long_about = #long_about;
            #default_command
            #(#paths)*
            __zenkit_info
        }
    }
}

/// The check of a script against the commands of its impl block: its
/// `default_command` names one of them, or without one, it has one. (A
/// `default_command` of a script without commands names none: one error.)
fn script_assertions(app: &AppStruct) -> TokenStream {
    let Some(script) = &app.attrs.script else {
        return TokenStream::new();
    };
    let ident = app.ident;
    match &app.attrs.default_command {
        Some((_, name)) => kinds::requires_command(ident, &name.value(), name.span()),
        None => kinds::requires(ident, "ScriptCommands", script.span()),
    }
}

fn options(app: &AppStruct) -> TokenStream {
    let p = private();
    let args: Vec<TokenStream> = app
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.role() == Role::Cli)
        .map(|(i, field)| option(i, field))
        .collect();
    if args.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn options() -> ::std::vec::Vec<#p::clap::Arg> {
            #[allow(unused_imports)]
            use #p::NoNames as _;
            ::std::vec![#(#args),*]
        }
    }
}

/// What a flag that is on by default says about its `--no-` option, after
/// the field's help and alone.
const NEGATED_HELP: &str = "on by default; this option turns it off";
const NEGATED_HELP_ALONE: &str = "On by default; this option turns it off";

fn option(index: usize, field: &Field) -> TokenStream {
    let p = private();
    let key = &field.key;
    let ops = ops_name(index);
    let long = field.long().map(|(long, _)| long).unwrap_or_default();
    let short = field
        .attrs
        .cli
        .as_ref()
        .and_then(|cli| cli.short.as_ref())
        .map(|c| quote!(.short(#c)));
    let negated = field.negated_flag();
    let short_help = match (field.doc.short.as_str(), negated) {
        ("", false) => None,
        ("", true) => Some(NEGATED_HELP_ALONE.to_string()),
        (text, false) => Some(text.to_string()),
        (text, true) => Some(format!("{text}; {NEGATED_HELP}")),
    };
    let env = field
        .attrs
        .env
        .as_ref()
        .map(|(_, var)| format!("[env: {}]", var.value()));
    let short_help = match (short_help, &env) {
        (Some(text), Some(env)) => Some(format!("{text} {env}")),
        (None, Some(env)) => Some(env.clone()),
        (text, None) => text,
    };
    let help = short_help.map(|text| quote!(.help(#text)));
    let long_help = field.doc.multi.then(|| {
        let mut text = field.doc.long.clone();
        if negated {
            text.push_str(&format!("\n\n{NEGATED_HELP_ALONE}."));
        }
        if let Some(env) = &env {
            text.push_str(&format!("\n\n{env}"));
        }
        quote!(.long_help(#text))
    });
    let hide = field.attrs.hide.as_ref().map(|_| quote!(.hide(true)));
    let value_name = match &field.attrs.value_name {
        Some((_, name)) => name.value(),
        None => key.to_uppercase(),
    };
    let parser = |item: &syn::Type| {
        quote! {
            .value_name(#value_name)
            .value_parser(#p::option_parser(
                (#ops.parser)(),
                #p::Probe::<#item>::NAMES,
            ))
        }
    };
    let (action, value) = match field.shape() {
        Shape::Flag if negated => (quote!(SetFalse), TokenStream::new()),
        Shape::Flag => (quote!(SetTrue), TokenStream::new()),
        Shape::Many(item) | Shape::OptionalMany(item) => (quote!(Append), parser(item)),
        Shape::Optional(item) => (quote!(Set), parser(item)),
        Shape::One => (quote!(Set), parser(field.ty)),
    };
    quote! {
        #p::clap::Arg::new(#key)
            .long(#long)
            #short
            #help
            #long_help
            #hide
            .action(#p::clap::ArgAction::#action)
            #value
    }
}

/// `fn environment()`: the keys environment variables can set
/// (`#[zen(env = "...")]`), read by each field's operations.
fn environment(app: &AppStruct) -> TokenStream {
    let p = private();
    let keys: Vec<TokenStream> = app
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_key(f))
        .filter_map(|(i, field)| {
            let (_, var) = field.attrs.env.as_ref()?;
            let key = &field.key;
            let ops = ops_name(i);
            Some(quote!(#p::EnvKey { key: #key, var: #var, parse: #ops.env }))
        })
        .collect();
    if keys.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn environment() -> ::std::vec::Vec<#p::EnvKey> {
            ::std::vec![#(#keys),*]
        }
    }
}

fn is_key(field: &Field) -> bool {
    matches!(field.role(), Role::Cli | Role::Config)
}

fn json_lit(value: &JsonLit) -> TokenStream {
    match value {
        JsonLit::Bool(b) => quote!(#b),
        JsonLit::Int(n) => {
            let lit = Literal::u64_suffixed(*n);
            quote!(#lit)
        }
        JsonLit::Float(x) => {
            let lit = Literal::f64_suffixed(*x);
            quote!(#lit)
        }
        JsonLit::Str(s) => quote!(#s),
    }
}

fn defaults(app: &AppStruct) -> TokenStream {
    let p = private();
    let builtin = app.attrs.defaults.iter().map(|d| {
        let key = d.key.to_string();
        let value = json_lit(&d.value);
        quote! {
            __zenkit_map.insert(::std::string::String::from(#key), #p::Value::from(#value));
        }
    });
    let keys: Vec<(usize, &Field)> = app
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_key(f))
        .collect();
    if keys.is_empty() && app.attrs.defaults.is_empty() {
        return TokenStream::new();
    }
    let needs_default = keys.iter().any(|(_, f)| f.attrs.default.is_none());
    let struct_default = needs_default
        .then(|| quote!(let __zenkit_default = <Self as ::core::default::Default>::default();));
    let fields = keys.iter().map(|(i, field)| {
        let key = &field.key;
        let ops = ops_name(*i);
        let value = default_value(*i, field);
        quote! {
            {
                #value
                __zenkit_map.insert(
                    ::std::string::String::from(#key),
                    (#ops.to_json)(#key, __zenkit_value)?,
                );
            }
        }
    });
    quote! {
        fn defaults() -> #p::Result<#p::Map<::std::string::String, #p::Value>> {
            #struct_default
            let mut __zenkit_map = #p::Map::new();
            #(#builtin)*
            #(#fields)*
            ::core::result::Result::Ok(__zenkit_map)
        }
    }
}

/// The statement binding `__zenkit_value` to a field's default.
fn default_value(index: usize, field: &Field) -> TokenStream {
    let ty = field.ty;
    let key = &field.key;
    let ident = field.ident;
    let Some(default) = &field.attrs.default else {
        return quote!(let __zenkit_value = &__zenkit_default.#ident;);
    };
    let text = match &default.expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s),
        _ => None,
    };
    let value = match (text, field.role(), field.shape()) {
        (None, _, Shape::Optional(_)) if crate::defaults::is_literal(&default.expr) => {
            // a literal on an `Option` field is its value when not given
            let expr = &default.expr;
            return quote! {
                let __zenkit_value: #ty = ::core::option::Option::Some(#expr);
                let __zenkit_value = &__zenkit_value;
            };
        }
        (None, _, _) => {
            let expr = &default.expr;
            return quote! {
                let __zenkit_value: #ty = #expr;
                let __zenkit_value = &__zenkit_value;
            };
        }
        (Some(text), Role::Config, _) if field.is_duration() => {
            let call = quote_spanned!(text.span()=> <#ty as ::zenkit::types::DurationValue>::parse_default);
            quote!(#call(#key, #text)?)
        }
        (Some(text), Role::Cli, Shape::One | Shape::Optional(_)) => {
            let ops = ops_name(index);
            quote!((#ops.parse)(#key, #text)?)
        }
        (Some(text), _, Shape::Optional(inner)) => {
            let parse = text_default(inner, key, text);
            quote!(::core::option::Option::Some(#parse))
        }
        (Some(text), _, _) => text_default(ty, key, text),
    };
    quote! {
        let __zenkit_value: #ty = #value;
        let __zenkit_value = &__zenkit_value;
    }
}

fn text_default(ty: &syn::Type, key: &str, text: &LitStr) -> TokenStream {
    let call = quote_spanned!(text.span()=> <#ty as ::zenkit::types::TextDefault>::parse_default);
    quote!(#call(#key, #text)?)
}

/// `fn bind_checked`, binding each configuration field and gathering the
/// error of each, and `fn bind`, its first error.
fn bind(app: &AppStruct) -> TokenStream {
    let p = private();
    let assigns: Vec<TokenStream> = app
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_key(f))
        .map(|(i, field)| {
            let ident = field.ident;
            let key = &field.key;
            let ops = ops_name(i);
            quote! {
                #p::bind_field(
                    &mut self.#ident,
                    (#ops.get)(__zenkit_config, #key),
                    &mut __zenkit_errors,
                );
            }
        })
        .collect();
    if assigns.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn bind_checked(&mut self, __zenkit_config: &#p::Config) -> ::std::vec::Vec<#p::Error> {
            let mut __zenkit_errors = ::std::vec::Vec::new();
            #(#assigns)*
            __zenkit_errors
        }

        fn bind(&mut self, __zenkit_config: &#p::Config) -> #p::Result<()> {
            match #p::App::bind_checked(self, __zenkit_config).into_iter().next() {
                ::core::option::Option::Some(__zenkit_error) => ::core::result::Result::Err(__zenkit_error),
                ::core::option::Option::None => ::core::result::Result::Ok(()),
            }
        }
    }
}

/// `fn key_schemas`: each configuration field's key, the schema of its
/// type (through the probe, so that a type without one still compiles) and
/// its doc comment.
fn key_schemas(app: &AppStruct) -> TokenStream {
    let p = private();
    let keys: Vec<TokenStream> = app
        .fields
        .iter()
        .filter(|f| is_key(f))
        .map(|field| {
            let ty = field.ty;
            let key = &field.key;
            let help = &field.doc.long;
            let mut schema =
                quote!((&&&#p::SchemaProbe::<#ty>::new()).zenkit_schema(__zenkit_generator));
            if let Some(range) = &field.attrs.range {
                let bound = |value: Option<f64>| match value {
                    Some(x) => quote!(::core::option::Option::Some(#x)),
                    None => quote!(::core::option::Option::None),
                };
                let (start, end) = (bound(range.start_value), bound(range.end_value));
                let inclusive = range.inclusive;
                schema = quote!(#p::bounded(#schema, #start, #end, #inclusive));
            }
            quote! {
                #p::key_schema(#key, #schema, #help)
            }
        })
        .collect();
    if keys.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn key_schemas(__zenkit_generator: &mut #p::SchemaGenerator) -> ::std::vec::Vec<#p::KeySchema> {
            #[allow(unused_imports)]
            use #p::{SchemaByDefault as _, SchemaByJsonSchema as _, SchemaByValue as _};
            ::std::vec![#(#keys),*]
        }
    }
}

/// `fn unknown_keys` over every configuration field, and
/// `const DENY_UNKNOWN_KEYS` from `#[zen(deny_unknown_keys)]`.
fn unknown_keys(app: &AppStruct) -> TokenStream {
    let p = private();
    let deny = app.attrs.deny_unknown_keys.as_ref().map(|_| {
        quote!(
            const DENY_UNKNOWN_KEYS: bool = true;
        )
    });
    let fields: Vec<TokenStream> = app
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_key(f))
        .map(|(i, field)| {
            let key = &field.key;
            let ops = ops_name(i);
            quote!(__zenkit_found.extend((#ops.unknown)(__zenkit_config, #key));)
        })
        .collect();
    let function = (!fields.is_empty()).then(|| {
        quote! {
            fn unknown_keys(__zenkit_config: &#p::Config) -> ::std::vec::Vec<#p::UnknownKey> {
                let mut __zenkit_found = ::std::vec::Vec::new();
                #(#fields)*
                __zenkit_found
            }
        }
    });
    quote!(#deny #function)
}

fn state(app: &AppStruct) -> TokenStream {
    let p = private();
    let fields: Vec<(Ident, &Ident, &String)> = app
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.role() == Role::Pstate)
        .map(|(i, f)| (state_name(i), f.ident, &f.key))
        .collect();
    if fields.is_empty() {
        return TokenStream::new();
    }
    let load = fields.iter().map(|(ops, ident, key)| {
        quote! {
            if let ::core::option::Option::Some(__zenkit_value) = __zenkit_state.get(#key) {
                self.#ident = (#ops.load)(#key, __zenkit_value)?;
            }
        }
    });
    let save = fields.iter().map(|(ops, ident, key)| {
        quote! {
            __zenkit_state.insert(::std::string::String::from(#key), (#ops.save)(#key, &self.#ident)?);
        }
    });
    quote! {
        fn load_state(&mut self, __zenkit_state: &#p::Map<::std::string::String, #p::Value>) -> #p::Result<()> {
            #(#load)*
            ::core::result::Result::Ok(())
        }

        fn save_state(&self, __zenkit_state: &mut #p::Map<::std::string::String, #p::Value>) -> #p::Result<()> {
            #(#save)*
            ::core::result::Result::Ok(())
        }
    }
}
