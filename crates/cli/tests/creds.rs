//! Black-box tests of `iamkit creds …` against the file store and the real Secret Service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use util::{Env, json};

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=AQoDYXdzEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";

#[test]
fn process_prints_exactly_the_credential_process_json() {
    for env in Env::all() {
        let p = env.name("proc");
        let out = env.run(&["creds", "add", &p], &format!("{KEY}\n{SECRET}\n"));
        out.ok();
        out.hides(SECRET);
        let out = env.run(&["creds", "process", &p], "");
        assert_eq!(
            out.ok(),
            format!(
                "{{\"Version\":1,\"AccessKeyId\":\"{KEY}\",\"SecretAccessKey\":\"{SECRET}\"}}\n"
            )
        );
        assert_eq!(out.stderr, "", "nothing on stderr");

        let t = env.name("proc-token");
        env.run(
            &[
                "creds",
                "add",
                &t,
                "--expiration",
                "2099-01-02T05:04:05+02:00",
            ],
            &format!("  ASIAIOSFODNN7EXAMPLE  \n {SECRET}\n{TOKEN}\n\n"),
        )
        .ok();
        let out = env.run(&["creds", "process", &t], "");
        assert_eq!(
            out.ok(),
            format!(
                "{{\"Version\":1,\"AccessKeyId\":\"ASIAIOSFODNN7EXAMPLE\",\"SecretAccessKey\":\"{SECRET}\",\"SessionToken\":\"{TOKEN}\",\"Expiration\":\"2099-01-02T03:04:05Z\"}}\n"
            )
        );
        assert_eq!(out.stderr, "");
        for n in [&p, &t] {
            env.run(&["creds", "remove", n], "").ok();
        }
    }
}

#[test]
fn add_refuses_to_overwrite_and_keeps_the_record() {
    for env in Env::all() {
        let p = env.name("dup");
        env.run(&["creds", "add", &p], &format!("{KEY}\n{SECRET}\n"))
            .ok();
        let before = env.run(&["creds", "process", &p], "").ok().to_owned();
        let other_secret = "OTHERsecretOTHERsecretOTHERsecret0000000";
        let out = env.run(
            &["creds", "add", &p],
            &format!("AKIAOTHEROTHEROTHER2\n{other_secret}\n"),
        );
        assert!(out.fails(2).contains("--force"));
        out.hides(other_secret);
        assert_eq!(env.run(&["creds", "process", &p], "").ok(), before);
        env.run(
            &["creds", "add", &p, "--force"],
            &format!("AKIAOTHEROTHEROTHER2\n{other_secret}\n"),
        )
        .ok();
        assert!(
            env.run(&["creds", "process", &p], "")
                .ok()
                .contains(other_secret)
        );
        env.run(&["creds", "remove", &p], "").ok();
    }
}

#[test]
fn bad_credentials_input_is_exit_2_and_never_echoed() {
    let env = Env::file();
    for (stdin, why) in [
        (String::new(), "empty stdin"),
        (format!("{KEY}\n"), "no secret line"),
        (
            format!("{SECRET}\n{KEY}\n"),
            "lines swapped: the secret is no key ID",
        ),
        (format!("AKIA123\n{SECRET}\n"), "key ID too short"),
        (
            format!("AKIAIOSFODNN7EXAMPL-\n{SECRET}\n"),
            "key ID not alphanumeric",
        ),
        (
            format!("{}\n{SECRET}\n", "A".repeat(129)),
            "key ID too long",
        ),
        (format!("{KEY}\n\n"), "empty secret"),
        (format!("{KEY}\n{SECRET} extra\n"), "secret with a space"),
        (format!("{KEY}\n{SECRET}\n{TOKEN}\nmore\n"), "four lines"),
    ] {
        let out = env.run(&["creds", "add", "bad"], &stdin);
        assert_eq!(out.code, 2, "{why}: {}", out.stderr);
        out.fails(2);
        out.hides(SECRET).hides(TOKEN);
    }
    env.run(
        &["creds", "add", "bad", "--region", "EU WEST"],
        &format!("{KEY}\n{SECRET}\n"),
    )
    .fails(2);
    env.run(
        &["creds", "add", "bad", "--expiration", "tomorrow"],
        &format!("{KEY}\n{SECRET}\n"),
    )
    .fails(2);
    env.run(&["creds", "add", ""], &format!("{KEY}\n{SECRET}\n"))
        .fails(2);
    // Nothing was stored.
    assert_eq!(env.run(&["creds", "list"], "").ok(), "");
    // Unknown profile: storage error, one line, nothing on stdout.
    env.run(&["creds", "process", "bad"], "").fails(3);
    env.run(&["creds", "export", "bad", "--format", "env"], "")
        .fails(3);
    env.run(&["creds", "exec", "bad", "--", "true"], "")
        .fails(3);
    env.run(&["creds", "remove", "bad"], "").fails(3);
    // Usage errors.
    env.run(&["creds", "export", "x", "--format", "yaml"], "")
        .fails(2);
    env.run(&["creds", "exec", "x"], "").fails(2);
}

#[test]
fn wrong_passphrase_and_unreachable_keychain_are_exit_3() {
    let mut env = Env::file();
    env.run(&["creds", "add", "p"], &format!("{KEY}\n{SECRET}\n"))
        .ok();
    env.set("IAMKIT_PASSPHRASE", "not the passphrase");
    let out = env.run(&["creds", "process", "p"], "");
    out.fails(3);
    out.hides(SECRET).hides("not the passphrase");
    let out = env.run(&["creds", "add", "q"], &format!("{KEY}\n{SECRET}\n"));
    out.fails(3);
    out.hides(SECRET);
    let mut env = Env::file();
    env.set("IAMKIT_STORE", "keychain");
    env.set(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/iamkit-test-bus",
    );
    let out = env.run(&["creds", "add", "p"], &format!("{KEY}\n{SECRET}\n"));
    out.fails(3);
    out.hides(SECRET);
    env.run(&["creds", "process", "p"], "").fails(3);
}

#[test]
fn expired_credentials_are_refused_with_exit_1() {
    let env = Env::file();
    env.run(
        &[
            "creds",
            "add",
            "old",
            "--expiration",
            "2001-01-01T00:00:00Z",
        ],
        &format!("ASIAIOSFODNN7EXAMPLE\n{SECRET}\n{TOKEN}\n"),
    )
    .ok();
    let out = env.run(&["creds", "process", "old"], "");
    assert!(out.fails(1).contains("expired"));
    out.hides(SECRET).hides(TOKEN);
    env.run(&["creds", "export", "old", "--format", "json"], "")
        .fails(1);
    env.run(&["creds", "exec", "old", "--", "true"], "")
        .fails(1);
}

#[test]
fn exec_sets_the_environment_and_passes_the_status_through() {
    for mut env in Env::all() {
        let p = env.name("exec");
        env.run(
            &[
                "creds",
                "add",
                &p,
                "--region",
                "eu-west-1",
                "--expiration",
                "2099-01-01T00:00:00Z",
            ],
            &format!("{KEY}\n{SECRET}\n{TOKEN}\n"),
        )
        .ok();
        env.set("AWS_PROFILE", "should-be-removed");
        let script = "printf '%s|%s|%s|%s|%s|%s|%s|%s\\n' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \
                      \"$AWS_SESSION_TOKEN\" \"$AWS_CREDENTIAL_EXPIRATION\" \"$AWS_REGION\" \"$AWS_DEFAULT_REGION\" \
                      \"${AWS_PROFILE-unset}\" \"$IAMKIT_EXEC_PROFILE\"; exit 7";
        let out = env.run(&["creds", "exec", &p, "--", "sh", "-c", script], "");
        assert_eq!(out.code, 7, "{}", out.stderr);
        assert_eq!(
            out.stdout,
            format!("{KEY}|{SECRET}|{TOKEN}|2099-01-01T00:00:00Z|eu-west-1|eu-west-1|unset|{p}\n")
        );
        assert_eq!(out.stderr, "");
        // Status 0 and arguments passed as they are.
        let out = env.run(
            &["creds", "exec", &p, "--", "printf", "%s,", "a b", "--flag"],
            "",
        );
        assert_eq!(out.ok(), "a b,--flag,");
        // No session token: none in the child, even if the parent had one.
        let q = env.name("exec-long");
        env.run(&["creds", "add", &q], &format!("{KEY}\n{SECRET}\n"))
            .ok();
        env.set("AWS_SESSION_TOKEN", "stale");
        let out = env.run(
            &[
                "creds",
                "exec",
                &q,
                "--",
                "sh",
                "-c",
                "echo ${AWS_SESSION_TOKEN-none}",
            ],
            "",
        );
        assert_eq!(out.ok(), "none\n");
        env.unset("AWS_SESSION_TOKEN");
        // Nesting is refused.
        env.set("IAMKIT_EXEC_PROFILE", "outer");
        let err = env
            .run(&["creds", "exec", &p, "--", "true"], "")
            .fails(2)
            .to_owned();
        assert!(err.contains("IAMKIT_EXEC_PROFILE"), "{err}");
        env.unset("IAMKIT_EXEC_PROFILE");
        // And really nested: iamkit inside iamkit.
        let nested = format!("{} creds exec {p} -- true", util::BIN);
        let out = env.run(&["creds", "exec", &p, "--", "sh", "-c", &nested], "");
        assert_eq!(out.code, 2, "{}", out.stderr);
        // A command that does not exist: 127 and one line.
        let out = env.run(
            &[
                "creds",
                "exec",
                &p,
                "--",
                "/nonexistent/iamkit-no-such-command",
            ],
            "",
        );
        assert_eq!(out.code, 127);
        assert!(out.stderr.starts_with("iamkit: ") && out.stderr.trim_end().lines().count() == 1);
        out.hides(SECRET);
        for n in [&p, &q] {
            env.run(&["creds", "remove", n], "").ok();
        }
    }
}

#[test]
fn export_formats() {
    let env = Env::file();
    env.run(
        &["creds", "add", "e", "--region", "us-east-2"],
        &format!("{KEY}\n{SECRET}\n{TOKEN}\n"),
    )
    .ok();
    let out = env.run(&["creds", "export", "e", "--format", "env"], "");
    assert_eq!(
        out.ok(),
        format!(
            "export AWS_ACCESS_KEY_ID={KEY}\nexport AWS_SECRET_ACCESS_KEY={SECRET}\nexport AWS_SESSION_TOKEN={TOKEN}\n\
             export AWS_REGION=us-east-2\nexport AWS_DEFAULT_REGION=us-east-2\nunset AWS_CREDENTIAL_EXPIRATION\n"
        )
    );
    // The env form is valid shell: eval it and read the variables back.
    let script = format!(
        "AWS_SESSION_TOKEN=x; AWS_CREDENTIAL_EXPIRATION=y; eval \"$({} creds export e --format env)\"; \
         echo \"$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN ${{AWS_CREDENTIAL_EXPIRATION-unset}}\"",
        util::BIN
    );
    let sh = {
        let mut c = std::process::Command::new("sh");
        c.args(["-c", &script]);
        for (k, v) in &env.vars {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    assert_eq!(
        String::from_utf8_lossy(&sh.stdout),
        format!("{KEY} {SECRET} {TOKEN} unset\n")
    );
    let v = json(
        env.run(&["creds", "export", "e", "--format", "json"], "")
            .ok(),
    );
    assert_eq!(
        v,
        serde_json::json!({
            "access_key_id": KEY, "secret_access_key": SECRET, "session_token": TOKEN, "region": "us-east-2"
        })
    );
    let process = env.run(&["creds", "export", "e", "--format", "process"], "");
    assert_eq!(process.ok(), env.run(&["creds", "process", "e"], "").ok());
    // Without a token, env unsets it.
    env.run(&["creds", "add", "l"], &format!("{KEY}\n{SECRET}\n"))
        .ok();
    let out = env.run(&["creds", "export", "l", "--format", "env"], "");
    assert!(
        out.ok()
            .contains("unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION")
    );
}

#[test]
fn list_masks_key_ids_and_remove_removes() {
    for env in Env::all() {
        let a = env.name("list-a");
        let b = env.name("list-b");
        env.run(
            &["creds", "add", &a, "--mfa-device", "phone"],
            &format!("{KEY}\n{SECRET}\n"),
        )
        .ok();
        env.run(
            &[
                "creds",
                "add",
                &b,
                "--mfa-serial",
                "arn:aws:iam::123456789012:mfa/bob",
            ],
            &format!("ASIAZZZZZZZZZZZZWXYZ\n{SECRET}\n{TOKEN}\n"),
        )
        .ok();
        let out = env.run(&["creds", "list"], "");
        let text = out.ok();
        assert!(!text.contains(KEY) && !text.contains(SECRET) && !text.contains(TOKEN));
        assert!(text.contains(&a) && text.contains("****MPLE"), "{text}");
        assert!(text.contains(&b) && text.contains("****WXYZ"), "{text}");
        let v = json(env.run(&["creds", "list", "--json"], "").ok());
        let ps = v["profiles"].as_array().unwrap();
        let pa = ps.iter().find(|p| p["profile"] == a.as_str()).unwrap();
        assert_eq!(pa["access_key_id"], "****MPLE");
        assert_eq!(pa["session_token"], false);
        assert_eq!(pa["mfa_device"], "phone");
        let pb = ps.iter().find(|p| p["profile"] == b.as_str()).unwrap();
        assert_eq!(pb["access_key_id"], "****WXYZ");
        assert_eq!(pb["session_token"], true);
        assert_eq!(pb["mfa_serial"], "arn:aws:iam::123456789012:mfa/bob");
        assert!(!v.to_string().contains(SECRET));
        env.run(&["creds", "remove", &a], "").ok();
        env.run(&["creds", "process", &a], "").fails(3);
        let v = json(env.run(&["creds", "list", "--json"], "").ok());
        assert!(!v.to_string().contains(&a));
        env.run(&["creds", "remove", &b], "").ok();
    }
}

const CREDENTIALS_FILE: &str = "# my keys\n\
[default]\n\
aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
\n\
; temporary ones\n\
[dev]\n\
aws_access_key_id=ASIAIOSFODNN7EXAMPLE\n\
aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
aws_session_token = IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=AQoDYXdzEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ\n\
region = eu-central-1\n\
\n\
[assume-only]\n\
role_arn = arn:aws:iam::123456789012:role/x\n\
source_profile = default\n";

#[test]
fn import_reads_the_credentials_file() {
    let env = Env::file();
    let f = env.path("credentials");
    std::fs::write(&f, CREDENTIALS_FILE).unwrap();
    let fs = f.to_str().unwrap();
    // Selected profiles only.
    env.run(&["creds", "import", "--file", fs, "--profile", "dev"], "")
        .ok();
    let v = json(env.run(&["creds", "list", "--json"], "").ok());
    assert_eq!(v["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(
        env.run(&["creds", "process", "dev"], "").ok(),
        format!(
            "{{\"Version\":1,\"AccessKeyId\":\"ASIAIOSFODNN7EXAMPLE\",\"SecretAccessKey\":\"{SECRET}\",\"SessionToken\":\"{TOKEN}\"}}\n"
        )
    );
    // Everything (dev already there: refused, nothing imported).
    let out = env.run(&["creds", "import", "--file", fs], "");
    assert!(out.fails(2).contains("dev"));
    env.run(&["creds", "process", "default"], "").fails(3);
    // With --force; the section without keys is skipped with a note.
    let out = env.run(&["creds", "import", "--file", fs, "--force"], "");
    assert!(out.ok().contains("default") && out.stdout.contains("dev"));
    assert!(out.stderr.contains("assume-only"));
    assert_eq!(
        env.run(&["creds", "process", "default"], "").ok(),
        format!("{{\"Version\":1,\"AccessKeyId\":\"{KEY}\",\"SecretAccessKey\":\"{SECRET}\"}}\n")
    );
    let v = json(
        env.run(&["creds", "export", "dev", "--format", "json"], "")
            .ok(),
    );
    assert_eq!(v["region"], "eu-central-1");
    // An explicitly requested profile without keys, or a missing one: exit 2.
    env.run(
        &[
            "creds",
            "import",
            "--file",
            fs,
            "--profile",
            "assume-only",
            "--force",
        ],
        "",
    )
    .fails(2);
    env.run(&["creds", "import", "--file", fs, "--profile", "nope"], "")
        .fails(2);
    // The default file: AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/credentials.
    let mut env2 = Env::file();
    env2.set("AWS_SHARED_CREDENTIALS_FILE", fs);
    env2.run(&["creds", "import", "--profile", "default"], "")
        .ok();
    env2.unset("AWS_SHARED_CREDENTIALS_FILE");
    env2.run(&["creds", "import"], "").fails(2);
    let aws_dir = env2.path("home/.aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    std::fs::write(aws_dir.join("credentials"), CREDENTIALS_FILE).unwrap();
    env2.run(&["creds", "import", "--profile", "dev"], "").ok();
    assert_eq!(
        json(env2.run(&["creds", "list", "--json"], "").ok())["profiles"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn import_of_a_file_with_junk_stores_nothing() {
    let env = Env::file();
    for (junk, line) in [
        (format!("{CREDENTIALS_FILE}{SECRET}\n"), 16),
        (
            format!("[default]\naws_access_key_id = {KEY}\n{SECRET}\n"),
            3,
        ),
        (format!("[default\naws_access_key_id = {KEY}\n"), 1),
        (format!("aws_access_key_id = {KEY}\n"), 1),
        (
            format!("[a]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n[a]\n"),
            4,
        ),
        (
            format!("[a]\naws_access_key_id = AKIA-BAD\naws_secret_access_key = {SECRET}\n"),
            1,
        ),
        (
            format!("[a]\naws_access_key_id = {KEY}\naws_secret_access_key =\n"),
            1,
        ),
    ] {
        let f = env.path("junk");
        std::fs::write(&f, &junk).unwrap();
        let out = env.run(&["creds", "import", "--file", f.to_str().unwrap()], "");
        let err = out.fails(2);
        assert!(err.contains(&format!("line {line}")), "{err}");
        out.hides(SECRET);
        assert_eq!(env.run(&["creds", "list"], "").ok(), "", "nothing stored");
    }
    env.run(
        &[
            "creds",
            "import",
            "--file",
            env.path("missing").to_str().unwrap(),
        ],
        "",
    )
    .fails(2);
    let empty = env.path("empty");
    std::fs::write(&empty, "# nothing\n").unwrap();
    env.run(&["creds", "import", "--file", empty.to_str().unwrap()], "")
        .fails(2);
}

/// Caught: `creds exec` passed IAMKIT_PASSPHRASE, IAMKIT_PASSPHRASE_FILE and
/// IAMKIT_NEW_PASSPHRASE* to its command, so `creds exec dev -- iamkit creds process prod`
/// printed the prod secret.
#[test]
fn exec_gives_the_command_no_passphrase_variable() {
    let mut env = Env::file();
    let pass_file = env.path("pass.txt");
    std::fs::write(&pass_file, format!("{}\n", util::PASSPHRASE)).unwrap();
    let prod_secret = "pRoDsEcReTkEy/0123456789abcdefghijklmnopq";
    env.run(&["creds", "add", "dev"], &format!("{KEY}\n{SECRET}\n"))
        .ok();
    env.run(
        &["creds", "add", "prod"],
        &format!("AKIAPRODPRODPRODPROD\n{prod_secret}\n"),
    )
    .ok();
    env.set("IAMKIT_PASSPHRASE_FILE", &pass_file.display().to_string());
    env.set("IAMKIT_NEW_PASSPHRASE", "new passphrase value 1");
    env.set(
        "IAMKIT_NEW_PASSPHRASE_FILE",
        &pass_file.display().to_string(),
    );
    env.set("IAMKIT_SOME_FUTURE_SECRET", "future-secret-value");
    // The whole environment of the command: no passphrase, no unknown IAMKIT_* variable;
    // where the store is, and the profile's own credentials, are still there.
    let out = env.run(&["creds", "exec", "dev", "--", "env"], "");
    let seen = out.ok();
    for gone in [
        "IAMKIT_PASSPHRASE=",
        "IAMKIT_PASSPHRASE_FILE=",
        "IAMKIT_NEW_PASSPHRASE=",
        "IAMKIT_NEW_PASSPHRASE_FILE=",
        "IAMKIT_SOME_FUTURE_SECRET=",
        "IAMKIT_INSECURE_FAST_KDF_FOR_TESTS=",
        util::PASSPHRASE,
        "new passphrase value 1",
        "future-secret-value",
    ] {
        assert!(
            !seen
                .lines()
                .any(|l| l.starts_with(gone) || l.contains(gone)),
            "{gone} reached the command: {seen}"
        );
    }
    for kept in [
        "IAMKIT_STORE=file",
        "IAMKIT_STORE_DIR=",
        "IAMKIT_CACHE_TTL=0",
        "IAMKIT_EXEC_PROFILE=dev",
    ] {
        assert!(seen.lines().any(|l| l.starts_with(kept)), "{kept}: {seen}");
    }
    assert!(seen.contains(&format!("AWS_SECRET_ACCESS_KEY={SECRET}\n")));
    // The scenario: the command asks iamkit for another profile.
    let out = env.run(
        &[
            "creds",
            "exec",
            "dev",
            "--",
            util::BIN,
            "creds",
            "process",
            "prod",
        ],
        "",
    );
    out.hides(prod_secret);
    out.fails(3);
}

/// The kernel keyring id of the cached unlock of the file store of `env`, as `keyctl` finds it
/// from the test's own session keyring; `None` when nothing is cached or keyctl is missing.
fn cached_key_id(env: &Env) -> Option<String> {
    let dir = std::fs::canonicalize(env.path("store")).ok()?;
    let out = std::process::Command::new("keyctl")
        .args(["search", "@s", "user"])
        .arg(format!("iamkit:file-key:{}", dir.display()))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Caught: the command run by `creds exec` inherited the login session's kernel keyring, so
/// it could use the cached unlock of the file store (the store's long-term key) and read any
/// profile without a passphrase.
#[test]
fn exec_runs_the_command_in_a_fresh_session_keyring() {
    let mut env = Env::file();
    env.set("IAMKIT_CACHE_TTL", "120");
    let prod_secret = "pRoDsEcReTkEy/abcdefghijklmnopq0123456789";
    env.run(&["creds", "add", "dev"], &format!("{KEY}\n{SECRET}\n"))
        .ok();
    env.run(
        &["creds", "add", "prod"],
        &format!("AKIAPRODPRODPRODPROD\n{prod_secret}\n"),
    )
    .ok();
    let st = json(env.run(&["store", "status", "--json"], "").ok());
    if st["unlock_cached"] != true {
        if std::env::var("IAMKIT_REQUIRE_KERNEL_KEYRING").as_deref() == Ok("1") {
            panic!("IAMKIT_REQUIRE_KERNEL_KEYRING=1 but the unlock was not cached");
        }
        eprintln!("note: skipping: no kernel session keyring to cache the unlock in");
        return;
    }
    // No passphrase anywhere from now on: only the cache can unlock the store.
    env.unset("IAMKIT_PASSPHRASE");
    let out = env.run(&["creds", "process", "prod"], "");
    assert!(out.ok().contains(prod_secret), "the cache works here");
    let out = env.run(
        &[
            "creds",
            "exec",
            "dev",
            "--",
            util::BIN,
            "creds",
            "process",
            "prod",
        ],
        "",
    );
    out.hides(prod_secret);
    let err = out.fails(3);
    assert!(err.contains("passphrase"), "{err}");
    // Not only iamkit's own search: the cached key cannot be read by its id either.
    if let Some(id) = cached_key_id(&env) {
        let out = env.run(&["creds", "exec", "dev", "--", "keyctl", "pipe", &id], "");
        assert_ne!(out.code, 0, "the command read the cached key {id}");
        assert!(out.stdout.is_empty());
    } else if iamkit_testkit::peers_required() {
        panic!("keyctl is missing or found no cached key");
    }
    // The command still gets its own profile.
    let out = env.run(
        &[
            "creds",
            "exec",
            "dev",
            "--",
            "sh",
            "-c",
            "echo $AWS_SECRET_ACCESS_KEY",
        ],
        "",
    );
    assert_eq!(out.ok(), format!("{SECRET}\n"));
    env.run(&["store", "lock"], "").ok();
}

/// iamkit runs with a core-file limit of 0; the command `creds exec` runs must get back the
/// limit iamkit was started with.
#[test]
fn exec_gives_the_command_the_core_limit_iamkit_started_with() {
    let env = Env::file();
    env.run(&["creds", "add", "dev"], &format!("{KEY}\n{SECRET}\n"))
        .ok();
    // `prlimit --core=4096` starts iamkit with 4096 bytes (soft and hard).
    let mut cmd = env.wrapped(
        &["prlimit", "--core=4096", "--"],
        &["creds", "exec", "dev", "--", "cat", "/proc/self/limits"],
    );
    let out = match cmd.output() {
        Ok(o) => o,
        Err(_) => {
            util::peer_missing("prlimit (util-linux)");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let core = text
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_default();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(fields.get(4..6), Some(&["4096", "4096"][..]), "{core}");
}

/// Caught: iamkit could dump core with secrets in memory (Ctrl-\, a crash) and another process
/// of the same user could read its memory. While a secret-holding command runs, its core-file
/// limit is 0 and it is not dumpable (the kernel then gives its /proc files to root).
#[cfg(target_os = "linux")]
#[test]
fn secret_commands_are_not_dumpable_and_write_no_core() {
    use std::os::unix::fs::MetadataExt;
    let env = Env::file();
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    // Started with a core limit of 4096 bytes; as root, as user 65534 (a root-owned /proc
    // entry then tells "not dumpable" apart).
    let mut wrapper = vec!["prlimit", "--core=4096", "--"];
    if root {
        wrapper.extend([
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
        ]);
    }
    let mut cmd = env.wrapped(&wrapper, &["creds", "add", "dump"]);
    // `creds add` waits for its stdin: the process is inspected while it holds the pipe.
    let Ok(mut child) = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    else {
        util::peer_missing("prlimit/setpriv (util-linux)");
        return;
    };
    let proc_dir = format!("/proc/{}", child.id());
    // Wait until the pid is iamkit (prlimit and setpriv exec into it).
    let mut waited = 0;
    while std::fs::read_to_string(format!("{proc_dir}/comm")).unwrap_or_default() != "iamkit\n" {
        assert!(waited < 1000, "iamkit did not start");
        std::thread::sleep(std::time::Duration::from_millis(10));
        waited += 1;
    }
    // …and has read its core limit back to 0 (the first thing it does).
    let mut limits = String::new();
    for _ in 0..1000 {
        limits = std::fs::read_to_string(format!("{proc_dir}/limits")).unwrap_or_default();
        if limits.lines().any(|l| {
            l.starts_with("Max core file size") && l.split_whitespace().nth(4) == Some("0")
        }) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let core: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    // (The /proc/PID directory itself keeps the real owner; its private files do not.)
    let owner = std::fs::metadata(format!("{proc_dir}/environ"))
        .unwrap()
        .uid();
    drop(child.stdin.take());
    let _ = child.wait();
    assert_eq!(core.get(4..6), Some(&["0", "4096"][..]), "{limits}");
    assert_eq!(
        owner, 0,
        "/proc/PID/environ of a non-dumpable process belongs to root"
    );
}
