//! Query API responses: the XML AWS answers with, parsed (roxmltree: no DTDs, no entities) and
//! every field checked. An `<ErrorResponse>` becomes [`Error::Aws`] with AWS's code and request
//! ID; anything else that is not the expected answer is [`Error::MalformedResponse`], never a
//! panic.
//!
//! ```
//! use iamkit_aws::{Error, GetSessionTokenResponse, parse_response};
//! let body = br#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//!   <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error>
//!   <RequestId>8f7e2a51-1c2b-4a8e-9f3d-0a1b2c3d4e5f</RequestId></ErrorResponse>"#;
//! match parse_response::<GetSessionTokenResponse>(403, body) {
//!     Err(Error::Aws(e)) => {
//!         assert_eq!(e.code, "AccessDenied");
//!         assert_eq!(e.request_id.as_deref(), Some("8f7e2a51-1c2b-4a8e-9f3d-0a1b2c3d4e5f"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use std::fmt;

use iamkit_sigv4::{Credentials, Timestamp};
use roxmltree::{Document, Node, ParsingOptions};
use zeroize::Zeroizing;

use crate::Error;
use crate::error::{AwsError, MAX_MESSAGE_CHARS, printable};

/// Largest response body read, in bytes (STS and IAM answers are a few KiB).
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// Most XML nodes a response may have.
const MAX_NODES: u32 = 10_000;

/// Session credentials must last at least this long after "now" to be reused (15 minutes, as
/// the AWS SDKs refresh).
pub const REFRESH_MARGIN_SECONDS: i64 = 15 * 60;

pub(crate) fn malformed(reason: impl Into<String>) -> Error {
    Error::MalformedResponse {
        reason: reason.into(),
    }
}

/// A parsed answer to one action: the `<ActionResult>` element's content.
pub trait QueryResponse: Sized {
    /// The action (`GetSessionToken`): the answer is `<GetSessionTokenResponse>`.
    const ACTION: &'static str;

    /// Whether the answer has an `<ActionResult>` element (IAM's `DeleteAccessKey` and other
    /// actions that return nothing answer with `<ResponseMetadata>` alone; their
    /// [`from_result`](Self::from_result) then gets the root element).
    const HAS_RESULT: bool = true;

    /// Reads the `<ActionResult>` element. `request_id` is the answer's `RequestId`.
    ///
    /// # Errors
    ///
    /// `Error::MalformedResponse` when an element the answer must have is missing or malformed.
    fn from_result(result: Node<'_, '_>, request_id: Option<&str>) -> Result<Self, Error>;
}

/// Parses the answer of `T::ACTION` with HTTP status `status`.
///
/// # Errors
///
/// `Error::Aws` for an error answer from AWS, `Error::MalformedResponse` for a body that is not
/// a valid answer of `T::ACTION`.
pub fn parse_response<T: QueryResponse>(status: u16, body: &[u8]) -> Result<T, Error> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(malformed(format!(
            "the body is larger than {MAX_RESPONSE_BYTES} bytes"
        )));
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        malformed(format!(
            "HTTP {status}, the body is not UTF-8 (at byte {})",
            e.valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(malformed(format!(
            "HTTP {status} with an empty body (expected XML)"
        )));
    }
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts)
        .map_err(|e| malformed(format!("HTTP {status}, the body is not XML: {e}")))?;
    let root = doc.root_element();
    let name = root.tag_name().name();
    if name == "ErrorResponse" || name == "Response" {
        return Err(parse_error(status, root));
    }
    if !(200..300).contains(&status) {
        return Err(malformed(format!(
            "HTTP {status} with <{}> (expected an <ErrorResponse>)",
            printable(name, 64)
        )));
    }
    let expected = format!("{}Response", T::ACTION);
    if name != expected {
        return Err(malformed(format!(
            "the answer is <{}> (expected <{expected}>)",
            printable(name, 64)
        )));
    }
    let request_id = optional_path(root, &["ResponseMetadata", "RequestId"])?;
    let result_name = format!("{}Result", T::ACTION);
    let result = match only_child(root, &result_name)? {
        Some(r) => r,
        None if !T::HAS_RESULT => root,
        None => return Err(malformed(format!("no <{result_name}> in <{expected}>"))),
    };
    T::from_result(result, request_id.as_deref())
}

/// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, and the
/// `<Errors><Error>…</Error></Errors>` wrapping some services (and moto) put around `<Error>`,
/// under `<ErrorResponse>` or `<Response>`, as botocore reads them.
fn parse_error(status: u16, root: Node<'_, '_>) -> Error {
    let error = only_child(root, "Error").ok().flatten().or_else(|| {
        only_child(root, "Errors")
            .ok()
            .flatten()
            .and_then(|e| only_child(e, "Error").ok().flatten())
    });
    let Some(error) = error else {
        return malformed(format!("HTTP {status}: an error answer without <Error>"));
    };
    let field = |n: Node<'_, '_>, name: &str| {
        only_child(n, name)
            .ok()
            .flatten()
            .map(|c| printable(&text_of(c), MAX_MESSAGE_CHARS))
            .filter(|s| !s.is_empty())
    };
    let Some(code) = field(error, "Code") else {
        return malformed(format!("HTTP {status}: an <Error> without <Code>"));
    };
    let code_ok = code.len() <= 128
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    if !code_ok {
        return malformed(format!(
            "HTTP {status}: an <Error> whose <Code> is not an AWS error code"
        ));
    }
    let request_id = field(root, "RequestId").or_else(|| field(error, "RequestId"));
    Error::Aws(AwsError {
        status,
        kind: field(error, "Type"),
        code,
        message: field(error, "Message").unwrap_or_default(),
        request_id: request_id.map(|r| printable(&r, 128)),
    })
}

/// The text content of an element (its text children joined).
fn text_of(n: Node<'_, '_>) -> String {
    n.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

/// The one child element named `name`; an error when there are two.
pub(crate) fn only_child<'a, 'i>(
    n: Node<'a, 'i>,
    name: &str,
) -> Result<Option<Node<'a, 'i>>, Error> {
    let mut found = None;
    for c in n.children().filter(|c| c.is_element()) {
        if c.tag_name().name() == name {
            if found.is_some() {
                return Err(malformed(format!(
                    "more than one <{name}> in <{}>",
                    n.tag_name().name()
                )));
            }
            found = Some(c);
        }
    }
    Ok(found)
}

fn optional_path(n: Node<'_, '_>, path: &[&str]) -> Result<Option<String>, Error> {
    let mut cur = n;
    for name in path {
        match only_child(cur, name)? {
            Some(c) => cur = c,
            None => return Ok(None),
        }
    }
    Ok(Some(text_of(cur).trim().to_owned()))
}

/// The trimmed text of the optional child `name` (text only).
pub(crate) fn optional(n: Node<'_, '_>, name: &str) -> Result<Option<String>, Error> {
    match only_child(n, name)? {
        None => Ok(None),
        Some(c) if c.children().any(|x| x.is_element()) => Err(malformed(format!(
            "<{name}> holds elements (expected text)"
        ))),
        Some(c) => Ok(Some(text_of(c).trim().to_owned())),
    }
}

/// The trimmed text of the required child `name`.
pub(crate) fn required(n: Node<'_, '_>, name: &str) -> Result<String, Error> {
    let c = only_child(n, name)?
        .ok_or_else(|| malformed(format!("no <{name}> in <{}>", n.tag_name().name())))?;
    if c.children().any(|x| x.is_element()) {
        return Err(malformed(format!(
            "<{name}> holds elements (expected text)"
        )));
    }
    Ok(text_of(c).trim().to_owned())
}

/// Temporary credentials from STS: an `ASIA…` key ID, a 40-character secret, a session token
/// and an expiry. `Debug` shows only the key ID and the expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionCredentials {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Zeroizing<String>,
    expiration: Timestamp,
}

impl fmt::Debug for SessionCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &"<redacted>")
            .field("expiration", &self.expiration_rfc3339())
            .finish()
    }
}

/// Longest session token accepted, in bytes.
pub const MAX_SESSION_TOKEN_LEN: usize = 8192;

/// Parses an RFC 3339 UTC time as AWS writes it (`2026-01-02T03:04:05Z`, with or without
/// fractional seconds, `Z` or `+00:00`); fractional seconds are dropped.
///
/// # Errors
///
/// `Error::MalformedResponse` when `text` is not such a time.
pub fn parse_expiration(text: &str) -> Result<Timestamp, Error> {
    let t = text.trim();
    let t = t
        .strip_suffix("+00:00")
        .map_or_else(|| t.to_owned(), |s| format!("{s}Z"));
    Timestamp::parse_rfc3339(&t).map_err(|_| {
        malformed(format!(
            "Expiration {:?} is not an RFC 3339 UTC time (expected e.g. 2026-01-02T03:04:05Z)",
            printable(text, 40)
        ))
    })
}

/// `yyyy-mm-ddThh:mm:ssZ` of a timestamp.
pub fn format_rfc3339(t: Timestamp) -> String {
    let a = t.amz_date(); // yyyymmddThhmmssZ
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &a[0..4],
        &a[4..6],
        &a[6..8],
        &a[9..11],
        &a[11..13],
        &a[13..15]
    )
}

impl SessionCredentials {
    /// Checks and wraps temporary credentials: the key ID 16 to 128 upper-case letters and
    /// digits starting `ASIA`, the secret 40 characters of `[A-Za-z0-9+/]`, the token 1 to
    /// [`MAX_SESSION_TOKEN_LEN`] characters of base64. Errors name the field, never its value.
    ///
    /// # Errors
    ///
    /// `Error::MalformedResponse` naming the field that breaks these rules.
    pub fn new(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
        expiration: Timestamp,
    ) -> Result<SessionCredentials, Error> {
        let id_ok = (16..=128).contains(&access_key_id.len())
            && access_key_id.starts_with("ASIA")
            && access_key_id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !id_ok {
            return Err(malformed(
                "AccessKeyId is not a temporary key ID (expected ASIA and 12 to 124 upper-case letters and digits)",
            ));
        }
        let secret_ok = secret_access_key.len() == 40
            && secret_access_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        if !secret_ok {
            return Err(malformed(
                "SecretAccessKey is not 40 characters of letters, digits, '+' and '/'",
            ));
        }
        let token_ok = !session_token.is_empty()
            && session_token.len() <= MAX_SESSION_TOKEN_LEN
            && session_token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
        if !token_ok {
            return Err(malformed(format!(
                "SessionToken is not 1 to {MAX_SESSION_TOKEN_LEN} characters of base64"
            )));
        }
        Ok(SessionCredentials {
            access_key_id: access_key_id.to_owned(),
            secret_access_key: Zeroizing::new(secret_access_key.to_owned()),
            session_token: Zeroizing::new(session_token.to_owned()),
            expiration,
        })
    }

    fn from_node(n: Node<'_, '_>) -> Result<SessionCredentials, Error> {
        let id = required(n, "AccessKeyId")?;
        let secret = Zeroizing::new(required(n, "SecretAccessKey")?);
        let token = Zeroizing::new(required(n, "SessionToken")?);
        let exp = parse_expiration(&required(n, "Expiration")?)?;
        SessionCredentials::new(&id, &secret, &token, exp)
    }

    /// The access key ID (`ASIA…`).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token.
    pub fn session_token(&self) -> &str {
        &self.session_token
    }

    /// When the credentials expire.
    pub fn expiration(&self) -> Timestamp {
        self.expiration
    }

    /// The expiry as `yyyy-mm-ddThh:mm:ssZ`.
    pub fn expiration_rfc3339(&self) -> String {
        format_rfc3339(self.expiration)
    }

    /// Seconds left at `now` (negative once expired).
    pub fn remaining_seconds(&self, now: Timestamp) -> i64 {
        self.expiration.unix_seconds() - now.unix_seconds()
    }

    /// Whether the credentials may still be handed out at `now`: more than
    /// [`REFRESH_MARGIN_SECONDS`] left.
    pub fn is_reusable(&self, now: Timestamp) -> bool {
        self.remaining_seconds(now) > REFRESH_MARGIN_SECONDS
    }

    /// The credentials for signing.
    pub fn to_sigv4(&self) -> Credentials {
        Credentials::new(self.access_key_id.clone(), self.secret_access_key.as_str())
            .with_session_token(self.session_token.as_str())
    }
}

/// The answer to `GetSessionToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetSessionTokenResponse {
    /// The session credentials.
    pub credentials: SessionCredentials,
    /// AWS's request ID.
    pub request_id: Option<String>,
}

impl QueryResponse for GetSessionTokenResponse {
    const ACTION: &'static str = "GetSessionToken";

    fn from_result(result: Node<'_, '_>, request_id: Option<&str>) -> Result<Self, Error> {
        let creds = only_child(result, "Credentials")?
            .ok_or_else(|| malformed("no <Credentials> in <GetSessionTokenResult>"))?;
        Ok(GetSessionTokenResponse {
            credentials: SessionCredentials::from_node(creds)?,
            request_id: request_id.map(str::to_owned),
        })
    }
}

/// The answer to `AssumeRole`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssumeRoleResponse {
    /// The role session's credentials.
    pub credentials: SessionCredentials,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub assumed_role_arn: String,
    /// `AROA…:SESSION`.
    pub assumed_role_id: String,
    /// AWS's request ID.
    pub request_id: Option<String>,
}

fn check_arn(field: &str, arn: &str) -> Result<(), Error> {
    let ok = arn.starts_with("arn:")
        && arn.len() <= 2048
        && arn.split(':').count() >= 6
        && !arn.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(malformed(format!("{field} is not an ARN")))
    }
}

impl QueryResponse for AssumeRoleResponse {
    const ACTION: &'static str = "AssumeRole";

    fn from_result(result: Node<'_, '_>, request_id: Option<&str>) -> Result<Self, Error> {
        let creds = only_child(result, "Credentials")?
            .ok_or_else(|| malformed("no <Credentials> in <AssumeRoleResult>"))?;
        let user = only_child(result, "AssumedRoleUser")?
            .ok_or_else(|| malformed("no <AssumedRoleUser> in <AssumeRoleResult>"))?;
        let arn = required(user, "Arn")?;
        check_arn("AssumedRoleUser.Arn", &arn)?;
        let id = required(user, "AssumedRoleId")?;
        if id.is_empty()
            || id.len() > 193
            || id.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(malformed(
                "AssumedRoleId is empty, too long or holds whitespace",
            ));
        }
        Ok(AssumeRoleResponse {
            credentials: SessionCredentials::from_node(creds)?,
            assumed_role_arn: arn,
            assumed_role_id: id,
            request_id: request_id.map(str::to_owned),
        })
    }
}

/// The answer to `GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallerIdentity {
    /// The 12-digit account ID.
    pub account: String,
    /// The caller's ARN (a user, or an assumed role's session).
    pub arn: String,
    /// The unique ID (`AIDA…`, `AROA…:SESSION`).
    pub user_id: String,
}

impl QueryResponse for CallerIdentity {
    const ACTION: &'static str = "GetCallerIdentity";

    fn from_result(result: Node<'_, '_>, _request_id: Option<&str>) -> Result<Self, Error> {
        let account = required(result, "Account")?;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed("Account is not 12 digits"));
        }
        let arn = required(result, "Arn")?;
        check_arn("Arn", &arn)?;
        let user_id = required(result, "UserId")?;
        if user_id.is_empty() || user_id.len() > 256 {
            return Err(malformed("UserId is empty or too long"));
        }
        Ok(CallerIdentity {
            account,
            arn,
            user_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GST: &str = r#"<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetSessionTokenResult>
    <Credentials>
      <SessionToken>AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT+FvwqnKwRcOIfrRh3c/LTo6UDdyJwOOvEVPvLXCrrrUtdnniCEXAMPLE/IvU1dYUg2RVAJBanLiHb4IgRmpRV3zrkuWJOgQs8IZZaIv2BXIa2R4OlgkBN9bkUDNCJiBeb/AXlzBBko7b15fjrBs2+cTQtpZ3CYWFXG8C5zqx37wnOE49mRl/+OtkIKGO7fAE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey>
      <Expiration>2011-07-11T19:55:29.611Z</Expiration>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
  </GetSessionTokenResult>
  <ResponseMetadata>
    <RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId>
  </ResponseMetadata>
</GetSessionTokenResponse>"#;

    /// AWS's documented example answer, with the ASIA key ID and 40-character secret AWS sends
    /// today (the example's own secret has 41 characters).
    #[test]
    fn get_session_token_example() {
        let r: GetSessionTokenResponse = parse_response(200, GST.as_bytes()).unwrap();
        assert_eq!(r.credentials.access_key_id(), "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(r.credentials.expiration_rfc3339(), "2011-07-11T19:55:29Z");
        assert_eq!(
            r.request_id.as_deref(),
            Some("58c5dbae-abef-11e0-8cfe-09039844ac7d")
        );
        let dbg = format!("{:?}", r);
        assert!(
            !dbg.contains("wJalr") && !dbg.contains("AQoEXAMPLE"),
            "{dbg}"
        );
    }

    #[test]
    fn expiration_with_and_without_fraction() {
        let a = parse_expiration("2026-12-01T23:17:23.123456Z").unwrap();
        let b = parse_expiration("2026-12-01T23:17:23Z").unwrap();
        let c = parse_expiration("2026-12-01T23:17:23+00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(format_rfc3339(a), "2026-12-01T23:17:23Z");
        for bad in [
            "2026-12-01 23:17:23",
            "2026-13-01T00:00:00Z",
            "tomorrow",
            "2026-12-01T23:17:23.Z",
        ] {
            assert!(parse_expiration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_field_validated() {
        let cases = [
            (
                "ASIAIOSFODNN7EXAMPLE",
                "AKIAIOSFODNN7EXAMPLE",
                "AccessKeyId",
            ),
            (
                "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY<",
                "<SecretAccessKey>short<",
                "SecretAccessKey",
            ),
            ("<SessionToken>AQoE", "<SessionToken>A Q", "SessionToken"),
            ("2011-07-11T19:55:29.611Z", "soon", "Expiration"),
            (
                "<AccessKeyId>",
                "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><AccessKeyId>",
                "more than one",
            ),
        ];
        for (from, to, named) in cases {
            let body = GST.replacen(from, to, 1);
            assert_ne!(body, GST);
            let e = parse_response::<GetSessionTokenResponse>(200, body.as_bytes()).unwrap_err();
            assert!(
                matches!(e, Error::MalformedResponse { .. }) && e.to_string().contains(named),
                "{named}: {e}"
            );
        }
    }

    #[test]
    fn error_response_typed() {
        let body = r#"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>abc</RequestId></ErrorResponse>"#;
        let Err(Error::Aws(e)) = parse_response::<CallerIdentity>(403, body.as_bytes()) else {
            panic!()
        };
        assert_eq!(e.code, "InvalidClientTokenId");
        assert_eq!(e.kind.as_deref(), Some("Sender"));
        assert_eq!(e.request_id.as_deref(), Some("abc"));
        assert!(!e.is_retryable());
        assert!(e.hint().is_some());
        let throttled = body.replace("InvalidClientTokenId", "Throttling");
        let Err(Error::Aws(e)) = parse_response::<CallerIdentity>(400, throttled.as_bytes()) else {
            panic!()
        };
        assert!(e.is_retryable());
    }

    /// Regression: moto (and some services) answer `<ErrorResponse><Errors><Error>…`; it was
    /// read as "an error answer without <Error>" (exit 4) instead of AWS's refusal (exit 1).
    #[test]
    fn error_response_with_errors_wrapper_as_moto_sends() {
        let body = r#"<?xml version="1.0" encoding="utf-8"?>
<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>"#;
        match parse_response::<GetSessionTokenResponse>(403, body.as_bytes()) {
            Err(Error::Aws(e)) => {
                assert_eq!(e.code, "SignatureDoesNotMatch");
                assert_eq!(e.kind.as_deref(), Some("Sender"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let big = vec![b' '; MAX_RESPONSE_BYTES + 1];
        for (status, body) in [
            (200, &b""[..]),
            (200, b"not xml"),
            (200, b"\xff\xfe"),
            (502, b"<html>Bad gateway</html>"),
            (200, b"<AssumeRoleResponse/>"),
            (200, b"<GetCallerIdentityResponse/>"),
            (
                200,
                b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><GetCallerIdentityResponse/>",
            ),
            (200, &big[..]),
        ] {
            let e = parse_response::<CallerIdentity>(status, body).unwrap_err();
            assert!(matches!(e, Error::MalformedResponse { .. }), "{e:?}");
        }
    }

    #[test]
    fn caller_identity_and_assume_role() {
        let body = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#;
        let id: CallerIdentity = parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(id.arn, "arn:aws:iam::123456789012:user/alice");
        let body = r#"<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/admin/me</Arn><AssumedRoleId>AROA3XFRBF535PLBIFPI4:me</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey><SessionToken>FQoGZXIvYXdzEBYaD+/=</SessionToken><Expiration>2026-12-01T23:17:23.123456Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"#;
        let r: AssumeRoleResponse = parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(
            r.assumed_role_arn,
            "arn:aws:sts::123456789012:assumed-role/admin/me"
        );
    }

    #[test]
    fn refresh_margin() {
        let exp = Timestamp::from_unix_seconds(10_000).unwrap();
        let c = SessionCredentials::new(
            "ASIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "tok",
            exp,
        )
        .unwrap();
        let at = |s| Timestamp::from_unix_seconds(s).unwrap();
        assert!(c.is_reusable(at(10_000 - 901)));
        assert!(!c.is_reusable(at(10_000 - 900)));
        assert!(!c.is_reusable(at(10_001)));
        assert_eq!(c.remaining_seconds(at(10_001)), -1);
    }
}
