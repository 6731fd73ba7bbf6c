//! `#[zenkit::plugin]` on a plugin type → its registration at link time.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Attribute, Generics, Ident, Item};

use super::private;
use crate::ctxt::Ctxt;

/// Expands `#[zenkit::plugin]` with its arguments `args` on `input`: the
/// item unchanged, then the registration. On error only the item and the
/// errors, so that one mistake gives one message.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    if !args.is_empty() {
        cx.error_spanned_by(
            &args,
            "`#[zenkit::plugin]` takes no arguments; the plugin's name and hooks come from its `impl zenkit::plugin::Plugin`",
        );
    }
    let mut item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(err) => {
            cx.syn_error(err);
            let errors = cx.check().err().unwrap_or_default();
            return quote!(#errors #input);
        }
    };
    let ident = match &mut item {
        Item::Struct(s) => Some(check_type(&cx, &s.ident, &s.generics, &mut s.attrs)),
        Item::Enum(e) => Some(check_type(&cx, &e.ident, &e.generics, &mut e.attrs)),
        other => {
            cx.error_at(Span::call_site(), not_a_type(other));
            None
        }
    };
    match (cx.check(), ident) {
        (Ok(()), Some(ident)) => {
            let registration = registration(&ident);
            quote!(#item #registration)
        }
        (Err(errors), _) => quote!(#errors #item),
        (Ok(()), None) => quote!(#item),
    }
}

/// Checks the plugin type and removes a repeated `#[zenkit::plugin]` from
/// its attributes (reporting it); returns the type's name.
fn check_type(cx: &Ctxt, ident: &Ident, generics: &Generics, attrs: &mut Vec<Attribute>) -> Ident {
    let generic = match (&generics.where_clause, generics.params.is_empty()) {
        (_, false) => Some(quote!(#generics)),
        (Some(clause), true) => Some(quote!(#clause)),
        (None, true) => None,
    };
    if let Some(generic) = generic {
        cx.error_spanned_by(
            generic,
            format!(
                "`#[zenkit::plugin]` registers one concrete type and `{ident}` is generic; implement `Plugin` for the instances you need and list them in the application's `#[zen(plugins({ident}<...>))]`"
            ),
        );
    }
    attrs.retain(|attr| {
        if is_plugin_attr(attr) {
            cx.error_spanned_by(
                attr,
                format!(
                    "`#[zenkit::plugin]` is given twice on `{ident}`; a plugin type is registered once"
                ),
            );
            false
        } else {
            true
        }
    });
    ident.clone()
}

/// Whether `attr` is `#[zenkit::plugin]`, `#[::zenkit::plugin]` or
/// `#[plugin]` (the prelude's name).
fn is_plugin_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match names.as_slice() {
        [one] => one == "plugin" && path.leading_colon.is_none(),
        [krate, one] => krate == "zenkit" && one == "plugin",
        _ => false,
    }
}

/// The message for `#[zenkit::plugin]` on an item that is not a struct or
/// an enum.
fn not_a_type(item: &Item) -> String {
    let place = "`#[zenkit::plugin]` goes on the struct or enum of a plugin type";
    match item {
        Item::Impl(i) => {
            let self_ty = crate::attr::type_text(&i.self_ty);
            format!("{place}, not on an impl block; mark the definition of `{self_ty}` instead")
        }
        Item::Fn(_) => format!("{place}, not on a function"),
        Item::Union(u) => format!(
            "{place}, not on a union; wrap `{}` in a struct that implements `Plugin`",
            u.ident
        ),
        Item::Type(t) => format!(
            "{place}, not on a type alias; mark the definition of the aliased type instead of `{}`",
            t.ident
        ),
        Item::Trait(_) => format!("{place}, not on a trait"),
        _ => place.to_string(),
    }
}

/// The registration of plugin type `ident`: a guard against a second
/// registration (two impls of one marker trait conflict) and the
/// `inventory` entry making the plugin with `Default`, whose bounds are
/// checked at the type's name.
fn registration(ident: &Ident) -> TokenStream {
    let p = private();
    let create = quote_spanned!(ident.span()=> <#ident as ::zenkit::types::PluginType>::new_plugin);
    quote! {
        const _: () = {
            impl #p::PluginRegisteredOnce for #ident {}

            #p::inventory::submit! {
                #p::Registration { create: #create }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(args: TokenStream, input: TokenStream) -> String {
        let out = expand(args, input).to_string();
        out.split("compile_error")
            .skip(1)
            .map(|e| e.split(')').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn registers_a_struct_or_an_enum() {
        for input in [
            quote!(
                struct Meter;
            ),
            quote!(
                #[derive(Default)]
                pub enum Meter {
                    #[default]
                    On,
                }
            ),
        ] {
            let out = expand(TokenStream::new(), input).to_string();
            assert!(!out.contains("compile_error"), "{out}");
            assert!(out.contains("PluginRegisteredOnce for Meter"), "{out}");
            assert!(
                out.contains("< Meter as :: zenkit :: types :: PluginType > :: new_plugin"),
                "{out}"
            );
            assert!(out.contains("inventory :: submit !"), "{out}");
        }
    }

    #[test]
    fn misuse_is_reported_and_the_item_kept() {
        let cases = [
            (
                quote!(name = "x"),
                quote!(
                    struct A;
                ),
                "takes no arguments",
            ),
            (
                quote!(),
                quote!(
                    struct G<T>(T);
                ),
                "`G` is generic",
            ),
            (
                quote!(),
                quote!(
                    struct W
                    where
                        u8: Copy;
                ),
                "`W` is generic",
            ),
            (
                quote!(),
                quote!(
                    fn f() {}
                ),
                "not on a function",
            ),
            (quote!(), quote!(impl A {}), "mark the definition of `A`"),
            (
                quote!(),
                quote!(
                    type B = A;
                ),
                "not on a type alias",
            ),
            (quote!(), quote!(union U { a: u8 }), "not on a union"),
            (
                quote!(),
                quote!(
                    #[zenkit::plugin]
                    struct A;
                ),
                "given twice on `A`",
            ),
            (
                quote!(),
                quote!(
                    #[plugin]
                    struct A;
                ),
                "given twice on `A`",
            ),
        ];
        for (args, input, message) in cases {
            let out = expand(args.clone(), input.clone()).to_string();
            let found = errors(args, input.clone());
            assert!(found.contains(message), "{input}: {found}");
            assert!(!out.contains("submit"), "{input}: {out}");
        }
        // the item is kept, without the repeated attribute
        let out = expand(
            quote!(),
            quote!(
                #[zenkit::plugin]
                #[derive(Default)]
                struct A;
            ),
        );
        let out = out.to_string();
        assert!(out.contains("# [derive (Default)] struct A ;"), "{out}");
        assert!(!out.contains("# [zenkit :: plugin]"), "{out}");
        // another crate's attribute of the same last name is not ours
        let out = expand(
            quote!(),
            quote!(
                #[other::plugin]
                struct A;
            ),
        )
        .to_string();
        assert!(!out.contains("compile_error"), "{out}");
    }
}
