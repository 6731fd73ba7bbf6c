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
mod names;
pub(crate) mod notify;
mod path_watch;
pub(crate) mod pidfile;
mod queue;
mod sender;
mod signals;
mod sources;
pub(crate) mod startup;
pub(crate) mod stats;
mod wiring;
mod workers;

pub use component::{event_signal, signal_event, Args, Component, Flow, Handler, NoConfig};
pub use context::Daemon;
pub use names::{EventId, EventName, EventNames, IntoEvent};
pub use path_watch::{Change, PathChange};
pub use queue::{Event, EventQueue};
pub use sender::Sender;
pub use sources::{Interest, Ready, WatchId};
pub use stats::Statistics;
pub use wiring::Wiring;
