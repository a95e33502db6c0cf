//! A Secret Service that is reachable but locked is reported as locked (which store, what
//! to do), not replaced by another store. Runs in its own private D-Bus session with its own
//! gnome-keyring (this test binary re-runs itself there), so locking the keyring cannot
//! disturb other tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::process::Command;

use common::{mfa, require};
use iamkit_keystore::{Error, OpenOptions, Overwrite, RecordKind, Selection, StoreKind, open};

const CHILD: &str = "IAMKIT_KEYSTORE_LOCKED_CHILD";

fn tools() -> Result<(), String> {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "dbus-send"] {
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
            .unwrap_or(false);
        if !found {
            return Err(format!("{tool} not found on PATH"));
        }
    }
    Ok(())
}

#[test]
fn a_locked_secret_service_is_reported_not_replaced() {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    if !require("IAMKIT_REQUIRE_SECRET_SERVICE", tools()) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let script = r#"
set -eu
export XDG_DATA_HOME="$HOME_DIR/data" XDG_CONFIG_HOME="$HOME_DIR/config" XDG_RUNTIME_DIR="$HOME_DIR/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'locked-test' | gnome-keyring-daemon --unlock --components=secrets)"
eval "$(gnome-keyring-daemon --start --components=secrets)"
exec "$TEST_BIN" --exact a_locked_secret_service_is_reported_not_replaced --nocapture --test-threads=1
"#;
    let out = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", script])
        .env("HOME_DIR", home.path())
        .env("TEST_BIN", std::env::current_exe().unwrap())
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines().filter(|l| l.contains("reports")) {
        eprintln!("{line}");
    }
    assert!(
        out.status.success() && stdout.contains("CHILD-OK"),
        "child failed:\n{stdout}\n{stderr}"
    );
}

fn child() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || {
        OpenOptions::new()
            .dir(dir.path())
            .keychain_service("iamkit-locked-test")
    };
    let store = open(Selection::Keychain, opts()).unwrap().store;
    store.put_mfa("m", &mfa(1, 20), Overwrite::Refuse).unwrap();
    assert_eq!(store.get_mfa("m").unwrap(), mfa(1, 20));

    // Lock the default collection, as a screen lock or `secret-tool lock` would.
    let alias = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .output()
        .unwrap();
    assert!(
        alias.status.success(),
        "{}",
        String::from_utf8_lossy(&alias.stderr)
    );

    // auto still picks the Secret Service (reachable), and its use reports Locked.
    let opened = open(Selection::Auto, opts()).unwrap();
    assert_eq!(
        opened.status.info.kind,
        StoreKind::SecretService,
        "{}",
        opened.status
    );
    for r in [
        opened.store.get_mfa("m").map(|_| ()),
        opened.store.put_mfa("n", &mfa(2, 20), Overwrite::Refuse),
        opened.store.list(RecordKind::Mfa).map(|_| ()),
    ] {
        match r {
            Err(e @ Error::Locked { .. }) => {
                let text = e.to_string();
                eprintln!("locked store reports: {text}");
                assert!(
                    text.contains("Secret Service") && text.contains("locked"),
                    "{text}"
                );
                // What to do, without the CLI's flags (the CLI adds `--store file`).
                assert!(
                    text.contains("unlock it") && text.contains("another store"),
                    "no advice in: {text}"
                );
                assert!(!text.contains("--"), "a CLI flag in: {text}");
            }
            other => panic!("expected Locked, got {other:?}"),
        }
    }
    println!("CHILD-OK");
}
