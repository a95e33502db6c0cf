//! A real AWS client reads the stored credentials: boto3 (botocore) runs
//! `credential_process = iamkit creds process NAME` from a temporary `AWS_CONFIG_FILE`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use util::Env;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=AQoDYXdzEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";

const SCRIPT: &str = r#"
import json, sys
import boto3
session = boto3.Session(profile_name=sys.argv[1])
creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
print(json.dumps({"access_key": frozen.access_key, "secret_key": frozen.secret_key,
                  "token": frozen.token, "method": creds.method}))
"#;

#[test]
fn boto3_reads_credentials_through_credential_process() {
    let Some(py) = util::python_with(&["boto3"]) else {
        return;
    };
    for env in Env::all() {
        let long = env.name("boto-long");
        let temp = env.name("boto-temp");
        env.run(
            &["creds", "add", &long],
            &format!("AKIAIOSFODNN7EXAMPLE\n{SECRET}\n"),
        )
        .ok();
        env.run(
            &[
                "creds",
                "add",
                &temp,
                "--expiration",
                "2099-12-31T23:59:59Z",
            ],
            &format!("ASIAIOSFODNN7EXAMPLE\n{SECRET}x\n{TOKEN}\n"),
        )
        .ok();
        let config = env.path("aws-config");
        std::fs::write(
            &config,
            format!(
                "[profile long]\ncredential_process = {bin} creds process {long}\n\n\
                 [profile temp]\ncredential_process = {bin} creds process {temp}\nregion = eu-west-1\n",
                bin = util::BIN
            ),
        )
        .unwrap();
        for (profile, key, secret, token) in [
            ("long", "AKIAIOSFODNN7EXAMPLE", SECRET.to_owned(), None),
            (
                "temp",
                "ASIAIOSFODNN7EXAMPLE",
                format!("{SECRET}x"),
                Some(TOKEN),
            ),
        ] {
            let mut cmd = std::process::Command::new(&py);
            cmd.args(["-c", SCRIPT, profile]);
            for (k, _) in std::env::vars_os() {
                let k = k.to_string_lossy().into_owned();
                if k.starts_with("AWS_") || k.starts_with("IAMKIT_") {
                    cmd.env_remove(&k);
                }
            }
            for (k, v) in &env.vars {
                cmd.env(k, v);
            }
            cmd.env("AWS_CONFIG_FILE", &config)
                .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                .env("AWS_EC2_METADATA_DISABLED", "true");
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{profile}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["method"], "custom-process", "{v}");
            assert_eq!(v["access_key"], key);
            assert_eq!(v["secret_key"], secret.as_str());
            assert_eq!(
                v["token"],
                token.map_or(serde_json::Value::Null, Into::into)
            );
        }
        // A profile that is not stored: botocore reports the process's failure.
        std::fs::write(
            &config,
            format!(
                "[profile gone]\ncredential_process = {} creds process {}\n",
                util::BIN,
                env.name("never")
            ),
        )
        .unwrap();
        let mut cmd = std::process::Command::new(&py);
        cmd.args(["-c", SCRIPT, "gone"]);
        for (k, v) in &env.vars {
            cmd.env(k, v);
        }
        let out = cmd
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("iamkit: "), "{err}");
        for n in [&long, &temp] {
            env.run(&["creds", "remove", n], "").ok();
        }
    }
}
