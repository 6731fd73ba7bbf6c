//! What an event says: its message, its fields with their types, and the
//! label of its level, read once and written by every format.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Level};

use super::CRITICAL_FIELD;

/// The value of an event field, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    Str(String),
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    /// Any other value, by its `Debug` form.
    Debug(String),
}

impl FieldValue {
    /// The value as the text format writes it after `name=`: a string with
    /// blanks, quotes or `=` (or an empty one) quoted, anything else as is.
    pub(crate) fn text(&self) -> String {
        match self {
            FieldValue::Str(s)
                if s.is_empty()
                    || s.contains(|c: char| c.is_whitespace() || c == '"' || c == '=') =>
            {
                format!("{s:?}")
            }
            FieldValue::Str(s) | FieldValue::Debug(s) => s.clone(),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::I64(n) => format!("{n:?}"),
            FieldValue::U64(n) => format!("{n:?}"),
            FieldValue::F64(x) => format!("{x:?}"),
        }
    }

    /// The value as JSON: numbers and booleans as themselves, the rest as
    /// strings.
    pub(crate) fn json(&self) -> serde_json::Value {
        match self {
            FieldValue::Str(s) | FieldValue::Debug(s) => serde_json::Value::from(s.as_str()),
            FieldValue::Bool(b) => serde_json::Value::from(*b),
            FieldValue::I64(n) => serde_json::Value::from(*n),
            FieldValue::U64(n) => serde_json::Value::from(*n),
            FieldValue::F64(x) => serde_json::Number::from_f64(*x)
                .map_or_else(|| serde_json::Value::from(x.to_string()), Into::into),
        }
    }
}

/// The parts of an event a line is made of.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub(crate) message: String,
    /// The fields other than the message, in their order, with their names
    /// (without a raw identifier's `r#`).
    pub(crate) fields: Vec<(&'static str, FieldValue)>,
    pub(crate) critical: bool,
}

impl Record {
    pub(crate) fn of(event: &Event<'_>) -> Record {
        let mut record = Record::default();
        event.record(&mut record);
        record
    }

    /// The label of an event of `level` on a line: pyzenkit's names, and
    /// `CRITICAL` for an error marked critical.
    pub(crate) fn label(&self, level: &Level) -> &'static str {
        match *level {
            Level::ERROR if self.critical => "CRITICAL",
            Level::ERROR => "ERROR",
            Level::WARN => "WARNING",
            Level::INFO => "INFO",
            Level::DEBUG => "DEBUG",
            _ => "TRACE",
        }
    }

    /// The message followed by the fields as `name=value`.
    pub(crate) fn text(&self) -> String {
        let mut text = self.message.clone();
        for (name, value) in &self.fields {
            if !text.is_empty() {
                text.push(' ');
            }
            let _ = write!(text, "{name}={}", value.text());
        }
        text
    }

    fn push(&mut self, field: &Field, value: FieldValue) {
        let name = field.name();
        // where a record of the `log` crate came from (its target, file,
        // line): the metadata tells it
        if name.starts_with("log.") {
            return;
        }
        self.fields
            .push((name.strip_prefix("r#").unwrap_or(name), value));
    }
}

impl Visit for Record {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.push(field, FieldValue::Str(value.to_string()));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == CRITICAL_FIELD {
            self.critical = value;
        } else {
            self.push(field, FieldValue::Bool(value));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, FieldValue::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, FieldValue::U64(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, FieldValue::F64(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.push(field, FieldValue::Debug(format!("{value:?}")));
        }
    }
}
