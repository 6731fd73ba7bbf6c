//! zenkit-filer-nats: the queues of zenkit-filer on NATS JetStream.

#![warn(missing_docs)]

mod client;
mod log;
mod queue;
mod settings;

pub use settings::Nats;

inventory::submit! {
    zenkit_filer::BackendKind {
        scheme: "nats",
        package: "zenkit-filer-nats",
        open: queue::open,
    }
}

#[cfg(feature = "testing")]
pub mod testing;
