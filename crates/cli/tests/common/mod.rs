//! Shared helpers for the black-box tests of `iamkit mfa|creds|store`: a private environment
//! per test (file store in a temporary directory, or the real Secret Service), running the
//! binary with stdin, and checks on the contract's error format.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod moto;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_iamkit");
pub const PASSPHRASE: &str = "correct horse battery staple 4 tests";

/// The shared test vectors (`<workspace>/../shared/vectors`).
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
}

/// Which store a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Keychain,
}

/// One command's result.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success; stderr: {}", self.stderr);
        &self.stdout
    }

    /// Asserts the contract's error form: exit `code`, exactly one stderr line starting
    /// `iamkit: `, nothing on stdout.
    #[track_caller]
    pub fn fails(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "expected exit {code}; stdout: {:?} stderr: {:?}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.starts_with("iamkit: "),
            "stderr: {:?}",
            self.stderr
        );
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "one line: {:?}",
            self.stderr
        );
        assert!(
            self.stdout.is_empty(),
            "stdout should be empty: {:?}",
            self.stdout
        );
        &self.stderr
    }

    /// Asserts `secret` appears neither on stderr nor on stdout.
    #[track_caller]
    pub fn hides(&self, secret: &str) -> &Self {
        assert!(
            !self.stderr.contains(secret),
            "secret on stderr: {:?}",
            self.stderr
        );
        assert!(
            !self.stdout.contains(secret),
            "secret on stdout: {:?}",
            self.stdout
        );
        self
    }
}

/// A private environment for the binary.
#[derive(Debug)]
pub struct Env {
    pub kind: Kind,
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
    prefix: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Env {
    fn base(kind: Kind) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let store_dir = dir.path().join("store");
        let mut vars = vec![
            ("HOME".to_owned(), home.display().to_string()),
            (
                "IAMKIT_STORE_DIR".to_owned(),
                store_dir.display().to_string(),
            ),
            ("IAMKIT_PASSPHRASE".to_owned(), PASSPHRASE.to_owned()),
            ("IAMKIT_CACHE_TTL".to_owned(), "0".to_owned()),
            (
                "IAMKIT_INSECURE_FAST_KDF_FOR_TESTS".to_owned(),
                "10".to_owned(),
            ),
            // Keychain entries of the tests never mix with a user's own.
            (
                "IAMKIT_KEYCHAIN_SERVICE".to_owned(),
                "iamkit-cli-tests".to_owned(),
            ),
        ];
        vars.push((
            "IAMKIT_STORE".to_owned(),
            match kind {
                Kind::File => "file",
                Kind::Keychain => "keychain",
            }
            .to_owned(),
        ));
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let prefix = format!("t{}-{n}-", std::process::id());
        Env {
            kind,
            dir,
            vars,
            prefix,
        }
    }

    /// The encrypted file store in a fresh temporary directory.
    pub fn file() -> Env {
        Env::base(Kind::File)
    }

    /// The real Secret Service, or `None` (with a note) when it is not reachable; fails the
    /// test instead when `IAMKIT_REQUIRE_SECRET_SERVICE=1`.
    pub fn keychain() -> Option<Env> {
        let env = Env::base(Kind::Keychain);
        let st = env.run(&["store", "status", "--json"], "");
        let ok = st.code == 0 && st.stdout.contains("\"store\":\"secret-service\"");
        if ok {
            return Some(env);
        }
        if std::env::var("IAMKIT_REQUIRE_SECRET_SERVICE").as_deref() == Ok("1") {
            panic!(
                "IAMKIT_REQUIRE_SECRET_SERVICE=1 but no Secret Service: {} {}",
                st.stdout, st.stderr
            );
        }
        eprintln!(
            "note: skipping the Secret Service half of this test (no Secret Service reachable: {}); run under scripts/test",
            st.stderr.trim()
        );
        None
    }

    /// Both stores: the file store always, the Secret Service when reachable.
    pub fn all() -> Vec<Env> {
        let mut v = vec![Env::file()];
        v.extend(Env::keychain());
        v
    }

    /// A name unique to this test process and environment (tests share one keyring).
    pub fn name(&self, base: &str) -> String {
        format!("{}{base}", self.prefix)
    }

    pub fn set(&mut self, k: &str, v: &str) {
        self.vars.retain(|(x, _)| x != k);
        self.vars.push((k.to_owned(), v.to_owned()));
    }

    pub fn unset(&mut self, k: &str) {
        self.vars.retain(|(x, _)| x != k);
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The command with this environment (the caller's IAMKIT_*, AWS_* and SSH_* removed).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("IAMKIT_") || k.starts_with("AWS_") || k.starts_with("SSH_") {
                cmd.env_remove(&k);
            }
        }
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs with `stdin` as standard input.
    pub fn run(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            let mut si = child.stdin.take().unwrap();
            // The command may exit before reading: ignore a broken pipe.
            let _ = si.write_all(stdin.as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Reads a TSV vector file: rows of tab-separated fields, skipping `#` comments and the header.
/// Fails when the file has no rows, or a row has not as many fields as the header.
pub fn tsv(rel: &str) -> Vec<Vec<String>> {
    let path = vectors_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    assert!(!rows.is_empty(), "{}: no header row", path.display());
    let header = rows.remove(0);
    // A loop over zero rows would pass without testing anything.
    assert!(!rows.is_empty(), "{}: no vectors", path.display());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            row.len(),
            header.len(),
            "{} row {}: {row:?} has not the header's {} fields",
            path.display(),
            i + 1,
            header.len()
        );
    }
    rows
}

/// Whether a peer (a tool on PATH) is required; prints a note when it is missing and not.
pub fn peer_missing(what: &str) -> bool {
    if std::env::var("IAMKIT_REQUIRE_PEERS").as_deref() == Ok("1") {
        panic!("IAMKIT_REQUIRE_PEERS=1 but {what} is missing");
    }
    eprintln!("note: skipping: {what} is missing");
    true
}

pub fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
