//! Applications built against zenkit with only its `script` feature: the
//! trybuild cases in `tests/ui` show that such a script builds and runs,
//! that what needs a feature that is off is one compile error naming it,
//! and that the built-in actions of features that are off are refused.
