//! `--copy`: the system clipboard (through `arboard`), or the terminal's clipboard through an
//! OSC 52 escape sequence when working over SSH or when no system clipboard is reachable.
//!
//! A code on the system clipboard is kept for a bounded time only. On X11 the clipboard is not
//! a store but a promise: the program that copied must stay alive to hand the text to whoever
//! pastes (unless a clipboard manager takes a copy). So a small background `iamkit` process, the
//! *keeper*, takes the code on its stdin (never argv), puts it on the clipboard, answers paste
//! requests for `--clear-after` seconds (default 20), then clears the clipboard if it still
//! holds that code (anything copied since is left alone) and exits. The command itself does not
//! wait, so `$(iamkit mfa code NAME --copy)` returns at once.
//!
//! OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`) asks the terminal emulator (xterm, iTerm2, kitty,
//! WezTerm, Windows Terminal, tmux with `set-clipboard on`, …) to put the text on the clipboard
//! of the machine the user sits at, which is what is wanted over SSH. What is there cannot be
//! read back, so iamkit cannot tell whether it still holds the code: it is not cleared, and the
//! message says so.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use crate::error::{CliError, CliResult, Context};

use base64::Engine;
use zeroize::Zeroizing;

/// How long a copied code stays on the system clipboard by default, in seconds.
pub(crate) const DEFAULT_CLEAR_AFTER: u64 = 20;

/// The longest `--clear-after` accepted, in seconds (a code is stale after a minute or two).
pub(crate) const MAX_CLEAR_AFTER: u64 = 600;

/// The hidden subcommand that runs the keeper (`iamkit mfa clipboard-keeper`).
pub(crate) const KEEPER_ARGS: [&str; 2] = ["mfa", "clipboard-keeper"];

/// How the text was copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Copied {
    /// The system clipboard of this machine, held by the keeper and cleared after this many
    /// seconds if it still holds the code.
    System { clear_after: u64 },
    /// An OSC 52 escape sent to the terminal (not cleared: it cannot be read back).
    Osc52,
}

impl Copied {
    /// The one line that says what happened (without the code).
    pub(crate) fn describe(self) -> String {
        match self {
            Copied::System { clear_after } => format!(
                "copied to the clipboard; it is cleared in {clear_after} s if it still holds this code"
            ),
            Copied::Osc52 => "copied to the terminal's clipboard (OSC 52); iamkit cannot clear it there, so it stays until something else is copied".to_owned(),
        }
    }
}

/// Whether this looks like an SSH session (the system clipboard would be the remote one).
fn over_ssh() -> bool {
    ["SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// Copies `text` for `clear_after` seconds. Over SSH, OSC 52 only; else the system clipboard
/// (through the keeper), falling back to OSC 52. The error says why nothing could be copied
/// (never the text).
pub(crate) fn copy(text: &str, clear_after: u64) -> CliResult<Copied> {
    if over_ssh() {
        return osc52(text).map(|()| Copied::Osc52);
    }
    match spawn_keeper(text, clear_after) {
        Ok(()) => Ok(Copied::System { clear_after }),
        Err(sys_err) => match osc52(text) {
            Ok(()) => Ok(Copied::Osc52),
            Err(osc_err) => Err(CliError::usage(format!(
                "no clipboard reachable ({}; {})",
                sys_err.message, osc_err.message
            ))),
        },
    }
}

/// Starts the keeper with `text` on its stdin and waits for its first line: `ok` once the text
/// is on the clipboard, or the reason it could not be put there.
fn spawn_keeper(text: &str, clear_after: u64) -> CliResult {
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().context("system clipboard")?;
    let mut cmd = Command::new(exe);
    cmd.args(KEEPER_ARGS)
        .arg("--clear-after")
        .arg(clear_after.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // Its own process group: the keeper outlives this command, and a Ctrl-C aimed at a later
    // command in the same terminal does not reach it.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .context("system clipboard: cannot start the clipboard keeper")?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut line = Zeroizing::new(String::with_capacity(text.len() + 1));
        line.push_str(text);
        line.push('\n');
        stdin
            .write_all(line.as_bytes())
            .context("system clipboard")?;
    }
    let mut answer = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = std::io::BufReader::new(out).read_line(&mut answer);
    }
    let answer = answer.trim();
    if answer == "ok" {
        // The keeper goes on alone; it is not waited for.
        return Ok(());
    }
    let _ = child.wait();
    Err(CliError::usage(if answer.is_empty() {
        "system clipboard: the clipboard keeper ended without an answer"
    } else {
        answer
    }))
}

/// The keeper (`iamkit mfa clipboard-keeper --clear-after N`, started by [`copy`]): reads the
/// text from stdin, puts it on the clipboard, says `ok` (or why not) on stdout, keeps it
/// available for `clear_after` seconds, then clears the clipboard if it still holds the text.
pub(crate) fn run_keeper(clear_after: u64) -> CliResult {
    let text = crate::io::read_secret_line("text to copy")?;
    let mut out = std::io::stdout().lock();
    let mut cb = match arboard::Clipboard::new().and_then(|mut cb| {
        cb.set_text(text.as_str())?;
        Ok(cb)
    }) {
        Ok(cb) => cb,
        Err(e) => {
            let _ = writeln!(out, "system clipboard: {e}");
            return Ok(());
        }
    };
    let _ = writeln!(out, "ok").and_then(|()| out.flush());
    drop(out);
    let deadline = Instant::now() + Duration::from_secs(clear_after);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let still_ours = cb
        .get_text()
        .map(|t| Zeroizing::new(t).as_str() == text.as_str())
        .unwrap_or(false);
    if still_ours {
        let _ = cb.clear();
    }
    Ok(())
}

/// The OSC 52 sequence for `text`.
pub(crate) fn osc52_sequence(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// Writes the OSC 52 sequence to the controlling terminal (`/dev/tty`), or to stderr when that
/// is a terminal.
fn osc52(text: &str) -> CliResult {
    use std::io::IsTerminal;
    let seq = Zeroizing::new(osc52_sequence(text));
    #[cfg(unix)]
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        return tty
            .write_all(seq.as_bytes())
            .and_then(|()| tty.flush())
            .context("terminal clipboard (OSC 52)");
    }
    if std::io::stderr().is_terminal() {
        let mut err = std::io::stderr().lock();
        return err
            .write_all(seq.as_bytes())
            .and_then(|()| err.flush())
            .context("terminal clipboard (OSC 52)");
    }
    Err(CliError::usage(
        "terminal clipboard (OSC 52): no terminal to send it to",
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_encodes_base64() {
        assert_eq!(super::osc52_sequence("123456"), "\x1b]52;c;MTIzNDU2\x07");
    }
}
