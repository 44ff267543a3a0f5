use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one:
/// temporary file in the same folder, flush, fsync, rename over the target, fsync the folder.
/// With `keep_backup`, the previous file stays as `NAME.bak`.
pub fn write_atomically(path: &Path, bytes: &[u8], keep_backup: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".marginalia-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.flush()?;
    tmp.as_file().sync_all()?;
    if keep_backup && path.exists() {
        let backup = super::backup_path(path);
        // A hard link costs nothing and the old file stays whole at its own name meanwhile.
        let staged = tempfile::Builder::new()
            .prefix(".marginalia-bak-")
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
    Ok(())
}

/// Makes the rename itself durable. Not every platform can open a folder; that is fine.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
