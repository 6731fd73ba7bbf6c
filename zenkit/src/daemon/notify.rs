//! systemd service notifications (`sd_notify` protocol) without libsystemd.
//!
//! Under a `Type=notify` unit systemd sets `NOTIFY_SOCKET` to a datagram
//! socket, a filesystem path or an abstract name written `@name`. The daemon
//! sends newline-separated `KEY=value` assignments to it, one datagram per
//! message: `READY=1` after setup, `RELOADING=1` and `READY=1` around a
//! reload, `STOPPING=1` when stopping and `WATCHDOG=1` at half the interval
//! of `WATCHDOG_USEC`. Without `NOTIFY_SOCKET` every call does nothing.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::PathBuf;
use std::time::Duration;

use nix::time::{clock_gettime, ClockId};

/// Where notifications go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A socket in the filesystem.
    Path(PathBuf),
    /// A Linux abstract socket (`@name` in `NOTIFY_SOCKET`), without the `@`.
    Abstract(Vec<u8>),
}

/// Sends service notifications to systemd, or nothing when not run under it.
///
/// Every message goes out as one datagram from a fresh unbound socket, so a
/// notifier stays valid across `fork` and the closing of inherited
/// descriptors. Failures are logged at debug level and otherwise ignored: a
/// daemon must not stop because its supervisor went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifier {
    target: Option<Target>,
}

impl Notifier {
    /// A notifier for the socket named by `NOTIFY_SOCKET`; disabled when the
    /// variable is unset or empty.
    pub fn from_env() -> Notifier {
        Self::from_socket_var(std::env::var_os("NOTIFY_SOCKET").as_deref())
    }

    /// A notifier sending to the datagram socket at `path`.
    #[cfg(test)]
    pub fn to_path(path: impl Into<PathBuf>) -> Notifier {
        Notifier {
            target: Some(Target::Path(path.into())),
        }
    }

    /// A notifier that sends nothing.
    #[cfg(test)]
    pub fn disabled() -> Notifier {
        Notifier { target: None }
    }

    /// Interprets a `NOTIFY_SOCKET` value: `@name` is an abstract socket,
    /// anything else a path.
    fn from_socket_var(value: Option<&OsStr>) -> Notifier {
        let target = match value.map(OsStr::as_bytes) {
            None | Some([]) => None,
            Some([b'@', name @ ..]) => Some(Target::Abstract(name.to_vec())),
            Some(_) => value.map(|v| Target::Path(PathBuf::from(v))),
        };
        Notifier { target }
    }

    /// Whether notifications are sent at all.
    pub fn is_enabled(&self) -> bool {
        self.target.is_some()
    }

    /// Reports that start-up finished: `READY=1`.
    pub fn ready(&self) {
        self.send("READY=1");
    }

    /// Reports that the configuration is being reloaded:
    /// `RELOADING=1` with `MONOTONIC_USEC` (the monotonic clock in
    /// microseconds, as systemd requires). Send [`ready`](Self::ready) when
    /// the reload is over.
    pub fn reloading(&self) {
        if self.is_enabled() {
            self.send(&format!("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec()));
        }
    }

    /// Reports that the daemon is stopping: `STOPPING=1`.
    pub fn stopping(&self) {
        self.send("STOPPING=1");
    }

    /// Pings the watchdog: `WATCHDOG=1`.
    pub fn watchdog(&self) {
        self.send("WATCHDOG=1");
    }

    /// Sets the one-line status systemd shows for the service:
    /// `STATUS=<text>` (line breaks become spaces).
    #[allow(dead_code)] // Not yet called by the runtime.
    pub fn status(&self, text: &str) {
        if self.is_enabled() {
            self.send(&format!("STATUS={}", text.replace(['\n', '\r'], " ")));
        }
    }

    /// Sends `message` (newline-separated `KEY=value` assignments) as one
    /// datagram; does nothing when disabled.
    pub fn send(&self, message: &str) {
        let Some(target) = &self.target else {
            return;
        };
        if let Err(err) = send_to(target, message.as_bytes()) {
            tracing::debug!(
                "cannot send {:?} to the service manager at {}: {err}",
                message,
                describe(target)
            );
        }
    }
}

fn send_to(target: &Target, data: &[u8]) -> std::io::Result<()> {
    let socket = UnixDatagram::unbound()?;
    let sent = match target {
        Target::Path(path) => socket.send_to(data, path)?,
        Target::Abstract(name) => socket.send_to_addr(data, &abstract_addr(name)?)?,
    };
    if sent != data.len() {
        return Err(std::io::Error::other(format!(
            "only {sent} of {} bytes sent",
            data.len()
        )));
    }
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn abstract_addr(name: &[u8]) -> std::io::Result<SocketAddr> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    SocketAddr::from_abstract_name(name)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn abstract_addr(_name: &[u8]) -> std::io::Result<SocketAddr> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "abstract sockets exist only on Linux",
    ))
}

fn describe(target: &Target) -> String {
    match target {
        Target::Path(path) => path.display().to_string(),
        Target::Abstract(name) => format!("@{}", String::from_utf8_lossy(name)),
    }
}

/// `CLOCK_MONOTONIC` now, in microseconds.
fn monotonic_usec() -> u64 {
    match clock_gettime(ClockId::CLOCK_MONOTONIC) {
        Ok(now) => (now.tv_sec() as u64) * 1_000_000 + (now.tv_nsec() as u64) / 1_000,
        Err(_) => 0,
    }
}

/// How often to ping the watchdog: half of `WATCHDOG_USEC` when it is set
/// and positive and `WATCHDOG_PID`, when set, names this process; `None`
/// otherwise.
pub fn watchdog_interval() -> Option<Duration> {
    let usec = std::env::var_os("WATCHDOG_USEC");
    let pid = std::env::var_os("WATCHDOG_PID");
    watchdog_interval_from(
        usec.as_deref().and_then(OsStr::to_str),
        pid.as_deref().map(|p| p.to_str().unwrap_or("")),
        std::process::id(),
    )
}

/// [`watchdog_interval`] for given values of `WATCHDOG_USEC` and
/// `WATCHDOG_PID` and our PID: half of `usec` when it is a positive integer
/// and `pid` is unset or equals `our_pid`.
pub fn watchdog_interval_from(
    usec: Option<&str>,
    pid: Option<&str>,
    our_pid: u32,
) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|&u| u > 0)?;
    if let Some(pid) = pid {
        if pid.trim().parse::<u32>().ok()? != our_pid {
            return None;
        }
    }
    Some(Duration::from_micros(usec) / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn listener(dir: &Path) -> (UnixDatagram, PathBuf) {
        let path = dir.join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        (socket, path)
    }

    fn receive(socket: &UnixDatagram) -> String {
        let mut buf = [0u8; 4096];
        let n = socket.recv(&mut buf).expect("a datagram");
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    fn nothing_pending(socket: &UnixDatagram) -> bool {
        socket.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 16];
        let empty =
            matches!(socket.recv(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
        socket.set_nonblocking(false).unwrap();
        empty
    }

    #[test]
    fn messages_arrive_as_single_datagrams() {
        let dir = tempfile::tempdir().unwrap();
        let (socket, path) = listener(dir.path());
        let notifier = Notifier::to_path(&path);
        assert!(notifier.is_enabled());
        notifier.ready();
        assert_eq!(receive(&socket), "READY=1");
        notifier.stopping();
        assert_eq!(receive(&socket), "STOPPING=1");
        notifier.watchdog();
        assert_eq!(receive(&socket), "WATCHDOG=1");
        notifier.status("Processing\n42 events");
        assert_eq!(receive(&socket), "STATUS=Processing 42 events");
        notifier.send("EXTEND_TIMEOUT_USEC=5000000");
        assert_eq!(receive(&socket), "EXTEND_TIMEOUT_USEC=5000000");
        assert!(nothing_pending(&socket));
    }

    #[test]
    fn reloading_carries_the_monotonic_clock() {
        let dir = tempfile::tempdir().unwrap();
        let (socket, path) = listener(dir.path());
        let notifier = Notifier::from_socket_var(Some(path.as_os_str()));
        let before = monotonic_usec();
        notifier.reloading();
        let after = monotonic_usec();
        let message = receive(&socket);
        let usec = message
            .strip_prefix("RELOADING=1\nMONOTONIC_USEC=")
            .unwrap_or_else(|| panic!("unexpected message {message:?}"));
        let usec: u64 = usec.parse().unwrap();
        assert!(before > 0);
        assert!(
            before <= usec && usec <= after,
            "{before} <= {usec} <= {after}"
        );
    }

    #[test]
    fn abstract_socket_names_start_with_at() {
        static SERIAL: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "zenkit-notify-test-{}-{}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        );
        let socket = UnixDatagram::bind_addr(&abstract_addr(name.as_bytes()).unwrap()).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let notifier = Notifier::from_socket_var(Some(OsStr::new(&format!("@{name}"))));
        assert_eq!(
            notifier.target,
            Some(Target::Abstract(name.clone().into_bytes()))
        );
        notifier.ready();
        assert_eq!(receive(&socket), "READY=1");
    }

    #[test]
    fn unset_or_empty_socket_disables() {
        for notifier in [
            Notifier::from_socket_var(None),
            Notifier::from_socket_var(Some(OsStr::new(""))),
            Notifier::disabled(),
        ] {
            assert!(!notifier.is_enabled());
            notifier.ready();
            notifier.reloading();
            notifier.status("x");
        }
        assert_eq!(
            Notifier::from_socket_var(Some(OsStr::new("/run/systemd/notify"))).target,
            Some(Target::Path(PathBuf::from("/run/systemd/notify")))
        );
    }

    #[test]
    fn send_failures_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let notifier = Notifier::to_path(dir.path().join("nobody-listens"));
        assert!(notifier.is_enabled());
        notifier.ready();
        notifier.reloading();
        notifier.stopping();
    }

    #[test]
    fn watchdog_interval_is_half_of_watchdog_usec() {
        let half = |usec, pid| watchdog_interval_from(usec, pid, 1234);
        assert_eq!(half(Some("10000000"), None), Some(Duration::from_secs(5)));
        assert_eq!(half(Some("3"), None), Some(Duration::from_nanos(1500)));
        assert_eq!(
            half(Some("2000000"), Some("1234")),
            Some(Duration::from_secs(1))
        );
        assert_eq!(half(Some("2000000"), Some("4321")), None);
        assert_eq!(half(Some("2000000"), Some("")), None);
        assert_eq!(half(Some("2000000"), Some("x")), None);
        assert_eq!(half(Some("0"), None), None);
        assert_eq!(half(Some("-5"), None), None);
        assert_eq!(half(Some("soon"), None), None);
        assert_eq!(half(Some(""), None), None);
        assert_eq!(half(None, Some("1234")), None);
    }
}
