//! Filesystem locations of an application and the `.env` files.
//!
//! Every default path comes from one root: the environment variable
//! `APP_ROOT_PATH` (default `/`) joined with a sub-path per kind of file. An
//! author can override any sub-path in code ([`PathOverrides`]); a relative
//! override is taken relative to the root, so tests that point
//! `APP_ROOT_PATH` at a temporary tree move everything with it.
//!
//! ```
//! use std::path::Path;
//! use zenkit::paths::{PathOverrides, Paths};
//!
//! let over = PathOverrides { log: Some("/var/log/backup"), ..PathOverrides::default() };
//! let paths = Paths::resolve(Path::new("/opt/backup"), &over);
//! assert_eq!(paths.cfg, Path::new("/opt/backup/etc"));
//! assert_eq!(paths.run, Path::new("/opt/backup/var/run"));
//! assert_eq!(paths.log, Path::new("/var/log/backup")); // absolute: as it is
//! ```

use std::collections::HashMap;
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
    /// A path under the root, as pyzenkit's `get_resource_path` makes it:
    /// `rel` joined to [`Paths::root`], or `rel` itself when it is absolute.
    ///
    /// ```
    /// use zenkit::paths::{PathOverrides, Paths};
    /// let paths = Paths::resolve("/srv/app".as_ref(), &PathOverrides::default());
    /// assert_eq!(paths.resource("etc/rules.json"), std::path::Path::new("/srv/app/etc/rules.json"));
    /// assert_eq!(paths.resource("/usr/share/x"), std::path::Path::new("/usr/share/x"));
    /// ```
    pub fn resource(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

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
        Self::from_root_var(std::env::var_os(ROOT_ENV), over)
    }

    /// Resolves the paths from `value`, the value of `APP_ROOT_PATH`
    /// (default `/`).
    pub(crate) fn from_root_var(value: Option<std::ffi::OsString>, over: &PathOverrides) -> Paths {
        let root = value
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
/// environment, never overriding a variable that is already set (so a
/// variable of `.env.local` wins over the same one in `.env`). Only the first
/// call in a process reads them; later calls do nothing. Each file goes
/// through [`load_dotenv_from`]: a file that is not to be trusted is skipped
/// with a warning on stderr. Missing files are not an error.
///
/// The syntax is python-dotenv's, as [`parse_dotenv`] describes.
pub fn load_dotenv() {
    static LOADED: Once = Once::new();
    read_dotenv_once(&LOADED, Path::new(""), set_unset);
}

/// Reads one `.env` file at `path` into the environment, never overriding a
/// variable that is already set (pyzenkit's `load_dotenv(path)`). Within the
/// file the last assignment of a variable counts, as in python-dotenv.
///
/// The file is read only when it can be trusted: a regular file (a symbolic
/// link is followed, and the file it leads to is the one checked), owned by
/// root or by the user who runs the program (the real user ID), and writable
/// by neither its group nor others. Otherwise nothing is set, and one
/// `WARNING:` line on stderr names the file and the reason; a file that
/// cannot be read is reported the same way. The checks are made on the open
/// file, so what is checked is what is read. A statement that cannot be
/// parsed is left out with a warning naming its line, and the rest is read.
///
/// Returns whether the file was read: `false` when it does not exist or was
/// skipped.
pub fn load_dotenv_from(path: impl AsRef<Path>) -> bool {
    match read_dotenv_file(path.as_ref()) {
        Some(pairs) => {
            set_unset(pairs);
            true
        }
        None => false,
    }
}

/// Sets the variables of one file that were not set before it.
fn set_unset(pairs: Vec<(String, String)>) {
    for (key, value) in unset_ones(pairs, |key| std::env::var_os(key).is_some()) {
        std::env::set_var(key, value);
    }
}

/// The pairs of one file to set, those whose key `is_set` does not find: a
/// variable the file assigns twice takes the later value, as in
/// python-dotenv.
fn unset_ones(
    pairs: Vec<(String, String)>,
    is_set: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let mut own: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for (key, value) in pairs {
        if let Some(&at) = own.get(&key) {
            out[at].1 = value;
        } else if !is_set(&key) {
            own.insert(key.clone(), out.len());
            out.push((key, value));
        }
    }
    out
}

/// Hands the pairs of `.env.local` and then `.env` in `dir`, file by file, to
/// `apply`, the first time `guard` is passed.
fn read_dotenv_once(guard: &Once, dir: &Path, mut apply: impl FnMut(Vec<(String, String)>)) {
    guard.call_once(|| {
        for name in [".env.local", ".env"] {
            if let Some(pairs) = read_dotenv_file(&dir.join(name)) {
                apply(pairs);
            }
        }
    });
}

/// The pairs of the `.env` file at `path`, or `None` when it does not exist
/// or is skipped; a skipped file and each statement that cannot be parsed
/// are reported on stderr.
fn read_dotenv_file(path: &Path) -> Option<Vec<(String, String)>> {
    let text = match read_trusted(path) {
        Ok(text) => text?,
        Err(reason) => {
            warn(format_args!("{} not read: {reason}", shown(path)));
            return None;
        }
    };
    let (pairs, errors) = parse(&text);
    for error in errors {
        warn(format_args!("{}: {error}, skipped", shown(path)));
    }
    Some(pairs)
}

/// The text of the file at `path` if it can be trusted (see
/// [`load_dotenv_from`]); `Ok(None)` when there is no such file, `Err` with
/// the reason otherwise. The file is opened once and checked through its
/// descriptor; it is opened non-blocking so that a FIFO does not hang the
/// start.
fn read_trusted(path: &Path) -> Result<Option<String>, String> {
    use crate::fs::{open_checked, read_bounded, ReadError, MAX_CONFIG_FILE_SIZE};
    use std::os::unix::fs::MetadataExt;

    let (file, meta) = match open_checked(None, path, true) {
        Ok(opened) => opened,
        Err(ReadError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(ReadError::Io(err)) if err.raw_os_error() != Some(nix::libc::EISDIR) => {
            return Err(format!("cannot open it: {err}"))
        }
        Err(_) => return Err("not a regular file".into()),
    };
    let me = nix::unistd::getuid().as_raw();
    if meta.uid() != 0 && meta.uid() != me {
        let owner = nix::unistd::User::from_uid(meta.uid().into())
            .ok()
            .flatten()
            .map(|user| format!("{} (uid {})", user.name, meta.uid()))
            .unwrap_or_else(|| format!("uid {}", meta.uid()));
        return Err(format!(
            "owned by {owner}, neither root nor the user running the program (uid {me})"
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "writable by its group or by others (mode {:04o})",
            meta.mode() & 0o7777
        ));
    }
    let mut bytes = Vec::new();
    read_bounded(file, &meta, MAX_CONFIG_FILE_SIZE, &mut bytes).map_err(|err| match err {
        ReadError::Io(err) => format!("cannot read it: {err}"),
        other => format!("it {}", other.what()),
    })?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "cannot read it: stream did not contain valid UTF-8".to_string())
}

/// `path` as a warning names it: absolute, since it is usually relative to
/// the working directory.
fn shown(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Writes a warning line on stderr in the console format of the log, which
/// is not set up yet when the `.env` files are read.
fn warn(text: std::fmt::Arguments<'_>) {
    eprintln!(
        "{} WARNING: {text}",
        crate::log::asctime(&chrono::Local::now())
    );
}

/// Reads the `.env` files ([`load_dotenv`]), then sets `APP_ROOT_PATH` to
/// `root` (made absolute against the working directory, which a daemon
/// leaves) when neither the environment nor those files set it. For programs
/// that should keep their files somewhere harmless by default, such as the
/// demos. Call it at the start of `main`, before any thread exists.
pub fn default_root(root: &str) {
    load_dotenv();
    if std::env::var_os(ROOT_ENV).is_none() {
        // `components` drops the `.` parts, so `.` gives the working
        // directory itself in paths and messages
        let absolute: PathBuf = std::env::current_dir()
            .map(|cwd| cwd.join(root))
            .unwrap_or_else(|_| PathBuf::from(root))
            .components()
            .collect();
        std::env::set_var(ROOT_ENV, absolute);
    }
}

/// Parses the text of a `.env` file into key/value pairs, in the order they
/// appear (a key assigned twice appears twice), without changing the
/// environment. Statements that cannot be parsed are left out.
///
/// The syntax is python-dotenv's (the parser is the `dotenvy` crate's):
/// `KEY=VALUE` statements, optionally prefixed by `export `; blank lines and
/// `#` comment lines; a ` # comment` after an unquoted value; values in
/// single quotes taken literally; values in double quotes with the escapes
/// `\"`, `\\`, `\$` and `\n`; quoted values spanning lines; `${VAR}` (and
/// `$VAR`) outside single quotes replaced by the variable's value in the
/// environment or, when it is not set there, by an earlier key of the text;
/// `KEY=` an empty value. Unlike python-dotenv, an unquoted value with a
/// space inside (`A=two words`), a key without `=`, other escapes (`\t`) and
/// `${VAR:-default}` are not understood.
pub fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    parse(text).0
}

/// The pairs of a `.env` text and the description of each statement that
/// could not be parsed: its line number and key, not its value, which may be
/// a secret.
fn parse(text: &str) -> (Vec<(String, String)>, Vec<String>) {
    let feed = LineFeed::new(text);
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    for item in dotenvy::from_read_iter(&feed) {
        match item {
            Ok(pair) => pairs.push(pair),
            Err(dotenvy::Error::LineParse(statement, _)) => {
                // the statement (or the value in it) ends on the last line
                // read; it begins as many lines up as it has line breaks
                let breaks = statement.trim_end_matches('\n').matches('\n').count();
                let number = feed.lines.get().saturating_sub(breaks).max(1);
                let key = text
                    .lines()
                    .nth(number - 1)
                    .and_then(|line| line.split_once('='))
                    .map(|(key, _)| {
                        let key = key.trim();
                        key.strip_prefix("export ").unwrap_or(key).trim()
                    })
                    .filter(|key| {
                        !key.is_empty()
                            && key
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    });
                errors.push(match key {
                    Some(key) => format!("line {number} ({key}) cannot be parsed"),
                    None => format!("line {number} cannot be parsed"),
                });
            }
            Err(err) => {
                errors.push(err.to_string());
                break;
            }
        }
    }
    (pairs, errors)
}

/// A text handed to a reader one line per `read`, counting the lines handed
/// out. dotenvy reads through a `BufReader`, which asks for more only when
/// its buffer is empty, so the count is the line where the statement it
/// just returned ends.
struct LineFeed<'a> {
    rest: std::cell::Cell<&'a [u8]>,
    lines: std::cell::Cell<usize>,
}

impl<'a> LineFeed<'a> {
    fn new(text: &'a str) -> LineFeed<'a> {
        LineFeed {
            rest: std::cell::Cell::new(text.as_bytes()),
            lines: std::cell::Cell::new(0),
        }
    }
}

impl std::io::Read for &LineFeed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = self.rest.get();
        if rest.is_empty() || buf.is_empty() {
            return Ok(0);
        }
        let line = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |at| at + 1);
        let n = line.min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.rest.set(&rest[n..]);
        if n == line {
            self.lines.set(self.lines.get() + 1);
        }
        Ok(n)
    }
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

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The cases where python-dotenv (1.2) and dotenvy agree. The keys carry
    /// a prefix so that no variable of the test's environment takes part in
    /// the expansion.
    #[test]
    fn dotenv_syntax_is_python_dotenvs() {
        let text = concat!(
            "ZKT_A=1 # comment\n",
            "ZKT_B=\"x # not a comment\"\n",
            "ZKT_C='single $NOT'\n",
            "ZKT_D=${ZKT_A}2\n",
            "export ZKT_E=5\n",
            "ZKT_F=\"multi\nline\"\n",
            "ZKT_G=\n",
            "ZKT_H='multi\nsingle'\n",
            "ZKT_I=\"say \\\"hi\\\" \\\\ a\\nb\"\n",
            "ZKT_J=a#b\n",
            "ZKT_K=\"${ZKT_A}q\"\n",
            "  # indented comment\n",
            "ZKT_L=${ZKT_UNSET_ANYWHERE}\n",
            "ZKT_M=\"trailing\"   # comment\n",
        );
        let (got, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            got,
            pairs(&[
                ("ZKT_A", "1"),
                ("ZKT_B", "x # not a comment"),
                ("ZKT_C", "single $NOT"),
                ("ZKT_D", "12"),
                ("ZKT_E", "5"),
                ("ZKT_F", "multi\nline"),
                ("ZKT_G", ""),
                ("ZKT_H", "multi\nsingle"),
                ("ZKT_I", "say \"hi\" \\ a\nb"),
                ("ZKT_J", "a#b"),
                ("ZKT_K", "1q"),
                ("ZKT_L", ""),
                ("ZKT_M", "trailing"),
            ])
        );
    }

    #[test]
    fn expansion_takes_the_environment_first() {
        // a variable every test run has; the tests set none, as other
        // threads read the environment
        let path = std::env::var("PATH").expect("PATH is set");
        let got = parse_dotenv("PATH=file\nZKT_USE=${PATH}\n");
        assert_eq!(got, pairs(&[("PATH", "file"), ("ZKT_USE", &path)]));
    }

    /// Where dotenvy (0.15) differs from python-dotenv (1.2). python-dotenv
    /// gives `ZKT_H=$ZKT_A` and `ZKT_Q=$ZKT_A_B` (it expands only `${…}`),
    /// `ZKT_N=two words`, `ZKT_T=<tab>`, `ZKT_K=def` (`${VAR:-default}`),
    /// `ZKT_S=\$ZKT_A` (the backslash kept) and leaves `ZKT_O` (no `=`)
    /// unset. dotenvy expands a bare `$VAR` too, the name ending before the
    /// first character that is not alphanumeric, `_` included (`$ZKT_A` is
    /// `$ZKT` followed by `_A`); takes `${VAR:-default}` as the name of an
    /// unset variable; and rejects an unquoted value with a space, escapes
    /// other than `\"`, `\\`, `\'`, `\$`, `\ ` and `\n`, and a line without
    /// `=`. A rejected statement is left out and reported by line number and
    /// key, not by its value.
    #[test]
    fn dotenv_syntax_differences_from_python_dotenv() {
        let text = concat!(
            "ZKT_A=1\n",
            "ZKT_H=$ZKT_A\n",
            "ZKT_Q=$ZKT_A_B\n",
            "ZKT_N=two words\n",
            "ZKT_T=\"\\t\"\n",
            "ZKT_K=${ZKT_UNSET_ANYWHERE:-def}\n",
            "ZKT_S=\"\\$ZKT_A\"\n",
            "ZKT_O\n",
            "ZKT_Z=last\n",
        );
        let (got, errors) = parse(text);
        assert_eq!(
            got,
            pairs(&[
                ("ZKT_A", "1"),
                ("ZKT_H", "_A"),
                ("ZKT_Q", "_A_B"),
                ("ZKT_K", ""),
                ("ZKT_S", "$ZKT_A"),
                ("ZKT_Z", "last"),
            ])
        );
        assert_eq!(
            errors,
            [
                "line 4 (ZKT_N) cannot be parsed",
                "line 5 (ZKT_T) cannot be parsed",
                "line 8 cannot be parsed",
            ]
        );
        for error in &errors {
            assert!(!error.contains("words"), "{error}");
        }
    }

    #[test]
    fn an_unclosed_quote_is_reported_by_its_line() {
        let (got, errors) = parse("ZKT_A=1\nZKT_B=\"open\nZKT_C=3\n");
        assert_eq!(got, pairs(&[("ZKT_A", "1")]));
        assert_eq!(errors, ["line 2 (ZKT_B) cannot be parsed"]);
        let text = "# c\n\nZKT_A=\"x\ny\"\nexport ZKT_N=two words\nZKT_B='open\n\nZKT_C=3";
        let (got, errors) = parse(text);
        assert_eq!(got, pairs(&[("ZKT_A", "x\ny")]));
        assert_eq!(
            errors,
            [
                "line 5 (ZKT_N) cannot be parsed",
                "line 6 (ZKT_B) cannot be parsed"
            ]
        );
    }

    /// A file of `text` with `mode` in `dir`.
    fn env_file(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    fn is_root() -> bool {
        nix::unistd::Uid::effective().is_root()
    }

    fn nobody() -> nix::unistd::User {
        nix::unistd::User::from_name("nobody")
            .unwrap()
            .expect("user nobody")
    }

    fn give_to_nobody(path: &Path) {
        let nobody = nobody();
        std::os::unix::fs::lchown(path, Some(nobody.uid.as_raw()), Some(nobody.gid.as_raw()))
            .unwrap();
    }

    #[test]
    fn own_files_are_read_and_missing_ones_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = env_file(dir.path(), ".env", "A=1\n", 0o644);
        assert_eq!(read_trusted(&path), Ok(Some("A=1\n".into())));
        let path = env_file(dir.path(), ".env.local", "A=1\n", 0o600);
        assert_eq!(read_trusted(&path), Ok(Some("A=1\n".into())));
        assert_eq!(read_trusted(&dir.path().join("none")), Ok(None));
    }

    #[test]
    fn group_or_world_writable_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        for mode in [0o664, 0o646, 0o666] {
            let path = env_file(dir.path(), ".env", "A=1\n", mode);
            let reason = read_trusted(&path).unwrap_err();
            assert_eq!(
                reason,
                format!("writable by its group or by others (mode {mode:04o})")
            );
        }
    }

    #[test]
    fn directories_and_fifos_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join(".env");
        std::fs::create_dir(&sub).unwrap();
        assert_eq!(read_trusted(&sub), Err("not a regular file".into()));
        // a FIFO with no writer: opened without blocking, then refused
        let fifo = dir.path().join(".env.local");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        assert_eq!(read_trusted(&fifo), Err("not a regular file".into()));
    }

    #[test]
    fn files_of_another_user_are_skipped() {
        if !is_root() {
            eprintln!("skipped: files_of_another_user_are_skipped needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = env_file(dir.path(), ".env", "APP_ROOT_PATH=/tmp/x\n", 0o644);
        give_to_nobody(&path);
        let reason = read_trusted(&path).unwrap_err();
        let uid = nobody().uid;
        assert_eq!(
            reason,
            format!("owned by nobody (uid {uid}), neither root nor the user running the program (uid 0)")
        );
        assert!(!load_dotenv_from(&path));
    }

    /// A symbolic link is followed, as python-dotenv does; the file it leads
    /// to is the one checked, whoever owns the link: a link to a root file
    /// is read, a link to a file of another user is not.
    #[test]
    fn symlinks_are_followed_and_their_target_checked() {
        if !is_root() {
            eprintln!("skipped: symlinks_are_followed_and_their_target_checked needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let root_file = env_file(dir.path(), "root.env", "A=root\n", 0o644);
        let link = dir.path().join(".env");
        std::os::unix::fs::symlink(&root_file, &link).unwrap();
        give_to_nobody(&link);
        assert_eq!(read_trusted(&link), Ok(Some("A=root\n".into())));

        let foreign = env_file(dir.path(), "nobody.env", "A=nobody\n", 0o644);
        give_to_nobody(&foreign);
        let link = dir.path().join(".env.local");
        std::os::unix::fs::symlink(&foreign, &link).unwrap();
        let reason = read_trusted(&link).unwrap_err();
        assert!(reason.starts_with("owned by nobody"), "{reason}");
    }

    #[test]
    fn variables_set_before_are_kept_and_the_last_assignment_counts() {
        let got = unset_ones(
            pairs(&[("SET", "file"), ("NEW", "1"), ("OTHER", "x"), ("NEW", "2")]),
            |key| key == "SET",
        );
        assert_eq!(got, pairs(&[("NEW", "2"), ("OTHER", "x")]));
    }

    #[test]
    fn load_dotenv_from_tells_whether_the_file_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let read = env_file(dir.path(), ".env", "# nothing to set\n", 0o644);
        assert!(load_dotenv_from(&read));
        let skipped = env_file(dir.path(), ".env.local", "ZKT_LOAD_SKIPPED=1\n", 0o666);
        assert!(!load_dotenv_from(&skipped));
        assert!(std::env::var_os("ZKT_LOAD_SKIPPED").is_none());
        assert!(!load_dotenv_from(dir.path().join("missing")));
    }

    #[test]
    fn dotenv_files_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        env_file(dir.path(), ".env.local", "A=local\n", 0o644);
        env_file(dir.path(), ".env", "A=env\nB=2\n", 0o644);
        let guard = Once::new();
        let mut applied = Vec::new();
        read_dotenv_once(&guard, dir.path(), |file| applied.push(file));
        assert_eq!(
            applied,
            [pairs(&[("A", "local")]), pairs(&[("A", "env"), ("B", "2")])]
        );
        env_file(dir.path(), ".env", "C=3\n", 0o644);
        read_dotenv_once(&guard, dir.path(), |file| applied.push(file));
        assert_eq!(applied.len(), 2, "read again: {applied:?}");
    }

    #[test]
    fn untrusted_files_are_not_handed_on() {
        let dir = tempfile::tempdir().unwrap();
        env_file(dir.path(), ".env.local", "A=local\n", 0o664);
        env_file(dir.path(), ".env", "A=env\n", 0o644);
        let mut applied = Vec::new();
        read_dotenv_once(&Once::new(), dir.path(), |file| applied.push(file));
        assert_eq!(applied, [pairs(&[("A", "env")])]);
    }
}
