use super::ImportError;
use std::path::Path;

/// Larger files are refused rather than read into memory (a document this size is not an
/// article; it is usually a mistake).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file's bytes: regular files only (a FIFO or a device is refused, never waited
/// on), over the size limit refused by the metadata before reading and, whatever the metadata
/// says, while reading.
fn read_limited(path: &Path) -> Result<Vec<u8>, ImportError> {
    use crate::store::{ReadError, read_regular_file};
    read_regular_file(path, MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::Io(source) => ImportError::Io {
            path: path.to_path_buf(),
            source,
        },
        ReadError::TooLarge { size, limit } => ImportError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit,
        },
        source => ImportError::Read {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// A file's raw bytes, with the same checks and limits as a text file.
pub(super) fn read_bytes(path: &Path) -> Result<Vec<u8>, ImportError> {
    let bytes = read_limited(path)?;
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

pub(super) fn read_text_file(path: &Path) -> Result<String, ImportError> {
    decode_text(&read_limited(path)?, path)
}

/// Reads a file as UTF-8 exactly as it is (no byte-order mark or line-ending changes): brat
/// offsets count the code points of the raw file.
pub(super) fn read_exact_text(path: &Path) -> Result<String, ImportError> {
    strict_utf8(&read_limited(path)?, path)
}

/// UTF-8 text without NUL bytes; the error names the line of the first bad byte.
fn strict_utf8(body: &[u8], path: &Path) -> Result<String, ImportError> {
    if let Some(offset) = body.iter().position(|&b| b == 0) {
        return Err(ImportError::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let offset = e.valid_up_to();
            let line = body[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(ImportError::InvalidUtf8 {
                path: path.to_path_buf(),
                line,
                offset,
            })
        }
    }
}

/// Decodes UTF-8 (with or without BOM) or UTF-16 with BOM; refuses binary data and invalid
/// UTF-8 with the line of the first bad byte. Line endings become '\n'.
pub fn decode_text(bytes: &[u8], path: &Path) -> Result<String, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    let text = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        decode_utf16(rest, path, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        decode_utf16(rest, path, u16::from_be_bytes)?
    } else {
        strict_utf8(
            bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes),
            path,
        )?
    };
    if let Some(offset) = text.find('\0') {
        return Err(ImportError::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    Ok(normalize_newlines(text))
}

fn decode_utf16(
    bytes: &[u8],
    path: &Path,
    unit: fn([u8; 2]) -> u16,
) -> Result<String, ImportError> {
    let bad = |line| ImportError::InvalidUtf16 {
        path: path.to_path_buf(),
        line,
    };
    if !bytes.len().is_multiple_of(2) {
        return Err(bad(1 + bytes
            .chunks(2)
            .filter(|c| unit([c[0], *c.get(1).unwrap_or(&0)]) == 10)
            .count()));
    }
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut line = 1;
    for c in char::decode_utf16(bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]))) {
        let c = c.map_err(|_| bad(line))?;
        if c == '\n' {
            line += 1;
        }
        out.push(c);
    }
    Ok(out)
}

fn normalize_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_endless_files_are_refused() {
        let err = read_text_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: is a device, not a regular file"
        );
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.txt");
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let err = read_text_file(&fifo).unwrap_err();
            assert!(
                err.to_string()
                    .ends_with("pipe.txt: is a named pipe (FIFO), not a regular file"),
                "{err}"
            );
        }
        // /proc files say they are empty and are not: the limit holds while reading.
        assert!(read_limited(Path::new("/proc/self/maps")).is_ok());
    }
}
