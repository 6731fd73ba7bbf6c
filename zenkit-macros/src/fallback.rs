//! What the macros emit when the user's code has mistakes: the errors, the
//! user's item, and stub impls, so that one mistake gives one message
//! rather than a cascade of "trait not implemented" errors.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use crate::ast::HooksImpl;
use crate::check::Kind;
use crate::expand::component::impl_header;
use crate::expand::events;
use crate::expand::hooks::{command_impls, commands_const};
use crate::expand::private;

/// `const KIND` of an `App` impl; nothing for a base application.
pub(crate) fn kind_const(kind: Kind) -> Option<TokenStream> {
    let p = private();
    let variant = match kind {
        Kind::Base => return None,
        Kind::Script => quote!(Script),
        Kind::Daemon => quote!(Daemon),
    };
    Some(quote!(const KIND: #p::AppKind = #p::AppKind::#variant;))
}

/// The errors of `#[derive(ZenApp)]` and, when `stub` (the item is not
/// generic: also an enum or a tuple struct, which the derive refuses), a
/// stub `App` impl of the right `kind`, so that neither the uses of the
/// type as an application nor the checks of its impl block's markers
/// against the kind (`#[command]`, `#[on_event]`, ...) are reported again.
pub(crate) fn app(ident: &Ident, errors: TokenStream, stub: bool, kind: Kind) -> TokenStream {
    let p = private();
    if !stub {
        return errors;
    }
    let kinds = crate::expand::kinds::kind_impls(ident, kind);
    let kind = kind_const(kind);
    quote! {
        #errors
        const _: () = {
            #kinds
            #[automatically_derived]
            impl #p::App for #ident {
                #kind
                fn info() -> #p::AppInfo {
                    #p::AppInfo::new(::core::env!("CARGO_PKG_VERSION"))
                }
            }
        };
    }
}

/// The errors of `#[zenkit::app]`, the impl block without its markers, the
/// constants of its events and, when the block is a plain inherent impl, a
/// stub `Hooks` impl listing the commands, so that the script's checks on
/// them are not reported again.
pub(crate) fn hooks(hooks: &HooksImpl, errors: TokenStream) -> TokenStream {
    let p = private();
    let item = &hooks.item;
    let constants = events::generate(hooks);
    let plain = item.trait_.is_none()
        && item.generics.params.is_empty()
        && item.generics.where_clause.is_none();
    if !plain {
        return quote!(#errors #item #constants);
    }
    let self_ty = &item.self_ty;
    let commands = commands_const(hooks, false);
    let command_impls = command_impls(hooks);
    quote! {
        #errors
        #item
        #constants
        const _: () = {
            #command_impls
            #[automatically_derived]
            impl #p::Hooks for #self_ty {
                #commands
            }
        };
    }
}

/// The errors of `#[component]`, the impl block without its markers, the
/// constants of its events and, when the block is an inherent impl without
/// lifetime parameters, a stub `Component` impl, so that a
/// `#[zen(component)]` field of the type is not reported as well.
pub(crate) fn component(hooks: &HooksImpl, errors: TokenStream) -> TokenStream {
    let item = &hooks.item;
    let constants = events::generate(hooks);
    if item.trait_.is_some() || item.generics.lifetimes().next().is_some() {
        return quote!(#errors #item #constants);
    }
    let header = impl_header(item);
    let p = private();
    let items = crate::features::daemon_items(quote! {
        #[automatically_derived]
        #header {
            type Config = #p::NoConfig;
        }
    });
    quote! {
        #errors
        #item
        #constants
        #items
    }
}
