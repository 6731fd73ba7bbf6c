//! The event loop and the built-in handlers.

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde_json::json;

use super::component::signal_event;
use super::queue::{duration_of_secs, later, Event};
use super::signals::{Alarm, Signals};
use super::stats::format_figures;
use super::wiring::{Action, Builtin, Wiring};
use super::{daemonize, notify};
use super::{Daemon, Flow};
use crate::app::App;
use crate::config::Config;
use crate::configure::{self, Prepared};
use crate::context::Context;
use crate::plugin::Plugins;
use crate::spec::AppSpec;
use crate::{fs, log, Error, Result};

/// Signals every daemon catches.
const CAUGHT: [Signal; 6] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGALRM,
];

/// Runs daemon `app` until its queue is empty, it stops or it is told to
/// leave; the runlog gets the final statistics.
pub(crate) fn run<A: App>(app: &mut A, ctx: &mut Context, plugins: &mut Plugins) -> Result<()> {
    if ctx.daemon.is_none() {
        return Err(Error::msg("the event loop needs a daemon's settings"));
    }
    let mut wiring = Wiring::new();
    wiring.application(A::handlers());
    A::wire(&mut wiring);
    wiring.plugins(plugins);
    let signals = Signals::install(&caught(wiring.handled_signals()))?;

    let mut d = Daemon::new(ctx, wiring.names.clone(), wiring.events.clone());
    wiring.check_configuration(app, &d.ctx.config)?;
    wiring.configure(app, &d.ctx.config)?;
    for slot in 1..wiring.names.len() {
        d.slot = slot;
        if let Some(component) = wiring.component_mut(app, slot) {
            component
                .setup(&mut d)
                .map_err(|e| e.context(format!("setup of component '{}'", wiring.names[slot])))?;
        }
    }
    dump_setup(d.ctx, &wiring);
    daemonize::report_ready();
    d.notifier.ready();
    if let Some(interval) = notify::watchdog_interval() {
        d.schedule_after(interval, Daemon::WATCHDOG, None);
    }
    d.schedule(Daemon::START, None);
    let result = event_loop(app, &mut d, &wiring, plugins, &signals);
    if let Some(inbox) = &d.inbox {
        inbox.close();
    }
    if d.workers.running > 0 {
        tracing::warn!(
            "Leaving {} of the worker pool unfinished",
            jobs_text(d.workers.running)
        );
    }
    d.notifier.stopping();
    let statistics = d.runlog_statistics();
    d.runlog.insert("statistics", statistics);
    result
}

/// The signals the loop catches: those every daemon catches and `handled`.
fn caught(handled: Vec<Signal>) -> Vec<Signal> {
    let mut catch = CAUGHT.to_vec();
    catch.extend(handled);
    catch.sort_by_key(|s| *s as i32);
    catch.dedup();
    catch
}

/// How often a loop kept busy by its queue looks at its I/O sources.
const IO_EVERY: Duration = Duration::from_millis(1);

/// What the loop keeps from one turn to the next, and across a handler
/// that panicked.
struct Turns {
    sigints: u32,
    now: Instant,
    announced_wait: Option<Instant>,
    /// When a stopping daemon gives up waiting for its jobs.
    jobs_until: Option<Instant>,
    /// Rings when a timed event falls due (or the I/O sources are to be
    /// looked at) while immediate events keep the loop busy, so the clock is
    /// read only then, not for every event.
    alarm: Alarm,
    io_due: Instant,
}

/// Runs the loop's turns until the daemon leaves. A handler that panics
/// fails its event, not the daemon: the panic is caught here, once for the
/// whole loop rather than per handler (which would cost every event), and
/// the turns go on.
fn event_loop<A: App>(
    app: &mut A,
    d: &mut Daemon<'_>,
    wiring: &Wiring<A>,
    plugins: &mut Plugins,
    signals: &Signals,
) -> Result<()> {
    let now = Instant::now();
    let mut t = Turns {
        sigints: 0,
        now,
        announced_wait: None,
        jobs_until: None,
        alarm: Alarm::new()?,
        io_due: now,
    };
    loop {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            turns(app, d, wiring, plugins, signals, &mut t)
        }));
        match run {
            Ok(result) => return result,
            Err(panic) => handler_panicked(d, wiring, &*panic),
        }
    }
}

fn turns<A: App>(
    app: &mut A,
    d: &mut Daemon<'_>,
    wiring: &Wiring<A>,
    plugins: &mut Plugins,
    signals: &Signals,
    t: &mut Turns,
) -> Result<()> {
    loop {
        if signals.pending() {
            t.now = Instant::now();
            for (signal, count) in signals.take() {
                for _ in 0..count {
                    log_received(signal);
                }
                match signal {
                    Signal::SIGTERM => {
                        tracing::info!("Daemon processing termination forced by signal.");
                        d.leave = true;
                    }
                    Signal::SIGINT => {
                        t.sigints += count;
                        if t.sigints >= 3 {
                            tracing::info!(
                                "Daemon processing termination forced by repeated interruption signals."
                            );
                            d.leave = true;
                        } else {
                            d.schedule_next(Daemon::STOP, None);
                        }
                    }
                    other => {
                        for _ in 0..count {
                            d.schedule_next(signal_event(other), None);
                        }
                    }
                }
            }
            // after the flag was cleared: a later send sets it again
            d.take_sent();
        }
        if d.leave {
            return Ok(());
        }
        let watching = !d.sources.is_empty();
        if d.queue.count_immediate() == 0 {
            t.now = Instant::now();
        } else {
            arm(&mut t.alarm, d.queue.next_deadline(), watching, t.io_due);
        }
        if watching && t.now >= t.io_due {
            poll_sources(d, signals, Some(Duration::ZERO));
            t.io_due = t.now + IO_EVERY;
        }
        match d.queue.next(t.now) {
            Some(event) => {
                dispatch(app, d, wiring, plugins, event);
                // Busy: with the alarm armed and no timer due at `now`, the
                // immediate events that follow go back to back for as long
                // as a turn above would only take them, that is until a
                // signal or the alarm (a timer due, the sources' turn) is
                // pending, a timed event is scheduled or the watches change.
                let deadline = d.queue.next_deadline();
                if d.queue.count_immediate() > 0 && deadline.is_none_or(|due| due > t.now) {
                    let idle_sources = d.sources.is_empty();
                    arm(&mut t.alarm, deadline, !idle_sources, t.io_due);
                    let timed = d.queue.timed_scheduled();
                    while !signals.pending()
                        && !d.leave
                        && d.queue.timed_scheduled() == timed
                        && d.sources.is_empty() == idle_sources
                    {
                        let Some(event) = d.queue.pop_immediate() else {
                            break;
                        };
                        dispatch(app, d, wiring, plugins, event);
                    }
                }
            }
            None => {
                let deadline = d.queue.next_deadline();
                let jobs = d.workers.running;
                if jobs == 0 && d.done && deadline.is_some() {
                    tracing::info!(
                        "Daemon received interruption signal, will not wait for time scheduled events."
                    );
                    return Ok(());
                }
                let more_to_come = !d.done && (watching || d.has_senders());
                if jobs == 0 && deadline.is_none() && !more_to_come {
                    tracing::info!("Event queue is empty, terminating");
                    return Ok(());
                }
                let mut deadline = deadline;
                if jobs > 0 && d.done {
                    // the `terminate` fail-safe bounds the wait after a stop;
                    // this bounds it after a handler's `set_done` too
                    let until = *t.jobs_until.get_or_insert_with(|| {
                        tracing::info!("Waiting for {} of the worker pool", jobs_text(jobs));
                        let timeout = d.ctx.daemon.as_ref().map_or(0.0, |s| s.stop_timeout);
                        later(Instant::now(), duration_of_secs(timeout))
                    });
                    if Instant::now() >= until {
                        tracing::warn!("Stopped waiting for the jobs of the worker pool");
                        return Ok(());
                    }
                    deadline = Some(deadline.map_or(until, |due| due.min(until)));
                }
                let timeout = deadline.map(|deadline| {
                    // poll's timer slack grows with the timeout (0.1 %): sleep
                    // a little short and the rest in a second, precise wait
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    if remaining >= Duration::from_secs(1) && t.announced_wait != Some(deadline) {
                        tracing::info!(
                            "Waiting for '{}' seconds until next scheduled event",
                            remaining.as_secs_f64().ceil() as u64
                        );
                        t.announced_wait = Some(deadline);
                    }
                    remaining - remaining / 500
                });
                // the alarm was for a busy queue; ppoll's timeout and
                // sources wake an idle loop
                t.alarm.disarm();
                poll_sources(d, signals, timeout);
                t.io_due = Instant::now() + IO_EVERY;
            }
        }
        if d.leave {
            return Ok(());
        }
    }
}

/// Registers that the handler running (`d.running`) panicked, and queues
/// `handler_panicked` (`{event, handler, message}`) before every other
/// immediate event, so that a component can deal with what the event was
/// about (the filer banishes the message being processed). The rest of the
/// event's chain does not run.
#[cold]
fn handler_panicked<A: App>(
    d: &mut Daemon<'_>,
    wiring: &Wiring<A>,
    panic: &(dyn std::any::Any + Send),
) {
    let message = super::workers::panic_message(panic).to_string();
    let Some((id, index)) = d.running.take() else {
        d.register_error(format!("the event loop panicked: {message}"));
        return;
    };
    d.slot = 0;
    let label = wiring
        .chain(id)
        .and_then(|chain| chain.get(index))
        .map_or("?", |entry| entry.label.as_str())
        .to_string();
    let event = d.queue.name(id).clone();
    d.register_error(format!(
        "handler '{label}' panicked on event '{event}': {message}"
    ));
    if event != Daemon::HANDLER_PANICKED.name() {
        d.schedule_next(
            Daemon::HANDLER_PANICKED,
            Some(json!({"event": event, "handler": label, "message": message})),
        );
    }
}

/// `1 job`, `2 jobs`.
fn jobs_text(jobs: usize) -> String {
    match jobs {
        1 => "1 job".to_string(),
        n => format!("{n} jobs"),
    }
}

/// Arms `alarm` for the earliest of `deadline` and, when sources are
/// watched, their next turn `io_due`.
#[inline]
fn arm(alarm: &mut Alarm, deadline: Option<Instant>, watching: bool, io_due: Instant) {
    let due = match (deadline, watching) {
        (Some(deadline), true) => Some(deadline.min(io_due)),
        (deadline, true) => deadline.or(Some(io_due)),
        (deadline, false) => deadline,
    };
    if let Some(due) = due {
        alarm.arm(due);
    }
}

/// Waits up to `timeout` for a signal, a delivery from another thread or
/// an I/O source, queueing the events of the sources that are ready.
fn poll_sources(d: &mut Daemon<'_>, signals: &Signals, timeout: Option<Duration>) {
    // what set the flag may have had its byte drained already: the loop
    // looks at the flag before it sleeps
    if timeout != Some(Duration::ZERO) && signals.pending_before_sleep() {
        return;
    }
    for problem in d.sources.poll(signals.fd(), timeout, &mut d.queue) {
        d.register_error(problem);
    }
}

/// Logs a signal the loop took from the signal handler, as pyzenkit does:
/// a warning for the signals that stop or reload the daemon, information
/// for the others.
fn log_received(signal: Signal) {
    let number = signal as i32;
    match signal {
        Signal::SIGALRM => tracing::info!("Received wakeup signal ({number})"),
        Signal::SIGHUP | Signal::SIGINT | Signal::SIGTERM => {
            tracing::warn!("Received signal '{}' ({number})", signal.as_str());
        }
        other => tracing::info!("Received signal '{}' ({number})", other.as_str()),
    }
}

/// With `--debug` or debug logging, shows the components, the handler
/// chains and the components set up, under pyzenkit's titles.
fn dump_setup<A: App>(ctx: &Context, wiring: &Wiring<A>) {
    if !ctx.dumps_setup() {
        return;
    }
    ctx.dump_debug("Daemon component list", &wiring.component_list());
    ctx.dump_debug("Registered event callbacks", &wiring.describe());
    ctx.dbgout(format_args!("Daemon component setup >>>"));
    tracing::debug!("Daemon component setup >>>");
    for type_name in wiring.types.iter().skip(1) {
        ctx.dbgout(format_args!(">>> {type_name} >>>"));
        tracing::debug!(">>> {type_name} >>>");
    }
}

/// Runs the handler chain of `event`, handing each handler's arguments to
/// the next until one stops the chain.
// always inlined into the loop's two places: it runs for every event
#[inline(always)]
fn dispatch<A: App>(
    app: &mut A,
    d: &mut Daemon<'_>,
    wiring: &Wiring<A>,
    plugins: &mut Plugins,
    event: Event,
) {
    let id = event.id();
    let source = event.source;
    if source != 0 {
        // the source may report again once this event is handled; marked
        // before the handlers run, what they do with the source is final
        d.sources.handled(source);
    }
    let Some(chain) = wiring.chain(id).filter(|chain| !chain.is_empty()) else {
        let name = d.queue.name(id).clone();
        d.register_error(format!("event '{name}' has no handler"));
        return;
    };
    let mut args = event.into_args();
    for (index, entry) in chain.iter().enumerate() {
        d.slot = entry.slot;
        // for the loop to tell whose panic it caught
        d.running = Some((id, index));
        let flow = match &entry.action {
            Action::Call(call) => call.run(app, d, args),
            Action::Builtin(builtin) => builtin_handler(*builtin, app, d, wiring, plugins, args),
            Action::Plugin(index) => {
                if let Some(plugin) = plugins.get_mut(*index) {
                    let name = d.queue.name(id).clone();
                    if let Err(err) = plugin.on_event(name.as_str(), d) {
                        tracing::error!("Plugin '{}' failed on '{name}': {err}", plugin.name());
                    }
                }
                Flow::Continue(args)
            }
        };
        match flow {
            Flow::Continue(next) => args = next,
            Flow::Stop => break,
        }
    }
    d.slot = 0;
    d.running = None;
}

fn builtin_handler<A: App>(
    builtin: Builtin,
    app: &mut A,
    d: &mut Daemon<'_>,
    wiring: &Wiring<A>,
    plugins: &mut Plugins,
    args: super::Args,
) -> Flow {
    let Some(settings) = d.ctx.daemon.clone() else {
        return Flow::Continue(args);
    };
    match builtin {
        Builtin::Start => {
            tracing::warn!("Daemon startup initiated");
            d.schedule_after_secs(settings.stats_interval, Daemon::LOG_STATISTICS, None);
            d.schedule_after_secs(settings.runlog_interval, Daemon::SAVE_RUNLOG, None);
        }
        Builtin::Stop => {
            if !d.done {
                tracing::warn!("Gracefull daemon shutdown initiated");
                tracing::info!(
                    "Stopping gracefully, terminating in {} s at the latest",
                    settings.stop_timeout
                );
                d.set_done();
                d.notifier.stopping();
                d.schedule_after_secs(settings.stop_timeout, Daemon::TERMINATE, None);
            }
        }
        Builtin::Terminate => {
            tracing::warn!("Forcefully terminating the application");
            tracing::info!("Daemon processing termination forced by timeout.");
            d.terminate();
        }
        Builtin::Reload => {
            tracing::warn!("Handling event for signal 'SIGHUP'");
            reload(app, d, wiring, plugins);
        }
        Builtin::SaveRunlog => {
            tracing::info!("Handling event for signal 'SIGUSR1'");
            save_runlog(d);
        }
        Builtin::PeriodicRunlog => {
            save_runlog(d);
            if !d.done {
                d.schedule_after_secs(settings.runlog_interval, Daemon::SAVE_RUNLOG, None);
            }
        }
        Builtin::SaveState => {
            tracing::info!("Handling event for signal 'SIGUSR2'");
            save_state(app, d, wiring);
        }
        // the loop logged the wakeup when it took the signal; it registered
        // a panic when it caught it
        Builtin::Wake | Builtin::Panicked => {}
        Builtin::Watchdog => {
            d.notifier.watchdog();
            if let Some(interval) = notify::watchdog_interval() {
                d.schedule_after(interval, Daemon::WATCHDOG, None);
            }
        }
        Builtin::LogStatistics => {
            log_statistics(d);
            if !d.done {
                d.schedule_after_secs(settings.stats_interval, Daemon::LOG_STATISTICS, None);
            }
        }
    }
    Flow::Continue(args)
}

fn save_runlog(d: &mut Daemon<'_>) {
    let statistics = d.runlog_statistics();
    d.runlog.insert("statistics", statistics);
    let dir = d.settings().runlog_dir.clone();
    if let Err(err) = d.runlog.save(&dir) {
        tracing::error!("Cannot save the runlog into {}: {err}", dir.display());
    }
}

fn log_statistics(d: &mut Daemon<'_>) {
    let now = Instant::now();
    for slot in 0..d.names.len() {
        if d.stats[slot].is_empty() {
            continue;
        }
        let figures = d.evaluators[slot].evaluate(&d.stats[slot], now);
        tracing::info!(
            "Component '{}': *** Processing statistics ***{}",
            d.names[slot],
            format_figures(&figures)
        );
    }
}

/// Writes the full daemon state to `state_file` (SIGUSR2).
fn save_state<A: App>(app: &mut A, d: &mut Daemon<'_>, wiring: &Wiring<A>) {
    if !d.core.state.is_some_and(|s| s.save) {
        return;
    }
    let states: Vec<(usize, serde_json::Value)> = (1..wiring.names.len())
        .filter_map(|slot| Some((slot, wiring.component_mut(app, slot)?.state())))
        .collect();
    let chains = wiring.describe();
    let component_list = wiring.component_list();
    write_state(
        d,
        &wiring.names,
        &wiring.types,
        states,
        chains,
        component_list,
    );
}

/// Writes the daemon state with `states`, the state of each component by
/// slot, its components' `names` and `types` by slot, its handler `chains`
/// and `component_list`.
fn write_state(
    d: &mut Daemon<'_>,
    names: &[String],
    types: &[&'static str],
    states: Vec<(usize, serde_json::Value)>,
    chains: serde_json::Value,
    component_list: serde_json::Value,
) {
    let mut components = serde_json::Map::new();
    let mut by_type = Vec::new();
    for (slot, state) in states {
        by_type.push((types[slot], typed_state(&state, d.stats[slot].to_json())));
        components.insert(names[slot].clone(), state);
    }
    // pyzenkit's keys: each component under its type name too, unless a
    // component of that name is there
    for (type_name, state) in by_type {
        if !components.contains_key(type_name) {
            components.insert(type_name.to_string(), state);
        }
    }
    let statistics = d.runlog_statistics();
    d.runlog.insert("statistics", statistics);
    let state = json!({
        "time": crate::runlog::now_ts(),
        "rc": d.runlog.rc(),
        "config": d.config().as_map(),
        "paths": d.paths().to_json(),
        "pstate": &d.pstate,
        "handlers": chains.clone(),
        "callbacks": chains,
        "component_list": component_list,
        "components": components,
        "statistics": d.all_statistics(),
        "queue": d.queue.to_json(Instant::now()),
        "watches": d.sources.to_json(&d.queue),
        "jobs_running": d.workers.running,
        "runlog": d.runlog.as_map(),
    });
    let Some(path) = d.ctx.daemon.as_ref().map(|s| s.state_file.clone()) else {
        return;
    };
    match fs::write_json_atomic_with_mode(&path, &state, fs::PRIVATE_FILE_MODE) {
        Ok(()) => tracing::info!("Current daemon state saved to file '{}'", path.display()),
        Err(err) => tracing::error!("Cannot save the daemon state to {}: {err}", path.display()),
    }
}

/// A component's state under its type name, as pyzenkit's components keep
/// it: `statistics` (its counters) and the keys of its own state.
fn typed_state(state: &serde_json::Value, statistics: serde_json::Value) -> serde_json::Value {
    let mut map = match state {
        serde_json::Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    map.entry("statistics").or_insert(statistics);
    serde_json::Value::Object(map)
}

/// Re-reads the configuration and puts it in force (SIGHUP), as one
/// transaction: the files are loaded, the built-in settings and the
/// application's fields bound (into a scratch application), the plugins
/// configured (fresh ones) and the components' checks run; only when all of
/// it succeeds is the new configuration put in force in the application,
/// the plugins, the components, the context and the log. Otherwise nothing
/// changes and one error line says why. Either way the outcome is kept for
/// the SIGHUP handlers that run next ([`Daemon::reload_outcome`]).
fn reload<A: App>(app: &mut A, d: &mut Daemon<'_>, wiring: &Wiring<A>, plugins: &mut Plugins) {
    let bind_scratch = |config: &Config| A::default().bind(config);
    let check_components = &mut |config: &Config| wiring.check_configuration(app, config);
    let spec = AppSpec::of::<A>();
    let Some((prepared, unknown)) = prepare_reload(d, spec, &bind_scratch, check_components) else {
        return;
    };
    // each of these succeeded on the scratch copies just now
    if let Err(err) = app.bind(&prepared.config) {
        tracing::error!("{err}");
    }
    install_reload(d, plugins, prepared, &unknown);
    if let Err(err) = wiring.configure(app, &d.ctx.config) {
        tracing::error!("{err}");
    }
    for slot in 1..wiring.names.len() {
        if let Some(component) = wiring.component_mut(app, slot) {
            d.slot = slot;
            if let Err(err) = component.reload(d) {
                tracing::error!("Component '{}' failed to reload: {err}", wiring.names[slot]);
            }
        }
    }
    d.slot = 0;
    d.reload = Some(Ok(()));
    d.notifier.ready();
    tracing::info!("Configuration reloaded");
}

/// The first half of a reload: the configuration re-read, prepared and
/// checked by `bind_scratch` (the application's fields bound into a scratch
/// application), fresh plugins and `check_components`, with its unknown
/// keys. `None` when any of it failed, which is logged and kept as the
/// reload's outcome.
fn prepare_reload(
    d: &mut Daemon<'_>,
    spec: &AppSpec,
    bind_scratch: &dyn Fn(&Config) -> Result<()>,
    check_components: &mut dyn FnMut(&Config) -> Result<()>,
) -> Option<(Prepared, Vec<Error>)> {
    tracing::info!("Reloading the configuration");
    d.notifier.reloading();
    let prepared = d
        .config()
        .reload()
        .and_then(|config| configure::prepare(spec, config))
        .and_then(|prepared| {
            bind_scratch(&prepared.config)?;
            Plugins::collect((spec.plugins)(), spec.linked_plugins)?.configure(&prepared.config)?;
            check_components(&prepared.config)?;
            let unknown = configure::checked_unknown_keys(spec, &prepared.config)?;
            Ok((prepared, unknown))
        });
    match prepared {
        Ok(prepared) => Some(prepared),
        Err(err) => {
            tracing::error!(
                "Configuration reload failed, the old configuration stays in force: {err}"
            );
            d.reload = Some(Err(err));
            d.notifier.ready();
            None
        }
    }
}

/// Puts a reloaded configuration in force in the plugins, the context and
/// the log, once the application's fields have it.
fn install_reload(
    d: &mut Daemon<'_>,
    plugins: &mut Plugins,
    mut prepared: Prepared,
    unknown: &[Error],
) {
    if let Err(err) = plugins.configure(&prepared.config) {
        tracing::error!("{err}");
    }
    prepared.keep_startup_choices(d.ctx);
    prepared.install(d.ctx);
    if let Err(err) = configure::start_logging(d.ctx).and_then(|()| log::reopen()) {
        tracing::error!("Cannot reopen the log after the reload: {err}");
    }
    configure::warn_duplicate_keys(d.ctx);
    configure::warn_unknown_keys(d.ctx, unknown);
}
