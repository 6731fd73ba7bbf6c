//! Metrics files as Prometheus reads them: checked by `promtool`, parsed,
//! and their samples looked up.

use zenkit_prometheus::{parse, Family};

/// Checks metrics with `promtool check metrics` (installed by `./run-tests`),
/// then parses them strictly.
pub fn checked(path: &std::path::Path) -> Vec<Family> {
    use std::io::Write;
    let text = std::fs::read_to_string(path).unwrap();
    match std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let report = String::from_utf8_lossy(&out.stderr).into_owned()
                + &String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && report.trim().is_empty(),
                "promtool: {report}\n{text}"
            );
        }
        Err(err) => panic!(
            "promtool cannot run ({err}); ./run-tests installs it (Debian's prometheus package)"
        ),
    }
    parse(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

pub fn value(families: &[Family], name: &str, labels: &[(&str, &str)]) -> f64 {
    let family = families
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    family
        .samples
        .iter()
        .find(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.iter().any(|(n, w)| n == k && w == v))
        })
        .unwrap_or_else(|| panic!("no {name} sample with {labels:?}"))
        .value
}
