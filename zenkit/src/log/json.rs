//! The JSON log format: one flat object per line, `time` (RFC 3339, local,
//! milliseconds), for the log file `name` and `pid`, then `level` (the
//! label of the text format), `target`, `message` and the event's fields
//! as keys of their own, numbers and booleans as such. A field named like
//! one of these keys is written as `field_<name>`.

use serde_json::Value;

use super::record::Record;

/// The keys every line has (`name` and `pid` on log-file lines only).
const KEYS: [&str; 6] = ["time", "name", "pid", "level", "target", "message"];

/// The time of a JSON line: RFC 3339 in local time with milliseconds.
pub(crate) fn time(now: &chrono::DateTime<chrono::Local>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// One JSON line (with its newline). `process` is the application's name
/// and process id, given for the log file.
pub(crate) fn line(
    time: &str,
    process: Option<(&str, u32)>,
    label: &str,
    target: &str,
    record: &Record,
) -> String {
    let mut out = String::with_capacity(128);
    let mut push = |key: &str, value: Value| {
        out.push(if out.is_empty() { '{' } else { ',' });
        out.push_str(&Value::from(key).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    };
    push("time", Value::from(time));
    if let Some((name, pid)) = process {
        push("name", Value::from(name));
        push("pid", Value::from(pid));
    }
    push("level", Value::from(label));
    push("target", Value::from(target));
    push("message", Value::from(record.message.as_str()));
    for (name, value) in &record.fields {
        if KEYS.contains(name) {
            push(&format!("field_{name}"), value.json());
        } else {
            push(name, value.json());
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::record::FieldValue;
    use super::*;

    #[test]
    fn a_line_is_one_flat_object_with_typed_fields() {
        let record = Record {
            message: "say \"hi\"\nthere".into(),
            fields: vec![
                ("count", FieldValue::U64(3)),
                ("delta", FieldValue::I64(-2)),
                ("ratio", FieldValue::F64(0.5)),
                ("ok", FieldValue::Bool(true)),
                ("who", FieldValue::Str("a b".into())),
                ("path", FieldValue::Debug("\"/x\"".into())),
                ("level", FieldValue::Str("mine".into())),
            ],
            critical: false,
        };
        let text = line("T", Some(("demo", 42)), "WARNING", "demo::db", &record);
        assert!(
            text.ends_with("}\n") && !text.trim_end().contains('\n'),
            "{text}"
        );
        assert!(text.starts_with(r#"{"time":"T","name":"demo","pid":42,"level":"WARNING","#));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "time": "T", "name": "demo", "pid": 42, "level": "WARNING",
                "target": "demo::db", "message": "say \"hi\"\nthere",
                "count": 3, "delta": -2, "ratio": 0.5, "ok": true, "who": "a b",
                "path": "\"/x\"", "field_level": "mine"
            })
        );
        let console: Value = serde_json::from_str(&line("T", None, "INFO", "t", &record)).unwrap();
        assert!(console.get("pid").is_none() && console.get("name").is_none());
    }

    #[test]
    fn the_time_is_rfc3339_with_milliseconds() {
        let now = chrono::Local::now();
        let text = time(&now);
        let parsed = chrono::DateTime::parse_from_rfc3339(&text).unwrap();
        assert_eq!(parsed.timestamp_millis(), now.timestamp_millis());
        assert_eq!(text.len(), "2026-01-02T03:04:05.678+01:00".len(), "{text}");
    }
}
