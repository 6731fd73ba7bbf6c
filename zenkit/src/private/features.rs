//! What generated code does about zenkit's feature flags: an application
//! kind or a macro whose feature is off is one compile error on the
//! author's token, and the items generated for it vanish so that no other
//! error follows.

/// The generated items of a daemon (component wiring, event handlers,
/// component impls): as they are with the `daemon` feature, nothing without.
#[cfg(feature = "daemon")]
#[doc(hidden)]
#[macro_export]
macro_rules! __zenkit_daemon_items {
    ($($item:tt)*) => { $($item)* };
}

/// The generated items of a daemon (component wiring, event handlers,
/// component impls): as they are with the `daemon` feature, nothing without.
#[cfg(not(feature = "daemon"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __zenkit_daemon_items {
    ($($item:tt)*) => {};
}

/// Nothing with the `daemon` feature; without it, the error that `$what`
/// (the author's attribute) needs it.
#[cfg(feature = "daemon")]
#[doc(hidden)]
#[macro_export]
macro_rules! __zenkit_needs_daemon {
    ($what:literal) => {};
}

/// Nothing with the `daemon` feature; without it, the error that `$what`
/// (the author's attribute) needs it.
#[cfg(not(feature = "daemon"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __zenkit_needs_daemon {
    ($what:literal) => {
        ::core::compile_error!(::core::concat!(
            $what,
            " needs zenkit's `daemon` feature, which is off: add \"daemon\" to the `features` of zenkit in Cargo.toml"
        ));
    };
}

/// Nothing with the `script` feature; without it, the error that `$what`
/// (the author's attribute) needs it.
#[cfg(feature = "script")]
#[doc(hidden)]
#[macro_export]
macro_rules! __zenkit_needs_script {
    ($what:literal) => {};
}

/// Nothing with the `script` feature; without it, the error that `$what`
/// (the author's attribute) needs it.
#[cfg(not(feature = "script"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __zenkit_needs_script {
    ($what:literal) => {
        ::core::compile_error!(::core::concat!(
            $what,
            " needs zenkit's `script` feature, which is off: add \"script\" to the `features` of zenkit in Cargo.toml"
        ));
    };
}

pub use crate::__zenkit_daemon_items as daemon_items;
pub use crate::__zenkit_needs_daemon as needs_daemon;
pub use crate::__zenkit_needs_script as needs_script;
