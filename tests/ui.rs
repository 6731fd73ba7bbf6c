//! Compile-time tests of the macros: programs that must build and pass
//! their own run-time assertions, and misuses that must fail with the
//! reviewed messages in the `.stderr` files beside them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/*/pass/*.rs");
    t.compile_fail("tests/ui/*/fail/*.rs");
}

/// The macros reject names that clash with the runtime's built-in options,
/// keys and actions (a script's own options only in scripts) from their own
/// copy of those lists (a proc-macro crate cannot depend on the runtime);
/// this keeps the copy in step.
#[test]
fn macro_builtin_lists_match_the_runtime() {
    let source = include_str!("../zenkit-macros/src/check.rs");
    let table = |name: &str| {
        let start = source
            .find(name)
            .unwrap_or_else(|| panic!("{name} not found"));
        let len = source[start..].find("];").expect("end of the list");
        &source[start..start + len]
    };
    // (key, long option, short option) of each built-in option
    type Row = (String, Option<String>, Option<char>);
    let rows = |kind| -> Vec<Row> {
        zenkit::cli::builtin_args(kind)
            .iter()
            .map(|a| {
                let long = a.get_long().map(str::to_string);
                (a.get_id().to_string(), long, a.get_short())
            })
            .collect()
    };
    let check = |rows: &[Row], table: &str, name: &str| {
        for (id, long, short) in rows {
            assert!(
                table.contains(&format!("\"{id}\"")),
                "key `{id}` is missing from {name}"
            );
            if let Some(long) = long {
                assert!(
                    table.contains(&format!("\"{long}\"")),
                    "`--{long}` is missing from {name}"
                );
            }
            if let Some(short) = short {
                assert!(
                    table.contains(&format!("'{short}'")),
                    "`-{short}` is missing from {name}"
                );
            }
        }
    };
    let base = rows(zenkit::AppKind::Base);
    check(&base, table("pub(crate) const BUILTINS"), "BUILTINS");
    // a script's own options clash only with a script's names
    let script_only: Vec<Row> = rows(zenkit::AppKind::Script)
        .into_iter()
        .filter(|row| !base.contains(row))
        .collect();
    assert!(!script_only.is_empty(), "scripts have options of their own");
    check(
        &script_only,
        table("pub(crate) const SCRIPT_BUILTINS"),
        "SCRIPT_BUILTINS",
    );
    // likewise a daemon's, and its configuration-only keys
    let daemon_only: Vec<Row> = rows(zenkit::AppKind::Daemon)
        .into_iter()
        .filter(|row| !base.contains(row))
        .collect();
    assert!(!daemon_only.is_empty(), "daemons have options of their own");
    let daemon_table = table("pub(crate) const DAEMON_BUILTINS");
    check(&daemon_only, daemon_table, "DAEMON_BUILTINS");
    let paths = zenkit::paths::Paths::resolve(
        std::path::Path::new("/"),
        &zenkit::paths::PathOverrides::default(),
    );
    let daemon_keys = zenkit::runner::daemon_defaults("demo", &paths);
    for key in daemon_keys.keys() {
        assert!(
            daemon_table.contains(&format!("\"{key}\"")),
            "key `{key}` is missing from DAEMON_BUILTINS"
        );
    }
    let table_keys = ["flag(\"", "value(\"", "b(Some(\""]
        .iter()
        .map(|row| daemon_table.matches(row).count())
        .sum::<usize>();
    assert_eq!(
        table_keys,
        daemon_keys.len(),
        "DAEMON_BUILTINS has a key daemons do not have"
    );
    let actions = table("pub(crate) const BUILTIN_ACTIONS");
    for action in zenkit::actions::BUILTIN_ACTIONS {
        assert!(
            actions.contains(&format!("\"{}\"", action.name)),
            "action `{}` is missing from BUILTIN_ACTIONS",
            action.name
        );
    }
}

/// `#[on_signal(SIGX)]` registers the handler under the event the runtime
/// turns SIGX into; the macros' own table of signals and events must agree
/// with it.
#[test]
fn macro_signal_events_match_the_runtime() {
    let source = include_str!("../zenkit-macros/src/signal.rs");
    let start = source.find("pub(crate) const SIGNALS").expect("SIGNALS");
    let end = start + source[start..].find("];").expect("end of SIGNALS");
    let mut seen = 0;
    for line in source[start..end].lines() {
        let Some(row) = line.trim().strip_prefix("(\"") else {
            continue;
        };
        let (name, rest) = row.split_once("\", \"").expect("a (name, event) row");
        let event = rest.trim_end_matches("\"),");
        let signal = zenkit::daemon::event_signal(event)
            .unwrap_or_else(|| panic!("the runtime knows no signal for event `{event}` ({name})"));
        assert_eq!(
            zenkit::daemon::signal_event(signal),
            event,
            "event of {name}"
        );
        seen += 1;
    }
    assert!(seen >= 20, "only {seen} signals read");
}
