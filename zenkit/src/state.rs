//! The persistent state: a JSON object kept in `pstate_file` between runs.
//!
//! It is read at setup (an absent file gives an empty state) and written back
//! at teardown, atomically, with sorted keys and a 4-space indent, so the file
//! stays readable by pyzenkit applications and by people.

use std::io::ErrorKind as IoErrorKind;
use std::path::Path;

use serde_json::{Map, Value};

use crate::{Error, Result};

/// Reads the persistent state from `path`.
///
/// An absent file gives an empty state. A file that cannot be read, is not
/// valid JSON or does not hold a JSON object is a set-up error naming the file
/// (and the line and column of a syntax error).
pub fn load(path: &Path) -> Result<Map<String, Value>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == IoErrorKind::NotFound => return Ok(Map::new()),
        Err(err) => {
            return Err(Error::setup(format!(
                "cannot read persistent state file {}: {err}",
                path.display()
            )))
        }
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(state)) => Ok(state),
        Ok(other) => Err(Error::setup(format!(
            "persistent state file {} holds {}, not a JSON object; fix or remove the file",
            path.display(),
            json_kind(&other)
        ))),
        Err(err) => Err(Error::setup(format!(
            "persistent state file {} is not valid JSON; fix or remove the file",
            json_error_location(path, &err)
        ))),
    }
}

/// Writes the persistent state to `path` atomically (sorted keys, 4-space
/// indent). Missing parent directories are created.
pub fn save(path: &Path, state: &Map<String, Value>) -> Result<()> {
    crate::fs::write_json_atomic(path, &Value::Object(state.clone())).map_err(|err| {
        Error::msg(format!(
            "cannot write persistent state file {}: {err}",
            path.display()
        ))
    })
}

/// `<file>:<line>:<column>: <what is wrong>` for a JSON syntax error in `path`.
pub(crate) fn json_error_location(path: &Path, err: &serde_json::Error) -> String {
    let full = err.to_string();
    // serde_json appends " at line L column C"; the position is already in front.
    let what = match full.rfind(" at line ") {
        Some(at) if err.line() > 0 => &full[..at],
        _ => full.as_str(),
    };
    format!("{}:{}:{}: {what}", path.display(), err.line(), err.column())
}

/// The kind of a JSON value, with an article, for error messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    #[test]
    fn absent_file_gives_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        let state = load(&dir.path().join("app.pstate")).unwrap();
        assert!(state.is_empty());
    }

    #[test]
    fn saves_sorted_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run/app.pstate");
        let mut state = Map::new();
        state.insert("zeta".into(), json!(1));
        state.insert("alpha".into(), json!({"b": [1, 2], "a": null}));
        save(&path, &state).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\n    \"alpha\": {\n        \"a\": null,\n        \"b\": [\n            1,\n            2\n        ]\n    },\n    \"zeta\": 1\n}\n"
        );
        assert_eq!(load(&path).unwrap(), state);
    }

    #[test]
    fn malformed_file_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pstate");
        std::fs::write(&path, "{\n    \"counter\": 1,\n    oops\n}\n").unwrap();
        let err = load(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        let expected_start = format!("persistent state file {}:3:5: ", path.display());
        assert!(
            err.message().starts_with(&expected_start),
            "{}",
            err.message()
        );
        assert!(
            err.message()
                .ends_with("is not valid JSON; fix or remove the file"),
            "{}",
            err.message()
        );
        assert!(!err.message().contains(" at line "), "{}", err.message());
        assert!(!err.message().contains('\n'));
    }

    #[test]
    fn empty_file_is_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pstate");
        std::fs::write(&path, "").unwrap();
        let err = load(&path).unwrap_err();
        assert!(
            err.message().contains("is not valid JSON"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn non_object_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pstate");
        std::fs::write(&path, "[1, 2]\n").unwrap();
        let err = load(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert_eq!(
            err.message(),
            format!(
                "persistent state file {} holds an array, not a JSON object; fix or remove the file",
                path.display()
            )
        );
    }

    #[test]
    fn unreadable_path_is_a_setup_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert!(err.message().contains(&dir.path().display().to_string()));
    }

    #[test]
    fn save_failure_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let path = blocker.join("app.pstate");
        let err = save(&path, &Map::new()).unwrap_err();
        assert!(
            err.message().contains(&path.display().to_string()),
            "{}",
            err.message()
        );
    }
}
