//! The directories of a queue: creating the missing ones and checking that
//! they can be trusted.

use std::fs::{self, DirBuilder, File, Permissions};
use std::io::ErrorKind as IoErrorKind;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::unistd::{AccessFlags, Gid, Group, Uid, User};
use zenkit::{Error, ErrorKind, Result};

use crate::Options;

/// The subdirectory of complete messages waiting to be taken.
pub(crate) const INCOMING: &str = "incoming";
/// The subdirectory of messages being processed.
pub(crate) const PENDING: &str = "pending";
/// The subdirectory of files being written.
pub(crate) const TMP: &str = "tmp";
/// The subdirectory of banished messages.
pub(crate) const ERRORS: &str = "errors";

/// One queue directory with its four subdirectories, checked, and open
/// handles of the subdirectories that are flushed.
#[derive(Debug)]
pub(crate) struct QueueDirs {
    pub(crate) root: PathBuf,
    pub(crate) incoming: PathBuf,
    pub(crate) pending: PathBuf,
    pub(crate) tmp: PathBuf,
    pub(crate) errors: PathBuf,
    pub(crate) incoming_handle: File,
    pub(crate) errors_handle: File,
}

impl QueueDirs {
    /// Creates what is missing of the queue directory `root` (`what` names
    /// it in messages: "queue", "next queue") and checks it and its
    /// subdirectories.
    pub(crate) fn prepare(root: &Path, what: &str, options: &Options) -> Result<QueueDirs> {
        ensure_dir(root, what, options, true)?;
        check_dir(root, what, options, true)?;
        let sub = |name: &str| -> Result<(PathBuf, File)> {
            let path = root.join(name);
            ensure_dir(&path, what, options, false)?;
            check_dir(&path, what, options, false)?;
            let handle = File::open(&path).map_err(|err| {
                let message = format!("cannot open {what} directory {}: {err}", path.display());
                Error::with_source(ErrorKind::Setup, message, err)
            })?;
            Ok((path, handle))
        };
        let (incoming, incoming_handle) = sub(INCOMING)?;
        let (pending, _) = sub(PENDING)?;
        let (tmp, _) = sub(TMP)?;
        let (errors, errors_handle) = sub(ERRORS)?;
        Ok(QueueDirs {
            root: root.to_path_buf(),
            incoming,
            pending,
            tmp,
            errors,
            incoming_handle,
            errors_handle,
        })
    }
}

/// Creates directory `path` when it does not exist, with the mode and
/// owner of `options`; the parents of a queue directory (`top`) are
/// created too, with the default mode.
fn ensure_dir(path: &Path, what: &str, options: &Options, top: bool) -> Result<()> {
    match fs::symlink_metadata(path) {
        Err(err) if err.kind() == IoErrorKind::NotFound => {}
        // Whatever is there is checked next.
        _ => return Ok(()),
    }
    let failed = |err: std::io::Error| {
        let mut message = format!("cannot create {what} directory {}", path.display());
        if let Some(perms) = options.perms {
            message.push_str(&format!(" with mode {perms:04o}"));
        }
        if options.user.is_some() || options.group.is_some() {
            message.push_str(&format!(
                " owned by {}:{}",
                options.user.map_or("-".into(), |uid| uid.to_string()),
                options.group.map_or("-".into(), |gid| gid.to_string())
            ));
        }
        message.push_str(&format!(" as uid {}: {err}", nix::unistd::geteuid()));
        Error::with_source(ErrorKind::Setup, message, err)
    };
    if top {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(failed)?;
        }
    }
    match DirBuilder::new()
        .mode(options.perms.unwrap_or(0o755) & 0o7777)
        .create(path)
    {
        Ok(()) => {}
        // Another instance created it meanwhile; it is checked next.
        Err(err) if err.kind() == IoErrorKind::AlreadyExists => return Ok(()),
        Err(err) => return Err(failed(err)),
    }
    if let Some(perms) = options.perms {
        // Exactly this mode: mkdir applies the umask and may drop setgid.
        fs::set_permissions(path, Permissions::from_mode(perms & 0o7777)).map_err(failed)?;
    }
    if options.user.is_some() || options.group.is_some() {
        std::os::unix::fs::lchown(path, options.user, options.group).map_err(failed)?;
    }
    Ok(())
}

/// Checks that directory `path` can be trusted with messages: a directory
/// (the queue directory itself may be reached through a symbolic link, a
/// subdirectory may not), not writable by every user, and, for a process
/// running as root, owned by root or the queue's user and writable by no
/// group but root's or the queue's; a process that is not root must be
/// able to write in it.
fn check_dir(path: &Path, what: &str, options: &Options, top: bool) -> Result<()> {
    let refused = |reason: String| {
        Error::setup(format!(
            "{what} directory {} cannot be used: {reason}",
            path.display()
        ))
    };
    let meta = if top {
        fs::metadata(path)
    } else {
        fs::symlink_metadata(path)
    };
    let meta = meta.map_err(|err| {
        let message = format!("cannot use {what} directory {}: {err}", path.display());
        Error::with_source(ErrorKind::Setup, message, err)
    })?;
    let file_type = meta.file_type();
    if file_type.is_symlink() {
        return Err(refused(
            "it is a symbolic link; the subdirectories of a queue must be real directories".into(),
        ));
    }
    if !file_type.is_dir() {
        return Err(refused("it is not a directory".into()));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o002 != 0 {
        return Err(refused(format!(
            "it is writable by every user (mode {mode:04o}), who could plant or remove messages; \
             remove that permission (chmod o-w)"
        )));
    }
    let euid = nix::unistd::geteuid();
    if euid.is_root() {
        if meta.uid() != 0 && Some(meta.uid()) != options.user {
            return Err(refused(format!(
                "it is owned by {}, neither root nor the queue's user, and a process running as \
                 root must not work in a directory another user controls; change its owner, or \
                 name that user as the queue's user",
                describe_user(meta.uid())
            )));
        }
        if mode & 0o020 != 0 && meta.gid() != 0 && Some(meta.gid()) != options.group {
            return Err(refused(format!(
                "it is writable by {} (mode {mode:04o}), neither root's group nor the queue's, \
                 and a process running as root must not work in a directory other users \
                 control; remove the group's write permission (chmod g-w), or name that group \
                 as the queue's group",
                describe_group(meta.gid())
            )));
        }
    } else if let Err(err) = nix::unistd::eaccess(path, AccessFlags::W_OK | AccessFlags::X_OK) {
        return Err(refused(format!(
            "it is not writable by {} ({})",
            describe_user(euid.as_raw()),
            err.desc()
        )));
    }
    Ok(())
}

/// `user 'nobody' (uid 65534)`, or `uid 1234` for an unknown one.
fn describe_user(uid: u32) -> String {
    match User::from_uid(Uid::from_raw(uid)) {
        Ok(Some(user)) => format!("user '{}' (uid {uid})", user.name),
        _ => format!("uid {uid}"),
    }
}

/// `group 'staff' (gid 50)`, or `gid 1234` for an unknown one.
fn describe_group(gid: u32) -> String {
    match Group::from_gid(Gid::from_raw(gid)) {
        Ok(Some(group)) => format!("group '{}' (gid {gid})", group.name),
        _ => format!("gid {gid}"),
    }
}
