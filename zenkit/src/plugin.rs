//! Plugins: reusable pieces that hook into the life-cycle of any
//! application (SPEC §5 "Plugins").
//!
//! A plugin implements [`Plugin`]. `#[zenkit::plugin]` on its type registers
//! it at link time through `inventory`, so an application that links the
//! plugin's crate gains it without a line of its own; an application can
//! also list plugins explicitly with `#[zen(plugins(Type, …))]` and refuse
//! link-time plugins with `#[zen(linked_plugins = false)]`.
//!
//! **Linking caveat:** the linker drops a crate nothing refers to, and its
//! registration with it. An application that wants a plugin only for its
//! registration must refer to the crate, e.g. `use zenkit_prometheus as _;`.
//!
//! Plugins run in the order of their names, whatever the link order.

use serde_json::{Map, Value};

use crate::config::Config;
use crate::context::Context;
use crate::daemon::Daemon;
use crate::{Error, Result};

/// A reusable piece of an application. Every hook is optional.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a zenkit plugin: `zenkit::plugin::Plugin` is not implemented for it",
    label = "`{Self}` needs an impl of `zenkit::plugin::Plugin`",
    note = "add `impl zenkit::plugin::Plugin for {Self} {{ fn name(&self) -> &'static str {{ \"...\" }} }}`"
)]
pub trait Plugin: 'static {
    /// The plugin's name: unique, shown in `--help` and `--debug`.
    fn name(&self) -> &'static str;

    /// Command-line options the plugin adds; each argument's id is the
    /// configuration key it sets and its value parser must produce a
    /// [`serde_json::Value`] (see [`crate::cli::value_parser`]) or a
    /// string.
    fn options(&self) -> Vec<clap::Arg> {
        Vec::new()
    }

    /// Default values of the configuration keys the plugin adds.
    fn defaults(&self) -> Map<String, Value> {
        Map::new()
    }

    /// Called once the configuration is merged; may reject it with a
    /// configuration error (see [`Config::error_at`]).
    fn configure(&mut self, config: &Config) -> Result<()> {
        let _ = config;
        Ok(())
    }

    /// Called during setup, after logging and the persistent state, before
    /// the application's own setup.
    fn setup(&mut self, ctx: &mut Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }

    /// Keys the plugin adds to the runlog, asked at teardown.
    fn runlog(&mut self, ctx: &Context) -> Map<String, Value> {
        let _ = ctx;
        Map::new()
    }

    /// Called at teardown, after the application's teardown and before the
    /// persistent state and the runlog are saved.
    fn teardown(&mut self, ctx: &mut Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }

    /// Daemon events the plugin handles (after every other handler).
    fn events(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Handles one of its [`Plugin::events`] in a daemon.
    fn on_event(&mut self, event: &str, daemon: &mut Daemon<'_>) -> Result<()> {
        let _ = (event, daemon);
        Ok(())
    }

    /// The implementing type, to tell one plugin listed twice from two
    /// plugins sharing a name. Not meant to be overridden.
    #[doc(hidden)]
    fn plugin_type(&self) -> std::any::TypeId {
        std::any::TypeId::of::<Self>()
    }
}

/// A plugin registered at link time (by `#[zenkit::plugin]`).
pub struct Registration {
    /// Makes the plugin.
    pub create: fn() -> Box<dyn Plugin>,
}

inventory::collect!(Registration);

/// The plugins of an application: `explicit` ones and, unless refused, the
/// link-time ones, each once (by name), in name order. Two different
/// plugins with one name are an error.
pub fn collect(explicit: Vec<Box<dyn Plugin>>, linked: bool) -> Result<Vec<Box<dyn Plugin>>> {
    let mut plugins = explicit;
    if linked {
        for registration in inventory::iter::<Registration> {
            plugins.push((registration.create)());
        }
    }
    plugins.sort_by_key(|p| p.name());
    let mut unique: Vec<Box<dyn Plugin>> = Vec::with_capacity(plugins.len());
    for plugin in plugins {
        match unique.last() {
            Some(last) if last.name() == plugin.name() => {
                if last.plugin_type() != plugin.plugin_type() {
                    return Err(Error::setup(format!(
                        "two different plugins are named '{}'; rename one of them",
                        plugin.name()
                    )));
                }
            }
            _ => unique.push(plugin),
        }
    }
    Ok(unique)
}

impl std::fmt::Debug for dyn Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plugin({})", self.name())
    }
}
