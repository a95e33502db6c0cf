//! Role profiles of `~/.aws/config` as the AWS CLI resolves them (`source_profile` chains through
//! iamkit's own `credential_process`, role to role, `credential_source = Environment`, loops and
//! unsupported sources), compared with the AWS CLI's own assume-role provider on the same
//! profiles; and `creds list` showing role profiles and cached sessions. Against moto behind the
//! MFA gate (`tests/moto/gate.py`), as `tests/sessions.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use serde_json::json;
use util::moto::{Moto, aws_cli, caller_arn};
use util::{BIN, Env};

const ACCOUNT: &str = "123456789012";

fn spec() -> serde_json::Value {
    json!({
        "users": [{"name": "alice", "mfa": true}, {"name": "bob"}],
        "roles": [
            {"name": "admin", "trust": ["alice"]},
            {"name": "deep", "trust_roles": ["admin/s-admin"]},
            {"name": "envrole", "trust": ["bob"]},
        ],
    })
}

/// Alice's MFA profile `work` and bob's `plain` stored, iamkit pointed at moto and at the
/// environment's own AWS config file.
fn setup(env: Env, moto: &Moto) -> (Env, String, String, String) {
    let env = moto.env(env);
    let (dev, work, plain) = moto.store_alice_and_bob(&env);
    (env, dev, work, plain)
}

#[test]
fn config_chains_and_credential_source_match_the_aws_clis_own_assume_role_provider() {
    let Some(moto) = Moto::start(&spec()) else {
        return;
    };
    let (env, _dev, work, _plain) = setup(Env::file(), &moto);
    let aws = aws_cli();
    let n = |s: &str| env.name(s);
    let (cli_work, admin, deep, from_env) = (n("cli-work"), n("admin"), n("deep"), n("from-env"));
    let (loop_a, loop_b, ec2, both) = (n("loop-a"), n("loop-b"), n("ec2"), n("both"));
    let text = format!(
        "[profile {cli_work}]\ncredential_process = {BIN} creds process {work}\nregion = us-east-1\n\n\
         [profile {admin}]\nrole_arn = {admin_arn}\nsource_profile = {cli_work}\nrole_session_name = s-admin\nregion = us-east-1\n\n\
         [profile {deep}]\nrole_arn = {deep_arn}\nsource_profile = {admin}\nrole_session_name = s-deep\nduration_seconds = 3600\nregion = us-east-1\n\n\
         [profile {from_env}]\nrole_arn = {env_arn}\ncredential_source = Environment\nrole_session_name = s-env\nregion = us-east-1\n\n\
         [profile {loop_a}]\nrole_arn = {admin_arn}\nsource_profile = {loop_b}\nregion = us-east-1\n\
         [profile {loop_b}]\nrole_arn = {admin_arn}\nsource_profile = {loop_a}\nregion = us-east-1\n\
         [profile {ec2}]\nrole_arn = {admin_arn}\ncredential_source = Ec2InstanceMetadata\nregion = us-east-1\n\
         [profile {both}]\nrole_arn = {admin_arn}\nsource_profile = {cli_work}\ncredential_source = Environment\nregion = us-east-1\n",
        admin_arn = moto.role("admin"),
        deep_arn = moto.role("deep"),
        env_arn = moto.role("envrole"),
    );
    std::fs::write(env.path("aws-config"), text).unwrap();
    let aws_s = aws.to_str().unwrap();
    let exec_caller = |profile: &str, extra: &[(&str, &str)]| {
        env.run_program(
            std::path::Path::new(BIN),
            &[
                "creds",
                "exec",
                profile,
                "--",
                aws_s,
                "sts",
                "get-caller-identity",
            ],
            extra,
        )
    };

    // A role chained from a role whose source is iamkit's credential_process: the AWS CLI's
    // own provider (deep -> admin -> cli-work, which runs iamkit) and iamkit agree.
    let by_aws = env.run_program(
        &aws,
        &["sts", "get-caller-identity", "--profile", &deep],
        &[],
    );
    let want = format!("arn:aws:sts::{ACCOUNT}:assumed-role/deep/s-deep");
    assert_eq!(caller_arn(&by_aws), want);
    assert_eq!(moto.calls("GetSessionToken"), 1);
    assert_eq!(moto.calls("AssumeRole"), 2, "admin, then deep");
    assert_eq!(caller_arn(&exec_caller(&deep, &[])), want);
    // iamkit reused the MFA session the AWS CLI's credential_process call made, and assumed
    // admin then deep itself.
    assert_eq!(moto.calls("GetSessionToken"), 1);
    assert_eq!(moto.calls("AssumeRole"), 4);
    let v: serde_json::Value =
        serde_json::from_str(env.run(&["creds", "process", &deep], "").ok()).unwrap();
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(moto.calls("AssumeRole"), 4, "cached");
    // The middle of the chain is served too (its own cached session).
    assert_eq!(
        caller_arn(&exec_caller(&admin, &[])),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin/s-admin")
    );
    assert_eq!(moto.calls("AssumeRole"), 4);

    // credential_source = Environment: bob's keys in the environment assume envrole.
    let bob = [
        ("AWS_ACCESS_KEY_ID", moto.user("bob", "access_key_id")),
        (
            "AWS_SECRET_ACCESS_KEY",
            moto.user("bob", "secret_access_key"),
        ),
    ];
    let bob: Vec<(&str, &str)> = bob.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let want = format!("arn:aws:sts::{ACCOUNT}:assumed-role/envrole/s-env");
    let by_aws = env.run_program(
        &aws,
        &["sts", "get-caller-identity", "--profile", &from_env],
        &bob,
    );
    assert_eq!(caller_arn(&by_aws), want);
    let by_iamkit = exec_caller(&from_env, &bob);
    assert_eq!(caller_arn(&by_iamkit), want);
    by_iamkit.hides(&moto.user("bob", "secret_access_key"));
    // Without them: exit 2 saying what is missing.
    let r = env.run(&["creds", "process", &from_env], "");
    assert!(
        r.fails(2).contains("AWS_ACCESS_KEY_ID") && r.stderr.contains("Environment"),
        "{}",
        r.stderr
    );

    // A loop: both refuse; iamkit names the chain.
    let r = env.run(&["creds", "process", &loop_a], "");
    let err = r.fails(2);
    assert!(
        err.contains(&format!("{loop_a} -> {loop_b} -> {loop_a}")),
        "{err}"
    );
    let by_aws = env.run_program(
        &aws,
        &["sts", "get-caller-identity", "--profile", &loop_a],
        &[],
    );
    assert_ne!(by_aws.code, 0);
    assert!(by_aws.stderr.contains("Infinite loop"), "{}", by_aws.stderr);
    // Both sources: both refuse.
    let err = env
        .run(&["creds", "process", &both], "")
        .fails(2)
        .to_owned();
    assert!(
        err.contains("both source_profile and credential_source"),
        "{err}"
    );
    let by_aws = env.run_program(
        &aws,
        &["sts", "get-caller-identity", "--profile", &both],
        &bob,
    );
    assert_ne!(by_aws.code, 0);
    assert!(
        by_aws
            .stderr
            .contains("both source_profile and credential_source"),
        "{}",
        by_aws.stderr
    );
    // An instance-metadata source: not supported, named.
    let err = env.run(&["creds", "process", &ec2], "").fails(2).to_owned();
    assert!(
        err.contains("credential_source = Ec2InstanceMetadata is not supported"),
        "{err}"
    );
    assert_eq!(moto.stats()["mfa_refused"], 0);
}

/// The JSON rows of `creds list --json` under `key` whose profile names contain `prefix`.
fn rows<'a>(v: &'a serde_json::Value, key: &str, wanted: &[&str]) -> Vec<&'a serde_json::Value> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            let names: Vec<String> = match (&r["profile"], &r["profiles"]) {
                (serde_json::Value::String(p), _) => vec![p.clone()],
                (_, serde_json::Value::Array(ps)) => {
                    ps.iter().map(|p| p.as_str().unwrap().to_owned()).collect()
                }
                _ => Vec::new(),
            };
            names.iter().any(|n| wanted.contains(&n.as_str()))
        })
        .collect()
}

#[test]
fn creds_list_shows_role_profiles_and_cached_sessions_never_a_secret() {
    for env in Env::all() {
        let Some(moto) = Moto::start(&spec()) else {
            return;
        };
        let (env, dev, work, plain) = setup(env, &moto);
        let n = |s: &str| env.name(s);
        let (stored_role, cfg_role, work2, ec2, nowhere) = (
            n("stored-admin"),
            n("cfg-admin"),
            n("work2"),
            n("ec2"),
            n("to-nowhere"),
        );
        let secret = moto.user("alice", "secret_access_key");
        // work2: the same keys and MFA device as work, so the same session.
        env.run(
            &[
                "creds",
                "add",
                &work2,
                "--mfa-device",
                &dev,
                "--mfa-serial",
                &moto.user("alice", "mfa_serial"),
                "--region",
                "us-east-1",
            ],
            &format!("{}\n{secret}\n", moto.user("alice", "access_key_id")),
        )
        .ok();
        env.run(
            &[
                "creds",
                "add-role",
                &stored_role,
                "--role-arn",
                &moto.role("admin"),
                "--source",
                &work,
            ],
            "",
        )
        .ok();
        std::fs::write(
            env.path("aws-config"),
            format!(
                "[profile {cfg_role}]\nrole_arn = {admin}\nsource_profile = {work}\nregion = eu-west-1\n\
                 [profile {stored_role}]\nrole_arn = {admin}\nsource_profile = {plain}\n\
                 [profile {plain}]\nrole_arn = {admin}\nsource_profile = {work}\n\
                 [profile {ec2}]\nrole_arn = {admin}\ncredential_source = Ec2InstanceMetadata\n\
                 [profile {nowhere}]\nrole_arn = {admin}\nsource_profile = nobody-{nowhere}\n",
                admin = moto.role("admin"),
            ),
        )
        .unwrap();
        let ours = [
            work.as_str(),
            work2.as_str(),
            plain.as_str(),
            stored_role.as_str(),
            cfg_role.as_str(),
            ec2.as_str(),
            nowhere.as_str(),
        ];

        // Role profiles: the stored one, and of the config file only those iamkit would serve
        // (not shadowed by a stored name, a source that resolves, a supported source).
        let v: serde_json::Value =
            serde_json::from_str(env.run(&["creds", "list", "--json"], "").ok()).unwrap();
        let roles = rows(&v, "roles", &ours);
        assert_eq!(roles.len(), 2, "{v}");
        let stored = roles
            .iter()
            .find(|r| r["profile"] == stored_role.as_str())
            .unwrap();
        assert_eq!(stored["from"], "store");
        assert_eq!(stored["source_profile"], work.as_str());
        assert_eq!(stored["role_arn"], moto.role("admin").as_str());
        let cfg = roles
            .iter()
            .find(|r| r["profile"] == cfg_role.as_str())
            .unwrap();
        assert_eq!(cfg["from"], "config");
        assert_eq!(cfg["region"], "eu-west-1");
        assert_eq!(cfg["credential_source"], serde_json::Value::Null);
        assert!(
            rows(&v, "sessions", &ours).is_empty(),
            "no session yet: {v}"
        );
        assert_eq!(rows(&v, "profiles", &ours).len(), 3);

        // Sessions: work's (shared with work2), the stored role's and the config role's.
        let mfa: serde_json::Value =
            serde_json::from_str(env.run(&["creds", "process", &work], "").ok()).unwrap();
        let role1: serde_json::Value =
            serde_json::from_str(env.run(&["creds", "process", &stored_role], "").ok()).unwrap();
        let role2: serde_json::Value =
            serde_json::from_str(env.run(&["creds", "process", &cfg_role], "").ok()).unwrap();
        assert_eq!(moto.calls("GetSessionToken"), 1);
        assert_eq!(moto.calls("AssumeRole"), 2);
        let out = env.run(&["creds", "list", "--json"], "");
        let text = env.run(&["creds", "list"], "");
        for o in [&out, &text] {
            o.hides(&secret);
            for s in [&mfa, &role1, &role2] {
                o.hides(s["SecretAccessKey"].as_str().unwrap())
                    .hides(s["SessionToken"].as_str().unwrap())
                    .hides(s["AccessKeyId"].as_str().unwrap());
            }
        }
        let v: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
        let sessions = rows(&v, "sessions", &ours);
        assert_eq!(sessions.len(), 3, "{v}");
        let masked = |s: &serde_json::Value| {
            let k = s["AccessKeyId"].as_str().unwrap();
            format!("****{}", &k[k.len() - 4..])
        };
        let find = |profile: &str| {
            *sessions
                .iter()
                .find(|s| {
                    s["profiles"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p == profile)
                })
                .unwrap_or_else(|| panic!("no session for {profile}: {v}"))
        };
        let s = find(&work);
        let mut users: Vec<&str> = s["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        users.sort_unstable();
        let mut want = vec![work.as_str(), work2.as_str()];
        want.sort_unstable();
        assert_eq!(users, want, "one session for both");
        assert_eq!(s["kind"], "mfa");
        assert_eq!(s["state"], "valid");
        assert_eq!(s["access_key_id"], masked(&mfa).as_str());
        assert_eq!(s["expiration"], mfa["Expiration"]);
        let s = find(&stored_role);
        assert_eq!(s["kind"], "role");
        assert_eq!(s["role_arn"], moto.role("admin").as_str());
        assert_eq!(s["access_key_id"], masked(&role1).as_str());
        assert_eq!(s["profiles"].as_array().unwrap().len(), 1);
        let s = find(&cfg_role);
        assert_eq!(s["expiration"], role2["Expiration"]);

        // The text form: one line per role profile and per session.
        let t = text.ok();
        assert!(
            t.lines().any(|l| l
                == format!(
                    "{stored_role}\trole\t{} from {work} (stored)",
                    moto.role("admin")
                )),
            "{t}"
        );
        assert!(
            t.lines().any(|l| l
                == format!(
                    "{cfg_role}\trole\t{} from {work} (AWS config, region eu-west-1)",
                    moto.role("admin")
                )),
            "{t}"
        );
        assert!(
            t.lines().any(|l| l.ends_with(&format!(
                "\tsession\tmfa {}, expires {}",
                masked(&mfa),
                mfa["Expiration"].as_str().unwrap()
            )) && l.contains(&work2)),
            "{t}"
        );
        assert!(
            t.lines().any(|l| l.starts_with(&format!(
                "{stored_role}\tsession\trole {} ",
                moto.role("admin")
            ))),
            "{t}"
        );
        assert!(!t.contains(&ec2) && !t.contains(&nowhere), "{t}");

        // Forgotten: gone from the list; the others stay.
        env.run(&["creds", "forget", &work], "").ok();
        let v: serde_json::Value =
            serde_json::from_str(env.run(&["creds", "list", "--json"], "").ok()).unwrap();
        let sessions = rows(&v, "sessions", &ours);
        assert_eq!(sessions.len(), 2, "{v}");
        assert!(sessions.iter().all(|s| s["kind"] == "role"));
        // A session whose profile is gone stays listed (used by no profile) until forgotten.
        // Only the file store is this test's alone: the test keychain holds other tests' too.
        if env.kind == util::Kind::File {
            env.run(&["creds", "remove", &stored_role], "").ok();
            let v: serde_json::Value =
                serde_json::from_str(env.run(&["creds", "list", "--json"], "").ok()).unwrap();
            let all = v["sessions"].as_array().unwrap();
            assert_eq!(all.len(), 2, "{v}");
            assert_eq!(
                all.iter()
                    .filter(|s| s["profiles"].as_array().unwrap().is_empty())
                    .count(),
                1,
                "{v}"
            );
            let t = env.run(&["creds", "list"], "");
            assert!(
                t.ok().lines().any(|l| l.starts_with("-\tsession\trole ")),
                "{}",
                t.stdout
            );
        } else {
            env.run(&["creds", "forget", &stored_role], "").ok();
        }
        env.run(&["creds", "forget", &cfg_role], "").ok();
        assert_eq!(moto.stats()["mfa_refused"], 0);
    }
}
