//! `mfa code --copy` on a real X11 clipboard: a private Xvfb server, read back with xclip. The
//! code stays on the clipboard for `--clear-after` seconds (held by iamkit's keeper, so it is
//! there even with no clipboard manager and after the command has exited), then is cleared,
//! unless something else was copied since.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod util;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use util::Env;

const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const CODE_AT_59: &str = "287082";

/// A private X server on a display of its own, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start(offset: u32) -> Xvfb {
        let n = 200 + (std::process::id() % 500) * 2 + offset;
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&display, "-nolisten", "tcp", "-screen", "0", "320x200x24"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let x = Xvfb { child, display };
        let start = Instant::now();
        while !x.clipboard_reachable() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "Xvfb did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        x
    }

    fn clipboard_reachable(&self) -> bool {
        Command::new("xclip")
            .args(["-selection", "clipboard", "-o"])
            .env("DISPLAY", &self.display)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .is_ok_and(|o| {
                // "target STRING not available" means the server answered: nothing copied yet.
                o.status.success()
                    || !String::from_utf8_lossy(&o.stderr).contains("Can't open display")
            })
    }

    /// The clipboard's text, or "" when it holds nothing.
    fn clipboard(&self) -> String {
        let out = Command::new("xclip")
            .args(["-selection", "clipboard", "-o"])
            .env("DISPLAY", &self.display)
            .output()
            .unwrap();
        if out.status.success() {
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            String::new()
        }
    }

    fn wait_clipboard(&self, what: &str, f: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let c = self.clipboard();
            if f(&c) {
                return c;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}; clipboard {c:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools_present() -> bool {
    util::tool("Xvfb", "Debian package xvfb") && util::tool("xclip", "Debian package xclip")
}

fn env_on(x: &Xvfb) -> Env {
    let mut env = Env::file();
    env.set("DISPLAY", &x.display);
    env.unset("WAYLAND_DISPLAY");
    env.run(&["mfa", "add", "d"], &format!("{SEED}\n")).ok();
    env
}

#[test]
fn copy_keeps_the_code_after_exit_for_the_given_time_then_clears_it() {
    if !tools_present() {
        return;
    }
    let x = Xvfb::start(0);
    let env = env_on(&x);
    let started = Instant::now();
    let r = env.run(
        &[
            "mfa",
            "code",
            "d",
            "--time",
            "59",
            "--copy",
            "--clear-after",
            "6",
        ],
        "",
    );
    assert_eq!(r.ok(), format!("{CODE_AT_59}\n"));
    assert_eq!(
        r.stderr.trim_end(),
        "iamkit: copied to the clipboard; it is cleared in 6 s if it still holds this code"
    );
    // The command has exited; the code is still there (no clipboard manager runs here), for
    // certain while less than the 6 s have passed since the command started (a loaded machine
    // past them has no claim to check but the clearing).
    let held = x.clipboard();
    if started.elapsed() < Duration::from_secs(6) {
        assert_eq!(held, CODE_AT_59);
    } else {
        assert!(held == CODE_AT_59 || held.is_empty(), "{held:?}");
    }
    // Then it is cleared.
    x.wait_clipboard("the clipboard to be cleared", |c| c.is_empty());
}

#[test]
fn copy_leaves_alone_what_was_copied_since() {
    if !tools_present() {
        return;
    }
    let x = Xvfb::start(1);
    let env = env_on(&x);
    // The user's copy must land before the keeper's time is up, or there is nothing to leave
    // alone: on a loaded machine that misses it, try again with a longer time.
    for clear_after in [2u64, 5, 15, 45] {
        let started = Instant::now();
        env.run(
            &[
                "mfa",
                "code",
                "d",
                "--time",
                "59",
                "--copy",
                "--clear-after",
                &clear_after.to_string(),
            ],
            "",
        )
        .ok();
        let held = x.clipboard();
        // The user copies something else: xclip owns the clipboard from now on.
        let mut other = Command::new("xclip")
            .args(["-quiet", "-selection", "clipboard", "-i"])
            .env("DISPLAY", &x.display)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        other.stdin.take().unwrap().write_all(b"mine").unwrap();
        x.wait_clipboard("the user's copy", |c| c == "mine");
        let in_time = started.elapsed() < Duration::from_secs(clear_after);
        if in_time {
            assert_eq!(held, CODE_AT_59);
            // Well past the keeper's time: still the user's text.
            std::thread::sleep(Duration::from_secs(clear_after + 2));
            assert_eq!(x.clipboard(), "mine");
        }
        let _ = other.kill();
        let _ = other.wait();
        if in_time {
            return;
        }
        eprintln!("note: the copy came after {clear_after} s (slow machine); trying longer");
    }
    panic!("the user's copy never landed within 45 s of `--copy`");
}

#[test]
fn clear_after_out_of_range_or_without_copy_is_a_usage_error() {
    let env = Env::file();
    for args in [
        &["mfa", "code", "d", "--copy", "--clear-after", "0"][..],
        &["mfa", "code", "d", "--copy", "--clear-after", "601"],
        &["mfa", "code", "d", "--clear-after", "5"],
    ] {
        env.run(args, "").fails(2);
    }
}
