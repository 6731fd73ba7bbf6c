//! What generated code of daemons uses: components, event handlers and
//! their arguments, verdicts and state.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub use crate::daemon::{Args, Component, Daemon, Flow, Handler, NoConfig, TypedEvent, Wiring};

/// Passes a component's configuration on to its `#[configure]` or
/// `#[check]` method unchanged; generated code calls it so that a method
/// taking another type is reported at its parameter.
pub fn component_config<T>(config: T) -> T {
    config
}

/// Passes the daemon on to a handler or component hook unchanged; generated
/// code calls it so that a method taking another type is reported at its
/// parameter.
pub fn daemon<'a, 'd>(daemon: &'a mut Daemon<'d>) -> &'a mut Daemon<'d> {
    daemon
}

/// Passes an event's arguments on to a handler unchanged; generated code
/// calls it so that a handler taking another type is reported at its
/// parameter.
pub fn args(args: Args) -> Args {
    args
}

/// Passes a handler's typed arguments on unchanged (see [`args`]).
pub fn typed_args<T>(args: T) -> T {
    args
}

/// Runs a handler that takes its arguments as `T`: they are deserialized
/// from the event's arguments (none is `null`). A handler that returns
/// `Flow::next()` hands the event's arguments on unchanged; arguments that
/// do not fit are an error of the daemon and end the chain.
pub fn typed_handler<T: DeserializeOwned>(
    daemon: &mut Daemon<'_>,
    args: Args,
    handler: &str,
    call: impl FnOnce(&mut Daemon<'_>, T) -> Flow,
) -> Flow {
    let typed = match args.as_ref() {
        Some(value) => T::deserialize(value),
        None => T::deserialize(&Value::Null),
    };
    match typed {
        Ok(typed) => match call(daemon, typed) {
            Flow::Continue(None) => Flow::Continue(args),
            flow => flow,
        },
        Err(err) => {
            let shown = args
                .as_ref()
                .map_or_else(|| "null".to_string(), Value::to_string);
            daemon.register_error(format!(
                "handler '{handler}' cannot take the arguments {shown}: {err}"
            ));
            Flow::Stop
        }
    }
}

/// The state of component type `component` as JSON; a state that cannot be
/// stored is logged and replaced by `{"error": "..."}`, so that the rest of
/// the daemon state is still written.
pub fn component_state<T: Serialize>(component: &str, state: T) -> Value {
    serde_json::to_value(state).unwrap_or_else(|e| {
        let message = format!("the state of component `{component}` cannot be stored as JSON: {e}");
        tracing::error!("{message}");
        serde_json::json!({ "error": message })
    })
}

/// How the daemon reaches component `C` inside application `A`.
pub type ComponentAccess<A, C> = fn(&mut A) -> &mut C;

/// What generated code does with a `#[zen(component)]` field of type `C` in
/// application `A`; built once by a `const` from
/// [`ComponentField`](crate::types::ComponentField), so that a field type
/// that is not a component gives one error at the field.
pub struct ComponentOps<A, C> {
    /// Registers the component with the daemon's handler chains.
    pub register: fn(&mut Wiring<A>, &'static str, ComponentAccess<A, C>),
}
