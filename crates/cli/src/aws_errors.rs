//! `iamkit_aws` errors as the contract's exit statuses: AWS refusals exit 1 naming AWS's error
//! code (with a hint where one helps), endpoints that cannot be reached or answer garbage exit 4
//! naming the endpoint, requests that break AWS's rules exit 2. Never a secret: the library's
//! errors carry none, and AWS's messages name what was refused, not the credentials.

use iamkit_aws::Error;

use crate::error::CliError;

/// Maps an error of the STS/IAM call `what` (e.g. `"GetSessionToken"`).
pub(crate) fn aws_error(err: Error, what: &str) -> CliError {
    match err {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use iamkit_aws::parse_response;

    #[test]
    fn refusals_exit_1_with_code_and_hint() {
        let body = b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error><RequestId>r-9</RequestId></ErrorResponse>";
        let err = parse_response::<iamkit_aws::CallerIdentity>(403, body).unwrap_err();
        let e = aws_error(err, "GetSessionToken");
        assert_eq!(e.status, Status::CheckFailed);
        assert!(e.message.contains("AccessDenied"), "{}", e.message);
        assert!(e.message.contains("r-9"), "{}", e.message);
        assert!(e.message.contains("clock"), "{}", e.message);
    }

    #[test]
    fn endpoint_failures_exit_4_naming_the_endpoint() {
        let e = aws_error(
            Error::Endpoint {
                endpoint: "http://127.0.0.1:9/".into(),
                reason: "connection failed".into(),
            },
            "GetSessionToken",
        );
        assert_eq!(e.status, Status::Endpoint);
        assert!(e.message.contains("http://127.0.0.1:9/"));
        let e = aws_error(Error::NeedsLongTermCredentials, "GetSessionToken");
        assert_eq!(e.status, Status::Usage);
    }
}
