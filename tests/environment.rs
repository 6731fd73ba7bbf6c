//! End-to-end: `.env` files, privileges, debug output and logging of the
//! state and runlog, on the built examples.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use support::{dumped, Sandbox, RUNLOG_DUMP};

/// Makes `path` a `.env` file zenkit trusts whatever the umask: not
/// writable by its group or others.
fn not_shared(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn config_file_line(out: &str) -> &str {
    out.lines()
        .find(|l| l.contains("config_file: "))
        .unwrap_or_else(|| panic!("{out}"))
}

#[test]
fn dotenv_files_set_the_root_without_overriding_the_environment() {
    let sb = Sandbox::new("dusage");
    let local = sb.path("from-local");
    let plain = sb.path("from-env");
    not_shared(&sb.write(
        ".env.local",
        &format!("APP_ROOT_PATH={}\n", local.display()),
    ));
    not_shared(&sb.write(
        ".env",
        &format!("# root\nexport APP_ROOT_PATH=\"{}\"\n", plain.display()),
    ));
    let args = [
        "--action",
        "config-view",
        "--config-file-silent",
        "--config-dir-silent",
    ];

    let run = run_without_root(&sb, &args);
    assert_eq!(run.code, 0, "{run:?}");
    let expected = format!("config_file: {}/etc/dusage.conf", local.display());
    assert!(
        config_file_line(&run.stdout).ends_with(&expected),
        "{run:?}"
    );

    std::fs::remove_file(sb.path(".env.local")).unwrap();
    let run = run_without_root(&sb, &args);
    let expected = format!("config_file: {}/etc/dusage.conf", plain.display());
    assert!(
        config_file_line(&run.stdout).ends_with(&expected),
        "{run:?}"
    );

    // a variable already set wins over the files
    let run = sb.run(&args);
    let expected = format!("config_file: {}/etc/dusage.conf", sb.root().display());
    assert!(
        config_file_line(&run.stdout).ends_with(&expected),
        "{run:?}"
    );
}

/// Whether `line` is a console warning before logging starts:
/// `YYYY-mm-dd HH:MM:SS,mmm WARNING: <text>`.
fn is_early_warning(line: &str) -> bool {
    let shape = "dddd-dd-dd dd:dd:dd,ddd WARNING: ";
    line.len() > shape.len()
        && line.bytes().zip(shape.bytes()).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            _ => c == s,
        })
}

/// Runs the program with `APP_ROOT_PATH` unset, as the `.env` files set it.
fn run_without_root(sb: &Sandbox, args: &[&str]) -> support::Run {
    sb.command(args)
        .env_remove("APP_ROOT_PATH")
        .output()
        .unwrap()
        .into()
}

#[test]
fn dotenv_files_of_other_users_are_skipped_with_a_warning() {
    if !support::running_as_root("dotenv_files_of_other_users_are_skipped_with_a_warning") {
        return;
    }
    let nobody = support::nobody();
    let sb = Sandbox::new("demo_app");
    let root = sb.root().canonicalize().unwrap();
    let planted = root.join("planted");
    let env_file = sb.write(".env", &format!("APP_ROOT_PATH={}\n", planted.display()));
    not_shared(&env_file);
    std::os::unix::fs::chown(&env_file, Some(nobody.uid.as_raw()), None).unwrap();
    let args = ["--action", "config-view"];
    let config_file = |root: &Path| format!("config_file: {}/tmp/demo_app.conf", root.display());
    let warning = format!(
        " WARNING: {} not read: owned by nobody (uid {}), neither root nor the user running the program (uid 0)",
        root.join(".env").display(),
        nobody.uid
    );

    // with the root in the environment and without: the file is not read
    for unset in [false, true] {
        let mut cmd = sb.command(&args);
        if unset {
            cmd.env_remove("APP_ROOT_PATH");
        }
        let run: support::Run = cmd.output().unwrap().into();
        assert_eq!(run.code, 0, "{run:?}");
        let warnings: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("WARNING"))
            .collect();
        assert_eq!(warnings.len(), 1, "{run:?}");
        assert!(is_early_warning(warnings[0]), "{run:?}");
        assert!(warnings[0].ends_with(&warning), "{run:?}");
        // the environment's root, or demo_app's default, the working directory
        let used = if unset {
            root.clone()
        } else {
            sb.root().to_path_buf()
        };
        assert!(
            config_file_line(&run.stdout).ends_with(&config_file(&used)),
            "{run:?}"
        );
    }

    // the same file owned by root is read
    std::os::unix::fs::chown(&env_file, Some(0), None).unwrap();
    let run = run_without_root(&sb, &args);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("WARNING"), "{run:?}");
    assert!(
        config_file_line(&run.stdout).ends_with(&config_file(&planted)),
        "{run:?}"
    );
}

#[test]
fn quiet_runs_log_unknown_keys_and_debug_dumps_setup() {
    let sb = Sandbox::new("demo_app");
    let conf = sb.write(
        "tmp/demo_app.conf",
        r#"{"colour": "blue", "counter_limit": 3}"#,
    );
    let run = sb.run(&["--debug", "--quiet"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("unknown key"), "{run:?}");
    let log = sb.read("tmp/demo_app.log");
    for key in ["colour", "counter_limit"] {
        let warning = format!("WARNING: {}:1:", conf.display());
        let line = log
            .lines()
            .find(|l| l.contains(&format!("configuration key '{key}': unknown key")))
            .unwrap_or_else(|| panic!("{key}: {log}"));
        assert!(line.contains(&warning), "{line}");
    }
    for dump in [
        "System paths >>>",
        "Final application configurations >>>",
        "Loaded persistent state >>>",
    ] {
        assert!(run.stderr.contains(dump), "{dump} missing: {run:?}");
    }
    let run = sb.run(&["--quiet"]);
    assert!(!run.stderr.contains("DBGOUT"), "{run:?}");
}

#[test]
fn state_and_runlog_can_go_to_the_log() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--quiet", "--pstate-log", "--runlog-log"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    let log = sb.read("tmp/demo_app.log");
    assert!(
        log.contains("INFO: Application persistent state >>>\n{\n    \"counter\": 1\n}"),
        "{log}"
    );
    assert!(log.contains("INFO: Application runlog >>>\n{"), "{log}");
}

#[test]
fn unknown_user_is_a_setup_error() {
    let sb = Sandbox::new("demo_app");
    let run = sb.run(&["--user", "no-such-user-zenkit"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(
        lines[0].contains("CRITICAL ERROR: ") && lines[0].contains("no-such-user-zenkit"),
        "{run:?}"
    );
    assert!(!sb.path("tmp/demo_app.pstate").exists());
}

#[test]
fn files_are_written_by_the_dropped_user() {
    if !support::running_as_root("files_are_written_by_the_dropped_user") {
        return;
    }
    let nobody = support::nobody();
    let nogroup = nix::unistd::Group::from_name("nogroup")
        .unwrap()
        .expect("group nogroup");
    let sb = Sandbox::new("demo_app");
    std::fs::set_permissions(sb.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(sb.path("tmp")).unwrap();
    std::fs::set_permissions(sb.path("tmp"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = sb.run(&["--user", "nobody", "--group", "nogroup", "--runlog-dump"]);
    assert_eq!(run.code, 0, "{run:?}");
    let runlog = dumped(&run.stdout, RUNLOG_DUMP);
    assert_eq!(runlog["result"], "success");
    for file in ["tmp/demo_app.pstate", "tmp/demo_app.log"] {
        let meta = std::fs::metadata(sb.path(file)).unwrap();
        assert_eq!(meta.uid(), nobody.uid.as_raw(), "{file} owner");
        assert_eq!(meta.gid(), nogroup.gid.as_raw(), "{file} group");
        assert_eq!(meta.mode() & 0o022, 0, "{file} is group/world writable");
    }
    let runlog_file = &sb.runlogs("tmp/demo_app")[0];
    assert_eq!(
        std::fs::metadata(runlog_file).unwrap().uid(),
        nobody.uid.as_raw()
    );
}
