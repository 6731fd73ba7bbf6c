//! Derive and attribute macros of zenkit. Use them through the `zenkit` crate.

use proc_macro::TokenStream;

/// Derives `zenkit::App` for an application struct.
#[proc_macro_derive(ZenApp, attributes(zen))]
pub fn derive_zen_app(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

/// Implements `zenkit::Hooks` from an impl block.
#[proc_macro_attribute]
pub fn app(attr: TokenStream, item: TokenStream) -> TokenStream {
    let _ = attr;
    item
}
