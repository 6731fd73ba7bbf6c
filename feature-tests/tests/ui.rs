//! zenkit with only its `script` feature: a script builds and runs, and
//! what needs the `daemon` feature is one compile error naming it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
