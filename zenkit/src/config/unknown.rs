//! Keys of a configuration value that the type it is bound to does not use.
//!
//! [`unknown_keys`] binds a value to a type with a deserializer that watches
//! the type at work: when a struct asks for its fields, the deserializer
//! learns the names it accepts, and when the struct skips the value of a key
//! (serde's derive deserializes the value of an unknown field as
//! `IgnoredAny`), that key is unknown. [`closest`] finds the known key a
//! misspelled one was probably meant to be.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::iter::Enumerate;
use std::slice;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer as _, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::Value;

use super::Segment;

/// Objects and arrays nested deeper than this are not looked into, so a
/// value built in code cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// How many times a value that fails to bind is walked again with the failing
/// part left out.
const MAX_WALKS: usize = 64;

/// A key that binding a type ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The full path of the key, e.g. `[Key("db"), Key("prot")]` for `prot`
    /// inside `db`.
    pub path: Vec<Segment>,
    /// The field names the struct at that place accepts, in declaration
    /// order (with their aliases, as serde lists them).
    pub known: Vec<&'static str>,
}

/// The keys of `value` that binding `T` ignores, sorted by path.
///
/// Keys inside nested structs, `Option`s, sequences, maps and externally
/// tagged enums are found. The keys of a map (`HashMap<String, _>` and the
/// like) are never unknown, and neither are the keys of a struct that uses
/// `#[serde(flatten)]`, nor anything inside a `serde_json::Value` field or an
/// internally tagged or untagged enum: the report has no false positives, but
/// may miss keys in those places. The unknown keys of a struct with
/// `#[serde(deny_unknown_fields)]` are found too. Objects and arrays nested
/// deeper than 128 levels are not looked into.
///
/// A value that does not bind to `T` (a wrong type, a missing field, an
/// unknown variant) still reports what can be found: the part that fails is
/// left out and the value walked again, at most 64 times. Nothing is reported
/// about the failure itself.
pub fn unknown_keys<T: DeserializeOwned>(value: &Value) -> Vec<UnknownKey> {
    walk_unknown(value, &|walker| T::deserialize(walker).is_ok())
}

/// The walks of [`unknown_keys`], `binds` telling whether the type binds
/// the value a walker goes over; apart so that only `binds` is compiled
/// for each type.
fn walk_unknown(value: &Value, binds: &dyn Fn(Walker<'_, '_>) -> bool) -> Vec<UnknownKey> {
    let mut walk = Walk::default();
    for _ in 0..MAX_WALKS {
        let bound = binds(Walker::new(value, Vec::new(), &walk, None));
        let failed = walk.failed_at.take();
        match failed {
            Some(path) if !bound => match walk.next_exclusion(path) {
                Some(path) => walk.excluded.push(path),
                None => break,
            },
            _ => break,
        }
    }
    let mut found = walk.found.into_inner();
    found.sort_by(|a, b| compare_paths(&a.path, &b.path));
    found.dedup_by(|a, b| a.path == b.path);
    found
}

/// The key of `known` closest to `given`, if it is close enough to be a
/// likely misspelling: one that differs only in case or in `-` versus `_`,
/// else the nearest by Damerau–Levenshtein distance (a swap of neighbours
/// counts as one edit) when that distance is at most a third of the length
/// of `given`, and at least 1. The first of equally close keys wins.
///
/// ```text
/// closest("prot", &["port", "host"]) == Some("port")
/// closest("log-level", &["log_level"]) == Some("log_level")
/// closest("xyz", &["port"]) == None
/// ```
pub fn closest<'a>(given: &str, known: &[&'a str]) -> Option<&'a str> {
    let given = normalize(given);
    if let Some(&same) = known.iter().find(|key| normalize(key) == given) {
        return Some(same);
    }
    let limit = (given.chars().count() / 3).max(1);
    known
        .iter()
        .map(|&key| (strsim::damerau_levenshtein(&given, &normalize(key)), key))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, key)| key)
}

/// `key` in lower case with `-` as `_`.
fn normalize(key: &str) -> String {
    key.to_lowercase().replace('-', "_")
}

/// Orders paths segment by segment (keys by name, indices by number).
fn compare_paths(a: &[Segment], b: &[Segment]) -> Ordering {
    a.iter().map(rank).cmp(b.iter().map(rank))
}

fn rank(segment: &Segment) -> (u8, &str, usize) {
    match segment {
        Segment::Key(key) => (0, key, 0),
        Segment::Index(index) => (1, "", *index),
    }
}

/// What one call of [`unknown_keys`] learns over its walks.
#[derive(Default)]
struct Walk {
    /// Paths left out of the walk, because binding failed there before.
    excluded: Vec<Vec<Segment>>,
    /// Unknown keys found so far (a key found again in a later walk repeats).
    found: RefCell<Vec<UnknownKey>>,
    /// The innermost path where the current walk failed.
    failed_at: RefCell<Option<Vec<Segment>>>,
}

impl Walk {
    fn is_excluded(&self, path: &[Segment]) -> bool {
        self.excluded.iter().any(|excluded| excluded == path)
    }

    /// The path to leave out after a walk failed at `path`: `path` itself or,
    /// when it already was (leaving out the content of an enum variant has
    /// no effect), its nearest ancestor that is not. `None` for the top level.
    fn next_exclusion(&self, mut path: Vec<Segment>) -> Option<Vec<Segment>> {
        while self.is_excluded(&path) {
            path.pop();
        }
        (!path.is_empty()).then_some(path)
    }
}

/// The error of the walk; what went wrong does not matter, only where.
#[derive(Debug)]
struct Failed;

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value does not bind")
    }
}

impl std::error::Error for Failed {}

impl de::Error for Failed {
    fn custom<T: fmt::Display>(_message: T) -> Failed {
        Failed
    }
}

/// A deserializer over one value of the walk.
struct Walker<'v, 'w> {
    value: &'v Value,
    path: Vec<Segment>,
    walk: &'w Walk,
    /// For the value of a key that the struct around it does not list: that
    /// struct's fields. If the struct skips the value, the key is unknown.
    unlisted_in: Option<&'static [&'static str]>,
}

impl<'v, 'w> Walker<'v, 'w> {
    fn new(
        value: &'v Value,
        path: Vec<Segment>,
        walk: &'w Walk,
        unlisted_in: Option<&'static [&'static str]>,
    ) -> Walker<'v, 'w> {
        Walker {
            value,
            path,
            walk,
            unlisted_in,
        }
    }

    /// The same value, for the inner deserializer of an `Option` or a newtype.
    fn inner(self) -> Walker<'v, 'w> {
        Walker {
            unlisted_in: None,
            ..self
        }
    }

    fn child_path(&self, segment: Segment) -> Vec<Segment> {
        let mut path = Vec::with_capacity(self.path.len() + 1);
        path.extend_from_slice(&self.path);
        path.push(segment);
        path
    }

    /// Remembers this value's path if `result` failed and nothing inside it
    /// failed first.
    fn noted<T>(&self, result: Result<T, Failed>) -> Result<T, Failed> {
        if result.is_err() {
            note_failure(self.walk, &self.path);
        }
        result
    }

    fn too_deep(&self) -> bool {
        self.path.len() >= MAX_DEPTH
    }

    fn entries<'a>(
        &'a self,
        map: &'v serde_json::Map<String, Value>,
        fields: Option<&'static [&'static str]>,
    ) -> Entries<'a, 'v, 'w> {
        Entries {
            parent: self,
            iter: map.iter(),
            fields,
            pending: None,
        }
    }

    fn items<'a>(&'a self, items: &'v [Value]) -> Items<'a, 'v, 'w> {
        Items {
            parent: self,
            iter: items.iter().enumerate(),
        }
    }
}

fn note_failure(walk: &Walk, path: &[Segment]) {
    let mut failed_at = walk.failed_at.borrow_mut();
    if failed_at.is_none() {
        *failed_at = Some(path.to_vec());
    }
}

impl<'de> de::Deserializer<'de> for Walker<'de, '_> {
    type Error = Failed;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(n) = n.as_u64() {
                    visitor.visit_u64(n)
                } else if let Some(n) = n.as_i64() {
                    visitor.visit_i64(n)
                } else if let Some(n) = n.as_f64() {
                    visitor.visit_f64(n)
                } else {
                    Err(Failed)
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(_) | Value::Object(_) if self.too_deep() => Err(Failed),
            Value::Array(items) => visitor.visit_seq(self.items(items)),
            Value::Object(map) => visitor.visit_map(self.entries(map, None)),
        };
        self.noted(result)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self.inner()),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Failed> {
        visitor.visit_newtype_struct(self.inner())
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Failed> {
        let result = match self.value {
            Value::Array(_) | Value::Object(_) if self.too_deep() => Err(Failed),
            Value::Object(map) => visitor.visit_map(self.entries(map, Some(fields))),
            Value::Array(items) => visitor.visit_seq(self.items(items)),
            _ => return self.deserialize_any(visitor),
        };
        self.noted(result)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Failed> {
        let result = match self.value {
            Value::String(name) => visitor.visit_enum(Variant {
                parent: &self,
                name,
                content: None,
            }),
            Value::Object(_) if self.too_deep() => Err(Failed),
            Value::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((name, content)) => visitor.visit_enum(Variant {
                    parent: &self,
                    name,
                    content: Some(content),
                }),
                None => Err(Failed),
            },
            _ => Err(Failed),
        };
        self.noted(result)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        if let Some(fields) = self.unlisted_in {
            self.walk.found.borrow_mut().push(UnknownKey {
                path: self.path,
                known: fields.to_vec(),
            });
        }
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

/// The entries of an object: the fields of a struct (`fields` is `Some`) or
/// the entries of a map.
struct Entries<'a, 'v, 'w> {
    parent: &'a Walker<'v, 'w>,
    iter: serde_json::map::Iter<'v>,
    fields: Option<&'static [&'static str]>,
    /// The deserializer of the value whose key was read last.
    pending: Option<Walker<'v, 'w>>,
}

impl Entries<'_, '_, '_> {
    /// The struct's fields if `key` is not among them.
    fn unlisted(&self, key: &str) -> Option<&'static [&'static str]> {
        self.fields.filter(|fields| !fields.contains(&key))
    }
}

impl<'de> MapAccess<'de> for Entries<'_, 'de, '_> {
    type Error = Failed;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Failed> {
        for (key, value) in self.iter.by_ref() {
            let path = self.parent.child_path(Segment::Key(key.clone()));
            let walk = self.parent.walk;
            if walk.is_excluded(&path) {
                continue;
            }
            let unlisted = self.unlisted(key);
            return match seed.deserialize(Key(key)) {
                Ok(key) => {
                    self.pending = Some(Walker::new(value, path, walk, unlisted));
                    Ok(Some(key))
                }
                Err(err) => {
                    // A struct that denies unknown fields refuses the key itself.
                    if let Some(fields) = unlisted {
                        walk.found.borrow_mut().push(UnknownKey {
                            path: path.clone(),
                            known: fields.to_vec(),
                        });
                    }
                    note_failure(walk, &path);
                    Err(err)
                }
            };
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Failed> {
        seed.deserialize(self.pending.take().ok_or(Failed)?)
    }
}

/// The items of an array.
struct Items<'a, 'v, 'w> {
    parent: &'a Walker<'v, 'w>,
    iter: Enumerate<slice::Iter<'v, Value>>,
}

impl<'de> SeqAccess<'de> for Items<'_, 'de, '_> {
    type Error = Failed;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Failed> {
        for (index, value) in self.iter.by_ref() {
            let path = self.parent.child_path(Segment::Index(index));
            if self.parent.walk.is_excluded(&path) {
                continue;
            }
            return seed
                .deserialize(Walker::new(value, path, self.parent.walk, None))
                .map(Some);
        }
        Ok(None)
    }
}

/// An externally tagged enum value: `"Name"` or `{"Name": content}`.
struct Variant<'a, 'v, 'w> {
    parent: &'a Walker<'v, 'w>,
    name: &'v str,
    content: Option<&'v Value>,
}

impl<'v, 'w> Variant<'_, 'v, 'w> {
    fn content(&self) -> Result<Walker<'v, 'w>, Failed> {
        let content = self.content.ok_or(Failed)?;
        let path = self.parent.child_path(Segment::Key(self.name.to_string()));
        Ok(Walker::new(content, path, self.parent.walk, None))
    }
}

impl<'de, 'a, 'w> EnumAccess<'de> for Variant<'a, 'de, 'w> {
    type Error = Failed;
    type Variant = Variant<'a, 'de, 'w>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Failed> {
        let variant = seed.deserialize(Key(self.name))?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'_, 'de, '_> {
    type Error = Failed;

    fn unit_variant(self) -> Result<(), Failed> {
        match self.content {
            None | Some(Value::Null) => Ok(()),
            Some(_) => Err(Failed),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Failed> {
        seed.deserialize(self.content()?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Failed> {
        self.content()?.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Failed> {
        self.content()?.deserialize_struct("", fields, visitor)
    }
}

/// A deserializer over an object key (or the name of an enum variant). Map
/// keys that are numbers or booleans are parsed, as serde_json does.
struct Key<'v>(&'v str);

macro_rules! parsed_key {
    ($($method:ident => $visit:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
            match self.0.parse() {
                Ok(parsed) => visitor.$visit(parsed),
                Err(_) => visitor.visit_borrowed_str(self.0),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = Failed;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        visitor.visit_borrowed_str(self.0)
    }

    parsed_key! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_i128 => visit_i128,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
        deserialize_u128 => visit_u128,
        deserialize_f32 => visit_f32,
        deserialize_f64 => visit_f64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Failed> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Failed> {
        BorrowedStrDeserializer::new(self.0).deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Db {
        host: String,
        port: u16,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Settings {
        db: Db,
        backup: Option<Db>,
        #[serde(default)]
        replicas: Vec<Db>,
        #[serde(default)]
        named: HashMap<String, Db>,
    }

    fn path(dotted: &str) -> Vec<Segment> {
        super::super::parse_path(dotted)
    }

    fn paths(found: &[UnknownKey]) -> Vec<String> {
        found
            .iter()
            .map(|key| super::super::format_path(&key.path))
            .collect()
    }

    const DB_FIELDS: [&str; 2] = ["host", "port"];

    #[test]
    fn nested_misspelled_key_with_path_and_known_fields() {
        let value = json!({"db": {"host": "h", "prot": 5432, "port": 1}});
        let found = unknown_keys::<Settings>(&value);
        assert_eq!(
            found,
            vec![UnknownKey {
                path: path("db.prot"),
                known: DB_FIELDS.to_vec(),
            }]
        );
    }

    #[test]
    fn keys_in_options_sequences_and_map_values() {
        let value = json!({
            "db": {"host": "h", "port": 1},
            "backup": {"host": "b", "port": 2, "user": "x"},
            "replicas": [{"host": "r", "port": 3}, {"hots": "r", "host": "r", "port": 4}],
            "named": {"any-name": {"host": "n", "port": 5, "portt": 6}},
            "extra": true,
        });
        let found = unknown_keys::<Settings>(&value);
        assert_eq!(
            paths(&found),
            [
                "backup.user",
                "extra",
                "named.any-name.portt",
                "replicas[1].hots"
            ]
        );
        assert_eq!(found[2].known, DB_FIELDS);
        assert_eq!(
            found[1].known,
            ["db", "backup", "replicas", "named"].to_vec()
        );
    }

    #[test]
    fn null_option_and_map_keys_are_not_unknown() {
        let value = json!({"db": {"host": "h", "port": 1}, "backup": null,
                           "named": {"a": {"host": "h", "port": 1}, "b": {"host": "h", "port": 2}}});
        assert_eq!(unknown_keys::<Settings>(&value), vec![]);
        let map = json!({"x": 1, "y": 2});
        assert_eq!(unknown_keys::<BTreeMap<String, u8>>(&map), vec![]);
        assert_eq!(unknown_keys::<Value>(&map), vec![]);
        assert_eq!(
            unknown_keys::<HashMap<u16, Db>>(&json!({"1": {"host": "h", "port": 1, "x": 0}})).len(),
            1
        );
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct WithFlatten {
        name: String,
        inner: Db,
        #[serde(flatten)]
        rest: Db,
    }

    #[test]
    fn flatten_reports_nothing_for_its_struct() {
        let value = json!({"name": "n", "host": "h", "port": 1, "other": 2,
                           "inner": {"host": "h", "port": 1, "prot": 3}});
        assert_eq!(paths(&unknown_keys::<WithFlatten>(&value)), ["inner.prot"]);
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    enum Transport {
        Stdio,
        Tcp(Db),
        Unix { path: String },
        Pair(u8, Db),
    }

    #[test]
    fn externally_tagged_enums() {
        let value = json!([
            "Stdio",
            {"Tcp": {"host": "h", "port": 1, "tls": true}},
            {"Unix": {"path": "/p", "mode": 1}},
            {"Pair": [1, {"host": "h", "port": 1, "x": 0}]},
            {"Stdio": null},
        ]);
        let found = unknown_keys::<Vec<Transport>>(&value);
        assert_eq!(
            paths(&found),
            ["[1].Tcp.tls", "[2].Unix.mode", "[3].Pair[1].x"]
        );
        assert_eq!(found[1].known, ["path"].to_vec());
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Strict {
        #[serde(alias = "addr")]
        host: String,
        ignored: serde::de::IgnoredAny,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    #[serde(deny_unknown_fields)]
    struct Denying {
        host: String,
    }

    #[test]
    fn aliases_ignored_any_fields_and_denied_fields() {
        let value = json!({"addr": "h", "ignored": [1], "hots": 1});
        assert_eq!(paths(&unknown_keys::<Strict>(&value)), ["hots"]);
        let value = json!({"a": {"host": "h", "hots": 1, "prt": 2}, "b": {"host": "h"}});
        assert_eq!(
            paths(&unknown_keys::<BTreeMap<String, Denying>>(&value)),
            ["a.hots", "a.prt"]
        );
    }

    #[test]
    fn values_that_fail_to_bind_report_what_is_found() {
        // Wrong types, a missing field and an unknown variant, each next to
        // unknown keys that are still found.
        let value = json!({
            "db": {"host": "h", "port": "not a number", "prot": 1},
            "backup": {"port": 2, "usr": "x"},
            "replicas": [7, {"host": "r", "port": 3, "hots": 1}, {"host": "r", "port": 1, "a": 1}],
            "extra": true,
        });
        assert_eq!(
            paths(&unknown_keys::<Settings>(&value)),
            [
                "backup.usr",
                "db.prot",
                "extra",
                "replicas[1].hots",
                "replicas[2].a"
            ]
        );
        let value = json!([{"Nope": 1}, {"Tcp": 5}, {"Tcp": {"host": "h", "x": 1}}, {"Unix": {"mode": 1}}, {"A": 1, "B": 2}, 3]);
        assert_eq!(
            paths(&unknown_keys::<Vec<Transport>>(&value)),
            ["[2].Tcp.x", "[3].Unix.mode"]
        );
        assert_eq!(unknown_keys::<Settings>(&json!("text")), vec![]);
        assert_eq!(unknown_keys::<u8>(&json!({"a": 1})), vec![]);
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Node {
        next: Option<Box<Node>>,
    }

    /// `{"next": {"next": … {"x": 1}}}`, `depth` objects around the innermost.
    fn nested(depth: usize) -> Value {
        let mut value = json!({"x": 1});
        for _ in 0..depth {
            let mut map = serde_json::Map::new();
            map.insert("next".to_string(), value);
            value = Value::Object(map);
        }
        value
    }

    #[test]
    fn deep_values_do_not_overflow() {
        assert_eq!(unknown_keys::<Node>(&nested(1000)), vec![]);
        let found = unknown_keys::<Node>(&nested(10));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.len(), 11);
        assert_eq!(found[0].known, ["next"].to_vec());
    }

    #[test]
    fn closest_known_keys() {
        assert_eq!(closest("prot", &["port", "host"]), Some("port"));
        assert_eq!(closest("xyz", &["port"]), None);
        assert_eq!(closest("log-level", &["log_level"]), Some("log_level"));
        assert_eq!(
            closest("Log_Level", &["level", "log_level"]),
            Some("log_level")
        );
        assert_eq!(
            closest("max_itmes", &["max_items", "min_items"]),
            Some("max_items")
        );
        assert_eq!(closest("hots", &["host", "hots_x"]), Some("host"));
        assert_eq!(closest("a", &["b"]), Some("b"));
        assert_eq!(closest("timeout", &["time"]), None);
        assert_eq!(closest("", &[]), None);
        assert_eq!(closest("port", &[]), None);
    }
}
