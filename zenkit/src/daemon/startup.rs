//! Start-up of a daemon between configuration and logging: detaching (unless
//! `--no-daemon`), chroot, working directory, umask and the PID file.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::daemonize;
use super::pidfile::{instance_path, PidFile};
use crate::context::Context;
use crate::{Error, Result};

/// `path` with `.<serial>` before its extension: `/run/app.state` →
/// `/run/app.0a1b2.state`.
pub(crate) fn with_serial(path: &Path, serial: &str) -> PathBuf {
    match (path.file_stem(), path.extension()) {
        (Some(stem), Some(ext)) => path.with_file_name(format!(
            "{}.{serial}.{}",
            stem.to_string_lossy(),
            ext.to_string_lossy()
        )),
        _ => PathBuf::from(format!("{}.{serial}", path.display())),
    }
}

/// Detaches (unless `--no-daemon`), enters the chroot and working directory,
/// sets the umask and takes the PID file. Logging is not up yet: a daemon
/// that detaches logs to its file only.
pub(crate) fn start(ctx: &mut Context) -> Result<()> {
    let Some(settings) = ctx.daemon.clone() else {
        return Err(Error::msg("daemon start-up needs a daemon's settings"));
    };
    if !settings.no_daemon {
        let mut core = ctx.config.value("__core__").cloned().unwrap_or(Value::Null);
        core["logging"]["to_console"] = json!(false);
        ctx.config.set_core(core);
        daemonize::detach()?;
        ctx.runlog.insert("pid", json!(std::process::id()));
    }
    daemonize::enter(
        settings.chroot_dir.as_deref(),
        &settings.work_dir,
        settings.umask,
    )?;
    let serial = format!("{:05x}", std::process::id());
    let pid_path = if settings.parallel {
        let state_file = with_serial(&settings.state_file, &serial);
        if let Some(daemon) = ctx.daemon.as_mut() {
            daemon.state_file = state_file;
        }
        instance_path(&settings.pid_file, &serial)
    } else {
        settings.pid_file.clone()
    };
    ctx.pidfile = Some(PidFile::acquire(&pid_path)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_goes_before_the_extension() {
        assert_eq!(
            with_serial(Path::new("/run/app.state"), "0a1b2"),
            Path::new("/run/app.0a1b2.state")
        );
        assert_eq!(
            with_serial(Path::new("/run/app"), "00001"),
            Path::new("/run/app.00001")
        );
    }
}
