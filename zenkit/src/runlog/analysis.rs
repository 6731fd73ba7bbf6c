//! Reading saved runlogs back: listing, loading, analysis and evaluation.
//!
//! The analysis of one runlog derives stage durations from its time marks;
//! the evaluation of several analyses gives minimal, maximal and average
//! runtime, process time and effectivity. Both tolerate runlogs with missing
//! or odd keys (older versions, other tools): whatever cannot be read counts
//! as zero or `unknown`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::ffi::{OsStr, OsString};
use std::io::ErrorKind as IoErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::fs::{list_dir, read_json_object_as, EntryKind, JsonFile};
use crate::{Error, ErrorKind, Result};

/// File name extension of runlog files.
pub const EXTENSION: &str = "runlog";

/// Stage names whose durations count as preparation (`dur_pre`); older
/// pyzenkit runlogs also mark `stage_configure` and `stage_check`.
const PRE_STAGES: &[&str] = &["stage_configure", "stage_check", "stage_setup"];
/// Stage names whose durations count as processing (`dur_proc`).
const PROC_STAGES: &[&str] = &["stage_process"];
/// Stage names whose durations count as finishing (`dur_post`).
const POST_STAGES: &[&str] = &["stage_evaluate", "stage_teardown"];

/// The runlog files of a directory that an action reads.
#[derive(Debug, Default)]
pub struct Listing {
    /// The paths of the runlog files kept, newest first.
    pub files: Vec<PathBuf>,
    /// The number of runlog files in the directory, kept or not.
    pub count: usize,
}

/// Whether a directory entry named `name` is a runlog file: `*.runlog`,
/// not starting with a dot.
fn is_runlog_name(name: &OsStr) -> bool {
    !name.as_bytes().starts_with(b".")
        && Path::new(name)
            .extension()
            .is_some_and(|ext| ext == EXTENSION)
}

/// The error of a runlog directory that cannot be listed.
fn cannot_list(dir: &Path, err: &std::io::Error) -> Error {
    Error::msg(format!(
        "cannot list runlog directory {}: {err}",
        dir.display()
    ))
}

/// Calls `each` with the name of every runlog file in `dir`, in directory
/// order; returns how many there are.
///
/// Only regular files named `*.runlog` that do not start with a dot count:
/// symbolic links are left out, whatever they point at. The type of an
/// entry comes with the directory listing on most file systems, so nothing
/// is `stat`ed. A missing directory has none.
fn scan(dir: &Path, mut each: impl FnMut(&OsStr)) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == IoErrorKind::NotFound => return Ok(0),
        Err(err) => return Err(cannot_list(dir, &err)),
    };
    let mut count = 0;
    for entry in entries {
        let entry = entry.map_err(|err| cannot_list(dir, &err))?;
        let name = entry.file_name();
        if is_runlog_name(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
            count += 1;
            each(&name);
        }
    }
    Ok(count)
}

/// The runlog files in `dir`, newest first, at most `limit` of them (all
/// when `None` or 0), and how many there are; see [`scan`] for what
/// counts.
///
/// Runlog file names start with their time stamp (`YYYYmmddHHMM.<pid>`), so
/// newest first is descending name order: only names are compared. With a
/// limit, only the newest `limit` names are kept while the directory is
/// read.
pub fn list(dir: &Path, limit: Option<usize>) -> Result<Listing> {
    let Some(limit) = limit.filter(|&limit| limit > 0) else {
        return match list_dir(dir, EntryKind::Regular, is_runlog_name) {
            Ok(mut files) => {
                files.reverse();
                Ok(Listing {
                    count: files.len(),
                    files,
                })
            }
            Err(err) if err.kind() == IoErrorKind::NotFound => Ok(Listing::default()),
            Err(err) => Err(cannot_list(dir, &err)),
        };
    };
    let mut newest: BinaryHeap<Reverse<OsString>> = BinaryHeap::new();
    let count = scan(dir, |name| {
        if newest.len() < limit {
            newest.push(Reverse(name.to_os_string()));
        } else if newest
            .peek()
            .is_some_and(|oldest| name > oldest.0.as_os_str())
        {
            newest.pop();
            newest.push(Reverse(name.to_os_string()));
        }
    })?;
    // Ascending `Reverse` order is descending name order.
    let files = newest
        .into_sorted_vec()
        .into_iter()
        .map(|Reverse(name)| dir.join(name))
        .collect();
    Ok(Listing { files, count })
}

/// The newest runlog file in `dir` (the greatest name), `None` when there
/// is none; see [`scan`] for what counts.
pub fn newest(dir: &Path) -> Result<Option<PathBuf>> {
    let mut newest: Option<OsString> = None;
    scan(dir, |name| match &mut newest {
        Some(best) if name <= best.as_os_str() => {}
        Some(best) => {
            best.clear();
            best.push(name);
        }
        None => newest = Some(name.to_os_string()),
    })?;
    Ok(newest.map(|name| dir.join(name)))
}

/// Reads one runlog file, the one given with `--input`; it must be a
/// regular file (a symbolic link to one is followed) of at most
/// [`MAX_DATA_FILE_SIZE`](crate::fs::MAX_DATA_FILE_SIZE) holding a JSON
/// object.
pub fn load(path: &Path) -> Result<Value> {
    load_as(path, "check the path given with --input", true)?.ok_or_else(|| {
        Error::msg(format!(
            "runlog file {} does not exist; check the path given with --input",
            path.display()
        ))
    })
}

/// Reads one runlog file that [`list`] or [`newest`] found; a symbolic
/// link put in its place since is refused, not followed. `None` when the
/// file was removed since.
pub(crate) fn load_listed(path: &Path) -> Result<Option<Value>> {
    load_as(path, "remove it from the runlog directory", false)
}

fn load_as(path: &Path, hint: &str, follow_links: bool) -> Result<Option<Value>> {
    let file = JsonFile {
        what: "runlog file",
        kind: ErrorKind::Runtime,
        hint,
        follow_links,
    };
    Ok(read_json_object_as(path, &file)?.map(Value::Object))
}

/// The analysis of one runlog.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The run's local start time (`ts_str`), or `unknown`.
    pub label: String,
    /// The run's start time as float epoch seconds (`ts`), 0 when absent.
    pub ts: f64,
    /// Seconds between the start of the run and the time of the analysis.
    pub age: f64,
    /// Seconds between the first and the last time mark.
    pub dur_run: f64,
    /// Seconds spent in preparation (the setup stage).
    pub dur_pre: f64,
    /// Seconds spent in the process stage (the command of a script).
    pub dur_proc: f64,
    /// Seconds spent in the evaluate and teardown stages.
    pub dur_post: f64,
    /// `dur_proc / dur_run × 100`, 0 when `dur_run` is 0.
    pub effectivity: f64,
    /// Seconds per `X_start`/`X_stop` pair of time marks, keyed by `X`; a
    /// pair that occurs several times adds up.
    pub durations: BTreeMap<String, f64>,
    /// The script command (`command`, pyzenkit's older `operation`), or
    /// `unknown`.
    pub command: String,
    /// The number of errors recorded.
    pub errors: usize,
    /// The errors recorded, as text.
    pub error_messages: Vec<String>,
    /// The run's result (`success`, `failure`), or `unknown`.
    pub result: String,
}

/// Analyzes a runlog at time `now` (float epoch seconds).
///
/// Never fails: keys that are missing or of the wrong type count as zero or
/// `unknown`, time marks without a numeric `time` are skipped, and a stop
/// mark without its start mark is ignored.
pub fn analyze(runlog: &Value, now: f64) -> Analysis {
    let text = |key: &str| match runlog.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    let ts = runlog.get("ts").and_then(Value::as_f64).unwrap_or(0.0);

    let marks: Vec<(&str, f64)> = runlog
        .get("time_marks")
        .and_then(Value::as_array)
        .map(|marks| {
            marks
                .iter()
                .filter_map(|mark| {
                    let time = mark.get("time")?.as_f64()?;
                    let ident = mark.get("ident").and_then(Value::as_str).unwrap_or("");
                    Some((ident, time))
                })
                .collect()
        })
        .unwrap_or_default();
    let dur_run = match (marks.first(), marks.last()) {
        (Some(first), Some(last)) => last.1 - first.1,
        _ => 0.0,
    };

    let mut started: BTreeMap<&str, f64> = BTreeMap::new();
    let mut durations: BTreeMap<String, f64> = BTreeMap::new();
    let (mut dur_pre, mut dur_proc, mut dur_post) = (0.0, 0.0, 0.0);
    for &(ident, time) in &marks {
        if let Some(stage) = ident.strip_suffix("_start") {
            started.insert(stage, time);
        } else if let Some(stage) = ident.strip_suffix("_stop") {
            let Some(start) = started.get(stage) else {
                continue;
            };
            let duration = time - start;
            *durations.entry(stage.to_string()).or_insert(0.0) += duration;
            if PRE_STAGES.contains(&stage) {
                dur_pre += duration;
            } else if PROC_STAGES.contains(&stage) {
                dur_proc += duration;
            } else if POST_STAGES.contains(&stage) {
                dur_post += duration;
            }
        }
    }

    let effectivity = if dur_run > 0.0 {
        dur_proc / dur_run * 100.0
    } else {
        0.0
    };
    let error_messages: Vec<String> = runlog
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|e| match e {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();

    Analysis {
        label: text("ts_str").unwrap_or_else(|| "unknown".into()),
        ts,
        age: now - ts,
        dur_run,
        dur_pre,
        dur_proc,
        dur_post,
        effectivity,
        durations,
        command: text("command")
            .or_else(|| text("operation"))
            .unwrap_or_else(|| "unknown".into()),
        errors: error_messages.len(),
        error_messages,
        result: text("result").unwrap_or_else(|| "unknown".into()),
    }
}

/// Minimal, maximal and average values over several analyses (see
/// [`Evaluator`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Evaluation {
    /// The number of analyses evaluated; all other fields are 0 when it is 0.
    pub count: usize,
    /// Shortest runtime (`dur_run`), in seconds.
    pub min_dur_run: f64,
    /// Longest runtime, in seconds.
    pub max_dur_run: f64,
    /// Average runtime, in seconds.
    pub avg_dur_run: f64,
    /// Shortest process time (`dur_proc`), in seconds.
    pub min_dur_proc: f64,
    /// Longest process time, in seconds.
    pub max_dur_proc: f64,
    /// Average process time, in seconds.
    pub avg_dur_proc: f64,
    /// Lowest effectivity, in percent.
    pub min_effectivity: f64,
    /// Highest effectivity, in percent.
    pub max_effectivity: f64,
    /// Average effectivity, in percent.
    pub avg_effectivity: f64,
}

/// Running minimum, maximum and sum of one figure.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Running {
    min: f64,
    max: f64,
    sum: f64,
}

impl Default for Running {
    fn default() -> Running {
        Running {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
        }
    }
}

impl Running {
    fn add(&mut self, value: f64) {
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sum += value;
    }
}

/// Evaluates analyses one at a time, keeping only running minima, maxima
/// and sums, so any number of runlogs is evaluated in the same memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluator {
    count: usize,
    dur_run: Running,
    dur_proc: Running,
    effectivity: Running,
}

impl Evaluator {
    /// Adds one analysis.
    pub fn add(&mut self, analysis: &Analysis) {
        self.count += 1;
        self.dur_run.add(analysis.dur_run);
        self.dur_proc.add(analysis.dur_proc);
        self.effectivity.add(analysis.effectivity);
    }

    /// The evaluation of the analyses added so far.
    pub fn evaluation(&self) -> Evaluation {
        if self.count == 0 {
            return Evaluation::default();
        }
        let count = self.count as f64;
        Evaluation {
            count: self.count,
            min_dur_run: self.dur_run.min,
            max_dur_run: self.dur_run.max,
            avg_dur_run: self.dur_run.sum / count,
            min_dur_proc: self.dur_proc.min,
            max_dur_proc: self.dur_proc.max,
            avg_dur_proc: self.dur_proc.sum / count,
            min_effectivity: self.effectivity.min,
            max_effectivity: self.effectivity.max,
            avg_effectivity: self.effectivity.sum / count,
        }
    }
}

/// Formats seconds as Python prints a `timedelta`, rounded to the nearest
/// microsecond: `H:MM:SS`, hours not padded, `N day(s), ` in front from a
/// day on, `.ffffff` only when there are microseconds; a negative duration
/// counts whole days back (`-1 day, 23:59:58.500000`).
pub fn format_duration(secs: f64) -> String {
    use std::fmt::Write;
    const DAY: i128 = 86_400_000_000;
    // Float to integer casts saturate (NaN gives 0), so odd input cannot panic.
    let micros = (secs * 1e6).round() as i128;
    let (days, rest) = (micros.div_euclid(DAY), micros.rem_euclid(DAY));
    let (secs, frac) = (rest / 1_000_000, rest % 1_000_000);
    let mut text = String::new();
    if days != 0 {
        let plural = if days.abs() == 1 { "" } else { "s" };
        let _ = write!(text, "{days} day{plural}, ");
    }
    let _ = write!(
        text,
        "{}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let _ = write!(text, ".{frac:06}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mark(ident: &str, time: f64) -> Value {
        json!({"ident": ident, "descr": "", "time": time})
    }

    /// A script run: setup 0.5 s, process 3 s, evaluate 0.25 s, teardown 0.25 s.
    fn script_runlog() -> Value {
        json!({
            "name": "demo", "pid": 1234, "argv": ["demo"],
            "ts": 1000.0, "ts_fsf": "197001010016", "ts_str": "1970-01-01 00:16:40",
            "result": "failure", "rc": 1,
            "errors": ["first problem", "second problem"],
            "command": "greet",
            "time_marks": [
                mark("stage_setup_start", 1000.0),
                mark("stage_setup_stop", 1000.5),
                mark("stage_process_start", 1000.5),
                mark("fetch_start", 1001.0),
                mark("fetch_stop", 1002.25),
                mark("stage_process_stop", 1003.5),
                mark("stage_evaluate_start", 1003.5),
                mark("stage_evaluate_stop", 1003.75),
                mark("stage_teardown_start", 1003.75),
                mark("stage_teardown_stop", 1004.0),
            ],
        })
    }

    #[test]
    fn analysis_of_a_script_run() {
        let a = analyze(&script_runlog(), 1100.0);
        assert_eq!(a.label, "1970-01-01 00:16:40");
        assert_eq!(a.ts, 1000.0);
        assert_eq!(a.age, 100.0);
        assert_eq!(a.dur_run, 4.0);
        assert_eq!(a.dur_pre, 0.5);
        assert_eq!(a.dur_proc, 3.0);
        assert_eq!(a.dur_post, 0.5);
        assert_eq!(a.effectivity, 75.0);
        let expected: BTreeMap<String, f64> = [
            ("fetch", 1.25),
            ("stage_evaluate", 0.25),
            ("stage_process", 3.0),
            ("stage_setup", 0.5),
            ("stage_teardown", 0.25),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(a.durations, expected);
        assert_eq!(a.command, "greet");
        assert_eq!(a.errors, 2);
        assert_eq!(a.error_messages, vec!["first problem", "second problem"]);
        assert_eq!(a.result, "failure");
    }

    #[test]
    fn repeated_pairs_add_up() {
        let runlog = json!({"time_marks": [
            mark("stage_process_start", 0.0),
            mark("stage_process_stop", 1.0),
            mark("stage_process_start", 2.0),
            mark("stage_process_stop", 4.0),
        ]});
        let a = analyze(&runlog, 0.0);
        assert_eq!(a.durations["stage_process"], 3.0);
        assert_eq!(a.dur_proc, 3.0);
        assert_eq!(a.dur_run, 4.0);
        assert_eq!(a.effectivity, 75.0);
    }

    #[test]
    fn odd_runlogs_do_not_panic() {
        for runlog in [
            json!(null),
            json!([]),
            json!({}),
            json!({"time_marks": "x", "errors": 3, "ts": "yesterday"}),
            json!({"time_marks": [{"ident": "a_stop", "time": 5}, {"ident": 7}, {"time": "x"}, 9]}),
            json!({"time_marks": [mark("only_start", 3.0)], "command": 5, "result": null}),
        ] {
            let a = analyze(&runlog, 10.0);
            assert_eq!(a.dur_run, 0.0, "{runlog}");
            assert_eq!(a.effectivity, 0.0, "{runlog}");
            assert!(a.durations.is_empty(), "{runlog}");
            assert_eq!(a.errors, 0);
            assert_eq!(a.label, "unknown");
            assert_eq!(a.result, "unknown");
        }
        let a = analyze(&json!({"command": 5, "errors": [1, "x"]}), 0.0);
        assert_eq!(a.command, "5");
        assert_eq!(a.error_messages, vec!["1", "x"]);
        let a = analyze(&json!({"operation": "cleanup"}), 0.0);
        assert_eq!(a.command, "cleanup");
        assert_eq!(analyze(&json!({}), 0.0).command, "unknown");
    }

    #[test]
    fn evaluation_of_several_runs() {
        let mk = |dur_run: f64, dur_proc: f64| {
            let runlog = json!({"time_marks": [
                mark("stage_process_start", 0.0),
                mark("stage_process_stop", dur_proc),
                mark("end", dur_run),
            ]});
            analyze(&runlog, 0.0)
        };
        let mut evaluator = Evaluator::default();
        assert_eq!(evaluator.evaluation(), Evaluation::default());
        for a in [mk(2.0, 1.0), mk(4.0, 1.0), mk(10.0, 7.0)] {
            evaluator.add(&a);
        }
        let e = evaluator.evaluation();
        assert_eq!(e.count, 3);
        assert_eq!((e.min_dur_run, e.max_dur_run), (2.0, 10.0));
        assert!((e.avg_dur_run - 16.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            (e.min_dur_proc, e.max_dur_proc, e.avg_dur_proc),
            (1.0, 7.0, 3.0)
        );
        assert_eq!((e.min_effectivity, e.max_effectivity), (25.0, 70.0));
        assert_eq!(e.avg_effectivity, (50.0 + 25.0 + 70.0) / 3.0);
    }

    #[test]
    fn durations_format_like_timedelta() {
        // as Python prints a timedelta: days apart, microseconds only when
        // there are some
        assert_eq!(format_duration(0.0), "0:00:00");
        assert_eq!(format_duration(7.0), "0:00:07");
        assert_eq!(format_duration(1.5), "0:00:01.500000");
        assert_eq!(format_duration(59.9999996), "0:01:00");
        assert_eq!(format_duration(61.000001), "0:01:01.000001");
        assert_eq!(format_duration(3600.0), "1:00:00");
        assert_eq!(format_duration(3599.25), "0:59:59.250000");
        assert_eq!(format_duration(86405.0), "1 day, 0:00:05");
        assert_eq!(format_duration(90061.0), "1 day, 1:01:01");
        assert_eq!(
            format_duration(3.0 * 86400.0 + 0.5),
            "3 days, 0:00:00.500000"
        );
        assert_eq!(format_duration(-1.5), "-1 day, 23:59:58.500000");
        assert_eq!(format_duration(f64::NAN), "0:00:00");
        // Cannot come from JSON, but must not panic either.
        assert!(format_duration(f64::INFINITY).contains(':'));
    }

    #[test]
    fn list_is_newest_first_and_skips_other_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "202611251200.00123.runlog",
            "202611251159.fffff.runlog",
            "202611251200.000ff.runlog",
            "202701010000.00001.runlog",
            ".202611251201.00001.runlog.1.tmp",
            ".hidden.runlog",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        std::fs::create_dir(dir.path().join("299901010000.00001.runlog")).unwrap();
        let listing = list(dir.path(), None).unwrap();
        assert_eq!((listing.count, listing.files.len()), (4, 4));
        let limited = list(dir.path(), Some(4)).unwrap();
        assert_eq!((limited.count, &limited.files), (4, &listing.files));
        let names: Vec<String> = listing
            .files
            .iter()
            .map(|p| {
                assert_eq!(p.parent().unwrap(), dir.path());
                p.file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "202701010000.00001.runlog",
                "202611251200.00123.runlog",
                "202611251200.000ff.runlog",
                "202611251159.fffff.runlog",
            ]
        );
        assert_eq!(
            newest(dir.path()).unwrap(),
            Some(dir.path().join("202701010000.00001.runlog"))
        );
    }

    #[test]
    fn a_limit_keeps_the_newest_and_counts_all() {
        let dir = tempfile::tempdir().unwrap();
        // Written in an order that is neither ascending nor descending.
        let stamps = [7u32, 3, 9, 1, 8, 2, 6, 0, 5, 4];
        for stamp in stamps {
            let name = format!("2026010100{stamp:02}.00001.runlog");
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        let names = |listing: &Listing| -> Vec<String> {
            listing
                .files
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy()[10..12].to_string())
                .collect()
        };
        let listing = list(dir.path(), Some(3)).unwrap();
        assert_eq!(listing.count, 10);
        assert_eq!(names(&listing), ["09", "08", "07"]);
        let listing = list(dir.path(), Some(20)).unwrap();
        assert_eq!(listing.files.len(), 10);
        assert_eq!(names(&listing)[..2], ["09", "08"]);
        assert_eq!(names(&list(dir.path(), Some(0)).unwrap()).len(), 10);
        assert_eq!(names(&list(dir.path(), Some(1)).unwrap()), ["09"]);
    }

    #[test]
    fn links_and_special_files_are_not_listed_nor_read_when_listed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let target = elsewhere.path().join("202601010000.00001.runlog");
        std::fs::write(&target, "{}").unwrap();
        let link = dir.path().join("202601010000.00002.runlog");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let fifo = dir.path().join("202601010000.00003.runlog");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let real = dir.path().join("202601010000.00004.runlog");
        std::fs::write(&real, "{}").unwrap();
        assert_eq!(list(dir.path(), None).unwrap().files, vec![real.clone()]);
        let limited = list(dir.path(), Some(2)).unwrap();
        assert_eq!((limited.count, limited.files), (1, vec![real.clone()]));
        assert_eq!(newest(dir.path()).unwrap(), Some(real));

        let err = load_listed(&link).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "runlog file {} is not a regular file (a symbolic link); remove it from the runlog directory",
                link.display()
            )
        );
        assert_eq!(load(&link).unwrap(), json!({}));
        let err = load(&fifo).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
        assert_eq!(
            err.message(),
            format!(
                "runlog file {} is not a regular file (a FIFO); check the path given with --input",
                fifo.display()
            )
        );
    }

    #[test]
    fn list_of_missing_dir_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let listing = list(&dir.path().join("absent"), None).unwrap();
        assert!(listing.files.is_empty());
        assert_eq!(listing.count, 0);
        assert_eq!(list(&dir.path().join("absent"), Some(3)).unwrap().count, 0);
        assert_eq!(newest(&dir.path().join("absent")).unwrap(), None);
        assert_eq!(load_listed(&dir.path().join("x.runlog")).unwrap(), None);
    }

    #[test]
    fn load_reads_objects_and_names_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("a.runlog");
        std::fs::write(&good, "{\"result\": \"success\"}").unwrap();
        assert_eq!(load(&good).unwrap(), json!({"result": "success"}));

        let bad = dir.path().join("b.runlog");
        std::fs::write(&bad, "{\"result\": }").unwrap();
        let err = load(&bad).unwrap_err();
        assert!(
            err.message()
                .starts_with(&format!("runlog file {}:1:12: ", bad.display())),
            "{}",
            err.message()
        );

        let scalar = dir.path().join("c.runlog");
        std::fs::write(&scalar, "42").unwrap();
        assert!(load(&scalar)
            .unwrap_err()
            .message()
            .contains("holds a number"));

        let missing = dir.path().join("d.runlog");
        let err = load(&missing).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
        assert_eq!(
            err.message(),
            format!(
                "runlog file {} does not exist; check the path given with --input",
                missing.display()
            )
        );

        let unreadable = dir.path().join("e.runlog");
        std::fs::create_dir(&unreadable).unwrap();
        let err = load(&unreadable).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
        assert!(err.message().starts_with(&format!(
            "cannot read runlog file {}: ",
            unreadable.display()
        )));
    }
}
