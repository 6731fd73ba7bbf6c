//! Handing the files a daemon keeps writing (its log file, its runlog
//! directory) to the account it runs as, before it drops privileges.
//!
//! Root does this in places that account can write, so the account could
//! have planted a symbolic link or a hard link there to make root give it
//! another file. Each place is opened without following a link, checked
//! through the open descriptor (a regular file with no other name, or a
//! directory) and changed through that descriptor, never by path.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

use nix::unistd::{Gid, Uid};

use crate::{Error, Result};

/// Gives the regular file `path` (the `what`, e.g. "log file") to `uid` and
/// `gid`.
pub(crate) fn file(path: &Path, uid: Option<Uid>, gid: Option<Gid>, what: &str) -> Result<()> {
    let opened = OpenOptions::new()
        .append(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
        .open(path);
    let file = opened.map_err(|e| refused(path, what, &e))?;
    let meta = file.metadata().map_err(|e| refused(path, what, &e))?;
    if !meta.is_file() {
        return Err(Error::setup(format!(
            "the {what} {} is not a regular file; remove it or choose another place",
            path.display()
        )));
    }
    if meta.nlink() > 1 {
        return Err(Error::setup(format!(
            "the {what} {} has other hard links; zenkit hands over no file that has another name: remove it",
            path.display()
        )));
    }
    change_owner(&file, path, uid, gid, what)
}

/// Gives the directory `path` to `uid` and `gid`.
pub(crate) fn dir(path: &Path, uid: Option<Uid>, gid: Option<Gid>, what: &str) -> Result<()> {
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_DIRECTORY)
        .open(path);
    let dir = opened.map_err(|e| refused(path, what, &e))?;
    change_owner(&dir, path, uid, gid, what)
}

fn change_owner(
    file: &File,
    path: &Path,
    uid: Option<Uid>,
    gid: Option<Gid>,
    what: &str,
) -> Result<()> {
    nix::unistd::fchown(file, uid, gid).map_err(|e| {
        Error::setup(format!(
            "cannot hand the {what} {} over: {e}",
            path.display()
        ))
    })
}

fn refused(path: &Path, what: &str, err: &io::Error) -> Error {
    let why = match err.raw_os_error() {
        Some(nix::libc::ELOOP) => {
            "it is a symbolic link, which zenkit never follows for a file it hands over; remove the link"
                .to_string()
        }
        Some(nix::libc::ENOTDIR) => {
            "it is not a directory (or is a symbolic link); remove it or choose another place"
                .to_string()
        }
        _ => format!("{err}"),
    };
    Error::setup(format!(
        "cannot hand the {what} {} over: {why}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Option<Uid>, Option<Gid>) {
        (Some(nix::unistd::geteuid()), Some(nix::unistd::getegid()))
    }

    #[test]
    fn links_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "secret").unwrap();
        let link = dir.path().join("app.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let (uid, gid) = ids();
        let err = file(&link, uid, gid, "log file").unwrap_err();
        assert!(err.message().contains("is a symbolic link"), "{err}");
        let hard = dir.path().join("hard.log");
        std::fs::hard_link(&target, &hard).unwrap();
        let err = file(&hard, uid, gid, "log file").unwrap_err();
        assert!(err.message().contains("has other hard links"), "{err}");
        let err = file(dir.path(), uid, gid, "log file").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Setup);
        let sub = dir.path().join("runlogs");
        std::os::unix::fs::symlink(dir.path(), &sub).unwrap();
        let err = self::dir(&sub, uid, gid, "runlog directory").unwrap_err();
        assert!(err.message().contains("symbolic link"), "{err}");
        let err = self::dir(&target, uid, gid, "runlog directory").unwrap_err();
        assert!(err.message().contains("not a directory"), "{err}");
    }

    #[test]
    fn plain_files_and_directories_are_handed_over() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "").unwrap();
        let (uid, gid) = ids();
        file(&log, uid, gid, "log file").unwrap();
        self::dir(dir.path(), uid, gid, "runlog directory").unwrap();
    }
}
