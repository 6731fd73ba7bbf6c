//! zenkit-filer-nats: the queues of zenkit-filer on NATS JetStream.

#![warn(missing_docs)]

#[cfg(feature = "testing")]
pub mod testing;
