//! zenkit's feature flags as the macros see them. zenkit turns on the
//! macros' `daemon` and `script` features with its own, so an application
//! kind or a macro whose feature is off is one compile error on the
//! author's token, and the items generated for it are left out so that no
//! other error follows.

use proc_macro2::{Span, TokenStream};

/// A feature of zenkit that some application kinds and macros need.
#[derive(Clone, Copy)]
pub(crate) enum Feature {
    Daemon,
    Script,
}

impl Feature {
    fn name(self) -> &'static str {
        match self {
            Feature::Daemon => "daemon",
            Feature::Script => "script",
        }
    }

    fn is_on(self) -> bool {
        match self {
            Feature::Daemon => cfg!(feature = "daemon"),
            Feature::Script => cfg!(feature = "script"),
        }
    }
}

/// `items` when zenkit has the `daemon` feature, else nothing.
pub(crate) fn daemon_items(items: TokenStream) -> TokenStream {
    if Feature::Daemon.is_on() {
        items
    } else {
        TokenStream::new()
    }
}

/// Nothing when zenkit has `feature`; else the error, on `span`, that
/// `what` (the author's attribute) needs it.
pub(crate) fn needs(feature: Feature, what: &str, span: Span) -> TokenStream {
    if feature.is_on() {
        return TokenStream::new();
    }
    let name = feature.name();
    let message = format!(
        "{what} needs zenkit's `{name}` feature, which is off: add \"{name}\" to the `features` of zenkit in Cargo.toml"
    );
    syn::Error::new(span, message).to_compile_error()
}
