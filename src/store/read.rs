//! Reading a whole file safely: regular files only (a FIFO, a device or a folder where a file
//! is expected is refused instead of blocking or reading forever), and a size limit enforced
//! while reading, not trusted from the metadata.

use std::io::Read;
use std::path::Path;
use thiserror::Error;

/// The largest project file `load` reads (1 GiB).
pub const MAX_PROJECT_BYTES: u64 = 1 << 30;

#[derive(Debug, Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(std::io::Error),
    #[error("is {0}, not a regular file")]
    NotAFile(&'static str),
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("the file is larger than the limit of {limit} bytes")]
    GrewTooLarge { limit: u64 },
}

/// What kind of thing is at `path`, when it is not a regular file.
fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// Reads the whole of the regular file at `path` (symlinks followed), refusing anything else
/// and anything longer than `limit` bytes: the metadata gives the early, exact message; the
/// read itself stops at `limit + 1` bytes whatever the metadata said.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // Checked before opening: opening a FIFO blocks until somebody writes to it.
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(kind) = not_a_file(&meta) {
        return Err(ReadError::NotAFile(kind));
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // The file at the path may have been swapped between the two looks.
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(kind) = not_a_file(&meta) {
        return Err(ReadError::NotAFile(kind));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::GrewTooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_files_and_refuses_folders_and_oversize() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_regular_file(&path, 5).unwrap(), b"12345");
        let err = read_regular_file(&path, 4).unwrap_err();
        assert_eq!(err.to_string(), "the file is 5 bytes; the limit is 4 bytes");
        let err = read_regular_file(dir.path(), 4).unwrap_err();
        assert_eq!(err.to_string(), "is a folder, not a regular file");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let err = read_regular_file(Path::new("/dev/zero"), 10).unwrap_err();
        assert_eq!(err.to_string(), "is a device, not a regular file");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = read_regular_file(&fifo, 10).unwrap_err();
            assert_eq!(
                err.to_string(),
                "is a named pipe (FIFO), not a regular file"
            );
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_limit_holds_where_the_metadata_says_nothing() {
        // /proc files report a length of 0 but have content.
        let err = read_regular_file(Path::new("/proc/self/status"), 8).unwrap_err();
        assert!(matches!(err, ReadError::GrewTooLarge { limit: 8 }), "{err}");
    }
}
