//! Query API requests as data: an action and its parameters, form-encoded into a POST body and
//! signed with SigV4 for an [`Endpoint`]. The STS actions are typed structs; IAM actions add
//! their own the same way (a struct with a `to_query` and a response type).
//!
//! ```
//! use iamkit_aws::{Endpoint, GetSessionToken, MfaSerial, Service, TokenCode};
//! use iamkit_sigv4::{Credentials, Timestamp};
//!
//! let call = GetSessionToken::new()
//!     .duration_seconds(3600)?
//!     .mfa(MfaSerial::new("arn:aws:iam::123456789012:mfa/alice")?, TokenCode::new("123456")?);
//! let endpoint = Endpoint::resolve(Service::Sts, Some("us-east-1"), |_| None)?;
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let now = Timestamp::parse_amz_date("20260101T000000Z")?;
//! let signed = call.sign(&endpoint, &creds, now)?;
//! assert_eq!(signed.url(), "https://sts.us-east-1.amazonaws.com/");
//! assert_eq!(
//!     std::str::from_utf8(signed.body()).unwrap(),
//!     "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600\
//!      &SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456"
//! );
//! assert!(signed.header("authorization").unwrap().starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/aws4_request"));
//! // The code is a secret: Debug shows neither the body nor the signature.
//! assert!(!format!("{signed:?}").contains("123456&"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use iamkit_sigv4::{Credentials, Payload, Request, Signer, Timestamp};
use zeroize::Zeroizing;

use crate::rules::{
    ExternalId, MfaSerial, RoleArn, RoleSessionName, TokenCode, check_assume_role_duration,
    check_session_duration,
};
use crate::{Endpoint, Error, Service};

/// The `Content-Type` of every Query API request body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// One Query API call: service, action and parameters (values zeroized on drop: a parameter may
/// be an MFA code).
#[derive(Clone)]
pub struct QueryRequest {
    service: Service,
    action: &'static str,
    params: Vec<(&'static str, Zeroizing<String>)>,
}

impl fmt::Debug for QueryRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|(n, _)| *n).collect();
        f.debug_struct("QueryRequest")
            .field("service", &self.service)
            .field("action", &self.action)
            .field("params", &names)
            .finish()
    }
}

/// `application/x-www-form-urlencoded` with AWS's unreserved set (`A-Z a-z 0-9 - _ . ~`).
fn form_encode(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
}

impl QueryRequest {
    /// A call of `action` on `service` with no parameters yet.
    pub fn new(service: Service, action: &'static str) -> QueryRequest {
        QueryRequest {
            service,
            action,
            params: Vec::new(),
        }
    }

    /// Adds a parameter (already checked by the caller).
    pub fn param(mut self, name: &'static str, value: &str) -> QueryRequest {
        self.params.push((name, Zeroizing::new(value.to_owned())));
        self
    }

    /// The service.
    pub fn service(&self) -> Service {
        self.service
    }

    /// The action name (`GetSessionToken`).
    pub fn action(&self) -> &'static str {
        self.action
    }

    /// The form-encoded body: `Action`, `Version`, then the parameters in the order added.
    pub fn body(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(128));
        out.push_str("Action=");
        form_encode(&mut out, self.action);
        out.push_str("&Version=");
        out.push_str(self.service.api_version());
        for (name, value) in &self.params {
            out.push('&');
            form_encode(&mut out, name);
            out.push('=');
            form_encode(&mut out, value);
        }
        out
    }

    /// Signs the call for `endpoint` with `credentials` at `now`: a POST of the form body to the
    /// endpoint's URL, with `Content-Type`, `X-Amz-Date`, `X-Amz-Security-Token` (temporary
    /// credentials) and `Authorization`.
    ///
    /// # Errors
    ///
    /// `Error::Signing` when the request cannot be signed (e.g. credentials or endpoint that
    /// SigV4 refuses).
    pub fn sign(
        &self,
        endpoint: &Endpoint,
        credentials: &Credentials,
        now: Timestamp,
    ) -> Result<SignedRequest, Error> {
        if endpoint.service() != self.service {
            return Err(Error::InvalidEndpoint {
                url: endpoint.url().to_owned(),
                reason: "the endpoint is for another service",
            });
        }
        let body = self.body();
        let signer = Signer::new(endpoint.signing_region(), self.service.signing_name())?;
        let req = Request::from_url("POST", endpoint.url())?
            .header("content-type", FORM_CONTENT_TYPE)
            .payload(Payload::Bytes(body.as_bytes()));
        let out = signer.sign(&req, credentials, now)?;
        let mut headers: Vec<(&'static str, Zeroizing<String>)> =
            vec![("content-type", Zeroizing::new(FORM_CONTENT_TYPE.to_owned()))];
        headers.extend(
            out.headers()
                .map(|(n, v)| (n, Zeroizing::new(v.to_owned()))),
        );
        Ok(SignedRequest {
            action: self.action,
            url: endpoint.url().to_owned(),
            loopback: endpoint.is_loopback(),
            headers,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        })
    }
}

/// A signed request, ready to POST: URL, headers to send, body. `Debug` shows only the action,
/// URL and header names (the body may hold an MFA code, a header the session token).
#[derive(Clone)]
pub struct SignedRequest {
    action: &'static str,
    url: String,
    loopback: bool,
    headers: Vec<(&'static str, Zeroizing<String>)>,
    body: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| *n).collect();
        f.debug_struct("SignedRequest")
            .field("action", &self.action)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body", &"<redacted>")
            .finish()
    }
}

impl SignedRequest {
    /// The action (`GetSessionToken`).
    pub fn action(&self) -> &'static str {
        self.action
    }

    /// The URL to POST to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the URL's host is a loopback address.
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// The headers to send (lower-case names; `host` comes from the URL).
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.headers.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// One header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body to send.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// STS `GetSessionToken`: temporary credentials for the caller's long-term keys, with MFA when
/// a device serial and code are given.
#[derive(Debug, Clone, Default)]
pub struct GetSessionToken {
    duration_seconds: Option<u32>,
    mfa: Option<(MfaSerial, TokenCode)>,
}

impl GetSessionToken {
    /// A call with AWS's defaults (12 hours, no MFA).
    pub fn new() -> GetSessionToken {
        GetSessionToken::default()
    }

    /// The session length: 900 to 129600 seconds.
    ///
    /// # Errors
    ///
    /// `Error::InvalidParameter` when `seconds` is outside 900..=129600.
    pub fn duration_seconds(mut self, seconds: u32) -> Result<GetSessionToken, Error> {
        check_session_duration(seconds)?;
        self.duration_seconds = Some(seconds);
        Ok(self)
    }

    /// The MFA device's serial and a current code from it.
    pub fn mfa(mut self, serial: MfaSerial, code: TokenCode) -> GetSessionToken {
        self.mfa = Some((serial, code));
        self
    }

    /// The call as a [`QueryRequest`].
    pub fn to_query(&self) -> QueryRequest {
        let mut q = QueryRequest::new(Service::Sts, "GetSessionToken");
        if let Some(d) = self.duration_seconds {
            q = q.param("DurationSeconds", &d.to_string());
        }
        if let Some((serial, code)) = &self.mfa {
            q = q
                .param("SerialNumber", serial.as_str())
                .param("TokenCode", code.as_str());
        }
        q
    }

    /// Signs the call. [`Error::NeedsLongTermCredentials`] when `credentials` carry a session
    /// token (AWS refuses GetSessionToken with a session's credentials).
    ///
    /// # Errors
    ///
    /// `Error::NeedsLongTermCredentials` for a session's credentials, `Error::Signing` when
    /// SigV4 refuses the request.
    pub fn sign(
        &self,
        endpoint: &Endpoint,
        credentials: &Credentials,
        now: Timestamp,
    ) -> Result<SignedRequest, Error> {
        if credentials.session_token().is_some() {
            return Err(Error::NeedsLongTermCredentials);
        }
        self.to_query().sign(endpoint, credentials, now)
    }
}

/// STS `AssumeRole`.
#[derive(Debug, Clone)]
pub struct AssumeRole {
    role_arn: RoleArn,
    session_name: RoleSessionName,
    duration_seconds: Option<u32>,
    external_id: Option<ExternalId>,
    mfa: Option<(MfaSerial, TokenCode)>,
    chained: bool,
}

impl AssumeRole {
    /// A call to assume `role_arn` as `session_name` (AWS's default: 1 hour).
    pub fn new(role_arn: RoleArn, session_name: RoleSessionName) -> AssumeRole {
        AssumeRole {
            role_arn,
            session_name,
            duration_seconds: None,
            external_id: None,
            mfa: None,
            chained: false,
        }
    }

    /// The session length: 900 to 43200 seconds (at most 3600 when chaining, checked when
    /// signing).
    ///
    /// # Errors
    ///
    /// `Error::InvalidParameter` when `seconds` is outside 900..=43200.
    pub fn duration_seconds(mut self, seconds: u32) -> Result<AssumeRole, Error> {
        check_assume_role_duration(seconds, false)?;
        self.duration_seconds = Some(seconds);
        Ok(self)
    }

    /// The external ID the role's trust policy asks for.
    pub fn external_id(mut self, id: ExternalId) -> AssumeRole {
        self.external_id = Some(id);
        self
    }

    /// The MFA device's serial and a current code from it.
    pub fn mfa(mut self, serial: MfaSerial, code: TokenCode) -> AssumeRole {
        self.mfa = Some((serial, code));
        self
    }

    /// Whether the caller's credentials are another role's (role chaining: AWS caps the
    /// session at 1 hour).
    pub fn chained(mut self, chained: bool) -> AssumeRole {
        self.chained = chained;
        self
    }

    /// The call as a [`QueryRequest`], after checking the chaining cap.
    ///
    /// # Errors
    ///
    /// `Error::InvalidParameter` when the session would last more than 3600 seconds on chained
    /// credentials.
    pub fn to_query(&self) -> Result<QueryRequest, Error> {
        if let Some(d) = self.duration_seconds {
            check_assume_role_duration(d, self.chained)?;
        }
        let mut q = QueryRequest::new(Service::Sts, "AssumeRole")
            .param("RoleArn", self.role_arn.as_str())
            .param("RoleSessionName", self.session_name.as_str());
        if let Some(d) = self.duration_seconds {
            q = q.param("DurationSeconds", &d.to_string());
        }
        if let Some(id) = &self.external_id {
            q = q.param("ExternalId", id.as_str());
        }
        if let Some((serial, code)) = &self.mfa {
            q = q
                .param("SerialNumber", serial.as_str())
                .param("TokenCode", code.as_str());
        }
        Ok(q)
    }

    /// Signs the call.
    ///
    /// # Errors
    ///
    /// `Error::InvalidParameter` as [`Self::to_query`], `Error::Signing` when SigV4 refuses the
    /// request.
    pub fn sign(
        &self,
        endpoint: &Endpoint,
        credentials: &Credentials,
        now: Timestamp,
    ) -> Result<SignedRequest, Error> {
        self.to_query()?.sign(endpoint, credentials, now)
    }
}

/// STS `GetCallerIdentity`: who the credentials belong to.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetCallerIdentity;

impl GetCallerIdentity {
    /// The call as a [`QueryRequest`].
    pub fn to_query(&self) -> QueryRequest {
        QueryRequest::new(Service::Sts, "GetCallerIdentity")
    }

    /// Signs the call.
    ///
    /// # Errors
    ///
    /// `Error::Signing` when SigV4 refuses the request.
    pub fn sign(
        &self,
        endpoint: &Endpoint,
        credentials: &Credentials,
        now: Timestamp,
    ) -> Result<SignedRequest, Error> {
        self.to_query().sign(endpoint, credentials, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep() -> Endpoint {
        Endpoint::from_url(Service::Sts, "http://127.0.0.1:5000", "us-east-1").unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::parse_amz_date("20260101T000000Z").unwrap()
    }

    #[test]
    fn form_encoding_uses_aws_unreserved_set() {
        let q = QueryRequest::new(Service::Sts, "AssumeRole")
            .param("RoleSessionName", "a+b=c,d.e@f-g_h~i/ j");
        assert_eq!(
            q.body().as_str(),
            "Action=AssumeRole&Version=2011-06-15&RoleSessionName=a%2Bb%3Dc%2Cd.e%40f-g_h~i%2F%20j"
        );
    }

    #[test]
    fn get_session_token_refuses_session_credentials() {
        let creds = Credentials::new(
            "ASIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .with_session_token("token");
        assert_eq!(
            GetSessionToken::new()
                .sign(&ep(), &creds, now())
                .unwrap_err(),
            Error::NeedsLongTermCredentials
        );
    }

    #[test]
    fn assume_role_chaining_cap_checked_when_signing() {
        let call = AssumeRole::new(
            RoleArn::new("arn:aws:iam::123456789012:role/admin").unwrap(),
            RoleSessionName::new("me").unwrap(),
        )
        .duration_seconds(7200)
        .unwrap();
        let creds = Credentials::new(
            "ASIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .with_session_token("token");
        assert!(call.clone().sign(&ep(), &creds, now()).is_ok());
        assert!(call.chained(true).sign(&ep(), &creds, now()).is_err());
    }

    #[test]
    fn session_token_is_signed_as_header() {
        let creds = Credentials::new(
            "ASIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .with_session_token("tok");
        let s = GetCallerIdentity.sign(&ep(), &creds, now()).unwrap();
        assert_eq!(s.header("x-amz-security-token"), Some("tok"));
        assert!(
            s.header("authorization")
                .unwrap()
                .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token")
        );
        assert!(!format!("{s:?}").contains("tok\""));
    }

    #[test]
    fn endpoint_of_another_service_refused() {
        let iam = Endpoint::from_url(Service::Iam, "http://127.0.0.1:5000", "us-east-1").unwrap();
        let creds = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
        assert!(GetCallerIdentity.sign(&iam, &creds, now()).is_err());
    }
}
