//! The built-in actions every application offers through `--action NAME`:
//! viewing the configuration and viewing, listing and evaluating runlogs.
//!
//! Output is plain text without colours and without regard to the terminal
//! width: trees in ASCII, tables in ASCII too unless stdout is a terminal,
//! where they are drawn with box-drawing characters, or, without the
//! `tables` feature, as tab-separated lines ([`crate::table`]). What
//! operators parse (the summary lines of `runlogs-evaluate`, durations as
//! Python prints a `timedelta`) reads as pyzenkit's.
//!
//! The actions about several runlogs go through them one at a time: a
//! runlog that cannot be read is skipped with a warning naming it, and
//! `runlogs-evaluate` prints each row as its runlog is read, so it needs
//! the same memory for a hundred runlogs as for a hundred thousand (but
//! for their names).

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::runlog::analysis::{self, format_duration, Analysis};
use crate::table::{table, Align, Form, StreamedTable};
use crate::{Error, Result};

/// What the built-in actions read.
pub struct ActionInput<'a> {
    /// The final merged configuration, `__core__` included.
    pub config: &'a Map<String, Value>,
    /// The layer that set a configuration value, by dotted key path
    /// (`limits.max_items`); `None` when no single layer did.
    pub origin_of: &'a dyn Fn(&str) -> Option<String>,
    /// Whether `config-view` annotates each value with its layer.
    pub verbose: bool,
    /// The directory holding the runlogs.
    pub runlog_dir: &'a Path,
    /// The runlog file to read (`--input`) instead of the newest one.
    pub input: Option<&'a Path>,
    /// How many runlogs at most to list, dump or evaluate (`--limit`); 0
    /// means no limit.
    pub limit: Option<usize>,
    /// The current time as float epoch seconds, for the age of runlogs.
    pub now: f64,
}

/// Runs built-in action `name`, writing its output to `out`; `Ok(false)` if
/// `name` is not a built-in action.
///
/// Tables are drawn with Unicode box-drawing characters when `out` is a
/// `terminal`, in ASCII otherwise; without the `tables` feature they are
/// tab-separated lines.
pub fn run_builtin(
    name: &str,
    input: &ActionInput,
    out: &mut dyn Write,
    terminal: bool,
) -> Result<bool> {
    run_with(name, input, out, Form::for_output(terminal))
}

/// [`run_builtin`] with tables written in `form`.
fn run_with(name: &str, input: &ActionInput, out: &mut dyn Write, form: Form) -> Result<bool> {
    let mut out = Output {
        out: BufWriter::new(out),
        action: name,
        form,
    };
    match name {
        "config-view" => out.put(&config_view(input))?,
        "runlog-dump" => runlog_dump(input, &mut out)?,
        "runlog-view" => runlog_view(input, &mut out)?,
        "runlogs-list" => runlogs_list(input, &mut out)?,
        "runlogs-dump" => runlogs_dump(input, &mut out)?,
        "runlogs-evaluate" => runlogs_evaluate(input, &mut out)?,
        _ => return Ok(false),
    }
    out.flush()?;
    Ok(true)
}

/// Where an action writes, buffered, as it goes.
struct Output<'a> {
    out: BufWriter<&'a mut dyn Write>,
    action: &'a str,
    form: Form,
}

impl Output<'_> {
    fn failed(&self, err: std::io::Error) -> Error {
        Error::msg(format!(
            "cannot write the output of action {}: {err}",
            self.action
        ))
    }

    fn put(&mut self, text: &str) -> Result<()> {
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(err) => Err(self.failed(err)),
        }
    }

    fn flush(&mut self) -> Result<()> {
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(err) => Err(self.failed(err)),
        }
    }
}

/// Renders a JSON value as an indented ASCII tree, one line per key or
/// array element.
///
/// Object keys are sorted; a nested object or array shows its key on one
/// line and its content below, indented. Scalars show as `key: value`
/// (strings without quotes unless empty or holding control characters), empty
/// objects and arrays as `key: {}` and `key: []`. `annotate` is asked for
/// each object key whose value is not a non-empty object, with its dotted
/// path from the root (`db.port`); a `Some(layer)` answer ends the line with
/// `  [layer]`. Elements of arrays are not annotated: the array is.
pub fn render_tree(value: &Value, annotate: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    match value {
        Value::Object(_) | Value::Array(_) => {
            render_children(value, Some(""), true, "", annotate, &mut out);
        }
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

/// Renders the entries of an object or array below `prefix`. `path` is the
/// dotted path of `value` (ignored at the root), `None` inside arrays
/// (nothing there is annotated).
fn render_children(
    value: &Value,
    path: Option<&str>,
    at_root: bool,
    prefix: &str,
    annotate: &dyn Fn(&str) -> Option<String>,
    out: &mut String,
) {
    let entries: Vec<(Option<&str>, &Value)> = match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries
        }
        Value::Array(items) => items.iter().map(|v| (None, v)).collect(),
        _ => return,
    };
    let count = entries.len();
    for (index, (key, child)) in entries.into_iter().enumerate() {
        let last = index + 1 == count;
        let expands = match child {
            Value::Object(map) => !map.is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => false,
        };
        let shown = match (key, expands) {
            (Some(key), true) => key.to_string(),
            (Some(key), false) => format!("{key}: {}", scalar_text(child)),
            (None, true) => format!("[{index}]"),
            (None, false) => scalar_text(child),
        };
        let child_path = match (path, key) {
            (Some(_), Some(key)) if at_root => Some(key.to_string()),
            (Some(path), Some(key)) => Some(format!("{path}.{key}")),
            _ => None,
        };
        let _ = write!(out, "{prefix}{}{shown}", if last { "`-- " } else { "|-- " });
        let is_branch = matches!(child, Value::Object(map) if !map.is_empty());
        if let (Some(child_path), false) = (&child_path, is_branch) {
            if let Some(layer) = annotate(child_path) {
                let _ = write!(out, "  [{layer}]");
            }
        }
        out.push('\n');
        if expands {
            let child_prefix = format!("{prefix}{}", if last { "    " } else { "|   " });
            render_children(
                child,
                child_path.as_deref(),
                false,
                &child_prefix,
                annotate,
                out,
            );
        }
    }
}

/// The one-line text of a value that is not expanded in a tree.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() || s.chars().any(char::is_control) => value.to_string(),
        Value::String(s) => s.clone(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

fn no_annotation(_: &str) -> Option<String> {
    None
}

fn config_view(input: &ActionInput) -> String {
    let annotate: &dyn Fn(&str) -> Option<String> = if input.verbose {
        input.origin_of
    } else {
        &no_annotation
    };
    let mut out = String::from("Application configuration:\n");
    out.push_str(&render_tree(&Value::Object(input.config.clone()), annotate));
    out
}

/// The runlog an action about one runlog reads, `--input` or the newest,
/// with its path.
fn chosen_runlog(input: &ActionInput) -> Result<Option<(PathBuf, Value)>> {
    match input.input {
        Some(path) => Ok(Some((path.to_path_buf(), analysis::load(path)?))),
        None => match analysis::newest(input.runlog_dir)? {
            Some(path) => match analysis::load_listed(&path)? {
                Some(runlog) => Ok(Some((path, runlog))),
                None => Err(Error::msg(format!(
                    "runlog file {} was removed while being read; run the action again",
                    path.display()
                ))),
            },
            None => Ok(None),
        },
    }
}

const NO_RUNLOGS: &str = "There are no runlog files\n";

fn runlog_dump(input: &ActionInput, out: &mut Output) -> Result<()> {
    let Some((path, runlog)) = chosen_runlog(input)? else {
        return out.put(NO_RUNLOGS);
    };
    out.put(&format!(
        "\nRaw view of application runlog '{}':\n\n",
        path.display()
    ))?;
    out.put(&render_tree(&runlog, &no_annotation))
}

fn runlog_view(input: &ActionInput, out: &mut Output) -> Result<()> {
    let Some((path, runlog)) = chosen_runlog(input)? else {
        return out.put(NO_RUNLOGS);
    };
    let a = analysis::analyze(&runlog, input.now);
    let mut text = format!("\nViewing application runlog '{}':\n\n", path.display());
    text.push_str("General information:\n");
    let rows = vec![
        vec!["Label:".to_string(), a.label.clone()],
        vec!["Runtime:".to_string(), format_duration(a.dur_run)],
        vec![
            "Effectivity:".to_string(),
            format!("{:6.2} %", a.effectivity),
        ],
        vec!["Age:".to_string(), format_duration(a.age.trunc())],
        vec!["Command:".to_string(), a.command.clone()],
        vec!["Errors:".to_string(), group_thousands(a.errors)],
        vec!["Result:".to_string(), a.result.clone()],
    ];
    text.push_str(&table(out.form, None, &[Align::Left, Align::Right], rows));
    if !a.error_messages.is_empty() {
        text.push_str("\nProcessing errors:\n");
        for message in &a.error_messages {
            let _ = writeln!(text, " - {}", message.replace('\n', "\n   "));
        }
    }
    text.push('\n');
    out.put(&text)
}

/// The heading of the actions about several runlogs.
fn runlogs_heading(what: &str, input: &ActionInput, count: usize) -> String {
    let mut out = format!(
        "\n{what} in directory '{}':\n  Runlog(s) found: {}\n",
        input.runlog_dir.display(),
        group_thousands(count)
    );
    if let Some(limit) = input.limit.filter(|&limit| limit > 0) {
        let _ = writeln!(out, "  Result limit: {}", group_thousands(limit));
    }
    out
}

fn runlogs_list(input: &ActionInput, out: &mut Output) -> Result<()> {
    let listing = analysis::list(input.runlog_dir, input.limit)?;
    out.put(&runlogs_heading(
        "Listing application runlogs",
        input,
        listing.count,
    ))?;
    if !listing.files.is_empty() {
        // The tree of a single array, written a line at a time.
        let mut line = String::new();
        let _ = write!(line, "\n`-- {}\n", input.runlog_dir.display());
        out.put(&line)?;
        let last = listing.files.len() - 1;
        for (index, path) in listing.files.iter().enumerate() {
            line.clear();
            let branch = if index == last { "`-- " } else { "|-- " };
            let name = scalar_text(&Value::String(path.display().to_string()));
            let _ = writeln!(line, "    {branch}{name}");
            out.put(&line)?;
        }
    }
    out.put("\n")
}

/// Reads a listed runlog; one that cannot be read is skipped with a warning
/// naming it (`None`), and so, quietly, is one removed since it was listed.
fn read_listed(path: &Path, out: &mut Output) -> Result<Option<Value>> {
    match analysis::load_listed(path) {
        Ok(Some(runlog)) => Ok(Some(runlog)),
        Ok(None) => {
            tracing::debug!(
                "Runlog file '{}' was removed since it was listed",
                path.display()
            );
            Ok(None)
        }
        Err(err) => {
            // What was printed so far comes before the warning.
            out.flush()?;
            // The message names the file.
            tracing::warn!("Skipping unreadable runlog: {}", err.message());
            Ok(None)
        }
    }
}

fn runlogs_dump(input: &ActionInput, out: &mut Output) -> Result<()> {
    let listing = analysis::list(input.runlog_dir, input.limit)?;
    out.put(&runlogs_heading(
        "Dumping application runlog(s)",
        input,
        listing.count,
    ))?;
    if !listing.files.is_empty() {
        out.put("\n")?;
    }
    for path in listing.files.iter() {
        let Some(runlog) = read_listed(path, out)? else {
            continue;
        };
        out.put(&format!("Runlog '{}':\n", path.display()))?;
        out.put(&render_tree(&runlog, &no_annotation))?;
    }
    out.put("\n")
}

/// The columns of the table of runs of `runlogs-evaluate`.
const EVALUATION_HEADER: [&str; 8] = [
    "Date", "Age", "Runtime", "Process", "E [%]", "Errors", "Command", "Result",
];

/// How the columns of the table of runs are aligned: the date to the left,
/// the rest to the right.
const EVALUATION_ALIGN: [Align; 8] = [
    Align::Left,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
    Align::Right,
];

/// Evaluates the runlogs a runlog at a time: each is read, analysed and
/// printed as a row before the next is read; the summary needs only running
/// minima, maxima and sums.
fn runlogs_evaluate(input: &ActionInput, out: &mut Output) -> Result<()> {
    let listing = analysis::list(input.runlog_dir, input.limit)?;
    out.put(&runlogs_heading(
        "Evaluating application runlogs",
        input,
        listing.count,
    ))?;
    if listing.files.is_empty() {
        return out.put("\n");
    }
    out.put("\nGeneral application processing statistics:\n")?;
    let mut runs = StreamedTable::new(out.form, &EVALUATION_HEADER, &EVALUATION_ALIGN);
    // The widest age is the oldest runlog's, the last row, which comes
    // after the first chunk has set the widths: it is read first for that.
    let oldest = listing
        .files
        .last()
        .and_then(|path| analysis::load_listed(path).ok().flatten());
    if let Some(oldest) = oldest {
        let age = analysis::analyze(&oldest, input.now).age.trunc();
        runs.set_min_width(1, format_duration(age).chars().count());
    }
    // Durations with microseconds: `0:00:00.000000`.
    runs.set_min_width(2, 14);
    runs.set_min_width(3, 14);
    let mut evaluator = analysis::Evaluator::default();
    for path in listing.files.iter() {
        let Some(runlog) = read_listed(path, out)? else {
            continue;
        };
        let a = analysis::analyze(&runlog, input.now);
        evaluator.add(&a);
        out.put(&runs.push(evaluation_row(&a)))?;
    }
    out.put(&runs.finish())?;
    out.put(&summary_lines(&evaluator.evaluation()))?;
    out.put("\n")
}

/// The row of one run in the table of runs.
fn evaluation_row(a: &Analysis) -> Vec<String> {
    vec![
        a.label.clone(),
        format_duration(a.age.trunc()),
        format_duration(a.dur_run),
        format_duration(a.dur_proc),
        format!("{:6.2}", a.effectivity),
        group_thousands(a.errors),
        a.command.clone(),
        a.result.clone(),
    ]
}

/// The minimal, maximal and average runtime, process time and effectivity,
/// in pyzenkit's words and layout; nothing when no runlog was evaluated.
fn summary_lines(e: &analysis::Evaluation) -> String {
    if e.count == 0 {
        return String::new();
    }
    let mut out = String::new();
    for (label, run, proc, eff) in [
        ("Minimal", e.min_dur_run, e.min_dur_proc, e.min_effectivity),
        ("Maximal", e.max_dur_run, e.max_dur_proc, e.max_effectivity),
        ("Average", e.avg_dur_run, e.avg_dur_proc, e.avg_effectivity),
    ] {
        let _ = writeln!(
            out,
            "                   {label} value: {}   {}   {eff:6.2}",
            format_duration(run),
            format_duration(proc)
        );
    }
    out
}

/// `1234567` → `1,234,567`.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The output of action `name` with tables as in a pipe.
    fn run(name: &str, input: &ActionInput) -> Result<String> {
        run_drawn(name, input, Form::plain())
    }

    fn run_drawn(name: &str, input: &ActionInput, form: Form) -> Result<String> {
        let mut out = Vec::new();
        assert!(
            run_with(name, input, &mut out, form)?,
            "{name} is not built in"
        );
        Ok(String::from_utf8(out).unwrap())
    }

    fn input<'a>(config: &'a Map<String, Value>, dir: &'a Path) -> ActionInput<'a> {
        ActionInput {
            config,
            origin_of: &no_annotation,
            verbose: false,
            runlog_dir: dir,
            input: None,
            limit: None,
            now: 2000.0,
        }
    }

    fn mark(ident: &str, time: f64) -> Value {
        json!({"ident": ident, "descr": "", "time": time})
    }

    /// A runlog started at `ts` whose setup takes 1 s and process `proc` s.
    fn runlog(ts: f64, label: &str, proc: f64, errors: &[&str]) -> Value {
        json!({
            "ts": ts, "ts_str": label, "command": "greet",
            "result": if errors.is_empty() { "success" } else { "failure" },
            "errors": errors,
            "time_marks": [
                mark("stage_setup_start", ts),
                mark("stage_setup_stop", ts + 1.0),
                mark("stage_process_start", ts + 1.0),
                mark("stage_process_stop", ts + 1.0 + proc),
            ],
        })
    }

    /// Three runlogs, written oldest to newest.
    fn runlog_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let logs = [
            (
                "202611250900.00010.runlog",
                runlog(1000.0, "2026-11-25 09:00:00", 1.0, &[]),
            ),
            (
                "202611251000.00011.runlog",
                runlog(1500.0, "2026-11-25 10:00:00", 3.0, &[]),
            ),
            (
                "202611251100.00012.runlog",
                runlog(
                    1900.0,
                    "2026-11-25 11:00:00",
                    0.5,
                    &["disk full", "two\nlines"],
                ),
            ),
        ];
        for (name, value) in logs {
            crate::fs::write_json_atomic(&dir.path().join(name), &value).unwrap();
        }
        dir
    }

    #[test]
    fn every_builtin_runs_and_others_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = Map::new();
        let input = input(&config, dir.path());
        // the pages are printed from the command line alone, and the
        // configuration's inspections run before setup
        let pages = |name: &str| zenkit_builtins::MANUAL_ACTIONS.contains(&name);
        let before_setup = [
            zenkit_builtins::CONFIG_CHECK,
            zenkit_builtins::CONFIG_SCHEMA,
        ];
        for action in zenkit_builtins::actions(crate::AppKind::Base)
            .filter(|a| !pages(a.name) && !before_setup.contains(&a.name))
        {
            let mut out = Vec::new();
            assert!(
                run_builtin(action.name, &input, &mut out, false).unwrap(),
                "{}",
                action.name
            );
            assert!(!action.help.is_empty());
        }
        let mut out = Vec::new();
        assert!(!run_builtin("show-total", &input, &mut out, false).unwrap());
        assert!(out.is_empty());
    }

    #[test]
    fn tree_sorts_keys_nests_objects_and_lists_arrays() {
        let value = json!({
            "name": "demo",
            "db": {"port": 5432, "host": "localhost", "opts": {}},
            "list": ["a", {"k": true}, []],
            "none": null,
            "empty": "",
            "text": "two\nlines",
        });
        let tree = render_tree(&value, &no_annotation);
        assert_eq!(
            tree,
            "|-- db\n\
             |   |-- host: localhost\n\
             |   |-- opts: {}\n\
             |   `-- port: 5432\n\
             |-- empty: \"\"\n\
             |-- list\n\
             |   |-- a\n\
             |   |-- [1]\n\
             |   |   `-- k: true\n\
             |   `-- []\n\
             |-- name: demo\n\
             |-- none: null\n\
             `-- text: \"two\\nlines\"\n"
        );
        assert_eq!(render_tree(&json!(5), &no_annotation), "5\n");
        assert_eq!(render_tree(&json!({}), &no_annotation), "");
    }

    #[test]
    fn tree_annotates_leaves_and_arrays_by_dotted_path() {
        let value = json!({"db": {"host": "h", "port": 1}, "list": [1, {"x": 2}], "debug": false});
        let asked = std::cell::RefCell::new(Vec::new());
        let annotate = |path: &str| {
            asked.borrow_mut().push(path.to_string());
            (path != "db.port").then(|| format!("layer of {path}"))
        };
        let tree = render_tree(&value, &annotate);
        assert_eq!(
            tree,
            "|-- db\n\
             |   |-- host: h  [layer of db.host]\n\
             |   `-- port: 1\n\
             |-- debug: false  [layer of debug]\n\
             `-- list  [layer of list]\n    \
                 |-- 1\n    \
                 `-- [1]\n        \
                     `-- x: 2\n"
        );
        assert_eq!(*asked.borrow(), vec!["db.host", "db.port", "debug", "list"]);
        asked.borrow_mut().clear();
        render_tree(&json!({"": {"a": 1}}), &annotate);
        assert_eq!(*asked.borrow(), vec![".a"]);
    }

    #[test]
    fn config_view_annotates_only_when_verbose() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Map::new();
        config.insert("log_level".into(), json!("info"));
        config.insert("__core__".into(), json!({"runlog": {"save": true}}));
        let origin = |path: &str| match path {
            "log_level" => Some("file /etc/app.conf".to_string()),
            _ => Some("post-processing".to_string()),
        };
        let mut input = input(&config, dir.path());
        input.origin_of = &origin;
        assert_eq!(
            run("config-view", &input).unwrap(),
            "Application configuration:\n\
             |-- __core__\n\
             |   `-- runlog\n\
             |       `-- save: true\n\
             `-- log_level: info\n"
        );
        input.verbose = true;
        assert_eq!(
            run("config-view", &input).unwrap(),
            "Application configuration:\n\
             |-- __core__\n\
             |   `-- runlog\n\
             |       `-- save: true  [post-processing]\n\
             `-- log_level: info  [file /etc/app.conf]\n"
        );
    }

    #[test]
    fn single_runlog_actions_without_runlogs_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let config = Map::new();
        let missing = dir.path().join("absent");
        let input = input(&config, &missing);
        assert_eq!(
            run("runlog-dump", &input).unwrap(),
            "There are no runlog files\n"
        );
        assert_eq!(
            run("runlog-view", &input).unwrap(),
            "There are no runlog files\n"
        );
    }

    #[test]
    fn runlog_dump_shows_the_newest_or_the_input() {
        let dir = runlog_dir();
        let config = Map::new();
        let mut input = input(&config, dir.path());
        let out = run("runlog-dump", &input).unwrap();
        let newest = dir.path().join("202611251100.00012.runlog");
        assert!(
            out.starts_with(&format!(
                "\nRaw view of application runlog '{}':\n\n|-- command: greet\n",
                newest.display()
            )),
            "{out}"
        );
        assert!(out.contains("`-- ts_str: 2026-11-25 11:00:00\n"), "{out}");

        let oldest = dir.path().join("202611250900.00010.runlog");
        input.input = Some(&oldest);
        let out = run("runlog-dump", &input).unwrap();
        assert!(out.contains("`-- ts_str: 2026-11-25 09:00:00\n"), "{out}");

        let absent = dir.path().join("absent.runlog");
        input.input = Some(&absent);
        let err = run("runlog-dump", &input).unwrap_err();
        assert!(
            err.message().contains(&absent.display().to_string()),
            "{err}"
        );
    }

    #[cfg(feature = "tables")]
    #[test]
    fn runlog_view_tabulates_the_analysis_and_lists_errors() {
        let dir = runlog_dir();
        let config = Map::new();
        let input = input(&config, dir.path());
        let out = run("runlog-view", &input).unwrap();
        let newest = dir.path().join("202611251100.00012.runlog");
        // Run 1.5 s, process 0.5 s, started 100 s before `now`.
        let expected = format!(
            "\nViewing application runlog '{}':\n\n\
             General information:\n\
             +--------------+---------------------+\n\
             | Label:       | 2026-11-25 11:00:00 |\n\
             | Runtime:     |      0:00:01.500000 |\n\
             | Effectivity: |             33.33 % |\n\
             | Age:         |             0:01:40 |\n\
             | Command:     |               greet |\n\
             | Errors:      |                   2 |\n\
             | Result:      |             failure |\n\
             +--------------+---------------------+\n\
             \n\
             Processing errors:\n \
             - disk full\n \
             - two\n   \
             lines\n\n",
            newest.display()
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn runlogs_list_is_newest_first_with_count_and_limit() {
        let dir = runlog_dir();
        let config = Map::new();
        let mut input = input(&config, dir.path());
        let d = dir.path().display();
        assert_eq!(
            run("runlogs-list", &input).unwrap(),
            format!(
                "\nListing application runlogs in directory '{d}':\n  Runlog(s) found: 3\n\n\
                 `-- {d}\n    \
                     |-- {d}/202611251100.00012.runlog\n    \
                     |-- {d}/202611251000.00011.runlog\n    \
                     `-- {d}/202611250900.00010.runlog\n\n"
            )
        );
        input.limit = Some(2);
        assert_eq!(
            run("runlogs-list", &input).unwrap(),
            format!(
                "\nListing application runlogs in directory '{d}':\n  Runlog(s) found: 3\n  Result limit: 2\n\n\
                 `-- {d}\n    \
                     |-- {d}/202611251100.00012.runlog\n    \
                     `-- {d}/202611251000.00011.runlog\n\n"
            )
        );
    }

    #[test]
    fn runlogs_list_of_empty_dir_shows_zero() {
        let dir = tempfile::tempdir().unwrap();
        let config = Map::new();
        let input = input(&config, dir.path());
        assert_eq!(
            run("runlogs-list", &input).unwrap(),
            format!(
                "\nListing application runlogs in directory '{}':\n  Runlog(s) found: 0\n\n",
                dir.path().display()
            )
        );
    }

    #[test]
    fn runlogs_dump_prints_each_limited_runlog() {
        let dir = runlog_dir();
        let config = Map::new();
        let mut input = input(&config, dir.path());
        input.limit = Some(2);
        let out = run("runlogs-dump", &input).unwrap();
        assert!(
            out.contains("  Runlog(s) found: 3\n  Result limit: 2\n"),
            "{out}"
        );
        let first = out
            .find("202611251100.00012.runlog':\n|-- command: greet")
            .expect("newest runlog dumped");
        let second = out
            .find("202611251000.00011.runlog':\n")
            .expect("second runlog dumped");
        assert!(first < second);
        assert!(!out.contains("202611250900.00010.runlog"), "{out}");
        assert!(out.contains("`-- ts_str: 2026-11-25 10:00:00\n"), "{out}");
    }

    #[cfg(feature = "tables")]
    #[test]
    fn runlogs_evaluate_tabulates_runs_and_extremes() {
        let dir = runlog_dir();
        let config = Map::new();
        let input = input(&config, dir.path());
        let out = run("runlogs-evaluate", &input).unwrap();
        // Runs: 2 s / 1 s process, 4 s / 3 s, 1.5 s / 0.5 s.
        let expected = format!(
            "\nEvaluating application runlogs in directory '{}':\n  Runlog(s) found: 3\n\n\
             General application processing statistics:\n\
             +---------------------+---------+----------------+----------------+--------+--------+---------+---------+\n\
             | Date                |     Age |        Runtime |        Process |  E [%] | Errors | Command |  Result |\n\
             +---------------------+---------+----------------+----------------+--------+--------+---------+---------+\n\
             | 2026-11-25 11:00:00 | 0:01:40 | 0:00:01.500000 | 0:00:00.500000 |  33.33 |      2 |   greet | failure |\n\
             | 2026-11-25 10:00:00 | 0:08:20 |        0:00:04 |        0:00:03 |  75.00 |      0 |   greet | success |\n\
             | 2026-11-25 09:00:00 | 0:16:40 |        0:00:02 |        0:00:01 |  50.00 |      0 |   greet | success |\n\
             +---------------------+---------+----------------+----------------+--------+--------+---------+---------+\n                   Minimal value: 0:00:01.500000   0:00:00.500000    33.33\n                   Maximal value: 0:00:04   0:00:03    75.00\n                   Average value: 0:00:02.500000   0:00:01.500000    52.78\n\n",
            dir.path().display()
        );
        assert_eq!(out, expected);
    }

    #[cfg(feature = "tables")]
    #[test]
    fn tables_are_drawn_with_box_drawing_characters_on_a_terminal() {
        let dir = runlog_dir();
        let config = Map::new();
        let input = input(&config, dir.path());
        let out = run_drawn("runlog-view", &input, Form::Unicode).unwrap();
        assert!(
            out.contains(
                "General information:\n\
                 ┌──────────────┬─────────────────────┐\n\
                 │ Label:       ┆ 2026-11-25 11:00:00 │\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "│ Result:      ┆             failure │\n└──────────────┴─────────────────────┘\n"
            ),
            "{out}"
        );
        let out = run_drawn("runlogs-evaluate", &input, Form::Unicode).unwrap();
        assert!(
            out.contains(
                "┌─────────────────────┬─────────┬────────────────┬────────────────┬────────┬────────┬─────────┬─────────┐\n\
                 │ Date                ┆     Age ┆        Runtime ┆        Process ┆  E [%] ┆ Errors ┆ Command ┆  Result │\n\
                 ╞═════════════════════╪═════════╪════════════════╪════════════════╪════════╪════════╪═════════╪═════════╡\n\
                 │ 2026-11-25 11:00:00 ┆ 0:01:40 ┆ 0:00:01.500000 ┆ 0:00:00.500000 ┆  33.33 ┆      2 ┆   greet ┆ failure │\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("└─────────────────────┴─────────┴────────────────┴────────────────┴────────┴────────┴─────────┴─────────┘\n                   Minimal value: "),
            "{out}"
        );
        // Trees stay ASCII.
        let out = run_drawn("runlogs-list", &input, Form::Unicode).unwrap();
        assert!(out.contains("    `-- "), "{out}");
    }

    #[cfg(not(feature = "tables"))]
    #[test]
    fn runlog_view_writes_the_analysis_as_tab_separated_lines() {
        let dir = runlog_dir();
        let config = Map::new();
        let input = input(&config, dir.path());
        let out = run("runlog-view", &input).unwrap();
        let newest = dir.path().join("202611251100.00012.runlog");
        let expected = format!(
            "\nViewing application runlog '{}':\n\n\
             General information:\n\
             Label:\t2026-11-25 11:00:00\n\
             Runtime:\t0:00:01.500000\n\
             Effectivity:\t33.33 %\n\
             Age:\t0:01:40\n\
             Command:\tgreet\n\
             Errors:\t2\n\
             Result:\tfailure\n\
             \n\
             Processing errors:\n \
             - disk full\n \
             - two\n   \
             lines\n\n",
            newest.display()
        );
        assert_eq!(out, expected);
    }

    #[cfg(not(feature = "tables"))]
    #[test]
    fn runlogs_evaluate_writes_runs_as_tab_separated_lines() {
        let dir = runlog_dir();
        let config = Map::new();
        let input = input(&config, dir.path());
        let out = run("runlogs-evaluate", &input).unwrap();
        let expected = format!(
            "\nEvaluating application runlogs in directory '{}':\n  Runlog(s) found: 3\n\n\
             General application processing statistics:\n\
             Date\tAge\tRuntime\tProcess\tE [%]\tErrors\tCommand\tResult\n\
             2026-11-25 11:00:00\t0:01:40\t0:00:01.500000\t0:00:00.500000\t33.33\t2\tgreet\tfailure\n\
             2026-11-25 10:00:00\t0:08:20\t0:00:04\t0:00:03\t75.00\t0\tgreet\tsuccess\n\
             2026-11-25 09:00:00\t0:16:40\t0:00:02\t0:00:01\t50.00\t0\tgreet\tsuccess\n                   \
             Minimal value: 0:00:01.500000   0:00:00.500000    33.33\n                   \
             Maximal value: 0:00:04   0:00:03    75.00\n                   \
             Average value: 0:00:02.500000   0:00:01.500000    52.78\n\n",
            dir.path().display()
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn several_runlog_actions_skip_a_broken_runlog() {
        let dir = runlog_dir();
        let broken = dir.path().join("202611251030.00013.runlog");
        std::fs::write(&broken, "{").unwrap();
        let scalar = dir.path().join("202611251031.00014.runlog");
        std::fs::write(&scalar, "[]").unwrap();
        let config = Map::new();
        let input = input(&config, dir.path());

        let out = run("runlogs-evaluate", &input).unwrap();
        assert!(out.contains("  Runlog(s) found: 5\n"), "{out}");
        for label in ["11:00:00", "10:00:00", "09:00:00"] {
            assert!(out.contains(&format!("2026-11-25 {label}")), "{out}");
        }
        assert!(!out.contains("00013") && !out.contains("00014"), "{out}");
        // The summary is of the three that were read.
        assert!(
            out.contains(
                "                   Average value: 0:00:02.500000   0:00:01.500000    52.78\n"
            ),
            "{out}"
        );

        let out = run("runlogs-dump", &input).unwrap();
        assert_eq!(out.matches("Runlog '").count(), 3, "{out}");
        assert!(!out.contains("00013") && !out.contains("00014"), "{out}");

        // Only broken runlogs: the table is empty and there is no summary.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("202611251030.00013.runlog"), "{").unwrap();
        let input = super::tests::input(&config, dir.path());
        let out = run("runlogs-evaluate", &input).unwrap();
        // The header row, whatever separates its cells.
        let cells = |line: &str| -> Vec<String> {
            line.split(['|', '\t'])
                .map(|cell| cell.trim().to_string())
                .filter(|cell| !cell.is_empty())
                .collect()
        };
        assert!(
            out.lines().any(|line| cells(line) == EVALUATION_HEADER),
            "{out}"
        );
        assert!(!out.contains("Minimal value"), "{out}");
    }

    #[test]
    fn the_newest_runlog_is_the_greatest_name() {
        let dir = runlog_dir();
        // An older time stamp written last.
        crate::fs::write_json_atomic(
            &dir.path().join("202611250800.fffff.runlog"),
            &runlog(900.0, "2026-11-25 08:00:00", 1.0, &[]),
        )
        .unwrap();
        let config = Map::new();
        let input = input(&config, dir.path());
        let out = run("runlog-view", &input).unwrap();
        assert!(out.contains("202611251100.00012.runlog"), "{out}");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
