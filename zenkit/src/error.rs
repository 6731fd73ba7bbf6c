//! The one error type of zenkit and the exit codes it maps to.
//!
//! An [`Error`] is a message for the operator, a [kind](ErrorKind) that
//! decides the exit code, and, as data for programs that report errors
//! elsewhere (the runlog, a monitoring system), the error it was caused by
//! ([`Error::source`], [`Error::chain`]) and where the offending value was
//! set ([`Error::origin`]).
//!
//! ```
//! use zenkit::error::{EXIT_CONFIG, EXIT_FAILURE};
//! use zenkit::{Error, ErrorKind, ErrorOrigin};
//!
//! // what the operator must fix, and where
//! let err = Error::config("'limit' must be at least 1, not 0; raise it")
//!     .at(ErrorOrigin::for_key("limit"));
//! assert_eq!(err.kind(), ErrorKind::Config);
//! assert_eq!(err.exit_code(), EXIT_CONFIG);
//! assert_eq!(err.origin().unwrap().key.as_deref(), Some("limit"));
//!
//! // `?` converts other errors, which stay reachable as the source
//! fn count(text: &str) -> zenkit::Result<u32> {
//!     let n: u32 = text.parse()?;
//!     Ok(n)
//! }
//! let err = count("ten").unwrap_err().context("reading the count");
//! assert_eq!(err.to_string(), "reading the count: invalid digit found in string");
//! assert_eq!(err.exit_code(), EXIT_FAILURE);
//! assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
//! ```
//!
//! # Converting other errors
//!
//! `?` converts into an [`Error`] every type that converts into
//! `Box<dyn std::error::Error + Send + Sync>`:
//!
//! - any `E: std::error::Error + Send + Sync + 'static` (`io::Error`,
//!   `ParseIntError`, `serde_json::Error`, the author's own error types),
//! - `Box<dyn std::error::Error + Send + Sync>` itself,
//! - `String`, `&str` (prefer [`Error::msg`]).
//!
//! The result is an [`ErrorKind::Runtime`] error whose message is the text
//! of the converted error and whose [source](Error::source) is that error,
//! so it can be [downcast](Error::downcast_ref). A box made by
//! [`Error::into_boxed`] converts back into the very error it was made from
//! (kind, exit code, origin and source). A `Box<dyn std::error::Error>`
//! without `Send + Sync` does not convert.
//!
//! # An `Error` where a `std::error::Error` is expected
//!
//! Like `anyhow::Error`, and for the same reason, [`Error`] does not itself
//! implement `std::error::Error`: the conversion above would then overlap
//! with `From<T> for T`. Instead it dereferences to (and is [`AsRef`]) `dyn
//! std::error::Error + Send + Sync`, `?` converts it into
//! `Box<dyn std::error::Error>` (as in `fn main() -> Result<(), Box<dyn
//! Error>>`), and [`Error::into_boxed`] makes a
//! `Box<dyn std::error::Error + Send + Sync>` of it; write
//! `.map_err(Error::into_boxed)?` where that box is the error type. That box
//! cannot have a `From<Error>` impl: `Error` would then convert into it and
//! so, by the conversion above, into itself, which again overlaps with
//! `From<T> for T`.
//!
//! Hooks, commands and component hooks may return `Result<_, E>` for any
//! `E: Into<Error>`: this error, every type listed above, and the author's
//! own types with `impl From<MyError> for zenkit::Error` (which must then not
//! implement `std::error::Error`, as such a type already converts).

use std::error::Error as StdError;
use std::fmt;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

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

/// Where the value an [`Error`] is about was set, as far as it is known.
///
/// Configuration errors located by zenkit ([`Config::get`],
/// [`Config::error_at`], [`Config::error_for`]) carry one: the file, line and
/// column for a value from a configuration file, only the key for a value
/// from the command line or a default. The error's message says the same in
/// words; this is the same place as data.
///
/// [`Config::get`]: crate::config::Config::get
/// [`Config::error_at`]: crate::config::Config::error_at
/// [`Config::error_for`]: crate::config::Config::error_for
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ErrorOrigin {
    /// The file the value was read from; `None` for a value that did not
    /// come from a file (the command line, a default) or an unknown one.
    pub file: Option<PathBuf>,
    /// The 1-based line of the value in `file`; 0 when not known.
    pub line: usize,
    /// The 1-based column (in characters) of the value in `file`; 0 when not
    /// known.
    pub column: usize,
    /// The configuration key, as a path written the way messages write it
    /// (`limits.names[1]`); `None` when the error is not about a key.
    pub key: Option<String>,
}

impl ErrorOrigin {
    /// A position in a file.
    pub fn in_file(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        ErrorOrigin {
            file: Some(file.into()),
            line,
            column,
            key: None,
        }
    }

    /// A configuration key, without a position.
    pub fn for_key(key: impl Into<String>) -> Self {
        ErrorOrigin::default().with_key(key)
    }

    /// The same origin, about configuration key `key`.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

/// A failure with a message for the user and the exit code it leads to.
///
/// Messages are meant to be read by the operator: they say what is wrong,
/// where (file, line, key) and, where it helps, what to do. `Display` writes
/// the message alone; the kind, the exit code, the [source](Error::source)
/// and the [origin](Error::origin) are data beside it.
///
/// Two errors are equal when their kinds, codes set with
/// [`Error::with_code`], messages and origins are; their sources are not
/// compared.
///
/// See the [module documentation](self) for what `?` converts into an
/// `Error` and how an `Error` goes where a `std::error::Error` is expected.
#[derive(Clone)]
pub struct Error {
    inner: Inner,
}

/// The contents of an [`Error`]; the `std::error::Error` an `Error`
/// dereferences to and is boxed as.
#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    code: Option<u8>,
    // Boxed: most errors have none, and `Result<T>` stays small.
    origin: Option<Box<ErrorOrigin>>,
    // An `Arc` so that `Error` stays `Clone`.
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

/// The result type of every fallible zenkit call and author hook.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Inner {
                kind,
                message: message.into(),
                code: None,
                origin: None,
                source: None,
            },
        }
    }

    /// An error of the given kind caused by `source`, which stays reachable
    /// through [`Error::source`]; `message` is the whole text shown, so
    /// include the source's text in it where the operator needs it.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        let mut err = Self::new(kind, message);
        err.inner.source = Some(Arc::from(source.into()));
        err
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

    /// A failure of the application's work (exit 1) caused by `err`: its
    /// text is the message and it is the [source](Error::source). This is
    /// what `?` does; a box made by [`Error::into_boxed`] gives back the
    /// error it was made from.
    pub fn from_boxed(err: Box<dyn StdError + Send + Sync + 'static>) -> Self {
        match err.downcast::<Inner>() {
            Ok(inner) => Error { inner: *inner },
            Err(err) => {
                let mut converted = Self::msg(&err);
                converted.inner.source = Some(Arc::from(err));
                converted
            }
        }
    }

    /// This error as a boxed `std::error::Error`, for code that expects one
    /// (`Box<dyn Error + Send + Sync>` cannot implement `From<Error>`, see
    /// the [module documentation](self)). Its text is the message, its
    /// source this error's source; [`Error::from_boxed`] and `?` turn it
    /// back into this error.
    pub fn into_boxed(self) -> Box<dyn StdError + Send + Sync + 'static> {
        Box::new(self.inner)
    }

    /// The same error, ending the program with `code` instead of the kind's
    /// exit code.
    pub fn with_code(mut self, code: u8) -> Self {
        self.inner.code = Some(code);
        self
    }

    /// The same error with `context` put in front of its message
    /// (`"<context>: <message>"`); the source and the origin stay.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.inner.message = format!("{context}: {}", self.inner.message);
        self
    }

    /// The same error, about the value set at `origin`. The message is not
    /// changed: it should already say where.
    pub fn at(mut self, origin: ErrorOrigin) -> Self {
        self.inner.origin = Some(Box::new(origin));
        self
    }

    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The exit code this error ends the program with.
    pub fn exit_code(&self) -> u8 {
        self.inner.code.unwrap_or(match self.inner.kind {
            ErrorKind::Usage => EXIT_USAGE,
            ErrorKind::Config => EXIT_CONFIG,
            ErrorKind::Setup | ErrorKind::Runtime => EXIT_FAILURE,
        })
    }

    /// Where the value this error is about was set, if known.
    pub fn origin(&self) -> Option<&ErrorOrigin> {
        self.inner.origin.as_deref()
    }

    /// The error this one was caused by. For an error converted by `?` it is
    /// the converted error itself, whose text is this error's message.
    pub fn source(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        self.inner.source.as_deref()
    }

    /// The causes of this error, nearest first: [`Error::source`], its
    /// source, and so on. This error itself is not part of the chain.
    pub fn chain(&self) -> impl Iterator<Item = &(dyn StdError + 'static)> {
        let first = self.source().map(|err| err as &(dyn StdError + 'static));
        std::iter::successors(first, |&err| err.source())
    }

    /// The first cause of type `E` in the [chain](Error::chain).
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.chain().find_map(|err| err.downcast_ref::<E>())
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.inner, &other.inner);
        a.kind == b.kind && a.code == b.code && a.message == b.message && a.origin == b.origin
    }
}

impl Eq for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Error");
        debug
            .field("kind", &self.kind)
            .field("message", &self.message);
        if let Some(code) = self.code {
            debug.field("code", &code);
        }
        if let Some(origin) = &self.origin {
            debug.field("origin", origin);
        }
        if let Some(source) = &self.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl StdError for Inner {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|err| err as &(dyn StdError + 'static))
    }
}

impl Deref for Error {
    type Target = dyn StdError + Send + Sync + 'static;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl AsRef<dyn StdError + Send + Sync + 'static> for Error {
    fn as_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &self.inner
    }
}

impl AsRef<dyn StdError + 'static> for Error {
    fn as_ref(&self) -> &(dyn StdError + 'static) {
        &self.inner
    }
}

impl<E> From<E> for Error
where
    E: Into<Box<dyn StdError + Send + Sync + 'static>>,
{
    fn from(err: E) -> Self {
        Error::from_boxed(err.into())
    }
}

impl From<Error> for Box<dyn StdError + 'static> {
    fn from(err: Error) -> Self {
        Box::new(err.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use serde_json::{json, Map, Value};
    use std::collections::BTreeMap;
    use std::io;
    use std::num::ParseIntError;

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

    fn parse(text: &str) -> Result<u32> {
        Ok(text.parse::<u32>()?)
    }

    #[test]
    fn question_mark_keeps_a_std_error_as_the_source() {
        let err = parse("x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
        assert_eq!(err.exit_code(), 1);
        assert_eq!(err.message(), "invalid digit found in string");
        assert_eq!(err.to_string(), err.message());
        let source = err.source().expect("a source");
        assert!(source.is::<ParseIntError>());
        assert_eq!(err.chain().count(), 1);
        assert!(err.downcast_ref::<ParseIntError>().is_some());
        assert!(err.downcast_ref::<io::Error>().is_none());
        assert_eq!(parse("7"), Ok(7));
    }

    /// An error with a cause of its own, to see the chain go deeper.
    #[derive(Debug)]
    struct Wrapped(io::Error);

    impl fmt::Display for Wrapped {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cannot fetch")
        }
    }

    impl StdError for Wrapped {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn the_chain_follows_the_sources() {
        let fetch = || -> Result<()> { Err(Wrapped(io::Error::other("timed out")))? };
        let err = fetch().unwrap_err();
        let texts: Vec<String> = err.chain().map(|e| e.to_string()).collect();
        assert_eq!(texts, ["cannot fetch", "timed out"]);
        assert_eq!(
            err.downcast_ref::<io::Error>().unwrap().to_string(),
            "timed out"
        );
        // the std error an `Error` dereferences to has the same text and chain
        assert_eq!(err.deref().to_string(), "cannot fetch");
        assert!(err.deref().source().unwrap().is::<Wrapped>());

        let err = Error::with_source(ErrorKind::Setup, "no state", io::Error::other("gone"));
        assert_eq!((err.kind(), err.message()), (ErrorKind::Setup, "no state"));
        assert_eq!(err.source().unwrap().to_string(), "gone");
        assert_eq!(Error::msg("plain").chain().count(), 0);
    }

    #[test]
    fn question_mark_converts_a_boxed_error() {
        let boxed = || -> Result<()> {
            let err: Box<dyn StdError + Send + Sync> = Box::new(io::Error::other("disk full"));
            Err(err)?
        };
        let err = boxed().unwrap_err();
        assert_eq!(
            (err.kind(), err.message()),
            (ErrorKind::Runtime, "disk full")
        );
        assert!(err.source().unwrap().is::<io::Error>());

        let text = || -> Result<()> { Err("no luck")? };
        assert_eq!(text().unwrap_err(), Error::msg("no luck"));
    }

    #[test]
    fn an_error_goes_where_a_std_error_is_expected() {
        let origin = ErrorOrigin::in_file("/etc/app.conf", 2, 5).with_key("n");
        let err = Error::with_source(ErrorKind::Config, "bad n", io::Error::other("why"))
            .with_code(9)
            .at(origin.clone());

        let boxed = err.clone().into_boxed();
        assert_eq!(boxed.to_string(), "bad n");
        assert_eq!(boxed.source().unwrap().to_string(), "why");
        let back = || -> Result<()> { Err(err.clone().into_boxed())? };
        let back = back().unwrap_err();
        assert_eq!(back, err);
        assert_eq!((back.exit_code(), back.origin()), (9, Some(&origin)));
        assert!(back.source().unwrap().is::<io::Error>());

        let main = || -> std::result::Result<(), Box<dyn StdError>> { Err(err.clone())? };
        assert_eq!(main().unwrap_err().to_string(), "bad n");
        let as_std: &(dyn StdError + Send + Sync) = err.as_ref();
        assert_eq!(as_std.to_string(), "bad n");
    }

    #[test]
    fn equality_ignores_the_source() {
        let with_source = Error::with_source(ErrorKind::Runtime, "m", io::Error::other("x"));
        assert_eq!(with_source, Error::msg("m"));
        assert_ne!(Error::msg("m"), Error::setup("m"));
        assert_ne!(Error::msg("m"), Error::msg("m").with_code(2));
        assert_ne!(
            Error::msg("m"),
            Error::msg("m").at(ErrorOrigin::for_key("k"))
        );
    }

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn located_configuration_errors_carry_their_origin() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.conf");
        std::fs::write(&file, "{\n  \"limits\": {\"max\": \"many\"}}").unwrap();
        let defaults = map(json!({"config_file": file, "config_dir_silent": true, "n": "x"}));
        let config = Config::load(defaults, map(json!({"count": -1}))).unwrap();

        let err = config.get::<BTreeMap<String, u32>>("limits").unwrap_err();
        let expected = ErrorOrigin::in_file(&file, 2, 21).with_key("limits.max");
        assert_eq!(err.origin(), Some(&expected));
        assert_eq!(
            err.to_string(),
            format!(
                "{}:2:21: configuration key 'limits.max': invalid type: string \"many\", expected u32",
                file.display()
            )
        );

        let err = config.error_at("limits", "too loose");
        let expected = ErrorOrigin::in_file(&file, 2, 13).with_key("limits");
        assert_eq!(err.origin(), Some(&expected));

        let err = config.get::<u32>("n").unwrap_err();
        assert_eq!(err.origin(), Some(&ErrorOrigin::for_key("n")));
        let err = config.error_for("count", "too low");
        assert_eq!(err.kind(), ErrorKind::Usage);
        assert_eq!(err.origin(), Some(&ErrorOrigin::for_key("count")));
        let err = config.get::<u32>("workers").unwrap_err();
        assert_eq!(err.origin(), Some(&ErrorOrigin::for_key("workers")));
    }

    #[test]
    fn context_keeps_the_source_and_the_origin() {
        let origin = ErrorOrigin::for_key("limits");
        let err = parse("x").unwrap_err().at(origin.clone()).context("step 2");
        assert_eq!(err.message(), "step 2: invalid digit found in string");
        assert_eq!(err.origin(), Some(&origin));
        assert!(err.source().unwrap().is::<ParseIntError>());
    }

    #[test]
    fn hooks_and_commands_may_return_std_errors() {
        use crate::types::{CommandReturn, HookReturn};

        let boxed: Box<dyn StdError + Send + Sync> = "refused".into();
        let err = Err::<(), _>(boxed).into_result().unwrap_err();
        assert_eq!(err.message(), "refused");
        let err = "x".parse::<u32>().map(drop).into_result().unwrap_err();
        assert!(err.source().unwrap().is::<ParseIntError>());
        let err = "x".parse::<u32>().into_value("count").unwrap_err();
        assert!(err.source().unwrap().is::<ParseIntError>());
        let value = Ok::<_, Box<dyn StdError + Send + Sync>>(3).into_value("count");
        assert_eq!(value, Ok(json!(3)));
    }
}
