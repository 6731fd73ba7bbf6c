//! Components, their configuration and their event handlers.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::Daemon;
use crate::Result;

/// The arguments an event carries, handed from handler to handler.
pub type Args = Option<Value>;

/// What a handler tells the chain of handlers of its event.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// Run the next handler with these arguments.
    Continue(Args),
    /// Run no further handler of this event.
    Stop,
}

impl Flow {
    /// Continue the chain without arguments.
    pub fn next() -> Flow {
        Flow::Continue(None)
    }

    /// Continue the chain, handing `args` to the next handler.
    pub fn with(args: Value) -> Flow {
        Flow::Continue(Some(args))
    }
}

/// A handler of type `T` (a component or the application) for one event.
pub struct Handler<T> {
    /// The event it handles (signals: `signal_hup`, `signal_usr1`, …).
    pub event: &'static str,
    /// Run before the handlers registered earlier for the same event.
    pub first: bool,
    /// The method's name, shown in the daemon state.
    pub name: &'static str,
    /// The handler.
    pub call: fn(&mut T, &mut Daemon<'_>, Args) -> Flow,
}

impl<T> Clone for Handler<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Handler<T> {}

impl<T> std::fmt::Debug for Handler<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler")
            .field("event", &self.event)
            .field("first", &self.first)
            .field("name", &self.name)
            .finish()
    }
}

/// A reusable part of a daemon: handlers of events, its configuration, its
/// own set-up, reload and state. Implemented by `#[component]` on an impl
/// block, or by hand.
///
/// A component is not tied to one application: it declares the
/// configuration it needs as a type ([`Component::Config`]) and reaches the
/// queue through the [`Daemon`] its handlers get, so one component type can
/// serve many daemons.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use zenkit::daemon::{Args, Component, Daemon, Flow, Handler};
///
/// /// What the component needs: the application's key `every`.
/// #[derive(Serialize, Deserialize, Default)]
/// #[serde(default)]
/// struct ClockConfig {
///     every: f64,
/// }
///
/// #[derive(Default)]
/// struct Clock {
///     every: f64,
/// }
///
/// impl Component for Clock {
///     type Config = ClockConfig;
///
///     fn check(&self, config: &ClockConfig) -> zenkit::Result<()> {
///         if config.every < 0.01 {
///             return Err(zenkit::Error::config("every: at least 0.01 seconds"));
///         }
///         Ok(())
///     }
///
///     fn configure(&mut self, config: ClockConfig) -> zenkit::Result<()> {
///         self.every = config.every;
///         Ok(())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a daemon component",
    label = "not a component",
    note = "mark an impl block of `{Self}` with `#[zenkit::component]`, or implement `zenkit::daemon::Component` by hand"
)]
pub trait Component: 'static {
    /// The configuration the component receives, bound from the
    /// application's whole configuration: each field is a top-level key,
    /// either one the application declares (a typed view of its keys) or
    /// one of the component's own, whose default is the field's value in
    /// `Config::default()` (a struct-valued field is the component's own
    /// section). [`NoConfig`] for a component that needs none.
    type Config: DeserializeOwned + Serialize + Default;

    /// Checks a configuration before it is put in force: at start-up (an
    /// error stops the daemon) and at every reload (an error refuses the
    /// whole new configuration, and the old one stays in force).
    fn check(&self, config: &Self::Config) -> Result<()> {
        let _ = config;
        Ok(())
    }

    /// Receives the configuration in force: before [`Component::setup`],
    /// and after every reload that put a new configuration in force (then
    /// before [`Component::reload`]).
    fn configure(&mut self, config: Self::Config) -> Result<()> {
        let _ = config;
        Ok(())
    }

    /// The JSON Schema of [`Component::Config`], for `--action
    /// config-schema` and `--help-config`: an object whose properties are
    /// its keys. `#[component]` makes it from the configuration type when
    /// that implements `JsonSchema`; `None` describes the component's own
    /// keys from their defaults.
    fn config_schema(
        generator: &mut crate::schema::SchemaGenerator,
    ) -> Option<crate::schema::Schema>
    where
        Self: Sized,
    {
        let _ = generator;
        None
    }

    /// The command-line options of the component's own keys, shown under a
    /// heading of their own in `--help`. Each option's id is its
    /// configuration key, and its value parser
    /// [`zenkit::cli::value_parser`](crate::cli::value_parser) of the key's
    /// type, as with plugins; an option that clashes with another owner's
    /// is an error naming both.
    fn options() -> Vec<clap::Arg>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// The component's handlers, in registration order.
    fn handlers() -> Vec<Handler<Self>>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// Called once before the `start` event, after the application's setup.
    fn setup(&mut self, daemon: &mut Daemon<'_>) -> Result<()> {
        let _ = daemon;
        Ok(())
    }

    /// Called after a SIGHUP reload put a new configuration in force.
    fn reload(&mut self, daemon: &mut Daemon<'_>) -> Result<()> {
        let _ = daemon;
        Ok(())
    }

    /// The component's own state for the daemon state dump (SIGUSR2).
    fn state(&self) -> Value {
        Value::Null
    }
}

/// The configuration of a component that needs none: it binds from any
/// configuration and adds no key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoConfig;

impl<'de> Deserialize<'de> for NoConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NoConfig)
    }
}

impl Serialize for NoConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        serializer.serialize_map(Some(0))?.end()
    }
}

/// The event a caught signal becomes: `signal_` and the signal's name in
/// lower case without `SIG` (`SIGHUP` → `signal_hup`). SIGINT becomes
/// `stop`.
pub fn signal_event(signal: nix::sys::signal::Signal) -> String {
    zenkit_builtins::signal_event(signal.as_str())
}

/// The signal an event name stands for, if it is `signal_<name>`.
pub fn event_signal(event: &str) -> Option<nix::sys::signal::Signal> {
    let name = event.strip_prefix("signal_")?;
    format!("SIG{}", name.to_ascii_uppercase()).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::signal::Signal;

    #[test]
    fn signal_events_round_trip() {
        assert_eq!(signal_event(Signal::SIGHUP), "signal_hup");
        assert_eq!(signal_event(Signal::SIGUSR1), "signal_usr1");
        assert_eq!(signal_event(Signal::SIGWINCH), "signal_winch");
        assert_eq!(signal_event(Signal::SIGINT), "stop");
        assert_eq!(event_signal("signal_winch"), Some(Signal::SIGWINCH));
        assert_eq!(event_signal("signal_usr2"), Some(Signal::SIGUSR2));
        assert_eq!(event_signal("signal_nope"), None);
        assert_eq!(event_signal("start"), None);
    }

    #[test]
    fn every_signal_a_handler_may_wait_for_is_caught_under_its_event() {
        for name in zenkit_builtins::SIGNALS {
            let event = zenkit_builtins::signal_event(name);
            let signal = event_signal(&event).unwrap_or_else(|| panic!("{name}: {event}"));
            assert_eq!(signal_event(signal), event, "{name}");
        }
    }
}
