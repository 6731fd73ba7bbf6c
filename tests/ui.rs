//! Compile-time tests of the macros: programs that must build and pass
//! their own run-time assertions, and misuses that must fail with the
//! reviewed messages in the `.stderr` files beside them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/*/pass/*.rs");
    t.compile_fail("tests/ui/*/fail/*.rs");
}
