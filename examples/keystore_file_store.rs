//! The encrypted file store as a program would use it: open, store, list, read back, lock.
//!
//! `cargo run -p iamkit-examples --example keystore_file_store`
//!
//! Works in a fresh temporary directory (never your real store). The passphrase comes from
//! `IAMKIT_PASSPHRASE` if set, else a demo value. The store is created at age's default
//! scrypt work factor, so the first unlock takes a second or so; later reads in this process
//! (and, on Linux with a session keyring, in later processes) use the cached key.
// An example is a program: it shows its results on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use iamkit_keystore::{
    AwsCredentials, Error, MfaDevice, OpenOptions, Overwrite, PassphraseSource, RecordKind,
    Selection, lock, open,
};
use zeroize::Zeroizing;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let passphrase =
        std::env::var("IAMKIT_PASSPHRASE").unwrap_or_else(|_| "demo passphrase".into());
    let opts = || {
        OpenOptions::new()
            .dir(dir.path())
            .passphrase(PassphraseSource::Value(Zeroizing::new(passphrase.clone())))
            .cache_ttl(Duration::from_secs(60))
    };

    let opened = open(Selection::File, opts())?;
    println!("store: {}", opened.status);
    let store = opened.store;

    let t = Instant::now();
    let mut dev = MfaDevice::totp("alice@example.com", b"12345678901234567890".to_vec());
    dev.issuer = Some("Example".into());
    store.put_mfa("example", &dev, Overwrite::Refuse)?;
    println!(
        "created the store and stored an MFA device in {:?}",
        t.elapsed()
    );

    let mut creds = AwsCredentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    creds.region = Some("eu-west-1".into());
    creds.mfa_device = Some("example".into());
    store.put_creds("prod", &creds, Overwrite::Refuse)?;
    // Storing under a taken name without `Overwrite::Allow` is refused, and changes nothing.
    let mut other = creds.clone();
    other.region = Some("us-west-2".into());
    match store.put_creds("prod", &other, Overwrite::Refuse) {
        Err(e @ Error::AlreadyExists { .. }) => println!("second put without overwrite: {e}"),
        Err(e) => return Err(format!("second put: expected AlreadyExists, got {e}").into()),
        Ok(()) => return Err("second put without overwrite was not refused".into()),
    }

    let devices = store.list(RecordKind::Mfa)?;
    let profiles = store.list(RecordKind::Creds)?;
    println!("MFA devices: {devices:?}");
    println!("profiles:    {profiles:?}");
    if devices != ["example"] || profiles != ["prod"] {
        return Err(format!("listed {devices:?} and {profiles:?}").into());
    }

    // A second handle, as the next `iamkit` process would open it.
    let t = Instant::now();
    let second = open(Selection::File, opts())?.store;
    let again = second.get_creds("prod")?;
    println!(
        "read back in {:?} (secrets redacted): {again:?}",
        t.elapsed()
    );
    // What was stored first, secret included (the refused second put changed nothing).
    if again != creds {
        return Err("the credentials read back differ from those stored".into());
    }
    if second.get_mfa("example")? != dev {
        return Err("the MFA device read back differs from the one stored".into());
    }

    println!("dropped the cached unlock: {}", lock(&opts())?);
    Ok(())
}
