//! The runlog: a JSON record of one run, its file naming and its analysis.
//!
//! An application's runlog is [`Context::runlog`](crate::Context::runlog);
//! the runtime saves it at the end of the run. Its keys are pyzenkit's:
//!
//! ```
//! use serde_json::json;
//! use zenkit::runlog::Runlog;
//!
//! let mut runlog = Runlog::new("backup", vec!["backup".into(), "--shell".into()]);
//! runlog.mark("copy", "copying the archive");
//! runlog.insert("copied", json!(12));
//! runlog.error("cannot reach the mirror");
//! assert!(runlog.failed());
//! assert_eq!(runlog.get("result"), Some(&json!("failure")));
//!
//! let dir = tempfile::tempdir()?;
//! let path = runlog.save(dir.path())?;
//! assert!(path.extension().is_some_and(|e| e == "runlog"));
//! # Ok::<(), std::io::Error>(())
//! ```

pub(crate) mod analysis;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local};
use serde_json::{json, Map, Value};

use crate::fs::{write_json_atomic_sweeping, FILE_MODE};

/// The record of one run of an application.
///
/// Holds the keys pyzenkit writes (`name`, `pid`, `argv`, `ts`, `ts_fsf`,
/// `ts_str`, `result`, `rc`, `errors`, `time_marks`) plus whatever the
/// application adds (`action`, `command`, a command's result, `statistics`).
#[derive(Debug, Clone)]
pub struct Runlog {
    data: Map<String, Value>,
}

/// The runlog keys zenkit writes itself; a command or a plugin cannot use
/// them for its own data.
pub const RESERVED_KEYS: [&str; 14] = [
    "name",
    "pid",
    "argv",
    "ts",
    "ts_fsf",
    "ts_str",
    "result",
    "rc",
    "errors",
    "time_marks",
    "action",
    "command",
    "statistics",
    "arguments",
];

/// Current time as float seconds since the Unix epoch.
pub fn now_ts() -> f64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.as_secs_f64()
}

/// The file name of a runlog written at local time `ts_fsf` by process `pid`:
/// `<ts_fsf>.<pid in lower-case hex, zero-padded to 5>.runlog`.
pub fn file_name(ts_fsf: &str, pid: u32) -> String {
    format!("{ts_fsf}.{pid:05x}.runlog")
}

impl Runlog {
    /// A new runlog for application `name` started now with the given argv.
    pub fn new(name: &str, argv: Vec<String>) -> Runlog {
        Self::at(name, argv, std::process::id(), now_ts())
    }

    /// A new runlog with an explicit process id and start time.
    pub fn at(name: &str, argv: Vec<String>, pid: u32, ts: f64) -> Runlog {
        let local: DateTime<Local> = DateTime::from_timestamp(ts.trunc() as i64, 0)
            .unwrap_or_default()
            .with_timezone(&Local);
        let mut data = Map::new();
        data.insert("name".into(), json!(name));
        data.insert("pid".into(), json!(pid));
        data.insert("argv".into(), json!(argv));
        data.insert("ts".into(), json!(ts));
        data.insert(
            "ts_fsf".into(),
            json!(local.format("%Y%m%d%H%M").to_string()),
        );
        data.insert(
            "ts_str".into(),
            json!(local.format("%Y-%m-%d %H:%M:%S").to_string()),
        );
        data.insert("result".into(), json!("success"));
        data.insert("rc".into(), json!(0));
        data.insert("errors".into(), json!([]));
        data.insert("time_marks".into(), json!([]));
        Runlog { data }
    }

    /// Adds a time mark `{ident, descr, time}` at the current time.
    pub fn mark(&mut self, ident: &str, descr: &str) {
        self.mark_at(ident, descr, now_ts());
    }

    /// Adds a time mark at an explicit time.
    pub fn mark_at(&mut self, ident: &str, descr: &str, time: f64) {
        if let Some(Value::Array(marks)) = self.data.get_mut("time_marks") {
            marks.push(json!({"ident": ident, "descr": descr, "time": time}));
        }
    }

    /// Records an error: appends it to `errors` and sets `result` to `failure`.
    pub fn error(&mut self, message: &str) {
        if let Some(Value::Array(errors)) = self.data.get_mut("errors") {
            errors.push(json!(message));
        }
        self.data.insert("result".into(), json!("failure"));
    }

    /// Sets the return code.
    pub fn set_rc(&mut self, rc: u8) {
        self.data.insert("rc".into(), json!(rc));
    }

    /// The return code recorded so far.
    pub fn rc(&self) -> u8 {
        self.data.get("rc").and_then(Value::as_u64).unwrap_or(0) as u8
    }

    /// Whether an error was recorded.
    pub fn failed(&self) -> bool {
        self.data.get("result").and_then(Value::as_str) == Some("failure")
    }

    /// Sets any other key.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        self.data.insert(key.into(), value);
    }

    /// A key's value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.data.get(key)
    }

    /// The whole record.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.data
    }

    /// The whole record as a JSON value.
    pub fn to_value(&self) -> Value {
        Value::Object(self.data.clone())
    }

    /// The runlog's file name (see [`file_name`]).
    pub fn file_name(&self) -> String {
        let ts_fsf = self
            .data
            .get("ts_fsf")
            .and_then(Value::as_str)
            .unwrap_or("");
        let pid = self.data.get("pid").and_then(Value::as_u64).unwrap_or(0) as u32;
        file_name(ts_fsf, pid)
    }

    /// Writes the runlog atomically into `dir`, creating it when missing;
    /// returns the file's path. A new file gets mode 0644 ([`FILE_MODE`]).
    /// Both steps are logged with pyzenkit's words.
    ///
    /// The temporary files that killed writers of earlier runlogs left in
    /// `dir` are removed first (those of writers that still run are kept).
    pub fn save(&self, dir: &Path) -> std::io::Result<PathBuf> {
        if !dir.is_dir() {
            tracing::info!("Creating application runlog directory '{}'", dir.display());
            std::fs::create_dir_all(dir)?;
        }
        let path = dir.join(self.file_name());
        // Every run writes a runlog of its own name, so the leftovers of
        // other runs are swept here too.
        let is_runlog = |name: &OsStr| {
            !name.as_bytes().starts_with(b".")
                && Path::new(name)
                    .extension()
                    .is_some_and(|ext| ext == analysis::EXTENSION)
        };
        write_json_atomic_sweeping(&path, &self.data, FILE_MODE, is_runlog)?;
        tracing::info!("Application runlog saved to file '{}'", path.display());
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_has_hex_pid_padded_to_five() {
        assert_eq!(file_name("202611251200", 255), "202611251200.000ff.runlog");
        assert_eq!(
            file_name("202611251200", 0x12345f),
            "202611251200.12345f.runlog"
        );
    }

    #[test]
    fn has_every_key_and_records_errors() {
        let mut r = Runlog::at("app", vec!["app".into(), "-v".into()], 77, 1_700_000_000.5);
        // every key but the ones a run adds later (action, command, statistics)
        for key in &RESERVED_KEYS[..10] {
            assert!(r.get(key).is_some(), "missing {key}");
        }
        assert_eq!(r.get("ts_fsf").unwrap().as_str().unwrap().len(), 12);
        assert_eq!(r.get("ts_str").unwrap().as_str().unwrap().len(), 19);
        assert!(!r.failed());
        r.mark_at("stage_setup_start", "Start of the setup stage", 1.0);
        r.error("boom");
        assert!(r.failed());
        assert_eq!(r.get("errors").unwrap(), &json!(["boom"]));
        assert_eq!(
            r.get("time_marks").unwrap(),
            &json!([{"ident": "stage_setup_start", "descr": "Start of the setup stage", "time": 1.0}])
        );
    }

    #[test]
    fn saves_sorted_json_readable_by_everybody() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let mut r = Runlog::at("app", vec!["app".into()], 0xabc, 1_700_000_000.0);
        r.insert("command", json!("greet"));
        let path = r.save(&dir.path().join("runlogs")).unwrap();
        assert_eq!(
            path.file_name().unwrap().to_str(),
            Some(r.file_name().as_str())
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", crate::fs::to_json_pretty(&r)));
        assert!(text.starts_with(
            "{\n    \"argv\": [\n        \"app\"\n    ],\n    \"command\": \"greet\",\n"
        ));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r.to_value());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}
