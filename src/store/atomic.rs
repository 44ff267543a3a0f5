use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one:
/// temporary file in the same folder, flush, fsync, rename over the target, fsync the folder.
/// With `keep_backup`, the previous file stays as `NAME.bak`.
///
/// Temporary files are named `.NAME.XXXXXX.tmp` (hidden, never a `.ron`, so neither a later
/// load nor a folder import mistakes them for a project or a document). A process killed in
/// the middle of a write leaves one behind; the next successful write of the same target
/// removes it.
pub fn write_atomically(path: &Path, bytes: &[u8], keep_backup: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = temp_prefix(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.flush()?;
    tmp.as_file().sync_all()?;
    if keep_backup && path.exists() {
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
        fs::rename(&staged, &backup)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    remove_stale_temp_files(dir, &prefix);
    Ok(())
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
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes the rename itself durable. Not every platform can open a folder; that is fine.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
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
}
