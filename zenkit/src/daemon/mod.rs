//! Daemons: the event queue and per-component statistics.
//!
//! A daemon is a container of components whose handlers react to events
//! taken from an [`EventQueue`](queue::EventQueue) (SPEC §7.2–§7.3). Each
//! component keeps named counters in a [`Statistics`](stats::Statistics);
//! [`stats::evaluate`] turns two snapshots of them into the count, increase,
//! rate and percentage figures of SPEC §7.5.

mod component;
mod context;
pub(crate) mod event_loop;
pub mod queue;
mod signals;
pub mod stats;
mod wiring;

pub use component::{event_signal, signal_event, Args, Component, Flow, Handler};
pub use context::Daemon;
pub use queue::{Event, EventName, EventQueue};
pub use stats::Statistics;
pub use wiring::Wiring;
