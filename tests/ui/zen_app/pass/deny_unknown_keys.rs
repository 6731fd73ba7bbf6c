//! `#[zen(deny_unknown_keys)]`: a misspelled key, at the top or inside a
//! section, stops the application with a located configuration error.

use serde::{Deserialize, Serialize};
use zenkit::prelude::*;
use zenkit::ErrorKind;

#[derive(Serialize, Deserialize, Default)]
struct Limits {
    max_items: u32,
}

#[derive(ZenApp, Default)]
#[zen(deny_unknown_keys)]
struct Strict {
    /// Limits of a run.
    #[zen(config)]
    limits: Limits,
    /// Whom to greet.
    #[zen(cli, default = "world")]
    who: String,
}

impl Hooks for Strict {}

/// What bringing `Strict` up with configuration file text `text` says.
fn start(text: &str) -> Result<(), zenkit::Error> {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("strict.conf");
    std::fs::write(&file, text).unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let file = file.display().to_string();
    let args = ["strict", "--config-file", &file, "--config-dir-silent", "--quiet"];
    zenkit::embed::<Strict, _, _>(args).map(|_| ())
}

fn main() {
    assert!(start(r#"{"who": "you", "limits": {"max_items": 3}}"#).is_ok());
    let err = start("{\"whoo\": \"you\"}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(
        err.message().ends_with(":1:10: configuration key 'whoo': unknown key; did you mean 'who'?"),
        "{err}"
    );
    let err = start("{\"limits\": {\"max_items\": 3,\n \"max_itmes\": 4}}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(
        err.message().ends_with(
            ":2:15: configuration key 'limits.max_itmes': unknown key; did you mean 'max_items'?"
        ),
        "{err}"
    );
    assert_eq!(err.origin().and_then(|o| o.key.as_deref()), Some("limits.max_itmes"));
    assert_eq!(err.origin().map(|o| (o.line, o.column)), Some((2, 15)));
}
