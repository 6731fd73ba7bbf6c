//! Listing the entries of a directory that a test on their names
//! accepts, in name order.

use std::ffi::OsStr;
use std::fs::{self};
use std::io::{self};
use std::path::{Path, PathBuf};

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
    #[cfg(any(feature = "daemon", test))]
    NotDir,
}

impl EntryKind {
    fn admits(self, entry: &fs::DirEntry) -> bool {
        // The type comes with the listing on most file systems, so only
        // links cost a `stat`.
        let file_type = entry.file_type();
        match self {
            EntryKind::Regular => file_type.is_ok_and(|t| t.is_file()),
            #[cfg(any(feature = "daemon", test))]
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
