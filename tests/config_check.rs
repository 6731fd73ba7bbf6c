//! `--action config-check`, `--action config-schema` and `--help-config`,
//! through the built examples: every error of a configuration in one run,
//! nothing written, and a JSON Schema that a draft 2020-12 validator
//! (Debian's python3-jsonschema, which ./run-tests installs) accepts and
//! checks each example's configuration against.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use support::{Run, Sandbox};

/// Every path below `root`, relative to it.
fn tree(root: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            found.insert(path.strip_prefix(root).unwrap().display().to_string());
            if path.is_dir() {
                dirs.push(path);
            }
        }
    }
    found
}

/// Runs `args` in `sb` and checks that the run created, changed or removed
/// no file below the root.
fn run_untouched(sb: &Sandbox, args: &[&str]) -> Run {
    let before = tree(sb.root());
    let run = sb.run(args);
    assert_eq!(
        tree(sb.root()),
        before,
        "files changed by {args:?}: {run:?}"
    );
    run
}

/// The lines of stderr starting with `prefix`, without it.
fn lines<'a>(run: &'a Run, prefix: &str) -> Vec<&'a str> {
    run.stderr
        .lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .collect()
}

/// A sandbox of `program` whose configuration file `conf` (relative to the
/// root) holds `config`, with its configuration directory.
fn configured(program: &str, conf: &str, config: &str) -> (Sandbox, String) {
    let sb = Sandbox::new(program);
    let file = sb.write(conf, config);
    std::fs::create_dir_all(file.with_extension("")).unwrap();
    (sb, file.display().to_string())
}

#[test]
fn a_good_configuration_is_valid_and_nothing_is_written() {
    let (sb, conf) = configured(
        "backup",
        "etc/backup.conf",
        r#"{"target": "/srv/archives", "keep": 3, "prometheus_dir": "/srv/metrics"}"#,
    );
    let run = run_untouched(&sb, &["--action", "config-check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!("backup: the configuration is valid ({conf})\n")
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn every_error_is_reported_in_one_run() {
    let (sb, conf) = configured(
        "backup",
        "etc/backup.conf",
        "{\n  \"log_level\": \"loud\",\n  \"keep\": \"many\",\n  \"prometheus_dir\": 5,\n  \"kepp\": 3,\n  \"prefix\": 5\n}\n",
    );
    let run = run_untouched(
        &sb,
        &["--action", "config-check", "--interval", "fortnightly"],
    );
    assert_eq!(run.code, 78, "{run:?}");
    let errors = lines(&run, "error: ");
    let expected = [
        format!("{conf}:2:16: configuration key 'log_level': invalid log level 'loud'"),
        "option --interval: ".to_string(),
        format!("{conf}:3:11: configuration key 'keep': invalid type: string \"many\""),
        format!("plugin 'prometheus': {conf}:4:21: configuration key 'prometheus_dir': invalid type: integer `5`"),
        // backup denies unknown keys
        format!("{conf}:5:11: configuration key 'kepp': unknown key; did you mean 'keep'?"),
        // each of the application's keys is bound on its own
        format!("{conf}:6:13: configuration key 'prefix': invalid type: integer `5`, expected a string"),
    ];
    assert_eq!(errors.len(), expected.len(), "{run:?}");
    for want in &expected {
        assert!(
            errors.iter().any(|e| e.starts_with(want.as_str())),
            "no error starting with {want:?} in {errors:#?}"
        );
    }
    assert!(
        run.stderr.ends_with(&format!(
            "backup: the configuration has 6 errors ({conf})\n"
        )),
        "{run:?}"
    );
}

#[test]
fn bad_environment_variables_hide_no_other_error() {
    let (sb, conf) = configured("fetch", "etc/fetch.conf", r#"{"retries": 12}"#);
    let before = tree(sb.root());
    let run: Run = sb
        .command(&["--action", "config-check"])
        .env("FETCH_TIMEOUT", "soon")
        .env("FETCH_JOBS", "many")
        .output()
        .unwrap()
        .into();
    assert_eq!(tree(sb.root()), before, "{run:?}");
    assert_eq!(run.code, 78, "{run:?}");
    let errors = lines(&run, "error: ");
    let expected = [
        "environment variable FETCH_TIMEOUT: configuration key 'timeout': invalid duration \"soon\"".to_string(),
        "environment variable FETCH_JOBS: configuration key 'max_jobs': ".to_string(),
        format!("{conf}:1:13: configuration key 'retries': 12 is out of the range ..=9"),
    ];
    assert_eq!(errors.len(), expected.len(), "{run:?}");
    for want in &expected {
        assert!(
            errors.iter().any(|e| e.starts_with(want.as_str())),
            "no error starting with {want:?} in {errors:#?}"
        );
    }
    assert!(
        run.stderr
            .ends_with(&format!("fetch: the configuration has 3 errors ({conf})\n")),
        "{run:?}"
    );
}

#[test]
fn unknown_keys_are_warnings_and_only_command_line_errors_exit_64() {
    let (sb, conf) = configured(
        "dusage",
        "etc/dusage.conf",
        "{\"report\": {\"top\": 3, \"min_size\": 0, \"mni_size\": 1},\n \"config_dir\": \"/x\"}",
    );
    let run = run_untouched(&sb, &["--action", "config-check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        lines(&run, "warning: "),
        [
            format!("{conf}:1:50: configuration key 'report.mni_size': unknown key; did you mean 'min_size'?"),
            format!("configuration key 'config_dir' in {conf} is ignored: it cannot be set in a file"),
        ],
        "{run:?}"
    );
    let run = run_untouched(
        &sb,
        &[
            "--action",
            "config-check",
            "--log-level",
            "debug",
            "--max-bytes",
            "-1",
        ],
    );
    // clap refuses a value of the wrong type before anything is read
    assert_eq!(run.code, 64, "{run:?}");
    let (sb, _) = configured("demo_script", "tmp/demo_script.conf", "{}");
    let run = run_untouched(
        &sb,
        &["--action", "config-check", "--time-high", "yesterday"],
    );
    assert_eq!(run.code, 64, "{run:?}");
    assert_eq!(lines(&run, "error: ").len(), 1, "{run:?}");
    assert!(
        lines(&run, "error: ")[0].starts_with("option --time-high: "),
        "{run:?}"
    );
}

#[test]
fn a_file_that_cannot_be_read_is_an_error_of_the_check() {
    let (sb, conf) = configured("backup", "etc/backup.conf", "{\"keep\": 3,,}");
    let run = run_untouched(&sb, &["--action", "config-check"]);
    assert_eq!(run.code, 78, "{run:?}");
    let errors = lines(&run, "error: ");
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].starts_with(&format!("{conf}:1:")), "{run:?}");
}

#[test]
fn a_daemon_is_checked_with_its_components_and_not_started() {
    let (sb, conf) = configured(
        "demo_daemon",
        "tmp/demo_daemon.conf",
        "{\n\"work_seconds\": -1,\n\"umask\": \"999\",\n\"stats_interval\": 0,\n\"no_daemon\": false\n}",
    );
    let run = run_untouched(
        &sb,
        &["--action", "config-check", "--user", "nosuchuser-zk"],
    );
    assert_eq!(run.code, 78, "{run:?}");
    let errors = lines(&run, "error: ");
    for want in [
        format!("{conf}:3:10: configuration key 'umask': invalid umask '999'"),
        format!("{conf}:4:19: configuration key 'stats_interval': expected a positive number of seconds"),
        "component 'demo': work_seconds must be a number of seconds >= 0, not -1".to_string(),
        "unknown user 'nosuchuser-zk'".to_string(),
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(want.as_str())),
            "no error starting with {want:?} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), 4, "{run:?}");
    // a good configuration, checked as root for an account to run as: the
    // account is resolved, not taken on, and no PID file or log is made
    sb.write(
        "tmp/demo_daemon.conf",
        "{\"work_seconds\": 0.5, \"no_daemon\": false}",
    );
    let run = run_untouched(&sb, &["--action", "config-check", "--user", "nobody"]);
    assert_eq!(run.code, 0, "{run:?}");
}

/// The errors a draft 2020-12 validator finds in `instance` against
/// `schema`, after checking that `schema` itself is a valid draft 2020-12
/// schema.
fn validate(schema: &Value, instance: &Value) -> Vec<String> {
    const SCRIPT: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
instance = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for error in validator.iter_errors(instance):
    print(json.dumps(error.json_path + ": " + error.message))
"#;
    let dir = tempfile::tempdir().unwrap();
    let schema_file = dir.path().join("schema.json");
    let instance_file = dir.path().join("instance.json");
    std::fs::write(&schema_file, schema.to_string()).unwrap();
    std::fs::write(&instance_file, instance.to_string()).unwrap();
    // Debian's Python, which Debian's validator is installed for
    let out = Command::new("/usr/bin/python3")
        .args(["-c", SCRIPT])
        .arg(&schema_file)
        .arg(&instance_file)
        .output()
        .expect("/usr/bin/python3 runs (./run-tests installs python3-jsonschema)");
    assert!(
        out.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<String>(l).unwrap())
        .collect()
}

/// The schema `sb`'s program prints.
fn schema_of(sb: &Sandbox) -> Value {
    let run = run_untouched(sb, &["--action", "config-schema"]);
    assert_eq!(run.code, 0, "{run:?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {run:?}"))
}

#[test]
fn the_schema_validates_each_examples_configuration() {
    // program, configuration file, a configuration as its docs describe it,
    // and a wrong value of one of its own keys
    let examples: &[(&str, &str, Value, Value)] = &[
        (
            "demo_app",
            "tmp/demo_app.conf",
            json!({"ticks": 2, "fail": null, "log_level": "debug", "pstate_dump": true}),
            json!({"ticks": -1}),
        ),
        (
            "demo_script",
            "tmp/demo_script.conf",
            json!({"command": "default", "interval": "daily", "adjust_thresholds": true,
                   "time_high": "2024-05-01T00:00:00Z", "regular": true}),
            json!({"interval": "fortnightly"}),
        ),
        (
            "demo_daemon",
            "tmp/demo_daemon.conf",
            json!({"work_seconds": 0.5, "ignore_stop": false, "extra_events": ["ping"],
                   "stats_interval": 10, "umask": "0o022", "parallel": false, "stop_timeout": 5}),
            json!({"extra_events": "ping"}),
        ),
        (
            "backup",
            "etc/backup.conf",
            json!({"source": "/srv/data", "target": "/var/backups/data", "prefix": "data",
                   "keep": 14, "interval": "daily", "prometheus_dir": "/var/lib/node-exporter"}),
            json!({"keep": "all"}),
        ),
        (
            "counterd",
            "etc/counterd.conf",
            json!({"socket": "/run/counterd.sock", "max_slow": 5.0, "worker_threads": 2,
                   "user": "nobody"}),
            json!({"max_slow": "slow"}),
        ),
        (
            "dusage",
            "etc/dusage.conf",
            json!({"path": "/srv", "report": {"top": 3, "min_size": 1024}, "max_bytes": 1000000}),
            json!({"report": {"top": "three", "min_size": 0}}),
        ),
        (
            "watch",
            "etc/watch.conf",
            json!({"file": "/var/log/syslog", "pattern": "ERROR", "runlog_interval": 60}),
            json!({"pattern": 5}),
        ),
        (
            "filer_enrich",
            "etc/filer_enrich.conf",
            json!({"queue_in_dir": "filer_enrich", "queue_out_dir": "filer_store",
                   "queue_batch": 8, "queue_in_wait": 1.5, "queue_in_recover": false}),
            json!({"queue_batch": 0}),
        ),
        (
            "filer_ingest",
            "etc/filer_ingest.conf",
            json!({"source": "/var/log/app.log", "queue_out_dir": "filer_enrich"}),
            json!({"source": ["a.log"]}),
        ),
        (
            "filer_store",
            "etc/filer_store.conf",
            json!({"store": "/var/lib/store.jsonl", "queue_in_dir": "filer_store",
                   "queue_out_limit": 100}),
            json!({"queue_in_recover": "yes"}),
        ),
        (
            "logdemo",
            "tmp/logdemo.conf",
            json!({"store": "archive", "items": 7, "log_level": "TRACE", "log_format": "json",
                   "log_filter": "info,logdemo::store=debug", "log_journal": false}),
            json!({"items": "seven"}),
        ),
        (
            "fetch",
            "etc/fetch.conf",
            json!({"compression": "zstd", "accepted": ["gzip", "none"], "timeout": "1m 30s",
                   "backoff": 2.5, "headers": ["Accept:*/*"], "verbose_style": false,
                   "max_jobs": 16, "retries": 9, "cache_for": 3600, "share": 0.25,
                   "mirrors": [{"url": "http://mirror", "timeout": "5s"}]}),
            json!({"max_jobs": 17}),
        ),
    ];
    for (program, conf, good, wrong) in examples {
        let (sb, _) = configured(program, conf, &good.to_string());
        let schema = schema_of(&sb);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(
            validate(&schema, good),
            Vec::<String>::new(),
            "{program}: {good}"
        );
        // the application agrees
        let run = run_untouched(&sb, &["--action", "config-check"]);
        assert_eq!(run.code, 0, "{program}: {run:?}");
        let errors = validate(&schema, wrong);
        assert_eq!(errors.len(), 1, "{program}: {wrong}: {errors:?}");
        assert!(errors[0].starts_with("$."), "{program}: {errors:?}");
        for change in [
            wrong.clone(),
            json!({"log_level": "loud"}),
            json!({"lgo_level": "info"}),
        ] {
            let mut bad = good.clone();
            bad.as_object_mut()
                .unwrap()
                .extend(change.as_object().unwrap().clone());
            assert!(!validate(&schema, &bad).is_empty(), "{program}: {bad}");
            sb.write(conf, &bad.to_string());
            let run = run_untouched(&sb, &["--action", "config-check"]);
            let expected = if change.get("lgo_level").is_some() && *program != "backup" {
                0 // an unknown key is a warning, but where unknown keys are denied
            } else {
                78
            };
            assert_eq!(run.code, expected, "{program}: {bad}: {run:?}");
        }
    }
}

/// Enums deriving `zenkit::Value`, durations and `range` bounds are
/// described as the application reads them, not as their serde form.
#[test]
fn the_schema_knows_enums_durations_and_ranges() {
    let (sb, _) = configured("fetch", "etc/fetch.conf", "{}");
    let schema = schema_of(&sb);
    let properties = &schema["properties"];
    assert_eq!(
        properties["compression"]["enum"],
        json!(["none", "gzip", "zstd"]),
        "{schema:#}"
    );
    assert_eq!(properties["max_jobs"]["maximum"], json!(16), "{schema:#}");
    assert_eq!(properties["max_jobs"]["minimum"], json!(1), "{schema:#}");
    for good in [
        json!({"timeout": "90s", "cache_for": "1h30m", "backoff": null}),
        json!({"timeout": 90, "cache_for": "1h 30m", "backoff": "2.5"}),
        json!({"accepted": ["zstd"], "retries": 0, "share": 1.0,
               "mirrors": [{"url": "http://mirror", "timeout": 2.5}]}),
    ] {
        assert_eq!(validate(&schema, &good), Vec::<String>::new(), "{good}");
        sb.write("etc/fetch.conf", &good.to_string());
        let run = run_untouched(&sb, &["--action", "config-check"]);
        assert_eq!(run.code, 0, "{good}: {run:?}");
    }
    for bad in [
        json!({"compression": "lz4"}),
        json!({"accepted": ["gzip", "rar"]}),
        json!({"timeout": "soon"}),
        json!({"timeout": -1}),
        json!({"cache_for": "5 parsecs"}),
        json!({"retries": 10}),
        json!({"share": 0.05}),
        json!({"mirrors": [{"url": "http://mirror", "timeout": "soon"}]}),
    ] {
        assert_eq!(validate(&schema, &bad).len(), 1, "{bad}");
        sb.write("etc/fetch.conf", &bad.to_string());
        let run = run_untouched(&sb, &["--action", "config-check"]);
        assert_eq!(run.code, 78, "{bad}: {run:?}");
    }
}

#[test]
fn the_schema_describes_keys_with_their_docs_defaults_and_types() {
    let (sb, _) = configured("dusage", "etc/dusage.conf", "{}");
    let schema = schema_of(&sb);
    let properties = &schema["properties"];
    assert_eq!(
        properties["max_bytes"]["description"],
        "Fail when the tree is larger than this many bytes."
    );
    assert_eq!(properties["path"]["default"], ".");
    assert_eq!(properties["log_level"]["default"], "info");
    assert_eq!(properties["log_level"]["description"], "Logging threshold");
    // the nested section derives JsonSchema: its fields are described
    let report = &schema["$defs"]["Report"];
    assert_eq!(
        report["properties"]["top"]["description"],
        "How many of the largest files to list (with `-v`)."
    );
    assert_eq!(
        properties["report"]["default"],
        json!({"top": 5, "min_size": 0})
    );
    // keys a file may not set are left out, and any key it does not know
    for key in ["config_file", "config_dir", "help_config"] {
        assert!(properties.get(key).is_none(), "{key}");
    }
    assert_eq!(schema["additionalProperties"], false);
    // a daemon's aliases and a component's own keys with their docs
    let (sb, _) = configured("filer_store", "etc/filer_store.conf", "{}");
    let schema = schema_of(&sb);
    let properties = &schema["properties"];
    assert_eq!(properties["parallel"]["type"], "boolean");
    assert_eq!(properties["queue_batch"]["minimum"], 1);
    assert_eq!(properties["queue_batch"]["default"], 64);
    assert!(
        properties["queue_in_wait"]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Seconds between rescans of the input queue")),
        "{}",
        properties["queue_in_wait"]
    );
}

#[test]
fn help_config_lists_every_key_and_exits() {
    let (sb, _) = configured("backup", "etc/backup.conf", "{}");
    let run = run_untouched(&sb, &["--help-config"]);
    assert_eq!(run.code, 0, "{run:?}");
    let out = &run.stdout;
    assert!(out.starts_with("Configuration keys of backup:\n"), "{out}");
    for want in [
        "\nBuilt-in keys:\n",
        "  log_level  <one of \"trace\", \"debug\", \"info\", \"warning\", \"error\", \"critical\" (in any case)>  [default: \"info\"]  [option: --log-level]\n      Logging threshold\n",
        "\nKeys of the application:\n",
        "  keep  <integer>  [default: 7]  [option: --keep]\n      How many archives `prune` keeps.\n",
        "\nKeys of plugin 'prometheus':\n  prometheus_dir  <string or null>  [option: --prometheus-dir]\n",
        "  config_file  <string>  [default: ",
    ] {
        assert!(out.contains(want), "no {want:?} in:\n{out}");
    }
    let (sb, _) = configured("watch", "etc/watch.conf", "{}");
    let run = run_untouched(&sb, &["--help-config"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("  stop_timeout  <number>  [default: 30]\n"),
        "{}",
        run.stdout
    );
    // the variables that set keys, a configuration-only key's among them
    let (sb, _) = configured("fetch", "etc/fetch.conf", "{}");
    let run = run_untouched(&sb, &["--help-config"]);
    assert_eq!(run.code, 0, "{run:?}");
    for want in [
        "  log_filter  <string or null>  [option: --log-filter]  [env: RUST_LOG]\n",
        "  max_jobs  <integer>  [default: 4]  [option: --max-jobs]  [env: FETCH_JOBS]\n",
        "  share  <number>  [default: 0.5]  [env: FETCH_SHARE]\n",
    ] {
        assert!(run.stdout.contains(want), "no {want:?} in:\n{}", run.stdout);
    }
    // not a key files may set
    let (sb, conf) = configured("backup", "etc/backup.conf", "{\"help_config\": true}");
    let run = run_untouched(&sb, &["--action", "config-check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        lines(&run, "warning: "),
        [format!(
            "configuration key 'help_config' in {conf} is ignored: it cannot be set in a file"
        )]
    );
}

/// An application brought up in embedded mode, reading no file.
#[derive(zenkit::ZenApp, Default)]
#[zen(
    name = "tiny",
    defaults(config_file_silent = true, config_dir_silent = true)
)]
struct Tiny {
    /// How loud.
    #[zen(cli, default = 1)]
    level: u8,
}

#[zenkit::app]
impl Tiny {}

#[test]
fn embedded_an_inspection_finishes_early_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.conf").display().to_string();
    for action in ["config-check", "config-schema"] {
        let args = ["tiny", "--config-file", &missing, "--action", action];
        match zenkit::embed::<Tiny, _, _>(args) {
            Ok(_) => panic!("{action}: the application came up"),
            Err(err) => {
                assert_eq!(err.exit_code(), 0, "{action}: {err}");
                assert!(err.message().contains("finished early"), "{err}");
            }
        }
    }
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}
