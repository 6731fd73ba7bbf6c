//! The testing kit as an author uses it: the `demo_script` and
//! `demo_daemon` examples tested with `zenkit::testing` alone, and a
//! script like `demo_script` run in the test's own process.

use serde::{Deserialize, Serialize};
use serde_json::json;
use zenkit::prelude::*;
use zenkit::testing::{Sandbox, Signal};

/// demo_script's persistent state, read typed.
#[derive(Deserialize)]
struct Counter {
    counter: u64,
}

/// The part of a runlog the tests read, typed.
#[derive(Deserialize)]
struct ScriptRunlog {
    command: String,
    result: String,
}

#[test]
fn a_script_runs_with_its_configuration_and_leaves_runlog_and_state() {
    let sandbox = Sandbox::new();
    // demo_script keeps all its files in tmp/
    let app = sandbox.app("demo_script").dirs("tmp", "tmp", "tmp");
    app.write_config(r#"{"command": "alternative"}"#);

    let run = app.run(&["-v"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Hello world, verbosity level 1"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("verbosity level 2"), "{run:?}");

    let runlog: ScriptRunlog = app.runlog_as();
    assert_eq!(runlog.command, "alternative");
    assert_eq!(runlog.result, "success");
    assert_eq!(
        app.runlog()["alternative"],
        json!({"result": "success", "data": 100})
    );
    assert!(app
        .log()
        .contains("Demonstration implementation of the 'alternative' script command"));
    assert_eq!(app.pstate_as::<Counter>().counter, 1);

    // the command line wins over the file; the state counts on
    assert_eq!(app.run(&["default"]).code, 0);
    assert_eq!(app.runlog()["command"], "default");
    assert_eq!(app.runlogs().len(), 2);
    assert_eq!(app.pstate()["counter"], 2);
}

#[test]
fn a_bad_option_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let run = sandbox.app("demo_script").run(&["--no-such-option"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(run.stderr.contains("--no-such-option"), "{run:?}");
}

#[test]
fn a_daemon_starts_reports_ready_dumps_its_state_and_stops() {
    let sandbox = Sandbox::new();
    // demo_daemon keeps all its files in tmp/
    let app = sandbox.app("demo_daemon").dirs("tmp", "tmp", "tmp");
    let mut daemon = app.start(&["--work-seconds", "0.01"]);
    let pid = daemon.pid();
    assert!(daemon.is_running());

    let state = daemon.dump_state();
    assert_eq!(state["component_list"], json!(["demo"]), "{state}");
    assert!(
        state["queue"].is_object() || state["queue"].is_array(),
        "{state}"
    );
    assert_eq!(state["paths"]["root"], json!(sandbox.root()), "{state}");

    // SIGUSR1 asks for the runlog to be saved while the daemon runs
    daemon.signal(Signal::SIGUSR1);
    app.wait_for_log("Application runlog saved to file");
    assert!(daemon.is_running());

    assert_eq!(daemon.stop(), 0);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} is still there"
    );
    assert!(app.log().contains("Gracefull daemon shutdown initiated"));
    assert_eq!(app.runlog()["result"], "success");
}

#[test]
fn a_daemon_left_running_is_killed_and_fails_the_test() {
    let sandbox = Sandbox::new();
    let app = sandbox.app("demo_daemon").dirs("tmp", "tmp", "tmp");
    let daemon = app.start(&["--work-seconds", "0.01"]);
    let pid = daemon.pid();
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(daemon)));
    let message = dropped.expect_err("dropping a running daemon fails");
    let message = message.downcast_ref::<String>().expect("a message");
    assert!(message.contains("still running"), "{message}");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} is still there"
    );
}

#[test]
fn a_daemon_that_cannot_start_fails_with_its_stderr() {
    let sandbox = Sandbox::new();
    let app = sandbox.app("demo_daemon").dirs("tmp", "tmp", "tmp");
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        app.start(&["--work-seconds=-1"]);
    }));
    let message = failed.expect_err("the start fails");
    let message = message.downcast_ref::<String>().expect("a message");
    assert!(message.contains("before it was ready"), "{message}");
    assert!(message.contains("work_seconds"), "{message}");
}

/// A script like `demo_script`, to run in the test's process: counts its
/// runs, greets by verbosity, and its commands' results go to the runlog.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "greet")]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct Tally {
    /// Whom to greet.
    #[zen(cli, env = "TALLY_WHO", default = "world")]
    who: String,
    /// Runs so far.
    #[zen(pstate)]
    counter: u64,
}

/// What `greet` returns, in the runlog under `greet`.
#[derive(Serialize)]
struct Greeted {
    who: String,
    run: u64,
}

#[zenkit::app]
impl Tally {
    /// Greets and counts.
    #[command]
    fn greet(&mut self, ctx: &mut Context) -> zenkit::Result<Greeted> {
        self.counter += 1;
        warn!("Greeting {} for run {}", self.who, self.counter);
        info!("Greeted {}", self.who);
        log::info!(target: "tally::library", "a record of the log crate");
        ctx.print(0, format_args!("Hello {}", self.who));
        ctx.print(1, format_args!("Hello {}, verbosity level 1", self.who));
        Ok(Greeted {
            who: self.who.clone(),
            run: self.counter,
        })
    }

    /// Fails.
    #[command]
    fn fail(&mut self, _ctx: &mut Context) -> zenkit::Result<()> {
        Err(zenkit::Error::msg("the tally is broken"))
    }
}

/// Tally's persistent state, read typed.
#[derive(Deserialize)]
struct TallyState {
    counter: u64,
}

/// The part of Tally's runlog the tests read, typed.
#[derive(Deserialize, Debug)]
struct TallyRunlog {
    command: String,
    result: String,
    greet: GreetedRead,
}

#[derive(Deserialize, Debug)]
struct GreetedRead {
    who: String,
    run: u64,
}

#[test]
fn a_script_runs_in_process_and_leaves_output_state_runlog_and_log() {
    let root_before = std::env::var_os("APP_ROOT_PATH");
    let sandbox = Sandbox::new();
    let app = sandbox.app("tally");
    app.write_config(r#"{"who": "file"}"#);

    let run = app.run_in_process::<Tally>(&["-v"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "Hello file\nHello file, verbosity level 1\n");
    // the console log is the run's own standard error
    assert!(
        run.stderr.contains("WARNING: Greeting file for run 1"),
        "{run:?}"
    );
    let runlog: TallyRunlog = app.runlog_as();
    assert_eq!(runlog.command, "greet");
    assert_eq!(runlog.result, "success");
    assert_eq!((runlog.greet.who.as_str(), runlog.greet.run), ("file", 1));
    assert_eq!(app.pstate_as::<TallyState>().counter, 1);
    let log = app.log();
    assert!(log.contains("INFO: Greeted file"), "{log}");
    assert!(log.contains(" tally ["), "{log}");
    assert!(log.contains("INFO: a record of the log crate"), "{log}");

    // the command line wins over the file; the state counts on
    let run = app.run_in_process::<Tally>(&["--who", "cli"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "Hello cli\n");
    assert_eq!(app.runlog()["greet"], json!({"who": "cli", "run": 2}));
    assert_eq!(app.pstate()["counter"], 2);

    // the test process is as it was
    assert_eq!(std::env::var_os("APP_ROOT_PATH"), root_before);
    let no_subscriber =
        tracing::dispatcher::get_default(|d| d.is::<tracing::subscriber::NoSubscriber>());
    assert!(
        no_subscriber,
        "an in-process run set a global tracing subscriber"
    );
}

#[test]
fn an_in_process_run_reads_the_environment_it_is_given() {
    let sandbox = Sandbox::new();
    let app = sandbox.app("tally");
    let run = app.run_in_process_with::<Tally>(&["--quiet"], &[("TALLY_WHO", "env")]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "", "--quiet prints nothing");
    assert_eq!(app.runlog()["greet"]["who"], "env");
    // RUST_LOG sets the filter of this run alone
    let run = app.run_in_process_with::<Tally>(&[], &[("RUST_LOG", "error")]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("WARNING"), "{run:?}");
    assert_eq!(app.runlog()["greet"]["who"], "world");
}

#[test]
fn in_process_runs_on_parallel_threads_keep_to_their_own() {
    let sandboxes: Vec<Sandbox> = (0..4).map(|_| Sandbox::new()).collect();
    std::thread::scope(|scope| {
        for (i, sandbox) in sandboxes.iter().enumerate() {
            scope.spawn(move || {
                let who = format!("thread{i}");
                let app = sandbox.app("tally");
                for run in 1..=3u64 {
                    let done = app.run_in_process_with::<Tally>(&[], &[("TALLY_WHO", &who)]);
                    assert_eq!(done.code, 0, "{done:?}");
                    assert_eq!(done.stdout, format!("Hello {who}\n"));
                    let warning = format!("WARNING: Greeting {who} for run {run}");
                    assert!(done.stderr.contains(&warning), "{done:?}");
                    assert_eq!(done.stderr.matches("WARNING").count(), 1, "{done:?}");
                }
                assert_eq!(app.pstate()["counter"], 3);
                let log = app.log();
                assert_eq!(log.matches("INFO: Greeted").count(), 3, "{log}");
                assert!(
                    !log.contains("thread") || log.matches(&who).count() == 6,
                    "{log}"
                );
            });
        }
    });
}

#[test]
fn in_process_failures_have_their_exit_codes_and_messages() {
    let sandbox = Sandbox::new();
    let app = sandbox.app("tally");

    let run = app.run_in_process::<Tally>(&["--no-such-option"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(run.stderr.contains("--no-such-option"), "{run:?}");

    let run = app.run_in_process::<Tally>(&["fail"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("the tally is broken"), "{run:?}");
    assert_eq!(app.runlog()["result"], "failure");

    // the accounts are the whole test process's
    let run = app.run_in_process::<Tally>(&["--user", "nobody"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("another user or group"), "{run:?}");

    app.write_config(r#"{"who": 3}"#);
    let run = app.run_in_process::<Tally>(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(run.stderr.contains("tally.conf"), "{run:?}");
    assert!(run.stderr.contains("'who'"), "{run:?}");

    let run = app.run_in_process::<Tally>(&["--action", "config-check"]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        run.stderr.contains("the configuration has 1 error"),
        "{run:?}"
    );

    let run = app.run_in_process::<Tally>(&["--help"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("--who"), "{run:?}");
}

#[test]
fn an_in_process_run_prints_actions_to_its_own_stdout() {
    let sandbox = Sandbox::new();
    let app = sandbox.app("tally");
    app.write_config(r#"{"who": "file"}"#);
    let run = app.run_in_process::<Tally>(&["--action", "config-check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("tally: the configuration is valid ("),
        "{run:?}"
    );
    let run = app.run_in_process::<Tally>(&["--action", "config-view"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("file"), "{run:?}");
}

/// A daemon, refused in-process.
#[derive(ZenApp, Default)]
#[zen(daemon)]
struct Idle {}

#[zenkit::app]
impl Idle {}

#[test]
fn a_daemon_is_refused_in_process() {
    let sandbox = Sandbox::new();
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sandbox.app("idle").run_in_process::<Idle>(&[]);
    }));
    let message = refused.expect_err("refused");
    let message = message.downcast_ref::<String>().expect("a message");
    assert!(message.contains("App::start"), "{message}");
}
