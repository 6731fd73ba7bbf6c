//! The file operations the queue is made of: temporary files, flushes,
//! renames that name both paths in their errors, listings.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::libc;
use zenkit::{Error, ErrorKind, Result};

use crate::Stats;

/// A file in `tmp/` that is removed when dropped, unless kept (renamed
/// away).
#[derive(Debug)]
pub(crate) struct Temp(Option<PathBuf>);

impl Temp {
    /// The file at `path`, just created.
    pub(crate) fn new(path: PathBuf) -> Temp {
        Temp(Some(path))
    }

    pub(crate) fn path(&self) -> &Path {
        self.0.as_deref().expect("a temporary file not kept yet")
    }

    /// The file was renamed away: nothing to remove.
    pub(crate) fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(path);
        }
    }
}

/// Flushes directory `path`, open as `handle`.
pub(crate) fn sync_dir(stats: &mut Stats, handle: &File, path: &Path) -> Result<()> {
    stats.fsyncs += 1;
    handle
        .sync_all()
        .map_err(|err| io_error(format!("cannot flush directory {}", path.display()), err))
}

/// Opens a message file: never through a symbolic link, never blocking (a
/// FIFO swapped in), never as the controlling terminal; for reading and
/// writing, so that the file can be reused as a spare once the message is
/// gone, or only for reading when this process may not write it. The flag
/// says which.
pub(crate) fn open_message(path: &Path) -> io::Result<(File, bool)> {
    let open = |write: bool| {
        OpenOptions::new()
            .read(true)
            .write(write)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
    };
    match open(true) {
        Err(err)
            if matches!(
                err.raw_os_error(),
                Some(libc::EACCES | libc::EROFS | libc::EPERM)
            ) =>
        {
            open(false).map(|file| (file, false))
        }
        opened => opened.map(|file| (file, true)),
    }
}

/// Opens the directory that a message is dispatched or duplicated into.
pub(crate) fn open_target_dir(dir: &Path) -> Result<File> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(Error::msg(format!("{} is not a directory", dir.display()))),
        Err(err) => {
            return Err(io_error(
                format!("cannot use directory {}", dir.display()),
                err,
            ))
        }
    }
    File::open(dir).map_err(|err| io_error(format!("cannot open directory {}", dir.display()), err))
}

/// Renames `from` to `to`.
pub(crate) fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|err| rename_error(from, to, err))
}

pub(crate) fn rename_error(from: &Path, to: &Path, err: io::Error) -> Error {
    let mut message = format!("cannot rename {} to {}", from.display(), to.display());
    if err.raw_os_error() == Some(libc::EXDEV) {
        message.push_str(" (another file system than the queue's)");
    }
    io_error(message, err)
}

/// An error `"<what>: <err>"` caused by `err`.
pub(crate) fn io_error(what: String, err: io::Error) -> Error {
    Error::with_source(ErrorKind::Runtime, format!("{what}: {err}"), err)
}

/// The names in directory `dir`.
pub(crate) fn read_names(dir: &Path) -> Result<Vec<OsString>> {
    let failed = |err| io_error(format!("cannot list {}", dir.display()), err);
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(failed)? {
        names.push(entry.map_err(failed)?.file_name());
    }
    Ok(names)
}

/// The number of entries in `dir`, without the `.meta` files when
/// `skip_meta`.
pub(crate) fn count_entries(dir: &Path, skip_meta: bool) -> Result<usize> {
    let failed = |err| io_error(format!("cannot list {}", dir.display()), err);
    let mut count = 0;
    for entry in fs::read_dir(dir).map_err(failed)? {
        let entry = entry.map_err(failed)?;
        if !(skip_meta && entry.file_name().as_bytes().ends_with(b".meta")) {
            count += 1;
        }
    }
    Ok(count)
}

/// Whether `a` and `b` are the same directory.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Copies the whole content of `source` (named `source_path`) into `out`
/// (named `target`).
pub(crate) fn copy_from(
    mut source: &File,
    source_path: &Path,
    out: &mut File,
    target: &Path,
) -> Result<()> {
    source
        .seek(SeekFrom::Start(0))
        .and_then(|_| io::copy(&mut source, out))
        .map(|_| ())
        .map_err(|err| {
            io_error(
                format!(
                    "cannot copy {} to {}",
                    source_path.display(),
                    target.display()
                ),
                err,
            )
        })
}

/// Copies `source` (named `source_path`) into a new file `target` with
/// `mode` (less the umask), never through a symbolic link; the new file is
/// removed again when the copy fails. It is not flushed.
pub(crate) fn copy_into_new(
    source: &File,
    source_path: &Path,
    target: &Path,
    mode: u32,
) -> Result<File> {
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(target)
        .map_err(|err| io_error(format!("cannot create {}", target.display()), err))?;
    if let Err(err) = copy_from(source, source_path, &mut out, target) {
        let _ = fs::remove_file(target);
        return Err(err);
    }
    Ok(out)
}

/// A file this process holds an exclusive `flock` on. The lock goes when
/// the file is closed (it is never duplicated), so dropping it costs no
/// call of its own, and cannot fail.
#[derive(Debug)]
pub(crate) struct Locked {
    file: File,
    /// Open for writing too, so reusable as a spare.
    writable: bool,
}

impl Locked {
    /// Locks `file` (`LOCK_EX | LOCK_NB`); the error is `EWOULDBLOCK` when
    /// another open file holds a lock on it.
    pub(crate) fn lock(
        file: File,
        writable: bool,
    ) -> std::result::Result<Locked, nix::errno::Errno> {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor that `file` owns and keeps open.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        nix::errno::Errno::result(rc)?;
        Ok(Locked { file, writable })
    }

    /// Whether the file is open for writing.
    pub(crate) fn is_writable(&self) -> bool {
        self.writable
    }
}

impl std::ops::Deref for Locked {
    type Target = File;

    fn deref(&self) -> &File {
        &self.file
    }
}

impl std::ops::DerefMut for Locked {
    fn deref_mut(&mut self) -> &mut File {
        &mut self.file
    }
}
