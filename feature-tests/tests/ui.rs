//! zenkit without its optional features: a plain application builds and
//! runs, and what needs the `script` or `daemon` feature is one compile
//! error naming it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
