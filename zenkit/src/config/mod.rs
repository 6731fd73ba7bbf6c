//! Configuration: loading, layers, merging, binding.
//!
//! The configuration of an application is a JSON object merged from layers,
//! lowest first:
//!
//! 1. built-in and author defaults,
//! 2. every file named `*.json.conf` in the configuration directory, in name
//!    order,
//! 3. the configuration file,
//! 4. environment variables of keys that have one (`#[zen(env = "VAR")]`,
//!    `RUST_LOG` for `log_filter`) and that the command line does not give,
//! 5. the options given on the command line.
//!
//! Files are JSON plus comment lines (a line whose first non-blank characters
//! are `#` or `//`). Objects merge deeply, a `null` never overrides, anything
//! else replaces the lower value. Every value remembers the layer, line and
//! column it came from ([`Config::origin`]) so errors and `config-view` can
//! say where a value was set.
//!
//! An application reads the merged configuration through
//! [`Context::config`](crate::Context::config); loading one directly:
//!
//! ```
//! use serde_json::json;
//! use zenkit::config::{Config, Layer};
//!
//! let dir = tempfile::tempdir()?;
//! let file = dir.path().join("backup.conf");
//! std::fs::write(&file, "{\n    # nightly runs keep more\n    \"keep\": 14\n}\n")?;
//! let defaults = json!({
//!     "config_file": file,
//!     "config_dir": null,
//!     "keep": 7,
//!     "target": "/srv/backup",
//! });
//! let cli = json!({"target": "/mnt/backup"});
//! let config = Config::load(
//!     defaults.as_object().cloned().unwrap_or_default(),
//!     cli.as_object().cloned().unwrap_or_default(),
//! )?;
//!
//! assert_eq!(config.get::<u32>("keep")?, 14);
//! assert_eq!(config.origin("keep").unwrap().line, 3);
//! assert_eq!(config.get::<String>("target")?, "/mnt/backup");
//! assert_eq!(config.origin("target").unwrap().layer, Layer::Cli);
//!
//! // a wrong type is an error naming the file, line and key
//! let err = config.get::<bool>("keep").unwrap_err();
//! assert_eq!(err.exit_code(), zenkit::error::EXIT_CONFIG);
//! assert!(err.to_string().contains("keep"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bind;
mod env;
mod json;
mod load;
mod merge;
mod unknown;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{Error, Result};

pub use self::env::{read as read_env, read_each as read_each_env, EnvKey, EnvValue};
use self::merge::Tree;
pub use self::merge::{format_path, parse_path, Segment};
pub use self::unknown::{closest, unknown_keys, UnknownKey};
pub use zenkit_builtins::CORE_KEY;

/// Keys a configuration file or directory file cannot set: they are dropped
/// when the file is merged (only defaults and the command line choose the
/// files, and the core section is computed).
pub fn keys_ignored_in_files() -> &'static [&'static str] {
    static KEYS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        zenkit_builtins::KEYS
            .iter()
            .filter(|k| !k.in_files)
            .map(|k| k.key)
            .chain([CORE_KEY])
            .collect()
    });
    &KEYS
}

/// Where a value came from. A file's path is shared by all its values, so
/// copying a layer or an [`Origin`] copies no path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The built-in and author defaults (and values the runtime computes).
    Default,
    /// A file of the configuration directory (the path is the file's).
    Dir(Arc<Path>),
    /// The configuration file.
    File(Arc<Path>),
    /// An environment variable (the name is the variable's).
    Env(Arc<str>),
    /// The command line.
    Cli,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Default => f.write_str("default"),
            Layer::Dir(path) | Layer::File(path) => write!(f, "{}", path.display()),
            Layer::Env(var) => write!(f, "environment variable {var}"),
            Layer::Cli => f.write_str("command line"),
        }
    }
}

/// Where a value came from: the layer and, for files, the position of the
/// value in the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The layer that set the value.
    pub layer: Layer,
    /// The 1-based line of the value in the file; 0 for defaults and the
    /// command line.
    pub line: usize,
    /// The 1-based column (in characters) of the value in the file; 0 for
    /// defaults and the command line.
    pub column: usize,
}

impl Origin {
    /// An origin without a position (defaults, the command line, values the
    /// runtime sets).
    pub fn new(layer: Layer) -> Origin {
        Origin {
            layer,
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for Origin {
    /// `default`, `command line`, `<file>:<line>:<column>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.layer {
            Layer::Dir(_) | Layer::File(_) if self.line > 0 => {
                write!(f, "{}:{}:{}", self.layer, self.line, self.column)
            }
            _ => write!(f, "{}", self.layer),
        }
    }
}

/// A key given more than once in one object of a configuration file. The
/// last value counts; the earlier ones are dropped when the file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The file: a directory file or the configuration file.
    pub layer: Layer,
    /// The full path of the key.
    pub path: Vec<Segment>,
    /// The line and column (1-based, in characters) of the key where it
    /// first occurs in the object.
    pub first: (usize, usize),
    /// The line and column of the key where it occurs again; a key given
    /// three times is reported twice, each time with the same `first`.
    pub again: (usize, usize),
}

impl fmt::Display for DuplicateKey {
    /// `<file>:<line>:<column>: configuration key '<path>' is given again
    /// (first at <line>:<column>); the last one counts`, located at the
    /// repeated key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column) = self.again;
        let (first_line, first_column) = self.first;
        write!(
            f,
            "{}:{line}:{column}: configuration key '{}' is given again (first at {first_line}:{first_column}); the last one counts",
            self.layer,
            format_path(&self.path)
        )
    }
}

/// The merged configuration of an application, with the layers it was
/// merged from and the origin of every value.
#[derive(Debug, Clone, Default)]
pub struct Config {
    defaults: Map<String, Value>,
    env: Vec<EnvValue>,
    cli: Map<String, Value>,
    layers: Vec<(Layer, Map<String, Value>)>,
    /// The keys given twice in one object of a file, in the order read.
    duplicates: Vec<DuplicateKey>,
    merged: Map<String, Value>,
    origins: BTreeMap<String, Tree<Origin>>,
    /// The command-line option of each top-level key that has one, for
    /// messages about values given on the command line.
    options: BTreeMap<String, String>,
}

impl Config {
    /// Loads and merges all layers.
    ///
    /// `defaults` holds the built-in and author defaults (the full key set),
    /// `cli` only the options actually given on the command line. Which
    /// configuration file and directory are read, and whether their absence
    /// is an error, is taken from `config_file`, `config_dir`,
    /// `config_file_silent` and `config_dir_silent` of `defaults` overlaid
    /// with `cli`; those keys inside files do not choose files. A `null` or
    /// empty path reads no file or directory.
    ///
    /// Errors are configuration errors (exit 78) naming the file, line and
    /// column: a missing file or directory (unless silent), an unreadable
    /// file, malformed JSON, a top level that is not an object.
    pub fn load(defaults: Map<String, Value>, cli: Map<String, Value>) -> Result<Config> {
        load::load(defaults, cli)
    }

    /// [`Config::load`] with the values of environment variables (see
    /// [`read_env`]) as a layer between the configuration file and the
    /// command line; each value's origin is its variable.
    pub fn load_with_env(
        defaults: Map<String, Value>,
        env: Vec<EnvValue>,
        cli: Map<String, Value>,
    ) -> Result<Config> {
        load::load_layers(defaults, env, cli)
    }

    /// Loads the same defaults and command line again, reading the files
    /// anew (for a reload on SIGHUP). Values set with [`Config::set`] and the
    /// core section are not carried over.
    pub fn reload(&self) -> Result<Config> {
        let mut config =
            load::load_layers(self.defaults.clone(), self.env.clone(), self.cli.clone())?;
        config.options = self.options.clone();
        Ok(config)
    }

    /// Names the command-line option (`--stats-interval`) of each top-level
    /// key that has one, so an error about a value given on the command
    /// line names the option the user typed.
    pub(crate) fn set_options(&mut self, options: impl IntoIterator<Item = (String, String)>) {
        self.options = options.into_iter().collect();
    }

    /// The command-line option of top-level key `key` (`--stats-interval`),
    /// if it has one.
    pub fn option_of(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    /// Binds the whole merged configuration to `T`, whose fields are
    /// top-level keys (keys `T` does not name are left alone).
    ///
    /// A wrong value is reported as [`Config::get`] reports it: located in
    /// its file, or as a usage error naming the option when the command line
    /// gave it.
    pub fn bind<T: DeserializeOwned>(&self) -> Result<T> {
        bind::bind(self)
    }

    /// The typed value of top-level key `key`.
    ///
    /// A wrong type or value is a configuration error naming where the bad
    /// value was set and its full key path, e.g.
    /// `/etc/app.conf:4:21: configuration key 'limits.max_items': invalid
    /// type: string "many", expected u32`. A key that is not set at all
    /// deserializes from `null` (so `Option` fields become `None`) or is
    /// reported as missing.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<T> {
        bind::get(self, key)
    }

    /// The value of top-level key `key`.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.merged.get(key)
    }

    /// The value at a dotted path such as `db.port` or `hosts[1].name`.
    pub fn lookup(&self, dotted_path: &str) -> Option<&Value> {
        self.lookup_at(&parse_path(dotted_path))
    }

    /// The value at a path given as segments (for keys that contain dots).
    pub fn lookup_at(&self, path: &[Segment]) -> Option<&Value> {
        merge::value_at(&self.merged, path)
    }

    /// The merged configuration, `__core__` included once set.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.merged
    }

    /// Which layer set the value at a dotted path. An object deep-merged from
    /// several layers reports the highest of them.
    pub fn origin(&self, dotted_path: &str) -> Option<&Origin> {
        self.origin_at(&parse_path(dotted_path))
    }

    /// Which layer set the value at a path given as segments.
    pub fn origin_at(&self, path: &[Segment]) -> Option<&Origin> {
        self.origin_tree(path).map(|tree| &tree.at)
    }

    fn origin_tree(&self, path: &[Segment]) -> Option<&Tree<Origin>> {
        let (Segment::Key(first), rest) = path.split_first()? else {
            return None;
        };
        self.origins.get(first)?.descend(rest)
    }

    /// Each layer as it was read, lowest first: the defaults, each directory
    /// file, the configuration file, each environment variable, the command
    /// line. Keys that were
    /// dropped when merging (see [`keys_ignored_in_files`]) are still here.
    pub fn layers(&self) -> &[(Layer, Map<String, Value>)] {
        &self.layers
    }

    /// Keys found in configuration files that were dropped when merging, with
    /// the layer that held them, so the runner can warn about them.
    pub fn ignored_keys(&self) -> Vec<(&Layer, &str)> {
        self.layers
            .iter()
            .filter(|(layer, _)| matches!(layer, Layer::Dir(_) | Layer::File(_)))
            .flat_map(|(layer, map)| {
                keys_ignored_in_files()
                    .iter()
                    .filter(|key| map.contains_key(**key))
                    .map(move |key| (layer, *key))
            })
            .collect()
    }

    /// The keys that a configuration file gives more than once in one
    /// object, file by file in the order the files were read, so the runner
    /// can warn about them. Each displays as a one-line warning located at
    /// the repeated key.
    pub fn duplicate_keys(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// Sets top-level key `key` to `value` (replacing the whole value),
    /// recording `layer` as its origin; the runtime uses it for values it
    /// computes, such as the resolved user.
    pub fn set(&mut self, key: &str, value: Value, layer: Layer) {
        self.origins
            .insert(key.to_string(), Tree::uniform(&value, Origin::new(layer)));
        self.merged.insert(key.to_string(), value);
    }

    /// Stores the core section (see [`crate::settings::Core`]) under
    /// `__core__`.
    pub(crate) fn set_core(&mut self, core: Value) {
        self.set(CORE_KEY, core, Layer::Default);
    }

    /// The keys inside the value of top-level `key` that binding it to `T`
    /// ignores, with full paths (`db.prot`).
    pub fn unknown_in<T: DeserializeOwned>(&self, key: &str) -> Vec<UnknownKey> {
        self.unknown_in_with(key, unknown_keys::<T>)
    }

    /// [`Config::unknown_in`] with `find` finding the unknown keys of a value.
    fn unknown_in_with(&self, key: &str, find: fn(&Value) -> Vec<UnknownKey>) -> Vec<UnknownKey> {
        let Some(value) = self.merged.get(key) else {
            return Vec::new();
        };
        let mut found = find(value);
        for unknown in &mut found {
            unknown.path.insert(0, Segment::Key(key.to_string()));
        }
        found
    }

    /// Top-level keys of the merged configuration that are not in `known`,
    /// sorted; `__core__` is never reported.
    pub fn unknown_keys(&self, known: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = self
            .merged
            .keys()
            .filter(|key| key.as_str() != CORE_KEY && !known.contains(&key.as_str()))
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    /// A configuration error about the value at `dotted_path`, located where
    /// that value was set: `<file>:<line>:<column>: configuration key
    /// '<path>': <message>` (or `command line: …`, `built-in default of …`).
    /// For checks of values beyond their type.
    pub fn error_at(&self, dotted_path: &str, message: impl fmt::Display) -> Error {
        let path = parse_path(dotted_path);
        bind::located_error(self, &path, &message.to_string())
    }

    /// [`Config::error_at`] for a path given as segments (for keys that
    /// contain dots).
    pub fn error_at_path(&self, path: &[Segment], message: impl fmt::Display) -> Error {
        bind::located_error(self, path, &message.to_string())
    }

    /// An error about the value at `dotted_path`: a usage error naming the
    /// option when the command line gave it (the user typed it just now),
    /// else a configuration error located where it was set
    /// ([`Config::error_at`]).
    pub fn error_for(&self, dotted_path: &str, message: impl fmt::Display) -> Error {
        bind::error_for(self, &parse_path(dotted_path), &message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_for_command_line_values_are_usage_errors() {
        let obj = |v: Value| match v {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        };
        let defaults = obj(json!({
            "config_file_silent": true, "config_dir_silent": true,
            "config_file": "/nonexistent/x.conf", "config_dir": "/nonexistent/x",
            "a": 1, "b": 2,
        }));
        let mut config = Config::load(defaults, obj(json!({"a": 5}))).unwrap();
        let from_cli = config.error_for("a", "bad");
        assert_eq!(from_cli.kind(), crate::ErrorKind::Usage);
        assert_eq!(
            from_cli.message(),
            "command line: configuration key 'a': bad"
        );
        config.set_options([("a".to_string(), "--aa".to_string())]);
        assert_eq!(config.error_for("a", "bad").message(), "option --aa: bad");
        let from_default = config.error_for("b", "bad");
        assert_eq!(from_default.kind(), crate::ErrorKind::Config);
        assert!(
            from_default.message().contains("'b': bad"),
            "{from_default}"
        );
    }

    #[test]
    fn layers_and_origins_display() {
        let file = Layer::File(Path::new("/etc/app.conf").into());
        assert_eq!(Layer::Default.to_string(), "default");
        assert_eq!(Layer::Cli.to_string(), "command line");
        assert_eq!(
            Layer::Env("TOOL_LIMIT".into()).to_string(),
            "environment variable TOOL_LIMIT"
        );
        assert_eq!(
            Layer::Dir(Path::new("/etc/app/a.json.conf").into()).to_string(),
            "/etc/app/a.json.conf"
        );
        assert_eq!(file.to_string(), "/etc/app.conf");
        let at = Origin {
            layer: file.clone(),
            line: 3,
            column: 7,
        };
        assert_eq!(at.to_string(), "/etc/app.conf:3:7");
        assert_eq!(Origin::new(file).to_string(), "/etc/app.conf");
        assert_eq!(Origin::new(Layer::Cli).to_string(), "command line");
    }

    #[test]
    fn set_and_core_replace_values_and_record_origins() {
        let mut config = Config::default();
        config.set("user", json!(["nobody", 65534]), Layer::Default);
        config.set_core(
            crate::settings::Core::new(crate::AppKind::Base, crate::log::LogLevel::Info, None)
                .to_json(),
        );
        assert_eq!(config.lookup("user[1]"), Some(&json!(65534)));
        assert_eq!(
            config.lookup("__core__.logging.level"),
            Some(&json!("INFO"))
        );
        assert_eq!(
            config.origin("__core__.pstate.save").map(|o| &o.layer),
            Some(&Layer::Default)
        );
        assert_eq!(config.unknown_keys(&["user"]), Vec::<String>::new());
        assert_eq!(config.unknown_keys(&[]), vec!["user".to_string()]);
    }

    #[test]
    fn keys_with_dots_are_reached_by_segments() {
        let mut config = Config::default();
        config.set("a.b", json!({"c": [true]}), Layer::Cli);
        assert_eq!(config.lookup("a.b"), None);
        let path = [
            Segment::Key("a.b".into()),
            Segment::Key("c".into()),
            Segment::Index(0),
        ];
        assert_eq!(config.lookup_at(&path), Some(&json!(true)));
        assert_eq!(config.origin_at(&path), Some(&Origin::new(Layer::Cli)));
        assert_eq!(format_path(&path), "a.b.c[0]");
    }
}
