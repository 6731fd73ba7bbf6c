//! The description of every configuration key: its JSON Schema, default,
//! help, option and owner, from the types that bind it.
//!
//! One list of keys ([`KeyDoc`]) feeds `--action config-schema` (a JSON
//! Schema, draft 2020-12, of the configuration file) and `--help-config`
//! (the keys as text). The built-in keys are described from the table of
//! built-in keys; the application's from the types of its fields, the
//! plugins' from [`Plugin::schema`](crate::plugin::Plugin::schema) and the
//! components' from their configuration types, through [`schemars`]. A key
//! whose type has no [`JsonSchema`] is described from its default's JSON
//! type.

use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};
use zenkit_builtins::{Key, ValueType};

pub use schemars::{JsonSchema, Schema, SchemaGenerator};

/// The schema of one configuration key, as an application, a plugin or a
/// component declares it.
#[derive(Debug, Clone)]
pub struct KeySchema {
    /// The configuration key.
    pub key: String,
    /// The JSON Schema of its value; `None` describes it from its default.
    pub schema: Option<Schema>,
    /// One line (or more) of help: the key's description.
    pub help: String,
}

impl KeySchema {
    /// The schema of key `key` with value type `T`, made with `generator`.
    ///
    /// ```
    /// use zenkit::schema::{generator, KeySchema};
    ///
    /// let mut generator = generator();
    /// let key = KeySchema::of::<Option<String>>(&mut generator, "prometheus_dir", "Metrics directory");
    /// assert_eq!(key.key, "prometheus_dir");
    /// ```
    pub fn of<T: JsonSchema>(
        generator: &mut SchemaGenerator,
        key: impl Into<String>,
        help: impl Into<String>,
    ) -> KeySchema {
        KeySchema {
            key: key.into(),
            schema: Some(generator.subschema_for::<T>()),
            help: help.into(),
        }
    }
}

/// A schema generator for draft 2020-12, as zenkit makes its schemas:
/// nested types go to `$defs`, described for reading (deserializing).
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// Who declares a configuration key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// zenkit itself.
    Builtin,
    /// The application.
    Application,
    /// A plugin, by name.
    Plugin(String),
    /// A daemon's component, by name.
    Component(String),
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Builtin => f.write_str("Built-in keys"),
            Owner::Application => f.write_str("Keys of the application"),
            Owner::Plugin(name) => write!(f, "Keys of plugin '{name}'"),
            Owner::Component(name) => write!(f, "Keys of component '{name}'"),
        }
    }
}

/// Everything said about one configuration key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDoc {
    /// The key.
    pub key: String,
    /// Who declares it.
    pub owner: Owner,
    /// The JSON Schema of its value, without description or default.
    pub schema: Value,
    /// Its default value (`null`: none).
    pub default: Value,
    /// Its help.
    pub help: String,
    /// Its command-line option (`--log-level`), if it has one.
    pub option: Option<String>,
    /// The environment variable that may set it, if any.
    pub env: Option<String>,
    /// Other names a file may give it.
    pub aliases: Vec<String>,
    /// Whether a configuration file may set it.
    pub in_files: bool,
}

/// The keys of an application with the definitions (`$defs`) their schemas
/// refer to.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The keys, built-in ones first, then the application's, the
    /// components' and the plugins'.
    pub keys: Vec<KeyDoc>,
    /// The schemas the keys' schemas refer to as `#/$defs/<name>`.
    pub defs: Map<String, Value>,
}

impl Catalog {
    /// The JSON Schema (draft 2020-12) of a configuration file of
    /// application `name`: an object of the keys files may set (aliases
    /// included), each with its description and default; any other key is
    /// refused, as the application would at best ignore it.
    pub fn json_schema(&self, name: &str) -> Value {
        let mut properties = Map::new();
        for doc in self.keys.iter().filter(|k| k.in_files) {
            let mut schema = match &doc.schema {
                Value::Object(map) => map.clone(),
                Value::Bool(true) => Map::new(),
                other => {
                    let mut map = Map::new();
                    map.insert("allOf".into(), json!([other]));
                    map
                }
            };
            if !doc.help.is_empty() {
                schema.insert("description".into(), Value::from(doc.help.clone()));
            }
            if !doc.default.is_null() {
                schema.insert("default".into(), doc.default.clone());
            }
            for alias in &doc.aliases {
                let mut aliased = schema.clone();
                aliased.insert(
                    "description".into(),
                    Value::from(format!("Another name of '{}'. {}", doc.key, doc.help)),
                );
                properties.insert(alias.clone(), Value::Object(aliased));
            }
            properties.insert(doc.key.clone(), Value::Object(schema));
        }
        let mut root = Map::new();
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        root.insert(
            "title".into(),
            Value::from(format!("Configuration file of {name}")),
        );
        root.insert("type".into(), json!("object"));
        root.insert("properties".into(), Value::Object(properties));
        root.insert("additionalProperties".into(), json!(false));
        if !self.defs.is_empty() {
            root.insert("$defs".into(), Value::Object(self.defs.clone()));
        }
        Value::Object(root)
    }

    /// The keys as text for `--help-config`: a section per owner, each key
    /// on a line with its type, default and option, its help below.
    pub fn help_text(&self, name: &str) -> String {
        let mut text = format!("Configuration keys of {name}:\n");
        let mut owner = None;
        for doc in &self.keys {
            if owner != Some(&doc.owner) {
                text.push_str(&format!("\n{}:\n", doc.owner));
                owner = Some(&doc.owner);
            }
            let mut line = format!("  {}  <{}>", doc.key, type_text(&doc.schema, &self.defs));
            if !doc.default.is_null() {
                line.push_str(&format!("  [default: {}]", doc.default));
            }
            if let Some(option) = &doc.option {
                line.push_str(&format!("  [option: {option}]"));
            }
            if let Some(var) = &doc.env {
                line.push_str(&format!("  [env: {var}]"));
            }
            for alias in &doc.aliases {
                line.push_str(&format!("  [also: {alias}]"));
            }
            if !doc.in_files {
                line.push_str("  [not in files]");
            }
            text.push_str(line.trim_end());
            text.push('\n');
            for help in doc.help.lines().filter(|l| !l.trim().is_empty()) {
                text.push_str(&format!("      {}\n", help.trim()));
            }
        }
        text
    }
}

/// A string that is one of `names` in any case, as log levels and formats
/// are read (`"info"`, `"INFO"`); its `examples` are the names but those of
/// `aliases` (other spellings).
fn any_case(names: &[&str], aliases: &[&str]) -> Value {
    let alternatives: Vec<String> = names
        .iter()
        .map(|name| {
            name.chars()
                .map(|c| match (c.to_ascii_lowercase(), c.to_ascii_uppercase()) {
                    (lower, upper) if lower != upper => format!("[{lower}{upper}]"),
                    _ => c.to_string(),
                })
                .collect()
        })
        .collect();
    let shown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !aliases.contains(name))
        .collect();
    json!({
        "type": "string",
        "pattern": format!("^\\s*({})\\s*$", alternatives.join("|")),
        "examples": shown,
    })
}

/// The schema of built-in key `key`; `actions` and `commands` are the names
/// `action` and `command` accept.
pub fn builtin_schema(key: &Key, actions: &[&str], commands: &[&str]) -> Value {
    let schema = match (key.key, key.value) {
        ("action", _) => json!({"enum": actions}),
        ("command", _) => json!({"enum": commands}),
        (_, ValueType::Bool) => json!({"type": "boolean"}),
        (_, ValueType::Count) => json!({"type": "integer", "minimum": 0, "maximum": 255}),
        (_, ValueType::Text) => json!({"type": "string"}),
        (_, ValueType::Path) => json!({"type": "string", "minLength": 1}),
        (_, ValueType::Account) => json!({"anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "integer", "minimum": 0},
            {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false},
        ]}),
        (_, ValueType::Unsigned) => json!({"type": "integer", "minimum": 0}),
        (_, ValueType::LogLevel) => any_case(
            zenkit_builtins::LOG_LEVELS,
            zenkit_builtins::LOG_LEVEL_ALIASES,
        ),
        (_, ValueType::LogFormat) => any_case(zenkit_builtins::LOG_FORMATS, &[]),
        (_, ValueType::Seconds) => json!({"type": "number", "exclusiveMinimum": 0}),
        (_, ValueType::Umask) => json!({"anyOf": [
            {"type": "string", "pattern": "^\\s*(0[oO])?[0-7]{1,12}\\s*$"},
            {"type": "integer", "minimum": 0, "maximum": zenkit_builtins::MAX_UMASK},
        ]}),
        #[cfg(feature = "script")]
        (_, ValueType::Interval) => {
            let names: Vec<&str> = crate::script::Interval::ALL
                .iter()
                .map(|i| i.name())
                .collect();
            json!({"enum": names})
        }
        // only the keys of scripts have these types
        #[cfg(not(feature = "script"))]
        (_, ValueType::Interval | ValueType::Time) => json!({}),
        #[cfg(feature = "script")]
        (_, ValueType::Time) => json!({"anyOf": [
            {"type": "number"},
            {"type": "string", "format": "date-time"},
        ]}),
    };
    // a key without a default may be left unset
    match key.default {
        zenkit_builtins::Default::None => nullable(schema),
        _ => schema,
    }
}

/// `schema` or `null`.
fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// The schema of a key whose type has none, from its default: the default's
/// JSON type (anything for a default of `null`).
pub fn inferred(default: &Value) -> Value {
    match default {
        Value::Null => json!(true),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_f64() => json!({"type": "number"}),
        Value::Number(_) => json!({"type": "integer"}),
        Value::String(_) => json!({"type": "string"}),
        Value::Array(_) => json!({"type": "array"}),
        Value::Object(_) => json!({"type": "object"}),
    }
}

/// The schema a `$ref` into `defs` points at, or `schema` itself.
pub fn resolve<'a>(schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| defs.get(name))
    {
        Some(target) => resolve(target, defs),
        None => schema,
    }
}

/// A short name of the values `schema` allows: `integer`, `string or null`,
/// `one of "debug", "info"`, `array of string`, `object`.
pub fn type_text(schema: &Value, defs: &Map<String, Value>) -> String {
    let schema = resolve(schema, defs);
    let Value::Object(map) = schema else {
        return "any".to_string();
    };
    if let Some(Value::Array(values)) = map.get("enum") {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        return format!("one of {}", values.join(", "));
    }
    if let Some(value) = map.get("const") {
        return value.to_string();
    }
    if let (Some(_), Some(Value::Array(names))) = (map.get("pattern"), map.get("examples")) {
        let names: Vec<String> = names.iter().map(Value::to_string).collect();
        return format!("one of {} (in any case)", names.join(", "));
    }
    for combined in ["anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = map.get(combined) {
            let mut names: Vec<String> = Vec::new();
            for part in parts {
                let name = type_text(part, defs);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            return names.join(" or ");
        }
    }
    let one = |name: &str| match name {
        "array" => match map.get("items") {
            Some(items @ Value::Object(_)) => format!("array of {}", type_text(items, defs)),
            _ => "array".to_string(),
        },
        other => other.to_string(),
    };
    match map.get("type") {
        Some(Value::String(name)) => one(name),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .map(one)
            .collect::<Vec<_>>()
            .join(" or "),
        _ if map.contains_key("properties") => "object".to_string(),
        _ => "any".to_string(),
    }
}

/// `schema` with the bounds `start` and `end` (`end` in the range when
/// `inclusive`) on the numbers it describes, also inside `anyOf` branches
/// (an optional value) and array items (a list).
pub(crate) fn bounded(
    schema: Schema,
    start: Option<f64>,
    end: Option<f64>,
    inclusive: bool,
) -> Schema {
    let mut value = schema.to_value();
    bound_numbers(&mut value, start, end, inclusive);
    Schema::try_from(value).unwrap_or_default()
}

fn bound_numbers(value: &mut Value, start: Option<f64>, end: Option<f64>, inclusive: bool) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    for nested in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = object.get_mut(nested) {
            for branch in branches {
                bound_numbers(branch, start, end, inclusive);
            }
        }
    }
    if let Some(items) = object.get_mut("items") {
        bound_numbers(items, start, end, inclusive);
    }
    let numeric = |t: &Value| matches!(t.as_str(), Some("integer" | "number"));
    let is_number = match object.get("type") {
        Some(Value::Array(types)) => types.iter().any(numeric),
        Some(t) => numeric(t),
        None => false,
    };
    if !is_number {
        return;
    }
    let number = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            Value::from(x as i64)
        } else {
            Value::from(x)
        }
    };
    if let Some(start) = start {
        object.insert("minimum".into(), number(start));
    }
    if let Some(end) = end {
        object.remove("maximum");
        object.remove("exclusiveMaximum");
        let bound = if inclusive {
            "maximum"
        } else {
            "exclusiveMaximum"
        };
        object.insert(bound.into(), number(end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inferred_schemas_follow_the_default() {
        assert_eq!(inferred(&json!(true)), json!({"type": "boolean"}));
        assert_eq!(inferred(&json!(3)), json!({"type": "integer"}));
        assert_eq!(inferred(&json!(0.5)), json!({"type": "number"}));
        assert_eq!(inferred(&json!("x")), json!({"type": "string"}));
        assert_eq!(inferred(&json!([1])), json!({"type": "array"}));
        assert_eq!(inferred(&json!({"a": 1})), json!({"type": "object"}));
        assert_eq!(inferred(&Value::Null), json!(true));
    }

    #[test]
    fn type_texts_are_short() {
        let mut defs = Map::new();
        defs.insert("Db".into(), json!({"type": "object", "properties": {}}));
        for (schema, text) in [
            (json!({"type": "integer"}), "integer"),
            (json!({"type": ["string", "null"]}), "string or null"),
            (json!({"enum": ["a", "b"]}), "one of \"a\", \"b\""),
            (
                any_case(&["ab", "cd", "c"], &["c"]),
                "one of \"ab\", \"cd\" (in any case)",
            ),
            (
                json!({"type": "array", "items": {"type": "string"}}),
                "array of string",
            ),
            (json!({"$ref": "#/$defs/Db"}), "object"),
            (
                json!({"anyOf": [{"type": "number"}, {"type": "null"}]}),
                "number or null",
            ),
            (json!(true), "any"),
        ] {
            assert_eq!(type_text(&schema, &defs), text, "{schema}");
        }
    }

    #[test]
    fn builtin_keys_have_schemas_of_their_types() {
        let key = |name| zenkit_builtins::key(name, zenkit_builtins::Kind::Daemon).unwrap();
        assert_eq!(
            builtin_schema(key("debug"), &[], &[]),
            json!({"type": "boolean"})
        );
        assert_eq!(
            builtin_schema(key("action"), &["config-view"], &[]),
            json!({"anyOf": [{"enum": ["config-view"]}, {"type": "null"}]})
        );
        let umask = builtin_schema(key("umask"), &[], &[]);
        assert_eq!(umask["anyOf"][1]["maximum"], json!(0o777));
    }

    #[test]
    fn the_file_schema_has_the_keys_files_may_set() {
        let doc = |key: &str, in_files, aliases: &[&str]| KeyDoc {
            key: key.to_string(),
            owner: Owner::Builtin,
            schema: json!({"type": "boolean"}),
            default: json!(false),
            help: format!("help of {key}"),
            option: None,
            env: None,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            in_files,
        };
        let catalog = Catalog {
            keys: vec![
                doc("paralel", true, &["parallel"]),
                doc("config_file", false, &[]),
                KeyDoc {
                    option: Some("--timeout".into()),
                    env: Some("DEMO_TIMEOUT".into()),
                    ..doc("timeout", true, &[])
                },
            ],
            defs: Map::new(),
        };
        let schema = catalog.json_schema("demo");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["additionalProperties"], json!(false));
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(
            properties.keys().collect::<Vec<_>>(),
            ["paralel", "parallel", "timeout"]
        );
        assert_eq!(properties["paralel"]["default"], json!(false));
        assert_eq!(properties["paralel"]["description"], "help of paralel");
        let text = catalog.help_text("demo");
        assert!(
            text.contains(
                "  paralel  <boolean>  [default: false]  [also: parallel]\n      help of paralel\n"
            ),
            "{text}"
        );
        assert!(text.contains("config_file  <boolean>  [default: false]  [not in files]"));
        assert!(
            text.contains(
                "  timeout  <boolean>  [default: false]  [option: --timeout]  [env: DEMO_TIMEOUT]\n"
            ),
            "{text}"
        );
    }
}
