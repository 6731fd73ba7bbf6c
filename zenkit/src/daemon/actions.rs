//! The daemon's built-in actions: signals to the running daemon and a
//! systemd unit for it.

use std::io::Write;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::pidfile::{instance_files, lock_holder, read_pid, PidError};
use crate::context::Context;
use crate::settings::DaemonSettings;
use crate::{Error, Result};

/// Runs daemon action `name`; `Ok(false)` when it is none of them.
pub(crate) fn run(name: &str, ctx: &Context, out: &mut dyn Write) -> Result<bool> {
    let is_daemon_action = zenkit_builtins::ACTIONS
        .iter()
        .any(|a| a.name == name && a.kinds == zenkit_builtins::Kinds::Daemon);
    if !is_daemon_action {
        return Ok(false);
    }
    let settings = ctx
        .daemon()
        .ok_or_else(|| Error::msg("daemon actions need a daemon's settings"))?;
    if name == "systemd-unit" {
        write!(out, "{}", unit(ctx, settings))
            .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))?;
        return Ok(true);
    }
    send(action_signal(name)?, settings, ctx.name(), out).map(|()| true)
}

/// The signal a `signal-<name>` action sends: `SIG<NAME>`, or none (signal
/// 0) for `signal-check`.
fn action_signal(action: &str) -> Result<Option<Signal>> {
    match action.strip_prefix("signal-") {
        Some("check") => Ok(None),
        Some(name) => format!("SIG{}", name.to_ascii_uppercase())
            .parse()
            .map(Some)
            .map_err(|_| Error::msg(format!("action '{action}' names no signal"))),
        None => Err(Error::msg(format!("action '{action}' sends no signal"))),
    }
}

/// The PID files the signal actions read: exactly `pid_file`, or in
/// parallel mode every instance's.
fn pid_files(settings: &DaemonSettings) -> Result<Vec<PathBuf>> {
    if settings.parallel {
        let files = instance_files(&settings.pid_file)?;
        if files.is_empty() {
            return Err(Error::msg(format!(
                "PID file '{}' does not exist",
                settings.pid_file.display()
            )));
        }
        Ok(files)
    } else {
        Ok(vec![settings.pid_file.clone()])
    }
}

/// Sends `signal` (none: signal 0) to every running instance; every failure
/// is reported, and any makes the action fail.
fn send(
    signal: Option<Signal>,
    settings: &DaemonSettings,
    app: &str,
    out: &mut dyn Write,
) -> Result<()> {
    let name = signal.map_or("0", |s| s.as_str());
    let mut failures = Vec::new();
    for file in pid_files(settings)? {
        match send_one(signal, name, app, &file, out) {
            Ok(()) => {}
            Err(err) => failures.push(err.message().to_string()),
        }
    }
    match failures.len() {
        0 => Ok(()),
        _ => Err(Error::msg(failures.join("; "))),
    }
}

/// Whether process `pid` runs application `app`: its program or, for an
/// interpreter such as Python, its script is named `app` (or `app.py`,
/// or `app` is that name without `.py`).
fn runs_application(pid: u32, app: &str) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let bare = app.strip_suffix(".py").unwrap_or(app);
    cmdline
        .split(|&b| b == 0)
        .take(2)
        .filter_map(|arg| {
            Path::new(std::str::from_utf8(arg).ok()?)
                .file_name()?
                .to_str()
                .map(str::to_string)
        })
        .any(|name| name == app || name == bare || name.strip_suffix(".py") == Some(bare))
}

fn send_one(
    signal: Option<Signal>,
    name: &str,
    app: &str,
    file: &Path,
    out: &mut dyn Write,
) -> Result<()> {
    let pid = match read_pid(file) {
        Ok(pid) => pid,
        Err(PidError::Missing) => {
            return Err(Error::msg(format!(
                "PID file '{}' does not exist",
                file.display()
            )))
        }
        Err(PidError::Malformed) => {
            return Err(Error::msg(format!(
                "Malformed PID file '{}'",
                file.display()
            )))
        }
        Err(PidError::Io(err)) => {
            return Err(Error::msg(format!(
                "Cannot read PID file '{}': {err}",
                file.display()
            )))
        }
    };
    let target = Pid::from_raw(pid as i32);
    match lock_holder(file)? {
        // the daemon that wrote the file holds it
        Some(holder) if holder == pid => {}
        Some(holder) => {
            return Err(Error::msg(format!(
                "Process with PID '{pid}' is not the daemon: PID file '{}' is held by process '{holder}'",
                file.display()
            )))
        }
        // pyzenkit never locks its PID file: a live process running this
        // application is taken for its daemon
        None if runs_application(pid, app) => {
            writeln!(
                out,
                "PID file '{}' is not locked; process '{pid}' runs '{app}', taken for a pyzenkit daemon",
                file.display()
            )
            .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))?;
        }
        None => {
            // whoever has that PID now is not the daemon that wrote the file
            return Err(match kill(target, None) {
                Err(Errno::ESRCH) => {
                    Error::msg(format!("Process with PID '{pid}' does not exist"))
                }
                _ => Error::msg(format!(
                    "Process with PID '{pid}' is not the daemon: nothing holds PID file '{}', which is stale",
                    file.display()
                )),
            });
        }
    }
    writeln!(
        out,
        "Sending signal '{name}' to process '{pid}' [{}]",
        file.display()
    )
    .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))?;
    match kill(target, signal) {
        Ok(()) => Ok(()),
        Err(Errno::ESRCH) => Err(Error::msg(format!(
            "Process with PID '{pid}' does not exist"
        ))),
        Err(Errno::EPERM) => Err(Error::msg(format!(
            "Insufficient permissions to send signal '{name}' to process '{pid}'"
        ))),
        Err(err) => Err(Error::msg(format!(
            "Cannot send signal '{name}' to process '{pid}': {err}"
        ))),
    }
}

/// A systemd unit running this daemon in the foreground with its options,
/// reporting readiness itself (`Type=notify`).
fn unit(ctx: &Context, settings: &DaemonSettings) -> String {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| ctx.name().to_string());
    let mut args = vec![
        exe,
        "--no-daemon".to_string(),
        format!(
            "--pid-file {}",
            quote(&absolute(&settings.pid_file.display().to_string()))
        ),
    ];
    args.extend(command_line_options(ctx));
    let about = ctx.name();
    // the service must find the same files as this command line did
    let environment = match std::env::var_os(crate::paths::ROOT_ENV) {
        Some(_) => format!(
            "Environment=\"{}={}\"\n",
            crate::paths::ROOT_ENV,
            absolute(&ctx.paths().root.display().to_string())
        ),
        None => String::new(),
    };
    format!(
        "[Unit]\n\
         Description={about}\n\
         After=network.target\n\
         \n\
         [Service]\n\
         Type=notify\n\
         {environment}\
         ExecStart={}\n\
         ExecReload=/bin/kill -HUP $MAINPID\n\
         KillSignal=SIGINT\n\
         TimeoutStopSec={}\n\
         Restart=on-failure\n\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        args.join(" "),
        settings.stop_timeout.ceil() as u64 + 5,
    )
}

/// The options given on this command line (but the action and the ones
/// the unit sets itself), so the service runs as configured here; relative
/// paths are made absolute, as the service starts elsewhere.
fn command_line_options(ctx: &Context) -> Vec<String> {
    const LEFT_OUT: [&str; 5] = ["action", "no_daemon", "pid_file", "input", "limit"];
    let config = ctx.config();
    let mut options = Vec::new();
    for (key, value) in config.as_map() {
        let from_cli = config
            .origin(key)
            .is_some_and(|o| o.layer == crate::config::Layer::Cli);
        if !from_cli || LEFT_OUT.contains(&key.as_str()) {
            continue;
        }
        let Some(option) = config.option_of(key) else {
            continue;
        };
        let builtin = zenkit_builtins::KEYS.iter().find(|k| k.key == key.as_str());
        let value_type = builtin.map(|k| k.value);
        if let Some(k) = builtin.filter(|k| k.takes == zenkit_builtins::Takes::Count) {
            let flag = match k.option.and_then(|o| o.short) {
                Some(short) => format!("-{short}"),
                None => option.to_string(),
            };
            let count = value.as_u64().unwrap_or(0) as usize;
            options.extend(std::iter::repeat_n(flag, count));
            continue;
        }
        // an author's path is known by its key's name
        let is_path = match value_type {
            Some(ty) => ty == zenkit_builtins::ValueType::Path,
            None => key.ends_with("_file") || key.ends_with("_dir"),
        };
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) if is_path => absolute(s),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match value {
            serde_json::Value::Bool(true) => options.push(option.to_string()),
            serde_json::Value::Bool(false) | serde_json::Value::Null => {}
            // a resolved account: [name, id]
            serde_json::Value::Array(pair)
                if value_type == Some(zenkit_builtins::ValueType::Account) =>
            {
                let name = pair.first().map(text).unwrap_or_default();
                options.push(format!("{option} {}", quote(&name)));
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    options.push(format!("{option} {}", quote(&text(item))));
                }
            }
            other => options.push(format!("{option} {}", quote(&text(other)))),
        }
    }
    options
}

/// `path` made absolute against the working directory.
fn absolute(path: &str) -> String {
    match std::env::current_dir() {
        Ok(cwd) if !Path::new(path).is_absolute() => cwd.join(path).display().to_string(),
        _ => path.to_string(),
    }
}

/// Quotes a value for systemd's command line when it needs it; `%` and `$`
/// are doubled so systemd takes them literally.
fn quote(value: &str) -> String {
    let value = value.replace('%', "%%").replace('$', "$$");
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-:@%$".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        value
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("/etc/app.conf"), "/etc/app.conf");
        assert_eq!(quote("/etc/my app.conf"), "\"/etc/my app.conf\"");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("50%"), "50%%");
        assert_eq!(quote("$HOME"), "$$HOME");
        assert_eq!(quote("50%"), "50%%");
        assert_eq!(quote("$HOME"), "$$HOME");
    }
}
