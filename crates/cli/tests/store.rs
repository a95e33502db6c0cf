//! Black-box tests of `iamkit store status|lock`.
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
