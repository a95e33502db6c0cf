//! Standard input, secrets and output: the only places the CLI touches the terminal.
//!
//! Output goes through [`Out`], which treats a closed pipe (`iamkit … | head -1`) as success.

use std::io::{self, BufRead, IsTerminal, Read, Write};

use zeroize::Zeroizing;

use crate::error::{CliError, CliResult};

/// Whether standard input is a terminal (then secrets are prompted for without echo).
pub(crate) fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Whether standard output is a terminal (colour and progress only then).
pub(crate) fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Reads one secret: from a no-echo prompt when stdin is a terminal, else the next line of
/// stdin with surrounding whitespace removed. Empty input is an error naming `what`.
pub(crate) fn read_secret_line(what: &str) -> CliResult<Zeroizing<String>> {
    let line = if stdin_is_terminal() {
        Zeroizing::new(
            rpassword::prompt_password(format!("{what}: "))
                .map_err(|e| CliError::io(&format!("cannot read the {what}"), &e))?,
        )
    } else {
        let mut line = Zeroizing::new(String::new());
        io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::io(&format!("cannot read the {what} from stdin"), &e))?;
        line
    };
    let trimmed = Zeroizing::new(line.trim().to_owned());
    if trimmed.is_empty() {
        return Err(CliError::usage(format!(
            "no {what} on stdin: expected one line holding the {what}"
        )));
    }
    Ok(trimmed)
}

/// Reads all of stdin (never prompts): for URIs and multi-line input.
pub(crate) fn read_stdin_all(what: &str) -> CliResult<Zeroizing<String>> {
    let mut buf = Zeroizing::new(String::new());
    io::stdin()
        .lock()
        .read_to_string(&mut buf)
        .map_err(|e| CliError::io(&format!("cannot read the {what} from stdin"), &e))?;
    Ok(buf)
}

/// Reads the lines of stdin, trimmed, keeping empty ones (positions matter).
pub(crate) fn read_stdin_lines(what: &str) -> CliResult<Vec<Zeroizing<String>>> {
    let all = read_stdin_all(what)?;
    Ok(all
        .lines()
        .map(|l| Zeroizing::new(l.trim().to_owned()))
        .collect())
}

/// Standard output that treats a broken pipe as success.
#[derive(Debug)]
pub(crate) struct Out;

impl Out {
    /// Writes `text` and a newline.
    pub(crate) fn line(text: &str) -> CliResult {
        Self::write(format_args!("{text}\n"))
    }

    /// Writes raw bytes (images).
    pub(crate) fn bytes(data: &[u8]) -> CliResult {
        let mut out = io::stdout().lock();
        out.write_all(data)
            .and_then(|()| out.flush())
            .map_err(map_write_error)
    }

    /// Writes formatted text.
    pub(crate) fn write(args: std::fmt::Arguments<'_>) -> CliResult {
        let mut out = io::stdout().lock();
        out.write_fmt(args)
            .and_then(|()| out.flush())
            .map_err(map_write_error)
    }

    /// Writes one JSON value on one line.
    pub(crate) fn json(value: &serde_json::Value) -> CliResult {
        Self::line(&value.to_string())
    }
}

fn map_write_error(err: io::Error) -> CliError {
    if err.kind() == io::ErrorKind::BrokenPipe {
        CliError {
            status: crate::error::Status::BrokenPipe,
            message: String::new(),
        }
    } else {
        CliError::io("cannot write to stdout", &err)
    }
}

/// Writes `data` to `path`, created with mode 0600 (QR images and URIs hold the secret), or to
/// stdout for `-`.
pub(crate) fn write_private(path: &std::path::Path, data: &[u8]) -> CliResult {
    if path.as_os_str() == "-" {
        return Out::bytes(data);
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let cannot = |e: io::Error| CliError::usage(format!("cannot write {}: {e}", path.display()));
    let mut f = opts.open(path).map_err(cannot)?;
    f.write_all(data).and_then(|()| f.flush()).map_err(cannot)
}
