//! Black-box tests of `iamkit creds …` against the file store and the real Secret Service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=AQoDYXdzEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";

fn json(text: &str) -> serde_json::Value {
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "one JSON line: {text:?}"
    );
    serde_json::from_str(text.trim()).unwrap()
}

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
        let nested = format!("{} creds exec {p} -- true", common::BIN);
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
        common::BIN
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
