//! Applications built against zenkit without its optional features: the
//! trybuild cases in `tests/ui` show that a plain application builds, runs
//! and prints its runlog tables as tab-separated lines, that a script or a
//! daemon is one compile error naming the feature it needs, and that the
//! built-in actions of features that are off are refused.
