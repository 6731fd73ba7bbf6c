//! The daemon's log in the client thread, without the NATS client
//! library's own events: the backend logs a lost connection once, where
//! the library logs every failed attempt to reconnect.

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Metadata, Subscriber};

/// Forwards to the daemon's log everything but the events of `async_nats`.
pub(crate) struct WithoutClientLog(pub(crate) Dispatch);

fn of_client(metadata: &Metadata<'_>) -> bool {
    metadata.target().starts_with("async_nats")
}

impl Subscriber for WithoutClientLog {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if of_client(metadata) {
            // other threads' logs decide for themselves
            Interest::sometimes()
        } else {
            self.0.register_callsite(metadata)
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !of_client(metadata) && self.0.enabled(metadata)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.0.new_span(span)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        self.0.record(span, values);
    }

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        self.0.record_follows_from(span, follows);
    }

    fn event(&self, event: &Event<'_>) {
        self.0.event(event);
    }

    fn enter(&self, span: &Id) {
        self.0.enter(span);
    }

    fn exit(&self, span: &Id) {
        self.0.exit(span);
    }

    fn clone_span(&self, id: &Id) -> Id {
        self.0.clone_span(id)
    }

    fn try_close(&self, id: Id) -> bool {
        self.0.try_close(id)
    }
}
