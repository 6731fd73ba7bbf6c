//! Filesystem locations of an application and the `.env` files.
//!
//! Every default path comes from one root: the environment variable
//! `APP_ROOT_PATH` (default `/`) joined with a sub-path per kind of file. An
//! author can override any sub-path in code ([`PathOverrides`]); a relative
//! override is taken relative to the root, so tests that point
//! `APP_ROOT_PATH` at a temporary tree move everything with it.

use std::path::{Path, PathBuf};
use std::sync::Once;

/// Name of the environment variable holding the root of all default paths.
pub const ROOT_ENV: &str = "APP_ROOT_PATH";

/// Sub-path overrides an author sets in code (`#[zen(paths(log = "…"))]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathOverrides {
    /// Configuration files (default `etc`).
    pub cfg: Option<&'static str>,
    /// Variable data (default `var`).
    pub var: Option<&'static str>,
    /// Log files (default `var/log`).
    pub log: Option<&'static str>,
    /// PID files, persistent state and runlogs (default `var/run`).
    pub run: Option<&'static str>,
    /// Temporary files (default `var/tmp`).
    pub tmp: Option<&'static str>,
    /// Executables (default `usr/local/bin`).
    pub bin: Option<&'static str>,
}

/// The resolved filesystem locations of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The root every other path is resolved against.
    pub root: PathBuf,
    /// Configuration files.
    pub cfg: PathBuf,
    /// Variable data.
    pub var: PathBuf,
    /// Log files.
    pub log: PathBuf,
    /// PID files, persistent state and runlogs.
    pub run: PathBuf,
    /// Temporary files.
    pub tmp: PathBuf,
    /// Executables.
    pub bin: PathBuf,
}

impl Paths {
    /// Resolves the paths from `root` and the author's overrides.
    pub fn resolve(root: &Path, over: &PathOverrides) -> Paths {
        let sub = |given: Option<&str>, default: &str| root.join(given.unwrap_or(default));
        Paths {
            root: root.to_path_buf(),
            cfg: sub(over.cfg, "etc"),
            var: sub(over.var, "var"),
            log: sub(over.log, "var/log"),
            run: sub(over.run, "var/run"),
            tmp: sub(over.tmp, "var/tmp"),
            bin: sub(over.bin, "usr/local/bin"),
        }
    }

    /// Resolves the paths from `APP_ROOT_PATH` (default `/`).
    pub fn from_env(over: &PathOverrides) -> Paths {
        let root = std::env::var_os(ROOT_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/"));
        Self::resolve(&root, over)
    }

    /// The paths as a JSON object (for debug dumps and the daemon state).
    pub fn to_json(&self) -> serde_json::Value {
        let s = |p: &Path| serde_json::Value::String(p.display().to_string());
        serde_json::json!({
            "root": s(&self.root), "cfg": s(&self.cfg), "var": s(&self.var), "log": s(&self.log),
            "run": s(&self.run), "tmp": s(&self.tmp), "bin": s(&self.bin),
        })
    }
}

/// Reads `.env.local` and then `.env` from the working directory into the
/// environment, never overriding a variable that is already set. Only the
/// first call in a process reads them; later calls do nothing.
///
/// Lines are `KEY=VALUE`, optionally prefixed by `export `; blank lines and
/// lines starting with `#` are skipped; a value may be wrapped in single or
/// double quotes. Missing files are not an error.
pub fn load_dotenv() {
    static LOADED: Once = Once::new();
    read_dotenv_once(&LOADED, Path::new(""), |key, value| {
        if std::env::var_os(&key).is_none() {
            std::env::set_var(key, value);
        }
    });
}

/// Hands the pairs of `.env.local` and then `.env` in `dir` to `apply`, the
/// first time `guard` is passed.
fn read_dotenv_once(guard: &Once, dir: &Path, mut apply: impl FnMut(String, String)) {
    guard.call_once(|| {
        for name in [".env.local", ".env"] {
            if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
                for (key, value) in parse_dotenv(&text) {
                    apply(key, value);
                }
            }
        }
    });
}

/// Reads the `.env` files ([`load_dotenv`]), then sets `APP_ROOT_PATH` to
/// `root` (made absolute against the working directory, which a daemon
/// leaves) when neither the environment nor those files set it. For programs
/// that should keep their files somewhere harmless by default, such as the
/// demos. Call it at the start of `main`, before any thread exists.
pub fn default_root(root: &str) {
    load_dotenv();
    if std::env::var_os(ROOT_ENV).is_none() {
        let absolute = std::env::current_dir()
            .map(|cwd| cwd.join(root))
            .unwrap_or_else(|_| PathBuf::from(root));
        std::env::set_var(ROOT_ENV, absolute);
    }
}

/// Parses the text of a `.env` file into key/value pairs.
pub fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, value) = line.split_once('=')?;
            let key = key.trim();
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            let value = value.trim();
            let unquoted = [('"', '"'), ('\'', '\'')]
                .iter()
                .find_map(|(a, b)| value.strip_prefix(*a)?.strip_suffix(*b))
                .unwrap_or(value);
            Some((key.to_string(), unquoted.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sub_paths_hang_off_the_root() {
        let p = Paths::resolve(Path::new("/srv/app"), &PathOverrides::default());
        assert_eq!(p.cfg, Path::new("/srv/app/etc"));
        assert_eq!(p.var, Path::new("/srv/app/var"));
        assert_eq!(p.log, Path::new("/srv/app/var/log"));
        assert_eq!(p.run, Path::new("/srv/app/var/run"));
        assert_eq!(p.tmp, Path::new("/srv/app/var/tmp"));
        assert_eq!(p.bin, Path::new("/srv/app/usr/local/bin"));
    }

    #[test]
    fn overrides_are_relative_to_the_root_unless_absolute() {
        let over = PathOverrides {
            log: Some("tmp/logs"),
            run: Some("/abs/run"),
            ..Default::default()
        };
        let p = Paths::resolve(Path::new("/r"), &over);
        assert_eq!(p.log, Path::new("/r/tmp/logs"));
        assert_eq!(p.run, Path::new("/abs/run"));
    }

    #[test]
    fn dotenv_lines() {
        let pairs = parse_dotenv("# c\nA=1\nexport B = \"two words\"\nbad line\nC='x'\n=no\n");
        assert_eq!(
            pairs,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x".into())
            ]
        );
    }

    #[test]
    fn dotenv_files_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env.local"), "A=local\n").unwrap();
        std::fs::write(dir.path().join(".env"), "A=env\nB=2\n").unwrap();
        let guard = Once::new();
        let mut applied = Vec::new();
        read_dotenv_once(&guard, dir.path(), |k, v| applied.push(format!("{k}={v}")));
        assert_eq!(applied, ["A=local", "A=env", "B=2"]);
        std::fs::write(dir.path().join(".env"), "C=3\n").unwrap();
        read_dotenv_once(&guard, dir.path(), |k, v| applied.push(format!("{k}={v}")));
        assert_eq!(applied.len(), 3, "read again: {applied:?}");
    }
}
