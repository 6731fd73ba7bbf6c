//! The rules between an application's kind and the methods of its impl
//! block, which two macros see separately: `#[derive(ZenApp)]` implements
//! the kind's traits of `zenkit::types` and `#[zenkit::app]` the traits of
//! its commands, and each requires the other's where a method or an
//! attribute needs them, so that a broken rule is one error on the
//! author's token with the message of the trait.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};

use super::respan;
use crate::check::Kind;

/// The hash of a command's name, the parameter of `HasCommand`: 64-bit
/// FNV-1a, the same in both macros.
fn name_hash(name: &str) -> Literal {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    Literal::u64_unsuffixed(hash)
}

/// The impls of the traits of `kind` for application `ty`.
pub(crate) fn kind_impls(ty: &impl ToTokens, kind: Kind) -> TokenStream {
    let traits = match kind {
        Kind::Base => quote!(ProcessApp),
        Kind::Script => quote!(ScriptApp ProcessApp),
        Kind::Daemon => quote!(DaemonApp),
    };
    traits
        .into_iter()
        .map(|name| {
            quote! {
                #[diagnostic::do_not_recommend]
                impl ::zenkit::types::#name for #ty {}
            }
        })
        .collect()
}

/// The impls of the traits of an impl block's commands, named `names`:
/// `ScriptCommands` when there is one, `CommandNamed` for each.
pub(crate) fn command_impls<'a>(
    ty: &impl ToTokens,
    names: impl Iterator<Item = &'a str>,
) -> TokenStream {
    // two commands of one name are an error of their own
    let names: std::collections::BTreeSet<&str> = names.collect();
    if names.is_empty() {
        return TokenStream::new();
    }
    let hashes = names.into_iter().map(name_hash);
    quote! {
        #[diagnostic::do_not_recommend]
        impl ::zenkit::types::ScriptCommands for #ty {}
        #(impl ::zenkit::types::CommandNamed<#hashes> for #ty {})*
    }
}

/// What `ty` must implement, reported on `span`: `ScriptApp`, `DaemonApp`
/// or `ProcessApp`, or `ScriptCommands`.
pub(crate) fn requires(ty: &impl ToTokens, name: &str, span: Span) -> TokenStream {
    let ty = respan(ty.to_token_stream(), span);
    let name = proc_macro2::Ident::new(name, span);
    quote_spanned!(span=> const _: () = <#ty as ::zenkit::types::#name>::CHECKED;)
}

/// That script `ty` has the command `name`, reported on `span`.
pub(crate) fn requires_command(ty: &impl ToTokens, name: &str, span: Span) -> TokenStream {
    let ty = respan(ty.to_token_stream(), span);
    let hash = name_hash(name);
    quote_spanned!(span=> const _: () = <#ty as ::zenkit::types::HasCommand<#hash>>::CHECKED;)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hash_apart_and_alike() {
        assert_eq!(name_hash("run").to_string(), name_hash("run").to_string());
        assert_ne!(name_hash("run").to_string(), name_hash("rum").to_string());
        // FNV-1a of the empty text is its offset basis
        assert_eq!(name_hash("").to_string(), "14695981039346656037");
    }
}
