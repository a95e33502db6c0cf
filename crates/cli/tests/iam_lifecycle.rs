//! The IAM lifecycle end to end against a real IAM and STS: moto on 127.0.0.1 with its IAM
//! authentication on, behind the gate of `tests/moto/gate.py` (which checks every MFA code,
//! EnableMFADevice's two included, with pyotp against the seed moto issued, and refuses reused
//! ones). `mfa enroll/unenroll`, `creds rotate`, `creds serve`, and the device's serial
//! standing in for `--mfa-serial`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use serde_json::json;
use util::moto::Moto;
use util::{Env, Run};

fn json_of(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.ok()).unwrap()
}

/// #14's gap: `creds add --mfa-device D` alone is enough once the device knows its serial
/// (`mfa add --serial`). (`--mfa-serial` as an override: tests/sessions.rs.)
#[test]
fn the_device_serial_replaces_mfa_serial() {
    let Some(moto) = Moto::start(&json!({"users": [{"name": "alice", "mfa": true}]})) else {
        return;
    };
    let env = moto.env(Env::file());
    let serial = moto.user("alice", "mfa_serial");
    let seed = moto.user("alice", "mfa_seed");
    env.run(&["mfa", "add", "phone", "--serial", &serial], &seed)
        .ok();
    let list = json_of(&env.run(&["mfa", "list", "--json"], ""));
    assert_eq!(list["devices"][0]["serial"], serial.as_str());
    // A serial AWS would refuse is refused before anything is stored.
    env.run(&["mfa", "add", "other", "--serial", "short"], &seed)
        .fails(2);

    env.run(
        &["creds", "add", "work", "--mfa-device", "phone"],
        &moto.keys_of("alice"),
    )
    .ok();
    let gst = moto.calls("GetSessionToken");
    let v = json_of(env.run(&["creds", "process", "work"], "").hides(&seed));
    assert!(
        v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{v}"
    );
    assert_eq!(moto.calls("GetSessionToken"), gst + 1);

    // A device without a serial and no --mfa-serial: a clear usage error naming both fixes.
    env.run(&["mfa", "add", "bare"], &seed).ok();
    env.run(
        &["creds", "add", "nobody", "--mfa-device", "bare"],
        &moto.keys_of("alice"),
    )
    .ok();
    let err = env
        .run(&["creds", "process", "nobody"], "")
        .fails(2)
        .to_owned();
    assert!(
        err.contains("--serial") && err.contains("--mfa-serial"),
        "{err}"
    );
}

/// What pyotp (an independent TOTP) says the code of `seed` is at `unix`.
fn pyotp_code(seed: &str, unix: u64) -> String {
    let out = std::process::Command::new(util::moto::python())
        .args([
            "-c",
            "import sys, pyotp; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))",
            seed,
            &unix.to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn enroll_spec() -> serde_json::Value {
    let manage_but_not_enable = [
        "iam:GetUser",
        "iam:ListMFADevices",
        "iam:CreateVirtualMFADevice",
        "iam:DeleteVirtualMFADevice",
    ];
    json!({"users": [
        {"name": "carol"},
        {"name": "erin"},
        {"name": "dave", "allow": ["sts:*"]},
        {"name": "frank", "allow": manage_but_not_enable},
    ]})
}

#[test]
fn enroll_then_sessions_then_unenroll() {
    let Some(moto) = Moto::start(&enroll_spec()) else {
        return;
    };
    let env = moto.env(Env::file());
    for user in ["carol", "dave", "frank"] {
        env.run(&["creds", "add", user], &moto.keys_of(user)).ok();
    }
    let serial = "arn:aws:iam::123456789012:mfa/phone";

    // Enroll: the serial ARN printed; IAM has the device assigned to carol, enabled with two
    // consecutive codes the gate checked against moto's seed.
    let run = env.run(
        &["mfa", "enroll", "phone", "--profile", "carol", "--show-qr"],
        "",
    );
    let out = run.ok();
    assert_eq!(out.lines().last(), Some(serial), "{out}");
    assert!(
        out.contains('█') || out.contains('▀'),
        "a QR code drawn: {out}"
    );
    let devices = moto.mfa_devices();
    assert_eq!(devices[serial]["user"], "carol", "{devices}");
    let seed = devices[serial]["seed"].as_str().unwrap().to_owned();
    run.hides(&seed);
    assert_eq!(moto.calls("EnableMFADevice"), 1);
    assert_eq!(moto.stats()["mfa_refused"], 0);

    // The stored device makes the codes IAM's seed makes (checked with pyotp), and knows its
    // serial.
    let v = json_of(&env.run(
        &["mfa", "code", "phone", "--json", "--time", "1700000000"],
        "",
    ));
    assert_eq!(
        v["code"].as_str().unwrap(),
        pyotp_code(&seed, 1_700_000_000)
    );
    let list = json_of(&env.run(&["mfa", "list", "--json"], ""));
    assert_eq!(list["devices"][0]["serial"], serial);
    assert_eq!(list["devices"][0]["issuer"], "Amazon Web Services");

    // GetSessionToken with that device: a fresh code (never one EnableMFADevice used).
    env.run(
        &["creds", "add", "carol-mfa", "--mfa-device", "phone"],
        &moto.keys_of("carol"),
    )
    .ok();
    let v = json_of(env.run(&["creds", "process", "carol-mfa"], "").hides(&seed));
    assert!(
        v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{v}"
    );
    assert_eq!(moto.stats()["mfa_refused"], 0);

    // carol has a device: a second enroll is one clear line, nothing made anywhere.
    let err = env
        .run(&["mfa", "enroll", "tablet", "--profile", "carol"], "")
        .fails(1)
        .to_owned();
    assert!(
        err.contains("already has an MFA device") && err.contains(serial),
        "{err}"
    );
    // The name taken in IAM (for another user): EntityAlreadyExists, one line.
    let err = env
        .run(
            &[
                "mfa",
                "enroll",
                "erins",
                "--profile",
                "carol",
                "--user",
                "erin",
                "--device-name",
                "phone",
            ],
            "",
        )
        .fails(1)
        .to_owned();
    assert!(
        err.contains("EntityAlreadyExists") && err.contains("--device-name"),
        "{err}"
    );
    // A caller without IAM permissions: one line naming AccessDenied.
    let err = env
        .run(
            &[
                "mfa",
                "enroll",
                "daves",
                "--profile",
                "dave",
                "--user",
                "dave",
            ],
            "",
        )
        .fails(1)
        .to_owned();
    assert!(err.contains("AccessDenied"), "{err}");
    // Created, then EnableMFADevice refused: the IAM device is deleted again, nothing stored.
    let err = env
        .run(&["mfa", "enroll", "franks", "--profile", "frank"], "")
        .fails(1)
        .to_owned();
    assert!(
        err.contains("AccessDenied") && err.contains("deleted again"),
        "{err}"
    );
    let devices = moto.mfa_devices();
    assert_eq!(devices.as_object().unwrap().len(), 1, "{devices}");
    let list = json_of(&env.run(&["mfa", "list", "--json"], ""));
    assert_eq!(list["devices"].as_array().unwrap().len(), 1, "{list}");

    // Unenroll: deactivated and deleted in IAM, then removed locally.
    env.run(&["mfa", "unenroll", "phone", "--profile", "carol"], "")
        .ok();
    assert_eq!(moto.mfa_devices(), json!({}));
    let list = json_of(&env.run(&["mfa", "list", "--json"], ""));
    assert_eq!(list["devices"], json!([]));
}

/// Runs a boto3 snippet against moto with `key`/`secret`; prints its stdout (one JSON line),
/// or `ERROR <code>` for a botocore ClientError.
fn boto3(moto: &Moto, key: &str, secret: &str, code: &str) -> String {
    let script = format!(
        "import json, sys, boto3, botocore.exceptions\n\
         s = boto3.session.Session(aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name='us-east-1')\n\
         iam = s.client('iam', endpoint_url=sys.argv[1]); sts = s.client('sts', endpoint_url=sys.argv[1])\n\
         try:\n    {code}\n\
         except botocore.exceptions.ClientError as e:\n    print('ERROR', e.response['Error']['Code'])\n"
    );
    let out = std::process::Command::new(util::moto::python())
        .args(["-c", &script, &moto.endpoint, key, secret])
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

const WHO: &str = "print(sts.get_caller_identity()['Arn'])";

/// The key IDs IAM holds for `user` (asked with a key of that user).
fn iam_keys(moto: &Moto, key: &str, secret: &str, user: &str) -> Vec<String> {
    let out = boto3(
        moto,
        key,
        secret,
        &format!(
            "print(json.dumps([k['AccessKeyId'] for k in iam.list_access_keys(UserName='{user}')['AccessKeyMetadata']]))"
        ),
    );
    serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}"))
}

/// The stored key of a profile, through `creds export --format json --no-session`.
fn stored_key(env: &Env, profile: &str) -> (String, String) {
    let v = json_of(&env.run(
        &[
            "creds",
            "export",
            profile,
            "--format",
            "json",
            "--no-session",
        ],
        "",
    ));
    (
        v["access_key_id"].as_str().unwrap().to_owned(),
        v["secret_access_key"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn rotate_finishes_after_a_kill_at_every_step() {
    let Some(moto) = Moto::start(&json!({"users": [
        {"name": "gina"}, {"name": "ivy"}, {"name": "hal", "mfa": true},
    ]})) else {
        return;
    };
    let env = moto.env(Env::file());
    env.run(&["creds", "add", "gina"], &moto.keys_of("gina"))
        .ok();
    let (old, old_secret) = stored_key(&env, "gina");

    // Rotate: the new key ID printed (never the secret); the old key refused, the new one
    // works, and credential_process hands it out.
    let run = env.run(&["creds", "rotate", "gina"], "");
    let new = run.ok().trim().to_owned();
    let (stored, new_secret) = stored_key(&env, "gina");
    run.hides(&new_secret);
    assert!(new.starts_with("AKIA") && new != old, "{new}");
    assert_eq!(stored, new);
    assert_eq!(
        boto3(&moto, &old, &old_secret, WHO),
        "ERROR InvalidClientTokenId"
    );
    assert!(boto3(&moto, &new, &new_secret, WHO).ends_with(":user/gina"));
    let v = json_of(&env.run(&["creds", "process", "gina"], ""));
    assert_eq!(v["AccessKeyId"], new.as_str());
    assert_eq!(v["SecretAccessKey"], new_secret.as_str());

    // Killed after each step, the next run finishes: one key in IAM, the stored one, working.
    for step in 1..=5 {
        let (before, _) = stored_key(&env, "gina");
        let r = env.run(
            &[
                "creds",
                "rotate",
                "gina",
                "--abort-after-step",
                &step.to_string(),
            ],
            "",
        );
        assert_eq!(r.code, 99, "step {step}: {}", r.stderr);
        let done = env.run(&["creds", "rotate", "gina"], "");
        let id = done.ok().trim().to_owned();
        let (key, secret) = stored_key(&env, "gina");
        assert_eq!(key, id, "step {step}");
        assert_ne!(key, before, "step {step}");
        assert_eq!(
            iam_keys(&moto, &key, &secret, "gina"),
            vec![key.clone()],
            "step {step}"
        );
        assert!(boto3(&moto, &key, &secret, WHO).ends_with(":user/gina"));
    }

    // At AWS's two-key limit: one line naming the other key; nothing changed.
    env.run(&["creds", "add", "ivy"], &moto.keys_of("ivy")).ok();
    let (ivy, ivy_secret) = stored_key(&env, "ivy");
    let second = boto3(
        &moto,
        &ivy,
        &ivy_secret,
        "print(iam.create_access_key(UserName='ivy')['AccessKey']['AccessKeyId'])",
    );
    let err = env.run(&["creds", "rotate", "ivy"], "").fails(1).to_owned();
    assert!(
        err.contains(&second) && err.contains("two access keys"),
        "{err}"
    );
    assert_eq!(stored_key(&env, "ivy").0, ivy);
    let mut keys = iam_keys(&moto, &ivy, &ivy_secret, "ivy");
    keys.sort();
    let mut want = vec![ivy.clone(), second];
    want.sort();
    assert_eq!(keys, want);

    // An MFA profile rotates with its MFA session; the cached session of the old key is
    // dropped.
    let serial = moto.user("hal", "mfa_serial");
    env.run(
        &["mfa", "add", "hal-dev", "--serial", &serial],
        &moto.user("hal", "mfa_seed"),
    )
    .ok();
    env.run(
        &["creds", "add", "hal", "--mfa-device", "hal-dev"],
        &moto.keys_of("hal"),
    )
    .ok();
    let gst = moto.calls("GetSessionToken");
    let new = env
        .run(&["creds", "rotate", "hal"], "")
        .ok()
        .trim()
        .to_owned();
    assert_eq!(moto.calls("GetSessionToken"), gst + 1);
    assert_eq!(stored_key(&env, "hal").0, new);
    let out = env.run(&["creds", "forget"], "");
    assert!(
        out.ok().contains("dropped 0 cached sessions"),
        "{}",
        out.stdout
    );
}

/// The command `creds serve` runs: boto3 and the AWS CLI through the container credentials
/// endpoint, the endpoint asked directly with the right token, a wrong one and none, then
/// polled until the served credentials are renewed; exits with argv[2].
const SERVE_CHILD: &str = r#"
import json, os, subprocess, sys, time, urllib.error, urllib.request
import boto3
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
tok = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def fetch(t):
    req = urllib.request.Request(url, headers={"Authorization": t} if t else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None
out = {"url": url, "env_key": "AWS_ACCESS_KEY_ID" in os.environ}
out["boto3"] = boto3.client("sts").get_caller_identity()["Arn"]
cli = subprocess.run([sys.argv[1], "sts", "get-caller-identity", "--output", "json"],
                     capture_output=True, text=True)
out["cli"] = json.loads(cli.stdout)["Arn"] if cli.returncode == 0 else cli.stderr
out["status"], first = fetch(tok)
out["wrong"] = fetch("0" + tok[1:] if tok[0] != "0" else "1" + tok[1:])[0]
out["none"] = fetch("")[0]
out["first_expiration"] = first["Expiration"]
now = first
deadline = time.time() + 60
while time.time() < deadline and now["AccessKeyId"] == first["AccessKeyId"]:
    time.sleep(0.5)
    now = fetch(tok)[1]
out["renewed"] = now["AccessKeyId"] != first["AccessKeyId"]
out["boto3_after"] = boto3.session.Session().client("sts").get_caller_identity()["Arn"]
print(json.dumps(out))
sys.exit(int(sys.argv[2]))
"#;

#[test]
fn serve_hands_renewed_role_credentials_to_the_aws_cli_and_boto3() {
    let Some(moto) = Moto::start(&json!({
        "users": [{"name": "alice", "mfa": true}],
        "roles": [{"name": "admin", "trust": ["alice"]}],
    })) else {
        return;
    };
    let mut env = moto.env(Env::file());
    env.set("AWS_REGION", "us-east-1");
    env.set("AWS_DEFAULT_REGION", "us-east-1");
    let serial = moto.user("alice", "mfa_serial");
    env.run(
        &["mfa", "add", "phone", "--serial", &serial],
        &moto.user("alice", "mfa_seed"),
    )
    .ok();
    env.run(
        &["creds", "add", "work", "--mfa-device", "phone"],
        &moto.keys_of("alice"),
    )
    .ok();
    let role = moto.role("admin");
    env.run(
        &[
            "creds",
            "add-role",
            "admin",
            "--role-arn",
            &role,
            "--source",
            "work",
            "--duration",
            "900",
        ],
        "",
    )
    .ok();
    let script = env.path("child.py");
    std::fs::write(&script, SERVE_CHILD).unwrap();
    let python = util::moto::python();
    let aws = util::moto::aws_cli();
    // A 900 s session renewed when less than 890 s remain: renewed within seconds, as a
    // 15-minute refresh would be after 45 minutes of a one-hour session.
    let run = env.run(
        &[
            "creds",
            "serve",
            "admin",
            "--renew-before",
            "890",
            "--",
            python.to_str().unwrap(),
            script.to_str().unwrap(),
            aws.to_str().unwrap(),
            "3",
        ],
        "",
    );
    assert_eq!(run.code, 3, "the command's status; stderr: {}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|_| panic!("stdout: {} stderr: {}", run.stdout, run.stderr));
    let assumed = "arn:aws:sts::123456789012:assumed-role/admin/";
    assert!(v["boto3"].as_str().unwrap().starts_with(assumed), "{v}");
    assert!(v["cli"].as_str().unwrap().starts_with(assumed), "{v}");
    assert_eq!(v["status"], 200, "{v}");
    assert_eq!(v["wrong"], 403, "{v}");
    assert_eq!(v["none"], 403, "{v}");
    assert_eq!(v["env_key"], false, "{v}");
    assert!(
        v["first_expiration"].as_str().unwrap().ends_with('Z'),
        "{v}"
    );
    assert_eq!(v["renewed"], true, "{v}");
    assert!(
        v["boto3_after"].as_str().unwrap().starts_with(assumed),
        "{v}"
    );
    // No listener outlives the command.
    let url = v["url"].as_str().unwrap();
    let addr = url.trim_start_matches("http://").split('/').next().unwrap();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "{addr} still listening"
    );
    // A command that fails to start: 127, one line.
    env.run(&["creds", "serve", "admin", "--", "/nonexistent/cmd"], "")
        .fails(127);
}
