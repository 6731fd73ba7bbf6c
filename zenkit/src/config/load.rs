//! Reading the configuration directory and file and merging the layers.

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::bind::located;
use super::json;
use super::merge::{merge_layer, Segment, Tree};
use super::{keys_ignored_in_files, Config, DuplicateKey, EnvValue, Layer, Origin, CORE_KEY};
use crate::fs::{list_dir, read_regular, EntryKind, ReadError, MAX_CONFIG_FILE_SIZE};
use crate::{Error, Result};

/// Suffix of the files read from the configuration directory.
const DIR_FILE_SUFFIX: &str = ".json.conf";

/// Loads and merges defaults < directory files < file < command line.
pub(super) fn load(defaults: Map<String, Value>, cli: Map<String, Value>) -> Result<Config> {
    load_layers(defaults, Vec::new(), cli)
}

/// Loads and merges defaults < directory files < file < environment <
/// command line.
pub(super) fn load_layers(
    defaults: Map<String, Value>,
    env: Vec<EnvValue>,
    cli: Map<String, Value>,
) -> Result<Config> {
    let sources = Sources::resolve(&defaults, &cli)?;
    let mut config = Config {
        defaults,
        env,
        cli,
        ..Config::default()
    };

    config
        .layers
        .push((Layer::Default, config.defaults.clone()));
    for (key, value) in &config.defaults {
        if key != CORE_KEY {
            config.merged.insert(key.clone(), value.clone());
            let origin = Origin::new(Layer::Default);
            config
                .origins
                .insert(key.clone(), Tree::uniform(value, origin));
        }
    }

    if let Some(dir) = &sources.dir {
        let files = dir_files(dir, sources.dir_silent)?;
        let mut reader = DirReader::new(dir);
        for path in files {
            let parsed = reader.read(&path)?;
            add_file_layer(&mut config, Layer::Dir(path.into()), parsed);
        }
    }

    if let Some(path) = &sources.file {
        let mut bytes = Vec::new();
        match read_regular(None, path, true, MAX_CONFIG_FILE_SIZE, &mut bytes) {
            Err(ReadError::Io(err)) if err.kind() == io::ErrorKind::NotFound => {
                if !sources.file_silent {
                    return Err(Error::config(format!(
                        "configuration file {} does not exist; create it or use --config-file-silent",
                        path.display()
                    )));
                }
            }
            Err(err) => return Err(refused(path, &err, "point --config-file at a file")),
            Ok(()) => {
                let parsed = parse_file(path, &bytes)?;
                let layer = Layer::File(path.as_path().into());
                add_file_layer(&mut config, layer, parsed);
            }
        }
    }

    for EnvValue { var, key, value } in &config.env {
        let mut map = Map::new();
        map.insert(key.clone(), value.clone());
        let layer = Layer::Env(var.clone());
        merge_layer(
            &mut config.merged,
            &mut config.origins,
            &map,
            Tree::leaf(()),
            &|_: &()| Origin::new(layer.clone()),
            &[CORE_KEY],
        );
        config.layers.push((layer, map));
    }

    merge_layer(
        &mut config.merged,
        &mut config.origins,
        &config.cli,
        Tree::leaf(()),
        &|_: &()| Origin::new(Layer::Cli),
        &[CORE_KEY],
    );
    config.layers.push((Layer::Cli, config.cli.clone()));

    Ok(config)
}

/// A configuration file as parsed: its top-level object, the position of
/// every value and the keys it gives twice.
struct Parsed {
    map: Map<String, Value>,
    positions: Tree<json::Pos>,
    duplicates: Vec<json::Duplicate>,
}

/// Merges a file layer without the keys files cannot set and records it as
/// read, those keys included, with its duplicate keys.
fn add_file_layer(config: &mut Config, layer: Layer, parsed: Parsed) {
    let Parsed {
        map,
        positions,
        duplicates,
    } = parsed;
    config
        .duplicates
        .extend(duplicates.into_iter().map(|duplicate| DuplicateKey {
            layer: layer.clone(),
            path: duplicate.path,
            first: duplicate.first,
            again: duplicate.second,
        }));
    let origin = |&(line, column): &json::Pos| Origin {
        layer: layer.clone(),
        line,
        column,
    };
    merge_layer(
        &mut config.merged,
        &mut config.origins,
        &map,
        positions,
        &origin,
        keys_ignored_in_files(),
    );
    config.layers.push((layer, map));
}

/// Which file and directory to read, from the defaults overlaid with the
/// command line.
struct Sources {
    file: Option<PathBuf>,
    dir: Option<PathBuf>,
    file_silent: bool,
    dir_silent: bool,
}

impl Sources {
    fn resolve(defaults: &Map<String, Value>, cli: &Map<String, Value>) -> Result<Sources> {
        Ok(Sources {
            file: path_setting(defaults, cli, "config_file")?,
            dir: path_setting(defaults, cli, "config_dir")?,
            file_silent: flag_setting(defaults, cli, "config_file_silent")?,
            dir_silent: flag_setting(defaults, cli, "config_dir_silent")?,
        })
    }
}

/// The command-line value of `key` if given, else the default, with the
/// layer it comes from.
fn setting<'a>(
    defaults: &'a Map<String, Value>,
    cli: &'a Map<String, Value>,
    key: &str,
) -> Option<(&'a Value, Layer)> {
    match cli.get(key) {
        Some(value) if !value.is_null() => Some((value, Layer::Cli)),
        _ => defaults.get(key).map(|value| (value, Layer::Default)),
    }
}

fn bad_setting(key: &str, layer: Layer, expected: &str, found: &Value) -> Error {
    let path = [Segment::Key(key.to_string())];
    let message = format!("expected {expected}, found {found}");
    Error::config(located(Some(&Origin::new(layer)), &path, &message))
}

fn path_setting(
    defaults: &Map<String, Value>,
    cli: &Map<String, Value>,
    key: &str,
) -> Result<Option<PathBuf>> {
    match setting(defaults, cli, key) {
        None | Some((Value::Null, _)) => Ok(None),
        Some((Value::String(path), _)) if path.is_empty() => Ok(None),
        Some((Value::String(path), _)) => Ok(Some(PathBuf::from(path))),
        Some((other, layer)) => Err(bad_setting(key, layer, "a path (a string)", other)),
    }
}

fn flag_setting(
    defaults: &Map<String, Value>,
    cli: &Map<String, Value>,
    key: &str,
) -> Result<bool> {
    match setting(defaults, cli, key) {
        None | Some((Value::Null, _)) => Ok(false),
        Some((Value::Bool(flag), _)) => Ok(*flag),
        Some((other, layer)) => Err(bad_setting(key, layer, "true or false", other)),
    }
}

/// The error for a configuration file that [`read_regular`] did not read;
/// `hint` says what to do about a path that is not a regular file.
fn refused(path: &Path, err: &ReadError, hint: &str) -> Error {
    let message = match err {
        ReadError::Io(err) => format!(
            "cannot read configuration file {}: {err}; check that it is a readable file",
            path.display()
        ),
        ReadError::NotRegular(_) => {
            format!(
                "configuration file {} {}; {hint}",
                path.display(),
                err.what()
            )
        }
        ReadError::TooLarge(_) => format!(
            "configuration file {} {}; make it smaller",
            path.display(),
            err.what()
        ),
    };
    Error::config(message)
}

/// The entries named `*.json.conf` in `dir` that are not directories, in
/// name order.
fn dir_files(dir: &Path, silent: bool) -> Result<Vec<PathBuf>> {
    // Follows links, as pyzenkit does; dangling links and directories are
    // skipped. FIFOs and devices are listed, for the reader to refuse them.
    let listed = list_dir(dir, EntryKind::Followed, |name| {
        name.as_bytes().ends_with(DIR_FILE_SUFFIX.as_bytes())
    });
    match listed {
        Ok(files) => Ok(files),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            if silent {
                return Ok(Vec::new());
            }
            Err(Error::config(format!(
                "configuration directory {} does not exist; create it or use --config-dir-silent",
                dir.display()
            )))
        }
        Err(err) => {
            let what = if fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
                "is not a directory; point --config-dir at a directory".to_string()
            } else {
                format!("cannot be read: {err}; check its permissions")
            };
            Err(Error::config(format!(
                "configuration directory {} {what}",
                dir.display()
            )))
        }
    }
}

/// Reads and parses the files of one configuration directory: each is
/// opened relative to the directory (a lookup of its name, not of its whole
/// path) and read into the same buffer.
struct DirReader {
    dir: Option<fs::File>,
    buf: Vec<u8>,
}

impl DirReader {
    /// A reader for the files of `dir`. When the directory cannot be
    /// opened, each file is opened by its path, which reports the problem.
    fn new(dir: &Path) -> DirReader {
        DirReader {
            dir: fs::File::open(dir).ok(),
            buf: Vec::new(),
        }
    }

    /// Reads and parses the file at `path` in the directory; anything but
    /// a regular file (or a link to one) is refused.
    fn read(&mut self, path: &Path) -> Result<Parsed> {
        read_regular(
            self.dir.as_ref(),
            path,
            true,
            MAX_CONFIG_FILE_SIZE,
            &mut self.buf,
        )
        .map_err(|err| refused(path, &err, "remove it from the configuration directory"))?;
        parse_file(path, &self.buf)
    }
}

/// Parses the contents of a configuration file; the top level must be an
/// object.
fn parse_file(path: &Path, bytes: &[u8]) -> Result<Parsed> {
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let (line, column) = json::position_of(bytes, err.valid_up_to());
        Error::config(format!(
            "{}:{line}:{column}: the file is not UTF-8 text; save it as UTF-8",
            path.display()
        ))
    })?;
    let (value, positions, duplicates) = json::parse_with_duplicates(text).map_err(|err| {
        Error::config(format!(
            "{}:{}:{}: malformed JSON: {}; fix the syntax",
            path.display(),
            err.line,
            err.column,
            err.message
        ))
    })?;
    match value {
        Value::Object(map) => Ok(Parsed {
            map,
            positions,
            duplicates,
        }),
        _ => {
            let (line, column) = positions.at;
            Err(Error::config(format!(
                "{}:{line}:{column}: the configuration must be a JSON object",
                path.display()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;
    use std::os::unix::fs::symlink;
    use std::sync::Arc;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    /// A temporary configuration tree: `app.conf` and the directory `app/`.
    struct Fixture {
        root: tempfile::TempDir,
    }

    impl Fixture {
        fn new() -> Fixture {
            Fixture {
                root: tempfile::tempdir().unwrap(),
            }
        }
        fn file(&self) -> PathBuf {
            self.root.path().join("app.conf")
        }
        fn dir(&self) -> PathBuf {
            self.root.path().join("app")
        }
        fn write_file(&self, text: &str) {
            fs::write(self.file(), text).unwrap();
        }
        fn write_dir_file(&self, name: &str, text: &str) {
            fs::create_dir_all(self.dir()).unwrap();
            fs::write(self.dir().join(name), text).unwrap();
        }
        /// Defaults pointing at this tree, plus `extra`.
        fn defaults(&self, extra: Value) -> Map<String, Value> {
            let mut defaults = map(json!({
                "config_file": self.file(),
                "config_dir": self.dir(),
                "config_file_silent": false,
                "config_dir_silent": false,
            }));
            defaults.extend(map(extra));
            defaults
        }
    }

    fn load_err(defaults: Map<String, Value>, cli: Map<String, Value>) -> String {
        let err = load(defaults, cli).expect_err("load should fail");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(err.exit_code(), 78);
        err.to_string()
    }

    #[test]
    fn precedence_is_default_dir_file_cli() {
        let t = Fixture::new();
        t.write_dir_file("10-a.json.conf", r#"{"d": "dir", "f": "dir", "c": "dir"}"#);
        t.write_file(r#"{"f": "file", "c": "file"}"#);
        let defaults =
            t.defaults(json!({"x": "default", "d": "default", "f": "default", "c": "default"}));
        let config = load(defaults, map(json!({"c": "cli"}))).unwrap();
        for (key, want) in [("x", "default"), ("d", "dir"), ("f", "file"), ("c", "cli")] {
            assert_eq!(config.value(key), Some(&json!(want)), "key {key}");
        }
        assert_eq!(config.origin("x").unwrap().layer, Layer::Default);
        assert_eq!(
            config.origin("d").unwrap().layer,
            Layer::Dir(t.dir().join("10-a.json.conf").into())
        );
        assert_eq!(
            config.origin("f").unwrap().layer,
            Layer::File(t.file().into())
        );
        assert_eq!(config.origin("c").unwrap().layer, Layer::Cli);
        let kinds: Vec<String> = config.layers().iter().map(|(l, _)| l.to_string()).collect();
        assert_eq!(
            kinds,
            vec![
                "default".to_string(),
                t.dir().join("10-a.json.conf").display().to_string(),
                t.file().display().to_string(),
                "command line".to_string()
            ]
        );
    }

    #[test]
    fn the_environment_is_above_the_file_and_below_the_command_line() {
        let t = Fixture::new();
        t.write_file(r#"{"e": "file", "c": "file", "n": {"a": 1, "b": 2}}"#);
        let env = |var: &str, key: &str, value: Value| EnvValue {
            var: var.into(),
            key: key.to_string(),
            value,
        };
        let config = load_layers(
            t.defaults(json!({"config_dir_silent": true})),
            vec![
                env("APP_E", "e", json!("env")),
                env("APP_C", "c", json!("env")),
                env("APP_N", "n", json!({"b": 3})),
            ],
            map(json!({"c": "cli"})),
        )
        .unwrap();
        assert_eq!(config.value("e"), Some(&json!("env")));
        assert_eq!(config.value("c"), Some(&json!("cli")));
        assert_eq!(config.value("n"), Some(&json!({"a": 1, "b": 3})));
        assert_eq!(
            config.origin("e").unwrap().to_string(),
            "environment variable APP_E"
        );
        assert_eq!(
            config.origin("n.a").unwrap().layer,
            Layer::File(t.file().into())
        );
        assert_eq!(
            config.origin("n.b").unwrap().layer,
            Layer::Env("APP_N".into())
        );
        let err = config.error_for("e", "bad");
        assert_eq!(err.kind(), crate::ErrorKind::Config);
        assert_eq!(
            err.message(),
            "environment variable APP_E: configuration key 'e': bad"
        );
        let reloaded = config.reload().unwrap();
        assert_eq!(reloaded.value("e"), Some(&json!("env")), "kept on reload");
    }

    #[test]
    fn origins_carry_file_positions() {
        let t = Fixture::new();
        t.write_dir_file("a.json.conf", "{\n  \"db\": {\"port\": 5432}\n}");
        t.write_file("# main file\n{\n    \"db\": {\n        \"host\": \"h\"\n    }\n}\n");
        let config = load(t.defaults(json!({})), Map::new()).unwrap();
        let port = config.origin("db.port").unwrap();
        assert_eq!(port.layer, Layer::Dir(t.dir().join("a.json.conf").into()));
        assert_eq!((port.line, port.column), (2, 18));
        let host = config.origin("db.host").unwrap();
        assert_eq!(host.layer, Layer::File(t.file().into()));
        assert_eq!((host.line, host.column), (4, 17));
        assert_eq!(
            config.origin("db").unwrap().layer,
            Layer::File(t.file().into())
        );
        assert_eq!(config.origin("config_file").unwrap().layer, Layer::Default);
        assert_eq!(config.origin("nope"), None);
    }

    #[test]
    fn dir_files_merge_in_name_order_and_only_json_conf() {
        let t = Fixture::new();
        t.write_dir_file("20-b.json.conf", r#"{"v": "b", "b": 1}"#);
        t.write_dir_file("10-a.json.conf", r#"{"v": "a", "a": 1}"#);
        t.write_dir_file("30-c.json.conf~", r#"{"v": "backup"}"#);
        t.write_dir_file("40-d.conf", r#"{"v": "plain conf"}"#);
        t.write_dir_file("50-e.json", r#"{"v": "plain json"}"#);
        fs::create_dir_all(t.dir().join("60-dir.json.conf")).unwrap();
        symlink(
            t.dir().join("nowhere"),
            t.dir().join("70-dangling.json.conf"),
        )
        .unwrap();
        let config = load(t.defaults(json!({"config_file": null})), Map::new()).unwrap();
        assert_eq!(config.value("v"), Some(&json!("b")));
        assert_eq!(config.value("a"), Some(&json!(1)));
        assert_eq!(config.value("b"), Some(&json!(1)));
        let read: Vec<PathBuf> = config
            .layers()
            .iter()
            .filter_map(|(l, _)| match l {
                Layer::Dir(p) => Some(p.to_path_buf()),
                _ => None,
            })
            .collect();
        assert_eq!(
            read,
            vec![
                t.dir().join("10-a.json.conf"),
                t.dir().join("20-b.json.conf")
            ]
        );
    }

    #[test]
    fn linked_dir_files_are_read() {
        let t = Fixture::new();
        let target = t.root.path().join("shared.json");
        fs::write(&target, r#"{"linked": true}"#).unwrap();
        fs::create_dir_all(t.dir()).unwrap();
        symlink(&target, t.dir().join("a.json.conf")).unwrap();
        let config = load(t.defaults(json!({"config_file_silent": true})), Map::new()).unwrap();
        assert_eq!(config.value("linked"), Some(&json!(true)));
    }

    #[test]
    fn deep_merge_keeps_sibling_keys_across_layers() {
        let t = Fixture::new();
        t.write_dir_file(
            "a.json.conf",
            r#"{"db": {"host": "dirhost", "port": 5432}}"#,
        );
        t.write_file(r#"{"db": {"host": "filehost", "user": null}}"#);
        let defaults = t.defaults(json!({"db": {"host": "localhost", "port": 1, "user": "app"}}));
        let config = load(defaults, Map::new()).unwrap();
        assert_eq!(
            config.value("db"),
            Some(&json!({"host": "filehost", "port": 5432, "user": "app"}))
        );
    }

    #[test]
    fn null_in_files_and_cli_does_not_override() {
        let t = Fixture::new();
        t.write_dir_file("a.json.conf", r#"{"a": null, "b": "dir"}"#);
        t.write_file(r#"{"b": null, "c": null}"#);
        let defaults = t.defaults(json!({"a": 1, "c": 3, "d": null}));
        let config = load(defaults, map(json!({"b": null, "c": null}))).unwrap();
        assert_eq!(config.value("a"), Some(&json!(1)));
        assert_eq!(config.value("b"), Some(&json!("dir")));
        assert_eq!(config.value("c"), Some(&json!(3)));
        assert_eq!(config.value("d"), Some(&Value::Null));
    }

    #[test]
    fn config_file_and_dir_keys_inside_files_are_ignored() {
        let t = Fixture::new();
        let other = t.root.path().join("other.conf");
        fs::write(&other, r#"{"from_other": true}"#).unwrap();
        t.write_dir_file(
            "a.json.conf",
            r#"{"config_dir": "/nowhere", "config_file_silent": true}"#,
        );
        t.write_file(&format!(
            r#"{{"config_file": {:?}, "__core__": {{"x": 1}}, "v": 1}}"#,
            other.display().to_string()
        ));
        let config = load(t.defaults(json!({})), Map::new()).unwrap();
        assert_eq!(config.value("from_other"), None);
        assert_eq!(config.value("v"), Some(&json!(1)));
        assert_eq!(config.value("config_file"), Some(&json!(t.file())));
        assert_eq!(config.value("config_dir"), Some(&json!(t.dir())));
        assert_eq!(config.value(CORE_KEY), None);
        // Merged like any key, but it did not decide whether files must exist.
        assert_eq!(config.value("config_file_silent"), Some(&json!(true)));
        let ignored: Vec<(String, &str)> = config
            .ignored_keys()
            .into_iter()
            .map(|(l, k)| (l.to_string(), k))
            .collect();
        let dir_file = t.dir().join("a.json.conf").display().to_string();
        let file = t.file().display().to_string();
        assert_eq!(
            ignored,
            vec![
                (dir_file, "config_dir"),
                (file.clone(), "config_file"),
                (file, CORE_KEY)
            ]
        );
    }

    #[test]
    fn layers_are_kept_as_read_and_share_their_path() {
        let t = Fixture::new();
        t.write_dir_file(
            "a.json.conf",
            r#"{"config_dir": "/x", "db": {"host": "h", "ports": [1, 2]}}"#,
        );
        t.write_file("{}");
        let config = load(t.defaults(json!({})), map(json!({"__core__": 1}))).unwrap();
        let (layer, read) = &config.layers()[1];
        assert_eq!(
            Value::Object(read.clone()),
            json!({"config_dir": "/x", "db": {"host": "h", "ports": [1, 2]}})
        );
        let (Layer::Dir(path), Some(Layer::Dir(at))) =
            (layer, config.origin("db.ports[1]").map(|o| &o.layer))
        else {
            panic!("not directory layers");
        };
        assert!(Arc::ptr_eq(path, at), "the origin holds a copy of the path");
        assert_eq!(
            config.layers()[3],
            (Layer::Cli, map(json!({"__core__": 1})))
        );
    }

    #[test]
    fn cli_chooses_the_file_and_directory() {
        let t = Fixture::new();
        let alt_file = t.root.path().join("alt.conf");
        let alt_dir = t.root.path().join("alt.d");
        fs::write(&alt_file, r#"{"which": "alt file"}"#).unwrap();
        fs::create_dir_all(&alt_dir).unwrap();
        fs::write(alt_dir.join("x.json.conf"), r#"{"dir": "alt dir"}"#).unwrap();
        let cli = map(json!({"config_file": alt_file, "config_dir": alt_dir}));
        let config = load(t.defaults(json!({})), cli).unwrap();
        assert_eq!(config.value("which"), Some(&json!("alt file")));
        assert_eq!(config.value("dir"), Some(&json!("alt dir")));
        assert_eq!(config.origin("config_file").unwrap().layer, Layer::Cli);
    }

    #[test]
    fn missing_file_is_an_error_unless_silent() {
        let t = Fixture::new();
        fs::create_dir_all(t.dir()).unwrap();
        let msg = load_err(t.defaults(json!({})), Map::new());
        assert_eq!(
            msg,
            format!(
                "configuration file {} does not exist; create it or use --config-file-silent",
                t.file().display()
            )
        );
        let config = load(
            t.defaults(json!({})),
            map(json!({"config_file_silent": true})),
        )
        .unwrap();
        assert_eq!(config.layers().len(), 2);
    }

    #[test]
    fn missing_dir_is_an_error_unless_silent() {
        let t = Fixture::new();
        t.write_file("{}");
        let msg = load_err(t.defaults(json!({})), Map::new());
        assert_eq!(
            msg,
            format!(
                "configuration directory {} does not exist; create it or use --config-dir-silent",
                t.dir().display()
            )
        );
        load(t.defaults(json!({"config_dir_silent": true})), Map::new()).unwrap();
    }

    #[test]
    fn dir_that_is_a_file_is_an_error_even_when_silent() {
        let t = Fixture::new();
        t.write_file("{}");
        fs::write(t.dir(), "{}").unwrap();
        let msg = load_err(t.defaults(json!({"config_dir_silent": true})), Map::new());
        assert!(
            msg.ends_with("is not a directory; point --config-dir at a directory"),
            "{msg}"
        );
    }

    #[test]
    fn unreadable_file_names_the_os_error() {
        let t = Fixture::new();
        fs::create_dir_all(t.dir()).unwrap();
        fs::create_dir_all(t.file()).unwrap();
        let msg = load_err(t.defaults(json!({})), Map::new());
        assert!(
            msg.starts_with(&format!(
                "cannot read configuration file {}: ",
                t.file().display()
            )),
            "{msg}"
        );
        assert!(msg.contains("os error"), "{msg}");
    }

    #[test]
    fn special_and_huge_files_are_refused_naming_them() {
        let t = Fixture::new();
        fs::create_dir_all(t.dir()).unwrap();
        let mode = nix::sys::stat::Mode::from_bits_truncate(0o600);
        nix::unistd::mkfifo(&t.file(), mode).unwrap();
        assert_eq!(
            load_err(t.defaults(json!({})), Map::new()),
            format!(
                "configuration file {} is not a regular file (a FIFO); point --config-file at a file",
                t.file().display()
            )
        );
        let cli = map(json!({"config_file": "/dev/zero"}));
        assert_eq!(
            load_err(t.defaults(json!({})), cli),
            "configuration file /dev/zero is not a regular file (a character device); point --config-file at a file"
        );

        fs::remove_file(t.file()).unwrap();
        let huge = fs::File::create(t.file()).unwrap();
        huge.set_len(crate::fs::MAX_CONFIG_FILE_SIZE + 1).unwrap();
        assert_eq!(
            load_err(t.defaults(json!({})), Map::new()),
            format!(
                "configuration file {} is larger than 16 MiB; make it smaller",
                t.file().display()
            )
        );
        huge.set_len(0).unwrap();
        t.write_file("{}");

        let entry = t.dir().join("x.json.conf");
        nix::unistd::mkfifo(&entry, mode).unwrap();
        assert_eq!(
            load_err(t.defaults(json!({})), Map::new()),
            format!(
                "configuration file {} is not a regular file (a FIFO); remove it from the configuration directory",
                entry.display()
            )
        );
        fs::remove_file(&entry).unwrap();
        symlink("/dev/null", &entry).unwrap();
        assert_eq!(
            load_err(t.defaults(json!({})), Map::new()),
            format!(
                "configuration file {} is not a regular file (a character device); remove it from the configuration directory",
                entry.display()
            )
        );
    }

    #[test]
    fn empty_or_null_paths_read_nothing() {
        let t = Fixture::new();
        let defaults = t.defaults(json!({"config_file": "", "config_dir": null, "k": 1}));
        let config = load(defaults, Map::new()).unwrap();
        assert_eq!(config.value("k"), Some(&json!(1)));
        assert_eq!(config.layers().len(), 2);
    }

    #[test]
    fn wrongly_typed_source_settings_are_errors() {
        let t = Fixture::new();
        let msg = load_err(t.defaults(json!({})), map(json!({"config_file": 5})));
        assert_eq!(
            msg,
            "command line: configuration key 'config_file': expected a path (a string), found 5"
        );
        let msg = load_err(t.defaults(json!({"config_dir_silent": "yes"})), Map::new());
        assert_eq!(
            msg,
            "built-in default of configuration key 'config_dir_silent': expected true or false, found \"yes\""
        );
    }

    #[test]
    fn malformed_json_names_file_line_and_column() {
        let t = Fixture::new();
        t.write_dir_file("a.json.conf", "{}");
        t.write_file("# comment\n{\n  \"a\": 1\n  \"b\": 2\n}\n");
        let msg = load_err(t.defaults(json!({})), Map::new());
        assert_eq!(
            msg,
            format!(
                "{}:4:3: malformed JSON: expected ',' or '}}' after an object member, found '\"'; fix the syntax",
                t.file().display()
            )
        );
    }

    #[test]
    fn malformed_dir_file_names_that_file() {
        let t = Fixture::new();
        t.write_dir_file("a.json.conf", "{\"a\": [1 2]}");
        let msg = load_err(t.defaults(json!({"config_file_silent": true})), Map::new());
        assert_eq!(
            msg,
            format!(
                "{}:1:10: malformed JSON: expected ',' or ']' after an array item, found '2'; fix the syntax",
                t.dir().join("a.json.conf").display()
            )
        );
    }

    #[test]
    fn top_level_must_be_an_object() {
        let t = Fixture::new();
        fs::create_dir_all(t.dir()).unwrap();
        t.write_file("// list\n\n  [1, 2]\n");
        let msg = load_err(t.defaults(json!({})), Map::new());
        assert_eq!(
            msg,
            format!(
                "{}:3:3: the configuration must be a JSON object",
                t.file().display()
            )
        );
    }

    #[test]
    fn invalid_utf8_is_located() {
        let t = Fixture::new();
        fs::create_dir_all(t.dir()).unwrap();
        fs::write(t.file(), b"{\n \"a\": \"\xff\"}").unwrap();
        let msg = load_err(t.defaults(json!({})), Map::new());
        assert_eq!(
            msg,
            format!(
                "{}:2:8: the file is not UTF-8 text; save it as UTF-8",
                t.file().display()
            )
        );
    }

    #[test]
    fn reload_reads_the_files_again() {
        let t = Fixture::new();
        fs::create_dir_all(t.dir()).unwrap();
        t.write_file(r#"{"v": 1}"#);
        let mut config = load(t.defaults(json!({})), map(json!({"c": true}))).unwrap();
        config.set("runtime", json!(1), Layer::Default);
        t.write_file(r#"{"v": 2}"#);
        let fresh = config.reload().unwrap();
        assert_eq!(fresh.value("v"), Some(&json!(2)));
        assert_eq!(fresh.value("c"), Some(&json!(true)));
        assert_eq!(fresh.value("runtime"), None);
        t.write_file(r#"{"v": "#);
        assert!(config.reload().is_err());
        assert_eq!(config.value("v"), Some(&json!(1)));
    }

    #[test]
    fn duplicate_keys_are_kept_per_file_and_the_last_value_counts() {
        let t = Fixture::new();
        t.write_dir_file("a.json.conf", "{\"a\": 1,\n \"a\": 2}");
        t.write_dir_file("b.json.conf", "{\"a\": 3}");
        t.write_file("{\n  \"db\": {\"port\": 1, \"port\": 2}\n}");
        let config = load(t.defaults(json!({})), map(json!({"a": 4}))).unwrap();
        assert_eq!(config.value("a"), Some(&json!(4)));
        assert_eq!(config.lookup("db.port"), Some(&json!(2)));
        let warnings: Vec<String> = config
            .duplicate_keys()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            warnings,
            [
                format!(
                    "{}:2:2: configuration key 'a' is given again (first at 1:2); the last one counts",
                    t.dir().join("a.json.conf").display()
                ),
                format!(
                    "{}:2:21: configuration key 'db.port' is given again (first at 2:10); the last one counts",
                    t.file().display()
                ),
            ]
        );
        assert_eq!(
            config.duplicate_keys()[1].layer,
            Layer::File(t.file().into())
        );
        t.write_file("{}");
        assert_eq!(config.reload().unwrap().duplicate_keys().len(), 1);
    }

    #[test]
    fn core_key_is_never_taken_from_defaults_or_cli() {
        let t = Fixture::new();
        let defaults = t.defaults(
            json!({"__core__": {"a": 1}, "config_file_silent": true, "config_dir_silent": true}),
        );
        let config = load(defaults, map(json!({"__core__": {"b": 2}}))).unwrap();
        assert_eq!(config.value(CORE_KEY), None);
    }
}
