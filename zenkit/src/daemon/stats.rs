//! Per-component statistics: named counters in nested groups, and the
//! figures pyzenkit logs for them, computed from two snapshots.
//!
//! For one counter with current value `c`, previous value `p` and `t`
//! seconds between the snapshots the figures are `cnt = c`, `inc = c − p`,
//! `spd = (c − p) / t` (per second) and `pct = (c − p) / (c / 100)`. A counter
//! that is zero gives all zeros; groups are computed recursively.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use serde_json::{Map, Number, Value};

/// One name in a [`Statistics`]: a counter or a group of further names.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Counter(u64),
    Group(Statistics),
}

/// Named counters of a component, possibly in nested groups.
///
/// A name holds either a counter or a group; using a name as the other kind
/// replaces what it held. Counters saturate at `u64::MAX`.
///
/// ```
/// use zenkit::daemon::Statistics;
///
/// let mut stats = Statistics::new();
/// stats.inc("lines", 40);
/// stats.inc("matches.error", 10);
/// assert_eq!(stats.get("lines"), Some(40));
/// assert_eq!(stats.get_group("matches").and_then(|g| g.get("error")), Some(10));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statistics {
    entries: BTreeMap<String, Entry>,
}

impl Statistics {
    /// No counters.
    pub fn new() -> Statistics {
        Statistics::default()
    }

    /// Adds `n` to the counter at `path`, creating it (and the groups on the
    /// way) at zero first if needed. The path is a dot-separated list of
    /// names, the last one naming the counter: `"lines"`, `"matches.error"`.
    pub fn inc(&mut self, path: &str, n: u64) {
        let (groups, key) = match path.rsplit_once('.') {
            Some((groups, key)) => (Some(groups), key),
            None => (None, path),
        };
        let mut stats = self;
        if let Some(groups) = groups {
            for name in groups.split('.') {
                stats = stats.group(name);
            }
        }
        match stats.entries.get_mut(key) {
            Some(Entry::Counter(count)) => *count = count.saturating_add(n),
            _ => {
                stats.entries.insert(key.to_owned(), Entry::Counter(n));
            }
        }
    }

    /// The value of the counter at the dot-separated `path`; `None` when there
    /// is no counter there.
    pub fn get(&self, path: &str) -> Option<u64> {
        let mut stats = self;
        let mut names = path.split('.').peekable();
        while let Some(name) = names.next() {
            match (stats.entries.get(name)?, names.peek().is_some()) {
                (Entry::Counter(count), false) => return Some(*count),
                (Entry::Group(group), true) => stats = group,
                _ => return None,
            }
        }
        None
    }

    /// The counter `name` of this group (the name is taken as it is, dots
    /// included), created at zero if needed.
    pub fn counter(&mut self, name: &str) -> &mut u64 {
        if !matches!(self.entries.get(name), Some(Entry::Counter(_))) {
            self.entries.insert(name.to_owned(), Entry::Counter(0));
        }
        match self.entries.get_mut(name) {
            Some(Entry::Counter(count)) => count,
            _ => unreachable!("counter {name:?} was just inserted"),
        }
    }

    /// The group `name` of this group (the name is taken as it is, dots
    /// included), created empty if needed.
    pub fn group(&mut self, name: &str) -> &mut Statistics {
        if !matches!(self.entries.get(name), Some(Entry::Group(_))) {
            self.entries
                .insert(name.to_owned(), Entry::Group(Statistics::new()));
        }
        match self.entries.get_mut(name) {
            Some(Entry::Group(group)) => group,
            _ => unreachable!("group {name:?} was just inserted"),
        }
    }

    /// The group `name` of this group, if there is one.
    pub fn get_group(&self, name: &str) -> Option<&Statistics> {
        match self.entries.get(name) {
            Some(Entry::Group(group)) => Some(group),
            _ => None,
        }
    }

    /// Whether there are no counters and no groups.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The counters as a JSON object: a number per counter, a nested object
    /// per group, names sorted.
    pub fn to_json(&self) -> Value {
        let map: Map<String, Value> = self
            .entries
            .iter()
            .map(|(name, entry)| {
                let value = match entry {
                    Entry::Counter(count) => Value::from(*count),
                    Entry::Group(group) => group.to_json(),
                };
                (name.clone(), value)
            })
            .collect();
        Value::Object(map)
    }
}

/// Remembers the previous snapshot of a [`Statistics`] and when it was taken,
/// so each evaluation covers the interval since the one before.
#[derive(Debug, Clone)]
pub struct Evaluator {
    previous: Value,
    since: Instant,
}

impl Evaluator {
    /// An evaluator whose first interval starts at `now` from no counts.
    pub fn new(now: Instant) -> Evaluator {
        Evaluator {
            previous: Value::Object(Map::new()),
            since: now,
        }
    }

    /// The figures of `current` over the interval from the previous
    /// evaluation (or from creation) to `now`; starts the next interval.
    pub fn evaluate(&mut self, current: &Statistics, now: Instant) -> Value {
        let snapshot = current.to_json();
        let elapsed = now.saturating_duration_since(self.since).as_secs_f64();
        let figures = evaluate(&snapshot, &self.previous, elapsed);
        self.previous = snapshot;
        self.since = now;
        figures
    }
}

/// The figures (count, increase, rate) of the counters in `current` against `previous`,
/// `elapsed` seconds earlier.
///
/// Both are objects as made by [`Statistics::to_json`]. The result has the
/// same shape, each counter replaced by `{"cnt", "inc", "spd", "pct"}`:
/// `cnt` is the current value, `inc` the increase (integers when both values
/// are), `spd` the increase per second and `pct` the increase in percent of
/// the current value (floats). A counter missing from `previous` counts from
/// zero; a counter that is zero gives all zeros; an `elapsed` that is not a
/// positive number gives a `spd` of zero. Values that are neither numbers nor
/// objects are left out.
pub fn evaluate(current: &Value, previous: &Value, elapsed: f64) -> Value {
    let mut out = Map::new();
    let Some(current) = current.as_object() else {
        return Value::Object(out);
    };
    let previous = previous.as_object();
    for (name, value) in current {
        let before = previous.and_then(|p| p.get(name));
        match value {
            Value::Object(_) => {
                out.insert(
                    name.clone(),
                    evaluate(value, before.unwrap_or(&Value::Null), elapsed),
                );
            }
            Value::Number(count) => {
                let before = match before {
                    Some(Value::Number(p)) => Some(p),
                    _ => None,
                };
                out.insert(name.clone(), figures(count, before, elapsed));
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// `{"cnt", "inc", "spd", "pct"}` of one counter.
fn figures(current: &Number, previous: Option<&Number>, elapsed: f64) -> Value {
    let c = current.as_f64().unwrap_or(0.0);
    if c == 0.0 {
        return figures_object(Value::Number(current.clone()), Value::from(0), 0.0, 0.0);
    }
    let (inc, diff) = match (integer(current), previous.map_or(Some(0), integer)) {
        (Some(c), Some(p)) => {
            let d = c - p;
            let json = i64::try_from(d)
                .map(Value::from)
                .or_else(|_| u64::try_from(d).map(Value::from))
                .unwrap_or_else(|_| Value::from(d as f64));
            (json, d as f64)
        }
        _ => {
            let d = c - previous.and_then(Number::as_f64).unwrap_or(0.0);
            (Value::from(d), d)
        }
    };
    let spd = if elapsed > 0.0 && elapsed.is_finite() {
        diff / elapsed
    } else {
        0.0
    };
    let pct = diff / (c / 100.0);
    figures_object(Value::Number(current.clone()), inc, spd, pct)
}

fn figures_object(cnt: Value, inc: Value, spd: f64, pct: f64) -> Value {
    let mut map = Map::new();
    map.insert("cnt".into(), cnt);
    map.insert("inc".into(), inc);
    map.insert("spd".into(), Value::from(spd));
    map.insert("pct".into(), Value::from(pct));
    Value::Object(map)
}

fn integer(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// The log lines of evaluated figures (the output of [`evaluate`]), one per
/// counter in name order, each starting with a newline and a tab:
/// `\n\t<name>  <count> (<+increase>, <rate> #/s)`, where the name is
/// dot-joined through groups and padded to 20 characters, the count right
/// aligned in 14, the increase (with its sign) in 10 and the rate (two
/// decimals) in 8, thousands separated by commas. Appended to a heading such
/// as `Component 'Name': *** Processing statistics ***` this is pyzenkit's
/// statistics log message.
pub fn format_figures(figures: &Value) -> String {
    let mut out = String::new();
    write_figures(&mut out, "", figures);
    out
}

fn write_figures(out: &mut String, prefix: &str, figures: &Value) {
    let Some(map) = figures.as_object() else {
        return;
    };
    for (name, value) in map {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let is_counter = value.get("cnt").is_some_and(Value::is_number);
        if is_counter {
            let _ = write!(
                out,
                "\n\t{:20}  {:>14} ({:>10}, {:>8} #/s)",
                path,
                format_number(&value["cnt"], false),
                format_number(&value["inc"], true),
                format_number(&value["spd"], false),
            );
        } else {
            write_figures(out, &path, value);
        }
    }
}

/// A JSON number with thousands separators: integers as they are, other
/// numbers with two decimals; `plus` puts a `+` before non-negative values.
fn format_number(value: &Value, plus: bool) -> String {
    let integer = value
        .as_i64()
        .map(i128::from)
        .or_else(|| value.as_u64().map(i128::from));
    let (negative, digits) = match (integer, value.as_f64()) {
        (Some(i), _) => (i < 0, group_thousands(&i.unsigned_abs().to_string())),
        (None, Some(f)) => {
            let fixed = format!("{:.2}", f.abs());
            let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, "00"));
            (f < 0.0, format!("{}.{frac}", group_thousands(int)))
        }
        (None, None) => return "-".to_string(),
    };
    let sign = if negative {
        "-"
    } else if plus {
        "+"
    } else {
        ""
    };
    format!("{sign}{digits}")
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn counters_and_groups() {
        let mut s = Statistics::new();
        assert!(s.is_empty());
        s.inc("lines", 1);
        s.inc("lines", 4);
        s.inc("matches.error", 2);
        s.inc("matches.warn", 3);
        s.inc("a.b.c", 7);
        s.group("matches").inc("error", 1);
        *s.counter("dotted.name") += 9;
        assert_eq!(s.get("lines"), Some(5));
        assert_eq!(s.get("matches.error"), Some(3));
        assert_eq!(s.get("a.b.c"), Some(7));
        assert_eq!(s.get("a.b"), None, "a group is not a counter");
        assert_eq!(s.get("lines.x"), None);
        assert_eq!(s.get("missing"), None);
        assert_eq!(s.get_group("a").and_then(|g| g.get("b.c")), Some(7));
        assert!(s.get_group("lines").is_none());
        assert_eq!(
            s.to_json(),
            json!({
                "a": {"b": {"c": 7}},
                "dotted.name": 9,
                "lines": 5,
                "matches": {"error": 3, "warn": 3}
            })
        );
    }

    #[test]
    fn kind_changes_replace_and_counters_saturate() {
        let mut s = Statistics::new();
        s.inc("x", 5);
        s.inc("x.y", 1);
        assert_eq!(s.to_json(), json!({"x": {"y": 1}}));
        s.inc("x", 2);
        assert_eq!(s.to_json(), json!({"x": 2}));
        s.inc("big", u64::MAX - 1);
        s.inc("big", 10);
        assert_eq!(s.get("big"), Some(u64::MAX));
    }

    #[test]
    fn evaluate_one_counter() {
        // c = 150, p = 100, t = 10 s: inc 50, spd 5/s, pct 50 / 1.5 = 33.33…%
        let out = evaluate(&json!({"n": 150}), &json!({"n": 100}), 10.0);
        assert_eq!(out["n"]["cnt"], 150);
        assert_eq!(out["n"]["inc"], 50);
        assert_eq!(out["n"]["spd"], 5.0);
        let pct = out["n"]["pct"].as_f64().unwrap();
        assert!((pct - 100.0 / 3.0).abs() < 1e-9, "{pct}");
        assert!(out["n"]["inc"].is_i64());
        assert!(out["n"]["spd"].is_f64());
        assert!(out["n"]["pct"].is_f64());
    }

    #[test]
    fn evaluate_nested_groups() {
        let current = json!({
            "total": 400,
            "per": {"a": 300, "b": {"deep": 100}},
        });
        let previous = json!({
            "total": 200,
            "per": {"a": 225, "b": {"deep": 100}},
        });
        let out = evaluate(&current, &previous, 4.0);
        assert_eq!(
            out,
            json!({
                "total": {"cnt": 400, "inc": 200, "spd": 50.0, "pct": 50.0},
                "per": {
                    "a": {"cnt": 300, "inc": 75, "spd": 18.75, "pct": 25.0},
                    "b": {"deep": {"cnt": 100, "inc": 0, "spd": 0.0, "pct": 0.0}},
                },
            })
        );
    }

    #[test]
    fn evaluate_zero_counter_gives_zeros() {
        let out = evaluate(&json!({"z": 0, "g": {"z": 0}}), &json!({}), 5.0);
        let zeros = json!({"cnt": 0, "inc": 0, "spd": 0.0, "pct": 0.0});
        assert_eq!(out, json!({"z": zeros, "g": {"z": zeros}}));
    }

    #[test]
    fn evaluate_counter_new_since_last_time() {
        // Absent from previous, and a whole new group: counted from zero.
        let out = evaluate(
            &json!({"old": 10, "new": 20, "grp": {"k": 8}}),
            &json!({"old": 10}),
            2.0,
        );
        assert_eq!(
            out,
            json!({
                "old": {"cnt": 10, "inc": 0, "spd": 0.0, "pct": 0.0},
                "new": {"cnt": 20, "inc": 20, "spd": 10.0, "pct": 100.0},
                "grp": {"k": {"cnt": 8, "inc": 8, "spd": 4.0, "pct": 100.0}},
            })
        );
        // A previous that is not an object counts everything from zero.
        assert_eq!(
            evaluate(&json!({"n": 4}), &Value::Null, 1.0),
            json!({"n": {"cnt": 4, "inc": 4, "spd": 4.0, "pct": 100.0}})
        );
        // A name that was a counter and is now a group, and the other way.
        assert_eq!(
            evaluate(
                &json!({"g": {"k": 2}, "c": 6}),
                &json!({"g": 1, "c": {"k": 1}}),
                2.0
            ),
            json!({
                "g": {"k": {"cnt": 2, "inc": 2, "spd": 1.0, "pct": 100.0}},
                "c": {"cnt": 6, "inc": 6, "spd": 3.0, "pct": 100.0},
            })
        );
    }

    #[test]
    fn evaluate_with_no_elapsed_time() {
        for elapsed in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let out = evaluate(&json!({"n": 50}), &json!({"n": 25}), elapsed);
            assert_eq!(
                out,
                json!({"n": {"cnt": 50, "inc": 25, "spd": 0.0, "pct": 50.0}}),
                "elapsed {elapsed}"
            );
        }
    }

    #[test]
    fn evaluate_decrease_floats_and_non_counters() {
        // A counter that went down (reset) gives negative figures.
        let out = evaluate(&json!({"n": 20}), &json!({"n": 30}), 5.0);
        assert_eq!(
            out["n"],
            json!({"cnt": 20, "inc": -10, "spd": -2.0, "pct": -50.0})
        );
        // Float counters give a float increase.
        let out = evaluate(&json!({"f": 50.0}), &json!({"f": 10.0}), 4.0);
        assert_eq!(
            out["f"],
            json!({"cnt": 50.0, "inc": 40.0, "spd": 10.0, "pct": 80.0})
        );
        // Huge unsigned counters keep an exact increase.
        let out = evaluate(&json!({"u": u64::MAX}), &json!({"u": 0}), 1.0);
        assert_eq!(out["u"]["inc"], json!(u64::MAX));
        // Strings, booleans, nulls and arrays are not counters.
        let out = evaluate(
            &json!({"s": "x", "b": true, "z": null, "a": [1]}),
            &json!({}),
            1.0,
        );
        assert_eq!(out, json!({}));
        assert_eq!(evaluate(&json!(5), &json!({}), 1.0), json!({}));
    }

    #[test]
    fn evaluator_tracks_intervals() {
        let t0 = Instant::now();
        let mut s = Statistics::new();
        let mut ev = Evaluator::new(t0);
        s.inc("n", 100);
        assert_eq!(
            ev.evaluate(&s, t0 + Duration::from_secs(10)),
            json!({"n": {"cnt": 100, "inc": 100, "spd": 10.0, "pct": 100.0}})
        );
        s.inc("n", 100);
        s.inc("g.m", 3);
        assert_eq!(
            ev.evaluate(&s, t0 + Duration::from_millis(10_500)),
            json!({
                "n": {"cnt": 200, "inc": 100, "spd": 200.0, "pct": 50.0},
                "g": {"m": {"cnt": 3, "inc": 3, "spd": 6.0, "pct": 100.0}},
            })
        );
        // Same instant again: nothing new, no time passed.
        assert_eq!(
            ev.evaluate(&s, t0 + Duration::from_millis(10_500))["n"],
            json!({"cnt": 200, "inc": 0, "spd": 0.0, "pct": 0.0})
        );
    }

    #[test]
    fn formats_log_lines() {
        let figures = json!({
            "cnt_default": {"cnt": 1_234_567, "inc": 1_000, "spd": 3_333.333_3, "pct": 0.08},
            "grp": {"zero": {"cnt": 0, "inc": 0, "spd": 0.0, "pct": 0.0}},
            "neg": {"cnt": 5, "inc": -12_345, "spd": -1_234.5, "pct": -246_900.0},
        });
        assert_eq!(
            format_figures(&figures),
            concat!(
                "\n\tcnt_default                1,234,567 (    +1,000, 3,333.33 #/s)",
                "\n\tgrp.zero                           0 (        +0,     0.00 #/s)",
                "\n\tneg                                5 (   -12,345, -1,234.50 #/s)",
            )
        );
        assert_eq!(format_figures(&json!({})), "");
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands("1"), "1");
        assert_eq!(group_thousands("123"), "123");
        assert_eq!(group_thousands("1234"), "1,234");
        assert_eq!(group_thousands("123456"), "123,456");
        assert_eq!(group_thousands("1234567"), "1,234,567");
        assert_eq!(format_number(&json!(0.005), true), "+0.01");
        assert_eq!(format_number(&json!(null), false), "-");
    }
}
