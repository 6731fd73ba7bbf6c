//! What a run takes from the process it runs in: the environment variables
//! zenkit reads (`APP_ROOT_PATH`, `RUST_LOG`, the variables of `#[zen(env)]`
//! keys, `JOURNAL_STREAM`) and the standard output and error streams its
//! console lines go to.
//!
//! A program's run takes the process's own. An in-process run of the
//! testing kit takes variables and output buffers of its own, so that runs
//! on parallel threads of one test program neither see nor disturb each
//! other, and the process's environment and descriptors stay untouched.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};

/// Where a run reads its environment variables and writes its output.
#[derive(Debug, Clone, Default)]
pub(crate) struct Host {
    /// `None`: the process's environment and streams.
    own: Option<Arc<Own>>,
}

/// The variables and the output buffers of a run of its own.
#[derive(Debug, Default)]
struct Own {
    vars: HashMap<String, OsString>,
    stdout: Mutex<Vec<u8>>,
    stderr: Mutex<Vec<u8>>,
}

/// One of the two output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

impl Host {
    /// A host with exactly the variables `vars` and output buffers of its
    /// own, read back with [`Host::take_output`].
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn own(vars: HashMap<String, OsString>) -> Host {
        Host {
            own: Some(Arc::new(Own {
                vars,
                ..Own::default()
            })),
        }
    }

    /// Whether the run has variables and buffers of its own.
    pub(crate) fn is_own(&self) -> bool {
        self.own.is_some()
    }

    /// The value of environment variable `name`.
    pub(crate) fn var_os(&self, name: &str) -> Option<OsString> {
        match &self.own {
            None => std::env::var_os(name),
            Some(own) => own.vars.get(name).cloned(),
        }
    }

    /// A writer to `stream`. Each write goes out whole: write a line with
    /// one call ([`Write::write_all`]) so that lines of other threads do not
    /// cut into it.
    pub(crate) fn writer(&self, stream: Stream) -> Writer {
        Writer {
            host: self.clone(),
            stream,
        }
    }

    /// Writes `text` whole to `stream`.
    pub(crate) fn write(&self, stream: Stream, text: &str) -> io::Result<()> {
        self.writer(stream).write_all(text.as_bytes())
    }

    /// Whether standard output is a terminal (never, for a run of its own).
    pub(crate) fn stdout_is_terminal(&self) -> bool {
        self.own.is_none() && io::stdout().is_terminal()
    }

    /// What the run wrote to standard output and to standard error so far,
    /// taken out of the buffers; empty for the process's streams.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn take_output(&self) -> (Vec<u8>, Vec<u8>) {
        match &self.own {
            None => (Vec::new(), Vec::new()),
            Some(own) => (
                std::mem::take(&mut *lock(&own.stdout)),
                std::mem::take(&mut *lock(&own.stderr)),
            ),
        }
    }
}

fn lock(buffer: &Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    buffer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A writer to one output stream of a [`Host`].
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    host: Host,
    stream: Stream,
}

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match (&self.host.own, self.stream) {
            (None, Stream::Stdout) => io::stdout().lock().write_all(buf),
            (None, Stream::Stderr) => io::stderr().lock().write_all(buf),
            (Some(own), Stream::Stdout) => {
                lock(&own.stdout).extend_from_slice(buf);
                Ok(())
            }
            (Some(own), Stream::Stderr) => {
                lock(&own.stderr).extend_from_slice(buf);
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match (&self.host.own, self.stream) {
            (None, Stream::Stdout) => io::stdout().flush(),
            (None, Stream::Stderr) => io::stderr().flush(),
            (Some(_), _) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_of_its_own_has_only_its_variables_and_keeps_its_output() {
        let host = Host::own(HashMap::from([("APP_ROOT_PATH".into(), "/srv/x".into())]));
        assert!(host.is_own());
        assert_eq!(host.var_os("APP_ROOT_PATH"), Some("/srv/x".into()));
        assert_eq!(host.var_os("PATH"), None);
        assert!(!host.stdout_is_terminal());
        host.write(Stream::Stdout, "out\n").unwrap();
        let mut err = host.writer(Stream::Stderr);
        write!(err, "err {}", 1).unwrap();
        assert_eq!(host.take_output(), (b"out\n".to_vec(), b"err 1".to_vec()));
        assert_eq!(host.take_output(), (Vec::new(), Vec::new()));
    }

    #[test]
    fn the_process_host_reads_the_process_environment() {
        let host = Host::default();
        assert!(!host.is_own());
        assert_eq!(host.var_os("PATH"), std::env::var_os("PATH"));
    }
}
