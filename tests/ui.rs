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
/// keys and actions from their own copy of those lists (a proc-macro crate
/// cannot depend on the runtime); this keeps the copy in step.
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
    let options = table("pub(crate) const BUILTINS");
    for arg in zenkit::cli::builtin_args(zenkit::AppKind::Base) {
        let id = arg.get_id().as_str();
        assert!(
            options.contains(&format!("\"{id}\"")),
            "key `{id}` is missing from BUILTINS"
        );
        if let Some(long) = arg.get_long() {
            assert!(
                options.contains(&format!("\"{long}\"")),
                "`--{long}` is missing from BUILTINS"
            );
        }
        if let Some(short) = arg.get_short() {
            assert!(
                options.contains(&format!("'{short}'")),
                "`-{short}` is missing from BUILTINS"
            );
        }
    }
    let actions = table("pub(crate) const BUILTIN_ACTIONS");
    for action in zenkit::actions::BUILTIN_ACTIONS {
        assert!(
            actions.contains(&format!("\"{}\"", action.name)),
            "action `{}` is missing from BUILTIN_ACTIONS",
            action.name
        );
    }
}
