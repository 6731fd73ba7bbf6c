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
/// keys and actions (a script's or a daemon's own names only in scripts or
/// daemons) from their own copy of those lists (a proc-macro crate cannot
/// depend on the runtime); this keeps the copy in step.
#[test]
fn macro_builtin_lists_match_the_runtime() {
    use std::collections::BTreeSet;

    let source = include_str!("../zenkit-macros/src/check.rs");
    let table = |name: &str| {
        let start = source
            .find(name)
            .unwrap_or_else(|| panic!("{name} not found"));
        let len = source[start..].find("];").expect("end of the list");
        &source[start..start + len]
    };
    // the configuration keys of a table's rows: the first argument of
    // `flag("key", ..)`, `value("key", ..)` and `b(Some("key"), ..)`
    let table_keys = |table: &str| -> BTreeSet<String> {
        let text: String = table.split_whitespace().collect();
        let mut keys = BTreeSet::new();
        for row in ["flag(\"", "value(\"", "b(Some(\""] {
            for (at, _) in text.match_indices(row) {
                let rest = &text[at + row.len()..];
                keys.insert(rest[..rest.find('"').expect("a key")].to_string());
            }
        }
        keys
    };
    // (key, long option, its aliases, short option) of each option
    type Row = (String, Option<String>, Vec<String>, Option<char>);
    let rows = |kind| -> Vec<Row> {
        zenkit::cli::builtin_args(kind)
            .iter()
            .map(|a| {
                assert_eq!(a.get_all_short_aliases(), None, "{}", a.get_id());
                let aliases = a.get_all_aliases().unwrap_or_default();
                (
                    a.get_id().to_string(),
                    a.get_long().map(str::to_string),
                    aliases.into_iter().map(str::to_string).collect(),
                    a.get_short(),
                )
            })
            .collect()
    };
    let builtins = table("pub(crate) const BUILTINS");
    let base_keys = table_keys(builtins);
    // an option of a kind's own may set a key every application has (a
    // daemon's `--pid-file`): that key is in `BUILTINS`
    let check = |rows: &[Row], table: &str, name: &str| {
        let keys = table_keys(table);
        let text: String = table.split_whitespace().collect();
        for (id, long, aliases, short) in rows {
            assert!(
                keys.contains(id) || base_keys.contains(id),
                "key `{id}` is missing from {name}"
            );
            if let Some(long) = long {
                assert!(
                    table.contains(&format!("\"{long}\"")),
                    "`--{long}` is missing from {name}"
                );
            }
            for alias in aliases {
                assert!(
                    text.contains(&format!(".alias(\"{alias}\")")),
                    "alias `--{alias}` is missing from {name}"
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
    check(&base, builtins, "BUILTINS");
    // a script's own options clash only with a script's names
    let script_only: Vec<Row> = rows(zenkit::AppKind::Script)
        .into_iter()
        .filter(|row| !base.contains(row))
        .collect();
    assert!(!script_only.is_empty(), "scripts have options of their own");
    let script_table = table("pub(crate) const SCRIPT_BUILTINS");
    check(&script_only, script_table, "SCRIPT_BUILTINS");
    // likewise a daemon's
    let daemon_only: Vec<Row> = rows(zenkit::AppKind::Daemon)
        .into_iter()
        .filter(|row| !base.contains(row))
        .collect();
    assert!(!daemon_only.is_empty(), "daemons have options of their own");
    let daemon_table = table("pub(crate) const DAEMON_BUILTINS");
    check(&daemon_only, daemon_table, "DAEMON_BUILTINS");

    // each table has exactly the configuration keys of its kind, those
    // without an option too
    let paths = zenkit::paths::Paths::resolve(
        std::path::Path::new("/"),
        &zenkit::paths::PathOverrides::default(),
    );
    let keys = |map: serde_json::Map<String, serde_json::Value>| -> BTreeSet<String> {
        map.into_iter().map(|(key, _)| key).collect()
    };
    assert_eq!(
        base_keys,
        keys(zenkit::runner::builtin_defaults("demo", &paths)),
        "keys of BUILTINS"
    );
    assert_eq!(
        table_keys(script_table),
        keys(zenkit::runner::script_defaults(None)),
        "keys of SCRIPT_BUILTINS"
    );
    assert_eq!(
        table_keys(daemon_table),
        keys(zenkit::runner::daemon_defaults("demo", &paths)),
        "keys of DAEMON_BUILTINS"
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
