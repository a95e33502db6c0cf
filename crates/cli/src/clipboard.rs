//! `--copy`: the system clipboard (through `arboard`), or the terminal's clipboard through an
//! OSC 52 escape sequence when working over SSH or when no system clipboard is reachable.
//!
//! OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`) asks the terminal emulator (xterm, iTerm2, kitty,
//! WezTerm, Windows Terminal, tmux with `set-clipboard on`, …) to put the text on the clipboard
//! of the machine the user sits at, which is what is wanted over SSH.

use std::io::Write;

use base64::Engine;

/// How the text was copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Copied {
    /// The system clipboard of this machine.
    System,
    /// An OSC 52 escape sent to the terminal.
    Osc52,
}

/// Whether this looks like an SSH session (the system clipboard would be the remote one).
fn over_ssh() -> bool {
    ["SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// Copies `text`. Over SSH, OSC 52 only; else the system clipboard, falling back to OSC 52.
/// The error says why nothing could be copied (never the text).
pub(crate) fn copy(text: &str) -> Result<Copied, String> {
    if over_ssh() {
        return osc52(text).map(|()| Copied::Osc52);
    }
    match system(text) {
        Ok(()) => Ok(Copied::System),
        Err(sys_err) => osc52(text)
            .map(|()| Copied::Osc52)
            .map_err(|osc_err| format!("no clipboard reachable ({sys_err}; {osc_err})")),
    }
}

fn system(text: &str) -> Result<(), String> {
    let mut cb = arboard::Clipboard::new().map_err(|e| format!("system clipboard: {e}"))?;
    cb.set_text(text.to_owned())
        .map_err(|e| format!("system clipboard: {e}"))
    // On X11, dropping the clipboard hands the text to a clipboard manager when one runs.
}

/// The OSC 52 sequence for `text`.
pub(crate) fn osc52_sequence(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// Writes the OSC 52 sequence to the controlling terminal (`/dev/tty`), or to stdout/stderr
/// when that is a terminal.
fn osc52(text: &str) -> Result<(), String> {
    use std::io::IsTerminal;
    let seq = osc52_sequence(text);
    #[cfg(unix)]
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        return tty
            .write_all(seq.as_bytes())
            .and_then(|()| tty.flush())
            .map_err(|e| format!("terminal clipboard (OSC 52): {e}"));
    }
    if std::io::stderr().is_terminal() {
        let mut err = std::io::stderr().lock();
        return err
            .write_all(seq.as_bytes())
            .and_then(|()| err.flush())
            .map_err(|e| format!("terminal clipboard (OSC 52): {e}"));
    }
    Err("terminal clipboard (OSC 52): no terminal to send it to".to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_encodes_base64() {
        assert_eq!(super::osc52_sequence("123456"), "\x1b]52;c;MTIzNDU2\x07");
    }
}
