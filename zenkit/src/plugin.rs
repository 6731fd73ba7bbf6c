//! Plugins: reusable pieces that hook into the life-cycle of any
//! application.
//!
//! A plugin implements [`Plugin`]. `#[zenkit::plugin]` on its `impl Plugin`
//! block (or on its type) registers it at link time through `inventory`, so
//! an application that links the plugin's crate gains it without a line of
//! its own; an application can also list plugins explicitly with
//! `#[zen(plugins(Type, …))]` and refuse link-time plugins with
//! `#[zen(linked_plugins = false)]`.
//!
//! Names are unique. On the impl block, the attribute sees the literal
//! `fn name` returns: two plugins of one crate with the same name do not
//! build. Two different plugins of one name from different crates stop the
//! program at start-up, with a message naming both types and where each
//! comes from.
//!
//! **Linking caveat:** the linker drops a crate nothing refers to, and its
//! registration with it. An application that wants a plugin only for its
//! registration must refer to the crate, e.g. `use zenkit_prometheus as _;`.
//!
//! Plugins run in the order of their names, whatever the link order.
//!
//! A plugin with an option and a key of its own, which writes a line to the
//! runlog of every application it is linked into:
//!
//! ```
//! use serde_json::{json, Map, Value};
//! use zenkit::config::Config;
//! use zenkit::plugin::Plugin;
//! use zenkit::prelude::*;
//!
//! #[derive(Default)]
//! pub struct Owner {
//!     team: String,
//! }
//!
//! #[zenkit::plugin]
//! impl Plugin for Owner {
//!     fn name(&self) -> &'static str {
//!         "owner"
//!     }
//!
//!     fn options(&self) -> Vec<zenkit::clap::Arg> {
//!         vec![zenkit::clap::Arg::new("owner_team")
//!             .long("owner-team")
//!             .value_parser(zenkit::cli::value_parser::<String>())
//!             .help("The team to call when the run fails")]
//!     }
//!
//!     fn defaults(&self) -> Map<String, Value> {
//!         Map::from_iter([("owner_team".to_string(), json!("operations"))])
//!     }
//!
//!     fn configure(&mut self, config: &Config) -> zenkit::Result<()> {
//!         self.team = config.get("owner_team")?;
//!         Ok(())
//!     }
//!
//!     fn runlog(&mut self, _ctx: &Context) -> Map<String, Value> {
//!         Map::from_iter([("owner".to_string(), json!(self.team))])
//!     }
//! }
//!
//! assert_eq!(Owner::default().defaults()["owner_team"], "operations");
//! ```

use serde_json::{Map, Value};

use crate::config::Config;
use crate::context::Context;
#[cfg(feature = "daemon")]
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

    /// The schemas of the plugin's configuration keys, for
    /// `--action config-schema` and `--help-config` (see
    /// [`KeySchema::of`](crate::schema::KeySchema::of)). A key of
    /// [`Plugin::defaults`] not listed is described from its default and
    /// its option's help.
    fn schema(
        &self,
        generator: &mut crate::schema::SchemaGenerator,
    ) -> Vec<crate::schema::KeySchema> {
        let _ = generator;
        Vec::new()
    }

    /// Called once the configuration is merged; may reject it with a
    /// configuration error (see [`Config::error_at`]).
    ///
    /// A daemon's reload first calls it on a fresh instance of the plugin
    /// (made as at start-up) to check the new configuration, and calls it
    /// on the plugin in force only once every part accepted it; keep its
    /// effects inside the plugin.
    fn configure(&mut self, config: &Config) -> Result<()> {
        let _ = config;
        Ok(())
    }

    /// A `tracing-subscriber` layer the plugin adds to the log, asked once,
    /// after [`Plugin::configure`] and before logging is set up; it is
    /// installed with the runtime's subscriber and sees every event from
    /// then on (see [`crate::log::add_layer`]). Not asked when logging is
    /// set up already (a program with a subscriber of its own, a second
    /// embedded application).
    fn log_layer(&mut self) -> Option<crate::log::BoxedLayer> {
        None
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
    #[cfg(feature = "daemon")]
    fn events(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Handles one of its [`Plugin::events`] in a daemon.
    #[cfg(feature = "daemon")]
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

    /// The implementing type's path, for the message about two plugins
    /// sharing a name. Not meant to be overridden.
    #[doc(hidden)]
    fn plugin_type_name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
}

/// A plugin registered at link time (by `#[zenkit::plugin]`).
pub struct Registration {
    /// Makes the plugin.
    pub create: fn() -> Box<dyn Plugin>,
    /// The package that registers it, for messages.
    pub package: &'static str,
}

inventory::collect!(Registration);

/// Implemented by `#[zenkit::plugin]` for the type it registers: a type
/// registered twice, on its definition and on its impl block, has two
/// impls, which the compiler refuses as "conflicting implementations of
/// trait `RegisteredOnce`" at the second registration. (The attribute given
/// twice on one item says so itself.)
///
/// ```compile_fail
/// use zenkit::plugin::Plugin;
///
/// #[zenkit::plugin]
/// #[derive(Default)]
/// struct Meter;
///
/// #[zenkit::plugin] // conflicting implementations of trait `RegisteredOnce`
/// impl Plugin for Meter {
///     fn name(&self) -> &'static str {
///         "meter"
///     }
/// }
/// ```
pub trait RegisteredOnce {}

/// Where a plugin of [`collect`] comes from, for messages.
enum Origin {
    Listed,
    Registered(&'static str),
}

/// `` `type` `` and where it comes from, for the message about two plugins
/// sharing a name.
fn describe(plugin: &dyn Plugin, origin: &Origin) -> String {
    let ty = plugin.plugin_type_name();
    match origin {
        Origin::Listed => format!("`{ty}` (listed in the application's `#[zen(plugins(...))]`)"),
        Origin::Registered(package) => format!("`{ty}` (registered by package {package})"),
    }
}

/// The plugins of an application: `explicit` ones and, unless refused, the
/// link-time ones, each once (by name), in name order. Two different
/// plugins with one name are an error naming both types and where they
/// come from.
#[doc(hidden)]
pub fn collect(explicit: Vec<Box<dyn Plugin>>, linked: bool) -> Result<Vec<Box<dyn Plugin>>> {
    let mut plugins: Vec<(Box<dyn Plugin>, Origin)> = explicit
        .into_iter()
        .map(|plugin| (plugin, Origin::Listed))
        .collect();
    if linked {
        for registration in inventory::iter::<Registration> {
            let origin = Origin::Registered(registration.package);
            plugins.push(((registration.create)(), origin));
        }
    }
    plugins.sort_by_key(|(p, _)| p.name());
    let mut unique: Vec<(Box<dyn Plugin>, Origin)> = Vec::with_capacity(plugins.len());
    for (plugin, origin) in plugins {
        match unique.last() {
            Some((last, first)) if last.name() == plugin.name() => {
                if last.plugin_type() != plugin.plugin_type() {
                    return Err(Error::setup(format!(
                        "two different plugins are named '{}': {} and {}; rename one of them",
                        plugin.name(),
                        describe(last.as_ref(), first),
                        describe(plugin.as_ref(), &origin),
                    )));
                }
            }
            _ => unique.push((plugin, origin)),
        }
    }
    Ok(unique.into_iter().map(|(plugin, _)| plugin).collect())
}

/// The plugins of a running application, in the order they run. The
/// life-cycle owns them beside the context, so each hook gets the context
/// while its plugin is borrowed.
#[derive(Debug, Default)]
pub(crate) struct Plugins(Vec<Box<dyn Plugin>>);

impl Plugins {
    /// The plugins of an application (see [`collect`]).
    pub(crate) fn collect(explicit: Vec<Box<dyn Plugin>>, linked: bool) -> Result<Plugins> {
        collect(explicit, linked).map(Plugins)
    }

    /// The plugins' names, in order.
    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|p| p.name()).collect()
    }

    /// Plugin `index` (as the daemon wiring numbers them).
    #[cfg(feature = "daemon")]
    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut dyn Plugin> {
        self.0.get_mut(index).map(|p| p.as_mut())
    }

    /// Hands the merged configuration to every plugin; stops at the first
    /// that rejects it.
    pub(crate) fn configure(&mut self, config: &Config) -> Result<()> {
        self.0.iter_mut().try_for_each(|plugin| {
            plugin
                .configure(config)
                .map_err(|e| e.context(format!("plugin '{}'", plugin.name())))
        })
    }

    /// Adds the plugins' log layers ([`Plugin::log_layer`]) to the
    /// subscriber the runtime is about to install; nothing when it is
    /// installed already.
    pub(crate) fn add_log_layers(&mut self) -> Result<()> {
        if crate::log::installed() {
            return Ok(());
        }
        self.0
            .iter_mut()
            .try_for_each(|plugin| match plugin.log_layer() {
                Some(layer) => crate::log::add_boxed_layer(layer)
                    .map_err(|e| e.context(format!("plugin '{}'", plugin.name()))),
                None => Ok(()),
            })
    }

    /// Hands the merged configuration to every plugin, gathering every
    /// refusal, each naming its plugin (`--action config-check`).
    pub(crate) fn check(&mut self, config: &Config) -> Vec<Error> {
        self.0
            .iter_mut()
            .filter_map(|plugin| {
                let name = plugin.name();
                plugin
                    .configure(config)
                    .err()
                    .map(|e| e.context(format!("plugin '{name}'")))
            })
            .collect()
    }

    /// Runs every plugin's setup; stops at the first error, which names
    /// its plugin.
    pub(crate) fn setup(&mut self, ctx: &mut Context) -> Result<()> {
        self.0.iter_mut().try_for_each(|plugin| {
            plugin
                .setup(ctx)
                .map_err(|e| e.context(format!("plugin '{}'", plugin.name())))
        })
    }

    /// Runs every plugin's teardown and adds its runlog keys; errors are
    /// registered in `ctx` and the other plugins still run.
    pub(crate) fn teardown(&mut self, ctx: &mut Context) {
        for plugin in &mut self.0 {
            if let Err(err) = plugin.teardown(ctx) {
                ctx.register_error(err.context(format!("plugin '{}'", plugin.name())));
            }
            for (key, value) in plugin.runlog(ctx) {
                if crate::runlog::RESERVED_KEYS.contains(&key.as_str()) {
                    tracing::warn!(
                        "plugin '{}' may not set the runlog key '{key}'",
                        plugin.name()
                    );
                } else {
                    ctx.runlog.insert(key, value);
                }
            }
        }
    }
}

impl std::ops::Deref for Plugins {
    type Target = [Box<dyn Plugin>];

    fn deref(&self) -> &[Box<dyn Plugin>] {
        &self.0
    }
}

impl std::fmt::Debug for dyn Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plugin({})", self.name())
    }
}
