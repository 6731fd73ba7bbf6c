//! Metadata files as Mentat writes them: Python's
//! `json.dump(metadata, sort_keys=True, indent=4)`.

use serde_json::Value;

/// Renders `value` as Python's `json.dumps(value, sort_keys=True, indent=4)`
/// does: keys sorted, 4-space indent, no final newline, and (Python's
/// default `ensure_ascii=True`) every character outside printable ASCII
/// escaped as `\uXXXX` (UTF-16 surrogate pairs beyond the BMP).
///
/// Sorting and indenting are zenkit's [`to_json_pretty`]; the escaping is
/// added here. Numbers are written as serde_json writes them, which differs
/// from Python for floats in exponent notation (`1e16` where Python writes
/// `1e+16`).
///
/// [`to_json_pretty`]: zenkit::fs::to_json_pretty
pub fn to_python_json(value: &Value) -> String {
    let pretty = zenkit::fs::to_json_pretty(value);
    if pretty.bytes().all(|b| b != 0x7f && b.is_ascii()) {
        return pretty;
    }
    // Outside printable ASCII, serde_json leaves only characters of
    // strings unescaped (control characters it already escapes), so
    // escaping them here keeps the document valid and equal.
    let mut out = String::with_capacity(pretty.len() + 16);
    for c in pretty.chars() {
        if c.is_ascii() && c != '\x7f' {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn non_ascii_is_escaped_as_python_does() {
        let value = json!({"reason": "café \u{7f} 😀", "a": [1, {"z": null, "b": true}], "e": {}});
        assert_eq!(
            to_python_json(&value),
            "{\n    \"a\": [\n        1,\n        {\n            \"b\": true,\n            \"z\": null\n        }\n    ],\n    \"e\": {},\n    \"reason\": \"caf\\u00e9 \\u007f \\ud83d\\ude00\"\n}"
        );
        assert_eq!(to_python_json(&json!("\n\u{1}")), "\"\\n\\u0001\"");
    }
}
