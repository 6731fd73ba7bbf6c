//! End-to-end: configuration layers, errors and `config-view` on the built
//! `dusage` example.

mod support;

use support::Sandbox;

/// A sandbox whose tree to measure exists, with the configuration directory.
fn sandbox() -> Sandbox {
    let sb = Sandbox::new("dusage");
    sb.write("data/a.bin", "0123456789");
    std::fs::create_dir_all(sb.path("etc/dusage")).unwrap();
    sb
}

fn config_view(sb: &Sandbox, extra: &[&str]) -> String {
    let mut args = vec!["--action", "config-view"];
    args.extend_from_slice(extra);
    let run = sb.run(&args);
    assert_eq!(run.code, 0, "{run:?}");
    run.stdout
}

#[test]
fn four_layers_merge_deeply_in_precedence_order() {
    let sb = sandbox();
    sb.write(
        "etc/dusage/10-first.json.conf",
        r#"{"report": {"top": 2, "min_size": 7}, "max_bytes": 100, "path": "dir-10"}"#,
    );
    sb.write(
        "etc/dusage/20-second.json.conf",
        r#"{"path": "dir-20", "log_level": "debug"}"#,
    );
    sb.write(
        "etc/dusage/30-ignored.conf",
        r#"{"path": "not-a-json-conf"}"#,
    );
    sb.write(
        "etc/dusage.conf",
        "# comment line\n  // another comment\n{\"report\": {\"top\": 3}, \"max_bytes\": null, \"log_level\": \"warning\"}\n",
    );
    let out = config_view(&sb, &["--path", "from-cli"]);
    // file over dir, nested sibling kept from the dir
    assert!(out.contains("|   |-- min_size: 7\n"), "{out}");
    assert!(out.contains("|   `-- top: 3\n"), "{out}");
    // null in the file does not override the directory's value
    assert!(out.contains("|-- max_bytes: 100\n"), "{out}");
    // later directory file over earlier, file over directory
    assert!(out.contains("|-- log_level: warning\n"), "{out}");
    // command line over everything
    assert!(out.contains("|-- path: from-cli\n"), "{out}");
    assert!(!out.contains("not-a-json-conf"), "{out}");
    // __core__ is built from the merged values
    assert!(out.contains("level: WARNING"), "{out}");
}

#[test]
fn verbose_config_view_names_the_layer_of_each_value() {
    let sb = sandbox();
    sb.write("etc/dusage/10-a.json.conf", "{\n  \"max_bytes\": 5\n}\n");
    let file = sb.write("etc/dusage.conf", "{\"report\": {\"top\": 1}}");
    let out = config_view(&sb, &["-v", "--path", "x"]);
    let dir_file = sb.path("etc/dusage/10-a.json.conf");
    assert!(
        out.contains(&format!("max_bytes: 5  [{}:2:16]", dir_file.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("top: 1  [{}:1:20]", file.display())),
        "{out}"
    );
    assert!(out.contains("path: x  [command line]"), "{out}");
    assert!(out.contains("min_size: 0  [default]"), "{out}");
}

#[test]
fn missing_configuration_file_is_a_configuration_error_unless_silent() {
    let sb = sandbox();
    let run = sb.run(&["--path", "data"]);
    assert_eq!(run.code, 78, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(
        lines[0].contains(" CRITICAL ERROR: configuration file "),
        "{run:?}"
    );
    assert!(lines[0].contains("dusage.conf does not exist"), "{run:?}");
    assert!(lines[0].contains("--config-file-silent"), "{run:?}");

    let run = sb.run(&["--path", "data", "--config-file-silent"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("10 bytes in 1 files"), "{run:?}");
}

#[test]
fn missing_configuration_directory_is_an_error_unless_silent() {
    let sb = Sandbox::new("dusage");
    sb.write("etc/dusage.conf", "{}");
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(run.stderr.contains("configuration directory"), "{run:?}");
    let run = sb.run(&["--config-dir-silent", "--action", "config-view"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn malformed_json_is_one_line_naming_file_line_and_column() {
    let sb = sandbox();
    let file = sb.write(
        "etc/dusage.conf",
        "# settings\n{\n  \"path\": \"data\",\n  \"max_bytes\": 12,,\n}\n",
    );
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(
        lines[0].contains(&format!("{}:4:19: malformed JSON", file.display())),
        "{run:?}"
    );
}

#[test]
fn wrong_type_names_file_position_and_key_path() {
    let sb = sandbox();
    let file = sb.write(
        "etc/dusage.conf",
        "{\n  \"report\": {\"top\": \"many\"}\n}\n",
    );
    let run = sb.run(&[]);
    assert_eq!(run.code, 78, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    let expected = format!(
        "{}:2:21: configuration key 'report.top': invalid type: string \"many\"",
        file.display()
    );
    assert!(lines[0].contains(&expected), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
}

#[test]
fn bad_command_line_value_is_a_usage_error() {
    let sb = sandbox();
    let run = sb.run(&["--max-bytes", "lots"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(run.stderr.contains("--max-bytes"), "{run:?}");
}

#[test]
fn help_groups_common_options_apart_and_lists_actions() {
    let sb = sandbox();
    let run = sb.run(&["--help"]);
    assert_eq!(run.code, 0, "{run:?}");
    let out = &run.stdout;
    let options = out.find("Options:").expect("author options");
    let common = out.find("Common options:").expect("common options");
    assert!(options < common, "{out}");
    assert!(
        out[options..common].contains("--max-bytes <MAX_BYTES>"),
        "{out}"
    );
    assert!(
        out[options..common].contains("Fail when the tree is larger"),
        "{out}"
    );
    for builtin in [
        "--config-file <FILE>",
        "--pstate-dump",
        "--runlog-dir <DIR>",
        "--log-level <LEVEL>",
    ] {
        assert!(
            out[common..].contains(builtin),
            "{builtin} missing in {out}"
        );
    }
    assert!(out.contains("config-view"), "{out}");
    assert!(out.contains("last"), "{out}");
    let run = sb.run(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains(env!("CARGO_PKG_VERSION")), "{run:?}");
}
