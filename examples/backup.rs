//! Directory snapshots for cron: `create` packs a directory into a
//! timestamped `.tar` archive, `prune` keeps the newest N, `list` shows them,
//! `restore ARCHIVE` unpacks one (`--dry-run` only lists what it holds).
//!
//! With `--interval daily --adjust-thresholds` the archive is named after the
//! start of the current day (UTC), so a cron job that runs twice on one day
//! makes one archive, and `list` shows the archives of the last interval.
//!
//! ```text
//! 5 0 * * *  backup --regular --source /srv/data --target /var/backups/data --interval daily --adjust-thresholds create
//! 15 0 * * * backup --regular --target /var/backups/data --keep 14 prune
//! ```
//!
//! Archives are written to a hidden temporary file in the target directory
//! and renamed into place only when `tar` succeeded, so a failure never
//! leaves a partial archive or touches the existing ones.

use std::path::{Path, PathBuf};

use zenkit::chrono::{DateTime, NaiveDateTime, Utc};
use zenkit::prelude::*;
// Linking the exporter adds `--prometheus-dir` (see the README's plugins).
use zenkit_prometheus as _;

const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// Snapshots a directory into timestamped tar archives and prunes old ones.
///
/// A misspelled key could make `prune` keep the wrong number of archives,
/// so unknown configuration keys are errors here, not warnings.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "list", deny_unknown_keys)]
struct Backup {
    /// Directory to snapshot (for `create`).
    #[zen(cli)]
    source: Option<PathBuf>,
    /// Directory holding the archives.
    #[zen(cli)]
    target: Option<PathBuf>,
    /// File names start with this prefix.
    #[zen(cli, default = "snapshot")]
    prefix: String,
    /// How many archives `prune` keeps.
    #[zen(cli, default = 7)]
    keep: usize,
}

/// An archive in the target directory and the time in its name.
struct Archive {
    path: PathBuf,
    time: DateTime<Utc>,
}

impl Backup {
    fn target(&self) -> zenkit::Result<&Path> {
        self.target
            .as_deref()
            .ok_or_else(|| Error::usage("no target directory; pass --target DIR"))
    }

    /// The archives of the target directory, oldest first.
    fn archives(&self) -> zenkit::Result<Vec<Archive>> {
        let target = self.target()?;
        let entries = std::fs::read_dir(target)
            .map_err(|e| Error::msg(format!("cannot read {}: {e}", target.display())))?;
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stamp = name
                .strip_prefix(&format!("{}-", self.prefix))
                .and_then(|rest| rest.strip_suffix(".tar"));
            if let Some(time) = stamp.and_then(|s| NaiveDateTime::parse_from_str(s, STAMP).ok()) {
                found.push(Archive {
                    path: entry.path(),
                    time: time.and_utc(),
                });
            }
        }
        found.sort_by_key(|a| a.time);
        Ok(found)
    }
}

/// The time an archive made now is named after: the upper threshold of the
/// configured interval, or `--time-high` (default: now) without one.
fn snapshot_time(ctx: &Context) -> zenkit::Result<DateTime<Utc>> {
    match ctx.script().and_then(|s| s.interval) {
        Some(_) => Ok(ctx.thresholds()?.upper),
        None => Ok(ctx.script().map_or_else(Utc::now, |s| s.time_high)),
    }
}

#[zenkit::app]
impl Backup {
    /// Packs the source directory into a new archive.
    #[command]
    fn create(&mut self, ctx: &mut Context) -> zenkit::Result<Value> {
        let source = self
            .source
            .clone()
            .ok_or_else(|| Error::usage("no source directory; pass --source DIR"))?;
        if !source.is_dir() {
            return Err(Error::msg(format!(
                "source directory {} does not exist; check --source",
                source.display()
            )));
        }
        let target = self.target()?.to_path_buf();
        let stamp = snapshot_time(ctx)?.format(STAMP).to_string();
        let archive = target.join(format!("{}-{stamp}.tar", self.prefix));
        if archive.exists() {
            info!(
                "Archive {} exists already; nothing to do",
                archive.display()
            );
            return Ok(json!({"archive": archive, "created": false}));
        }
        // a temporary name of this process's own, then a link that fails
        // rather than replace an archive another run made meanwhile
        let partial = target.join(format!(
            ".{}-{stamp}.{}.partial",
            self.prefix,
            std::process::id()
        ));
        let packed = ctx.run_command(&[
            "tar",
            "-cf",
            &partial.to_string_lossy(),
            "-C",
            &source.to_string_lossy(),
            ".",
        ]);
        let linked = packed.and_then(|_| {
            std::fs::hard_link(&partial, &archive).map_err(|e| {
                Error::msg(format!(
                    "cannot put the archive {} in place: {e}",
                    archive.display()
                ))
            })
        });
        let _ = std::fs::remove_file(&partial);
        linked?;
        let size = std::fs::metadata(&archive).map(|m| m.len()).unwrap_or(0);
        ctx.print(
            0,
            format_args!("created {} ({size} bytes)", archive.display()),
        );
        Ok(json!({"archive": archive, "created": true, "bytes": size}))
    }

    /// Deletes all but the newest `--keep` archives.
    #[command]
    fn prune(&mut self, ctx: &mut Context) -> zenkit::Result<Vec<PathBuf>> {
        if self.keep == 0 {
            return Err(Error::usage(
                "refusing to delete every archive: --keep must be at least 1",
            ));
        }
        let archives = self.archives()?;
        let surplus = archives.len().saturating_sub(self.keep);
        let mut removed = Vec::new();
        for archive in &archives[..surplus] {
            std::fs::remove_file(&archive.path).map_err(|e| {
                Error::msg(format!("cannot remove {}: {e}", archive.path.display()))
            })?;
            ctx.print(1, format_args!("removed {}", archive.path.display()));
            removed.push(archive.path.clone());
        }
        ctx.print(
            0,
            format_args!("kept {}, removed {}", archives.len() - surplus, surplus),
        );
        Ok(removed)
    }

    /// Unpacks an archive of the target directory into the source directory
    /// (or `--into DIR`).
    #[command]
    fn restore(
        &mut self,
        ctx: &mut Context,
        #[arg(help = "Archive to unpack: its file name in the target directory")] archive: String,
        #[opt(help = "Directory to unpack into [default: the source directory]")] into: Option<
            PathBuf,
        >,
        #[opt(short = 'n', help = "List what the archive holds, change nothing")] dry_run: bool,
    ) -> zenkit::Result<Value> {
        if archive.contains('/') {
            return Err(Error::usage(format!(
                "archive '{archive}' is a path; give its file name in the target directory, as `list` shows it"
            )));
        }
        let path = self.target()?.join(&archive);
        if !path.is_file() {
            return Err(Error::usage(format!(
                "no archive {}; `list` shows the archives",
                path.display()
            )));
        }
        let listing = ctx.run_command(&["tar", "-tf", &path.to_string_lossy()])?;
        let members: Vec<&str> = listing
            .stdout
            .lines()
            .filter(|m| !m.ends_with('/'))
            .collect();
        if dry_run {
            for member in &members {
                ctx.print(0, format_args!("would restore {member}"));
            }
            return Ok(json!({"archive": path, "files": members.len(), "restored": false}));
        }
        let into = into.or_else(|| self.source.clone()).ok_or_else(|| {
            Error::usage("no directory to unpack into; pass --into DIR or --source DIR")
        })?;
        std::fs::create_dir_all(&into)
            .map_err(|e| Error::msg(format!("cannot create {}: {e}", into.display())))?;
        ctx.run_command(&[
            "tar",
            "-xf",
            &path.to_string_lossy(),
            "-C",
            &into.to_string_lossy(),
        ])?;
        ctx.print(
            0,
            format_args!("restored {} files into {}", members.len(), into.display()),
        );
        Ok(json!({"archive": path, "into": into, "files": members.len(), "restored": true}))
    }

    /// Lists the archives (with `--interval`: those named after a time in the
    /// last interval, its end included).
    #[command]
    fn list(&mut self, ctx: &mut Context) -> zenkit::Result<usize> {
        let window = match ctx.script().and_then(|s| s.interval) {
            Some(_) => Some(ctx.thresholds()?),
            None => None,
        };
        let mut count = 0;
        for archive in self.archives()? {
            if window.is_some_and(|w| archive.time <= w.lower || archive.time > w.upper) {
                continue;
            }
            ctx.print(0, format_args!("{}", archive.path.display()));
            count += 1;
        }
        Ok(count)
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Backup>()
}
