//! The small models the macros work on: the application struct with its
//! fields, and the impl block (of an application or a component) with its
//! hook methods.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{
    Data, DeriveInput, Fields, GenericArgument, Ident, ImplItem, ItemImpl, PathArguments, Type,
};

use crate::attr::{self, Container, FieldAttrs, HookKind, Marker};
use crate::ctxt::Ctxt;
use crate::doc::{self, Doc};
use crate::params::{self, Param};

/// A struct deriving `ZenApp`.
pub(crate) struct AppStruct<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) doc: Doc,
    pub(crate) attrs: Container,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One named field of the application struct.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    /// The configuration or state key: `rename = "..."`, else the field name
    /// without `r#`.
    pub(crate) key: String,
    pub(crate) ty: &'a Type,
    pub(crate) doc: Doc,
    pub(crate) attrs: FieldAttrs,
}

/// How a field's type maps onto a command-line option, read from the
/// type's syntax.
#[derive(Clone, Copy)]
pub(crate) enum Shape<'a> {
    /// `bool`: a flag without a value.
    Flag,
    /// `Option<T>`: an optional value parsed as `T`.
    Optional(&'a Type),
    /// `Vec<T>`: a repeatable option collecting values of `T`.
    Many(&'a Type),
    /// `Option<Vec<T>>`: a repeatable option that is `None` unless given.
    OptionalMany(&'a Type),
    /// Anything else: one value of the field's type.
    One,
}

/// What the runtime does with a field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A configuration key with a command-line option.
    Cli,
    /// A configuration key only.
    Config,
    /// A persistent-state field.
    Pstate,
    /// A daemon's component.
    Component,
    /// Plain state of the struct, not seen by the runtime.
    Ignored,
}

impl Field<'_> {
    /// The field's role; a field with several roles is an error reported by
    /// `check` and counts as a configuration key, else as persistent state.
    pub(crate) fn role(&self) -> Role {
        if self.attrs.cli.is_some() {
            Role::Cli
        } else if self.attrs.config.is_some() {
            Role::Config
        } else if self.attrs.pstate.is_some() {
            Role::Pstate
        } else if self.attrs.component.is_some() {
            Role::Component
        } else {
            Role::Ignored
        }
    }

    pub(crate) fn shape(&self) -> Shape<'_> {
        shape(self.ty)
    }

    /// The long option: `cli(long = ...)` or the key in kebab-case, with
    /// `no-` before it for a flag that is on by default.
    pub(crate) fn long(&self) -> Option<(String, Span)> {
        let cli = self.attrs.cli.as_ref()?;
        let (long, span) = match &cli.long {
            Some(long) => (long.value(), long.span()),
            None => (kebab(&self.key), self.key_span()),
        };
        Some(if self.negated_flag() {
            (format!("no-{long}"), span)
        } else {
            (long, span)
        })
    }

    /// Where the key is named: the `rename` literal or the field name.
    pub(crate) fn key_span(&self) -> Span {
        match &self.attrs.rename {
            Some((_, key)) => key.span(),
            None => self.ident.span(),
        }
    }

    /// A `bool` option with `default = true`: its option `--no-NAME` turns
    /// it off.
    pub(crate) fn negated_flag(&self) -> bool {
        let default_true = matches!(
            self.attrs.default.as_ref().map(|d| &d.expr),
            Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b),
                ..
            })) if b.value
        );
        self.attrs.cli.is_some() && matches!(self.shape(), Shape::Flag) && default_true
    }

    /// Whether the value (or each value of an `Option` or `Vec`) is a
    /// `std::time::Duration`, read from the type's syntax.
    pub(crate) fn is_duration(&self) -> bool {
        match self.shape() {
            Shape::Flag => false,
            Shape::One => is_duration(self.ty),
            Shape::Optional(inner) | Shape::Many(inner) | Shape::OptionalMany(inner) => {
                is_duration(inner)
            }
        }
    }
}

/// `Duration`, `time::Duration`, `std::time::Duration` or
/// `core::time::Duration`.
pub(crate) fn is_duration(ty: &Type) -> bool {
    let Type::Path(path) = ty else {
        return match ty {
            Type::Group(g) => is_duration(&g.elem),
            Type::Paren(p) => is_duration(&p.elem),
            _ => false,
        };
    };
    if path.qself.is_some()
        || path
            .path
            .segments
            .iter()
            .any(|s| !matches!(s.arguments, PathArguments::None))
    {
        return false;
    }
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    matches!(
        names.as_slice(),
        ["Duration"] | ["time", "Duration"] | ["std" | "core", "time", "Duration"]
    )
}

/// `snake_case` → `kebab-case`.
pub(crate) fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

/// The single generic argument of `Name<T>` when the type's last path
/// segment is `name`.
pub(crate) fn generic_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    match (types.next(), types.next()) {
        (Some(t), None) => Some(t),
        _ => None,
    }
}

/// The last path segment's name of a plain path type.
pub(crate) fn last_segment(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| &s.ident),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

fn is_bool(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("bool"))
}

pub(crate) fn shape(ty: &Type) -> Shape<'_> {
    if is_bool(ty) {
        Shape::Flag
    } else if let Some(inner) = generic_arg(ty, "Option") {
        match generic_arg(inner, "Vec") {
            Some(item) => Shape::OptionalMany(item),
            None => Shape::Optional(inner),
        }
    } else if let Some(inner) = generic_arg(ty, "Vec") {
        Shape::Many(inner)
    } else {
        Shape::One
    }
}

impl<'a> AppStruct<'a> {
    /// Reads a `#[derive(ZenApp)]` input; `None` when it is not a struct
    /// with named fields (the error is recorded).
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<AppStruct<'a>> {
        let attrs = attr::container(cx, &input.attrs);
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => &named.named,
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "`ZenApp` needs a struct with named fields: each option, key and state field is named by its field",
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "`ZenApp` needs a struct with named fields; write `struct Name {}` for an application without options",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`ZenApp` cannot be derived for an enum; an application is a struct with named fields",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`ZenApp` cannot be derived for a union; an application is a struct with named fields",
                );
                return None;
            }
        };
        if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
            cx.error_spanned_by(
                &input.generics,
                "`ZenApp` cannot be derived for a generic struct; an application is one concrete type",
            );
        }
        let fields = fields
            .iter()
            .filter_map(|f| {
                let ident = f.ident.as_ref()?;
                let attrs = attr::field(cx, &f.attrs);
                let key = match &attrs.rename {
                    Some((_, key)) => key.value(),
                    None => ident.unraw().to_string(),
                };
                Some(Field {
                    ident,
                    key,
                    ty: &f.ty,
                    doc: doc::doc(&f.attrs),
                    attrs,
                })
            })
            .collect();
        Some(AppStruct {
            ident: &input.ident,
            doc: doc::doc(&input.attrs),
            attrs,
            fields,
        })
    }
}

/// An impl block under `#[zenkit::app]` or `#[component]`, its markers
/// removed.
pub(crate) struct HooksImpl {
    /// The user's impl block without the hook markers.
    pub(crate) item: ItemImpl,
    /// The hook methods, in declaration order.
    pub(crate) hooks: Vec<Hook>,
}

/// A method marked as a hook.
pub(crate) struct Hook {
    pub(crate) marker: Marker,
    pub(crate) method: Ident,
    /// The action or command name (kebab-case method name unless given); a
    /// handler's is the method's name.
    pub(crate) name: String,
    /// Where the name comes from, for errors.
    pub(crate) name_span: Span,
    /// The first paragraph of the method's doc comment.
    pub(crate) help: String,
    /// The method's signature, checked by `check`, its parameters'
    /// markers removed.
    pub(crate) sig: syn::Signature,
    /// A command's `#[arg]` and `#[opt]` parameters, in order.
    pub(crate) params: Vec<Param>,
}

impl HooksImpl {
    /// Reads the impl block and removes the hook markers from it.
    pub(crate) fn from_ast(cx: &Ctxt, mut item: ItemImpl) -> HooksImpl {
        let mut hooks = Vec::new();
        for impl_item in &mut item.items {
            let ImplItem::Fn(method) = impl_item else {
                if let Some(attrs) = item_attrs(impl_item) {
                    for marker in attr::take_markers(cx, attrs) {
                        cx.error_spanned_by(
                            &marker.ident,
                            format!(
                                "`#[{}]` marks a method; this item is not one",
                                marker.kind.as_str()
                            ),
                        );
                    }
                }
                continue;
            };
            let markers = attr::take_markers(cx, &mut method.attrs);
            let params = params::take(cx, &mut method.sig, markers.first().map(|m| m.kind));
            let mut markers = markers.into_iter();
            let Some(marker) = markers.next() else {
                continue;
            };
            for extra in markers {
                cx.error_spanned_by(
                    &extra.ident,
                    format!(
                        "`{}` is already marked `#[{}]`; a method can be only one hook",
                        method.sig.ident,
                        marker.kind.as_str()
                    ),
                );
            }
            let method_name = method.sig.ident.unraw().to_string();
            let (name, name_span) = match &marker.name {
                Some(name) => (name.value(), name.span()),
                None if marker.kind.is_handler() => (method_name, method.sig.ident.span()),
                None => (kebab(&method_name), method.sig.ident.span()),
            };
            hooks.push(Hook {
                method: method.sig.ident.clone(),
                name,
                name_span,
                help: doc::doc(&method.attrs).short,
                sig: method.sig.clone(),
                params,
                marker,
            });
        }
        HooksImpl { item, hooks }
    }

    /// The hooks of one kind.
    pub(crate) fn of(&self, kind: HookKind) -> impl Iterator<Item = &Hook> {
        self.hooks.iter().filter(move |h| h.marker.kind == kind)
    }
}

fn item_attrs(item: &mut ImplItem) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        ImplItem::Const(c) => Some(&mut c.attrs),
        ImplItem::Type(t) => Some(&mut t.attrs),
        ImplItem::Macro(m) => Some(&mut m.attrs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_from_syntax() {
        let ty = |s: &str| syn::parse_str::<Type>(s).unwrap();
        assert!(matches!(shape(&ty("bool")), Shape::Flag));
        assert!(matches!(
            shape(&ty("std::option::Option<u8>")),
            Shape::Optional(_)
        ));
        assert!(matches!(shape(&ty("Vec<String>")), Shape::Many(_)));
        assert!(matches!(
            shape(&ty("Option<Vec<u8>>")),
            Shape::OptionalMany(_)
        ));
        for yes in ["Duration", "std::time::Duration", "::core::time::Duration"] {
            assert!(is_duration(&ty(yes)), "{yes}");
        }
        for no in ["chrono::Duration", "Duration<u8>", "MyDuration", "u64"] {
            assert!(!is_duration(&ty(no)), "{no}");
        }
        assert!(matches!(shape(&ty("String")), Shape::One));
        assert!(matches!(shape(&ty("Option<u8, u8>")), Shape::One));
        assert_eq!(kebab("config_file"), "config-file");
    }
}
