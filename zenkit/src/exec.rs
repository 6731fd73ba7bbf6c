//! Running external commands with their command line and result logged.
//!
//! The commands run through [`Context`]; a non-zero exit is an error whose
//! message quotes the command line and its first line of stderr.
//!
//! ```no_run
//! use zenkit::exec::shell_quote;
//! use zenkit::prelude::*;
//!
//! #[derive(ZenApp, Default)]
//! struct Rotate {
//!     /// The archive to write.
//!     #[zen(cli, default = "/srv/backup/today.tar")]
//!     archive: String,
//! }
//!
//! #[zenkit::app]
//! impl Rotate {
//!     #[process]
//!     fn process(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
//!         // no shell: each argument as it is
//!         ctx.run_command(&["tar", "-cf", &self.archive, "/etc"])?;
//!         // a shell line, with what must not be expanded quoted
//!         let sizes = ctx.run_shell(&format!("du -s {} | cut -f1", shell_quote(&self.archive)))?;
//!         ctx.print(0, format_args!("{} blocks", sizes.stdout.trim()));
//!         // a failure that is an answer, not an error
//!         let found = ctx.run_command_may_fail(&["grep", "-q", "backup", "/etc/hosts"])?;
//!         ctx.print(1, format_args!("mentioned: {}", found.success()));
//!         Ok(())
//!     }
//! }
//! # fn main() {}
//! ```

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};

use crate::context::Context;
use crate::{Error, Result};

/// What a finished command left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// The exit code, or 128 + the signal number when a signal ended it (the
    /// shell's convention).
    pub status: i32,
    /// Everything it wrote to stdout (invalid UTF-8 replaced).
    pub stdout: String,
    /// Everything it wrote to stderr (invalid UTF-8 replaced).
    pub stderr: String,
}

impl CommandOutput {
    /// Whether the command exited with code 0.
    pub fn success(&self) -> bool {
        self.status == 0
    }
}

/// Quotes one argument for a POSIX shell, leaving plain words alone.
///
/// ```
/// use zenkit::exec::{shell_join, shell_quote};
///
/// assert_eq!(shell_quote("/srv/backup"), "/srv/backup");
/// assert_eq!(shell_quote("it's here"), "'it'\\''s here'");
/// assert_eq!(shell_join(&["tar", "-cf", "my backup.tar"]), "tar -cf 'my backup.tar'");
/// ```
pub fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// A command line as one would type it into a shell.
pub fn shell_join(argv: &[&str]) -> String {
    argv.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn status_code(status: ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => -1,
    }
}

fn signal_name(signal: i32) -> String {
    nix::sys::signal::Signal::try_from(signal)
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|_| format!("signal {signal}"))
}

/// The shell a command line given as one string runs in.
const SHELL: &str = "/bin/sh";

fn run(argv: &[&str]) -> Result<(CommandOutput, Option<i32>)> {
    run_shown(argv, &shell_join(argv))
}

/// Runs `argv`, logging it as `line`.
fn run_shown(argv: &[&str], line: &str) -> Result<(CommandOutput, Option<i32>)> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| Error::msg("cannot run a command: the command line is empty"))?;
    tracing::info!("Executing system command >>>\n{line}");
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| {
            Error::msg(format!(
                "cannot run command '{line}': {err}; check that '{program}' is installed and in PATH"
            ))
        })?;
    let result = CommandOutput {
        status: status_code(output.status),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    match output.status.signal() {
        Some(signal) => tracing::debug!(
            "System command result >>>\nkilled by {}",
            signal_name(signal)
        ),
        None => tracing::debug!("System command result >>>\nexit code {}", result.status),
    }
    if !result.stdout.is_empty() {
        tracing::debug!("Command stdout >>>\n{}", result.stdout.trim_end());
    }
    if !result.stderr.is_empty() {
        tracing::debug!("Command stderr >>>\n{}", result.stderr.trim_end());
    }
    Ok((result, output.status.signal()))
}

/// The output of a finished command, or the error of a non-zero exit:
/// `command '<line>' failed with exit code N: <first stderr line>`.
fn checked((output, signal): (CommandOutput, Option<i32>), line: &str) -> Result<CommandOutput> {
    if output.success() {
        return Ok(output);
    }
    let mut message = format!("command '{line}' failed with exit code {}", output.status);
    if let Some(signal) = signal {
        message.push_str(&format!(" (killed by {})", signal_name(signal)));
    }
    if let Some(first) = output.stderr.lines().map(str::trim).find(|l| !l.is_empty()) {
        message.push_str(": ");
        message.push_str(first);
    }
    Err(Error::msg(message))
}

impl Context {
    /// Runs `argv[0]` with the other elements as its arguments (no shell),
    /// with stdin from `/dev/null` and stdout and stderr captured. Logs
    /// `Executing system command >>>` and the command line at info level and
    /// `System command result >>>` with the exit code at debug level, as
    /// pyzenkit does, and the output at debug level. A non-zero exit is an error:
    /// `command '<command line>' failed with exit code N: <first stderr line>`.
    pub fn run_command(&mut self, argv: &[&str]) -> Result<CommandOutput> {
        checked(run(argv)?, &shell_join(argv))
    }

    /// Runs `command`, a command line as one string, in `/bin/sh -c` (so it
    /// may use pipes, redirections and variables; quote what it must not
    /// expand with [`shell_quote`]), like pyzenkit's `execute_command`:
    /// logged, output captured and a non-zero exit an error as with
    /// [`Context::run_command`].
    pub fn run_shell(&mut self, command: &str) -> Result<CommandOutput> {
        checked(run_shown(&[SHELL, "-c", command], command)?, command)
    }

    /// Like [`Context::run_shell`], but a non-zero exit is returned in
    /// [`CommandOutput::status`] instead of as an error.
    pub fn run_shell_may_fail(&mut self, command: &str) -> Result<CommandOutput> {
        run_shown(&[SHELL, "-c", command], command).map(|(output, _)| output)
    }

    /// Like [`Context::run_command`], but a non-zero exit is returned in
    /// [`CommandOutput::status`] instead of as an error. Only a command that
    /// cannot be started is an error.
    pub fn run_command_may_fail(&mut self, argv: &[&str]) -> Result<CommandOutput> {
        run(argv).map(|(output, _)| output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn context() -> Context {
        let paths = crate::paths::Paths::resolve(Path::new("/nonexistent"), &Default::default());
        let runlog = crate::runlog::Runlog::new("demo", vec!["demo".into()]);
        Context::new("demo".into(), paths, runlog, false)
    }

    #[test]
    fn quotes_like_a_shell() {
        assert_eq!(shell_quote("ls"), "ls");
        assert_eq!(shell_quote("/usr/bin/x-y_z.1"), "/usr/bin/x-y_z.1");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(
            shell_join(&["tar", "-czf", "my file.tgz", "*"]),
            "tar -czf 'my file.tgz' '*'"
        );
    }

    #[test]
    fn a_shell_string_runs_in_the_shell() {
        let mut ctx = context();
        let out = ctx.run_shell("echo a b | tr a-z A-Z; echo e >&2").unwrap();
        assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("A B\n", "e\n"));
        let err = ctx.run_shell("echo no >&2; exit 3").unwrap_err();
        assert_eq!(
            err.message(),
            "command 'echo no >&2; exit 3' failed with exit code 3: no"
        );
        assert_eq!(ctx.run_shell_may_fail("exit 4").unwrap().status, 4);
    }

    #[test]
    fn captures_output_of_a_successful_command() {
        let out = context()
            .run_command(&["sh", "-c", "echo out; echo err >&2"])
            .unwrap();
        assert_eq!(
            out,
            CommandOutput {
                status: 0,
                stdout: "out\n".into(),
                stderr: "err\n".into()
            }
        );
        assert!(out.success());
    }

    #[test]
    fn non_zero_exit_is_an_error_naming_command_code_and_stderr() {
        let argv = [
            "sh",
            "-c",
            "echo partial; echo; echo 'disk full' >&2; echo more >&2; exit 3",
        ];
        let err = context().run_command(&argv).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Runtime);
        assert_eq!(
            err.message(),
            "command 'sh -c 'echo partial; echo; echo '\\''disk full'\\'' >&2; echo more >&2; exit 3'' \
             failed with exit code 3: disk full"
        );
        let err = context().run_command(&["false"]).unwrap_err();
        assert_eq!(err.message(), "command 'false' failed with exit code 1");
    }

    #[test]
    fn may_fail_variant_returns_the_status() {
        let mut ctx = context();
        let out = ctx
            .run_command_may_fail(&["sh", "-c", "echo x; exit 7"])
            .unwrap();
        assert_eq!(out.status, 7);
        assert_eq!(out.stdout, "x\n");
        let out = ctx
            .run_command_may_fail(&["sh", "-c", "kill -KILL $$"])
            .unwrap();
        assert_eq!(out.status, 128 + 9);
        let err = ctx.run_command(&["sh", "-c", "kill -TERM $$"]).unwrap_err();
        assert_eq!(
            err.message(),
            "command 'sh -c 'kill -TERM $$'' failed with exit code 143 (killed by SIGTERM)"
        );
    }

    #[test]
    fn a_command_that_cannot_start_is_an_error_in_both_variants() {
        let mut ctx = context();
        let err = ctx
            .run_command_may_fail(&["/nonexistent/zenkit-no-such-tool", "a"])
            .unwrap_err();
        assert!(
            err.message()
                .starts_with("cannot run command '/nonexistent/zenkit-no-such-tool a': "),
            "{err}"
        );
        assert!(err
            .message()
            .ends_with("check that '/nonexistent/zenkit-no-such-tool' is installed and in PATH"));
        assert!(ctx
            .run_command(&["/nonexistent/zenkit-no-such-tool"])
            .is_err());
        assert_eq!(
            ctx.run_command(&[]).unwrap_err().message(),
            "cannot run a command: the command line is empty"
        );
    }
}
