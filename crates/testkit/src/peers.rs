//! The peers: independent implementations the differential tests compare against (oathtool,
//! zbarimg, age, ... on `PATH`; pyotp, botocore, boto3, moto, awscrt in a Python venv).
//!
//! `IAMKIT_PYTHON` names the Python with the peers (`scripts/test` sets it to the venv it
//! makes); without it, `<workspace>/.venv/bin/python`. With `IAMKIT_REQUIRE_PEERS=1` (set by
//! `scripts/test`) a missing peer fails the test; otherwise the test prints a note and skips.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Whether a missing peer fails the test (`IAMKIT_REQUIRE_PEERS=1`).
pub fn peers_required() -> bool {
    std::env::var("IAMKIT_REQUIRE_PEERS").as_deref() == Ok("1")
}

/// Reports a missing peer: panics under `IAMKIT_REQUIRE_PEERS=1`, else prints a note. Returns
/// `true`, so a test can say `if !have("tool") && missing("tool") { return; }`.
#[track_caller]
pub fn missing(what: &str) -> bool {
    if peers_required() {
        panic!("peer missing: {what} (IAMKIT_REQUIRE_PEERS=1)");
    }
    eprintln!("note: skipping: {what} is missing; IAMKIT_REQUIRE_PEERS=1 makes this a failure");
    true
}

/// Whether a facility a test needs (the Secret Service, the kernel keyring, ...) is there:
/// `true` to run the test; when `available` is an error, panics if the environment variable
/// `var` is `1` (`scripts/test` sets `IAMKIT_REQUIRE_SECRET_SERVICE`,
/// `IAMKIT_REQUIRE_KERNEL_KEYRING`), else prints a note and says `false` (skip).
#[track_caller]
pub fn require(var: &str, available: Result<(), String>) -> bool {
    match available {
        Ok(()) => true,
        Err(why) if std::env::var(var).as_deref() == Ok("1") => {
            panic!("{var}=1 but it is not available: {why}")
        }
        Err(why) => {
            eprintln!("note: skipped ({why}); set {var}=1 to make this a failure");
            false
        }
    }
}

/// The Python of the peers: `IAMKIT_PYTHON`, else the checkout's `.venv/bin/python`.
/// Not checked: see [`python_with`].
pub fn python() -> PathBuf {
    std::env::var_os("IAMKIT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace().join(".venv/bin/python"))
}

/// The peers' Python if it runs and imports every module of `modules` (none: it runs at all),
/// else `None` after [`missing`] (which panics when peers are required).
#[track_caller]
pub fn python_with(modules: &[&str]) -> Option<PathBuf> {
    let py = python();
    let mut cmd = Command::new(&py);
    if modules.is_empty() {
        cmd.arg("--version");
    } else {
        cmd.args(["-c", &format!("import {}", modules.join(", "))]);
    }
    let works = cmd
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(py);
    }
    let what = if modules.is_empty() {
        format!("Python at {} (IAMKIT_PYTHON)", py.display())
    } else {
        format!(
            "Python with {} at {} (IAMKIT_PYTHON)",
            modules.join(", "),
            py.display()
        )
    };
    missing(&what);
    None
}

/// Runs the peer driver `scripts/<script>` with `python`, `input` on its stdin (written from
/// another thread, so a peer that answers while it reads never deadlocks); returns its stdout.
/// Panics (naming the script, with its stderr) when it cannot start or fails.
#[track_caller]
pub fn run_script(python: &std::path::Path, script: &str, input: Vec<u8>) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new(python)
        .arg(crate::script(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run scripts/{script}: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("scripts/{script}: {e}"));
    let written = writer.join().expect("the stdin writer");
    assert!(
        out.status.success(),
        "scripts/{script} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    written.unwrap_or_else(|e| panic!("writing to scripts/{script}: {e}"));
    out.stdout
}

/// Whether the peer tool `cmd` is on `PATH`; when it is not, [`missing`] (naming `what`, e.g.
/// the Debian package) panics if peers are required, else this prints a note and says `false`.
#[track_caller]
pub fn tool(cmd: &str, what: &str) -> bool {
    have(cmd) || !missing(&format!("{cmd} ({what}) on PATH"))
}

/// Whether `cmd` is a command on `PATH`.
pub fn have(cmd: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let p = dir.join(cmd);
        std::fs::metadata(&p).is_ok_and(|m| m.is_file() && is_executable(&m))
    })
}

#[cfg(unix)]
fn is_executable(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn have_finds_sh_and_not_a_made_up_name() {
        assert!(super::have("sh"));
        assert!(!super::have("iamkit-no-such-tool-7f3a"));
    }
}
