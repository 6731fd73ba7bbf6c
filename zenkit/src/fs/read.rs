//! Reading a file that must be a regular file of bounded size, without
//! blocking on a FIFO or a device.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{Mode, SFlag};

/// Why [`read_regular`] read nothing.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The path names something other than a regular file; the text says
    /// what, with an article (`"a FIFO"`, `"a character device"`, `"a
    /// symbolic link"` when links are not followed).
    NotRegular(&'static str),
    /// The file is larger than the limit, in bytes.
    TooLarge(u64),
    /// Opening or reading failed (a missing file is
    /// [`IoErrorKind::NotFound`]; a directory is `EISDIR`).
    Io(io::Error),
}

impl ReadError {
    /// `is not a regular file (a FIFO)`, `is larger than 16 MiB`, or the
    /// I/O error's text: the middle of a message that names the file first.
    pub(crate) fn what(&self) -> String {
        match self {
            ReadError::NotRegular(kind) => format!("is not a regular file ({kind})"),
            ReadError::TooLarge(limit) => format!("is larger than {}", Size(*limit)),
            ReadError::Io(err) => err.to_string(),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(err: io::Error) -> Self {
        ReadError::Io(err)
    }
}

/// A size limit as people write it: `16 MiB`, `512 KiB`, `100 bytes`.
pub(super) struct Size(pub(super) u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            n if n >= 1 << 20 && n % (1 << 20) == 0 => write!(f, "{} MiB", n >> 20),
            n if n >= 1 << 10 && n % (1 << 10) == 0 => write!(f, "{} KiB", n >> 10),
            n => write!(f, "{n} bytes"),
        }
    }
}

/// What a file of type `file_type` is, with an article, for messages:
/// `"a FIFO"`, `"a symbolic link"`, `"a directory"`, …
pub fn describe(file_type: fs::FileType) -> &'static str {
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a directory"
    } else {
        "an unknown kind of file"
    }
}

/// What `stat` says a file of mode `mode` is, like [`describe`].
pub(super) fn describe_mode(mode: nix::libc::mode_t) -> &'static str {
    match SFlag::from_bits_truncate(mode & SFlag::S_IFMT.bits()) {
        SFlag::S_IFSOCK => "a socket",
        SFlag::S_IFCHR => "a character device",
        SFlag::S_IFBLK => "a block device",
        SFlag::S_IFIFO => "a FIFO",
        _ => "an unknown kind of file",
    }
}

/// Reads the regular file at `path` into `buf` (cleared first), at most
/// `limit` bytes.
///
/// With `dir`, the file's name is opened relative to that open directory
/// (`path` is then only its name in messages and must end in it). Symbolic
/// links are followed when `follow_links` is true; otherwise a link is
/// refused as [`ReadError::NotRegular`].
///
/// The file is opened without blocking and without becoming the
/// controlling terminal, then the open descriptor is checked: a FIFO, a
/// device or a socket is refused before anything is read from it, and a
/// file larger than `limit` is refused by its size. At most `limit + 1`
/// bytes are read all the same, so a file that grows, or claims a wrong
/// size, cannot exhaust memory.
pub(crate) fn read_regular(
    dir: Option<&File>,
    path: &Path,
    follow_links: bool,
    limit: u64,
    buf: &mut Vec<u8>,
) -> std::result::Result<(), ReadError> {
    buf.clear();
    let (file, meta) = open_checked(dir, path, follow_links)?;
    read_bounded(file, &meta, limit, buf)
}

/// Opens `path` (or its name in `dir`) as [`read_regular`] does and checks
/// through the open descriptor that it is a regular file; returns the file
/// and what `fstat` said of it, for a caller that checks more before it
/// reads with [`read_bounded`].
pub(crate) fn open_checked(
    dir: Option<&File>,
    path: &Path,
    follow_links: bool,
) -> std::result::Result<(File, fs::Metadata), ReadError> {
    let file = open_regular(dir, path, follow_links)?;
    let meta = file.metadata()?;
    let file_type = meta.file_type();
    if file_type.is_dir() {
        // Reported as before: reading a directory fails with EISDIR.
        return Err(ReadError::Io(io::Error::from_raw_os_error(
            nix::libc::EISDIR,
        )));
    }
    if !file_type.is_file() {
        return Err(ReadError::NotRegular(describe(file_type)));
    }
    Ok((file, meta))
}

/// Reads the regular `file` that `meta` describes into `buf`, at most
/// `limit` bytes (see [`read_regular`]).
pub(crate) fn read_bounded(
    file: File,
    meta: &fs::Metadata,
    limit: u64,
    buf: &mut Vec<u8>,
) -> std::result::Result<(), ReadError> {
    buf.clear();
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    // O_NONBLOCK is still set, which regular files ignore.
    file.take(limit.saturating_add(1)).read_to_end(buf)?;
    if buf.len() as u64 > limit {
        buf.clear();
        return Err(ReadError::TooLarge(limit));
    }
    Ok(())
}

/// Opens `path` (or its name in `dir`) for [`read_regular`].
pub(super) fn open_regular(
    dir: Option<&File>,
    path: &Path,
    follow_links: bool,
) -> std::result::Result<File, ReadError> {
    let mut flags = OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK | OFlag::O_NOCTTY;
    if !follow_links {
        flags |= OFlag::O_NOFOLLOW;
    }
    let name = path.file_name().filter(|_| dir.is_some());
    let opened = match (dir, name) {
        (Some(dir), Some(name)) => nix::fcntl::openat(dir, name, flags, Mode::empty()),
        _ => nix::fcntl::open(path, flags, Mode::empty()),
    };
    match opened {
        Ok(fd) => Ok(File::from(fd)),
        Err(Errno::ELOOP) if !follow_links => Err(ReadError::NotRegular("a symbolic link")),
        Err(Errno::ENXIO) => {
            // A socket cannot be opened at all; say what it is rather
            // than "no such device or address".
            let stat_flags = if follow_links {
                AtFlags::empty()
            } else {
                AtFlags::AT_SYMLINK_NOFOLLOW
            };
            let stat = match (dir, name) {
                (Some(dir), Some(name)) => nix::sys::stat::fstatat(dir, name, stat_flags),
                _ => nix::sys::stat::fstatat(nix::fcntl::AT_FDCWD, path, stat_flags),
            };
            match stat {
                Ok(stat) => Err(ReadError::NotRegular(describe_mode(stat.st_mode))),
                Err(_) => Err(ReadError::Io(Errno::ENXIO.into())),
            }
        }
        Err(errno) => Err(ReadError::Io(errno.into())),
    }
}
