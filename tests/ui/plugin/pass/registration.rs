//! Plugins registered at link time by `#[zenkit::plugin]`, on the `impl
//! Plugin` block or on the type, and listed by the application with
//! `#[zen(plugins(...))]`; `linked_plugins` decides whether the registered
//! ones join.

#![allow(dead_code)]

use zenkit::plugin::{collect, Plugin, Registration as RuntimeRegistration};
use zenkit::prelude::*;

// Names generated code must not pick up from the author's scope.
mod core {}
mod std {}
mod inventory {}
struct Box;
struct Vec;
struct Registration;
struct Default;

/// Registered at link time, its name checked against the crate's others.
#[derive(::core::default::Default)]
struct Linked;

#[zenkit::plugin]
impl Plugin for Linked {
    fn name(&self) -> &'static str {
        "linked"
    }
}

/// An enum, registered on its definition through the prelude's name of the
/// attribute: its name is computed.
#[plugin]
#[derive(::core::default::Default)]
enum Mode {
    #[default]
    Quiet,
    Loud,
}

impl Plugin for Mode {
    fn name(&self) -> &'static str {
        match self {
            Mode::Quiet => "mode",
            Mode::Loud => "loud mode",
        }
    }
}

mod tools {
    use zenkit::plugin::Plugin;

    /// Listed by the applications, never registered; made with its
    /// `Default`.
    pub struct Explicit {
        pub name: &'static str,
    }

    impl ::core::default::Default for Explicit {
        fn default() -> Self {
            Explicit { name: "explicit" }
        }
    }

    impl Plugin for Explicit {
        fn name(&self) -> &'static str {
            self.name
        }
    }

    /// A generic plugin cannot be registered, but its instances can be
    /// listed.
    #[derive(::core::default::Default)]
    pub struct Level<const N: usize>;

    impl<const N: usize> Plugin for Level<N> {
        fn name(&self) -> &'static str {
            if N == 1 {
                "level-1"
            } else {
                "level-n"
            }
        }
    }
}

/// Takes the linked plugins and lists two more, one of them linked too.
#[derive(ZenApp, ::core::default::Default)]
#[zen(plugins(tools::Explicit, Linked, tools::Level<1>))]
struct Open {}

impl Hooks for Open {}

/// Refuses the linked plugins.
#[derive(ZenApp, ::core::default::Default)]
#[zen(script, plugins(tools::Explicit), linked_plugins = false)]
struct Closed {}

#[zenkit::app]
impl Closed {
    #[command]
    fn run(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        Ok(())
    }
}

/// Says the default out loud and lists nothing.
#[derive(ZenApp, ::core::default::Default)]
#[zen(daemon, linked_plugins = true)]
struct Plain {}

impl Hooks for Plain {}

/// Neither key: the defaults of `App`.
#[derive(ZenApp, ::core::default::Default)]
struct Unsaid {}

impl Hooks for Unsaid {}

fn names(plugins: &[::std::boxed::Box<dyn Plugin>]) -> ::std::vec::Vec<&'static str> {
    plugins.iter().map(|p| p.name()).collect()
}

fn main() {
    assert!(Open::LINKED_PLUGINS);
    assert!(!Closed::LINKED_PLUGINS);
    assert!(Plain::LINKED_PLUGINS);
    assert!(Unsaid::LINKED_PLUGINS);

    // listed plugins in declaration order, each made with its `Default`
    assert_eq!(names(&Open::plugins()), ["explicit", "linked", "level-1"]);
    assert_eq!(names(&Closed::plugins()), ["explicit"]);
    assert!(Plain::plugins().is_empty());
    assert!(Unsaid::plugins().is_empty());

    // each registered type once, made with its `Default`
    let mut registered: ::std::vec::Vec<&str> =
        zenkit::__private::inventory::iter::<RuntimeRegistration>
            .into_iter()
            .map(|r| {
                assert_eq!(r.package, "zenkit-examples-tests");
                (r.create)().name()
            })
            .collect();
    registered.sort();
    assert_eq!(registered, ["linked", "mode"]);

    // the linked plugins join only when allowed; a plugin both listed and
    // linked runs once; all in name order
    let open = collect(Open::plugins(), Open::LINKED_PLUGINS).unwrap();
    assert_eq!(names(&open), ["explicit", "level-1", "linked", "mode"]);
    let closed = collect(Closed::plugins(), Closed::LINKED_PLUGINS).unwrap();
    assert_eq!(names(&closed), ["explicit"]);
    let plain = collect(Plain::plugins(), Plain::LINKED_PLUGINS).unwrap();
    assert_eq!(names(&plain), ["linked", "mode"]);
    let none = collect(Closed::plugins().into_iter().skip(1).collect(), false).unwrap();
    assert!(none.is_empty());
}
