//! PID files: created without truncation, `flock`ed for the daemon's life,
//! holding `<pid>\n`, removed at exit only while they still hold our PID.
//!
//! The lock, not the content, says whether a daemon runs: a file left by a
//! killed daemon is not locked and is taken over; a file whose holder is
//! alive is left untouched and the new instance refuses to start. Locks are
//! `flock` locks on the open file description, so they survive `fork` (a
//! child shares the parent's lock) and vanish when the holder dies.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, ErrorKind as IoErrorKind};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::libc;

use crate::fs::{list_dir, EntryKind};
use crate::{Error, Result};

/// Mode of a PID file: readable by everybody, writable by the owner only.
const PID_FILE_MODE: u32 = 0o644;

/// How often [`PidFile::acquire`] reopens the path when the file it locked was
/// removed or replaced meanwhile (a daemon exiting at the same moment).
const ACQUIRE_ATTEMPTS: u32 = 8;

/// The longest content [`read_pid`] accepts; a PID file is a number and a
/// newline, so anything longer is not one.
const MAX_CONTENT: u64 = 64;

/// A locked PID file holding this process's PID.
///
/// Created by [`PidFile::acquire`]. The lock lasts as long as the value (the
/// daemon's life); dropping it, or calling [`PidFile::release`], removes the
/// file if it still holds our PID. Only the process that acquired the file
/// cleans it up: a forked child dropping its copy leaves file and lock alone.
pub struct PidFile {
    path: PathBuf,
    /// A read-only descriptor holding the lock.
    file: Option<File>,
    pid: u32,
    /// The write end of the pipe a remover process waits on.
    remover: Option<std::os::fd::OwnedFd>,
}

impl fmt::Debug for PidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PidFile")
            .field("path", &self.path)
            .field("pid", &self.pid)
            .field("fd", &self.file.as_ref().map(AsRawFd::as_raw_fd))
            .finish()
    }
}

impl PidFile {
    /// Creates or takes over the PID file at `path`, locks it and writes
    /// `<our pid>\n` into it.
    ///
    /// The name must end in `.pid` (a configuration error otherwise). Missing
    /// parent directories are created. The file is opened without truncation
    /// and without following a symbolic link, and gets mode 0644 whatever the
    /// umask. When another live process holds the lock the file is left as it
    /// is and the error names that process's PID; a file nobody holds (left
    /// by a daemon that died, or with garbage in it) is taken over.
    pub fn acquire(path: &Path) -> Result<PidFile> {
        check_name(path)?;
        // a missing directory is a mistake to report, not one to create
        // (as root, anywhere)
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return Err(Error::setup(format!(
                    "the directory {} of the PID file {} does not exist; create it or choose another --pid-file",
                    dir.display(),
                    path.display()
                )));
            }
        }
        for _ in 0..ACQUIRE_ATTEMPTS {
            let (file, created) = open_for_lock(path)?;
            // the lock is held through a read-only descriptor, so a daemon
            // that drops its privileges keeps no way to write root's file
            let lock = match open_read_only(path) {
                Ok(lock) if same_file(&lock, path) => lock,
                _ => continue,
            };
            // a signal action checking the lock holds it for a moment only
            let mut locked = try_flock(&lock, libc::LOCK_EX);
            for _ in 0..5 {
                if locked != Err(Errno::EWOULDBLOCK) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
                locked = try_flock(&lock, libc::LOCK_EX);
            }
            match locked {
                Ok(()) => {}
                Err(Errno::EWOULDBLOCK) => return Err(running_error(path)),
                Err(e) => {
                    return Err(Error::setup(format!(
                        "cannot lock PID file {}: {e}",
                        path.display()
                    )))
                }
            }
            // The previous holder may have unlinked the file between our open
            // and our lock; a lock on an unlinked file protects nothing.
            if !same_file(&lock, path) || !same_file(&file, path) {
                continue;
            }
            let pid = std::process::id();
            prepare_mode(&file, path, created)?;
            write_pid(&file, pid).map_err(|e| {
                Error::setup(format!("cannot write PID file {}: {e}", path.display()))
            })?;
            return Ok(PidFile {
                path: path.to_path_buf(),
                file: Some(lock),
                pid,
                remover: None,
            });
        }
        Err(Error::setup(format!(
            "cannot lock PID file {}: it keeps being replaced by another process",
            path.display()
        )))
    }

    /// The path of the PID file.
    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The PID written into the file.
    #[cfg(test)]
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The descriptor holding the lock; a daemon closing inherited
    /// descriptors must keep this one open, or the lock is lost.
    #[cfg(test)]
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        self.file.as_ref().map_or(-1, AsRawFd::as_raw_fd)
    }

    /// Starts the process that removes the PID file once this daemon is
    /// gone, for a daemon about to drop its privileges: the file and its
    /// directory stay root's (as `start-stop-daemon` wants them), so only
    /// root can remove the file. The remover is a fork of this process that
    /// keeps no descriptor but the read end of a pipe whose write end the
    /// daemon keeps; when the daemon ends, however it ends, the read sees
    /// the end of the file, and the remover unlinks the PID file if it still
    /// names the daemon and nobody holds its lock, then exits. It ignores
    /// the signals a terminal or an operator sends to the daemon.
    ///
    /// Must run before any thread exists.
    pub(crate) fn start_remover(&mut self) -> Result<()> {
        use nix::unistd::{fork, ForkResult};
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
            .map_err(|e| Error::setup(format!("cannot create the PID file remover's pipe: {e}")))?;
        // SAFETY: no thread exists yet; the child calls only what is safe
        // after fork in a single-threaded process and ends with _exit.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(write);
                super::daemonize::close_inherited(&[read.as_raw_fd()]);
                // neither a terminal nor a pipe of whoever started the daemon
                // stays open for as long as the remover waits
                if let Ok(null) = OpenOptions::new().read(true).write(true).open("/dev/null") {
                    for fd in 0..=2 {
                        // SAFETY: dup2 onto the standard descriptors.
                        unsafe { libc::dup2(null.as_raw_fd(), fd) };
                    }
                }
                remove_when_gone(&self.path, self.pid, &read);
                // SAFETY: _exit ends the child without running the parent's
                // destructors (the PID file's clean-up among them).
                unsafe { libc::_exit(0) }
            }
            Ok(ForkResult::Parent { .. }) => {
                drop(read);
                self.remover = Some(write);
                Ok(())
            }
            Err(e) => Err(Error::setup(format!(
                "cannot start the PID file remover: {e}"
            ))),
        }
    }

    /// Removes the file if it still holds our PID (emptying it when it cannot
    /// be removed, e.g. in a directory we may no longer write to) and
    /// releases the lock. The same happens when the value is dropped.
    #[cfg(test)]
    pub fn release(mut self) {
        self.clean_up();
    }

    fn clean_up(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        if std::process::id() != self.pid {
            // A forked child: closing its descriptor keeps the parent's lock.
            return;
        }
        if !same_file(&file, &self.path) {
            tracing::debug!(
                "PID file {} was replaced by another file; leaving it",
                self.path.display()
            );
            return;
        }
        match read_content(&file).map(|c| parse_pid(&c)) {
            Ok(Ok(pid)) if pid == self.pid => {}
            _ => {
                tracing::debug!(
                    "PID file {} no longer holds PID {}; leaving it",
                    self.path.display(),
                    self.pid
                );
                return;
            }
        }
        if let Err(err) = fs::remove_file(&self.path) {
            // a daemon that dropped its privileges leaves it to its remover
            if self.remover.is_none() {
                tracing::warn!(
                    "cannot remove PID file {} ({err}); the next instance takes it over",
                    self.path.display()
                );
            }
        }
        // Dropping `file` closes the last descriptor of the lock, releasing it.
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        self.clean_up();
    }
}

/// The remover's work (see [`PidFile::start_remover`]).
fn remove_when_gone(path: &Path, pid: u32, pipe: &std::os::fd::OwnedFd) {
    use nix::sys::signal::{signal, SigHandler, Signal};
    for sig in [
        Signal::SIGINT,
        Signal::SIGHUP,
        Signal::SIGTERM,
        Signal::SIGQUIT,
        Signal::SIGUSR1,
        Signal::SIGUSR2,
        Signal::SIGALRM,
    ] {
        // SAFETY: ignoring a signal installs no handler of ours.
        let _ = unsafe { signal(sig, SigHandler::SigIgn) };
    }
    let mut byte = [0u8; 1];
    while let Err(Errno::EINTR) = nix::unistd::read(pipe, &mut byte) {}
    let ours = matches!(read_pid(path), Ok(found) if found == pid);
    if ours && matches!(lock_holder(path), Ok(None)) {
        let _ = fs::remove_file(path);
    }
}

/// Why [`read_pid`] found no PID.
#[derive(Debug)]
pub enum PidError {
    /// There is no PID file, or it is empty (a daemon that could not remove
    /// its PID file at exit empties it).
    Missing,
    /// The file holds something other than a positive process id.
    Malformed,
    /// The file could not be read.
    Io(io::Error),
}

impl fmt::Display for PidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PidError::Missing => f.write_str("the PID file does not exist"),
            PidError::Malformed => f.write_str("the PID file does not hold a process id"),
            PidError::Io(err) => write!(f, "cannot read the PID file: {err}"),
        }
    }
}

impl std::error::Error for PidError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PidError::Io(err) => Some(err),
            _ => None,
        }
    }
}

/// Reads the PID stored in the PID file at `path`.
///
/// The content must be decimal digits, optionally surrounded by whitespace
/// (a trailing newline), naming a process id greater than 0 that fits a
/// `pid_t` (so it can never address a process group).
pub fn read_pid(path: &Path) -> Result<u32, PidError> {
    let file = match open_read_only(path) {
        Ok(file) => file,
        Err(e) if e.kind() == IoErrorKind::NotFound => return Err(PidError::Missing),
        Err(e) => return Err(PidError::Io(e)),
    };
    let content = read_content(&file).map_err(PidError::Io)?;
    parse_pid(&content)
}

/// Whether a live process holds the lock of the PID file at `path`.
///
/// A missing file is not locked. The check takes a shared lock on a new open
/// file description for a moment, so concurrent checks do not disturb each
/// other; a daemon starting at that very moment may see the file as held.
#[cfg(test)]
pub fn is_locked(path: &Path) -> Result<bool> {
    let file = match open_read_only(path) {
        Ok(file) => file,
        Err(e) if e.kind() == IoErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(Error::setup(format!(
                "cannot open PID file {}: {e}",
                path.display()
            )))
        }
    };
    match try_flock(&file, libc::LOCK_SH) {
        // Closing the file releases the probe's lock.
        Ok(()) => Ok(false),
        Err(Errno::EWOULDBLOCK) => Ok(true),
        Err(e) => Err(Error::setup(format!(
            "cannot check the lock of PID file {}: {e}",
            path.display()
        ))),
    }
}

/// The PID of the process holding the lock of the PID file at `path`, if
/// one does; read from the kernel's table of locks (`/proc/locks`), which
/// names the process that took each `flock`.
pub fn lock_holder(path: &Path) -> Result<Option<u32>> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == IoErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::setup(format!(
                "cannot inspect PID file {}: {e}",
                path.display()
            )))
        }
    };
    let locks = fs::read_to_string("/proc/locks")
        .map_err(|e| Error::setup(format!("cannot read /proc/locks: {e}")))?;
    Ok(holder_in(&locks, meta.dev(), meta.ino()))
}

/// The PID of the holder of a `flock` on the file `dev`/`ino` in the text
/// of `/proc/locks`: `1: FLOCK  ADVISORY  WRITE 8311 fe:00:5890136 0 EOF`
/// (device numbers in hex, blocked waiters marked `->`).
fn holder_in(locks: &str, dev: u64, ino: u64) -> Option<u32> {
    let file = format!("{:02x}:{:02x}:{ino}", libc::major(dev), libc::minor(dev));
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [_, "FLOCK", _, _, pid, at, ..] if *at == file => pid.parse().ok(),
            _ => None,
        }
    })
}

/// The PID file of one instance in parallel mode:
/// `/run/app.pid` and serial `0a1b2` give `/run/app.0a1b2.pid`.
pub fn instance_path(pid_file: &Path, serial: &str) -> PathBuf {
    let stem = pid_file.file_stem().unwrap_or_else(|| OsStr::new(""));
    let mut name = stem.to_os_string();
    name.push(".");
    name.push(serial);
    if let Some(extension) = pid_file.extension() {
        name.push(".");
        name.push(extension);
    }
    pid_file.with_file_name(name)
}

/// Every PID file of the daemon whose PID file is `pid_file`, sorted: the
/// plain one (`app.pid`) and the per-instance ones of parallel mode
/// (`app.<serial>.pid`) in the same directory.
///
/// Files of other daemons whose names merely start alike (`apple.pid`,
/// `app.x.y.pid`) are not included. A missing directory gives no files.
pub fn instance_files(pid_file: &Path) -> Result<Vec<PathBuf>> {
    let dir = match pid_file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(stem) = pid_file.file_stem().and_then(OsStr::to_str) else {
        return Err(Error::config(format!(
            "PID file '{}' must end in .pid",
            pid_file.display()
        )));
    };
    let listed = list_dir(dir, EntryKind::NotDir, |name| {
        name.to_str()
            .is_some_and(|name| is_instance_name(name, stem))
    });
    match listed {
        Ok(files) => Ok(files),
        Err(e) if e.kind() == IoErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::setup(format!(
            "cannot list directory {} for PID files: {e}",
            dir.display()
        ))),
    }
}

/// Whether `name` is `<stem>.pid` or `<stem>.<serial>.pid`.
fn is_instance_name(name: &str, stem: &str) -> bool {
    let Some(rest) = name.strip_prefix(stem) else {
        return false;
    };
    let Some(middle) = rest.strip_suffix(".pid") else {
        return false;
    };
    match middle.strip_prefix('.') {
        None => middle.is_empty(),
        Some(serial) => !serial.is_empty() && !serial.contains('.'),
    }
}

fn check_name(path: &Path) -> Result<()> {
    if path.extension() == Some(OsStr::new("pid")) {
        Ok(())
    } else {
        Err(Error::config(format!(
            "PID file '{}' must end in .pid",
            path.display()
        )))
    }
}

/// Opens the PID file for reading and writing, creating it when missing.
/// Returns whether this call created it.
fn open_for_lock(path: &Path) -> Result<(File, bool)> {
    let open = |create: bool| {
        let mut options = OpenOptions::new();
        options
            .read(true)
            .write(true)
            .mode(PID_FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK);
        if create {
            options.create_new(true);
        }
        options.open(path)
    };
    let (file, created) = loop {
        match open(true) {
            Ok(file) => break (file, true),
            Err(e) if e.kind() == IoErrorKind::AlreadyExists => {}
            Err(e) => return Err(open_error(path, e)),
        }
        match open(false) {
            Ok(file) => break (file, false),
            // removed between the two opens: create it again
            Err(e) if e.kind() == IoErrorKind::NotFound => {}
            Err(e) => return Err(open_error(path, e)),
        }
    };
    let meta = file
        .metadata()
        .map_err(|e| Error::setup(format!("cannot inspect PID file {}: {e}", path.display())))?;
    if !meta.file_type().is_file() {
        return Err(Error::setup(format!(
            "PID file {} is not a regular file; remove it or choose another --pid-file",
            path.display()
        )));
    }
    // a file another account prepared could make us write where it wants
    // (a hard link) or lend its PID to the signal actions
    if meta.nlink() > 1 {
        return Err(Error::setup(format!(
            "PID file {} has other hard links; remove it or choose another --pid-file",
            path.display()
        )));
    }
    let ours = nix::unistd::geteuid().as_raw();
    if meta.uid() != 0 && meta.uid() != ours {
        return Err(Error::setup(format!(
            "PID file {} belongs to another account (uid {}); remove it or choose another --pid-file",
            path.display(),
            meta.uid()
        )));
    }
    Ok((file, created))
}

fn open_error(path: &Path, err: io::Error) -> Error {
    if err.raw_os_error() == Some(libc::ELOOP) {
        Error::setup(format!(
            "PID file {} is a symbolic link; remove it or choose another --pid-file",
            path.display()
        ))
    } else {
        Error::setup(format!("cannot open PID file {}: {err}", path.display()))
    }
}

fn open_read_only(path: &Path) -> io::Result<File> {
    // O_NONBLOCK: opening a FIFO planted under the name must not hang.
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path)
}

/// `flock(operation | LOCK_NB)` on the open file description of `file`.
fn try_flock(file: &File, operation: libc::c_int) -> nix::Result<()> {
    // SAFETY: flock only reads the descriptor number, which `file` keeps open.
    Errno::result(unsafe { libc::flock(file.as_raw_fd(), operation | libc::LOCK_NB) }).map(drop)
}

/// Whether `path` still names the file open as `file` (same device and inode).
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Gives the locked file mode 0644. A new file always gets it; an existing
/// file that cannot be changed is refused only if others could write to it.
fn prepare_mode(file: &File, path: &Path, created: bool) -> Result<()> {
    let mode = file
        .metadata()
        .map_err(|e| Error::setup(format!("cannot inspect PID file {}: {e}", path.display())))?
        .mode()
        & 0o7777;
    if !created && mode == PID_FILE_MODE {
        return Ok(());
    }
    match file.set_permissions(Permissions::from_mode(PID_FILE_MODE)) {
        Ok(()) => Ok(()),
        Err(_) if !created && mode & 0o022 == 0 => Ok(()),
        Err(e) => Err(Error::setup(format!(
            "cannot set mode 0644 on PID file {}: {e}",
            path.display()
        ))),
    }
}

fn write_pid(file: &File, pid: u32) -> io::Result<()> {
    file.set_len(0)?;
    file.write_all_at(format!("{pid}\n").as_bytes(), 0)?;
    file.sync_all()
}

/// Reads at most [`MAX_CONTENT`] + 1 bytes from the start of `file`,
/// whatever the offset of its descriptor.
fn read_content(file: &File) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; MAX_CONTENT as usize + 1];
    let mut len = 0;
    while len < buf.len() {
        match file.read_at(&mut buf[len..], len as u64) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == IoErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(len);
    Ok(buf)
}

fn parse_pid(content: &[u8]) -> Result<u32, PidError> {
    if content.len() as u64 > MAX_CONTENT {
        return Err(PidError::Malformed);
    }
    let text = std::str::from_utf8(content).map_err(|_| PidError::Malformed)?;
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Err(PidError::Missing);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PidError::Malformed);
    }
    match text.parse::<u32>() {
        Ok(pid) if pid > 0 && pid <= i32::MAX as u32 => Ok(pid),
        _ => Err(PidError::Malformed),
    }
}

/// The error for a PID file whose lock another process holds.
fn running_error(path: &Path) -> Error {
    let holder = match read_pid(path) {
        Ok(pid) => format!(" with PID {pid}"),
        Err(_) => String::new(),
    };
    Error::setup(format!(
        "another instance is running{holder} (PID file {}); stop it first, or use --parallel",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn our_pid() -> u32 {
        std::process::id()
    }

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().mode() & 0o7777
    }

    #[test]
    fn acquire_locks_and_writes_our_pid_and_refuses_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run/sub/app.pid");
        let err = PidFile::acquire(&path).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "the directory {} of the PID file {} does not exist; create it or choose another --pid-file",
                dir.path().join("run/sub").display(),
                path.display()
            )
        );
        assert!(!dir.path().join("run").exists());
        fs::create_dir_all(dir.path().join("run/sub")).unwrap();
        let pid_file = PidFile::acquire(&path).unwrap();
        assert_eq!(pid_file.path(), path);
        assert_eq!(pid_file.pid(), our_pid());
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", our_pid())
        );
        assert_eq!(mode_of(&path), 0o644);
        assert!(is_locked(&path).unwrap());
        let fd_target = fs::metadata(format!("/proc/self/fd/{}", pid_file.raw_fd())).unwrap();
        assert_eq!(fd_target.ino(), fs::metadata(&path).unwrap().ino());
        drop(pid_file);
        assert!(!path.exists());
    }

    #[test]
    fn name_must_end_in_dot_pid() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["app", "app.pidx", "app.pid.bak", ".pid"] {
            let path = dir.path().join(name);
            let err = PidFile::acquire(&path).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config);
            assert_eq!(
                err.message(),
                format!("PID file '{}' must end in .pid", path.display())
            );
            assert!(!path.exists());
        }
    }

    #[test]
    fn second_acquire_is_refused_and_leaves_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        let first = PidFile::acquire(&path).unwrap();
        let err = PidFile::acquire(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert_eq!(
            err.message(),
            format!(
                "another instance is running with PID {} (PID file {}); stop it first, or use --parallel",
                our_pid(),
                path.display()
            )
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", our_pid())
        );
        assert!(is_locked(&path).unwrap());
        first.release();
        assert!(!path.exists());
        let again = PidFile::acquire(&path).unwrap();
        assert!(is_locked(&again.path).unwrap());
    }

    #[test]
    fn refusal_without_a_readable_pid_names_only_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        let _first = PidFile::acquire(&path).unwrap();
        fs::write(&path, "").unwrap();
        let err = PidFile::acquire(&path).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "another instance is running (PID file {}); stop it first, or use --parallel",
                path.display()
            )
        );
        assert_eq!(fs::read(&path).unwrap(), b"");
    }

    #[test]
    fn stale_file_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        fs::write(&path, "999999\n").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o666)).unwrap();
        let inode = fs::metadata(&path).unwrap().ino();
        assert!(!is_locked(&path).unwrap());
        let pid_file = PidFile::acquire(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", our_pid())
        );
        assert_eq!(
            fs::metadata(&path).unwrap().ino(),
            inode,
            "not truncated in place"
        );
        assert_eq!(mode_of(&path), 0o644);
        drop(pid_file);
        assert!(!path.exists());
    }

    #[test]
    fn garbage_file_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        fs::write(&path, b"\0garbage that is much longer than any pid\n\n\n").unwrap();
        assert!(matches!(read_pid(&path), Err(PidError::Malformed)));
        let _pid_file = PidFile::acquire(&path).unwrap();
        assert_eq!(read_pid(&path).unwrap(), our_pid());
    }

    #[test]
    fn symbolic_link_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious");
        fs::write(&target, "keep me").unwrap();
        let path = dir.path().join("app.pid");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let err = PidFile::acquire(&path).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "PID file {} is a symbolic link; remove it or choose another --pid-file",
                path.display()
            )
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    }

    #[test]
    fn directory_in_the_way_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        fs::create_dir(&path).unwrap();
        let err = PidFile::acquire(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert!(err.message().contains(&path.display().to_string()), "{err}");
    }

    #[test]
    fn release_leaves_a_file_rewritten_with_another_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        let pid_file = PidFile::acquire(&path).unwrap();
        fs::write(&path, "4242\n").unwrap();
        pid_file.release();
        assert_eq!(fs::read_to_string(&path).unwrap(), "4242\n");
    }

    #[test]
    fn release_leaves_a_file_replaced_by_another() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        let pid_file = PidFile::acquire(&path).unwrap();
        let other = dir.path().join("other");
        // same content as ours, but a different file
        fs::write(&other, format!("{}\n", our_pid())).unwrap();
        fs::rename(&other, &path).unwrap();
        drop(pid_file);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", our_pid())
        );
    }

    #[test]
    fn forked_copy_leaves_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        let mut pid_file = PidFile::acquire(&path).unwrap();
        // as seen from a forked child, whose PID differs
        pid_file.pid = our_pid() + 1;
        drop(pid_file);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", our_pid())
        );
    }

    #[test]
    fn the_lock_holder_is_found_in_the_kernels_table() {
        let locks = "1: FLOCK  ADVISORY  WRITE 8311 fe:00:5890136 0 EOF\n\
                     1: -> FLOCK  ADVISORY  WRITE 9000 fe:00:5890136 0 EOF\n\
                     2: POSIX  ADVISORY  WRITE 77 08:01:42 0 EOF\n\
                     3: FLOCK  ADVISORY  READ 12 08:01:42 0 EOF\n";
        let dev = libc::makedev(0xfe, 0);
        assert_eq!(holder_in(locks, dev, 5890136), Some(8311));
        assert_eq!(holder_in(locks, libc::makedev(8, 1), 42), Some(12));
        assert_eq!(holder_in(locks, dev, 1), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        assert_eq!(lock_holder(&path).unwrap(), None);
        let pid_file = PidFile::acquire(&path).unwrap();
        assert_eq!(lock_holder(&path).unwrap(), Some(our_pid()));
        drop(pid_file);
        assert_eq!(lock_holder(&path).unwrap(), None);
    }

    #[test]
    fn hard_links_and_foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, "").unwrap();
        let path = dir.path().join("app.pid");
        fs::hard_link(&target, &path).unwrap();
        let err = PidFile::acquire(&path).unwrap_err();
        assert!(err.message().contains("has other hard links"), "{err}");
        assert_eq!(fs::read(&target).unwrap(), b"");
        if nix::unistd::geteuid().is_root() {
            let other = dir.path().join("other.pid");
            fs::write(&other, "").unwrap();
            std::os::unix::fs::chown(&other, Some(65534), Some(65534)).unwrap();
            let err = PidFile::acquire(&other).unwrap_err();
            assert!(
                err.message()
                    .contains("belongs to another account (uid 65534)"),
                "{err}"
            );
        }
    }

    #[test]
    fn file_that_cannot_be_removed_is_left_unlocked() {
        if nix::unistd::geteuid().is_root() {
            // root removes files from any directory: run this test again as
            // an unprivileged account, the situation of a daemon that
            // dropped its privileges
            rerun_as_nobody("file_that_cannot_be_removed_is_left_unlocked");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        fs::create_dir(&run).unwrap();
        let path = run.join("app.pid");
        let pid_file = PidFile::acquire(&path).unwrap();
        fs::set_permissions(&run, Permissions::from_mode(0o555)).unwrap();
        drop(pid_file);
        fs::set_permissions(&run, Permissions::from_mode(0o755)).unwrap();
        // left as it was, but nobody holds it any more
        assert_eq!(read_pid(&path).unwrap(), our_pid());
        assert!(!is_locked(&path).unwrap());
        // so the next instance takes it over
        let _next = PidFile::acquire(&path).unwrap();
        assert_eq!(read_pid(&path).unwrap(), our_pid());
    }

    /// Runs test `name` of this module in a new process of this test binary
    /// as user and group 65534 (nobody) and checks that it passed.
    fn rerun_as_nobody(name: &str) {
        use std::os::unix::process::CommandExt;
        let module = module_path!().split_once("::").unwrap().1;
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &format!("{module}::{name}"), "--test-threads=1"])
            .env("TMPDIR", std::env::temp_dir())
            .current_dir("/")
            .uid(65534)
            .gid(65534)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "unprivileged run failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    #[test]
    fn the_lock_is_held_through_a_read_only_descriptor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        let pid_file = PidFile::acquire(&path).unwrap();
        let flags = nix::fcntl::fcntl(
            pid_file.file.as_ref().unwrap(),
            nix::fcntl::FcntlArg::F_GETFL,
        )
        .unwrap();
        assert_eq!(flags & libc::O_ACCMODE, libc::O_RDONLY);
        assert!(is_locked(&path).unwrap());
        // no other descriptor of the file stays open
        let open: Vec<_> = fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| fs::read_link(e.unwrap().path()).ok())
            .filter(|target| target == &path)
            .collect();
        assert_eq!(open.len(), 1, "{open:?}");
    }

    #[test]
    fn read_pid_accepts_only_a_positive_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        assert!(matches!(read_pid(&path), Err(PidError::Missing)));
        for (content, expected) in [
            ("123\n", Some(123)),
            ("123", Some(123)),
            ("  42 \r\n", Some(42)),
            ("2147483647\n", Some(2147483647)),
        ] {
            fs::write(&path, content).unwrap();
            assert_eq!(read_pid(&path).unwrap(), expected.unwrap(), "{content:?}");
        }
        for content in ["", "\n", "  \n"] {
            fs::write(&path, content).unwrap();
            assert!(
                matches!(read_pid(&path), Err(PidError::Missing)),
                "{content:?}"
            );
        }
        let long = format!("{}1\n", "0".repeat(80));
        for content in [
            "0\n",
            "-1\n",
            "+5\n",
            "12a\n",
            "1 2\n",
            "1\n2\n",
            "2147483648\n",
            "4294967296\n",
            "0x10\n",
            long.as_str(),
        ] {
            fs::write(&path, content).unwrap();
            assert!(
                matches!(read_pid(&path), Err(PidError::Malformed)),
                "{content:?}"
            );
        }
        fs::write(&path, [0xff, 0xfe, b'1']).unwrap();
        assert!(matches!(read_pid(&path), Err(PidError::Malformed)));
        let sub = dir.path().join("dir.pid");
        fs::create_dir(&sub).unwrap();
        assert!(matches!(read_pid(&sub), Err(PidError::Io(_))));
    }

    #[test]
    fn is_locked_only_while_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pid");
        assert!(!is_locked(&path).unwrap());
        fs::write(&path, format!("{}\n", our_pid())).unwrap();
        assert!(!is_locked(&path).unwrap());
        let pid_file = PidFile::acquire(&path).unwrap();
        assert!(is_locked(&path).unwrap());
        assert!(
            is_locked(&path).unwrap(),
            "a check must not take the lock away"
        );
        drop(pid_file);
        assert!(!is_locked(&path).unwrap());
    }

    #[test]
    fn instance_path_puts_the_serial_before_the_extension() {
        assert_eq!(
            instance_path(Path::new("/run/app.pid"), "0a1b2"),
            PathBuf::from("/run/app.0a1b2.pid")
        );
        assert_eq!(
            instance_path(Path::new("app.pid"), "00001"),
            PathBuf::from("app.00001.pid")
        );
    }

    #[test]
    fn instance_files_lists_plain_and_per_instance_files() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("app.pid");
        assert!(instance_files(&pid_file).unwrap().is_empty());
        for name in [
            "app.pid",
            "app.0a1b2.pid",
            "app.00001.pid",
            "apple.pid",
            "app.x.y.pid",
            "app..pid",
            "app.state",
            "app.0a1b2.state",
            "other.pid",
        ] {
            fs::write(dir.path().join(name), "1\n").unwrap();
        }
        fs::create_dir(dir.path().join("app.dir.pid")).unwrap();
        assert_eq!(
            instance_files(&pid_file).unwrap(),
            vec![
                dir.path().join("app.00001.pid"),
                dir.path().join("app.0a1b2.pid"),
                dir.path().join("app.pid"),
            ]
        );
        let serial = instance_path(&pid_file, "0c0c0");
        fs::write(&serial, "1\n").unwrap();
        assert!(instance_files(&pid_file).unwrap().contains(&serial));
        assert!(instance_files(&dir.path().join("missing/app.pid"))
            .unwrap()
            .is_empty());
    }
}
