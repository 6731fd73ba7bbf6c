//! The application's value as the life-cycle sees it: [`DynApp`], an
//! object-safe trait every [`App`] implements, whose methods forward to the
//! application's. With it and the application's
//! [`AppSpec`](crate::spec::AppSpec), the stages
//! take `&mut dyn DynApp` instead of a type parameter and are compiled once,
//! in zenkit. Only a daemon's event loop stays generic: its handler tables
//! are typed by the application, and only a daemon compiles it.

use serde_json::{Map, Value};

use crate::app::App;
use crate::config::Config;
use crate::context::Context;
#[cfg(feature = "daemon")]
use crate::error::Error;
use crate::error::Result;
#[cfg(feature = "daemon")]
use crate::plugin::Plugins;
use crate::script::CommandArgs;

/// The methods of an application's value the life-cycle calls.
pub(super) trait DynApp {
    fn bind(&mut self, config: &Config) -> Result<()>;
    fn bind_checked(&mut self, config: &Config) -> Vec<crate::Error>;
    fn load_state(&mut self, state: &Map<String, Value>) -> Result<()>;
    fn save_state(&self, state: &mut Map<String, Value>) -> Result<()>;
    fn setup(&mut self, ctx: &mut Context) -> Result<()>;
    fn process(&mut self, ctx: &mut Context) -> Result<()>;
    fn teardown(&mut self, ctx: &mut Context) -> Result<()>;
    fn execute_command(
        &mut self,
        name: &str,
        args: &CommandArgs,
        ctx: &mut Context,
    ) -> Option<Result<Value>>;
    fn run_action(&mut self, name: &str, ctx: &mut Context) -> Option<Result<()>>;
    /// Runs a daemon's event loop.
    #[cfg(feature = "daemon")]
    fn run_daemon(&mut self, ctx: &mut Context, plugins: &mut Plugins) -> Result<()>;
    /// Checks `config` with every component of a daemon, gathering every
    /// error; none for the other kinds.
    #[cfg(feature = "daemon")]
    fn check_components(&mut self, config: &Config) -> Vec<Error>;
}

impl<A: App> DynApp for A {
    fn bind(&mut self, config: &Config) -> Result<()> {
        App::bind(self, config)
    }
    fn bind_checked(&mut self, config: &Config) -> Vec<crate::Error> {
        App::bind_checked(self, config)
    }
    fn load_state(&mut self, state: &Map<String, Value>) -> Result<()> {
        App::load_state(self, state)
    }
    fn save_state(&self, state: &mut Map<String, Value>) -> Result<()> {
        App::save_state(self, state)
    }
    fn setup(&mut self, ctx: &mut Context) -> Result<()> {
        crate::Hooks::setup(self, ctx)
    }
    fn process(&mut self, ctx: &mut Context) -> Result<()> {
        crate::Hooks::process(self, ctx)
    }
    fn teardown(&mut self, ctx: &mut Context) -> Result<()> {
        crate::Hooks::teardown(self, ctx)
    }
    fn execute_command(
        &mut self,
        name: &str,
        args: &CommandArgs,
        ctx: &mut Context,
    ) -> Option<Result<Value>> {
        crate::Hooks::execute_command(self, name, args, ctx)
    }
    fn run_action(&mut self, name: &str, ctx: &mut Context) -> Option<Result<()>> {
        crate::Hooks::run_action(self, name, ctx)
    }
    #[cfg(feature = "daemon")]
    fn run_daemon(&mut self, ctx: &mut Context, plugins: &mut Plugins) -> Result<()> {
        match DaemonOf::<A>::FNS {
            Some(fns) => (fns.run)(self, ctx, plugins),
            None => Err(Error::msg("the event loop runs only a daemon")),
        }
    }
    #[cfg(feature = "daemon")]
    fn check_components(&mut self, config: &Config) -> Vec<Error> {
        match DaemonOf::<A>::FNS {
            Some(fns) => (fns.check)(self, config),
            None => Vec::new(),
        }
    }
}

/// The functions of daemon `A` that are typed by its wiring.
#[cfg(feature = "daemon")]
struct DaemonFns<A> {
    run: fn(&mut A, &mut Context, &mut Plugins) -> Result<()>,
    check: fn(&mut A, &Config) -> Vec<Error>,
}

#[cfg(feature = "daemon")]
impl<A> Clone for DaemonFns<A> {
    fn clone(&self) -> Self {
        *self
    }
}

#[cfg(feature = "daemon")]
impl<A> Copy for DaemonFns<A> {}

/// Holds the daemon functions of `A` as a constant, `None` unless `A` is a
/// daemon: a constant's value is all the compiler builds of it, so no other
/// kind compiles the event loop.
#[cfg(feature = "daemon")]
struct DaemonOf<A>(std::marker::PhantomData<A>);

#[cfg(feature = "daemon")]
impl<A: App> DaemonOf<A> {
    const FNS: Option<DaemonFns<A>> = if matches!(A::KIND, crate::app::AppKind::Daemon) {
        Some(DaemonFns {
            run: crate::daemon::event_loop::run::<A>,
            check: check_components::<A>,
        })
    } else {
        None
    };
}

/// Checks `config` with every component of daemon `A`.
#[cfg(feature = "daemon")]
fn check_components<A: App>(app: &mut A, config: &Config) -> Vec<Error> {
    let mut wiring = crate::daemon::Wiring::new();
    A::wire(&mut wiring);
    wiring.check_all(app, config)
}

#[cfg(all(test, feature = "daemon"))]
mod tests {
    use super::*;
    use crate::app::{AppInfo, AppKind, Hooks};

    #[derive(Default)]
    struct Tool;
    impl App for Tool {
        const KIND: AppKind = AppKind::Script;
        fn info() -> AppInfo {
            AppInfo::new("1.0")
        }
    }
    impl Hooks for Tool {}

    #[derive(Default)]
    struct Daemon;
    impl App for Daemon {
        const KIND: AppKind = AppKind::Daemon;
        fn info() -> AppInfo {
            AppInfo::new("1.0")
        }
    }
    impl Hooks for Daemon {}

    #[test]
    fn only_a_daemon_reaches_the_event_loop() {
        assert!(DaemonOf::<Tool>::FNS.is_none());
        assert!(DaemonOf::<Daemon>::FNS.is_some());
        let config = Config::load(
            serde_json::from_value(serde_json::json!({"config_file": null, "config_dir": null}))
                .unwrap(),
            Map::new(),
        )
        .unwrap();
        assert!(Tool.check_components(&config).is_empty());
        assert!(Daemon.check_components(&config).is_empty());
    }
}
