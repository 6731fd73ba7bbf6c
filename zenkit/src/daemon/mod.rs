//! Daemons: components whose handlers react to events from a queue.
//!
//! A daemon is a container of [`Component`]s. Each registers [`Handler`]s
//! for event names; the handlers of one event form a chain that hands
//! [`Args`] from one to the next until one returns [`Flow::Stop`]. Events
//! wait in an [`EventQueue`] (immediate ones in order, timed ones by due
//! time); signals become events at the front of it. Every handler gets the
//! [`Daemon`] context: the queue, the application's context, the done flag
//! and its component's [`Statistics`].
//!
//! Events are named by text; each `#[on_event]` handler also gives its type
//! a constant of the event's name ([`TypedEvent`]), so that `Spool::POLL`
//! below is checked by the compiler where `"poll"` would not be.
//!
//! A component that polls a directory every `--poll-every` seconds and
//! counts what it finds in the daemon's statistics:
//!
//! ```no_run
//! use serde::{Deserialize, Serialize};
//! use zenkit::prelude::*;
//!
//! #[derive(ZenApp, Default)]
//! #[zen(daemon)]
//! struct Spoold {
//!     /// Seconds between two looks at the spool.
//!     #[zen(cli, default = 5.0)]
//!     poll_every: f64,
//!     #[zen(component)]
//!     spool: Spool,
//! }
//!
//! #[zenkit::app]
//! impl Spoold {}
//!
//! /// The keys of the application the component reads.
//! #[derive(Serialize, Deserialize, Default)]
//! struct SpoolConfig {
//!     poll_every: f64,
//! }
//!
//! #[derive(Default)]
//! struct Spool {
//!     every: f64,
//! }
//!
//! #[zenkit::component]
//! impl Spool {
//!     #[configure]
//!     fn configure(&mut self, config: SpoolConfig) -> zenkit::Result<()> {
//!         self.every = config.poll_every;
//!         Ok(())
//!     }
//!
//!     #[on_event("start")]
//!     fn start(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
//!         d.schedule(Spool::POLL, None);
//!         Flow::Continue(args)
//!     }
//!
//!     #[on_event("poll")]
//!     fn poll(&mut self, d: &mut Daemon<'_>, args: Args) -> Flow {
//!         let found = std::fs::read_dir("/var/spool/demo").map_or(0, |dir| dir.count());
//!         d.inc_statistic("found", found as u64);
//!         if !d.is_done() {
//!             d.schedule_after_secs(self.every, Spool::POLL, None);
//!         }
//!         Flow::Continue(args)
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     zenkit::run::<Spoold>()
//! }
//! ```

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
mod typed;
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
pub use typed::TypedEvent;
pub use wiring::Wiring;
