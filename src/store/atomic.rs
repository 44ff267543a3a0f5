use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one:
/// temporary file in the same folder, flush, fsync, rename over the target, fsync the folder.
/// With `keep_backup`, the previous file stays as `NAME.bak`.
///
/// The new file keeps the old one's permissions and group; a new file gets the umask's
/// (`0666 & !umask`, as any program's), not the temporary file's private 0600. A read-only
/// target is refused ("the file is read-only; nothing saved"). A symlink is written through:
/// its target is replaced, the symlink stays.
///
/// Temporary files are named `.NAME.XXXXXX.tmp` (hidden, never a `.ron`, so neither a later
/// load nor a folder import mistakes them for a project or a document). A process killed in
/// the middle of a write leaves one behind; the next successful write of the same target
/// removes it.
pub fn write_atomically(path: &Path, bytes: &[u8], keep_backup: bool) -> io::Result<()> {
    let resolved = through_symlink(path)?;
    let path = resolved.as_path();
    let existing = match fs::metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        if !meta.is_file() {
            return Err(io::Error::other("is not a regular file; nothing saved"));
        }
        if meta.permissions().readonly() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the file is read-only; nothing saved",
            ));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = temp_prefix(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Masked by the umask at creation, like any new file.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    if let Some(meta) = &existing {
        keep_owner_and_mode(tmp.as_file(), meta)?;
    }
    tmp.write_all(bytes)?;
    tmp.flush()?;
    tmp.as_file().sync_all()?;
    if keep_backup && existing.is_some() {
        let backup = super::backup_path(path);
        // A hard link costs nothing and the old file stays whole at its own name meanwhile.
        let staged = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".bak.tmp")
            .tempfile_in(dir)?
            .into_temp_path();
        fs::remove_file(&staged)?;
        if fs::hard_link(path, &staged).is_err() {
            fs::copy(path, &staged)?;
        }
        fs::rename(&staged, &backup).map_err(|e| {
            // The error is the backup's (a folder in its place, say), not the project's.
            io::Error::new(
                e.kind(),
                format!(
                    "cannot keep the previous version as {}: {e}; nothing saved",
                    backup.display()
                ),
            )
        })?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    remove_stale_temp_files(dir, &prefix);
    Ok(())
}

/// The file a write to `path` should replace: `path` itself, or what it links to.
fn through_symlink(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("is a symbolic link to a file that cannot be reached ({e})"),
            )
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// Gives the new file the old one's group and permission bits.
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, old: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = file.metadata()?;
    if new.gid() != old.gid()
        && let Err(e) = std::os::unix::fs::fchown(file, None, Some(old.gid()))
    {
        // Not a member of that group: the file keeps ours; saving matters more.
        crate::diag::warn(format!(
            "cannot keep group {} of the saved file: {e}",
            old.gid()
        ));
    }
    // After the chown, which may clear set-id bits.
    file.set_permissions(old.permissions())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, old: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(old.permissions())
}

/// `.NAME.`: the start of every temporary file name written for `path`.
fn temp_prefix(path: &Path) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    prefix.push(".");
    prefix
}

/// Removes temporary files that an interrupted write of the same target left behind. Best
/// effort: a file that cannot be removed stays, and nothing else in the folder is touched.
fn remove_stale_temp_files(dir: &Path, prefix: &OsString) {
    let Some(prefix) = prefix.to_str() else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if name.starts_with(prefix)
            && name.ends_with(".tmp")
            && entry.file_type().is_ok_and(|t| t.is_file())
            && let Err(e) = fs::remove_file(entry.path())
        {
            crate::diag::warn(format!("{}: not removed: {e}", entry.path().display()));
        }
    }
}

/// Makes the rename itself durable. Not every platform can open a folder; that is fine.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir)
        && let Err(e) = d.sync_all()
    {
        crate::diag::warn(format!("{}: folder not synced: {e}", dir.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_an_interrupted_write_are_removed_by_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        // What a kill between creating and renaming leaves.
        fs::write(dir.path().join(".p.ron.abc123.tmp"), "half").unwrap();
        fs::write(dir.path().join(".p.ron.def456.bak.tmp"), "half").unwrap();
        // Someone else's files stay.
        fs::write(dir.path().join(".q.ron.abc123.tmp"), "other").unwrap();
        fs::write(dir.path().join("notes.tmp"), "other").unwrap();
        write_atomically(&path, b"one", true).unwrap();
        write_atomically(&path, b"two", true).unwrap();
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [".q.ron.abc123.tmp", "notes.tmp", "p.ron", "p.ron.bak"]
        );
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read(dir.path().join("p.ron.bak")).unwrap(), b"one");
    }

    #[cfg(unix)]
    #[test]
    fn saves_keep_mode_refuse_read_only_and_write_through_symlinks() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        write_atomically(&path, b"one", true).unwrap();
        // A new file gets the umask's mode, not the temporary file's 0600.
        let mode = fs::metadata(&path).unwrap().mode() & 0o777;
        let probe = dir.path().join("probe");
        fs::write(&probe, b"").unwrap();
        assert_eq!(mode, fs::metadata(&probe).unwrap().mode() & 0o777);
        // An existing file keeps its mode (and group).
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let gid = fs::metadata(&path).unwrap().gid();
        write_atomically(&path, b"two", true).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.mode() & 0o777, meta.gid()), (0o640, gid));
        // A read-only file is refused and left alone.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o440)).unwrap();
        let err = write_atomically(&path, b"three", true).unwrap_err();
        assert_eq!(err.to_string(), "the file is read-only; nothing saved");
        assert_eq!(fs::read(&path).unwrap(), b"two");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        // Through a symlink: the target changes, the link stays a link.
        let link = dir.path().join("link.ron");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        write_atomically(&link, b"four", true).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&path).unwrap(), b"four");
        assert_eq!(fs::read(dir.path().join("p.ron.bak")).unwrap(), b"two");
    }
}
