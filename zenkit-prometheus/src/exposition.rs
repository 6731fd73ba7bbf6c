//! The Prometheus text exposition format: rendering, and a strict parser
//! that checks what renders (and what any other tool wrote).

use std::collections::HashSet;
use std::fmt::Write;

/// One metric family: `# HELP`, `# TYPE` and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The metric name.
    pub name: String,
    /// One line of help.
    pub help: String,
    /// `gauge` or `counter`.
    pub kind: &'static str,
    /// The samples, one per label set.
    pub samples: Vec<Sample>,
}

/// One sample: labels and a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Label names and values, in order.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('"', "\\\"")
}

fn escape_help(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\n', "\\n")
}

fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{value}")
    }
}

/// Renders families in the text exposition format (version 0.0.4).
pub fn render(families: &[Family]) -> String {
    let mut out = String::new();
    for family in families {
        let _ = writeln!(out, "# HELP {} {}", family.name, escape_help(&family.help));
        let _ = writeln!(out, "# TYPE {} {}", family.name, family.kind);
        for sample in &family.samples {
            out.push_str(&family.name);
            if !sample.labels.is_empty() {
                let labels: Vec<String> = sample
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                    .collect();
                let _ = write!(out, "{{{}}}", labels.join(","));
            }
            let _ = writeln!(out, " {}", number(sample.value));
        }
    }
    out
}

fn valid_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__")
}

/// Label names and values, in order.
type Labels = Vec<(String, String)>;

/// Parses `{name="value",…}`; returns the labels and the rest of the line.
fn parse_labels(text: &str) -> Result<(Labels, &str), String> {
    let mut labels = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("label without '=' in {text:?}"))?;
        let name = name.trim();
        if !valid_label_name(name) {
            return Err(format!("invalid label name {name:?}"));
        }
        let mut chars = after
            .strip_prefix('"')
            .ok_or("label value without quotes")?
            .chars();
        let mut value = String::new();
        loop {
            match chars.next() {
                Some('\\') => match chars.next() {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('n') => value.push('\n'),
                    other => return Err(format!("invalid escape \\{other:?} in a label value")),
                },
                Some('"') => break,
                Some('\n') | None => return Err("unterminated label value".to_string()),
                Some(c) => value.push(c),
            }
        }
        if labels.iter().any(|(n, _)| *n == name) {
            return Err(format!("label {name:?} appears twice"));
        }
        labels.push((name.to_string(), value));
        rest = chars.as_str().trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse()
            .map_err(|_| format!("invalid sample value {text:?}")),
    }
}

/// Parses the text exposition format strictly: every line is a `# HELP`, a
/// `# TYPE` or a sample; each family has at most one HELP and one TYPE,
/// given before its samples and with samples following directly; names and
/// labels are valid; no series appears twice; counters are not negative;
/// the text ends with a newline.
pub fn parse(text: &str) -> Result<Vec<Family>, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the text does not end with a newline".to_string());
    }
    let mut families: Vec<Family> = Vec::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut series: HashSet<String> = HashSet::new();
    for (number, line) in text.lines().enumerate() {
        let at = |msg: String| format!("line {}: {msg}", number + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut parts = comment.trim_start().splitn(3, ' ');
            let keyword = parts.next().unwrap_or("");
            if keyword != "HELP" && keyword != "TYPE" {
                continue;
            }
            let name = parts
                .next()
                .ok_or_else(|| at(format!("{keyword} without a metric name")))?;
            let rest = parts.next().unwrap_or("");
            if !valid_metric_name(name) {
                return Err(at(format!("invalid metric name {name:?}")));
            }
            let current = families
                .last()
                .filter(|f| f.name == name && f.samples.is_empty());
            if current.is_none() {
                if finished.contains(name) || families.iter().any(|f| f.name == name) {
                    return Err(at(format!("metric {name} is described again")));
                }
                if let Some(last) = families.last() {
                    finished.insert(last.name.clone());
                }
                families.push(Family {
                    name: name.to_string(),
                    help: String::new(),
                    kind: "untyped",
                    samples: Vec::new(),
                });
            }
            let family = families.last_mut().expect("just pushed");
            if keyword == "HELP" {
                if !family.help.is_empty() {
                    return Err(at(format!("second HELP for {name}")));
                }
                family.help = rest.to_string();
            } else {
                if family.kind != "untyped" {
                    return Err(at(format!("second TYPE for {name}")));
                }
                family.kind = match rest {
                    "counter" => "counter",
                    "gauge" => "gauge",
                    "histogram" => "histogram",
                    "summary" => "summary",
                    "untyped" => "untyped",
                    other => return Err(at(format!("unknown metric type {other:?}"))),
                };
            }
            continue;
        }
        let name_end = line
            .find(['{', ' '])
            .ok_or_else(|| at("a sample without a value".to_string()))?;
        let name = &line[..name_end];
        if !valid_metric_name(name) {
            return Err(at(format!("invalid metric name {name:?}")));
        }
        let (labels, rest) = match line[name_end..].strip_prefix('{') {
            Some(inner) => parse_labels(inner).map_err(at)?,
            None => (Vec::new(), &line[name_end..]),
        };
        let mut fields = rest.split_whitespace();
        let value = parse_value(
            fields
                .next()
                .ok_or_else(|| at("no sample value".to_string()))?,
        )
        .map_err(at)?;
        if let Some(ts) = fields.next() {
            ts.parse::<i64>()
                .map_err(|_| at(format!("invalid timestamp {ts:?}")))?;
        }
        if fields.next().is_some() {
            return Err(at("text after the timestamp".to_string()));
        }
        let family = match families.last_mut() {
            Some(f) if f.name == name => f,
            _ => return Err(at(format!("sample of {name} outside its family"))),
        };
        if family.kind == "counter" && value < 0.0 {
            return Err(at(format!("negative counter {name}")));
        }
        let mut key: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        key.sort();
        if !series.insert(format!("{name}{{{}}}", key.join(","))) {
            return Err(at(format!("series of {name} appears twice")));
        }
        family.samples.push(Sample { labels, value });
    }
    Ok(families)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(name: &str, kind: &'static str, samples: Vec<Sample>) -> Family {
        Family {
            name: name.into(),
            help: "Some help.".into(),
            kind,
            samples,
        }
    }

    #[test]
    fn renders_and_parses_back() {
        let families = vec![
            family(
                "a_seconds",
                "gauge",
                vec![Sample {
                    labels: vec![("app".into(), "x".into())],
                    value: 1.5,
                }],
            ),
            family(
                "b_total",
                "counter",
                vec![
                    Sample {
                        labels: vec![("k".into(), "q\"u\\o\nte".into())],
                        value: 3.0,
                    },
                    Sample {
                        labels: vec![("k".into(), "other".into())],
                        value: 0.0,
                    },
                ],
            ),
        ];
        let text = render(&families);
        assert_eq!(
            text,
            "# HELP a_seconds Some help.\n# TYPE a_seconds gauge\na_seconds{app=\"x\"} 1.5\n\
             # HELP b_total Some help.\n# TYPE b_total counter\n\
             b_total{k=\"q\\\"u\\\\o\\nte\"} 3\nb_total{k=\"other\"} 0\n"
        );
        assert_eq!(parse(&text).unwrap(), families);
    }

    #[test]
    fn strict_parser_rejects_broken_text() {
        for (text, why) in [
            ("a 1", "newline"),
            ("# TYPE a gauge\na{x=\"1} 1\n", "unterminated"),
            ("# TYPE a gauge\na{1x=\"1\"} 1\n", "invalid label name"),
            ("# TYPE a gauge\n# TYPE a gauge\na 1\n", "second TYPE"),
            ("# TYPE a gauge\na 1\na 2\n", "appears twice"),
            ("# TYPE a counter\na -1\n", "negative counter"),
            ("# TYPE a gauge\nb 1\n", "outside its family"),
            ("# TYPE a gauge\na one\n", "invalid sample value"),
            (
                "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a again\n",
                "described again",
            ),
            ("# TYPE 1a gauge\n", "invalid metric name"),
            ("# TYPE a weird\n", "unknown metric type"),
            ("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n", "twice"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(why), "{text:?}: {err}");
        }
        assert!(parse("").unwrap().is_empty());
    }
}
