//! End-to-end: the command line of the built `backup` example as a user
//! meets it: help with defaults, possible values and colour, commands as
//! subcommands with arguments of their own, shell completions and the
//! manual page.

mod support;

use std::process::Command;

use support::{dumped, Run, Sandbox, RUNLOG_DUMP};

/// A backup sandbox with a source tree, a configuration naming it and an
/// archive of it made by `create`; returns the archive's file name.
fn with_archive() -> (Sandbox, String) {
    let sb = Sandbox::new("backup");
    sb.write("data/a.txt", "alpha\n");
    sb.write("data/sub/b.txt", "beta\n");
    std::fs::create_dir_all(sb.path("archives")).unwrap();
    std::fs::create_dir_all(sb.path("etc/backup")).unwrap();
    sb.write(
        "etc/backup.conf",
        &format!(
            "{{\"source\": \"{}\", \"target\": \"{}\"}}",
            sb.path("data").display(),
            sb.path("archives").display()
        ),
    );
    let run = sb.run(&["create", "--time-high", "2026-11-20T00:00:00Z"]);
    assert_eq!(run.code, 0, "{run:?}");
    (sb, "snapshot-20261120T000000Z.tar".to_string())
}

/// Every file below the sandbox's root, relative to it, sorted.
fn files(sb: &Sandbox) -> Vec<String> {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(sb.root(), sb.root(), &mut out);
    out.sort();
    out
}

#[test]
fn help_lists_the_commands_and_help_command_shows_one() {
    let sb = Sandbox::new("backup");
    let run = sb.run(&["help"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Usage: backup [OPTIONS] [COMMAND]"),
        "{run:?}"
    );
    let commands = run.stdout.find("Commands:\n").expect("a list of commands");
    let list = &run.stdout[commands..];
    for command in ["create", "prune", "restore", "list", "help"] {
        assert!(
            list.contains(&format!("\n  {command} ")),
            "{command}: {run:?}"
        );
    }
    assert!(
        run.stdout.contains("Without a command, 'list' runs."),
        "{run:?}"
    );

    let help = sb.run(&["help", "restore"]);
    assert_eq!(help.code, 0, "{help:?}");
    let out = &help.stdout;
    assert!(
        out.starts_with("Unpacks an archive of the target directory"),
        "{out}"
    );
    assert!(
        out.contains("Usage: backup restore [OPTIONS] <ARCHIVE>"),
        "{out}"
    );
    assert!(out.contains("Archive to unpack: its file name"), "{out}");
    // the command's own options first, then the ones every command shares
    let dry_run = out.find("-n, --dry-run").expect("--dry-run");
    let into = out.find("--into <INTO>").expect("--into");
    let shared = out.find("--source <SOURCE>").expect("--source");
    assert!(into < dry_run && dry_run < shared, "{out}");
    assert_eq!(sb.run(&["restore", "--help"]).stdout, help.stdout);
    // asking for help writes nothing
    assert!(files(&sb).is_empty(), "{:?}", files(&sb));
}

#[test]
fn restore_takes_its_archive_and_options_of_its_own() {
    let (sb, archive) = with_archive();
    let run = sb.run(&["restore", &archive, "--dry-run", "--runlog-dump"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("would restore ./a.txt"), "{run:?}");
    assert!(run.stdout.contains("would restore ./sub/b.txt"), "{run:?}");
    let runlog = dumped(&run.stdout, RUNLOG_DUMP);
    assert_eq!(runlog["command"], "restore");
    assert_eq!(
        runlog["arguments"],
        serde_json::json!({"archive": archive, "dry_run": true})
    );
    assert_eq!(runlog["restore"]["files"], 2);
    assert_eq!(runlog["restore"]["restored"], false);
    assert!(!sb.path("out").exists());

    // shared options before and after the command, its own after it
    let into = sb.path("out");
    let run = sb.run(&[
        "-v",
        "restore",
        "--into",
        &into.to_string_lossy(),
        &archive,
        "--runlog-dump",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("restored 2 files into"), "{run:?}");
    assert_eq!(sb.read("out/a.txt"), "alpha\n");
    assert_eq!(sb.read("out/sub/b.txt"), "beta\n");
    assert_eq!(
        dumped(&run.stdout, RUNLOG_DUMP)["arguments"],
        serde_json::json!({"archive": archive, "into": into})
    );
    // -n is --dry-run
    assert!(sb
        .run(&["restore", "-n", &archive])
        .stdout
        .contains("would restore"));

    // a command's option is not one of the others
    let run = sb.run(&["list", "--dry-run"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(
        run.stderr.contains("unexpected argument '--dry-run'"),
        "{run:?}"
    );
}

#[test]
fn a_command_that_needs_arguments_cannot_be_selected_alone() {
    let (sb, _) = with_archive();
    let run = sb.run(&["restore"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(
        run.stderr
            .contains("the following required arguments were not provided")
            && run.stderr.contains("<ARCHIVE>"),
        "{run:?}"
    );
    let expected = "command 'restore' needs ARCHIVE, which only its own command line gives: run `backup restore ARCHIVE` instead of selecting it with --command or the 'command' key";
    let run = sb.run(&["--command", "restore", "--shell"]);
    assert_eq!(run.code, 64, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(lines[0].ends_with(expected), "{run:?}");
    // the same from the configuration; a command without arguments still runs
    let conf = sb.write("etc/backup/command.json.conf", "{\"command\": \"restore\"}");
    let located = format!(
        "{}:1:13: configuration key 'command': {expected}",
        conf.display()
    );
    let run = sb.run(&["--shell"]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(run.stderr.contains(&located), "{run:?}");
    // and a check of the configuration says so
    let run = sb.run(&["--action", "config-check"]);
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        run.stderr.contains(&format!("error: {located}\n")),
        "{run:?}"
    );
    let run = sb.run(&["restore", "x.tar", "--action", "config-check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sb.run(&["--shell", "--command", "list"]).code, 0);
}

#[test]
fn help_shows_defaults_and_possible_values() {
    let sb = Sandbox::new("backup");
    for flag in ["-h", "--help"] {
        let run = sb.run(&[flag]);
        assert_eq!(run.code, 0, "{run:?}");
        // the words, whatever the wrapping
        let out = &run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        for shown in [
            "File names start with this prefix [default: snapshot]",
            "How many archives `prune` keeps [default: 7]",
            "Logging threshold [default: info]",
            "[possible values: trace, debug, info, warning, error, critical]",
            "[default: list]",
            &format!(
                "Log file [default: {}/var/log/backup.log]",
                sb.root().display()
            ),
        ] {
            assert!(out.contains(shown), "{flag}: {shown} in {out}");
        }
        // false, null and empty defaults and counters at zero show nothing
        assert!(!out.contains("[default: false]"), "{out}");
        assert!(!out.contains("[default: 0]"), "{out}");
        assert!(!out.contains("[default: null]"), "{out}");
        // the plugin's option is there too
        assert!(out.contains("--prometheus-dir <DIR>"), "{out}");
    }
    // the long help lists the actions with their help, wrapped to the width
    let run = sb
        .command(&["--help"])
        .env("COLUMNS", "60")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(out.contains("- man:"), "{out}");
    assert!(out.contains("- completions:"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 60), "{out}");
}

/// Whether `text` holds an ANSI escape sequence.
fn coloured(text: &str) -> bool {
    text.contains("\u{1b}[")
}

#[test]
fn help_is_coloured_on_terminals_unless_no_color() {
    let sb = Sandbox::new("backup");
    let help = |env: &[(&str, &str)]| {
        let mut cmd = sb.command(&["--help"]);
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (key, value) in env {
            cmd.env(key, value);
        }
        let run: Run = cmd.output().unwrap().into();
        assert_eq!(run.code, 0, "{run:?}");
        run.stdout
    };
    assert!(!coloured(&help(&[])), "a pipe gets plain text");
    let forced = help(&[("CLICOLOR_FORCE", "1")]);
    assert!(coloured(&forced), "{forced}");
    assert!(forced.contains("Usage:"));
    assert!(!coloured(&help(&[
        ("CLICOLOR_FORCE", "1"),
        ("NO_COLOR", "1")
    ])));

    // a real terminal: script(1) runs the program on a pseudo-terminal
    let exe = support::example("backup");
    let on_tty = |no_color: bool| {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &format!("{} --help", exe.display()), "/dev/null"])
            .current_dir(sb.root())
            .env("APP_ROOT_PATH", sb.root())
            .env("TERM", "xterm-256color")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().expect("script(1) from util-linux runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tty = on_tty(false);
    assert!(coloured(&tty) && tty.contains("Usage"), "{tty}");
    let plain = on_tty(true);
    assert!(!coloured(&plain) && plain.contains("Usage"), "{plain}");
}

#[test]
fn bash_loads_the_completions_which_know_commands_and_plugin_options() {
    let sb = Sandbox::new("backup");
    let exe = support::example("backup");
    let script = sb.run(&["--action", "completions", "--input", "bash"]);
    assert_eq!(script.code, 0, "{script:?}");
    for word in ["restore", "--dry-run", "--prometheus-dir", "--log-level"] {
        assert!(script.stdout.contains(word), "{word}: {script:?}");
    }
    let out = Command::new("bash")
        .args([
            "-c",
            "source <(\"$0\" --action completions --input bash) && complete -p backup",
            &exe.to_string_lossy(),
        ])
        .env("APP_ROOT_PATH", sb.root())
        .output()
        .unwrap();
    let run: Run = out.into();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("complete ") && run.stdout.contains(" -F _backup "),
        "{run:?}"
    );
    assert!(run.stdout.trim_end().ends_with(" backup"), "{run:?}");
    // the completions are printed from the command line alone: no file
    assert!(files(&sb).is_empty(), "{:?}", files(&sb));
}

#[test]
fn zsh_and_fish_completions_name_the_options() {
    let sb = Sandbox::new("backup");
    for shell in ["zsh", "fish"] {
        let run = sb.run(&["--action", "completions", "--input", shell]);
        assert_eq!(run.code, 0, "{run:?}");
        for word in ["restore", "dry-run", "prometheus-dir", "keep"] {
            assert!(run.stdout.contains(word), "{shell}: {word} in {run:?}");
        }
    }
    let run = sb.run(&["--action", "completions"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(
        run.stderr.contains(
            "--action completions needs the shell: give --input with one of bash, zsh, fish"
        ),
        "{run:?}"
    );
    let run = sb.run(&["--action", "completions", "--input", "tcsh"]);
    assert_eq!(run.code, 64, "{run:?}");
    assert!(files(&sb).is_empty(), "{:?}", files(&sb));
}

#[test]
fn man_renders_the_page_with_commands_and_plugin_options() {
    let sb = Sandbox::new("backup");
    let run = sb.run(&["--action", "man"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(".TH backup"), "{run:?}");
    assert!(files(&sb).is_empty(), "{:?}", files(&sb));
    let page = sb.write("backup.1", &run.stdout);
    let out = Command::new("bash")
        .args(["-c", "man -l \"$0\" | col -b", &page.to_string_lossy()])
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    let run: Run = out.into();
    assert_eq!(run.code, 0, "{run:?}");
    let text = &run.stdout;
    for shown in [
        "NAME",
        "backup - Snapshots a directory into timestamped tar archives",
        "SYNOPSIS",
        "--prometheus-dir",
        "--log-level",
        "[default: snapshot]",
        "COMMANDS",
        "backup restore [OPTIONS] <ARCHIVE>",
        "Archive to unpack: its file name in the target directory",
        "-n, --dry-run",
        "backup list [OPTIONS]",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    assert!(run.stderr.trim().is_empty(), "man complains: {run:?}");
}

#[test]
fn the_pages_are_for_the_command_line_only() {
    let sb = Sandbox::new("backup");
    let conf = sb.write("etc/backup.conf", "{\"action\": \"man\"}");
    std::fs::create_dir_all(sb.path("etc/backup")).unwrap();
    let run = sb.run(&["--shell"]);
    // the file is wrong: a configuration error where it says so
    assert_eq!(run.code, 78, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{}:1:12: configuration key 'action': action 'man' is answered from the command line alone: run `backup --action man`",
            conf.display()
        )),
        "{run:?}"
    );
}
