//! Code generation, one module per macro.

pub(crate) mod app;
pub(crate) mod component;
pub(crate) mod hooks;
pub(crate) mod plugin;
pub(crate) mod value;

use proc_macro2::TokenStream;
use quote::quote;

/// The path every generated reference to the runtime goes through.
pub(crate) fn private() -> TokenStream {
    quote!(::zenkit::__private)
}

/// A type as the author wrote it, for messages: `Vec<u8>`, `std::path::PathBuf`.
pub(crate) fn type_text(ty: &impl quote::ToTokens) -> String {
    ty.to_token_stream()
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}
