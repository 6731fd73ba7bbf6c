//! Crash-safe file writes, JSON files and directory listings.
//!
//! Every file zenkit writes for the user (persistent state, runlogs, daemon
//! state) goes through [`write_atomic`]: the data lands in a new temporary
//! file in the same directory, is flushed to disk, then renamed over the
//! target and the directory is flushed too. A reader sees the old file or the
//! new one, never an empty or partial one, even if the writer is killed half
//! way. A writer killed half way leaves its temporary file behind; the next
//! write of the same file removes it once that writer is gone
//! ([`write_atomic`]).
//!
//! The files zenkit reads (configuration, persistent state, runlogs) must be
//! regular files: a FIFO or a device is refused without blocking on it, and
//! so is a file over a size limit ([`MAX_CONFIG_FILE_SIZE`],
//! [`MAX_DATA_FILE_SIZE`]).
//!
//! JSON is written as pyzenkit writes it: object keys sorted, 4-space indent.
//!
//! The runtime lists the directories it reads (configuration directory
//! files, PID files, runlogs) here too: the entries a test on their names
//! accepts, in name order.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions, Permissions};
use std::hash::{BuildHasher, RandomState};
use std::io::{self, ErrorKind as IoErrorKind, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{Mode, SFlag};
use nix::unistd::UnlinkatFlags;

use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::runlog::Runlog;
use crate::{Error, ErrorKind, Result};

/// Default mode of the files zenkit writes (runlogs, dumps): readable by
/// everybody, writable by the owner only.
pub const FILE_MODE: u32 = 0o644;

/// Default mode of files that may hold secrets (the persistent state):
/// readable and writable by the owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Largest configuration file read: 16 MiB.
pub const MAX_CONFIG_FILE_SIZE: u64 = 16 << 20;

/// Largest JSON data file read (persistent state, runlog): 256 MiB.
pub const MAX_DATA_FILE_SIZE: u64 = 256 << 20;

/// How many temporary names are tried before giving up; a name is taken only
/// when somebody else created a file of the same random name meanwhile.
const TEMP_ATTEMPTS: u32 = 16;

/// Writes `data` to `path` atomically (new temporary file, fsync, rename,
/// fsync of the directory). Missing parent directories are created (when
/// the temporary file cannot be created for their lack, so a directory that
/// exists costs nothing).
///
/// The file gets the mode of the file it replaces without group and world
/// write permission (`mode & !0o022`) or, when `path` names no regular file
/// yet, `default_mode` ([`FILE_MODE`], [`PRIVATE_FILE_MODE`]). The mode is set
/// explicitly, so the umask does not change it.
///
/// The temporary file is `.<file name>.<pid>.<random>.tmp` beside the
/// target (`<pid>` is the writer's process ID in decimal, `<random>` 16 hex
/// digits), created exclusively and without following symbolic links: a
/// file or link planted there by somebody else is never written to. Before
/// it is created, the temporary files of `path` left by writers that no
/// longer run are removed: the regular files of that pattern whose `<pid>`
/// names no running process.
pub fn write_atomic(path: &Path, data: &[u8], default_mode: u32) -> io::Result<()> {
    let file_name = path.file_name().unwrap_or_default();
    write_atomic_sweeping(path, data, default_mode, |stem| stem == file_name)
}

/// [`write_atomic`], removing beforehand the temporary files of a dead
/// writer of any file whose name `stale` accepts.
pub(crate) fn write_atomic_sweeping(
    path: &Path,
    data: &[u8],
    default_mode: u32,
    stale: impl FnMut(&OsStr) -> bool,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(IoErrorKind::InvalidInput, "path has no file name"))?;
    let mode = target_mode(path, default_mode);
    remove_stale_temps(&dir, stale);
    let (mut file, tmp) = match create_temp(&dir, temp_names(file_name)) {
        Err(err) if lacks_directory(&err) => {
            // For a file where a directory belongs (ENOTDIR) this fails
            // too, and its error says so more plainly.
            fs::create_dir_all(&dir)?;
            create_temp(&dir, temp_names(file_name))?
        }
        created => created?,
    };
    let result = (|| {
        file.set_permissions(Permissions::from_mode(mode))?;
        file.write_all(data)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether creating a file failed because its directory, or a directory
/// above it, is missing (or a file stands where one belongs).
fn lacks_directory(err: &io::Error) -> bool {
    err.kind() == IoErrorKind::NotFound || err.raw_os_error() == Some(nix::libc::ENOTDIR)
}

/// The mode a file written at `path` gets (see [`write_atomic`]).
fn target_mode(path: &Path, default_mode: u32) -> u32 {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => meta.mode() & 0o777 & !0o022,
        _ => default_mode & 0o777,
    }
}

/// Endless random temporary names for `file_name`:
/// `.<file_name>.<pid>.<hex>.tmp`.
fn temp_names(file_name: &OsStr) -> impl Iterator<Item = OsString> + '_ {
    // `RandomState` keys come from the operating system's random source, so
    // the names cannot be guessed in advance.
    let pid = std::process::id();
    let mut counter = 0u64;
    std::iter::from_fn(move || {
        counter += 1;
        let random = RandomState::new().hash_one((pid, counter));
        let mut name = OsString::from(".");
        name.push(file_name);
        name.push(format!(".{pid}.{random:016x}.tmp"));
        Some(name)
    })
}

/// The file name and the writer's PID of a temporary file name made by
/// [`temp_names`], `.<file name>.<pid>.<16 hex digits>.tmp`; `None` for any
/// other name.
fn parse_temp_name(name: &OsStr) -> Option<(&OsStr, i32)> {
    let inner = name.as_bytes().strip_prefix(b".")?.strip_suffix(b".tmp")?;
    let mut parts = inner.rsplitn(3, |&b| b == b'.');
    let random = parts.next()?;
    let pid = parts.next()?;
    let file_name = parts.next()?;
    let is_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    if random.len() != 16 || !random.iter().all(is_hex) || file_name.is_empty() {
        return None;
    }
    // Canonical decimal only: no sign, no leading zero, so never 0 (which
    // `kill` would take for the process group).
    if matches!(pid.first(), None | Some(b'0')) || !pid.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pid: i32 = std::str::from_utf8(pid).ok()?.parse().ok()?;
    Some((OsStr::from_bytes(file_name), pid))
}

/// Whether no process `pid` exists (`kill(pid, 0)` fails with `ESRCH`); a
/// process of another user counts as running.
fn process_is_gone(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) == Err(Errno::ESRCH)
}

/// Removes from `dir` the temporary files that [`write_atomic`] left when
/// its writer was killed: the regular files named
/// `.<file name>.<pid>.<16 hex digits>.tmp` whose `<file name>` `stale`
/// accepts and whose writer `<pid>` no longer runs.
///
/// The file of a running writer, any other name, symbolic links and
/// directories are left alone; entries are removed relative to the
/// directory, never through a link. Best effort: a directory that cannot be
/// read, or an entry that cannot be removed, is left as it is.
///
/// A process ID reused since the writer died keeps its file until the next
/// write after that process ends.
pub(crate) fn remove_stale_temps(dir: &Path, mut stale: impl FnMut(&OsStr) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut handle = None;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((file_name, pid)) = parse_temp_name(&name) else {
            continue;
        };
        // `DirEntry::file_type` does not follow links.
        if !stale(file_name)
            || !entry.file_type().is_ok_and(|t| t.is_file())
            || !process_is_gone(pid)
        {
            continue;
        }
        if handle.is_none() {
            handle = File::open(dir).ok();
        }
        let Some(dir_fd) = &handle else {
            return;
        };
        let _ = nix::unistd::unlinkat(dir_fd, name.as_os_str(), UnlinkatFlags::NoRemoveDir);
    }
}

/// Creates a new file (mode 0600) in `dir` under the first of `names` that
/// is free, trying at most [`TEMP_ATTEMPTS`] names. Existing files and
/// symbolic links are never opened.
fn create_temp(dir: &Path, names: impl Iterator<Item = OsString>) -> io::Result<(File, PathBuf)> {
    for name in names.take(TEMP_ATTEMPTS as usize) {
        let tmp = dir.join(name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
            .mode(PRIVATE_FILE_MODE)
            .open(&tmp)
        {
            Ok(file) => return Ok((file, tmp)),
            Err(err) if err.kind() == IoErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        IoErrorKind::AlreadyExists,
        format!(
            "no free temporary file name in {} after {TEMP_ATTEMPTS} tries",
            dir.display()
        ),
    ))
}

/// A borrowed JSON document for [`to_json_pretty`] and the JSON writers: a
/// value, an object or a runlog. `&Value`, `&Map<String, Value>` and
/// `&Runlog` convert into it, so nothing is copied to render them.
#[derive(Debug, Clone, Copy)]
pub enum JsonRef<'a> {
    /// Any JSON value.
    Value(&'a Value),
    /// A JSON object.
    Object(&'a Map<String, Value>),
}

impl<'a> From<&'a Value> for JsonRef<'a> {
    fn from(value: &'a Value) -> Self {
        JsonRef::Value(value)
    }
}

impl<'a> From<&'a Map<String, Value>> for JsonRef<'a> {
    fn from(map: &'a Map<String, Value>) -> Self {
        JsonRef::Object(map)
    }
}

impl<'a> From<&'a Runlog> for JsonRef<'a> {
    fn from(runlog: &'a Runlog) -> Self {
        JsonRef::Object(runlog.as_map())
    }
}

/// Serializes a value with the keys of every object in sorted order,
/// whatever order the map keeps them in (serde_json's `preserve_order`
/// feature keeps insertion order).
struct Sorted<'a>(&'a Value);

/// Serializes an object with its keys in sorted order, see [`Sorted`].
struct SortedMap<'a>(&'a Map<String, Value>);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Value::Array(items) => serializer.collect_seq(items.iter().map(Sorted)),
            Value::Object(map) => SortedMap(map).serialize(serializer),
            scalar => scalar.serialize(serializer),
        }
    }
}

impl Serialize for SortedMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut entries: Vec<(&String, &Value)> = self.0.iter().collect();
        // Byte order of UTF-8 is code point order, Python's `sort_keys` order.
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        serializer.collect_map(entries.into_iter().map(|(key, value)| (key, Sorted(value))))
    }
}

/// Renders JSON as pyzenkit does: object keys sorted, 4-space indent, no
/// trailing newline.
pub fn to_json_pretty<'a>(value: impl Into<JsonRef<'a>>) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    let rendered = match value.into() {
        JsonRef::Value(value) => Sorted(value).serialize(&mut ser),
        JsonRef::Object(map) => SortedMap(map).serialize(&mut ser),
    };
    rendered.expect("JSON values have string keys and finite numbers, so they always serialize");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes JSON atomically, formatted by [`to_json_pretty`] with a final
/// newline; a new file gets [`FILE_MODE`] (see [`write_atomic`]).
pub fn write_json_atomic<'a>(path: &Path, value: impl Into<JsonRef<'a>>) -> io::Result<()> {
    write_json_atomic_with_mode(path, value, FILE_MODE)
}

/// Writes JSON atomically like [`write_json_atomic`]; a new file gets
/// `default_mode`.
pub fn write_json_atomic_with_mode<'a>(
    path: &Path,
    value: impl Into<JsonRef<'a>>,
    default_mode: u32,
) -> io::Result<()> {
    let mut text = to_json_pretty(value);
    text.push('\n');
    write_atomic(path, text.as_bytes(), default_mode)
}

/// Writes JSON atomically like [`write_json_atomic_with_mode`], removing
/// beforehand the temporary files that dead writers left of any file whose
/// name `stale` accepts (not only of `path`).
pub(crate) fn write_json_atomic_sweeping<'a>(
    path: &Path,
    value: impl Into<JsonRef<'a>>,
    default_mode: u32,
    stale: impl FnMut(&OsStr) -> bool,
) -> io::Result<()> {
    let mut text = to_json_pretty(value);
    text.push('\n');
    write_atomic_sweeping(path, text.as_bytes(), default_mode, stale)
}

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
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            n if n >= 1 << 20 && n % (1 << 20) == 0 => write!(f, "{} MiB", n >> 20),
            n if n >= 1 << 10 && n % (1 << 10) == 0 => write!(f, "{} KiB", n >> 10),
            n => write!(f, "{n} bytes"),
        }
    }
}

/// What a file of type `file_type` is, with an article, for messages.
fn describe(file_type: fs::FileType) -> &'static str {
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
fn describe_mode(mode: nix::libc::mode_t) -> &'static str {
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
fn open_regular(
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

/// Reads a file that must hold a JSON object; `Ok(None)` when it does not
/// exist.
///
/// `what` names the file in messages (`"persistent state file"`); every
/// failure is an error of `kind`: an unreadable file, one that is not a
/// regular file (a FIFO, a device) or is larger than
/// [`MAX_DATA_FILE_SIZE`], a syntax error (with the file, line and column)
/// or a value other than an object. Symbolic links are followed.
pub fn read_json_object(
    path: &Path,
    what: &str,
    kind: ErrorKind,
) -> Result<Option<Map<String, Value>>> {
    read_json_object_as(
        path,
        &JsonFile {
            what,
            kind,
            hint: "replace it with a regular file",
            follow_links: true,
        },
    )
}

/// How [`read_json_object_as`] reads a file and reports its failures.
pub(crate) struct JsonFile<'a> {
    /// Names the file in messages: `"persistent state file"`.
    pub what: &'a str,
    /// The kind of every error.
    pub kind: ErrorKind,
    /// What to do about a path that is not a regular file:
    /// `"point --pstate-file at a file"`.
    pub hint: &'a str,
    /// Whether a symbolic link is followed or refused.
    pub follow_links: bool,
}

/// [`read_json_object`] as `file` says.
pub(crate) fn read_json_object_as(
    path: &Path,
    file: &JsonFile<'_>,
) -> Result<Option<Map<String, Value>>> {
    let JsonFile {
        what, kind, hint, ..
    } = *file;
    let mut bytes = Vec::new();
    match read_regular(
        None,
        path,
        file.follow_links,
        MAX_DATA_FILE_SIZE,
        &mut bytes,
    ) {
        Ok(()) => {}
        Err(ReadError::Io(err)) if err.kind() == IoErrorKind::NotFound => return Ok(None),
        Err(err @ ReadError::NotRegular(_)) => {
            return Err(Error::new(
                kind,
                format!("{what} {} {}; {hint}", path.display(), err.what()),
            ))
        }
        Err(err @ ReadError::TooLarge(_)) => {
            return Err(Error::new(
                kind,
                format!(
                    "{what} {} {}; fix or remove the file",
                    path.display(),
                    err.what()
                ),
            ))
        }
        Err(ReadError::Io(err)) => {
            return Err(Error::new(
                kind,
                format!("cannot read {what} {}: {err}", path.display()),
            ))
        }
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(Error::new(
            kind,
            format!(
                "cannot read {what} {}: stream did not contain valid UTF-8",
                path.display()
            ),
        ));
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(other) => Err(Error::new(
            kind,
            format!(
                "{what} {} holds {}, not a JSON object; fix or remove the file",
                path.display(),
                json_kind(&other)
            ),
        )),
        Err(err) => Err(Error::new(
            kind,
            format!(
                "{what} {} is not valid JSON; fix or remove the file",
                json_error_location(path, &err)
            ),
        )),
    }
}

/// Which entries [`list_dir`] keeps, besides those its name test refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// Regular files only; symbolic links are left out, whatever they
    /// point at.
    Regular,
    /// Everything but directories once symbolic links are followed:
    /// dangling links and links to directories are left out, FIFOs and
    /// devices kept (for a reader that refuses them with a message).
    Followed,
    /// Everything but directories; a symbolic link is not followed and is
    /// kept whatever it points at.
    NotDir,
}

impl EntryKind {
    fn admits(self, entry: &fs::DirEntry) -> bool {
        // The type comes with the listing on most file systems, so only
        // links cost a `stat`.
        let file_type = entry.file_type();
        match self {
            EntryKind::Regular => file_type.is_ok_and(|t| t.is_file()),
            EntryKind::NotDir => file_type.is_ok_and(|t| !t.is_dir()),
            EntryKind::Followed => match file_type {
                Ok(t) if !t.is_symlink() => !t.is_dir(),
                _ => fs::metadata(entry.path()).is_ok_and(|m| !m.is_dir()),
            },
        }
    }
}

/// The entries of `dir` of `kind` whose names `keep` accepts, as paths into
/// `dir`, in ascending name order.
///
/// Failing to open or to read the directory is returned as it is (a
/// missing directory is [`IoErrorKind::NotFound`]), for the caller to say
/// what the directory was for.
pub(crate) fn list_dir(
    dir: &Path,
    kind: EntryKind,
    mut keep: impl FnMut(&OsStr) -> bool,
) -> io::Result<Vec<PathBuf>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if keep(&name) && kind.admits(&entry) {
            names.push(name);
        }
    }
    names.sort_unstable();
    Ok(names.into_iter().map(|name| dir.join(name)).collect())
}

/// `<file>:<line>:<column>: <what is wrong>` for a JSON syntax error in `path`.
pub(crate) fn json_error_location(path: &Path, err: &serde_json::Error) -> String {
    let full = err.to_string();
    // serde_json appends " at line L column C"; the position is already in front.
    let what = match full.rfind(" at line ") {
        Some(at) if err.line() > 0 => &full[..at],
        _ => full.as_str(),
    };
    format!("{}:{}:{}: {what}", path.display(), err.line(), err.column())
}

/// The kind of a JSON value, with an article, for error messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn entries(dir: &Path) -> Vec<OsString> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    }

    /// The temporary file name the first version used: predictable.
    fn old_temp_name(dir: &Path, file_name: &str) -> PathBuf {
        dir.join(format!(".{file_name}.{}.tmp", std::process::id()))
    }

    #[test]
    fn writes_sorted_indented_json_with_safe_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        let value = serde_json::json!({"b": 1, "a": {"y": true, "x": null}});
        write_json_atomic(&path, &value).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\n    \"a\": {\n        \"x\": null,\n        \"y\": true\n    },\n    \"b\": 1\n}\n"
        );
        assert_eq!(mode_of(&path), FILE_MODE);
        assert_eq!(
            entries(path.parent().unwrap()),
            ["state.json"],
            "temporary file left behind"
        );
    }

    #[test]
    fn keys_are_sorted_whatever_order_the_map_keeps() {
        // With serde_json's `preserve_order` feature a map keeps insertion
        // order; the rendering must sort all the same.
        let mut inner = Map::new();
        inner.insert("é".into(), Value::from(3));
        inner.insert("z".into(), Value::from(2));
        inner.insert("B".into(), Value::from(1));
        let mut map = Map::new();
        map.insert("list".into(), Value::Array(vec![Value::Object(inner)]));
        map.insert("empty".into(), Value::Object(Map::new()));
        map.insert("a".into(), Value::Null);
        let expected = "{\n    \"a\": null,\n    \"empty\": {},\n    \"list\": [\n        {\n            \"B\": 1,\n            \"z\": 2,\n            \"é\": 3\n        }\n    ]\n}";
        assert_eq!(to_json_pretty(&map), expected);
        assert_eq!(to_json_pretty(&Value::Object(map.clone())), expected);
        assert_eq!(to_json_pretty(&Value::from("x")), "\"x\"");
    }

    #[test]
    fn replaces_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_atomic(&path, b"one", FILE_MODE).unwrap();
        write_atomic(&path, b"two", FILE_MODE).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(entries(dir.path()), ["f"]);
    }

    #[test]
    fn planted_symlink_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let path = dir.path().join("f");
        symlink(&victim, old_temp_name(dir.path(), "f")).unwrap();
        write_atomic(&path, b"data", FILE_MODE).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read(&path).unwrap(), b"data");
        assert!(!fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn planted_world_writable_temporary_file_is_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let planted = old_temp_name(dir.path(), "f");
        fs::write(&planted, "").unwrap();
        fs::set_permissions(&planted, Permissions::from_mode(0o666)).unwrap();
        write_atomic(&path, b"data", FILE_MODE).unwrap();
        assert_eq!(mode_of(&path), FILE_MODE);
        assert_eq!(fs::read(&planted).unwrap(), b"", "planted file written to");
    }

    #[test]
    fn taken_temporary_names_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        fs::write(dir.path().join("taken"), "theirs").unwrap();
        symlink(&victim, dir.path().join("link")).unwrap();
        let names = ["taken", "link", "free"].map(OsString::from).into_iter();
        let (mut file, tmp) = create_temp(dir.path(), names).unwrap();
        file.write_all(b"mine").unwrap();
        assert_eq!(tmp, dir.path().join("free"));
        assert_eq!(mode_of(&tmp), PRIVATE_FILE_MODE);
        assert_eq!(
            fs::read_to_string(dir.path().join("taken")).unwrap(),
            "theirs"
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");

        let names = std::iter::repeat(OsString::from("taken"));
        let err = create_temp(dir.path(), names).unwrap_err();
        assert_eq!(err.kind(), IoErrorKind::AlreadyExists);
    }

    #[test]
    fn temporary_names_differ() {
        let names: Vec<OsString> = temp_names(OsStr::new("app.pstate")).take(3).collect();
        assert_ne!(names[0], names[1]);
        assert_ne!(names[1], names[2]);
        let first = names[0].to_str().unwrap();
        assert!(first.starts_with(".app.pstate.") && first.ends_with(".tmp"));
        assert_ne!(first, format!(".app.pstate.{}.tmp", std::process::id()));
    }

    #[test]
    fn existing_mode_is_kept_without_group_and_world_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        for (before, after) in [
            (0o600, 0o600),
            (0o640, 0o640),
            (0o666, 0o644),
            (0o775, 0o755),
        ] {
            fs::write(&path, "old").unwrap();
            fs::set_permissions(&path, Permissions::from_mode(before)).unwrap();
            write_atomic(&path, b"new", FILE_MODE).unwrap();
            assert_eq!(mode_of(&path), after, "mode {before:o}");
            write_atomic(&path, b"newer", PRIVATE_FILE_MODE).unwrap();
            assert_eq!(mode_of(&path), after, "mode {before:o}, second write");
        }
    }

    #[test]
    fn new_file_gets_the_default_mode() {
        let dir = tempfile::tempdir().unwrap();
        let private = dir.path().join("private");
        write_atomic(&private, b"secret", PRIVATE_FILE_MODE).unwrap();
        assert_eq!(mode_of(&private), PRIVATE_FILE_MODE);
        let public = dir.path().join("public");
        write_json_atomic(&public, &Value::Null).unwrap();
        assert_eq!(mode_of(&public), FILE_MODE);
        let with_mode = dir.path().join("with_mode");
        write_json_atomic_with_mode(&with_mode, &Map::new(), PRIVATE_FILE_MODE).unwrap();
        assert_eq!(mode_of(&with_mode), PRIVATE_FILE_MODE);
        assert_eq!(fs::read_to_string(&with_mode).unwrap(), "{}\n");
    }

    #[test]
    fn symlink_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other");
        fs::write(&other, "other").unwrap();
        fs::set_permissions(&other, Permissions::from_mode(0o666)).unwrap();
        let path = dir.path().join("f");
        symlink(&other, &path).unwrap();
        write_atomic(&path, b"new", PRIVATE_FILE_MODE).unwrap();
        assert_eq!(fs::read_to_string(&other).unwrap(), "other");
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode_of(&path), PRIVATE_FILE_MODE);
    }

    #[test]
    fn failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory at the target: the rename fails.
        let path = dir.path().join("target");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), "x").unwrap();
        assert!(write_atomic(&path, b"data", FILE_MODE).is_err());
        assert_eq!(entries(dir.path()), ["target"]);
    }

    #[test]
    fn read_json_object_reports_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        assert_eq!(
            read_json_object(&path, "test file", ErrorKind::Config).unwrap(),
            None
        );

        fs::write(&path, "{\"b\": [1], \"a\": 2}").unwrap();
        let map = read_json_object(&path, "test file", ErrorKind::Config)
            .unwrap()
            .unwrap();
        assert_eq!(Value::Object(map), serde_json::json!({"a": 2, "b": [1]}));

        fs::write(&path, "{\n  \"a\": 1,\n  oops\n}").unwrap();
        let err = read_json_object(&path, "test file", ErrorKind::Config).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert_eq!(
            err.message(),
            format!(
                "test file {}:3:3: key must be a string is not valid JSON; fix or remove the file",
                path.display()
            )
        );

        fs::write(&path, "true").unwrap();
        let err = read_json_object(&path, "test file", ErrorKind::Runtime).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
        assert_eq!(
            err.message(),
            format!(
                "test file {} holds a boolean, not a JSON object; fix or remove the file",
                path.display()
            )
        );

        let err = read_json_object(dir.path(), "test file", ErrorKind::Setup).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert!(err
            .message()
            .starts_with(&format!("cannot read test file {}: ", dir.path().display())));
    }

    #[test]
    fn missing_directories_are_created_and_a_blocked_path_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/f");
        write_atomic(&path, b"one", FILE_MODE).unwrap();
        write_atomic(&path, b"two", FILE_MODE).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");

        let blocker = dir.path().join("blocker");
        fs::write(&blocker, "a file, not a directory").unwrap();
        for target in [blocker.join("f"), blocker.join("sub/f")] {
            let err = write_atomic(&target, b"x", FILE_MODE).unwrap_err();
            let expected = fs::create_dir_all(target.parent().unwrap()).unwrap_err();
            assert_eq!(
                err.to_string(),
                expected.to_string(),
                "{}",
                target.display()
            );
        }
    }

    #[test]
    fn listings_keep_matching_names_of_the_kind_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in ["b.x", "a.x", "c.y", "ab.x"] {
            fs::write(d.join(name), "").unwrap();
        }
        fs::create_dir(d.join("dir.x")).unwrap();
        symlink(d.join("a.x"), d.join("link.x")).unwrap();
        symlink(d.join("dir.x"), d.join("linked-dir.x")).unwrap();
        symlink(d.join("nowhere"), d.join("dangling.x")).unwrap();
        nix::unistd::mkfifo(&d.join("fifo.x"), Mode::from_bits_truncate(0o600)).unwrap();
        let names = |kind| -> Vec<String> {
            list_dir(d, kind, |name| name.to_string_lossy().ends_with(".x"))
                .unwrap()
                .into_iter()
                .map(|path| {
                    assert_eq!(path.parent(), Some(d));
                    path.file_name().unwrap().to_string_lossy().into_owned()
                })
                .collect()
        };
        assert_eq!(names(EntryKind::Regular), ["a.x", "ab.x", "b.x"]);
        assert_eq!(
            names(EntryKind::Followed),
            ["a.x", "ab.x", "b.x", "fifo.x", "link.x"]
        );
        assert_eq!(
            names(EntryKind::NotDir),
            [
                "a.x",
                "ab.x",
                "b.x",
                "dangling.x",
                "fifo.x",
                "link.x",
                "linked-dir.x"
            ]
        );

        let missing = list_dir(&d.join("missing"), EntryKind::Regular, |_| true).unwrap_err();
        assert_eq!(missing.kind(), IoErrorKind::NotFound);
        let not_dir = list_dir(&d.join("a.x"), EntryKind::Regular, |_| true).unwrap_err();
        assert_eq!(not_dir.raw_os_error(), Some(nix::libc::ENOTDIR));
    }

    /// A process ID that no process has: the highest free one below the
    /// kernel's limit.
    fn dead_pid() -> i32 {
        let max = fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
            .unwrap_or(32768);
        (2..max)
            .rev()
            .find(|&pid| process_is_gone(pid))
            .expect("a free process ID")
    }

    fn read(path: &Path, follow: bool, limit: u64) -> std::result::Result<Vec<u8>, ReadError> {
        let mut buf = b"old".to_vec();
        read_regular(None, path, follow, limit, &mut buf).map(|()| buf)
    }

    fn refused_as(result: std::result::Result<Vec<u8>, ReadError>) -> String {
        match result {
            Err(err @ (ReadError::NotRegular(_) | ReadError::TooLarge(_))) => err.what(),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn temporary_names_carry_the_writers_pid() {
        let name = temp_names(OsStr::new("app.pstate")).next().unwrap();
        assert_eq!(
            parse_temp_name(&name),
            Some((OsStr::new("app.pstate"), std::process::id() as i32))
        );
        for (name, parsed) in [
            (".a.b.12.0123456789abcdef.tmp", Some(("a.b", 12))),
            (".x.1.ffffffffffffffff.tmp", Some(("x", 1))),
            (".x.0.0123456789abcdef.tmp", None),
            (".x.012.0123456789abcdef.tmp", None),
            (".x.-3.0123456789abcdef.tmp", None),
            (".x.+3.0123456789abcdef.tmp", None),
            (".x.99999999999.0123456789abcdef.tmp", None),
            (".x.12.0123456789ABCDEF.tmp", None),
            (".x.12.0123456789abcde.tmp", None),
            (".x.12.0123456789abcdef.tmp~", None),
            ("x.12.0123456789abcdef.tmp", None),
            ("..12.0123456789abcdef.tmp", None),
            (".12.0123456789abcdef.tmp", None),
            (".x.0123456789abcdef.tmp", None),
            (".x.12.tmp", None),
        ] {
            let expected = parsed.map(|(n, pid)| (OsStr::new(n), pid));
            assert_eq!(parse_temp_name(OsStr::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn leftovers_of_dead_writers_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = dead_pid();
        let ours = std::process::id();
        let random = "0123456789abcdef";
        let stale = format!(".f.{dead}.{random}.tmp");
        let live = format!(".f.{ours}.{random}.tmp");
        let init = format!(".f.1.{random}.tmp");
        let other_file = format!(".g.{dead}.{random}.tmp");
        let old_pattern = format!(".f.{random}.tmp");
        let dead_link = format!(".f.{dead}.fedcba9876543210.tmp");
        let dead_dir = format!(".f.{dead}.0000000000000000.tmp");
        for name in [&stale, &live, &init, &other_file, &old_pattern] {
            fs::write(d.join(name), "partial").unwrap();
        }
        fs::write(d.join("victim"), "precious").unwrap();
        symlink(d.join("victim"), d.join(&dead_link)).unwrap();
        fs::create_dir(d.join(&dead_dir)).unwrap();

        remove_stale_temps(d, |name| name == "f");
        let mut expected: Vec<OsString> = [
            &live,
            &init,
            &other_file,
            &old_pattern,
            &dead_link,
            &dead_dir,
        ]
        .iter()
        .map(OsString::from)
        .collect();
        expected.push("victim".into());
        expected.sort();
        assert_eq!(entries(d), expected);
        assert_eq!(fs::read_to_string(d.join("victim")).unwrap(), "precious");

        remove_stale_temps(&d.join("missing"), |_| true);
    }

    #[test]
    fn a_write_removes_the_leftovers_of_its_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = dead_pid();
        let stale = format!(".f.{dead}.0123456789abcdef.tmp");
        let other = format!(".g.{dead}.0123456789abcdef.tmp");
        fs::write(d.join(&stale), "partial").unwrap();
        fs::write(d.join(&other), "partial").unwrap();
        write_atomic(&d.join("f"), b"data", FILE_MODE).unwrap();
        assert_eq!(entries(d), [OsString::from(&other), OsString::from("f")]);

        let json = d.join("x.runlog");
        let runlog_leftover = format!(".y.runlog.{dead}.0123456789abcdef.tmp");
        fs::write(d.join(&runlog_leftover), "partial").unwrap();
        let is_runlog = |name: &OsStr| name.as_bytes().ends_with(b".runlog");
        write_json_atomic_sweeping(&json, &Value::Null, FILE_MODE, is_runlog).unwrap();
        assert!(!d.join(&runlog_leftover).exists());
        assert!(d.join(&other).exists());
    }

    #[test]
    fn regular_files_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, "0123456789").unwrap();
        assert_eq!(read(&path, false, 10).unwrap(), b"0123456789");
        assert_eq!(refused_as(read(&path, false, 9)), "is larger than 9 bytes");

        let link = dir.path().join("link");
        symlink(&path, &link).unwrap();
        assert_eq!(read(&link, true, 100).unwrap(), b"0123456789");
        assert_eq!(
            refused_as(read(&link, false, 100)),
            "is not a regular file (a symbolic link)"
        );

        let dir_file = File::open(dir.path()).unwrap();
        let mut buf = Vec::new();
        read_regular(Some(&dir_file), &dir.path().join("f"), false, 100, &mut buf).unwrap();
        assert_eq!(buf, b"0123456789");

        let missing = read(&dir.path().join("missing"), true, 100).unwrap_err();
        assert!(matches!(missing, ReadError::Io(ref e) if e.kind() == IoErrorKind::NotFound));
        let is_dir = read(dir.path(), true, 100).unwrap_err();
        assert!(
            matches!(is_dir, ReadError::Io(ref e) if e.raw_os_error() == Some(nix::libc::EISDIR))
        );
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o600)).unwrap();
        let linked_fifo = dir.path().join("linked-fifo");
        symlink(&fifo, &linked_fifo).unwrap();
        let socket = dir.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        for (path, kind) in [
            (fifo.as_path(), "a FIFO"),
            (linked_fifo.as_path(), "a FIFO"),
            (socket.as_path(), "a socket"),
            (Path::new("/dev/zero"), "a character device"),
            (Path::new("/dev/null"), "a character device"),
        ] {
            assert_eq!(
                refused_as(read(path, true, MAX_CONFIG_FILE_SIZE)),
                format!("is not a regular file ({kind})"),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn reading_stops_past_the_limit_whatever_the_size_says() {
        // Files in /proc claim size 0.
        let path = Path::new("/proc/self/status");
        assert_eq!(fs::metadata(path).unwrap().len(), 0);
        assert_eq!(refused_as(read(path, true, 10)), "is larger than 10 bytes");
        assert!(!read(path, true, 1 << 20).unwrap().is_empty());

        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("huge");
        File::create(&huge)
            .unwrap()
            .set_len(MAX_CONFIG_FILE_SIZE + 1)
            .unwrap();
        assert_eq!(
            refused_as(read(&huge, true, MAX_CONFIG_FILE_SIZE)),
            "is larger than 16 MiB"
        );
        assert_eq!(Size(MAX_DATA_FILE_SIZE).to_string(), "256 MiB");
        assert_eq!(Size(2048).to_string(), "2 KiB");
    }

    #[test]
    fn json_objects_are_read_from_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o600)).unwrap();
        let err = read_json_object(&fifo, "test file", ErrorKind::Setup).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Setup);
        assert_eq!(
            err.message(),
            format!(
                "test file {} is not a regular file (a FIFO); replace it with a regular file",
                fifo.display()
            )
        );

        let path = dir.path().join("x.json");
        fs::write(&path, "{}").unwrap();
        let link = dir.path().join("link.json");
        symlink(&path, &link).unwrap();
        let file = JsonFile {
            what: "test file",
            kind: ErrorKind::Runtime,
            hint: "do something",
            follow_links: false,
        };
        assert_eq!(read_json_object_as(&path, &file).unwrap(), Some(Map::new()));
        let err = read_json_object_as(&link, &file).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "test file {} is not a regular file (a symbolic link); do something",
                link.display()
            )
        );

        fs::write(&path, b"{\"a\": \"\xff\"}").unwrap();
        let err = read_json_object_as(&path, &file).unwrap_err();
        assert_eq!(
            err.message(),
            format!(
                "cannot read test file {}: stream did not contain valid UTF-8",
                path.display()
            )
        );
    }
}
