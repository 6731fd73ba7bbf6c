//! Daemons: components whose handlers react to events from a queue.
//!
//! A daemon is a container of [`Component`]s. Each registers [`Handler`]s
//! for event names; the handlers of one event form a chain that hands
//! [`Args`] from one to the next until one returns [`Flow::Stop`]. Events
//! wait in an [`EventQueue`] (immediate ones in order, timed ones by due
//! time); signals become events at the front of it. Every handler gets the
//! [`Daemon`] context: the queue, the application's context, the done flag
//! and its component's [`Statistics`].

pub(crate) mod actions;
mod component;
mod context;
pub(crate) mod daemonize;
pub(crate) mod event_loop;
pub(crate) mod notify;
pub(crate) mod pidfile;
mod queue;
mod sender;
mod signals;
pub(crate) mod startup;
pub(crate) mod stats;
mod wiring;

pub use component::{event_signal, signal_event, Args, Component, Flow, Handler, NoConfig};
pub use context::Daemon;
pub use queue::{Event, EventName, EventQueue};
pub use sender::Sender;
pub use stats::Statistics;
pub use wiring::Wiring;
