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

/// A type an event handler can take its arguments as.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the arguments of a zenkit event handler",
    label = "not deserializable",
    note = "an `#[on_event]` method takes `Args` as they are, or any `T: serde::Deserialize` they are converted into: derive `serde::Deserialize` for `{Self}`"
)]
pub trait HandlerArgs: DeserializeOwned {}

impl<T: DeserializeOwned> HandlerArgs for T {}

/// Passes a handler's typed arguments on; generated code calls it so that
/// a type that cannot be deserialized is reported at the parameter.
pub fn typed_args<T: HandlerArgs>(args: T) -> T {
    args
}

/// Runs a handler that takes its arguments as `T`: they are deserialized
/// from the event's arguments (none is `null`). A handler that returns
/// `Flow::next()` hands the event's arguments on unchanged; arguments that
/// do not fit are an error of the daemon and end the chain.
pub fn typed_handler<T: HandlerArgs>(
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

/// A return type of an event handler: [`Flow`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a return type of a zenkit event handler",
    label = "expected `Flow`",
    note = "`#[on_event]` and `#[on_signal]` methods return `zenkit::daemon::Flow`: `Flow::next()` runs the next handler, `Flow::with(args)` hands it arguments, `Flow::Stop` ends the chain"
)]
pub trait HandlerFlow {
    /// The handler's verdict.
    fn into_flow(self) -> Flow;
}

impl HandlerFlow for Flow {
    fn into_flow(self) -> Flow {
        self
    }
}

/// Converts what an event handler returned into its verdict.
pub fn handler_flow<R: HandlerFlow>(flow: R) -> Flow {
    flow.into_flow()
}

/// A return type of a component's `#[state]` method.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the state of a component",
    label = "not serializable",
    note = "a `#[state]` method returns any `T: serde::Serialize`; it goes to the daemon state file as JSON"
)]
pub trait ComponentState: Serialize {}

impl<T: Serialize> ComponentState for T {}

/// The state of component type `component` as JSON; a state that cannot be
/// stored is logged and replaced by `{"error": "..."}`, so that the rest of
/// the daemon state is still written.
pub fn component_state<T: ComponentState>(component: &str, state: T) -> Value {
    serde_json::to_value(state).unwrap_or_else(|e| {
        let message = format!("the state of component `{component}` cannot be stored as JSON: {e}");
        tracing::error!("{message}");
        serde_json::json!({ "error": message })
    })
}

/// How the daemon reaches component `C` inside application `A`.
pub type ComponentAccess<A, C> = fn(&mut A) -> &mut C;

/// What generated code does with a `#[zen(component)]` field of type `C` in
/// application `A`; built once by a `const`, so that a field type that is
/// not a component gives one error at the field.
pub struct ComponentOps<A, C> {
    /// Registers the component with the daemon's handler chains.
    pub register: fn(&mut Wiring<A>, &'static str, ComponentAccess<A, C>),
}

/// Operations of a component field of type `C` in application `A`.
pub const fn component_field<A: 'static, C: Component>() -> ComponentOps<A, C> {
    ComponentOps {
        register: Wiring::<A>::component::<C>,
    }
}
