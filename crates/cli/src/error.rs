//! The CLI's error: a message for stderr and the exit status of the contract.
//!
//! Every library error is mapped here to one of the statuses in `shared/spec/cli.md`:
//! `1` a check said no, `2` usage or input error, `3` storage error, `4` an AWS endpoint failed. Messages never contain
//! secrets: library errors are built not to carry them, and the CLI adds only names.

use std::fmt;
use std::process::ExitCode;

/// Exit statuses of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// A check said no: a code or signature is invalid, a credential expired.
    CheckFailed,
    /// Usage or input error: bad flag, malformed secret, URI, key ID or request.
    Usage,
    /// Storage error: no keychain reachable, locked, wrong passphrase, entry missing.
    Storage,
    /// An AWS endpoint could not be reached, timed out, or answered with something that is not
    /// a valid AWS response (after retries).
    Endpoint,
    /// Standard output was closed by the reader (`| head`): not an error, exit 0 quietly.
    BrokenPipe,
    /// A command run by `creds exec` ended with this status: pass it through quietly.
    Child(u8),
}

/// An error the CLI reports as `iamkit: MESSAGE` and turns into an exit status.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) status: Status,
    pub(crate) message: String,
}

impl CliError {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError {
            status: Status::Usage,
            message: message.into(),
        }
    }

    pub(crate) fn check_failed(message: impl Into<String>) -> Self {
        CliError {
            status: Status::CheckFailed,
            message: message.into(),
        }
    }

    pub(crate) fn storage(message: impl Into<String>) -> Self {
        CliError {
            status: Status::Storage,
            message: message.into(),
        }
    }

    /// An AWS endpoint failure (exit 4); the message names the endpoint.
    pub(crate) fn endpoint(message: impl Into<String>) -> Self {
        CliError {
            status: Status::Endpoint,
            message: message.into(),
        }
    }

    /// An I/O error while reading input or writing output (not the store's).
    pub(crate) fn io(what: &str, err: &std::io::Error) -> Self {
        CliError::usage(format!("{what}: {err}"))
    }

    /// A command run by `creds exec` ended with `code`: exit with it, print nothing.
    pub(crate) fn child_status(code: u8) -> Self {
        CliError {
            status: Status::Child(code),
            message: String::new(),
        }
    }

    /// Whether this is reported on stderr (a closed pipe and a child's status are not).
    pub(crate) fn is_reported(&self) -> bool {
        !matches!(self.status, Status::BrokenPipe | Status::Child(_))
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self.status {
            Status::CheckFailed => 1,
            Status::Usage => 2,
            Status::Storage => 3,
            Status::Endpoint => 4,
            Status::BrokenPipe => 0,
            Status::Child(code) => code,
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, always: fold any newline a library message might carry.
        // Messages may quote names from enrollment data: no control character reaches stderr.
        let one_line = self.message.replace(['\n', '\r'], " ");
        write!(f, "iamkit: {}", crate::io::escape_text(&one_line))
    }
}

/// `Result` with the CLI's error.
pub(crate) type CliResult<T = ()> = Result<T, CliError>;
