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
    let actions = table("pub(crate) const BUILTIN_ACTIONS");
    for action in zenkit::actions::BUILTIN_ACTIONS {
        assert!(
            actions.contains(&format!("\"{}\"", action.name)),
            "action `{}` is missing from BUILTIN_ACTIONS",
            action.name
        );
    }
}
