//! Start-up of a daemon between configuration and logging: detaching (unless
//! `--no-daemon`), chroot, working directory, umask and the PID file.

use serde_json::json;

use super::daemonize;
use super::pidfile::{instance_path, PidFile};
use crate::context::Context;
use crate::{Error, Result};

/// Detaches (unless `--no-daemon`) and takes the PID file. Logging is not up
/// yet: a daemon that detaches logs to its file only. The chroot, working
/// directory and umask come after the log file is open ([`enter`]).
pub(crate) fn start(ctx: &mut Context) -> Result<()> {
    let Some(settings) = ctx.daemon.clone() else {
        return Err(Error::msg("daemon start-up needs a daemon's settings"));
    };
    if !settings.no_daemon {
        ctx.core.logging.to_console = false;
        ctx.config.set_core(ctx.core.to_json());
        daemonize::detach()?;
        ctx.runlog.insert("pid", json!(std::process::id()));
    }
    let serial = format!("{:05x}", std::process::id());
    let pid_path = if settings.parallel {
        let state_file = instance_path(&settings.state_file, &serial);
        if let Some(daemon) = ctx.daemon.as_mut() {
            daemon.state_file = state_file;
        }
        instance_path(&settings.pid_file, &serial)
    } else {
        settings.pid_file.clone()
    };
    // the application's own run directory is made like its runlog
    // directory; any other place must exist
    if pid_path.parent() == Some(ctx.paths.run.as_path()) && !ctx.paths.run.exists() {
        std::fs::create_dir_all(&ctx.paths.run).map_err(|e| {
            Error::setup(format!(
                "cannot create the run directory {}: {e}",
                ctx.paths.run.display()
            ))
        })?;
    }
    ctx.pidfile = Some(PidFile::acquire(&pid_path)?);
    Ok(())
}

/// Enters the chroot and the working directory and sets the umask; the PID
/// file and the log file, opened before, stay open. This is the first step
/// with logging up, so it reports the daemonization with pyzenkit's words:
/// full (detached by [`start`]) or simple (`--no-daemon`).
pub(crate) fn enter(ctx: &Context) -> Result<()> {
    let Some(settings) = ctx.daemon.as_ref() else {
        return Ok(());
    };
    let (performing, done) = if settings.no_daemon {
        (
            "Performing simple daemonization",
            "Simple daemonization done",
        )
    } else {
        ("Performing full daemonization", "Full daemonization done")
    };
    tracing::info!("{performing}");
    daemonize::enter(
        settings.chroot_dir.as_deref(),
        &settings.work_dir,
        settings.umask,
    )?;
    tracing::info!("{done}");
    Ok(())
}
