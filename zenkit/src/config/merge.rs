//! Deep merge of configuration layers, keeping where every value came from.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::Origin;

/// One step of a path into a configuration value: an object key or an array
/// index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A key of an object.
    Key(String),
    /// An index into an array.
    Index(usize),
}

/// Splits a dotted path (`db.port`, `hosts[2].name`, `hosts.2.name`) into
/// segments. A key that is a number also reaches into an array.
pub fn parse_path(dotted: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in dotted.split('.') {
        match split_indices(part) {
            Some((key, indices)) => {
                if !key.is_empty() {
                    out.push(Segment::Key(key.to_string()));
                }
                out.extend(indices.into_iter().map(Segment::Index));
            }
            None => out.push(Segment::Key(part.to_string())),
        }
    }
    out
}

/// `name[1][2]` as `("name", [1, 2])`; `None` when `part` has no well-formed
/// index suffix.
fn split_indices(part: &str) -> Option<(&str, Vec<usize>)> {
    let open = part.find('[')?;
    let (key, mut rest) = part.split_at(open);
    let mut indices = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        indices.push(inner[..close].parse().ok()?);
        rest = &inner[close + 1..];
    }
    Some((key, indices))
}

/// Writes a path the way messages show it: `limits.max_items`, `hosts[2].name`.
pub fn format_path(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(key) => f.write_str(key),
            Segment::Index(index) => write!(f, "[{index}]"),
        }
    }
}

/// A value's annotation (position or origin) and those of the values inside
/// it: `keys` for an object, `items` for an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tree<T> {
    pub(crate) at: T,
    pub(crate) keys: BTreeMap<String, Tree<T>>,
    pub(crate) items: Vec<Tree<T>>,
}

impl<T> Tree<T> {
    pub(crate) fn leaf(at: T) -> Tree<T> {
        Tree {
            at,
            keys: BTreeMap::new(),
            items: Vec::new(),
        }
    }

    /// The annotation of the value one segment further in.
    fn child(&self, segment: &Segment) -> Option<&Tree<T>> {
        match segment {
            Segment::Key(key) => self
                .keys
                .get(key)
                .or_else(|| self.items.get(key.parse::<usize>().ok()?)),
            Segment::Index(index) => self.items.get(*index),
        }
    }

    /// The annotation of the value at `path`.
    pub(crate) fn descend(&self, path: &[Segment]) -> Option<&Tree<T>> {
        path.iter()
            .try_fold(self, |tree, segment| tree.child(segment))
    }

    /// The annotation of the value at the longest prefix of `path` that
    /// exists.
    pub(crate) fn deepest(&self, path: &[Segment]) -> &Tree<T> {
        let mut tree = self;
        for segment in path {
            match tree.child(segment) {
                Some(next) => tree = next,
                None => break,
            }
        }
        tree
    }
}

impl<T> Tree<T> {
    /// The same tree with every annotation passed through `f`.
    fn map<U>(self, f: &impl Fn(&T) -> U) -> Tree<U> {
        if self.keys.is_empty() && self.items.is_empty() {
            return Tree::leaf(f(&self.at));
        }
        Tree {
            at: f(&self.at),
            keys: self.keys.into_iter().map(|(k, t)| (k, t.map(f))).collect(),
            items: self.items.into_iter().map(|t| t.map(f)).collect(),
        }
    }
}

impl<T: Clone> Tree<T> {
    /// The same annotation for `value` and everything inside it.
    pub(crate) fn uniform(value: &Value, at: T) -> Tree<T> {
        let mut tree = Tree::leaf(at.clone());
        match value {
            Value::Object(map) => {
                tree.keys = map
                    .iter()
                    .map(|(k, v)| (k.clone(), Tree::uniform(v, at.clone())))
                    .collect();
            }
            Value::Array(items) => {
                tree.items = items.iter().map(|v| Tree::uniform(v, at.clone())).collect();
            }
            _ => {}
        }
        tree
    }
}

/// The value at `path` inside `root`.
pub(crate) fn value_at<'a>(root: &'a Map<String, Value>, path: &[Segment]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let Segment::Key(key) = first else {
        return None;
    };
    rest.iter()
        .try_fold(root.get(key)?, |value, segment| match (value, segment) {
            (Value::Object(map), Segment::Key(key)) => map.get(key),
            (Value::Array(items), Segment::Key(key)) => items.get(key.parse::<usize>().ok()?),
            (Value::Array(items), Segment::Index(index)) => items.get(*index),
            _ => None,
        })
}

/// Merges the layer `src` over `dst`: objects merge key by key at every
/// depth, a `null` never overrides nor is added, anything else (arrays
/// included) replaces the lower value. `src_at` annotates the values of
/// `src` (a value it lacks takes the annotation of its parent); `origin`
/// turns an annotation into the origin recorded in `dst_at`.
/// Top-level keys in `skip` are left out.
pub(crate) fn merge_layer<A: Clone>(
    dst: &mut Map<String, Value>,
    dst_at: &mut BTreeMap<String, Tree<Origin>>,
    src: &Map<String, Value>,
    mut src_at: Tree<A>,
    origin: &impl Fn(&A) -> Origin,
    skip: &[&str],
) {
    for (key, value) in src {
        if value.is_null() || skip.contains(&key.as_str()) {
            continue;
        }
        // The annotation's own copy of the key is reused for `dst_at`.
        let (at_key, value_at) = match src_at.keys.remove_entry(key) {
            Some(entry) => entry,
            None => (key.clone(), Tree::uniform(value, src_at.at.clone())),
        };
        let Value::Object(src_map) = value else {
            dst.insert(key.clone(), value.clone());
            dst_at.insert(at_key, value_at.map(origin));
            continue;
        };
        let slot = dst.entry(key.clone()).or_insert(Value::Null);
        if !slot.is_object() && !has_null_member(src_map) {
            // Nothing to merge into and nothing to leave out: the object is
            // copied whole.
            *slot = value.clone();
            dst_at.insert(at_key, value_at.map(origin));
            continue;
        }
        // An object takes the origin of the highest layer that wrote into it.
        let at = origin(&value_at.at);
        let slot_at = dst_at
            .entry(at_key)
            .or_insert_with(|| Tree::leaf(at.clone()));
        slot_at.at = at;
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
            slot_at.keys.clear();
            slot_at.items.clear();
        }
        if let Value::Object(dst_map) = slot {
            merge_layer(dst_map, &mut slot_at.keys, src_map, value_at, origin, &[]);
        }
    }
}

/// Whether a member of `map`, or of an object inside it, is `null` (members
/// of arrays do not count: arrays are copied as they are).
fn has_null_member(map: &Map<String, Value>) -> bool {
    map.values().any(|value| match value {
        Value::Null => true,
        Value::Object(inner) => has_null_member(inner),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Layer;
    use serde_json::json;
    use std::path::Path;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    fn origin(layer: Layer) -> Origin {
        Origin {
            layer,
            line: 0,
            column: 0,
        }
    }

    /// Merges the layers in order, each with a uniform origin.
    fn merged(layers: Vec<(Layer, Value)>) -> (Map<String, Value>, BTreeMap<String, Tree<Origin>>) {
        let mut dst = Map::new();
        let mut dst_at = BTreeMap::new();
        for (layer, value) in layers {
            let tree = Tree::uniform(&value, origin(layer));
            merge_layer(
                &mut dst,
                &mut dst_at,
                &map(value),
                tree,
                &Origin::clone,
                &[],
            );
        }
        (dst, dst_at)
    }

    #[test]
    fn paths_parse_and_format() {
        let key = |k: &str| Segment::Key(k.to_string());
        assert_eq!(parse_path("db.port"), vec![key("db"), key("port")]);
        assert_eq!(
            parse_path("hosts[2][0].name"),
            vec![
                key("hosts"),
                Segment::Index(2),
                Segment::Index(0),
                key("name")
            ]
        );
        assert_eq!(parse_path("odd[x]"), vec![key("odd[x]")]);
        assert_eq!(
            format_path(&[key("hosts"), Segment::Index(2), key("name")]),
            "hosts[2].name"
        );
    }

    #[test]
    fn objects_merge_deeply_and_keep_siblings() {
        let file = Layer::File(Path::new("/etc/app.conf").into());
        let (dst, at) = merged(vec![
            (
                Layer::Default,
                json!({"db": {"host": "a", "port": 1, "opts": {"x": 1}}}),
            ),
            (file.clone(), json!({"db": {"host": "b", "opts": {"y": 2}}})),
        ]);
        assert_eq!(
            Value::Object(dst),
            json!({"db": {"host": "b", "port": 1, "opts": {"x": 1, "y": 2}}})
        );
        let root = Tree {
            at: origin(Layer::Default),
            keys: at,
            items: Vec::new(),
        };
        let layer_of = |p: &str| root.descend(&parse_path(p)).map(|t| t.at.layer.clone());
        assert_eq!(layer_of("db.host"), Some(file.clone()));
        assert_eq!(layer_of("db.port"), Some(Layer::Default));
        assert_eq!(layer_of("db.opts.x"), Some(Layer::Default));
        assert_eq!(layer_of("db.opts.y"), Some(file.clone()));
        assert_eq!(layer_of("db"), Some(file));
    }

    #[test]
    fn null_never_overrides_at_any_depth() {
        let (dst, _) = merged(vec![
            (Layer::Default, json!({"a": 1, "db": {"host": "h"}})),
            (
                Layer::Cli,
                json!({"a": null, "db": {"host": null}, "new": null, "obj": {"n": null}}),
            ),
        ]);
        assert_eq!(
            Value::Object(dst),
            json!({"a": 1, "db": {"host": "h"}, "obj": {}})
        );
    }

    #[test]
    fn other_values_replace_whole() {
        let (dst, at) = merged(vec![
            (
                Layer::Default,
                json!({"list": [1, 2, 3], "x": {"deep": 1}, "y": 5}),
            ),
            (
                Layer::Cli,
                json!({"list": [9, null], "x": "flat", "y": {"now": {"an": "object"}}}),
            ),
        ]);
        assert_eq!(
            Value::Object(dst),
            json!({"list": [9, null], "x": "flat", "y": {"now": {"an": "object"}}})
        );
        assert!(at["x"].keys.is_empty());
        assert_eq!(at["list"].items.len(), 2);
        assert_eq!(at["y"].keys["now"].keys["an"].at.layer, Layer::Cli);
    }

    #[test]
    fn skipped_keys_are_left_out_at_the_top_only() {
        let mut dst = Map::new();
        let mut dst_at = BTreeMap::new();
        let src = map(json!({"skip": 1, "keep": {"skip": 2}}));
        let at = Tree::leaf(());
        merge_layer(
            &mut dst,
            &mut dst_at,
            &src,
            at,
            &|_: &()| origin(Layer::Cli),
            &["skip"],
        );
        assert_eq!(Value::Object(dst), json!({"keep": {"skip": 2}}));
        assert_eq!(dst_at["keep"].keys["skip"].at.layer, Layer::Cli);
        assert!(!dst_at.contains_key("skip"));
    }

    #[test]
    fn values_are_found_by_path() {
        let root = map(json!({"hosts": [{"name": "a"}, {"name": "b"}], "db": {"port": 5}}));
        assert_eq!(
            value_at(&root, &parse_path("hosts[1].name")),
            Some(&json!("b"))
        );
        assert_eq!(
            value_at(&root, &parse_path("hosts.0.name")),
            Some(&json!("a"))
        );
        assert_eq!(value_at(&root, &parse_path("db.port")), Some(&json!(5)));
        assert_eq!(value_at(&root, &parse_path("db.port.x")), None);
        assert_eq!(value_at(&root, &parse_path("nope")), None);
    }
}
