//! What the macros emit when the user's code has mistakes: the errors, the
//! user's item, and stub impls, so that one mistake gives one message
//! rather than a cascade of "trait not implemented" errors.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use crate::ast::HooksImpl;
use crate::expand::hooks::commands_const;
use crate::expand::private;

/// The errors of `#[derive(ZenApp)]` and, when `stub` (the item is a
/// concrete struct with named fields), a stub `App` impl, of a script when
/// `script` so that its `#[command]` methods are not reported again.
pub(crate) fn app(ident: &Ident, errors: TokenStream, stub: bool, script: bool) -> TokenStream {
    let p = private();
    if !stub {
        return errors;
    }
    let kind = script.then(|| quote!(const KIND: #p::AppKind = #p::AppKind::Script;));
    quote! {
        #errors
        const _: () = {
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

/// The errors of `#[zenkit::app]`, the impl block without its markers and,
/// when the block is a plain inherent impl, a stub `Hooks` impl listing the
/// commands, so that the script's checks on them are not reported again.
pub(crate) fn hooks(hooks: &HooksImpl, errors: TokenStream) -> TokenStream {
    let p = private();
    let item = &hooks.item;
    let plain = item.trait_.is_none()
        && item.generics.params.is_empty()
        && item.generics.where_clause.is_none();
    if !plain {
        return quote!(#errors #item);
    }
    let self_ty = &item.self_ty;
    let commands = commands_const(hooks);
    quote! {
        #errors
        #item
        const _: () = {
            #[automatically_derived]
            impl #p::Hooks for #self_ty {
                #commands
            }
        };
    }
}
