//! The one error type of zenkit and the exit codes it maps to.

use std::fmt;

/// Exit code of a run that finished without errors.
pub const EXIT_SUCCESS: u8 = 0;
/// Exit code of a run whose process, action, evaluate or teardown stage failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a command-line usage error (`EX_USAGE` of `sysexits.h`).
pub const EXIT_USAGE: u8 = 64;
/// Exit code of a configuration error (`EX_CONFIG` of `sysexits.h`).
pub const EXIT_CONFIG: u8 = 78;

/// What kind of failure an [`Error`] is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line is wrong (exit 64).
    Usage,
    /// The configuration is wrong: a file, a value, a key (exit 78).
    Config,
    /// Setting the application up failed for another reason: an unknown
    /// account, an unreadable state file, an unwritable directory (exit 1).
    Setup,
    /// The application's own work failed (exit 1 unless the author chose
    /// another code with [`Error::with_code`]).
    Runtime,
}

/// A failure with a message for the user and the exit code it leads to.
///
/// Messages are meant to be read by the operator: they say what is wrong,
/// where (file, line, key) and, where it helps, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    code: Option<u8>,
}

/// The result type of every fallible zenkit call and author hook.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            code: None,
        }
    }

    /// A command-line usage error (exit 64).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    /// A configuration error (exit 78).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// A set-up error (exit 1).
    pub fn setup(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Setup, message)
    }

    /// A failure of the application's work (exit 1).
    pub fn msg(message: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Runtime, message.to_string())
    }

    /// The same error, ending the program with `code` instead of the kind's
    /// exit code.
    pub fn with_code(mut self, code: u8) -> Self {
        self.code = Some(code);
        self
    }

    /// The same error with `context` put in front of its message
    /// (`"<context>: <message>"`).
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The exit code this error ends the program with.
    pub fn exit_code(&self) -> u8 {
        self.code.unwrap_or(match self.kind {
            ErrorKind::Usage => EXIT_USAGE,
            ErrorKind::Config => EXIT_CONFIG,
            ErrorKind::Setup | ErrorKind::Runtime => EXIT_FAILURE,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::msg(err)
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::msg(err)
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::msg(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::msg(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_sysexits_codes() {
        assert_eq!(Error::usage("x").exit_code(), 64);
        assert_eq!(Error::config("x").exit_code(), 78);
        assert_eq!(Error::setup("x").exit_code(), 1);
        assert_eq!(Error::msg("x").exit_code(), 1);
        assert_eq!(Error::msg("x").with_code(3).exit_code(), 3);
    }

    #[test]
    fn context_prefixes_the_message() {
        let err = Error::config("bad").context("file a.conf");
        assert_eq!(err.to_string(), "file a.conf: bad");
        assert_eq!(err.kind(), ErrorKind::Config);
    }
}
