//! Autosave to a recovery file beside the project, and noticing that a project file changed
//! on disk since it was opened.
//!
//! The recovery file of `news.ron` is `.news.ron.recovery` in the same folder. It is written
//! atomically (like a save, without a backup), so a crash while autosaving never leaves a half
//! recovery file either. Saving the project for real should remove it (`remove_recovery`).

use super::{StoreError, io_error, to_ron_string, write_atomically};
use crate::model::Project;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The recovery file kept beside a project file: `.NAME.ron.recovery`.
pub fn recovery_path(project_path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(project_path.file_name().unwrap_or_default());
    name.push(".recovery");
    project_path.with_file_name(name)
}

/// Writes the unsaved state of a project to its recovery file, atomically and without a backup.
pub fn write_recovery(project: &Project, project_path: &Path) -> Result<(), StoreError> {
    let path = recovery_path(project_path);
    let text = to_ron_string(project).map_err(|e| StoreError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    write_atomically(&path, text.as_bytes(), false).map_err(io_error(&path))
}

/// The recovery file, if there is one newer than the project file (or the project file is
/// gone): work that was autosaved but never saved. `None` when there is nothing to recover.
pub fn newer_recovery(project_path: &Path) -> Option<PathBuf> {
    let path = recovery_path(project_path);
    let recovery = FileStamp::of(&path)?;
    match FileStamp::of(project_path) {
        None => Some(path),
        Some(project) => match (recovery.modified, project.modified) {
            (Some(r), Some(p)) if r > p => Some(path),
            // Without modification times there is no telling; offering is the safe side.
            (None, _) | (_, None) => Some(path),
            _ => None,
        },
    }
}

/// Makes `recovery` newer than the project file again after a save that did not take it in
/// (a command-line save while the window had unsaved work): its modification time becomes
/// one second past the project's, so `newer_recovery` keeps offering it.
pub(super) fn keep_newer(recovery: &Path, project_path: &Path) -> Result<(), StoreError> {
    let project = std::fs::metadata(project_path)
        .and_then(|m| m.modified())
        .map_err(io_error(project_path))?;
    let later = project + std::time::Duration::from_secs(1);
    std::fs::OpenOptions::new()
        .write(true)
        .open(recovery)
        .and_then(|f| f.set_modified(later.max(SystemTime::now())))
        .map_err(io_error(recovery))
}

/// Removes the recovery file (after a real save, or when the analyst discards it). A missing
/// recovery file is not an error.
pub fn remove_recovery(project_path: &Path) -> Result<(), StoreError> {
    let path = recovery_path(project_path);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::Io { path, source: e }),
    }
}

/// What a file looked like on disk: compare the stamp taken when a project was opened (or
/// last saved) with a fresh one to notice that another program changed the file meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Modification time, where the platform has one.
    pub modified: Option<SystemTime>,
    /// Size in bytes.
    pub len: u64,
}

impl FileStamp {
    /// The stamp of a file now; `None` if it does not exist or cannot be read.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        Some(FileStamp {
            modified: meta.modified().ok(),
            len: meta.len(),
        })
    }

    /// True if the file at `path` is no longer the one this stamp describes (changed,
    /// replaced or removed).
    pub fn changed(&self, path: &Path) -> bool {
        FileStamp::of(path) != Some(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{load, save};
    use std::time::Duration;

    fn set_mtime(path: &Path, t: SystemTime) {
        let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        f.set_modified(t).unwrap();
    }

    #[test]
    fn recovery_file_sits_hidden_beside_the_project() {
        assert_eq!(
            recovery_path(Path::new("/data/news.ron")),
            PathBuf::from("/data/.news.ron.recovery")
        );
        assert_eq!(
            recovery_path(Path::new("news.ron")),
            PathBuf::from(".news.ron.recovery")
        );
    }

    #[test]
    fn recovery_round_trip_and_newer_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        let saved = Project::new("saved");
        save(&saved, &path).unwrap();
        assert_eq!(newer_recovery(&path), None);

        let mut unsaved = saved.clone();
        unsaved.name = "unsaved work".into();
        write_recovery(&unsaved, &path).unwrap();
        let now = SystemTime::now();
        set_mtime(&path, now - Duration::from_secs(60));
        set_mtime(&recovery_path(&path), now);
        let found = newer_recovery(&path).unwrap();
        assert_eq!(load(&found).unwrap(), unsaved);
        // No backup and no temporary file for a recovery write.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(
            names.iter().all(|n| n == "p.ron" || n == ".p.ron.recovery"),
            "{names:?}"
        );

        // A recovery file older than the project is stale: not offered.
        set_mtime(&recovery_path(&path), now - Duration::from_secs(120));
        assert_eq!(newer_recovery(&path), None);

        remove_recovery(&path).unwrap();
        assert!(!recovery_path(&path).exists());
        // Removing twice is fine.
        remove_recovery(&path).unwrap();
    }

    #[test]
    fn recovery_without_project_file_is_offered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("never-saved.ron");
        write_recovery(&Project::new("x"), &path).unwrap();
        assert_eq!(newer_recovery(&path), Some(recovery_path(&path)));
    }

    #[test]
    fn file_stamp_notices_changes_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        assert_eq!(FileStamp::of(&path), None);
        save(&Project::new("a"), &path).unwrap();
        let stamp = FileStamp::of(&path).unwrap();
        assert!(!stamp.changed(&path));
        assert_eq!(stamp.len, std::fs::metadata(&path).unwrap().len());

        save(&Project::new("a longer name"), &path).unwrap();
        assert!(stamp.changed(&path));

        // Same size, other time: still a change.
        let stamp = FileStamp::of(&path).unwrap();
        set_mtime(&path, SystemTime::now() - Duration::from_secs(3600));
        assert!(stamp.changed(&path));

        std::fs::remove_file(&path).unwrap();
        assert!(stamp.changed(&path));
        assert_eq!(FileStamp::of(dir.path()), None);
    }
}
