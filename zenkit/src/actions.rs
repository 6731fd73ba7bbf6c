//! The built-in actions every application offers through `--action NAME`:
//! viewing the configuration and viewing, listing and evaluating runlogs.
//!
//! Output is plain ASCII (trees and tables without colours and without
//! regard to the terminal width), so it reads the same on a terminal, in a
//! pipe and in a mail from cron.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use comfy_table::{CellAlignment, Table};
use serde_json::{Map, Value};

use crate::runlog::analysis::{self, format_duration, Analysis};
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
pub fn run_builtin(name: &str, input: &ActionInput, out: &mut dyn Write) -> Result<bool> {
    let text = match name {
        "config-view" => config_view(input),
        "runlog-dump" => runlog_dump(input)?,
        "runlog-view" => runlog_view(input)?,
        "runlogs-list" => runlogs_list(input)?,
        "runlogs-dump" => runlogs_dump(input)?,
        "runlogs-evaluate" => runlogs_evaluate(input)?,
        _ => return Ok(false),
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|err| Error::msg(format!("cannot write the output of action {name}: {err}")))?;
    Ok(true)
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
        None => match analysis::list(input.runlog_dir)?.into_iter().next() {
            Some(path) => {
                let runlog = analysis::load_listed(&path)?;
                Ok(Some((path, runlog)))
            }
            None => Ok(None),
        },
    }
}

const NO_RUNLOGS: &str = "There are no runlog files\n";

fn runlog_dump(input: &ActionInput) -> Result<String> {
    let Some((path, runlog)) = chosen_runlog(input)? else {
        return Ok(NO_RUNLOGS.into());
    };
    let mut out = format!("\nRaw view of application runlog '{}':\n\n", path.display());
    out.push_str(&render_tree(&runlog, &no_annotation));
    Ok(out)
}

fn runlog_view(input: &ActionInput) -> Result<String> {
    let Some((path, runlog)) = chosen_runlog(input)? else {
        return Ok(NO_RUNLOGS.into());
    };
    let a = analysis::analyze(&runlog, input.now);
    let mut out = format!("\nViewing application runlog '{}':\n\n", path.display());
    out.push_str("General information:\n");
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
    out.push_str(&table(
        None,
        &[CellAlignment::Left, CellAlignment::Right],
        rows,
    ));
    if !a.error_messages.is_empty() {
        out.push_str("\nProcessing errors:\n");
        for message in &a.error_messages {
            let _ = writeln!(out, " - {}", message.replace('\n', "\n   "));
        }
    }
    out.push('\n');
    Ok(out)
}

/// The runlogs to list, dump or evaluate (limit applied) and how many exist.
fn limited_runlogs(input: &ActionInput) -> Result<(Vec<PathBuf>, usize)> {
    let mut files = analysis::list(input.runlog_dir)?;
    let count = files.len();
    if let Some(limit) = input.limit.filter(|&limit| limit > 0) {
        files.truncate(limit);
    }
    Ok((files, count))
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

fn runlogs_list(input: &ActionInput) -> Result<String> {
    let (files, count) = limited_runlogs(input)?;
    let mut out = runlogs_heading("Listing application runlogs", input, count);
    if !files.is_empty() {
        let names: Vec<Value> = files
            .iter()
            .map(|path| Value::String(path.display().to_string()))
            .collect();
        let mut tree = Map::new();
        tree.insert(input.runlog_dir.display().to_string(), Value::Array(names));
        out.push('\n');
        out.push_str(&render_tree(&Value::Object(tree), &no_annotation));
    }
    out.push('\n');
    Ok(out)
}

fn runlogs_dump(input: &ActionInput) -> Result<String> {
    let (files, count) = limited_runlogs(input)?;
    let mut out = runlogs_heading("Dumping application runlog(s)", input, count);
    if !files.is_empty() {
        out.push('\n');
    }
    for path in &files {
        let runlog = analysis::load_listed(path)?;
        let _ = writeln!(out, "Runlog '{}':", path.display());
        out.push_str(&render_tree(&runlog, &no_annotation));
    }
    out.push('\n');
    Ok(out)
}

fn runlogs_evaluate(input: &ActionInput) -> Result<String> {
    let (files, count) = limited_runlogs(input)?;
    let mut out = runlogs_heading("Evaluating application runlogs", input, count);
    if !files.is_empty() {
        let analyses = files
            .iter()
            .map(|path| Ok(analysis::analyze(&analysis::load_listed(path)?, input.now)))
            .collect::<Result<Vec<Analysis>>>()?;
        out.push_str("\nGeneral application processing statistics:\n");
        out.push_str(&evaluation_tables(&analyses));
    }
    out.push('\n');
    Ok(out)
}

/// The table of runs and the table of minimal, maximal and average values.
fn evaluation_tables(analyses: &[Analysis]) -> String {
    let right = CellAlignment::Right;
    let rows = analyses
        .iter()
        .map(|a| {
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
        })
        .collect();
    let mut out = table(
        Some(&[
            "Date", "Age", "Runtime", "Process", "E [%]", "Errors", "Command", "Result",
        ]),
        &[
            CellAlignment::Left,
            right,
            right,
            right,
            right,
            right,
            right,
            right,
        ],
        rows,
    );
    let e = analysis::evaluate(analyses);
    let summary = |label: &str, run: f64, proc: f64, eff: f64| {
        vec![
            label.to_string(),
            format_duration(run),
            format_duration(proc),
            format!("{eff:6.2}"),
        ]
    };
    let rows = vec![
        summary(
            "Minimal value:",
            e.min_dur_run,
            e.min_dur_proc,
            e.min_effectivity,
        ),
        summary(
            "Maximal value:",
            e.max_dur_run,
            e.max_dur_proc,
            e.max_effectivity,
        ),
        summary(
            "Average value:",
            e.avg_dur_run,
            e.avg_dur_proc,
            e.avg_effectivity,
        ),
    ];
    out.push_str(&table(
        Some(&["", "Runtime", "Process", "E [%]"]),
        &[CellAlignment::Left, right, right, right],
        rows,
    ));
    out
}

/// Border characters of every table, in `comfy_table::TableComponent`
/// order: ASCII box, a rule under the header, no rules between rows.
const TABLE_STYLE: &str = "||--+-++|    ++++++";

/// Renders a plain ASCII table, each line ending with a newline.
fn table(header: Option<&[&str]>, align: &[CellAlignment], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table.load_preset(TABLE_STYLE);
    if let Some(header) = header {
        table.set_header(header.to_vec());
    }
    table.add_rows(rows);
    for (column, &alignment) in table.column_iter_mut().zip(align) {
        column.set_cell_alignment(alignment);
    }
    format!("{table}\n")
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

    fn run(name: &str, input: &ActionInput) -> Result<String> {
        let mut out = Vec::new();
        assert!(
            run_builtin(name, input, &mut out)?,
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
        for action in zenkit_builtins::actions(crate::AppKind::Base) {
            let mut out = Vec::new();
            assert!(
                run_builtin(action.name, &input, &mut out).unwrap(),
                "{}",
                action.name
            );
            assert!(!action.help.is_empty());
        }
        let mut out = Vec::new();
        assert!(!run_builtin("show-total", &input, &mut out).unwrap());
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
             +---------------------+---------+----------------+----------------+--------+--------+---------+---------+\n\
             +----------------+----------------+----------------+--------+\n\
             |                |        Runtime |        Process |  E [%] |\n\
             +----------------+----------------+----------------+--------+\n\
             | Minimal value: | 0:00:01.500000 | 0:00:00.500000 |  33.33 |\n\
             | Maximal value: |        0:00:04 |        0:00:03 |  75.00 |\n\
             | Average value: | 0:00:02.500000 | 0:00:01.500000 |  52.78 |\n\
             +----------------+----------------+----------------+--------+\n\n",
            dir.path().display()
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn runlogs_evaluate_names_a_broken_runlog() {
        let dir = runlog_dir();
        let broken = dir.path().join("202611251200.00013.runlog");
        std::fs::write(&broken, "{").unwrap();
        let config = Map::new();
        let input = input(&config, dir.path());
        let err = run("runlogs-evaluate", &input).unwrap_err();
        assert!(
            err.message().contains(&format!("{}:1:1", broken.display())),
            "{err}"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
