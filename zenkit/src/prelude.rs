//! What an author needs in scope: `use zenkit::prelude::*;`.

pub use crate::app::{App, Hooks};
pub use crate::context::Context;
pub use crate::critical;
#[cfg(feature = "daemon")]
pub use crate::daemon::{Args, Daemon, Flow};
pub use crate::error::{Error, Result};
pub use serde_json::{json, Value};
pub use tracing::{debug, error, info, trace, warn};
pub use zenkit_macros::{app, component, plugin, Value, ZenApp};
