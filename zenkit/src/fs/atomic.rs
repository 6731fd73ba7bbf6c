//! Crash-safe writes: a temporary file in the same directory, flushed,
//! renamed over the target, the directory flushed; and the removal of the
//! temporary files of writers that were killed.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions, Permissions};
use std::hash::{BuildHasher, RandomState};
use std::io::{self, ErrorKind as IoErrorKind, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::unistd::UnlinkatFlags;

use super::*;

/// How many temporary names are tried before giving up; a name is taken only
/// when somebody else created a file of the same random name meanwhile.
pub(super) const TEMP_ATTEMPTS: u32 = 16;

/// Writes `data` to `path` atomically (new temporary file, fsync, rename,
/// fsync of the directory). Missing parent directories are created (when
/// the temporary file cannot be created for their lack, so a directory that
/// exists costs nothing).
///
/// The file gets the mode of the file it replaces without group and world
/// write permission (`mode & !0o022`) or, when `path` names no regular file
/// yet, `default_mode` ([`FILE_MODE`], [`PRIVATE_FILE_MODE`]). The mode is set
/// explicitly, so the umask does not change it.
///
/// The temporary file is `.<file name>.<pid>.<random>.tmp` beside the
/// target (`<pid>` is the writer's process ID in decimal, `<random>` 16 hex
/// digits), created exclusively and without following symbolic links: a
/// file or link planted there by somebody else is never written to. Before
/// the first write of `path` in a process, the temporary files of `path`
/// left by writers that no longer run are removed: the regular files of
/// that pattern whose `<pid>` names no running process.
pub fn write_atomic(path: &Path, data: &[u8], default_mode: u32) -> io::Result<()> {
    let file_name = path.file_name().unwrap_or_default();
    write_atomic_sweeping(path, data, default_mode, |stem| stem == file_name)
}

/// [`write_atomic`], removing beforehand (at the first write of `path` in
/// this process) the temporary files of a dead writer of any file whose
/// name `stale` accepts. Later writes do not list the directory again: a
/// daemon saving the same file over and over has nothing new to sweep.
pub(crate) fn write_atomic_sweeping(
    path: &Path,
    data: &[u8],
    default_mode: u32,
    stale: impl FnMut(&OsStr) -> bool,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(IoErrorKind::InvalidInput, "path has no file name"))?;
    let mode = target_mode(path, default_mode);
    if first_write(path) {
        remove_stale_temps(&dir, stale);
    }
    let (mut file, tmp) = match create_temp(&dir, temp_names(file_name)) {
        Err(err) if lacks_directory(&err) => {
            // For a file where a directory belongs (ENOTDIR) this fails
            // too, and its error says so more plainly.
            fs::create_dir_all(&dir)?;
            create_temp(&dir, temp_names(file_name))?
        }
        created => created?,
    };
    let result = (|| {
        file.set_permissions(Permissions::from_mode(mode))?;
        file.write_all(data)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether this is the first write of `path` in this process.
fn first_write(path: &Path) -> bool {
    static WRITTEN: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut written = WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
    if written.iter().any(|p| p == path) {
        return false;
    }
    written.push(path.to_path_buf());
    true
}

/// Whether creating a file failed because its directory, or a directory
/// above it, is missing (or a file stands where one belongs).
pub(super) fn lacks_directory(err: &io::Error) -> bool {
    err.kind() == IoErrorKind::NotFound || err.raw_os_error() == Some(nix::libc::ENOTDIR)
}

/// The mode a file written at `path` gets (see [`write_atomic`]).
pub(super) fn target_mode(path: &Path, default_mode: u32) -> u32 {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => meta.mode() & 0o777 & !0o022,
        _ => default_mode & 0o777,
    }
}

/// Endless random temporary names for `file_name`:
/// `.<file_name>.<pid>.<hex>.tmp`.
pub(super) fn temp_names(file_name: &OsStr) -> impl Iterator<Item = OsString> + '_ {
    // `RandomState` keys come from the operating system's random source, so
    // the names cannot be guessed in advance.
    let pid = std::process::id();
    let mut counter = 0u64;
    std::iter::from_fn(move || {
        counter += 1;
        let random = RandomState::new().hash_one((pid, counter));
        let mut name = OsString::from(".");
        name.push(file_name);
        name.push(format!(".{pid}.{random:016x}.tmp"));
        Some(name)
    })
}

/// The file name and the writer's PID of a temporary file name made by
/// [`temp_names`], `.<file name>.<pid>.<16 hex digits>.tmp`; `None` for any
/// other name.
pub(super) fn parse_temp_name(name: &OsStr) -> Option<(&OsStr, i32)> {
    let inner = name.as_bytes().strip_prefix(b".")?.strip_suffix(b".tmp")?;
    let mut parts = inner.rsplitn(3, |&b| b == b'.');
    let random = parts.next()?;
    let pid = parts.next()?;
    let file_name = parts.next()?;
    let is_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    if random.len() != 16 || !random.iter().all(is_hex) || file_name.is_empty() {
        return None;
    }
    // Canonical decimal only: no sign, no leading zero, so never 0 (which
    // `kill` would take for the process group).
    if matches!(pid.first(), None | Some(b'0')) || !pid.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pid: i32 = std::str::from_utf8(pid).ok()?.parse().ok()?;
    Some((OsStr::from_bytes(file_name), pid))
}

/// Whether no process `pid` exists (`kill(pid, 0)` fails with `ESRCH`); a
/// process of another user counts as running.
pub(super) fn process_is_gone(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) == Err(Errno::ESRCH)
}

/// Removes from `dir` the temporary files that [`write_atomic`] left when
/// its writer was killed: the regular files named
/// `.<file name>.<pid>.<16 hex digits>.tmp` whose `<file name>` `stale`
/// accepts and whose writer `<pid>` no longer runs.
///
/// The file of a running writer, any other name, symbolic links and
/// directories are left alone; entries are removed relative to the
/// directory, never through a link. Best effort: a directory that cannot be
/// read, or an entry that cannot be removed, is left as it is.
///
/// A process ID reused since the writer died keeps its file until the next
/// write after that process ends.
pub(crate) fn remove_stale_temps(dir: &Path, mut stale: impl FnMut(&OsStr) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut handle = None;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((file_name, pid)) = parse_temp_name(&name) else {
            continue;
        };
        // `DirEntry::file_type` does not follow links.
        if !stale(file_name)
            || !entry.file_type().is_ok_and(|t| t.is_file())
            || !process_is_gone(pid)
        {
            continue;
        }
        if handle.is_none() {
            handle = File::open(dir).ok();
        }
        let Some(dir_fd) = &handle else {
            return;
        };
        let _ = nix::unistd::unlinkat(dir_fd, name.as_os_str(), UnlinkatFlags::NoRemoveDir);
    }
}

/// Creates a new file (mode 0600) in `dir` under the first of `names` that
/// is free, trying at most [`TEMP_ATTEMPTS`] names. Existing files and
/// symbolic links are never opened.
pub(super) fn create_temp(
    dir: &Path,
    names: impl Iterator<Item = OsString>,
) -> io::Result<(File, PathBuf)> {
    for name in names.take(TEMP_ATTEMPTS as usize) {
        let tmp = dir.join(name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
            .mode(PRIVATE_FILE_MODE)
            .open(&tmp)
        {
            Ok(file) => return Ok((file, tmp)),
            Err(err) if err.kind() == IoErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        IoErrorKind::AlreadyExists,
        format!(
            "no free temporary file name in {} after {TEMP_ATTEMPTS} tries",
            dir.display()
        ),
    ))
}
