//! The log file: opened for appending, reopened at its path after a
//! rotation.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// Mode the log file is created with (before the umask).
pub(crate) const LOG_FILE_MODE: u32 = 0o644;

/// How often at most a [`LogFile`] checks that its path still names the open
/// file: lines written in between go to the open file without a `stat`.
pub(crate) const FOLLOW_INTERVAL: Duration = Duration::from_millis(250);

/// A log file opened for appending that follows its path: before a line it
/// checks (one `stat`) whether the path still names the open file, and
/// reopens the path when it does not (the file was renamed, replaced or
/// deleted). The check is made when [`FOLLOW_INTERVAL`] has passed since the
/// last one (by the monotonic clock) and after a failed write; in between,
/// lines go to the open file, so a few lines may land in a file rotated
/// without [`LogFile::reopen`].
#[derive(Debug)]
pub(crate) struct LogFile {
    path: PathBuf,
    file: File,
    id: (u64, u64),
    /// When the path is to be checked next; `None`: before the next line.
    next_check: Option<Instant>,
}

impl LogFile {
    /// Opens `path` for appending, creating it (mode 0644 before the umask)
    /// and its parent directories when missing.
    pub fn open(path: &Path) -> Result<LogFile> {
        let (file, id) = open_append(path).map_err(|err| open_error(path, &err))?;
        Ok(LogFile {
            path: path.to_path_buf(),
            file,
            id,
            next_check: Some(Instant::now() + FOLLOW_INTERVAL),
        })
    }

    /// The path the file was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one complete line (with its newline) in a single append, after
    /// reopening the file if a due check (see [`LogFile`]) finds that its
    /// path moved on. When reopening fails the line goes to the file still
    /// open, and reopening is tried again at the next check.
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.write_line_at(line, Instant::now())
    }

    /// [`LogFile::write_line`] at time `now`.
    fn write_line_at(&mut self, line: &[u8], now: Instant) -> io::Result<()> {
        if self.next_check.is_none_or(|due| now >= due) {
            self.next_check = Some(now + FOLLOW_INTERVAL);
            self.follow_path();
        }
        let written = self.file.write_all(line);
        if written.is_err() {
            self.next_check = None;
        }
        written
    }

    /// Closes the file and opens its path again. On failure the old file
    /// stays open.
    pub fn reopen(&mut self) -> Result<()> {
        let (file, id) = open_append(&self.path).map_err(|err| open_error(&self.path, &err))?;
        self.file = file;
        self.id = id;
        Ok(())
    }

    fn follow_path(&mut self) {
        let moved = match std::fs::metadata(&self.path) {
            Ok(meta) => (meta.dev(), meta.ino()) != self.id,
            Err(_) => true,
        };
        if moved {
            let _ = self.reopen();
        }
    }
}

fn open_append(path: &Path) -> io::Result<(File, (u64, u64))> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // a link planted where the log goes must not make root write elsewhere;
    // an unprivileged process reaches nothing through one it could not
    // write anyway (and may log to /dev/stderr)
    let no_follow = if nix::unistd::geteuid().is_root() {
        nix::libc::O_NOFOLLOW
    } else {
        0
    };
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(LOG_FILE_MODE)
        .custom_flags(no_follow | nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if no_follow != 0 && meta.is_file() && meta.nlink() > 1 {
        return Err(io::Error::other(
            "it has other hard links, and zenkit running as root writes no file that has another name",
        ));
    }
    Ok((file, (meta.dev(), meta.ino())))
}

fn open_error(path: &Path, err: &io::Error) -> Error {
    if err.raw_os_error() == Some(nix::libc::ELOOP) {
        return Error::setup(format!(
            "cannot open log file '{}': it is a symbolic link, which zenkit running as root does not follow; point --log-file at the file itself",
            path.display()
        ));
    }
    Error::setup(format!(
        "cannot open log file '{}': {err}; check the directory's permissions or choose another file with --log-file",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::OpenOptions;

    /// Times for `write_line_at`, one check interval apart: `at(0)` is when
    /// `log` made its last check, `at(1)` when the next one is due.
    fn ticks(log: &LogFile) -> impl Fn(u32) -> Instant {
        let start = log.next_check.expect("a check is scheduled") - FOLLOW_INTERVAL;
        move |n| start + FOLLOW_INTERVAL * n
    }

    #[test]
    fn renamed_or_deleted_file_is_reopened_at_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let rotated = dir.path().join("demo.log.1");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        log.write_line_at(b"old 1\n", at(0)).unwrap();
        std::fs::rename(&path, &rotated).unwrap();
        log.write_line_at(b"new 1\n", at(1)).unwrap();
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "old 1\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new 1\n");

        std::fs::remove_file(&path).unwrap();
        log.write_line_at(b"new 2\n", at(2)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new 2\n");

        // logrotate `create`: a new empty file put at the path.
        std::fs::rename(&path, &rotated).unwrap();
        std::fs::write(&path, "").unwrap();
        log.write_line_at(b"new 3\n", at(3)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new 3\n");
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "new 2\n");
    }

    #[test]
    fn the_path_is_checked_once_per_interval_and_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let rotated = dir.path().join("demo.log.1");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        log.write_line_at(b"a\n", at(0)).unwrap();
        std::fs::rename(&path, &rotated).unwrap();
        log.write_line_at(b"b\n", at(1) - Duration::from_millis(1))
            .unwrap();
        assert!(!path.exists(), "checked before the interval passed");
        log.write_line_at(b"c\n", at(1)).unwrap();
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "a\nb\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "c\n");

        // SIGHUP after a rotation: no waiting for the next check.
        std::fs::rename(&path, &rotated).unwrap();
        log.reopen().unwrap();
        log.write_line_at(b"d\n", at(1)).unwrap();
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "c\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "d\n");
    }

    #[test]
    fn a_failed_write_makes_the_next_line_check_the_path() {
        let mut log = LogFile::open(Path::new("/dev/full")).unwrap();
        let at = ticks(&log);
        assert!(log.next_check.is_some());
        assert!(log.write_line_at(b"x\n", at(0)).is_err());
        assert_eq!(log.next_check, None);
    }

    #[test]
    fn lines_after_a_rotation_go_to_the_new_file_from_the_next_check_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        // Lines around a logrotate `create`: not one line after the check
        // that follows the rotation may land in the rotated file.
        let mut expected_rotated = String::new();
        for round in 0..3 {
            let rotated = dir.path().join(format!("demo.log.{round}"));
            log.write_line_at(format!("before {round}\n").as_bytes(), at(round))
                .unwrap();
            expected_rotated.push_str(&format!("before {round}\n"));
            std::fs::rename(&path, &rotated).unwrap();
            std::fs::write(&path, "").unwrap();
            log.write_line_at(format!("after {round}\n").as_bytes(), at(round + 1))
                .unwrap();
            assert_eq!(std::fs::read_to_string(&rotated).unwrap(), expected_rotated);
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                format!("after {round}\n")
            );
            expected_rotated = format!("after {round}\n");
        }
    }

    #[test]
    fn a_failed_reopen_keeps_writing_to_the_open_file_and_retries() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        let path = sub.join("demo.log");
        let mut log = LogFile::open(&path).unwrap();
        let at = ticks(&log);
        log.write_line_at(b"a\n", at(0)).unwrap();
        // The directory is moved away and a file blocks its name: the path
        // cannot be reopened.
        let moved = dir.path().join("moved");
        std::fs::rename(&sub, &moved).unwrap();
        std::fs::write(&sub, "a file, not a directory").unwrap();
        log.write_line_at(b"b\n", at(1)).unwrap();
        assert_eq!(
            std::fs::read_to_string(moved.join("demo.log")).unwrap(),
            "a\nb\n"
        );
        std::fs::remove_file(&sub).unwrap();
        log.write_line_at(b"c\n", at(2)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "c\n");
    }

    #[test]
    fn copytruncate_leaves_no_nul_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.log");
        let mut log = LogFile::open(&path).unwrap();
        log.write_line(b"first line of some length\n").unwrap();
        log.write_line(b"second line of some length\n").unwrap();
        let copy = std::fs::read(&path).unwrap();
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        log.write_line(b"after\n").unwrap();
        let data = std::fs::read(&path).unwrap();
        assert_eq!(data, b"after\n");
        assert!(!copy.contains(&0) && !data.contains(&0));
    }
}
