//! Signals as events: the handlers installed here only count the signal and
//! write a byte to a self-pipe; the event loop turns the counts into events
//! and sleeps in `ppoll` on the pipe, so a signal wakes it at once.
//!
//! The same path tells a busy loop that a timed event fell due: an
//! [`Alarm`] is a POSIX timer that raises a real-time signal at the next
//! deadline, so the loop needs no clock reading per event to run a due
//! timer before the next immediate event.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;
use nix::libc;
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};

use crate::{Error, Result};

/// Highest signal number counted (Linux has 64).
const MAX_SIGNAL: usize = 65;

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU32 = AtomicU32::new(0);
/// How often each signal arrived since the loop last looked.
static PENDING: [AtomicU32; MAX_SIGNAL] = [ZERO; MAX_SIGNAL];
/// Whether any signal arrived since the loop last looked.
static ANY: AtomicBool = AtomicBool::new(false);
/// The write end of the self-pipe, -1 when none.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

/// Makes [`Signals::pending`] true and wakes a sleeping loop, from any
/// thread (a [`Sender`](super::Sender) calls it).
pub(crate) fn wake() {
    // one byte per wake-up is enough: while the flag is set, the loop has
    // yet to take what was sent (it clears the flag before it drains the
    // pipe and takes the deliveries), and the byte of whoever set it waits
    if ANY.swap(true, Ordering::SeqCst) {
        return;
    }
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: a one-byte write from a live buffer; a full pipe (EAGAIN)
        // is fine, the flag is set.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
}

extern "C" fn record(signal: libc::c_int) {
    // SAFETY: only async-signal-safe work: atomics, write(2), errno.
    unsafe {
        let errno = *libc::__errno_location();
        if let Some(count) = PENDING.get(signal as usize) {
            count.fetch_add(1, Ordering::SeqCst);
        }
        ANY.store(true, Ordering::SeqCst);
        let fd = WAKE_FD.load(Ordering::SeqCst);
        if fd >= 0 {
            let byte = 1u8;
            libc::write(fd, (&byte as *const u8).cast(), 1);
        }
        *libc::__errno_location() = errno;
    }
}

/// The caught signals of a running daemon and the pipe that wakes its loop.
#[derive(Debug)]
pub struct Signals {
    read: OwnedFd,
    _write: OwnedFd,
    caught: Vec<Signal>,
}

/// Undoes what the parent process left: a blocked signal would stay
/// pending forever (`start-stop-daemon --stop`, reloads and runlog saves
/// would do nothing), an ignored one would never arrive. Every signal is
/// unblocked and every disposition set to its default, except SIGPIPE,
/// which stays ignored as the Rust runtime sets it so that a write to a
/// closed pipe or socket is an error instead of the end of the daemon.
fn reset_inherited() {
    let _ = signal::sigprocmask(
        signal::SigmaskHow::SIG_SETMASK,
        Some(&SigSet::empty()),
        None,
    );
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for sig in Signal::iterator() {
        if matches!(sig, Signal::SIGKILL | Signal::SIGSTOP | Signal::SIGPIPE) {
            continue;
        }
        // SAFETY: the default disposition runs no code of ours.
        let _ = unsafe { signal::sigaction(sig, &default) };
    }
}

impl Signals {
    /// Catches `signals` (previous counts are forgotten).
    pub fn install(signals: &[Signal]) -> Result<Signals> {
        reset_inherited();
        let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)
            .map_err(|e| Error::setup(format!("cannot create the signal pipe: {e}")))?;
        WAKE_FD.store(write.as_raw_fd(), Ordering::SeqCst);
        for count in &PENDING {
            count.store(0, Ordering::SeqCst);
        }
        ANY.store(false, Ordering::SeqCst);
        let action = SigAction::new(
            SigHandler::Handler(record),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        for &sig in signals {
            // SAFETY: `record` is async-signal-safe.
            unsafe { signal::sigaction(sig, &action) }
                .map_err(|e| Error::setup(format!("cannot catch {sig}: {e}")))?;
        }
        // SAFETY: as above; the signal number is the alarm's real-time one.
        let mut raw: libc::sigaction = unsafe { std::mem::zeroed() };
        raw.sa_sigaction = record as *const () as usize;
        raw.sa_flags = libc::SA_RESTART;
        if unsafe { libc::sigaction(alarm_signal(), &raw, std::ptr::null_mut()) } != 0 {
            return Err(Error::setup(format!(
                "cannot catch the timer signal: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(Signals {
            read,
            _write: write,
            caught: signals.to_vec(),
        })
    }

    /// Whether a signal arrived since the last [`Signals::take`]; cheap
    /// enough to ask before every event.
    pub fn pending(&self) -> bool {
        ANY.load(Ordering::Relaxed)
    }

    /// [`Signals::pending`], ordered with the senders' `wake`: asked before
    /// the loop sleeps, as the byte of a wake-up may have been drained with
    /// an earlier one's.
    pub(crate) fn pending_before_sleep(&self) -> bool {
        ANY.load(Ordering::SeqCst)
    }

    /// The signals that arrived since the last call, with how often each
    /// did, in signal-number order.
    pub fn take(&self) -> Vec<(Signal, u32)> {
        ANY.store(false, Ordering::SeqCst);
        self.drain();
        self.caught
            .iter()
            .filter_map(|&sig| {
                let count = PENDING[sig as usize].swap(0, Ordering::SeqCst);
                (count > 0).then_some((sig, count))
            })
            .collect()
    }

    /// The descriptor that becomes readable when a signal arrives or
    /// another thread wakes the loop.
    pub(crate) fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// Sleeps until a signal arrives or `timeout` (none: forever) passes.
    #[cfg(test)]
    fn wait(&self, timeout: Option<Duration>) {
        if self.pending() {
            return;
        }
        use nix::poll::{PollFd, PollFlags};
        let spec = timeout.map(nix::sys::time::TimeSpec::from_duration);
        let mut fds = [PollFd::new(self.read.as_fd(), PollFlags::POLLIN)];
        // EINTR means a signal came: the caller looks at the counts next.
        let _ = nix::poll::ppoll(&mut fds, spec, None);
    }

    fn drain(&self) {
        let mut buf = [0u8; 64];
        while matches!(nix::unistd::read(&self.read, &mut buf), Ok(n) if n > 0) {}
    }
}

/// The real-time signal of [`Alarm`]s.
fn alarm_signal() -> libc::c_int {
    libc::SIGRTMIN() + 1
}

/// A one-shot timer that makes [`Signals::pending`] true at a deadline.
#[derive(Debug)]
pub struct Alarm {
    timer: libc::timer_t,
    armed: Option<Instant>,
}

impl Alarm {
    /// A disarmed alarm on the monotonic clock (the clock of [`Instant`]).
    pub fn new() -> Result<Alarm> {
        // SAFETY: a zeroed sigevent is valid; the fields that matter are set.
        let mut event: libc::sigevent = unsafe { std::mem::zeroed() };
        event.sigev_notify = libc::SIGEV_SIGNAL;
        event.sigev_signo = alarm_signal();
        let mut timer: libc::timer_t = std::ptr::null_mut();
        // SAFETY: both pointers point at live values of the right types.
        if unsafe { libc::timer_create(libc::CLOCK_MONOTONIC, &mut event, &mut timer) } != 0 {
            return Err(Error::setup(format!(
                "cannot create the event loop's timer: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(Alarm { timer, armed: None })
    }

    /// Rings at `deadline` (at once when it has passed); nothing to do when
    /// it is armed for that deadline already, so it is cheap to call before
    /// every event.
    #[inline]
    pub fn arm(&mut self, deadline: Instant) {
        if self.armed == Some(deadline) {
            return;
        }
        // a zero time would disarm the timer
        let wait = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_nanos(1));
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: wait.as_secs() as libc::time_t,
                tv_nsec: wait.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: the timer lives as long as `self`; spec is a valid value.
        if unsafe { libc::timer_settime(self.timer, 0, &spec, std::ptr::null_mut()) } == 0 {
            self.armed = Some(deadline);
        }
    }

    /// Stops the alarm if it has not rung yet: a loop about to sleep until
    /// its next deadline needs no signal to wake it up once more.
    pub fn disarm(&mut self) {
        let Some(deadline) = self.armed.take() else {
            return;
        };
        if deadline <= Instant::now() {
            return;
        }
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let spec = libc::itimerspec {
            it_interval: zero,
            it_value: zero,
        };
        // SAFETY: the timer lives as long as `self`; a zero time disarms it.
        unsafe { libc::timer_settime(self.timer, 0, &spec, std::ptr::null_mut()) };
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        // SAFETY: the timer was created by `new` and is deleted once.
        unsafe { libc::timer_delete(self.timer) };
    }
}

impl Drop for Signals {
    /// Stops waking the loop but keeps recording: a late SIGINT or SIGTERM
    /// during teardown must not kill the process before it saved its state.
    fn drop(&mut self) {
        WAKE_FD.store(-1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// The counts are process-wide: one test at a time.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn an_alarm_rings_at_its_deadline() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let signals = Signals::install(&[]).unwrap();
        let mut alarm = Alarm::new().unwrap();
        let start = Instant::now();
        alarm.arm(start + Duration::from_millis(30));
        assert!(!signals.pending());
        signals.wait(Some(Duration::from_secs(10)));
        assert!(signals.pending());
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert!(
            signals.take().is_empty(),
            "the alarm is not a caught signal"
        );
        // a deadline that has passed rings at once
        alarm.arm(start);
        signals.wait(Some(Duration::from_secs(10)));
        assert!(signals.pending());
        signals.take();
    }

    #[test]
    fn a_disarmed_alarm_does_not_ring_and_can_be_armed_again() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let signals = Signals::install(&[]).unwrap();
        let mut alarm = Alarm::new().unwrap();
        let start = Instant::now();
        alarm.arm(start + Duration::from_millis(30));
        alarm.disarm();
        signals.wait(Some(Duration::from_millis(100)));
        assert!(!signals.pending(), "a disarmed alarm rang");
        // the same deadline again is armed anew, not taken as armed already
        alarm.arm(start + Duration::from_millis(30));
        signals.wait(Some(Duration::from_secs(10)));
        assert!(signals.pending());
        signals.take();
        // disarming one that rang, or one never armed, does nothing
        alarm.disarm();
        Alarm::new().unwrap().disarm();
    }

    #[test]
    fn a_signal_is_counted_and_wakes_the_sleeper() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let signals = Signals::install(&[Signal::SIGUSR2]).unwrap();
        assert!(!signals.pending());
        let start = Instant::now();
        signals.wait(Some(Duration::from_millis(20)));
        assert!(start.elapsed() >= Duration::from_millis(20));
        signal::raise(Signal::SIGUSR2).unwrap();
        signal::raise(Signal::SIGUSR2).unwrap();
        assert!(signals.pending());
        let start = Instant::now();
        signals.wait(Some(Duration::from_secs(10)));
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(signals.take(), vec![(Signal::SIGUSR2, 2)]);
        assert!(!signals.pending());
        assert!(signals.take().is_empty());
    }
}
