//! The persistent state: a JSON object kept in `pstate_file` between runs.
//!
//! It is read at setup (an absent file gives an empty state) and written back
//! at teardown, atomically, with sorted keys and a 4-space indent, so the file
//! stays readable by pyzenkit applications and by people.

use std::path::Path;

use serde_json::{Map, Value};

use crate::fs::{read_json_object_as, write_json_atomic_with_mode, JsonFile, PRIVATE_FILE_MODE};
use crate::{Error, ErrorKind, Result};

/// Reads the persistent state from `path`.
///
/// An absent file gives an empty state. A file that cannot be read, is not
/// a regular file (a FIFO, a device; a symbolic link to a regular file is
/// followed), is larger than
/// [`MAX_DATA_FILE_SIZE`](crate::fs::MAX_DATA_FILE_SIZE), is not valid JSON
/// or does not hold a JSON object is a set-up error naming the file (and
/// the line and column of a syntax error).
pub fn load(path: &Path) -> Result<Map<String, Value>> {
    let file = JsonFile {
        what: "persistent state file",
        kind: ErrorKind::Setup,
        hint: "point --pstate-file at a file",
        follow_links: true,
    };
    Ok(read_json_object_as(path, &file)?.unwrap_or_default())
}

/// Writes the persistent state to `path` atomically (sorted keys, 4-space
/// indent) and logs it. Missing parent directories are created.
///
/// A new file is readable by its owner only ([`PRIVATE_FILE_MODE`]): the
/// state may hold secrets. An existing file keeps its mode, less group and
/// world write permission.
pub fn save(path: &Path, state: &Map<String, Value>) -> Result<()> {
    write_json_atomic_with_mode(path, state, PRIVATE_FILE_MODE).map_err(|err| {
        Error::msg(format!(
            "cannot write persistent state file {}: {err}",
            path.display()
        ))
    })?;
    tracing::info!(
        "Application persistent state saved to file '{}'",
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::os::unix::fs::PermissionsExt;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

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
    fn special_file_is_a_setup_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pstate");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let err = load(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert_eq!(
            err.message(),
            format!(
                "persistent state file {} is not a regular file (a FIFO); point --pstate-file at a file",
                path.display()
            )
        );
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

    #[test]
    fn new_state_file_is_private_and_an_existing_one_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pstate");
        let mut state = Map::new();
        state.insert("token".into(), json!("secret"));
        save(&path, &state).unwrap();
        assert_eq!(mode_of(&path), 0o600);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        save(&path, &state).unwrap();
        assert_eq!(mode_of(&path), 0o640);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        save(&path, &state).unwrap();
        assert_eq!(mode_of(&path), 0o644);
    }
}
