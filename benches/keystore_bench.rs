//! Store-and-read latency of each iamkit store.
//!
//! `cargo bench -p iamkit-benches --bench keystore -- --quick --noplot`
//!
//! - `mock`: the in-memory store (serialization only).
//! - `file/cached`: the encrypted file store with its key already unlocked in this process
//!   (per call: age X25519 decrypt/encrypt, and for a put the fsyncs of an atomic write).
//! - `file/new-process-cached`: a fresh `FileStore` per read, as each `iamkit mfa code` is,
//!   taking the key from the kernel session keyring (skipped without one).
//! - `file/unlock-default-kdf`: one unlock at age's default scrypt work factor (what a cache
//!   miss costs; one sample only).
//! - `secret-service`: the Secret Service on the session bus, when one is reachable;
//!   `connect+get_mfa` opens a new connection per read, as each `iamkit mfa code` does.
//! - `kernel-keyring`: the kernel session keyring store, when there is one.
// A bench reports what it measured on stderr.
#![allow(clippy::print_stderr)]

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use iamkit_keystore::{
    FileStore, MfaDevice, MockStore, OpenOptions, Overwrite, PassphraseSource, RecordKind,
    Selection, Store, lock, open, open_kernel_keyring,
};
use zeroize::Zeroizing;

fn device() -> MfaDevice {
    MfaDevice::totp("bench@example.com", b"12345678901234567890".to_vec())
}

fn put_get(c: &mut Criterion, id: &str, store: &dyn Store) {
    let dev = device();
    store.put_mfa("bench", &dev, Overwrite::Allow).expect("put");
    let mut g = c.benchmark_group(format!("keystore/{id}"));
    g.bench_function("get_mfa", |b| {
        b.iter(|| store.get_mfa("bench").expect("get"))
    });
    g.bench_function("put_mfa", |b| {
        b.iter(|| store.put_mfa("bench", &dev, Overwrite::Allow).expect("put"))
    });
    g.finish();
    let _ = store.remove(RecordKind::Mfa, "bench");
}

fn pass() -> PassphraseSource {
    PassphraseSource::Value(Zeroizing::new("bench passphrase".to_owned()))
}

fn benches(c: &mut Criterion) {
    put_get(c, "mock", &MockStore::new());

    let tmp = tempfile::tempdir().expect("tempdir");
    let opts = || {
        OpenOptions::new()
            .dir(tmp.path())
            .passphrase(pass())
            .cache_ttl(Duration::from_secs(300))
    };
    // Created at the default (strong) work factor.
    let file = FileStore::open(opts()).expect("file store");
    file.unlock().expect("unlock");
    put_get(c, "file/cached", &file);

    file.put_mfa("bench", &device(), Overwrite::Allow)
        .expect("put");
    if file.is_cached() {
        let no_pass = || {
            FileStore::open(
                OpenOptions::new()
                    .dir(tmp.path())
                    .cache_ttl(Duration::from_secs(300)),
            )
            .expect("open")
        };
        c.bench_function("keystore/file/new-process-cached/get_mfa", |b| {
            b.iter(|| no_pass().get_mfa("bench").expect("get"))
        });
    } else {
        eprintln!("note: no kernel session keyring: file/new-process-cached skipped");
    }

    // One cache miss at the default work factor.
    lock(&opts()).expect("lock");
    let t = Instant::now();
    FileStore::open(opts().cache_ttl(Duration::ZERO))
        .expect("open")
        .get_mfa("bench")
        .expect("get");
    eprintln!(
        "keystore/file/unlock-default-kdf: {:.0} ms (one sample)",
        t.elapsed().as_secs_f64() * 1e3
    );

    let ss_dir = tempfile::tempdir().expect("tempdir");
    match open(
        Selection::Keychain,
        OpenOptions::new()
            .dir(ss_dir.path())
            .keychain_service("iamkit-bench"),
    ) {
        Ok(o) => {
            put_get(c, "secret-service", o.store.as_ref());
            // What one `iamkit mfa code` pays: connect to the bus, open a session, read.
            o.store
                .put_mfa("bench", &device(), Overwrite::Allow)
                .expect("put");
            let opts = || {
                OpenOptions::new()
                    .dir(ss_dir.path())
                    .keychain_service("iamkit-bench")
            };
            c.bench_function("keystore/secret-service/connect+get_mfa", |b| {
                b.iter(|| {
                    open(Selection::Keychain, opts())
                        .expect("open")
                        .store
                        .get_mfa("bench")
                        .expect("get")
                })
            });
            let _ = o.store.remove(RecordKind::Mfa, "bench");
        }
        Err(e) => eprintln!("note: secret-service skipped: {e}"),
    }
    let kk_dir = tempfile::tempdir().expect("tempdir");
    match open_kernel_keyring(
        OpenOptions::new()
            .dir(kk_dir.path())
            .keychain_service("iamkit-bench"),
    ) {
        Ok(o) => put_get(c, "kernel-keyring", o.store.as_ref()),
        Err(e) => eprintln!("note: kernel-keyring skipped: {e}"),
    }
}

criterion_group!(keystore, benches);
criterion_main!(keystore);
