//! What every black-box test of the `iamkit` binary shares: running it with a clean
//! environment ([`run`], [`command`], [`spawn`]), one command's result with the contract's
//! checks ([`Run`]), and a private environment per test ([`Env`]: a file store in a temporary
//! directory, or the real Secret Service). Peers, vectors and TSV files come from
//! `iamkit-testkit` (re-exported here); moto's STS/IAM server from [`moto`].
#![allow(
    dead_code,
    unreachable_pub,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used
)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod moto;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use iamkit_testkit::{have, python_with, tool, tsv, vectors};

pub const BIN: &str = env!("CARGO_BIN_EXE_iamkit");
pub const PASSPHRASE: &str = "correct horse battery staple 4 tests";

/// Whether a peer is missing: panics under `IAMKIT_REQUIRE_PEERS=1`, else prints a note and
/// says `true` (skip).
#[track_caller]
pub fn peer_missing(what: &str) -> bool {
    iamkit_testkit::missing(what)
}

/// The contract's `--json` output: one JSON object on one line.
#[track_caller]
pub fn json(text: &str) -> serde_json::Value {
    assert_eq!(
        text.trim_end().lines().count(),
        1,
        "one JSON line: {text:?}"
    );
    serde_json::from_str(text.trim()).unwrap()
}

/// The binary with none of the caller's `IAMKIT_*`, `AWS_*` and `SSH_*` variables: a test's
/// outcome never depends on the environment it was started from.
pub fn command(args: &[&str]) -> Command {
    clean(BIN, args)
}

/// `program` (the binary, or a peer such as the aws CLI) with none of the caller's `IAMKIT_*`,
/// `AWS_*` and `SSH_*` variables.
pub fn clean(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("IAMKIT_") || k.starts_with("AWS_") || k.starts_with("SSH_") {
            cmd.env_remove(&k);
        }
    }
    cmd
}

/// Starts `cmd` with `stdin` written to its standard input (then closed) and stdout and stderr
/// piped.
pub fn spawn(mut cmd: Command, stdin: &[u8]) -> Child {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut si = child.stdin.take().unwrap();
        // The command may exit before reading everything: ignore a broken pipe.
        let _ = si.write_all(stdin);
    }
    child
}

/// Runs `cmd` to completion with `stdin`; the raw output (for binary stdout).
pub fn output(cmd: Command, stdin: &[u8]) -> std::process::Output {
    spawn(cmd, stdin).wait_with_output().unwrap()
}

/// Runs `cmd` to completion with `stdin`.
pub fn run_command(cmd: Command, stdin: &[u8]) -> Run {
    Run::from(output(cmd, stdin))
}

/// Runs the binary with a clean environment ([`command`]) plus `vars`, and `stdin`.
pub fn run(args: &[&str], vars: &[(&str, &str)], stdin: impl AsRef<[u8]>) -> Run {
    let mut cmd = command(args);
    cmd.envs(vars.iter().copied());
    run_command(cmd, stdin.as_ref())
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

impl From<std::process::Output> for Run {
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts success with nothing on stderr and returns stdout.
    #[track_caller]
    pub fn quiet(&self) -> &str {
        let out = self.ok();
        assert!(self.stderr.is_empty(), "stderr: {:?}", self.stderr);
        out
    }

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
        let why = format!(
            "no Secret Service reachable ({} {}); run under scripts/test",
            st.stdout.trim(),
            st.stderr.trim()
        );
        iamkit_testkit::require("IAMKIT_REQUIRE_SECRET_SERVICE", Err(why));
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
        self.program(BIN, args)
    }

    /// `program` (a peer such as the aws CLI, which runs iamkit in turn) with this environment.
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let mut cmd = clean(program, args);
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// `iamkit ARGS` run by a wrapper (`wrapper[0]` with the rest of `wrapper` as its
    /// arguments, e.g. `keyctl session -`, `strace -f`, `prlimit --core=0 --`), with this
    /// environment.
    pub fn wrapped(&self, wrapper: &[&str], args: &[&str]) -> Command {
        let (program, wrapper_args) = wrapper.split_first().expect("a wrapper program");
        let mut cmd = self.program(program, wrapper_args);
        cmd.arg(BIN).args(args);
        cmd
    }

    /// Runs `program` (a peer such as the aws CLI or Python) with this environment's variables
    /// plus `extra`, and no input.
    pub fn run_program(
        &self,
        program: impl AsRef<std::ffi::OsStr>,
        args: &[&str],
        extra: &[(&str, &str)],
    ) -> Run {
        let mut cmd = self.program(program, args);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        run_command(cmd, b"")
    }

    /// Runs with `stdin` as standard input.
    pub fn run(&self, args: &[&str], stdin: &str) -> Run {
        self.run_bytes(args, stdin.as_bytes())
    }

    /// Runs with raw bytes as standard input.
    pub fn run_bytes(&self, args: &[&str], stdin: &[u8]) -> Run {
        run_command(self.command(args), stdin)
    }
}
