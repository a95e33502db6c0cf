//! Atomic writes, private directories and the store lock.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::Error;

/// Create `dir` (and parents) if missing; a directory we create is private (0700).
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .map_err(|e| Error::io("create the directory", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("set permissions on", dir, e))?;
    }
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
/// read-modify-write sequences between threads and processes.
#[derive(Debug)]
pub(crate) struct DirLock {
    file: File,
}

impl DirLock {
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock, Error> {
        DirLock::acquire_file(dir, ".lock")
    }

    /// The lock on `<dir>/<file>` (another lock file than the store's, e.g. `.session-lock`).
    pub(crate) fn acquire_file(dir: &Path, file: &str) -> Result<DirLock, Error> {
        ensure_private_dir(dir)?;
        let path = dir.join(file);
        let mut o = fs::OpenOptions::new();
        o.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let file = o
            .open(&path)
            .map_err(|e| Error::io("open the lock file", &path, e))?;
        file.lock().map_err(|e| Error::io("lock", &path, e))?;
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
