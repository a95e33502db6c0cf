//! moto's server (IAM authentication on) behind the MFA-code gate of `tests/moto/gate.py`,
//! started on 127.0.0.1 for one test and stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Env, Run};

/// The Python of the peers: `IAMKIT_PYTHON`, else the checkout's `.venv`.
pub use iamkit_testkit::python;

/// The `aws` CLI next to that Python.
pub fn aws_cli() -> PathBuf {
    python().with_file_name("aws")
}

/// A running moto + gate.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    stdin: Option<ChildStdin>,
    /// What the harness printed: endpoint, account, users (keys, MFA serial and seed), roles.
    pub info: serde_json::Value,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Moto {
    /// Starts moto with the fixtures of `spec` (see gate.py), or `None` (with a note) when
    /// Python with moto, pyotp and boto3 is missing and `IAMKIT_REQUIRE_PEERS` is not 1.
    pub fn start(spec: &serde_json::Value) -> Option<Moto> {
        let py = python();
        let ok = Command::new(&py)
            .args(["-c", "import moto, pyotp, boto3, werkzeug"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !ok {
            super::peer_missing("python with moto[server], pyotp and boto3 (IAMKIT_PYTHON)");
            return None;
        }
        let gate = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/moto/gate.py");
        let mut child = Command::new(&py)
            .arg(gate)
            .arg(spec.to_string())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the moto harness");
        let stdin = child.stdin.take();
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        out.read_line(&mut line)
            .expect("read the harness's first line");
        if line.trim().is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the moto harness exited before it was ready (see its stderr above)");
        }
        let info: serde_json::Value = serde_json::from_str(&line).expect("harness JSON");
        let endpoint = info["endpoint"].as_str().expect("endpoint").to_owned();
        Some(Moto {
            child,
            stdin,
            info,
            endpoint,
        })
    }

    /// A user's field (`access_key_id`, `secret_access_key`, `arn`, `mfa_serial`, `mfa_seed`).
    pub fn user(&self, name: &str, field: &str) -> String {
        self.info["users"][name][field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} for user {name}"))
            .to_owned()
    }

    /// A role's ARN.
    pub fn role(&self, name: &str) -> String {
        self.info["roles"][name].as_str().expect("role").to_owned()
    }

    /// The gate's counters: `{"calls": {"GetSessionToken": n, …}, "mfa_refused": n}`.
    pub fn stats(&self) -> serde_json::Value {
        self.gate_get("/_gate/stats")
    }

    /// IAM's virtual MFA devices: `{SERIAL: {"seed": BASE32, "user": NAME|null}, …}`.
    pub fn mfa_devices(&self) -> serde_json::Value {
        self.gate_get("/_gate/mfa-devices")
    }

    fn gate_get(&self, path: &str) -> serde_json::Value {
        let addr = self.endpoint.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("connect to the gate");
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        write!(
            s,
            "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut resp = String::new();
        s.read_to_string(&mut resp).expect("read");
        let body = resp.split("\r\n\r\n").nth(1).expect("body");
        serde_json::from_str(body).expect("gate JSON")
    }

    /// How many calls of an IAM or STS action the gate saw.
    pub fn calls(&self, action: &str) -> u64 {
        self.stats()["calls"][action].as_u64().unwrap_or(0)
    }

    /// `ACCESS_KEY_ID\nSECRET\n` of `user`: what `iamkit creds add` reads.
    pub fn keys_of(&self, user: &str) -> String {
        format!(
            "{}\n{}\n",
            self.user(user, "access_key_id"),
            self.user(user, "secret_access_key")
        )
    }

    /// `env` pointed at this moto (STS and IAM), reading `AWS_CONFIG_FILE` from its directory.
    pub fn env(&self, mut env: Env) -> Env {
        env.set("AWS_ENDPOINT_URL", &self.endpoint);
        let config = env.path("aws-config");
        env.set("AWS_CONFIG_FILE", &config.display().to_string());
        env
    }

    /// Stores alice's MFA device and key profile `work` (MFA), bob's key profile `plain`, in
    /// `env`: `(device, work, plain)`, the names as `env.name` made them.
    pub fn store_alice_and_bob(&self, env: &Env) -> (String, String, String) {
        let dev = env.name("alice-mfa");
        let work = env.name("work");
        let plain = env.name("plain");
        env.run(&["mfa", "add", &dev], &self.user("alice", "mfa_seed"))
            .ok();
        let serial = self.user("alice", "mfa_serial");
        env.run(
            &[
                "creds",
                "add",
                &work,
                "--mfa-device",
                &dev,
                "--mfa-serial",
                &serial,
                "--region",
                "us-east-1",
            ],
            &self.keys_of("alice"),
        )
        .ok();
        env.run(
            &["creds", "add", &plain, "--region", "us-east-1"],
            &self.keys_of("bob"),
        )
        .ok();
        (dev, work, plain)
    }
}

/// The `Arn` of a `get-caller-identity` answer (AWS CLI or boto3 JSON).
pub fn caller_arn(run: &Run) -> String {
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    v["Arn"].as_str().unwrap().to_owned()
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Closing stdin asks the harness to stop; kill it if it does not within 10 s.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
