//! One writer per project: an advisory lock file beside the project.
//!
//! The lock of `news.ron` is `.news.ron.lock` in the same folder. It holds the pid and host
//! name of the process that has the project open for writing, and the process holds an
//! OS-level exclusive lock on it (`flock` on Unix, `LockFileEx` on Windows, through
//! `File::try_lock`). The OS drops that lock when the process exits, however it exits, so a
//! lock file left behind by a killed process is stale by construction: the next `acquire`
//! takes it over. Where the file system cannot lock files, the pid written in the file decides
//! instead (a live process of this host keeps the project; a dead one does not).
//!
//! Dropping the guard removes the lock file (while still holding the lock) and then releases
//! the lock. A process that opened the old file meanwhile notices, once it gets the lock, that
//! the file it locked is no longer the one at the lock path, and starts over.

use super::StoreError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file kept beside a project file: `.NAME.ron.lock`.
pub fn lock_path(project_path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(project_path.file_name().unwrap_or_default());
    name.push(".lock");
    project_path.with_file_name(name)
}

/// Holds a project for writing until dropped. Take it before loading a project that will be
/// saved, and keep it until the save is done.
#[derive(Debug)]
pub struct ProjectLock {
    file: Option<File>,
    lock: PathBuf,
}

impl ProjectLock {
    /// Locks `project_path` for this process, or says who has it: "p.ron is open in another
    /// Marginalia (pid N)". Never waits.
    pub fn acquire(project_path: &Path) -> Result<ProjectLock, StoreError> {
        let lock = lock_path(project_path);
        let fail = |source: std::io::Error| StoreError::Lock {
            path: project_path.to_path_buf(),
            lock: lock.clone(),
            source,
        };
        // A few rounds at most: each retry means another process released the lock between
        // our open and our lock, which cannot go on for long.
        for _ in 0..16 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&lock)
                .map_err(fail)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let holder = read_holder(&mut file);
                    return Err(StoreError::Locked {
                        path: project_path.to_path_buf(),
                        pid: holder.as_ref().map(|h| h.pid),
                        host: holder.map(|h| h.host).filter(|h| *h != host_name()),
                    });
                }
                Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                    // No OS locks here: the pid in the file decides.
                    if let Some(holder) = read_holder(&mut file)
                        && holder.pid != std::process::id()
                        && holder.host == host_name()
                        && process_alive(holder.pid)
                    {
                        return Err(StoreError::Locked {
                            path: project_path.to_path_buf(),
                            pid: Some(holder.pid),
                            host: None,
                        });
                    }
                }
                Err(TryLockError::Error(e)) => return Err(fail(e)),
            }
            if !same_file(&file, &lock) {
                // The previous holder removed the file we locked; lock the new one.
                continue;
            }
            write_holder(&mut file).map_err(fail)?;
            return Ok(ProjectLock {
                file: Some(file),
                lock,
            });
        }
        Err(fail(std::io::Error::other(
            "the lock file keeps changing; try again",
        )))
    }

    /// The lock file this guard holds.
    pub fn path(&self) -> &Path {
        &self.lock
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        // Remove first, unlock second (closing the file releases the OS lock), so nobody can
        // lock the file at this path between the two. A failed removal leaves a stale lock
        // file, which the next `acquire` takes over: nothing to report from a destructor.
        if let Err(e) = std::fs::remove_file(&self.lock) {
            crate::diag::warn(format!(
                "{}: could not remove the lock file: {e}",
                self.lock.display()
            ));
        }
        drop(self.file.take());
    }
}

#[derive(Debug, PartialEq)]
struct Holder {
    pid: u32,
    host: String,
}

/// "pid\nhost\n", as `write_holder` writes it; `None` if the file says something else (for
/// instance nothing yet, because its writer has just locked it).
fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok()?;
    let host = lines.next().unwrap_or("").trim().to_string();
    Some(Holder { pid, host })
}

fn write_holder(file: &mut File) -> std::io::Result<()> {
    let text = format!("{}\n{}\n", std::process::id(), host_name());
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

fn host_name() -> String {
    let from_file = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|s| s.trim().to_string());
    from_file
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Whether a process of this host is running. Where that cannot be told, it is taken to be
/// (keeping a project locked is the safe side).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Whether `file` is still the file at `path` (not removed, not replaced).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_sits_hidden_beside_the_project() {
        assert_eq!(
            lock_path(Path::new("/data/news.ron")),
            PathBuf::from("/data/.news.ron.lock")
        );
    }

    #[test]
    fn second_lock_is_refused_with_the_pid_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        let first = ProjectLock::acquire(&path).unwrap();
        let text = std::fs::read_to_string(lock_path(&path)).unwrap();
        assert!(
            text.starts_with(&format!("{}\n", std::process::id())),
            "{text}"
        );
        // A second handle in the same process conflicts like another process would.
        let err = ProjectLock::acquire(&path).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("p.ron is open in another Marginalia")
                && message.contains(&format!("(pid {})", std::process::id())),
            "{message}"
        );
        drop(first);
        assert!(!lock_path(&path).exists());
        let again = ProjectLock::acquire(&path).unwrap();
        drop(again);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_stale_lock_file_of_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        // What a killed process leaves: the file, with no OS lock on it.
        std::fs::write(lock_path(&path), format!("999999999\n{}\n", host_name())).unwrap();
        let lock = ProjectLock::acquire(&path).unwrap();
        let text = std::fs::read_to_string(lock.path()).unwrap();
        assert_eq!(text, format!("{}\n{}\n", std::process::id(), host_name()));
        assert!(!process_alive(999_999_999));
        assert!(process_alive(std::process::id()));
    }

    #[test]
    fn a_missing_folder_names_the_project() {
        let err = ProjectLock::acquire(Path::new("/nonexistent-folder/p.ron")).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent-folder/p.ron: "),
            "{err}"
        );
    }
}
