//! Durations as option and key values.
//!
//! A `std::time::Duration` field of an application is written as text such
//! as `"90s"`, `"5m"`, `"1h30m"` or `"1h 30m"` (the units of the
//! [`humantime`] crate: `ms`, `s`, `m`, `h`, `d`, ...), or as a plain
//! number of seconds (`"90"`, `"1.5"`); in a configuration file also as a
//! JSON number of seconds. It is kept and shown as text, e.g. `"1h 30m"`.
//!
//! Inside the author's own configuration types, this module is a serde
//! helper that reads and writes the same forms:
//!
//! ```
//! use std::time::Duration;
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Upstream {
//!     url: String,
//!     #[serde(with = "zenkit::duration")]
//!     timeout: Duration,
//!     #[serde(default, with = "zenkit::duration::option")]
//!     retry_after: Option<Duration>,
//! }
//!
//! let up: Upstream = serde_json::from_str(
//!     r#"{"url": "http://x", "timeout": "1m 30s", "retry_after": 2.5}"#,
//! )
//! .unwrap();
//! assert_eq!(up.timeout, Duration::from_secs(90));
//! assert_eq!(up.retry_after, Some(Duration::from_millis(2500)));
//! assert_eq!(
//!     serde_json::to_value(&up).unwrap()["timeout"],
//!     serde_json::json!("1m 30s")
//! );
//! ```

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;

/// The forms a duration is written in, for messages.
pub const FORMS: &str = zenkit_builtins::DURATION_FORMS;

/// The JSON Schema of a duration in a configuration file: a number of
/// seconds, or a text of numbers with `humantime`'s units, or of a number
/// of seconds. In a configuration type of one's own that derives
/// `JsonSchema`, a duration read with this module is described so:
///
/// ```
/// use std::time::Duration;
///
/// #[derive(serde::Deserialize, zenkit::schemars::JsonSchema)]
/// #[schemars(crate = "zenkit::schemars")]
/// struct Upstream {
///     #[serde(with = "zenkit::duration")]
///     #[schemars(schema_with = "zenkit::duration::json_schema")]
///     timeout: Duration,
/// }
///
/// let schema = zenkit::schemars::schema_for!(Upstream);
/// let timeout = &schema.as_value()["properties"]["timeout"];
/// assert_eq!(timeout["anyOf"][0]["type"], "number");
/// ```
pub fn json_schema(_generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schema()
}

pub(crate) fn schema() -> schemars::Schema {
    const UNITS: &str = "nsec|ns|usec|us|µs|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y";
    let text = format!(r"^\s*([0-9]+(\.[0-9]*)?|\.[0-9]+|([0-9]+\s*({UNITS})\s*)+)\s*$");
    schemars::json_schema!({
        "description": FORMS,
        "anyOf": [
            {"type": "number", "minimum": 0},
            {"type": "string", "pattern": text},
        ]
    })
}

/// A text that is no duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    given: String,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid duration {:?}: expected {FORMS}", self.given)
    }
}

impl std::error::Error for DurationError {}

/// Parses `"90s"`, `"5m"`, `"1h30m"`, `"1h 30m"` or a number of seconds
/// (`"90"`, `"1.5"`).
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    zenkit_builtins::duration_from_text(text).ok_or_else(|| DurationError {
        given: text.to_string(),
    })
}

/// A duration of `seconds`, if that is a finite, non-negative number a
/// `Duration` holds.
pub fn from_seconds(seconds: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(seconds).ok()
}

/// The text of a duration as zenkit writes it: `"1h 30m"`, `"2s 500ms"`,
/// `"0s"`.
pub fn format(duration: &Duration) -> String {
    humantime::format_duration(*duration).to_string()
}

/// Serializes a duration as its text ([`format()`]).
pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(duration))
}

/// Deserializes a duration from its text ([`parse()`]) or a number of
/// seconds.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    deserializer.deserialize_any(DurationVisitor)
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(FORMS)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Duration, E> {
        parse(text).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Duration, E> {
        Ok(Duration::from_secs(seconds))
    }

    fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Duration, E> {
        u64::try_from(seconds)
            .map(Duration::from_secs)
            .map_err(|_| E::custom(format_args!("invalid duration {seconds}: expected {FORMS}")))
    }

    fn visit_f64<E: de::Error>(self, seconds: f64) -> Result<Duration, E> {
        from_seconds(seconds)
            .ok_or_else(|| E::custom(format_args!("invalid duration {seconds}: expected {FORMS}")))
    }
}

/// The serde helper for `Option<Duration>`: `null` (or an absent field with
/// `#[serde(default)]`) is `None`.
pub mod option {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::Text;

    /// Serializes `Some` as the duration's text, `None` as `null`.
    pub fn serialize<S: Serializer>(
        duration: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match duration {
            Some(duration) => super::serialize(duration, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes `null` as `None`, anything else as a duration.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<Text>::deserialize(deserializer)?.map(|t| t.0))
    }
}

/// The serde helper for `Vec<Duration>`: an array of durations.
pub mod vec {
    use std::time::Duration;

    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Text;

    /// Serializes each duration as its text.
    pub fn serialize<S: Serializer>(
        durations: &[Duration],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(durations.len()))?;
        for duration in durations {
            seq.serialize_element(&super::format(duration))?;
        }
        seq.end()
    }

    /// Deserializes an array of durations.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Duration>, D::Error> {
        Ok(Vec::<Text>::deserialize(deserializer)?
            .into_iter()
            .map(|t| t.0)
            .collect())
    }
}

/// A duration that serializes as its text and deserializes from the text or
/// a number of seconds: how a `Duration` field is kept in the
/// configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Text(pub Duration);

impl serde::Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        deserialize(deserializer).map(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn texts_and_seconds_parse() {
        let secs = Duration::from_secs;
        for (text, expected) in [
            ("90s", secs(90)),
            ("5m", secs(300)),
            ("1h30m", secs(5400)),
            ("1h 30m", secs(5400)),
            ("90", secs(90)),
            (" 1.5 ", Duration::from_millis(1500)),
            ("250ms", Duration::from_millis(250)),
            ("0", secs(0)),
            ("2d", secs(172_800)),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
        for bad in ["", "5 parsecs", "-3", "1.2.3", "m", "5x"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid duration {bad:?}")),
                "{err}"
            );
            assert!(err.contains("\"1h30m\""), "{err}");
        }
    }

    #[test]
    fn durations_are_written_as_readable_text() {
        assert_eq!(format(&Duration::from_secs(5400)), "1h 30m");
        assert_eq!(format(&Duration::from_millis(2500)), "2s 500ms");
        assert_eq!(format(&Duration::ZERO), "0s");
        for d in [
            Duration::from_secs(86_461),
            Duration::from_micros(1_000_001),
        ] {
            assert_eq!(parse(&format(&d)), Ok(d));
        }
    }

    #[test]
    fn json_takes_text_or_seconds() {
        let read = |v| serde_json::from_value::<Text>(v).map(|t| t.0);
        assert_eq!(read(json!("5m")).unwrap(), Duration::from_secs(300));
        assert_eq!(read(json!(90)).unwrap(), Duration::from_secs(90));
        assert_eq!(read(json!(0.25)).unwrap(), Duration::from_millis(250));
        let err = read(json!(-1)).unwrap_err().to_string();
        assert!(err.starts_with("invalid duration -1: expected"), "{err}");
        let err = read(json!(true)).unwrap_err().to_string();
        assert!(err.contains("expected a duration such as"), "{err}");
        assert_eq!(
            serde_json::to_value(Text(Duration::from_secs(90))).unwrap(),
            json!("1m 30s")
        );
    }
}
