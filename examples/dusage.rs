//! Disk usage watcher: measures a directory tree, reports its largest files
//! and its growth since the previous run, and fails when it is over a limit.
//!
//! Meant for cron: `dusage --path /srv/uploads --max-bytes 10000000000`.
//! The previous measurement is kept in the persistent state; each run's
//! figures go to the runlog under `usage`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zenkit::prelude::*;
// Linked, but refused below: dusage keeps its command line to itself.
use zenkit_prometheus as _;

/// Measures a directory tree and reports its growth since the last run.
#[derive(ZenApp, Default)]
#[zen(linked_plugins = false)]
struct Dusage {
    /// Directory to measure.
    #[zen(cli, default = ".")]
    path: PathBuf,
    /// What the report shows.
    #[zen(config)]
    report: Report,
    /// Fail when the tree is larger than this many bytes.
    #[zen(cli)]
    max_bytes: Option<u64>,
    /// Total size measured by the previous run.
    #[zen(pstate)]
    last_total: Option<u64>,
}

/// Configuration section `report`; its schema (`--action config-schema`)
/// describes each field with its doc comment.
#[derive(Serialize, Deserialize, zenkit::schemars::JsonSchema)]
#[schemars(crate = "zenkit::schemars")]
struct Report {
    /// How many of the largest files to list (with `-v`).
    top: usize,
    /// Files smaller than this many bytes are not listed.
    min_size: u64,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            top: 5,
            min_size: 0,
        }
    }
}

/// Sizes of every regular file below `dir` (symbolic links are not followed).
fn walk(dir: &Path, files: &mut Vec<(u64, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), files)?;
        } else if kind.is_file() {
            files.push((entry.metadata()?.len(), entry.path()));
        }
    }
    Ok(())
}

#[zenkit::app]
impl Dusage {
    /// Measures the tree, prints the report and records it.
    #[process]
    fn measure(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
        let mut files = Vec::new();
        walk(&self.path, &mut files).map_err(|e| {
            Error::msg(format!(
                "cannot measure {}: {e}; check --path",
                self.path.display()
            ))
        })?;
        let total: u64 = files.iter().map(|(size, _)| size).sum();
        files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        ctx.print(
            0,
            format_args!(
                "{} bytes in {} files under {}",
                total,
                files.len(),
                self.path.display()
            ),
        );
        if let Some(last) = self.last_total {
            let growth = total as i128 - last as i128;
            ctx.print(
                0,
                format_args!("growth since the last run: {growth:+} bytes"),
            );
        }
        let listed = files
            .iter()
            .filter(|(size, _)| *size >= self.report.min_size);
        for (size, path) in listed.take(self.report.top) {
            ctx.print(1, format_args!("{size:>12}  {}", path.display()));
        }
        ctx.runlog().insert(
            "usage",
            json!({"total": total, "files": files.len(), "previous": self.last_total}),
        );
        self.last_total = Some(total);
        match self.max_bytes {
            Some(max) if total > max => Err(Error::msg(format!(
                "{} holds {total} bytes, over the limit of {max}",
                self.path.display()
            ))),
            _ => Ok(()),
        }
    }

    /// Prints the total measured by the previous run.
    #[action]
    fn last(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
        match self.last_total {
            Some(total) => ctx.print(0, format_args!("{total}")),
            None => ctx.print(0, format_args!("no measurement yet")),
        }
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Dusage>()
}
