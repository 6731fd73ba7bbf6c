//! Turning the started process into a daemon: close inherited
//! descriptors, chroot, chdir, umask, double fork with a new session, stdio
//! on `/dev/null`, and a readiness pipe so the started process exits only
//! when the daemon is up (0) or failed (non-zero, its message on stderr).

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::sync::Mutex;

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use nix::unistd::{self, ForkResult};

use crate::{Error, Result};

/// The write end of the readiness pipe in the daemon, until it reported.
static READINESS: Mutex<Option<File>> = Mutex::new(None);

/// Applies the parts every daemon gets, in the foreground too: chroot (then
/// chdir to `/` inside it), chdir to `work_dir`, umask.
pub fn enter(chroot_dir: Option<&Path>, work_dir: &Path, umask: u32) -> Result<()> {
    if let Some(dir) = chroot_dir {
        unistd::chroot(dir).map_err(|e| {
            Error::setup(format!(
                "cannot chroot to {}: {e}; check --chroot-dir",
                dir.display()
            ))
        })?;
        unistd::chdir("/")
            .map_err(|e| Error::setup(format!("cannot chdir to / in the chroot: {e}")))?;
    }
    unistd::chdir(work_dir).map_err(|e| {
        Error::setup(format!(
            "cannot chdir to {}: {e}; check --work-dir",
            work_dir.display()
        ))
    })?;
    nix::sys::stat::umask(Mode::from_bits_truncate(umask));
    Ok(())
}

/// Closes every descriptor above 2 but `keep`.
pub(crate) fn close_inherited(keep: &[RawFd]) {
    let fds: Vec<RawFd> = match std::fs::read_dir("/proc/self/fd") {
        Ok(entries) => entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect(),
        Err(_) => (3..1024).collect(),
    };
    for fd in fds {
        if fd > 2 && !keep.contains(&fd) {
            let _ = unistd::close(fd);
        }
    }
}

/// Detaches from the terminal: closes inherited descriptors, forks (the
/// started process stays to wait for readiness), starts a new session, forks
/// again and puts stdin, stdout and stderr on `/dev/null`. Returns in the
/// daemon only; the started process exits with the daemon's verdict.
///
/// Must run before any thread exists. Every inherited descriptor above 2 is
/// closed, including any the application opened before (in `Default` or
/// `bind`): open files in `#[setup]` or later.
pub fn detach() -> Result<()> {
    let (read, write) = unistd::pipe2(OFlag::O_CLOEXEC)
        .map_err(|e| Error::setup(format!("cannot create the readiness pipe: {e}")))?;
    close_inherited(&[read.as_raw_fd(), write.as_raw_fd()]);
    // SAFETY: no thread exists yet (the caller's contract).
    match unsafe { unistd::fork() }.map_err(|e| Error::setup(format!("cannot fork: {e}")))? {
        ForkResult::Parent { .. } => {
            drop(write);
            std::process::exit(await_readiness(read));
        }
        ForkResult::Child => drop(read),
    }
    unistd::setsid().map_err(|e| Error::setup(format!("cannot start a new session: {e}")))?;
    // SAFETY: still single-threaded.
    match unsafe { unistd::fork() }.map_err(|e| Error::setup(format!("cannot fork: {e}")))? {
        // the session leader leaves so the daemon can never regain a terminal
        ForkResult::Parent { .. } => unsafe { nix::libc::_exit(0) },
        ForkResult::Child => {}
    }
    redirect_stdio()?;
    *READINESS.lock().unwrap_or_else(|p| p.into_inner()) = Some(File::from(write));
    Ok(())
}

fn redirect_stdio() -> Result<()> {
    let null = nix::fcntl::open("/dev/null", OFlag::O_RDWR, Mode::empty())
        .map_err(|e| Error::setup(format!("cannot open /dev/null: {e}")))?;
    for fd in 0..3 {
        // SAFETY: dup2 onto the standard descriptors, which we own.
        if unsafe { nix::libc::dup2(null.as_raw_fd(), fd) } < 0 {
            return Err(Error::setup(format!(
                "cannot redirect descriptor {fd} to /dev/null: {}",
                std::io::Error::last_os_error()
            )));
        }
    }
    Ok(())
}

/// In the started process: waits for the daemon's verdict and returns the
/// exit code, printing the daemon's error on stderr.
fn await_readiness(read: OwnedFd) -> i32 {
    let mut text = String::new();
    let _ = File::from(read).read_to_string(&mut text);
    let text = text.trim_end();
    if text == "READY" {
        return 0;
    }
    let (code, message) = match text.strip_prefix("FAIL ").and_then(|t| t.split_once(' ')) {
        Some((code, message)) => (code.parse().unwrap_or(1), message.to_string()),
        None => (
            1,
            "the daemon exited during start-up; see its log file".to_string(),
        ),
    };
    eprintln!("{} CRITICAL ERROR: {message}", crate::context::timestamp());
    code
}

/// Tells the started process that the daemon is up; it exits 0.
pub fn report_ready() {
    report("READY");
}

/// Tells the started process that start-up failed; it prints `message` and
/// exits with `code`.
pub fn report_failure(message: &str, code: u8) {
    report(&format!("FAIL {code} {}", message.replace('\n', " ")));
}

fn report(text: &str) {
    if let Some(mut pipe) = READINESS.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let _ = writeln!(pipe, "{text}");
    }
}

/// Whether a started process still waits for this daemon's verdict.
pub fn awaiting_report() -> bool {
    READINESS.lock().map(|r| r.is_some()).unwrap_or(false)
}
