//! Metadata files as Mentat writes them: Python's
//! `json.dump(metadata, sort_keys=True, indent=4)`.

use std::fmt::Write;

use serde_json::{Number, Value};

/// Renders `value` as Python's `json.dumps(value, sort_keys=True, indent=4)`
/// does, byte for byte: keys sorted, 4-space indent, `", "`-free item
/// separators at line ends and `": "` after keys, no final newline, every
/// character outside printable ASCII escaped as `\uXXXX` (UTF-16 surrogate
/// pairs beyond the BMP; Python's default `ensure_ascii=True`), and floats
/// as Python's `repr` writes them (`1e+16`, `1e-05`, `100.0`).
pub fn to_python_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                indent(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            out.push('\n');
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                indent(out, depth + 1);
                write_str(out, key);
                out.push_str(": ");
                write_value(out, item, depth + 1);
            }
            out.push('\n');
            indent(out, depth);
            out.push('}');
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// A string as Python's `json` escapes it with `ensure_ascii`.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// An integer as it is; a float as Python's `repr`: the shortest digits
/// that read back the same, in positional notation for decimal exponents
/// from -5 (exclusive) to 16 (exclusive, with `.0` for whole numbers), in
/// scientific notation with a sign and at least two exponent digits
/// otherwise.
fn write_number(out: &mut String, n: &Number) {
    let Some(x) = n.as_f64().filter(|_| n.is_f64()) else {
        let _ = write!(out, "{n}");
        return;
    };
    // `{:e}` gives the shortest round-trip digits: `-1.2345e-7`, `1e16`.
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exponent: i32 = exponent.parse().expect("`{:e}` has an integer exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    out.push_str(sign);
    if (-5 < exponent) && (exponent < 16) {
        let point = exponent + 1;
        if point <= 0 {
            out.push_str("0.");
            out.push_str(&"0".repeat((-point) as usize));
            out.push_str(&digits);
        } else if point as usize >= digits.len() {
            out.push_str(&digits);
            out.push_str(&"0".repeat(point as usize - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..point as usize]);
            out.push('.');
            out.push_str(&digits[point as usize..]);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn non_ascii_is_escaped_as_python_does() {
        let value =
            json!({"reason": "café \u{7f} 😀", "a": [1, {"z": null, "b": true}], "e": {}, "l": []});
        assert_eq!(
            to_python_json(&value),
            "{\n    \"a\": [\n        1,\n        {\n            \"b\": true,\n            \"z\": null\n        }\n    ],\n    \"e\": {},\n    \"l\": [],\n    \"reason\": \"caf\\u00e9 \\u007f \\ud83d\\ude00\"\n}"
        );
        assert_eq!(
            to_python_json(&json!("\n\u{1}\u{8}\u{c}\r\t\"\\")),
            "\"\\n\\u0001\\b\\f\\r\\t\\\"\\\\\""
        );
    }

    /// The figures are what Python 3 prints for `json.dumps(x)`.
    #[test]
    fn floats_are_written_as_python_writes_them() {
        for (x, python) in [
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e300, "1.5e+300"),
            (-0.0, "-0.0"),
            (123.456, "123.456"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (5e-324, "5e-324"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (1e22, "1e+22"),
            (-2.5e-7, "-2.5e-07"),
        ] {
            assert_eq!(to_python_json(&json!(x)), python, "{x:?}");
        }
        assert_eq!(to_python_json(&json!(-17)), "-17");
        assert_eq!(to_python_json(&json!(u64::MAX)), "18446744073709551615");
    }
}
