//! Cached sessions in the file store: encrypted at rest like every record, redacted in `Debug`,
//! replaced in place, listed and removed; and the sessions lock excludes a second holder (in
//! another thread, through another `FileStore`, as another process would) until it is dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iamkit_keystore::{CachedSession, FileStore, RecordKind, Store};

const TOKEN: &str = "FQoGZXIvYXdzEBYaDTOKEN-never-in-clear-on-disk";
const SECRET: &str = "pLwQeqKgYenrJtBKVy0oAahyGV+8oQwQAWd5vCIq";

fn session(n: u32) -> CachedSession {
    let mut s = CachedSession::new(
        format!("ASIAEXAMPLE{n:09}"),
        SECRET,
        TOKEN,
        iamkit_keystore::Expiration::parse_rfc3339("2030-01-01T00:00:00Z").unwrap(),
    );
    s.source_key_id = Some("AKIAIOSFODNN7EXAMPLE".to_owned());
    s.mfa_serial = Some("arn:aws:iam::123456789012:mfa/alice".to_owned());
    s
}

#[test]
fn sessions_are_encrypted_replaced_listed_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let store = FileStore::open(common::file_opts(tmp.path(), "pass")).unwrap();
    store.put_session("s-abc", &session(1)).unwrap();
    store.put_session("s-abc", &session(2)).unwrap(); // replaced, not refused
    assert_eq!(store.get_session("s-abc").unwrap(), session(2));
    assert_eq!(store.list(RecordKind::Session).unwrap(), ["s-abc"]);
    // Sessions live apart from credentials profiles of the same name.
    assert!(store.get_creds("s-abc").is_err());
    for entry in walk(tmp.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(TOKEN) && !text.contains(SECRET),
            "{}",
            entry.display()
        );
    }
    let dbg = format!("{:?}", session(1));
    assert!(!dbg.contains(TOKEN) && !dbg.contains(SECRET), "{dbg}");
    store.remove(RecordKind::Session, "s-abc").unwrap();
    assert!(store.get_session("s-abc").is_err());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn session_lock_excludes_a_second_holder_but_not_record_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let a = FileStore::open(common::file_opts(tmp.path(), "pass")).unwrap();
    let b = FileStore::open(common::file_opts(tmp.path(), "pass")).unwrap();
    a.unlock().unwrap();
    let released = Arc::new(AtomicBool::new(false));
    let guard = a.lock_sessions().unwrap();
    // While held, the holder still writes records (another lock file than the store's).
    a.put_session("s-1", &session(1)).unwrap();
    let r = released.clone();
    let waiter = std::thread::spawn(move || {
        let _g = b.lock_sessions().unwrap();
        // Only reachable once the first guard is gone.
        assert!(r.load(Ordering::SeqCst), "lock taken while held");
        b.get_session("s-1").unwrap()
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    released.store(true, Ordering::SeqCst);
    drop(guard);
    assert_eq!(waiter.join().unwrap(), session(1));
}
