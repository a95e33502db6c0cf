//! Black-box tests of `iamkit store status|lock|passwd`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use util::{Env, json};

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
    env.set("IAMKIT_PASSPHRASE", util::PASSPHRASE);
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
        if !util::have(tool) {
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
        .env("BIN", util::BIN)
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

/// Caught: a cache time of 2^32 seconds or more wrapped in the kernel (4294967296 became 0:
/// a key that never expires). Values the kernel cannot hold are a usage error.
#[test]
fn cache_ttl_the_kernel_cannot_hold_is_refused() {
    let mut env = Env::file();
    for bad in [
        "4294967296",
        "4294967297",
        "71582789m",
        "1193047h",
        "18446744073709551615",
    ] {
        env.set("IAMKIT_CACHE_TTL", bad);
        let err = env
            .run(&["mfa", "add", "t"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
            .fails(2)
            .to_owned();
        assert!(err.contains("IAMKIT_CACHE_TTL"), "{bad}: {err}");
        assert!(err.contains("4294967295"), "{bad}: {err}");
        env.run(&["store", "lock"], "").fails(2);
    }
    assert!(!env.path("store").exists(), "nothing was stored");
    for good in ["4294967295", "71582788m", "1193046h", "0"] {
        env.set("IAMKIT_CACHE_TTL", good);
        env.run(&["store", "status"], "").ok();
    }
}

/// Runs `iamkit ARGS` in a new, empty kernel session keyring (another login session).
fn run_in_other_session(env: &Env, args: &[&str]) -> Option<util::Run> {
    let out = env
        .wrapped(&["keyctl", "session", "-"], args)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some(util::Run::from(out))
}

/// Caught: `store lock` forgot only the calling login session's cached unlock; another
/// session kept using it.
#[test]
fn store_lock_ends_the_cached_unlock_of_every_session() {
    let mut env = Env::file();
    env.set("IAMKIT_CACHE_TTL", "120");
    env.run(&["mfa", "add", "l"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        .ok();
    if json(env.run(&["store", "status", "--json"], "").ok())["unlock_cached"] != true {
        if std::env::var("IAMKIT_REQUIRE_KERNEL_KEYRING").as_deref() == Ok("1") {
            panic!("IAMKIT_REQUIRE_KERNEL_KEYRING=1 but the unlock was not cached");
        }
        eprintln!("note: skipping: no kernel session keyring to cache the unlock in");
        return;
    }
    env.unset("IAMKIT_PASSPHRASE");
    // This session (the test's) uses its cached unlock…
    assert_eq!(
        env.run(&["mfa", "code", "l", "--time", "59"], "").ok(),
        "287082\n"
    );
    // …another session has none of its own, and locks the store.
    let Some(other) = run_in_other_session(&env, &["store", "lock"]) else {
        util::peer_missing("keyctl");
        return;
    };
    assert!(other.ok().contains("nothing to forget"), "{}", other.stdout);
    // Now this session's cached unlock no longer counts either.
    assert_eq!(
        json(env.run(&["store", "status", "--json"], "").ok())["unlock_cached"],
        false
    );
    env.run(&["mfa", "code", "l", "--time", "59"], "").fails(3);
    // A new unlock caches again, and works.
    env.set("IAMKIT_PASSPHRASE", util::PASSPHRASE);
    env.run(&["mfa", "code", "l", "--time", "59"], "").ok();
    env.unset("IAMKIT_PASSPHRASE");
    assert_eq!(
        env.run(&["mfa", "code", "l", "--time", "59"], "").ok(),
        "287082\n"
    );
    env.run(&["store", "lock"], "").ok();
    env.run(&["mfa", "code", "l", "--time", "59"], "").fails(3);
}

/// Caught: IAMKIT_INSECURE_FAST_KDF_FOR_TESTS worked in every build (release included). Its
/// keystore feature must be enabled only through dev-dependencies, which only test builds use.
#[test]
fn fast_kdf_is_compiled_only_into_test_builds() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let tree = |edges: &str| {
        let out = std::process::Command::new(&cargo)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "tree",
                "--offline",
                "--locked",
                "-p",
                "iamkit-cli",
                "-e",
                edges,
            ])
            .args(["-i", "iamkit-keystore", "--prefix", "none"])
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    const FEATURE: &str = "insecure-fast-kdf-for-tests";
    // What `cargo build` (any profile) compiles: without the feature.
    let normal = tree("normal,build,features");
    assert!(normal.contains("iamkit-keystore"), "{normal}");
    assert!(!normal.contains(FEATURE), "{normal}");
    // What `cargo test` compiles: with it.
    let with_dev = tree("normal,build,dev,features");
    assert!(with_dev.contains(FEATURE), "{with_dev}");
}

/// Caught: a store whose key was sealed with a cheap scrypt work factor (the test knob, or an
/// old tool) was unlocked without a word. It is refused unless --insecure-allow-weak-kdf, and
/// `store status` shows the work factor.
#[test]
fn weak_kdf_store_is_refused_without_the_flag() {
    let mut env = Env::file();
    env.run(&["mfa", "add", "w"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        .ok();
    let st = json(env.run(&["store", "status", "--json"], "").ok());
    assert_eq!(st["scrypt_log_n"], 10);
    assert_eq!(st["scrypt_min_log_n"], 16);
    assert!(
        env.run(&["store", "status"], "")
            .ok()
            .contains("kdf: scrypt work factor 2^10, below the minimum 2^16")
    );
    // Without the test knob (as in any real use) the weak store is refused…
    env.unset("IAMKIT_INSECURE_FAST_KDF_FOR_TESTS");
    let err = env
        .run(&["mfa", "code", "w", "--time", "59"], "")
        .fails(3)
        .to_owned();
    assert!(err.contains("2^10") && err.contains("2^16"), "{err}");
    assert!(err.contains("--insecure-allow-weak-kdf"), "{err}");
    assert!(err.contains("store passwd"), "{err}");
    // …unless the user says so explicitly.
    assert_eq!(
        env.run(
            &[
                "--insecure-allow-weak-kdf",
                "mfa",
                "code",
                "w",
                "--time",
                "59"
            ],
            ""
        )
        .ok(),
        "287082\n"
    );
    // `store passwd` re-seals it at the default work factor: no flag needed any more.
    env.set("IAMKIT_NEW_PASSPHRASE", "a much better passphrase 2");
    env.run(&["store", "passwd"], "").ok();
    env.set("IAMKIT_PASSPHRASE", "a much better passphrase 2");
    let st = json(env.run(&["store", "status", "--json"], "").ok());
    assert!(st["scrypt_log_n"].as_u64().unwrap() >= 16, "{st}");
    assert_eq!(
        env.run(&["mfa", "code", "w", "--time", "59"], "").ok(),
        "287082\n"
    );
}

/// Caught: a store directory writable by others, or owned by another user, was used (anyone
/// who can write there can swap the key or the records). It is refused with how to fix it.
#[cfg(unix)]
#[test]
fn store_dir_writable_by_others_or_foreign_owned_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::file();
    env.run(&["mfa", "add", "p"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        .ok();
    let dir = env.path("store");
    let chmod = |p: &std::path::Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    for (path, mode) in [
        (dir.clone(), 0o777),
        (dir.clone(), 0o720),
        (dir.clone(), 0o702),
        (dir.join("mfa"), 0o777),
    ] {
        chmod(&path, mode);
        let err = env.run(&["mfa", "list"], "").fails(3).to_owned();
        assert!(err.contains("writable by"), "{mode:o}: {err}");
        assert!(
            err.contains(&format!("chmod 700 {}", path.display())),
            "{err}"
        );
        chmod(&path, 0o700);
        env.run(&["mfa", "list"], "").ok();
    }
    // Readable (not writable) by others is the user's business.
    chmod(&dir, 0o755);
    env.run(&["mfa", "list"], "").ok();
    chmod(&dir, 0o700);
    // Another owner: only root can arrange that here.
    if std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
    {
        let st = std::process::Command::new("chown")
            .args(["65534"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(st.success());
        let err = env.run(&["mfa", "list"], "").fails(3).to_owned();
        assert!(err.contains("owned by user id 65534"), "{err}");
        assert!(err.contains("IAMKIT_STORE_DIR"), "{err}");
        let st = std::process::Command::new("chown")
            .args(["0"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(st.success());
        env.run(&["mfa", "list"], "").ok();
    }
}

/// Caught: temporary files a killed writer left in the store directory (next to
/// identity.age) were never removed.
#[test]
fn stale_temp_files_are_removed_by_the_next_writer() {
    let env = Env::file();
    env.run(&["mfa", "add", "a"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        .ok();
    let stale = [
        env.path("store/.tmp-identity1"),
        env.path("store/mfa/.tmp-rec1"),
    ];
    for p in &stale {
        std::fs::write(p, "half-written").unwrap();
    }
    env.run(&["mfa", "add", "b"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        .ok();
    for p in &stale {
        assert!(!p.exists(), "{} is still there", p.display());
    }
    assert_eq!(env.run(&["mfa", "list"], "").ok().lines().count(), 2);
}

/// Caught: creating the store directory (and `mfa/`, `creds/`) did not fsync the parent, so a
/// crash could lose the new directory with the records just written into it. Checked with
/// strace: after each mkdir, the parent directory is opened and fsynced.
#[test]
fn new_store_directories_are_made_durable() {
    let env = Env::file();
    let trace = env.path("trace.txt");
    if !util::have("strace") {
        util::peer_missing("strace");
        return;
    }
    let trace_arg = trace.display().to_string();
    let cmd = env.wrapped(
        &[
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=mkdir,mkdirat,openat,open,fsync",
            "-o",
            &trace_arg,
        ],
        &["mfa", "add", "d"],
    );
    let out = util::output(cmd, b"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let store = env.path("store").display().to_string();
    for made in [store.clone(), format!("{store}/mfa")] {
        let parent = std::path::Path::new(&made)
            .parent()
            .unwrap()
            .display()
            .to_string();
        let at = lines
            .iter()
            .position(|l| {
                l.contains(&format!("\"{made}\"")) && l.contains("mkdir") && l.contains("= 0")
            })
            .unwrap_or_else(|| panic!("no mkdir of {made}: {text}"));
        // The parent is opened, and that descriptor fsynced, after the mkdir.
        let fd = lines[at..]
            .iter()
            .find(|l| l.contains("open") && l.contains(&format!("\"{parent}\"")))
            .and_then(|l| l.rsplit("= ").next())
            .map(|fd| fd.trim().to_owned())
            .unwrap_or_else(|| panic!("{parent} not opened after the mkdir of {made}: {text}"));
        let opened = at
            + lines[at..]
                .iter()
                .position(|l| l.contains("open") && l.contains(&format!("\"{parent}\"")))
                .unwrap();
        // fsync(fd) before the descriptor number is reused by another open.
        let synced = lines[opened + 1..]
            .iter()
            .take_while(|l| !(l.contains("open") && l.trim_end().ends_with(&format!("= {fd}"))))
            .any(|l| l.contains(&format!("fsync({fd})")));
        assert!(
            synced,
            "{parent} (fd {fd}) not fsynced after the mkdir of {made}: {text}"
        );
    }
}
