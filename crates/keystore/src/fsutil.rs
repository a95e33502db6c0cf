//! Atomic writes, private directories and the store lock.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::Error;

/// Create `dir` (and parents) if missing; every directory we create is private (0700), and
/// its parent is fsynced so the new entry survives a crash (an unsynced new directory can
/// vanish with everything later written into it).
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() || d.is_dir() {
            break;
        }
        missing.push(d);
        cur = d.parent();
    }
    for d in missing.into_iter().rev() {
        let mut b = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        match b.create(d) {
            Ok(()) => {}
            // Another process made it meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => return Err(Error::io("create the directory", d, e)),
        }
        let parent = d
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        sync_dir(parent)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("set permissions on", dir, e))?;
    }
    Ok(())
}

/// Refuse a directory that someone else could change (as ssh refuses such a `~/.ssh`):
/// writable by group or others, or owned by another user. A missing directory is fine (we
/// create it private). `store` names the store in the error.
pub(crate) fn check_dir_safe(dir: &Path, store: &str) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = match fs::metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("inspect", dir, e)),
        };
        let me = rustix::process::geteuid().as_raw();
        let shown = dir.display();
        if meta.uid() != me {
            return Err(Error::Insecure {
                store: store.to_owned(),
                problem: format!(
                    "the directory {shown} is owned by user id {}, not by you (user id {me}), \
                     so its owner can replace what is stored there",
                    meta.uid()
                ),
                fix: format!(
                    "use a directory of your own, or have its owner give it to you \
                     (chown {me} {shown})"
                ),
            });
        }
        let mode = meta.mode() & 0o7777;
        if mode & 0o022 != 0 {
            return Err(Error::Insecure {
                store: store.to_owned(),
                problem: format!(
                    "the directory {shown} is writable by {} (mode {mode:04o}), so others can \
                     replace what is stored there",
                    match (mode & 0o020 != 0, mode & 0o002 != 0) {
                        (true, true) => "group and others",
                        (true, false) => "its group",
                        _ => "others",
                    }
                ),
                fix: format!("make it private: chmod 700 {shown}"),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, store);
    Ok(())
}

/// Replace `path` with `bytes` atomically: a temporary file (0600) in the same directory,
/// written, fsynced, renamed over `path`, then the directory fsynced. A crash at any point
/// leaves either the old file or the new one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    // tempfile creates the file with mode 0600 and a name starting with '.'.
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("write", tmp.path().to_owned(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("sync", tmp.path().to_owned(), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("rename a temporary file to", path, e.error))?;
    sync_dir(dir)
}

/// Remove `path` and sync its directory. `Ok(false)` when it did not exist.
pub(crate) fn remove_file(path: &Path) -> Result<bool, Error> {
    match fs::remove_file(path) {
        Ok(()) => {
            sync_dir(path.parent().unwrap_or(Path::new(".")))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("remove", path, e)),
    }
}

/// fsync a directory so a rename or unlink in it is durable (no-op where unsupported).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("sync the directory", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// An exclusive advisory lock on `<dir>/.lock`, held until dropped. Serializes
/// read-modify-write sequences between threads and processes. Every atomic write into `dir`
/// happens under it, so taking it also removes the temporary files (`.tmp-…`) a killed
/// writer left in `dir`.
#[derive(Debug)]
pub(crate) struct DirLock {
    file: File,
}

impl DirLock {
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock, Error> {
        let lock = DirLock::acquire_file(dir, ".lock")?;
        remove_stale_temps(dir);
        Ok(lock)
    }

    /// The lock on `<dir>/<file>` (another lock file than the store's, e.g. `.session-lock`).
    /// Unlike [`DirLock::acquire`] it leaves temporary files alone: a writer holding the store's
    /// lock may be using one.
    pub(crate) fn acquire_file(dir: &Path, file: &str) -> Result<DirLock, Error> {
        ensure_private_dir(dir)?;
        Self::at(&dir.join(file))
    }

    /// The lock on the file `path` (created 0600; its directory must exist).
    pub(crate) fn at(path: &Path) -> Result<DirLock, Error> {
        let mut o = fs::OpenOptions::new();
        o.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let file = o
            .open(path)
            .map_err(|e| Error::io("open the lock file", path, e))?;
        file.lock().map_err(|e| Error::io("lock", path, e))?;
        Ok(DirLock { file })
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Remove temporary files (`.tmp-…`) left in `dir` by a writer that was killed mid-write.
/// Call only while holding the [`DirLock`]: no live writer then has one open.
pub(crate) fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(".tmp-"))
        {
            let _ = fs::remove_file(e.path());
        }
    }
}
