//! Option and key types and field attributes, through the `fetch` example
//! as a user runs it: an enum deriving `zenkit::Value`, durations,
//! `Option<Vec<T>>`, a flag that is on by default, and the attributes
//! `env`, `rename`, `hide`, `value_name` and `range`.

mod support;

use serde_json::{json, Value};
use support::{Run, Sandbox};

/// The environment variables `fetch` reads.
const VARS: [&str; 4] = [
    "FETCH_COMPRESSION",
    "FETCH_TIMEOUT",
    "FETCH_JOBS",
    "FETCH_SHARE",
];

/// Runs `fetch` with `args` and the environment variables `env` (the others
/// of [`VARS`] unset).
fn fetch(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = sb.command(args);
    for var in VARS {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("fetch starts").into()
}

/// The plan a successful run printed.
fn plan(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Value {
    let run = fetch(sb, args, env);
    assert_eq!(run.code, 0, "{args:?} {env:?}: {run:?}");
    let line = run.stdout.lines().next().unwrap_or_default();
    support::json(line)
}

/// What a run that failed with `code` said on stderr, without the time and
/// level of a log line.
fn error(sb: &Sandbox, args: &[&str], env: &[(&str, &str)], code: i32) -> String {
    let run = fetch(sb, args, env);
    assert_eq!(run.code, code, "{args:?} {env:?}: {run:?}");
    let text = run.stderr.trim();
    assert!(!text.is_empty(), "{run:?}");
    match text.split_once(" CRITICAL ERROR: ") {
        Some((_, message)) => {
            assert!(!message.contains('\n'), "one line: {run:?}");
            message.to_string()
        }
        None => text.to_string(),
    }
}

fn config(sb: &Sandbox, text: &str) -> String {
    sb.write("etc/fetch.conf", text).display().to_string()
}

#[test]
fn help_shows_possible_values_value_names_and_the_no_flag_and_hides_hidden_options() {
    let sb = Sandbox::new("fetch");
    let run = fetch(&sb, &["--help"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "--compression <COMPRESSION> How to compress what is fetched [env: FETCH_COMPRESSION] [default: gzip] [possible values: none, gzip, zstd]",
        "--accept <ACCEPTED> Compressions the mirrors may offer, in order of preference [possible values: none, gzip, zstd]",
        "--header <NAME:VALUE>",
        "--no-verbose-style Colour and align the plan; on by default; this option turns it off",
        "-j, --max-jobs <MAX_JOBS> Parallel downloads [env: FETCH_JOBS] [default: 4]",
        "--timeout <TIMEOUT> How long one download may take [env: FETCH_TIMEOUT] [default: 30s]",
    ] {
        assert!(help.contains(expected), "{expected}:\n{}", run.stdout);
    }
    // a flag's default is what it does not set: not shown
    assert!(!help.contains("[default: true]"), "{}", run.stdout);
    for absent in [
        "--trace-requests",
        "--verbose-style",
        "--jobs",
        "--mirrors",
        "--share",
    ] {
        assert!(!help.contains(absent), "{absent}:\n{}", run.stdout);
    }
}

#[test]
fn defaults_bind_when_nothing_is_given() {
    let sb = Sandbox::new("fetch");
    assert_eq!(
        plan(&sb, &[], &[]),
        json!({
            "compression": "gzip", "accepted": [], "timeout_ms": 30000, "backoff_ms": null,
            "headers": null, "verbose_style": true, "jobs": 4, "retries": 3,
            "trace_requests": false, "mirrors": [], "cache_for_s": 3600, "share": 0.5,
        })
    );
}

#[test]
fn an_enum_has_the_same_names_on_the_command_line_and_in_files() {
    let sb = Sandbox::new("fetch");
    let p = plan(
        &sb,
        &[
            "--compression",
            "zstd",
            "--accept",
            "none",
            "--accept",
            "gzip",
        ],
        &[],
    );
    assert_eq!(
        (&p["compression"], &p["accepted"]),
        (&json!("zstd"), &json!(["none", "gzip"]))
    );
    let message = error(&sb, &["--compression", "Zstandard"], &[], 64);
    assert!(
        message.contains("invalid value 'Zstandard' for '--compression <COMPRESSION>'")
            && message.contains("[possible values: none, gzip, zstd]"),
        "{message}"
    );

    config(&sb, "{\"compression\": \"zstd\", \"accepted\": [\"gzip\"]}");
    let p = plan(&sb, &[], &[]);
    assert_eq!(
        (&p["compression"], &p["accepted"]),
        (&json!("zstd"), &json!(["gzip"]))
    );
    let file = config(&sb, "{\n  \"accepted\": [\"gzip\", \"lz4\"]\n}");
    assert_eq!(
        error(&sb, &[], &[], 78),
        format!("{file}:2:24: configuration key 'accepted[1]': unknown value \"lz4\"; valid values: none, gzip, zstd")
    );
}

#[test]
fn durations_are_text_or_seconds_on_the_command_line_and_in_files() {
    let sb = Sandbox::new("fetch");
    for (given, ms) in [
        ("90s", 90_000),
        ("5m", 300_000),
        ("1h30m", 5_400_000),
        ("1h 30m", 5_400_000),
        ("90", 90_000),
        ("1.5", 1_500),
    ] {
        assert_eq!(
            plan(&sb, &["--timeout", given], &[])["timeout_ms"],
            json!(ms),
            "{given}"
        );
    }
    assert_eq!(
        plan(&sb, &["--backoff", "250ms"], &[])["backoff_ms"],
        json!(250)
    );
    let message = error(&sb, &["--timeout", "soon"], &[], 64);
    assert!(
        message.contains("invalid value 'soon' for '--timeout <TIMEOUT>': invalid duration \"soon\": expected a duration such as \"90s\", \"5m\", \"1h30m\" or \"1h 30m\", or a number of seconds"),
        "{message}"
    );

    config(
        &sb,
        r#"{"timeout": "5m", "backoff": 2, "cache_for": 0.5,
            "mirrors": [{"url": "http://a", "timeout": "1m 30s"}, {"url": "http://b", "timeout": 3}]}"#,
    );
    let p = plan(&sb, &[], &[]);
    assert_eq!(
        (&p["timeout_ms"], &p["backoff_ms"], &p["cache_for_s"]),
        (&json!(300_000), &json!(2000), &json!(0))
    );
    assert_eq!(
        p["mirrors"],
        json!([{"url": "http://a", "timeout_ms": 90_000}, {"url": "http://b", "timeout_ms": 3000}])
    );
    // the command line still wins, and the view shows durations as text
    assert_eq!(
        plan(&sb, &["--timeout", "90s"], &[])["timeout_ms"],
        json!(90_000)
    );
    let view = fetch(&sb, &["--action", "config-view", "--timeout", "5400"], &[]);
    assert!(view.stdout.contains("|-- timeout: 1h 30m\n"), "{view:?}");

    let file = config(&sb, "{\n  \"timeout\": \"5 parsecs\"\n}");
    assert_eq!(
        error(&sb, &[], &[], 78),
        format!("{file}:2:14: configuration key 'timeout': invalid duration \"5 parsecs\": expected a duration such as \"90s\", \"5m\", \"1h30m\" or \"1h 30m\", or a number of seconds")
    );
    let file = config(&sb, "{\"mirrors\": [{\"url\": \"x\", \"timeout\": -1}]}");
    let message = error(&sb, &[], &[], 78);
    assert!(
        message.starts_with(&format!(
            "{file}:1:38: configuration key 'mirrors[0].timeout': invalid duration -1"
        )),
        "{message}"
    );
}

#[test]
fn an_optional_list_is_none_unless_given() {
    let sb = Sandbox::new("fetch");
    assert_eq!(plan(&sb, &[], &[])["headers"], json!(null));
    assert_eq!(
        plan(&sb, &["--header", "a:1", "--header", "b:2"], &[])["headers"],
        json!(["a:1", "b:2"])
    );
    config(&sb, "{\"headers\": []}");
    assert_eq!(plan(&sb, &[], &[])["headers"], json!([]));
}

#[test]
fn a_flag_on_by_default_is_turned_off_with_its_no_option_or_in_a_file() {
    let sb = Sandbox::new("fetch");
    assert_eq!(plan(&sb, &[], &[])["verbose_style"], json!(true));
    assert_eq!(
        plan(&sb, &["--no-verbose-style"], &[])["verbose_style"],
        json!(false)
    );
    assert_eq!(
        error(&sb, &["--verbose-style"], &[], 64)
            .lines()
            .next()
            .unwrap(),
        "error: unexpected argument '--verbose-style' found"
    );
    config(&sb, "{\"verbose_style\": false}");
    assert_eq!(plan(&sb, &[], &[])["verbose_style"], json!(false));
}

#[test]
fn environment_variables_sit_between_the_file_and_the_command_line() {
    let sb = Sandbox::new("fetch");
    let p = plan(
        &sb,
        &[],
        &[
            ("FETCH_TIMEOUT", "5m"),
            ("FETCH_COMPRESSION", "none"),
            ("FETCH_JOBS", "8"),
            ("FETCH_SHARE", "0.25"),
        ],
    );
    assert_eq!(
        (&p["timeout_ms"], &p["compression"], &p["jobs"], &p["share"]),
        (&json!(300_000), &json!("none"), &json!(8), &json!(0.25))
    );
    config(&sb, "{\"timeout\": \"1m\", \"max_jobs\": 2}");
    let p = plan(&sb, &[], &[("FETCH_TIMEOUT", "2m")]);
    assert_eq!(
        (&p["timeout_ms"], &p["jobs"]),
        (&json!(120_000), &json!(2)),
        "the variable wins over the file"
    );
    let p = plan(&sb, &["--timeout", "3m"], &[("FETCH_TIMEOUT", "2m")]);
    assert_eq!(
        p["timeout_ms"],
        json!(180_000),
        "the command line wins over the variable"
    );
    let p = plan(&sb, &[], &[("FETCH_TIMEOUT", "")]);
    assert_eq!(p["timeout_ms"], json!(60_000), "an empty variable is unset");

    let view = fetch(
        &sb,
        &["--action", "config-view", "-v"],
        &[("FETCH_TIMEOUT", "2m")],
    );
    assert_eq!(view.code, 0, "{view:?}");
    assert!(
        view.stdout
            .contains("|-- timeout: 2m  [environment variable FETCH_TIMEOUT]\n"),
        "{view:?}"
    );
    assert!(view.stdout.contains("|-- max_jobs: 2  ["), "{view:?}");

    assert_eq!(
        error(&sb, &[], &[("FETCH_TIMEOUT", "later")], 78),
        "environment variable FETCH_TIMEOUT: configuration key 'timeout': invalid duration \"later\": expected a duration such as \"90s\", \"5m\", \"1h30m\" or \"1h 30m\", or a number of seconds; correct or unset the variable"
    );
    assert_eq!(
        error(&sb, &[], &[("FETCH_COMPRESSION", "lz4")], 78),
        "environment variable FETCH_COMPRESSION: configuration key 'compression': unknown value \"lz4\"; valid values: none, gzip, zstd; correct or unset the variable"
    );
    assert_eq!(
        error(&sb, &[], &[("FETCH_SHARE", "half")], 78),
        "environment variable FETCH_SHARE: configuration key 'share': invalid type: string \"half\", expected f64; correct or unset the variable"
    );
}

#[test]
fn a_renamed_field_has_its_key_and_option_under_the_new_name() {
    let sb = Sandbox::new("fetch");
    assert_eq!(plan(&sb, &["--max-jobs", "6"], &[])["jobs"], json!(6));
    assert_eq!(plan(&sb, &["-j", "7"], &[])["jobs"], json!(7));
    assert!(error(&sb, &["--jobs", "6"], &[], 64).contains("unexpected argument '--jobs'"));
    config(&sb, "{\"max_jobs\": 9}");
    assert_eq!(plan(&sb, &[], &[])["jobs"], json!(9));
    config(&sb, "{\"jobs\": 9}");
    let run = fetch(&sb, &[], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        support::json(run.stdout.lines().next().unwrap())["jobs"],
        json!(4)
    );
    assert!(
        run.stderr.contains("'jobs'"),
        "an unknown key is reported: {run:?}"
    );
}

#[test]
fn a_hidden_option_still_works() {
    let sb = Sandbox::new("fetch");
    assert_eq!(
        plan(&sb, &["--trace-requests"], &[])["trace_requests"],
        json!(true)
    );
    config(&sb, "{\"trace_requests\": true}");
    assert_eq!(plan(&sb, &[], &[])["trace_requests"], json!(true));
}

#[test]
fn values_out_of_range_name_the_option_or_the_place_and_the_range() {
    let sb = Sandbox::new("fetch");
    assert_eq!(
        plan(&sb, &["-j", "16", "--retries", "9"], &[])["jobs"],
        json!(16)
    );
    for (args, message) in [
        (
            &["-j", "17"][..],
            "option --max-jobs: 17 is out of the range 1..=16",
        ),
        (
            &["--max-jobs", "0"][..],
            "option --max-jobs: 0 is out of the range 1..=16",
        ),
        (
            &["--retries", "10"][..],
            "option --retries: 10 is out of the range ..=9",
        ),
    ] {
        let line = error(&sb, args, &[], 64);
        assert!(line.ends_with(message), "{args:?}: {line}");
    }
    let file = config(&sb, "{\n  \"share\": 1.5,\n  \"max_jobs\": 4\n}");
    let line = error(&sb, &[], &[], 78);
    assert!(
        line.ends_with(&format!(
            "{file}:2:12: configuration key 'share': 1.5 is out of the range 0.1..=1.0"
        )),
        "{line}"
    );
    config(&sb, "{}");
    let line = error(&sb, &[], &[("FETCH_JOBS", "20")], 78);
    assert!(
        line.ends_with("environment variable FETCH_JOBS: configuration key 'max_jobs': 20 is out of the range 1..=16"),
        "{line}"
    );
}
