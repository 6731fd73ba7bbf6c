//! End-to-end: a JetStream stage that cannot start says why in one line,
//! naming the key or the servers, with the exit code of the kind of error,
//! and leaves nothing running.

mod support;

use zenkit::testing::Sandbox;

/// Runs `filer_enrich` in the foreground with `args`; its exit code and
/// the lines of its output that report errors.
fn refused(args: &[&str]) -> (i32, Vec<String>) {
    let sandbox = Sandbox::new();
    let mut all = vec!["--no-daemon"];
    all.extend_from_slice(args);
    let out = sandbox.app("filer_enrich").command(&all).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let errors = text
        .lines()
        .filter(|line| line.contains("ERROR"))
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap(), errors)
}

fn one_error(args: &[&str], code: i32, wanted: &str) {
    let (got, errors) = refused(args);
    assert_eq!(got, code, "{args:?}: {errors:?}");
    assert_eq!(errors.len(), 1, "{args:?}: one error line, not {errors:?}");
    assert!(errors[0].contains(wanted), "{args:?}: {:?}", errors[0]);
}

#[test]
fn a_bad_queue_url_or_key_is_a_configuration_error_before_the_daemon_starts() {
    one_error(
        &["--queue-in-dir", "nats:///ENRICH.X"],
        78,
        "configuration key 'queue_in_dir': 'nats:///ENRICH.X': the stream name 'ENRICH.X' may have only letters, digits, '-' and '_'",
    );
    one_error(
        &["--queue-in-dir", "nats:///A", "--queue-out-dir", "nats://"],
        78,
        "configuration key 'queue_out_dir': 'nats://': expected nats://[HOST:PORT,…]/STREAM[/CONSUMER]",
    );
    one_error(
        &["--queue-in-dir", "nats:///A", "--nats-servers", "not a url"],
        78,
        "configuration key 'nats_servers': 'not a url' is not a server URL (nats://host:port)",
    );
    one_error(
        &["--queue-in-dir", "nats:///A", "--nats-max-ack-pending", "0"],
        78,
        "configuration key 'nats_max_ack_pending': expected at least 1, not 0",
    );
}

#[test]
fn servers_out_of_reach_or_missing_credentials_stop_the_start_up() {
    // a port nothing listens on: the loopback refuses at once
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("nats://{}", listener.local_addr().unwrap());
    drop(listener);
    let nowhere = ["--queue-in-dir", "nats:///A", "--nats-servers", &url];
    one_error(
        &nowhere,
        1,
        &format!("cannot connect to the NATS servers {url}: "),
    );
    let mut args = nowhere.to_vec();
    args.extend(["--nats-creds", "/nonexistent/stage.creds"]);
    one_error(
        &args,
        1,
        "cannot read the NATS credentials /nonexistent/stage.creds",
    );
}
