//! What the life-cycle knows of an application's type, gathered into one
//! plain value, [`AppSpec`]: its kind, commands and the functions of its
//! [`App`] and [`Hooks`] impls that describe it. The life-cycle takes an
//! `AppSpec` rather than a type parameter, so it is compiled once, in
//! zenkit, rather than once in every application.
//!
//! A daemon's components are known only through its type (its `wire`
//! function registers them in a `Wiring` of that type); the spec holds a
//! function that reads them for a daemon and nothing for the other kinds,
//! so a script never compiles a daemon's wiring.

use std::marker::PhantomData;

use serde_json::{Map, Value};

use crate::app::{ActionInfo, App, AppInfo, AppKind, CommandInfo, Hooks};
use crate::config::{Config, EnvKey, UnknownKey};
use crate::plugin::Plugin;
use crate::schema::{KeySchema, SchemaGenerator};
use crate::Result;

/// The per-type facts of an application, as its [`App`] and [`Hooks`]
/// impls give them; the functions are called when the life-cycle needs
/// their answer, as often as it would call the trait's.
pub(crate) struct AppSpec {
    pub(crate) kind: AppKind,
    pub(crate) info: fn() -> AppInfo,
    pub(crate) commands: &'static [CommandInfo],
    pub(crate) options: fn() -> Vec<clap::Arg>,
    pub(crate) defaults: fn() -> Result<Map<String, Value>>,
    pub(crate) environment: fn() -> Vec<EnvKey>,
    pub(crate) key_schemas: fn(&mut SchemaGenerator) -> Vec<KeySchema>,
    pub(crate) unknown_keys: fn(&Config) -> Vec<UnknownKey>,
    pub(crate) deny_unknown_keys: bool,
    pub(crate) linked_plugins: bool,
    pub(crate) plugins: fn() -> Vec<Box<dyn Plugin>>,
    pub(crate) actions: fn() -> Vec<ActionInfo>,
    /// Reads a daemon's components; `None` for the other kinds.
    #[cfg(feature = "daemon")]
    read_components: Option<ComponentsFn>,
}

impl AppSpec {
    /// The spec of application `A`.
    pub(crate) fn of<A: App>() -> &'static AppSpec {
        &SpecOf::<A>::SPEC
    }

    /// The options and keys a daemon's components add, their schemas from
    /// `generator` if given; none for the other kinds.
    pub(crate) fn components(&self, generator: Option<&mut SchemaGenerator>) -> Result<Components> {
        #[cfg(feature = "daemon")]
        if let Some(read) = self.read_components {
            return read(generator);
        }
        let _ = generator;
        Ok(Components::default())
    }
}

/// Holds the spec of `A` as a constant: a constant's value is all that the
/// compiler builds of it, so the daemon-only functions it leaves out for
/// other kinds are never compiled for them.
struct SpecOf<A>(PhantomData<A>);

impl<A: App> SpecOf<A> {
    const SPEC: AppSpec = AppSpec {
        kind: A::KIND,
        info: A::info,
        commands: <A as Hooks>::COMMANDS,
        options: A::options,
        defaults: A::defaults,
        environment: A::environment,
        key_schemas: A::key_schemas,
        unknown_keys: A::unknown_keys,
        deny_unknown_keys: A::DENY_UNKNOWN_KEYS,
        linked_plugins: A::LINKED_PLUGINS,
        plugins: A::plugins,
        actions: <A as Hooks>::actions,
        #[cfg(feature = "daemon")]
        read_components: if matches!(A::KIND, AppKind::Daemon) {
            Some(components_of::<A>)
        } else {
            None
        },
    };
}

/// Reads a daemon's components; their schemas from the generator, if given.
#[cfg(feature = "daemon")]
pub(crate) type ComponentsFn = fn(Option<&mut SchemaGenerator>) -> Result<Components>;

/// The options, keys and key schemas a daemon's components add, read from
/// its wiring.
#[derive(Default)]
pub(crate) struct Components {
    /// Each component's name and options, for those that have any.
    pub(crate) options: Vec<(String, Vec<clap::Arg>)>,
    /// Each component's name, key and default value.
    pub(crate) defaults: Vec<(String, String, Value)>,
    /// Each component's name and the schema of its configuration (when
    /// asked for, with a generator).
    pub(crate) schemas: Vec<(String, Option<Value>)>,
}

/// The components of daemon `A`; their schemas from `generator`, if given.
#[cfg(feature = "daemon")]
fn components_of<A: App>(generator: Option<&mut SchemaGenerator>) -> Result<Components> {
    let mut wiring = crate::daemon::Wiring::<A>::new();
    A::wire(&mut wiring);
    let schemas = match generator {
        Some(generator) => wiring
            .config_schemas(generator)
            .into_iter()
            .map(|(name, schema)| (name.to_string(), schema.map(|s| s.as_value().clone())))
            .collect(),
        None => Vec::new(),
    };
    let options = wiring
        .component_options()
        .map(|(name, args)| (name.to_string(), args.to_vec()))
        .collect();
    let defaults = wiring
        .config_defaults()?
        .into_iter()
        .map(|(component, key, value)| (component.to_string(), key, value))
        .collect();
    Ok(Components {
        options,
        defaults,
        schemas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{App, AppInfo, AppKind, CommandInfo, Hooks};

    #[derive(Default)]
    struct Tool;

    impl App for Tool {
        const KIND: AppKind = AppKind::Script;
        const DENY_UNKNOWN_KEYS: bool = true;
        fn info() -> AppInfo {
            AppInfo::new("1.2")
        }
    }

    impl Hooks for Tool {
        const COMMANDS: &'static [CommandInfo] = &[CommandInfo::new("count", "Counts.")];
    }

    #[test]
    fn the_spec_holds_the_facts_of_the_type() {
        let spec = AppSpec::of::<Tool>();
        assert_eq!(spec.kind, AppKind::Script);
        assert_eq!((spec.info)().version, "1.2");
        assert_eq!(spec.commands, Tool::COMMANDS);
        assert!(spec.deny_unknown_keys && spec.linked_plugins);
        assert!((spec.defaults)().unwrap().is_empty());
        assert!((spec.actions)().is_empty());
    }

    #[cfg(feature = "daemon")]
    #[test]
    fn only_a_daemon_has_components() {
        #[derive(Default)]
        struct Daemon;
        impl App for Daemon {
            const KIND: AppKind = AppKind::Daemon;
            fn info() -> AppInfo {
                AppInfo::new("1.0")
            }
        }
        impl Hooks for Daemon {}
        assert!(AppSpec::of::<Tool>().read_components.is_none());
        let components = AppSpec::of::<Daemon>().read_components.expect("a daemon's");
        let components = components(None).unwrap();
        assert!(components.options.is_empty() && components.defaults.is_empty());
    }
}
