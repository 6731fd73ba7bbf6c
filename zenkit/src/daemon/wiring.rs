//! Which handlers run for which event, in which order: the built-in ones,
//! the application's own and every component's.

use nix::sys::signal::Signal;

use super::component::{event_signal, Component, Handler};
use super::names::{EventId, EventNames};
use super::{Args, Daemon, Flow};
use crate::config::Config;
use crate::{Error, Result};
use serde_json::Map;

/// The handlers zenkit itself runs for the built-in events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Start,
    Stop,
    Terminate,
    Reload,
    SaveRunlog,
    PeriodicRunlog,
    SaveState,
    Wake,
    LogStatistics,
    Watchdog,
    /// `handler_panicked`: the loop registered the error already.
    Panicked,
}

/// A handler of the application or of one of its components, with the
/// component's type erased: `part` finds the component in the application
/// (the application itself for its own handlers), `call` runs the handler
/// on it. Two plain function pointers rather than a boxed closure over them,
/// so that running a handler is two calls from the loop, not three.
pub(crate) struct Call<A> {
    part: fn(&mut A) -> *mut (),
    call: fn(*mut (), &mut Daemon<'_>, Args) -> Flow,
}

impl<A> Call<A> {
    /// The handler `call` of the component that `part` finds.
    fn new<C>(
        part: fn(&mut A) -> &mut C,
        call: fn(&mut C, &mut Daemon<'_>, Args) -> Flow,
    ) -> Call<A> {
        // SAFETY: each pair of function pointer types differs only in a
        // pointer to a sized type, `&mut C` against `*mut ()`, which have
        // the same ABI (thin pointers: see "ABI compatibility" in the
        // documentation of `fn`), so calling through the erased types calls
        // the functions as they are. `run` hands `call` only what `part`
        // returned, a `&mut C` that is used by no one else meanwhile.
        unsafe {
            Call {
                part: std::mem::transmute::<fn(&mut A) -> &mut C, fn(&mut A) -> *mut ()>(part),
                call: std::mem::transmute::<
                    fn(&mut C, &mut Daemon<'_>, Args) -> Flow,
                    fn(*mut (), &mut Daemon<'_>, Args) -> Flow,
                >(call),
            }
        }
    }

    /// Runs the handler on its component of `app`.
    #[inline(always)]
    pub(crate) fn run(&self, app: &mut A, d: &mut Daemon<'_>, args: Args) -> Flow {
        let part = (self.part)(app);
        (self.call)(part, d, args)
    }
}

/// The application itself, as the "component" of its own handlers.
fn itself<A>(app: &mut A) -> &mut A {
    app
}

/// How to reach a component inside the application.
type Access<A> = Box<dyn Fn(&mut A) -> &mut dyn Part>;

/// What the daemon does with a component of any configuration type.
pub(crate) trait Part {
    /// [`Component::setup`].
    fn setup(&mut self, daemon: &mut Daemon<'_>) -> Result<()>;
    /// [`Component::reload`].
    fn reload(&mut self, daemon: &mut Daemon<'_>) -> Result<()>;
    /// [`Component::state`].
    fn state(&self) -> serde_json::Value;
    /// Binds the component's configuration from `config` and checks it.
    fn check(&self, config: &Config) -> Result<()>;
    /// Binds the component's configuration from `config` and hands it over.
    fn configure(&mut self, config: &Config) -> Result<()>;
    /// [`Part::check`], gathering every wrong key of the configuration.
    fn check_all(&self, config: &Config) -> Vec<Error>;
}

impl<C: Component> Part for C {
    fn setup(&mut self, daemon: &mut Daemon<'_>) -> Result<()> {
        Component::setup(self, daemon)
    }

    fn reload(&mut self, daemon: &mut Daemon<'_>) -> Result<()> {
        Component::reload(self, daemon)
    }

    fn state(&self) -> serde_json::Value {
        Component::state(self)
    }

    fn check(&self, config: &Config) -> Result<()> {
        Component::check(self, &config.bind::<C::Config>()?)
    }

    fn configure(&mut self, config: &Config) -> Result<()> {
        Component::configure(self, config.bind::<C::Config>()?)
    }

    fn check_all(&self, config: &Config) -> Vec<Error> {
        let mut errors = Vec::new();
        let bound = crate::check::gather(config, Config::bind::<C::Config>, &mut errors);
        if let Some(Err(err)) = bound.map(|c| Component::check(self, &c)) {
            errors.push(err);
        }
        errors
    }
}

/// Makes the schema of a component type's configuration.
type ConfigSchema = fn(&mut crate::schema::SchemaGenerator) -> Option<crate::schema::Schema>;

/// Makes the default configuration of a component type, as configuration
/// keys.
type ConfigDefaults = fn() -> Result<Map<String, serde_json::Value>>;

/// The default configuration of component type `C`, as configuration keys.
fn config_defaults<C: Component>() -> Result<Map<String, serde_json::Value>> {
    match serde_json::to_value(C::Config::default()) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::setup(format!(
            "the default configuration of a component must be an object of keys, not {other}"
        ))),
        Err(err) => Err(Error::setup(format!(
            "the default configuration of a component cannot be stored: {err}"
        ))),
    }
}

/// The name of type `T` without its module path (and without generic
/// arguments): `Worker` for `app::parts::Worker<u8>`.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let plain = full.split('<').next().unwrap_or(full);
    plain.rsplit("::").next().unwrap_or(plain)
}

pub(crate) enum Action<A> {
    Builtin(Builtin),
    Call(Call<A>),
    /// A plugin's handler: its index among the context's plugins.
    Plugin(usize),
}

pub(crate) struct Entry<A> {
    pub(crate) slot: usize,
    pub(crate) label: String,
    pub(crate) action: Action<A>,
}

/// The handler chains of a daemon of application `A` and its components.
///
/// Slot 0 is the daemon itself (the built-in handlers and the application's
/// own); every component registered with [`Wiring::component`] gets the next
/// slot, under which its statistics are kept.
pub struct Wiring<A> {
    pub(crate) names: Vec<String>,
    /// The type name of each component (by slot; `daemon` for slot 0),
    /// without its module path.
    pub(crate) types: Vec<&'static str>,
    pub(crate) access: Vec<Option<Access<A>>>,
    /// The default configuration of each component (by slot).
    defaults: Vec<ConfigDefaults>,
    /// The schema of each component's configuration (by slot).
    schemas: Vec<ConfigSchema>,
    /// The command-line options of each component (by slot).
    options: Vec<Vec<clap::Arg>>,
    /// The handled event names; their ids index `chains`.
    pub(crate) events: EventNames,
    pub(crate) chains: Vec<Vec<Entry<A>>>,
}

impl<A: 'static> Wiring<A> {
    pub(crate) fn new() -> Wiring<A> {
        let mut wiring = Wiring {
            names: vec!["daemon".to_string()],
            types: vec!["daemon"],
            access: vec![None],
            defaults: vec![|| Ok(Map::new())],
            schemas: vec![|_| None],
            options: vec![Vec::new()],
            events: EventNames::new(),
            chains: Vec::new(),
        };
        for (event, builtin) in [
            (Daemon::START.name(), Builtin::Start),
            (Daemon::STOP.name(), Builtin::Stop),
            (Daemon::TERMINATE.name(), Builtin::Terminate),
            ("signal_hup", Builtin::Reload),
            ("signal_usr1", Builtin::SaveRunlog),
            ("signal_usr2", Builtin::SaveState),
            ("signal_alrm", Builtin::Wake),
            (Daemon::LOG_STATISTICS.name(), Builtin::LogStatistics),
            (Daemon::SAVE_RUNLOG.name(), Builtin::PeriodicRunlog),
            (Daemon::WATCHDOG.name(), Builtin::Watchdog),
            (Daemon::HANDLER_PANICKED.name(), Builtin::Panicked),
        ] {
            wiring.add(
                0,
                event,
                false,
                format!("daemon.{event}"),
                Action::Builtin(builtin),
            );
        }
        wiring
    }

    /// Registers a component reached by `access` under `name`, with every
    /// handler its type declares.
    pub fn component<C: Component>(&mut self, name: &'static str, access: fn(&mut A) -> &mut C) {
        let slot = self.names.len();
        self.names.push(name.to_string());
        self.types.push(short_type_name::<C>());
        self.access
            .push(Some(Box::new(move |app| access(app) as &mut dyn Part)));
        self.defaults.push(config_defaults::<C>);
        self.schemas.push(C::config_schema);
        self.options.push(C::options());
        for handler in C::handlers() {
            self.add(
                slot,
                handler.event,
                handler.first,
                format!("{name}.{}", handler.name),
                Action::Call(Call::new(access, handler.call)),
            );
        }
    }

    /// Registers the application's own handlers (slot 0).
    pub(crate) fn application(&mut self, handlers: Vec<Handler<A>>) {
        for handler in handlers {
            self.add(
                0,
                handler.event,
                handler.first,
                format!("app.{}", handler.name),
                Action::Call(Call::new(itself, handler.call)),
            );
        }
    }

    /// Registers the plugins' handlers (slot 0), after every other one.
    pub(crate) fn plugins(&mut self, plugins: &[Box<dyn crate::plugin::Plugin>]) {
        for (index, plugin) in plugins.iter().enumerate() {
            for event in plugin.events() {
                let label = format!("plugin.{}", plugin.name());
                self.add(0, event, false, label, Action::Plugin(index));
            }
        }
    }

    fn add(
        &mut self,
        slot: usize,
        event: &'static str,
        first: bool,
        label: String,
        action: Action<A>,
    ) {
        let id = self.events.intern(event);
        if self.chains.len() <= id.index() {
            self.chains.resize_with(id.index() + 1, Vec::new);
        }
        let chain = &mut self.chains[id.index()];
        let entry = Entry {
            slot,
            label,
            action,
        };
        if first {
            chain.insert(0, entry);
        } else {
            chain.push(entry);
        }
    }

    /// The signals some handler waits for, beyond the ones every daemon
    /// catches.
    pub(crate) fn handled_signals(&self) -> Vec<Signal> {
        handled_signals(&self.events)
    }

    /// The chains by event, for the daemon state: `{event: [labels]}`.
    pub(crate) fn describe(&self) -> serde_json::Value {
        let labels: Vec<Vec<&str>> = self
            .chains
            .iter()
            .map(|chain| chain.iter().map(|e| e.label.as_str()).collect())
            .collect();
        describe_chains(&self.events, &labels)
    }

    /// The components' names in registration order, for the daemon state
    /// and the setup dump.
    pub(crate) fn component_list(&self) -> serde_json::Value {
        self.names[1..].iter().map(String::as_str).collect()
    }

    /// Reaches the component of `slot` (none for slot 0).
    pub(crate) fn component_mut<'a>(
        &self,
        app: &'a mut A,
        slot: usize,
    ) -> Option<&'a mut dyn Part> {
        self.access.get(slot)?.as_ref().map(|access| access(app))
    }

    /// The command-line options of the components that have any, with the
    /// components' names, in registration order.
    pub(crate) fn component_options(&self) -> impl Iterator<Item = (&str, &[clap::Arg])> {
        self.names
            .iter()
            .zip(&self.options)
            .skip(1)
            .filter(|(_, options)| !options.is_empty())
            .map(|(name, options)| (name.as_str(), options.as_slice()))
    }

    /// The configuration keys the components add, with their defaults and
    /// the component that adds each, in registration order.
    pub(crate) fn config_defaults(&self) -> Result<Vec<(&str, String, serde_json::Value)>> {
        let mut keys = Vec::new();
        for (slot, defaults) in self.defaults.iter().enumerate().skip(1) {
            let name = self.names[slot].as_str();
            let map = defaults().map_err(|e| e.context(format!("component '{name}'")))?;
            keys.extend(map.into_iter().map(|(key, value)| (name, key, value)));
        }
        Ok(keys)
    }

    /// Checks `config` with every component: its configuration binds and
    /// the component accepts it. The first refusal is the error.
    pub(crate) fn check_configuration(&self, app: &mut A, config: &Config) -> Result<()> {
        for slot in 1..self.names.len() {
            if let Some(part) = self.component_mut(app, slot) {
                part.check(config)
                    .map_err(|e| e.context(format!("component '{}'", self.names[slot])))?;
            }
        }
        Ok(())
    }

    /// Checks `config` with every component as
    /// [`Wiring::check_configuration`] does, gathering every error of
    /// every component, each naming its component.
    pub(crate) fn check_all(&self, app: &mut A, config: &Config) -> Vec<Error> {
        let mut errors = Vec::new();
        for slot in 1..self.names.len() {
            if let Some(part) = self.component_mut(app, slot) {
                let name = &self.names[slot];
                errors.extend(
                    part.check_all(config)
                        .into_iter()
                        .map(|e| e.context(format!("component '{name}'"))),
                );
            }
        }
        errors
    }

    /// The schema of each component's configuration, by component name
    /// (`None` where the component has none).
    pub(crate) fn config_schemas(
        &self,
        generator: &mut crate::schema::SchemaGenerator,
    ) -> Vec<(&str, Option<crate::schema::Schema>)> {
        (1..self.names.len())
            .map(|slot| (self.names[slot].as_str(), (self.schemas[slot])(generator)))
            .collect()
    }

    /// Hands `config` to every component.
    pub(crate) fn configure(&self, app: &mut A, config: &Config) -> Result<()> {
        for slot in 1..self.names.len() {
            if let Some(part) = self.component_mut(app, slot) {
                part.configure(config)
                    .map_err(|e| e.context(format!("component '{}'", self.names[slot])))?;
            }
        }
        Ok(())
    }

    /// The chain of event `id`; `None` when no handler is registered.
    #[inline]
    pub(crate) fn chain(&self, id: EventId) -> Option<&[Entry<A>]> {
        self.chains.get(id.index()).map(Vec::as_slice)
    }
}

/// The signals the events of `events` are for, sorted, each once.
fn handled_signals(events: &EventNames) -> Vec<Signal> {
    let mut signals: Vec<Signal> = events.iter().filter_map(|(_, e)| event_signal(e)).collect();
    signals.sort_by_key(|s| *s as i32);
    signals.dedup();
    signals
}

/// `{event: [labels]}` for the events of `events`, by name; `labels` holds
/// the labels of each event's chain, by event id.
fn describe_chains(events: &EventNames, labels: &[Vec<&str>]) -> serde_json::Value {
    let mut events: Vec<_> = events
        .iter()
        .map(|(id, name)| (name, &labels[id.index()]))
        .collect();
    events.sort_by(|a, b| a.0.cmp(b.0));
    let map = events
        .into_iter()
        .map(|(event, chain)| {
            let labels = chain.iter().map(|&label| serde_json::Value::from(label));
            (event.to_string(), labels.collect())
        })
        .collect();
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    struct Worker<T>(T);

    #[test]
    fn type_names_lose_their_module_path_and_arguments() {
        let _ = Worker(0u8).0;
        assert_eq!(short_type_name::<Worker<u8>>(), "Worker");
        assert_eq!(short_type_name::<String>(), "String");
        assert_eq!(short_type_name::<u8>(), "u8");
    }
}
