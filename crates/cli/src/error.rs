//! The CLI's error: a message for stderr and the exit status of the contract.
//!
//! Every library error is mapped here to one of the statuses in `shared/spec/cli.md`:
//! `1` a check said no, `2` usage or input error, `3` storage error, `4` an AWS endpoint failed. Messages never contain
//! secrets: library errors are built not to carry them, and the CLI adds only names.
//!
//! This is the one place library errors become [`CliError`]s: a `From` impl per library (so a
//! call site says `?`), and [`Context`] for the sites that must name what failed (a file, a
//! flag, an STS call) or replace a library's message with one that says what was expected.

use std::fmt;
use std::process::ExitCode;

use iamkit_keystore as keystore;

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

// --- Library errors --------------------------------------------------------------------------

/// A store error: an existing record (without `--force`), a bad name, option or credential
/// (the keystore's checks of what a user passes in) is a usage error (2); everything else is a storage error (3).
impl From<keystore::Error> for CliError {
    fn from(err: keystore::Error) -> Self {
        // The keystore says what is wrong; the CLI adds its flag or variable that fixes it.
        let message = crate::storeopen::with_cli_hints(&err);
        match err {
            keystore::Error::AlreadyExists { .. }
            | keystore::Error::InvalidName { .. }
            | keystore::Error::InvalidOption { .. }
            | keystore::Error::InvalidCredentials { .. }
            | keystore::Error::WrongDeviceKind { .. } => CliError::usage(message),
            _ => CliError::storage(message),
        }
    }
}

/// Bad OTP parameters or secret: a usage error.
impl From<iamkit_otp::Error> for CliError {
    fn from(err: iamkit_otp::Error) -> Self {
        CliError::usage(err.to_string())
    }
}

/// A malformed otpauth:// URI, migration payload or QR image: a usage error.
impl From<iamkit_otpauth::Error> for CliError {
    fn from(err: iamkit_otpauth::Error) -> Self {
        CliError::usage(err.to_string())
    }
}

/// A request SigV4 cannot sign: a usage error.
impl From<iamkit_sigv4::Error> for CliError {
    fn from(err: iamkit_sigv4::Error) -> Self {
        CliError::usage(err.to_string())
    }
}

/// A malformed access key ID, prefix or account: a usage error.
impl From<iamkit_accesskey::Error> for CliError {
    fn from(err: iamkit_accesskey::Error) -> Self {
        CliError::usage(err.to_string())
    }
}

/// A write to standard output that failed: a closed pipe (`| head`) ends quietly with status
/// 0, anything else is `cannot write to stdout: ERROR`.
impl From<crate::io::StdoutError> for CliError {
    fn from(crate::io::StdoutError(err): crate::io::StdoutError) -> Self {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            CliError {
                status: Status::BrokenPipe,
                message: String::new(),
            }
        } else {
            CliError::io("cannot write to stdout", &err)
        }
    }
}

/// The replay store could not be set up (a bad URL, CA or TLS setting): a usage error.
impl From<iamkit_replay_redis::Error> for CliError {
    fn from(err: iamkit_replay_redis::Error) -> Self {
        CliError::usage(err.to_string())
    }
}

/// A raw request `iamkit verify` cannot parse: a usage error.
impl From<crate::cmd::verify::raw::BadRequest> for CliError {
    fn from(
        crate::cmd::verify::raw::BadRequest(message): crate::cmd::verify::raw::BadRequest,
    ) -> Self {
        CliError::usage(message)
    }
}

/// A malformed AWS credentials or config file: a usage error naming the file and line.
impl From<crate::aws_ini::IniError> for CliError {
    fn from(crate::aws_ini::IniError(message): crate::aws_ini::IniError) -> Self {
        CliError::usage(message)
    }
}

/// An error whose message must name what failed: the file, flag, profile or STS call given to
/// [`Context::context`].
pub(crate) trait InContext {
    /// The error, reported as the failure of `what`.
    fn in_context(self, what: &dyn fmt::Display) -> CliError;
}

/// Reading input or a file: `what: ERROR`, a usage error.
impl InContext for std::io::Error {
    fn in_context(self, what: &dyn fmt::Display) -> CliError {
        CliError::usage(format!("{what}: {self}"))
    }
}

/// The error of a CLI helper already mapped: its message after `what: `, its status kept.
impl InContext for CliError {
    fn in_context(mut self, what: &dyn fmt::Display) -> CliError {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

/// Encoding JSON output, or a progress bar's template: `what: ERROR`, a usage error.
impl InContext for serde_json::Error {
    fn in_context(self, what: &dyn fmt::Display) -> CliError {
        CliError::usage(format!("{what}: {self}"))
    }
}

/// A credential expiry that is not an RFC 3339 time.
impl InContext for keystore::InvalidExpiration {
    fn in_context(self, what: &dyn fmt::Display) -> CliError {
        CliError::usage(format!("{what}: {self}"))
    }
}

/// The OS random generator failed.
impl InContext for getrandom::Error {
    fn in_context(self, what: &dyn fmt::Display) -> CliError {
        CliError::usage(format!("{what}: {self}"))
    }
}

/// A server that could not start (`creds serve`'s listener).
impl InContext for Box<dyn std::error::Error + Send + Sync> {
    fn in_context(self, what: &dyn fmt::Display) -> CliError {
        CliError::usage(format!("{what}: {self}"))
    }
}

impl InContext for indicatif::style::TemplateError {
    fn in_context(self, what: &dyn fmt::Display) -> CliError {
        CliError::usage(format!("{what}: {self}"))
    }
}

/// A library error: mapped by its `From` impl, then named as for [`CliError`].
macro_rules! in_context_via_from {
    ($($t:ty),* $(,)?) => {$(
        impl InContext for $t {
            fn in_context(self, what: &dyn fmt::Display) -> CliError {
                CliError::from(self).in_context(what)
            }
        }
    )*};
}
in_context_via_from!(
    keystore::Error,
    iamkit_otp::Error,
    iamkit_otpauth::Error,
    iamkit_sigv4::Error,
    iamkit_accesskey::Error,
    iamkit_replay_redis::Error,
);

/// An STS/IAM call `what` (e.g. `GetSessionToken`) that failed: AWS refusals exit 1 naming
/// AWS's error code (with a hint where one helps), endpoints that cannot be reached or answer
/// garbage exit 4 naming the endpoint, requests that break AWS's rules exit 2. Never a secret:
/// the library's errors carry none, and AWS's messages name what was refused, not the
/// credentials.
impl InContext for iamkit_aws::Error {
    fn in_context(self, what: &dyn fmt::Display) -> CliError {
        use iamkit_aws::Error;
        match self {
            Error::Aws(a) => {
                let mut msg = format!("{what}: AWS refused the request: {}", a.code);
                if !a.message.is_empty() {
                    msg.push_str(&format!(" ({})", a.message.trim()));
                }
                if let Some(id) = &a.request_id {
                    msg.push_str(&format!(" [request ID {id}]"));
                }
                if let Some(hint) = a.hint() {
                    msg.push_str(&format!("; {hint}"));
                }
                CliError::check_failed(msg)
            }
            Error::Endpoint { endpoint, reason } => {
                CliError::endpoint(format!("{what}: endpoint {endpoint}: {reason}"))
            }
            Error::MalformedResponse { reason } => CliError::endpoint(format!(
                "{what}: the endpoint answered with something that is not a valid AWS response: {reason}"
            )),
            other => CliError::usage(format!("{what}: {other}")),
        }
    }
}

/// The typed context helpers: what a call site adds to an error instead of a closure.
pub(crate) trait Context<T, E> {
    /// The error reported as the failure of `what` (see [`InContext`]).
    fn context(self, what: impl fmt::Display) -> CliResult<T>
    where
        E: InContext;

    /// As [`context`](Self::context), but a storage error (3): for what was read from the store
    /// and cannot be used.
    fn stored_context(self, what: impl fmt::Display) -> CliResult<T>
    where
        E: InContext;

    /// The error (mapped by its `From` impl) with ` (HINT)` appended: what to do about it.
    fn hint(self, hint: impl fmt::Display) -> CliResult<T>
    where
        E: Into<CliError>;

    /// A usage error (2) saying `message` instead of the error's own message (which would not
    /// say what was expected).
    fn or_usage(self, message: impl fmt::Display) -> CliResult<T>;

    /// A failed check (1) saying `message`: the error's details stay opaque.
    fn or_check_failed(self, message: impl fmt::Display) -> CliResult<T>;
}

impl<T, E> Context<T, E> for Result<T, E> {
    fn context(self, what: impl fmt::Display) -> CliResult<T>
    where
        E: InContext,
    {
        match self {
            Ok(v) => Ok(v),
            Err(e) => Err(e.in_context(&what)),
        }
    }

    fn stored_context(self, what: impl fmt::Display) -> CliResult<T>
    where
        E: InContext,
    {
        match self {
            Ok(v) => Ok(v),
            Err(e) => {
                let mut e = e.in_context(&what);
                e.status = Status::Storage;
                Err(e)
            }
        }
    }

    fn hint(self, hint: impl fmt::Display) -> CliResult<T>
    where
        E: Into<CliError>,
    {
        match self {
            Ok(v) => Ok(v),
            Err(e) => {
                let mut e: CliError = e.into();
                e.message = format!("{} ({hint})", e.message);
                Err(e)
            }
        }
    }

    fn or_usage(self, message: impl fmt::Display) -> CliResult<T> {
        self.map_err(|_| CliError::usage(message.to_string()))
    }

    fn or_check_failed(self, message: impl fmt::Display) -> CliResult<T> {
        self.map_err(|_| CliError::check_failed(message.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamkit_aws::{Error, parse_response};

    #[test]
    fn refusals_exit_1_with_code_and_hint() {
        let body = b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error><RequestId>r-9</RequestId></ErrorResponse>";
        let err = parse_response::<iamkit_aws::CallerIdentity>(403, body).unwrap_err();
        let e = Err::<(), _>(err).context("GetSessionToken").unwrap_err();
        assert_eq!(e.status, Status::CheckFailed);
        assert!(e.message.contains("AccessDenied"), "{}", e.message);
        assert!(e.message.contains("r-9"), "{}", e.message);
        assert!(e.message.contains("clock"), "{}", e.message);
    }

    #[test]
    fn endpoint_failures_exit_4_naming_the_endpoint() {
        let e = Error::Endpoint {
            endpoint: "http://127.0.0.1:9/".into(),
            reason: "connection failed".into(),
        }
        .in_context(&"GetSessionToken");
        assert_eq!(e.status, Status::Endpoint);
        assert!(e.message.contains("http://127.0.0.1:9/"));
        let e = Error::NeedsLongTermCredentials.in_context(&"GetSessionToken");
        assert_eq!(e.status, Status::Usage);
    }
}
