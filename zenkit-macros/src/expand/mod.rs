//! Code generation, one module per macro.

pub(crate) mod app;
pub(crate) mod component;
pub(crate) mod events;
pub(crate) mod hooks;
pub(crate) mod plugin;
pub(crate) mod value;

use proc_macro2::TokenStream;
use quote::quote;

/// The path every generated reference to the runtime goes through.
pub(crate) fn private() -> TokenStream {
    quote!(::zenkit::__private)
}
