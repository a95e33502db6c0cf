//! MFA and role sessions end to end against a real STS: moto on 127.0.0.1 with its IAM
//! authentication on (every request iamkit signs is checked), behind the gate of
//! `tests/moto/gate.py` that checks each MFA code against the device's seed and refuses reused
//! ones, and counts STS calls. Real consumers: the AWS CLI and boto3, through
//! `credential_process` and `creds exec`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::process::Stdio;

use serde_json::json;
use util::moto::{Moto, aws_cli, caller_arn, python};
use util::{BIN, Env};

fn spec() -> serde_json::Value {
    json!({
        "users": [{"name": "alice", "mfa": true}, {"name": "bob"}],
        "roles": [{"name": "admin", "trust": ["alice"]}, {"name": "ops", "trust": ["bob"]}],
    })
}

/// Writes the AWS config: iamkit role profiles (`admin` from `work`, `ops` from `plain`), and
/// AWS CLI profiles that call `iamkit creds process`, plus one that lets the AWS CLI assume
/// the role itself from iamkit's MFA session.
fn write_config(env: &Env, moto: &Moto, work: &str, plain: &str) -> (String, String) {
    let admin = env.name("admin");
    let ops = env.name("ops");
    let text = format!(
        "[profile {admin}]\nrole_arn = {admin_arn}\nsource_profile = {work}\n\n\
         [profile {ops}]\nrole_arn = {ops_arn}\nsource_profile = {plain}\nrole_session_name = ops-session\n\n\
         [profile cli-work]\ncredential_process = {BIN} creds process {work}\nregion = us-east-1\n\n\
         [profile cli-admin]\ncredential_process = {BIN} creds process {admin}\nregion = us-east-1\n\n\
         [profile cli-own-assume]\nrole_arn = {admin_arn}\nsource_profile = cli-work\nrole_session_name = by-aws-cli\nregion = us-east-1\n",
        admin_arn = moto.role("admin"),
        ops_arn = moto.role("ops"),
    );
    std::fs::write(env.path("aws-config"), text).unwrap();
    (admin, ops)
}

#[test]
fn mfa_and_role_sessions_through_the_aws_cli_and_boto3() {
    for env in Env::all() {
        // One STS (and one MFA device) per store: two stores holding the same seed each send
        // the current code, and within one time step the second is a reused code, which AWS
        // (and the gate) refuses.
        let Some(moto) = Moto::start(&spec()) else {
            return;
        };
        let seed = moto.user("alice", "mfa_seed");
        let secret = moto.user("alice", "secret_access_key");
        let env = moto.env(env);
        let (_dev, work, plain) = moto.store_alice_and_bob(&env);
        let (admin, ops) = write_config(&env, &moto, &work, &plain);
        let gst = moto.calls("GetSessionToken");

        // credential_process output: a session, not the long-term key.
        let out = env.run(&["creds", "process", &work], "");
        let v: serde_json::Value =
            serde_json::from_str(out.hides(&secret).hides(&seed).ok()).unwrap();
        let key = v["AccessKeyId"].as_str().unwrap().to_owned();
        assert!(key.starts_with("ASIA"), "{v}");
        assert!(v["SessionToken"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(v["Expiration"].as_str().unwrap().ends_with('Z'));
        assert_eq!(moto.calls("GetSessionToken"), gst + 1);
        // Reused from the cache: same key, no second STS call.
        let again: serde_json::Value =
            serde_json::from_str(env.run(&["creds", "process", &work], "").ok()).unwrap();
        assert_eq!(again["AccessKeyId"], v["AccessKeyId"]);
        assert_eq!(moto.calls("GetSessionToken"), gst + 1);
        // --no-session: the long-term key as stored.
        let long: serde_json::Value = serde_json::from_str(
            env.run(&["creds", "process", &work, "--no-session"], "")
                .ok(),
        )
        .unwrap();
        assert_eq!(
            long["AccessKeyId"],
            moto.user("alice", "access_key_id").as_str()
        );
        assert!(long.get("SessionToken").is_none());

        let aws = aws_cli();
        // The AWS CLI through credential_process: the MFA session's identity.
        let r = env.run_program(
            &aws,
            &["sts", "get-caller-identity", "--profile", "cli-work"],
            &[],
        );
        assert_eq!(caller_arn(&r), moto.user("alice", "session_arn"));
        // A role profile of ~/.aws/config, its source's MFA session assuming the role.
        let r = env.run_program(
            &aws,
            &["sts", "get-caller-identity", "--profile", "cli-admin"],
            &[],
        );
        let iamkit_role_arn = caller_arn(&r);
        assert_eq!(
            iamkit_role_arn,
            format!("arn:aws:sts::123456789012:assumed-role/admin/iamkit-{admin}")
        );
        // The AWS CLI's own assume-role provider on the same role and source agrees on the role.
        let r = env.run_program(
            &aws,
            &["sts", "get-caller-identity", "--profile", "cli-own-assume"],
            &[],
        );
        assert_eq!(
            caller_arn(&r),
            "arn:aws:sts::123456789012:assumed-role/admin/by-aws-cli"
        );
        // creds exec: the child's AWS CLI gets the role session from its environment.
        let r = env.run(
            &[
                "creds",
                "exec",
                &admin,
                "--",
                aws.to_str().unwrap(),
                "sts",
                "get-caller-identity",
            ],
            "",
        );
        assert_eq!(caller_arn(&r), iamkit_role_arn);
        let r = env.run(
            &[
                "creds",
                "exec",
                &work,
                "--",
                aws.to_str().unwrap(),
                "sts",
                "get-caller-identity",
            ],
            "",
        );
        assert_eq!(caller_arn(&r), moto.user("alice", "session_arn"));
        // A role whose source has no MFA device: AssumeRole with the long-term key.
        let r = env.run(
            &[
                "creds",
                "exec",
                &ops,
                "--",
                aws.to_str().unwrap(),
                "sts",
                "get-caller-identity",
            ],
            "",
        );
        assert_eq!(
            caller_arn(&r),
            "arn:aws:sts::123456789012:assumed-role/ops/ops-session"
        );
        // boto3 through credential_process.
        let script = "import boto3, sys\nprint(boto3.Session(profile_name=sys.argv[1]).client('sts').get_caller_identity()['Arn'])";
        let r = env.run_program(python(), &["-c", script, "cli-admin"], &[]);
        assert_eq!(r.ok().trim(), iamkit_role_arn);

        // creds session: expiry, never secrets.
        let s = env.run(&["creds", "session", &work, "--json"], "");
        let sj: serde_json::Value = serde_json::from_str(s.hides(&secret).ok()).unwrap();
        assert_eq!(sj["access_key_id"], v["AccessKeyId"]);
        assert_eq!(sj["cached"], true);
        assert!(!s.stdout.contains(v["SecretAccessKey"].as_str().unwrap()));
        assert!(!s.stdout.contains(v["SessionToken"].as_str().unwrap()));
        assert_eq!(moto.calls("GetSessionToken"), gst + 1);
        env.run(&["creds", "forget"], "").ok();
        // Every code iamkit sent was right and never reused.
        assert_eq!(moto.stats()["mfa_refused"], 0);
    }
}

#[test]
fn eight_concurrent_creds_process_make_one_sts_call_and_forget_makes_one_more() {
    let Some(moto) = Moto::start(&spec()) else {
        return;
    };
    let env = moto.env(Env::file());
    let (_dev, work, _plain) = moto.store_alice_and_bob(&env);
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.command(&["creds", "process", &work])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut keys = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        keys.push(v["AccessKeyId"].as_str().unwrap().to_owned());
    }
    keys.dedup();
    assert_eq!(keys.len(), 1, "one session for all: {keys:?}");
    assert_eq!(moto.calls("GetSessionToken"), 1);
    for _ in 0..3 {
        env.run(&["creds", "process", &work], "").ok();
    }
    assert_eq!(moto.calls("GetSessionToken"), 1);

    // Forgotten: the next call asks STS again, with a code never sent before (the gate would
    // refuse a reused one), so it may wait for the next 30-second step.
    env.run(&["creds", "forget", &work], "").ok();
    let out = env.run(&["creds", "process", &work], "");
    let v: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_ne!(v["AccessKeyId"].as_str().unwrap(), keys[0]);
    assert_eq!(moto.calls("GetSessionToken"), 2);
    // --refresh renews even a good session.
    let s = env.run(&["creds", "session", &work, "--refresh", "--json"], "");
    let sj: serde_json::Value = serde_json::from_str(s.ok()).unwrap();
    assert_eq!(sj["cached"], false);
    assert_eq!(moto.calls("GetSessionToken"), 3);
    assert_eq!(moto.stats()["mfa_refused"], 0);
}

#[test]
fn refusals_exit_1_with_aws_code_endpoint_failures_exit_4() {
    let Some(moto) = Moto::start(&spec()) else {
        return;
    };
    let mut env = moto.env(Env::file());
    let (dev, _work, _plain) = moto.store_alice_and_bob(&env);
    let secret = moto.user("alice", "secret_access_key");
    let seed = moto.user("alice", "mfa_seed");
    // A serial that is not the device's: AWS (the gate) refuses the code.
    let wrong = env.name("wrong-serial");
    env.run(
        &[
            "creds",
            "add",
            &wrong,
            "--mfa-device",
            &dev,
            "--mfa-serial",
            "arn:aws:iam::123456789012:mfa/nobody",
        ],
        &format!("{}\n{secret}\n", moto.user("alice", "access_key_id")),
    )
    .ok();
    let r = env.run(&["creds", "process", &wrong], "");
    let err = r.hides(&secret).hides(&seed).fails(1);
    assert!(
        err.contains("AccessDenied") && err.contains("clock"),
        "{err}"
    );
    // A wrong secret: moto's authentication refuses the signature.
    let badkey = env.name("bad-secret");
    env.run(
        &[
            "creds",
            "add",
            &badkey,
            "--mfa-device",
            &dev,
            "--mfa-serial",
            &moto.user("alice", "mfa_serial"),
        ],
        &format!(
            "{}\n{}\n",
            moto.user("alice", "access_key_id"),
            "A".repeat(40)
        ),
    )
    .ok();
    let err = env
        .run(&["creds", "process", &badkey], "")
        .fails(1)
        .to_owned();
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");
    // An endpoint nothing listens on: exit 4 naming it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    env.set("AWS_ENDPOINT_URL", &dead);
    let r = env.run(&["creds", "process", &wrong], "");
    assert!(r.hides(&secret).fails(4).contains(&dead), "{}", r.stderr);
    // Plain HTTP to anything but loopback is refused before sending.
    env.set("AWS_ENDPOINT_URL", "http://sts.example.com");
    let r = env.run(&["creds", "process", &wrong], "");
    assert!(r.fails(2).contains("loopback"), "{}", r.stderr);
}

#[test]
fn sessions_are_encrypted_in_the_file_store_and_need_its_passphrase() {
    let Some(moto) = Moto::start(&spec()) else {
        return;
    };
    let mut env = moto.env(Env::file());
    let (_dev, work, _plain) = moto.store_alice_and_bob(&env);
    let v: serde_json::Value =
        serde_json::from_str(env.run(&["creds", "process", &work], "").ok()).unwrap();
    let token = v["SessionToken"].as_str().unwrap();
    let dir = env.path("store/session");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "one cached session in {}", dir.display());
    let bytes = std::fs::read(files[0].path()).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(token));
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    // Locked (no passphrase): the cached session cannot be read either.
    env.unset("IAMKIT_PASSPHRASE");
    env.run(&["store", "lock"], "").ok();
    let r = env.run(&["creds", "process", &work], "");
    r.hides(token).fails(3);
    assert_eq!(moto.calls("GetSessionToken"), 1);
}

#[test]
fn stored_role_profiles_assume_with_the_source_session_or_their_own_mfa_code() {
    let Some(moto) = Moto::start(&spec()) else {
        return;
    };
    let env = moto.env(Env::file());
    let (dev, work, plain) = moto.store_alice_and_bob(&env);
    let aws = aws_cli();
    let aws = aws.to_str().unwrap();
    let role = env.name("stored-admin");
    env.run(
        &[
            "creds",
            "add-role",
            &role,
            "--role-arn",
            &moto.role("admin"),
            "--source",
            &work,
            "--duration",
            "1800",
        ],
        "",
    )
    .ok();
    // Refused without --force, the stored one unchanged.
    env.run(
        &[
            "creds",
            "add-role",
            &role,
            "--role-arn",
            &moto.role("ops"),
            "--source",
            &work,
        ],
        "",
    )
    .fails(2);
    let r = env.run(
        &[
            "creds",
            "exec",
            &role,
            "--",
            aws,
            "sts",
            "get-caller-identity",
        ],
        "",
    );
    assert_eq!(
        caller_arn(&r),
        format!("arn:aws:sts::123456789012:assumed-role/admin/iamkit-{role}")
    );
    // The source's MFA session made the AssumeRole call; one GetSessionToken, one AssumeRole.
    assert_eq!(moto.calls("GetSessionToken"), 1);
    assert_eq!(moto.calls("AssumeRole"), 1);
    let v: serde_json::Value =
        serde_json::from_str(env.run(&["creds", "process", &role], "").ok()).unwrap();
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(moto.calls("AssumeRole"), 1, "cached");

    // A role with its own MFA code (its source, bob's key, has no device).
    let ops = env.name("stored-ops");
    env.run(
        &[
            "creds",
            "add-role",
            &ops,
            "--role-arn",
            &moto.role("ops"),
            "--source",
            &plain,
            "--mfa-device",
            &dev,
            "--mfa-serial",
            &moto.user("alice", "mfa_serial"),
            "--session-name",
            "ops-mfa",
        ],
        "",
    )
    .ok();
    let r = env.run(
        &[
            "creds",
            "exec",
            &ops,
            "--",
            aws,
            "sts",
            "get-caller-identity",
        ],
        "",
    );
    assert_eq!(
        caller_arn(&r),
        "arn:aws:sts::123456789012:assumed-role/ops/ops-mfa"
    );
    assert_eq!(moto.stats()["mfa_refused"], 0);
    assert_eq!(moto.calls("AssumeRole"), 2);

    // AWS's rules and the store, checked before anything is stored.
    for (args, named) in [
        (
            vec![
                "--role-arn",
                "arn:aws:iam::123:role/x",
                "--source",
                work.as_str(),
            ],
            "RoleArn",
        ),
        (
            vec![
                "--role-arn",
                "arn:aws:iam::123456789012:role/x",
                "--source",
                work.as_str(),
                "--duration",
                "43201",
            ],
            "DurationSeconds",
        ),
        (
            vec![
                "--role-arn",
                "arn:aws:iam::123456789012:role/x",
                "--source",
                "nobody",
            ],
            "nobody",
        ),
        (
            vec![
                "--role-arn",
                "arn:aws:iam::123456789012:role/x",
                "--source",
                work.as_str(),
                "--mfa-device",
                dev.as_str(),
            ],
            "--mfa-serial",
        ),
        (
            vec![
                "--role-arn",
                "arn:aws:iam::123456789012:role/x",
                "--source",
                work.as_str(),
                "--session-name",
                "a b",
            ],
            "RoleSessionName",
        ),
    ] {
        let name = env.name("bad-role");
        let mut a = vec!["creds", "add-role", name.as_str()];
        a.extend(args);
        let err = env.run(&a, "").fails(2).to_owned();
        assert!(err.contains(named), "{err}");
        env.run(&["creds", "process", &name], "").fails(3);
    }
    env.run(&["creds", "remove", &ops], "").ok();
    env.run(&["creds", "process", &ops], "").fails(3);
}
