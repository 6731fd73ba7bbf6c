//! Code generation, one module per macro.

pub(crate) mod app;
pub(crate) mod component;
pub(crate) mod events;
pub(crate) mod hooks;
pub(crate) mod kinds;
pub(crate) mod plugin;
pub(crate) mod value;

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;

/// The path every generated reference to the runtime goes through.
pub(crate) fn private() -> TokenStream {
    quote!(::zenkit::__private)
}

/// `tokens` with every span set to `span`, so that an error about them is
/// reported on another token of the author's.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
