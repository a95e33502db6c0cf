//! Black-box tests of `iamkit store status|lock|passwd`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;

fn json(text: &str) -> serde_json::Value {
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "one JSON line: {text:?}"
    );
    serde_json::from_str(text.trim()).unwrap()
}

#[test]
fn status_says_which_store_and_why() {
    let env = Env::file();
    let out = env.run(&["store", "status"], "");
    let text = out.ok();
    let dir = env.path("store");
    assert!(
        text.contains(&format!("file store at {}", dir.display())),
        "{text}"
    );
    assert!(text.contains("why: file store selected"), "{text}");
    let v = json(env.run(&["store", "status", "--json"], "").ok());
    assert_eq!(v["store"], "file");
    assert_eq!(v["selection"], "file");
    assert!(v["reason"].as_str().unwrap().contains("selected"));
    // --store wins over IAMKIT_STORE.
    let v = json(
        env.run(&["--store", "file", "store", "status", "--json"], "")
            .ok(),
    );
    assert_eq!(v["selection"], "file");
    // The Secret Service, when there is one: by selection and by auto.
    if let Some(mut kc) = Env::keychain() {
        let v = json(kc.run(&["store", "status", "--json"], "").ok());
        assert_eq!(v["store"], "secret-service");
        assert_eq!(v["selection"], "keychain");
        assert_eq!(v["unlock_cached"], serde_json::Value::Null);
        kc.set("IAMKIT_STORE", "auto");
        let v = json(kc.run(&["store", "status", "--json"], "").ok());
        assert_eq!(
            v["store"], "secret-service",
            "auto prefers the keychain: {v}"
        );
        assert!(v["reason"].as_str().unwrap().starts_with("auto"), "{v}");
        // --store on the command line overrides IAMKIT_STORE.
        let v = json(
            kc.run(&["--store", "file", "store", "status", "--json"], "")
                .ok(),
        );
        assert_eq!(v["store"], "file");
    }
}

#[test]
fn lock_forgets_the_cached_unlock() {
    let mut env = Env::file();
    env.set("IAMKIT_CACHE_TTL", "60");
    env.run(&["mfa", "add", "l"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        .ok();
    let cached = json(env.run(&["store", "status", "--json"], "").ok())["unlock_cached"].clone();
    if cached != serde_json::Value::Bool(true) {
        // The cache lives in the kernel session keyring; without one there is nothing to lock.
        if std::env::var("IAMKIT_REQUIRE_KERNEL_KEYRING").as_deref() == Ok("1") {
            panic!("IAMKIT_REQUIRE_KERNEL_KEYRING=1 but the unlock was not cached");
        }
        eprintln!("note: skipping: no kernel session keyring to cache the unlock in");
        return;
    }
    assert!(
        env.run(&["store", "status"], "")
            .ok()
            .contains("unlock: cached")
    );
    // While cached, the passphrase is not asked for.
    env.unset("IAMKIT_PASSPHRASE");
    assert_eq!(
        env.run(&["mfa", "code", "l", "--time", "59"], "").ok(),
        "287082\n"
    );
    let out = env.run(&["store", "lock"], "");
    assert!(out.ok().contains("forgot"), "{}", out.stdout);
    assert_eq!(
        json(env.run(&["store", "status", "--json"], "").ok())["unlock_cached"],
        false
    );
    // Now the passphrase is needed again.
    env.run(&["mfa", "code", "l", "--time", "59"], "").fails(3);
    env.set("IAMKIT_PASSPHRASE", "wrong wrong wrong");
    env.run(&["mfa", "code", "l", "--time", "59"], "").fails(3);
    // Locking again is fine (nothing to forget).
    assert!(
        env.run(&["store", "lock"], "")
            .ok()
            .contains("nothing to forget")
    );
    env.set("IAMKIT_PASSPHRASE", common::PASSPHRASE);
    assert_eq!(
        env.run(&["mfa", "code", "l", "--time", "59"], "").ok(),
        "287082\n"
    );
    env.run(&["store", "lock"], "").ok();
}

#[test]
fn store_errors() {
    let mut env = Env::file();
    env.set("IAMKIT_STORE", "keychain");
    env.set(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/iamkit-test-bus",
    );
    env.run(&["store", "status"], "").fails(3);
    env.run(&["store", "status", "--json"], "").fails(3);
    env.run(&["--store", "nowhere", "store", "status"], "")
        .fails(2);
    env.set("IAMKIT_CACHE_TTL", "forever");
    env.set("IAMKIT_STORE", "file");
    env.run(&["store", "lock"], "").fails(2);
}

/// A Secret Service that is reachable but locked: exit 3, one line, nothing else stored. Runs
/// in a private D-Bus session with its own gnome-keyring, so locking it disturbs no other test.
#[test]
fn locked_keychain_is_exit_3_one_line() {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "dbus-send"] {
        if !common::have(tool) {
            if std::env::var("IAMKIT_REQUIRE_SECRET_SERVICE").as_deref() == Ok("1") {
                panic!("IAMKIT_REQUIRE_SECRET_SERVICE=1 but {tool} is missing");
            }
            eprintln!("note: skipping: {tool} is missing");
            return;
        }
    }
    let mut env = Env::file();
    env.set("IAMKIT_STORE", "keychain");
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let script = r#"
set -eu
export XDG_DATA_HOME="$T/kdata" XDG_CONFIG_HOME="$T/kconfig" XDG_RUNTIME_DIR="$T/krun"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'locked-test' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
eval "$(gnome-keyring-daemon --start --components=secrets)" >/dev/null
printf 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n' | "$BIN" mfa add lockme >/dev/null
printf 'AKIAIOSFODNN7EXAMPLE\n%s\n' "$SECRET" | "$BIN" creds add lockme >/dev/null
"$BIN" mfa code lockme --time 59 >"$T/0.out"
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
set +e
"$BIN" mfa code lockme --time 59 >"$T/1.out" 2>"$T/1.err" </dev/null; echo $? >"$T/1.rc"
"$BIN" creds process lockme >"$T/2.out" 2>"$T/2.err" </dev/null; echo $? >"$T/2.rc"
printf 'AKIAIOSFODNN7EXAMPLE\n%s\n' "$SECRET" | "$BIN" creds add other >"$T/3.out" 2>"$T/3.err"; echo $? >"$T/3.rc"
exit 0
"#;
    let t = env.path("locked");
    std::fs::create_dir_all(&t).unwrap();
    let run = std::process::Command::new("dbus-run-session")
        .args(["--", "bash", "-c", script])
        .env_clear()
        .envs(env.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("T", &t)
        .env("BIN", common::BIN)
        .env("SECRET", secret)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(t.join(f)).unwrap();
    assert_eq!(read("0.out"), "287082\n", "unlocked, it works");
    for i in 1..=3 {
        let rc = read(&format!("{i}.rc"));
        let err = read(&format!("{i}.err"));
        assert_eq!(rc.trim(), "3", "command {i}: {err}");
        assert!(
            err.starts_with("iamkit: ") && err.trim_end().lines().count() == 1,
            "{err}"
        );
        assert!(err.contains("locked"), "{err}");
        assert!(!err.contains(secret));
        assert_eq!(read(&format!("{i}.out")), "");
    }
}

#[test]
fn passwd_changes_the_file_store_passphrase_from_the_environment() {
    let mut env = Env::file();
    env.run(&["mfa", "add", "dev"], "JBSWY3DPEHPK3PXP").ok();
    let before = env
        .run(&["mfa", "code", "dev", "--time", "59"], "")
        .ok()
        .to_owned();

    // No new passphrase anywhere (stdin is not a terminal): exit 2, nothing changed.
    env.run(&["store", "passwd"], "").fails(2);
    // The new passphrase from a file (first line), never from argv.
    let file = env.path("new-pass");
    std::fs::write(&file, "brand new passphrase\nignored second line\n").unwrap();
    env.set("IAMKIT_NEW_PASSPHRASE_FILE", file.to_str().unwrap());
    let out = env.run(&["store", "passwd"], "");
    assert!(
        out.ok()
            .starts_with("changed the passphrase of the file store at ")
    );
    assert!(!out.stderr.contains("brand new"), "{}", out.stderr);
    env.unset("IAMKIT_NEW_PASSPHRASE_FILE");

    // The old passphrase no longer opens it (storage error, 3); the new one does, same code.
    env.run(&["mfa", "code", "dev", "--time", "59"], "")
        .fails(3);
    env.set("IAMKIT_PASSPHRASE", "brand new passphrase");
    assert_eq!(
        env.run(&["mfa", "code", "dev", "--time", "59"], "").ok(),
        before
    );

    // A wrong current passphrase: nothing changes.
    env.set("IAMKIT_PASSPHRASE", "wrong");
    env.set("IAMKIT_NEW_PASSPHRASE", "third");
    env.run(&["store", "passwd"], "").fails(3);
    env.set("IAMKIT_PASSPHRASE", "brand new passphrase");
    env.run(&["mfa", "list"], "").ok();
    // And from IAMKIT_NEW_PASSPHRASE.
    env.run(&["store", "passwd"], "").ok();
    env.set("IAMKIT_PASSPHRASE", "third");
    assert_eq!(
        env.run(&["mfa", "code", "dev", "--time", "59"], "").ok(),
        before
    );
}
