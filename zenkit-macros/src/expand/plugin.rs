//! `#[zenkit::plugin]` on a plugin's `impl Plugin` block, or on its type
//! → its registration at link time; on the impl block, with a name given
//! as a literal, also the check that no other plugin of the crate has it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Generics, ImplItem, Item, ItemImpl, Lit, LitStr, Stmt, Type};

use super::private;
use crate::attr::type_text;
use crate::ctxt::Ctxt;

/// The argument of the attribute the expansion leaves on the item: a later
/// `#[zenkit::plugin]` under another name (`use zenkit::plugin as
/// register;`) finds it and reports the second registration; alone, it
/// expands to the item unchanged.
const REGISTERED: &str = "registered";

/// Expands `#[zenkit::plugin]` with its arguments `args` on `input`: the
/// item unchanged, then the registration. On error only the item and the
/// errors, so that one mistake gives one message.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    if args.to_string() == REGISTERED {
        return input;
    }
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
    let plugin = match &mut item {
        Item::Struct(syn::ItemStruct {
            ident,
            generics,
            attrs,
            ..
        })
        | Item::Enum(syn::ItemEnum {
            ident,
            generics,
            attrs,
            ..
        }) => {
            let generic = generic_error(generics, || {
                format!("`{ident}` is generic; implement `Plugin` for the instances you need and list them in the application's `#[zen(plugins({ident}<...>))]`")
            });
            check_attrs(&cx, &ident.to_string(), generic, attrs);
            Some((syn::parse_quote!(#ident), ident.span(), None))
        }
        Item::Impl(i) if is_plugin_impl(i) => {
            let ty = type_text(&i.self_ty);
            let generic = generic_error(&i.generics, || {
                format!("`impl Plugin for {ty}` is generic; list its instances in the application's `#[zen(plugins(...))]` instead")
            });
            check_attrs(&cx, &ty, generic, &mut i.attrs);
            let name = name_literal(i).cloned();
            Some(((*i.self_ty).clone(), i.self_ty.span(), name))
        }
        other => {
            cx.error_at(Span::call_site(), not_a_plugin(other));
            None
        }
    };
    match (cx.check(), plugin) {
        (Ok(()), Some((ty, span, name))) => {
            let registration = registration(&ty, span, name.as_ref());
            mark_registered(&mut item);
            quote!(#item #registration)
        }
        (Err(errors), _) => quote!(#errors #item),
        (Ok(()), None) => quote!(#item),
    }
}

/// The tokens to report and the message when `generics` has parameters or
/// a where clause.
fn generic_error(
    generics: &Generics,
    message: impl FnOnce() -> String,
) -> Option<(TokenStream, String)> {
    let tokens = match (&generics.where_clause, generics.params.is_empty()) {
        (_, false) => quote!(#generics),
        (Some(clause), true) => quote!(#clause),
        (None, true) => return None,
    };
    Some((
        tokens,
        format!(
            "`#[zenkit::plugin]` registers one concrete type and {}",
            message()
        ),
    ))
}

/// Reports `generic` and a repeated `#[zenkit::plugin]` among `attrs` of
/// plugin `what`, which it removes: the one written twice, or the one a
/// registration under another name of the attribute left.
fn check_attrs(
    cx: &Ctxt,
    what: &str,
    generic: Option<(TokenStream, String)>,
    attrs: &mut Vec<Attribute>,
) {
    if let Some((tokens, message)) = generic {
        cx.error_spanned_by(tokens, message);
    }
    attrs.retain(|attr| {
        if is_registered_mark(attr) {
            cx.error_at(
                Span::call_site(),
                format!(
                    "`{what}` is registered twice: this attribute is `#[zenkit::plugin]` under another name; a plugin type is registered once"
                ),
            );
            false
        } else if is_plugin_attr(attr) {
            cx.error_spanned_by(
                attr,
                format!(
                    "`#[zenkit::plugin]` is given twice on `{what}`; a plugin type is registered once"
                ),
            );
            false
        } else {
            true
        }
    });
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

/// Whether `attr` is the mark an expansion leaves (see [`REGISTERED`]).
fn is_registered_mark(attr: &Attribute) -> bool {
    is_plugin_attr(attr)
        && matches!(&attr.meta, syn::Meta::List(list) if list.tokens.to_string() == REGISTERED)
}

/// Leaves the mark of the registration on the item, after its other
/// attributes, so that a later alias of the attribute sees it.
fn mark_registered(item: &mut Item) {
    let attrs = match item {
        Item::Struct(s) => &mut s.attrs,
        Item::Enum(e) => &mut e.attrs,
        Item::Impl(i) => &mut i.attrs,
        _ => return,
    };
    let mark = syn::Ident::new(REGISTERED, Span::call_site());
    attrs.push(syn::parse_quote!(#[::zenkit::plugin(#mark)]));
}

/// Whether `item` is `impl Plugin for Type` (by the trait's last name).
fn is_plugin_impl(item: &ItemImpl) -> bool {
    matches!(&item.trait_, Some((path, _)) if path.segments.last().is_some_and(|s| s.ident == "Plugin"))
}

/// The literal `fn name` of the impl block returns, when its body is just
/// that literal.
fn name_literal(item: &ItemImpl) -> Option<&LitStr> {
    let method = item.items.iter().find_map(|item| match item {
        ImplItem::Fn(method) if method.sig.ident == "name" => Some(method),
        _ => None,
    })?;
    match method.block.stmts.as_slice() {
        [Stmt::Expr(
            Expr::Lit(ExprLit {
                lit: Lit::Str(name),
                ..
            }),
            None,
        )] => Some(name),
        _ => None,
    }
}

/// The message for `#[zenkit::plugin]` on an item that is neither a
/// plugin's `impl Plugin` block nor a struct or an enum.
fn not_a_plugin(item: &Item) -> String {
    let place = "`#[zenkit::plugin]` goes on the `impl Plugin for ...` block of a plugin type, or on its struct or enum";
    match item {
        Item::Impl(i) => {
            let self_ty = type_text(&i.self_ty);
            match &i.trait_ {
                Some((path, _)) => {
                    let name = path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                    format!("{place}, not on an impl of `{name}`; mark `impl Plugin for {self_ty}` instead")
                }
                None => format!("{place}, not on an inherent impl block; mark `impl Plugin for {self_ty}` instead"),
            }
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

/// The registration of plugin type `ty`: a guard against a second
/// registration (two impls of one marker trait conflict), the `inventory`
/// entry making the plugin with `Default`, whose bounds are checked at
/// `span`, and with the plugin's `name`, the guard against a second plugin
/// of that name in the crate.
fn registration(ty: &Type, span: Span, name: Option<&LitStr>) -> TokenStream {
    let p = private();
    let create = quote_spanned!(span=> <#ty as ::zenkit::types::PluginType>::new_plugin);
    let name = name.map(unique_name);
    quote! {
        const _: () = {
            impl #p::RegisteredOnce for #ty {}

            #p::inventory::submit! {
                #p::Registration {
                    create: #create,
                    package: ::core::env!("CARGO_PKG_NAME"),
                }
            }

            #name
        };
    }
}

/// A macro of the crate named for plugin name `name`: two plugins of one
/// crate with that name define it twice, which the compiler reports at the
/// second name as "the name `two_plugins_of_this_crate_are_named_meter` is
/// defined multiple times". Exported macros are the one namespace of a
/// crate that items in any module share; the macro is hidden and does
/// nothing.
fn unique_name(name: &LitStr) -> TokenStream {
    let ident = syn::Ident::new(&name_macro(&name.value()), name.span());
    quote_spanned! {name.span()=>
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #ident {
            () => {};
        }
    }
}

/// The name of the macro of plugin name `name`: the name itself after
/// `two_plugins_of_this_crate_are_named_` when it is words of ASCII
/// letters and digits joined by single `_`; else, after
/// `two_plugins_of_this_crate_are_named__`, its letters and digits with
/// every other character as `_<hex code>_`, so that two names make one
/// macro name only when they are equal.
fn name_macro(name: &str) -> String {
    const PREFIX: &str = "two_plugins_of_this_crate_are_named_";
    let words = !name.is_empty()
        && name
            .split('_')
            .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric()));
    if words {
        return format!("{PREFIX}{name}");
    }
    let mut ident = format!("{PREFIX}_");
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            ident.push(c);
        } else {
            ident.push_str(&format!("_{:x}_", u32::from(c)));
        }
    }
    ident
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
            assert!(out.contains("RegisteredOnce for Meter"), "{out}");
            assert!(
                out.contains("< Meter as :: zenkit :: types :: PluginType > :: new_plugin"),
                "{out}"
            );
            assert!(out.contains("inventory :: submit !"), "{out}");
            assert!(
                out.contains("# [:: zenkit :: plugin (registered)]"),
                "{out}"
            );
            assert!(!out.contains("macro_rules"), "no name to check: {out}");
        }
    }

    #[test]
    fn registers_an_impl_block_and_checks_its_literal_name() {
        let out = expand(
            TokenStream::new(),
            quote!(
                impl zenkit::plugin::Plugin for Level<1> {
                    fn name(&self) -> &'static str {
                        "level-1"
                    }
                }
            ),
        )
        .to_string();
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("RegisteredOnce for Level < 1 >"), "{out}");
        assert!(
            out.contains("< Level < 1 > as :: zenkit :: types :: PluginType > :: new_plugin"),
            "{out}"
        );
        assert!(
            out.contains("macro_rules ! two_plugins_of_this_crate_are_named__level_2d_1"),
            "{out}"
        );
        // a computed name is not checked
        let out = expand(
            TokenStream::new(),
            quote!(
                impl Plugin for Mode {
                    fn name(&self) -> &'static str {
                        if self.loud { "loud" } else { "quiet" }
                    }
                }
            ),
        )
        .to_string();
        assert!(
            out.contains("< Mode as :: zenkit :: types :: PluginType > :: new_plugin"),
            "{out}"
        );
        assert!(!out.contains("macro_rules"), "{out}");
        // the mark a registration leaves expands to the item alone
        let item = quote!(
            struct A;
        );
        assert_eq!(
            expand(quote!(registered), item.clone()).to_string(),
            item.to_string()
        );
    }

    #[test]
    fn names_make_one_macro_name_only_when_equal() {
        let names = [
            "meter", "Meter", "level_1", "level-1", "level 1", "level__1", "_meter", "meter_", "",
            "x_2d_", "x-",
        ];
        let idents: Vec<String> = names.iter().map(|n| name_macro(n)).collect();
        assert_eq!(idents[0], "two_plugins_of_this_crate_are_named_meter");
        assert_eq!(idents[2], "two_plugins_of_this_crate_are_named_level_1");
        assert_eq!(idents[3], "two_plugins_of_this_crate_are_named__level_2d_1");
        for (i, a) in idents.iter().enumerate() {
            assert!(syn::parse_str::<syn::Ident>(a).is_ok(), "{a}");
            for b in &idents[i + 1..] {
                assert_ne!(a, b);
            }
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
            (
                quote!(),
                quote!(impl A {}),
                "mark `impl Plugin for A` instead",
            ),
            (
                quote!(),
                quote!(impl Default for A {}),
                "not on an impl of `Default`",
            ),
            (
                quote!(),
                quote!(
                    impl<T> Plugin for G<T> {}
                ),
                "`impl Plugin for G<T>` is generic",
            ),
            (
                quote!(),
                quote!(
                    #[zenkit::plugin]
                    impl Plugin for A {}
                ),
                "given twice on `A`",
            ),
            (
                quote!(),
                quote!(
                    #[derive(Default)]
                    #[::zenkit::plugin(registered)]
                    struct A;
                ),
                "`A` is registered twice",
            ),
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
