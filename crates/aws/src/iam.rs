//! The IAM Query API (version 2010-05-08) as data: the calls `iamkit mfa enroll/unenroll` and
//! `creds rotate` make, each a struct checked against IAM's rules before anything is sent, and
//! their answers parsed with every field checked.
//!
//! IAM is global per partition: [`Endpoint::resolve`]`(Service::Iam, …)` gives
//! `https://iam.amazonaws.com/` signed for `us-east-1` (`AWS_ENDPOINT_URL_IAM` >
//! `AWS_ENDPOINT_URL` first).
//!
//! ```
//! use iamkit_aws::{CreateVirtualMfaDevice, CreateVirtualMfaDeviceResponse, Endpoint, IamCall,
//!                  MfaDeviceName, Service, parse_response};
//! use iamkit_sigv4::{Credentials, Timestamp};
//!
//! let endpoint = Endpoint::resolve(Service::Iam, Some("eu-west-1"), |_| None)?;
//! assert_eq!(endpoint.url(), "https://iam.amazonaws.com/");
//! let call = CreateVirtualMfaDevice::new(MfaDeviceName::new("alice")?);
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let signed = call.sign(&endpoint, &creds, Timestamp::parse_amz_date("20260101T000000Z")?)?;
//! assert!(signed.header("authorization").unwrap().contains("/us-east-1/iam/aws4_request"));
//!
//! // The seed arrives base64-encoded (of the base32 text); it is decoded and kept zeroized.
//! let body = br#"<CreateVirtualMFADeviceResponse><CreateVirtualMFADeviceResult><VirtualMFADevice>
//!   <SerialNumber>arn:aws:iam::123456789012:mfa/alice</SerialNumber>
//!   <Base32StringSeed>R0VaREdOQlZHWTNUUU9KUUdFWkRHTkJWR1kzVFFPSlE=</Base32StringSeed>
//! </VirtualMFADevice></CreateVirtualMFADeviceResult></CreateVirtualMFADeviceResponse>"#;
//! let r: CreateVirtualMfaDeviceResponse = parse_response(200, body)?;
//! assert_eq!(r.serial_number.as_str(), "arn:aws:iam::123456789012:mfa/alice");
//! assert_eq!(r.seed.secret(), b"12345678901234567890");
//! assert!(!format!("{r:?}").contains("GEZDGNBV"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use data_encoding::{BASE32_NOPAD, BASE64};
use iamkit_sigv4::{Credentials, Timestamp};
use roxmltree::Node;
use zeroize::Zeroizing;

use crate::error::printable;
use crate::response::{QueryResponse, malformed, only_child, optional, required};
use crate::rules::{MfaSerial, TokenCode, checked_string};
use crate::{Endpoint, Error, QueryRequest, Service, SignedRequest};

/// AWS's limit of access keys per IAM user.
pub const MAX_ACCESS_KEYS_PER_USER: usize = 2;

/// An IAM call: a [`QueryRequest`] for IAM, signed like any other.
pub trait IamCall {
    /// The call as a [`QueryRequest`].
    fn to_query(&self) -> QueryRequest;

    /// Signs the call for an IAM `endpoint`.
    ///
    /// # Errors
    /// [`Error::Signing`] when SigV4 cannot sign the request.
    fn sign(
        &self,
        endpoint: &Endpoint,
        credentials: &Credentials,
        now: Timestamp,
    ) -> Result<SignedRequest, Error> {
        self.to_query().sign(endpoint, credentials, now)
    }
}

checked_string! {
    /// An IAM user name: 1 to 64 characters of `[\w+=,.@-]`.
    pub struct UserName(name: "UserName", 1..=64, "+=,.@-", "letters, digits and +=,.@_-");
    "a user name", "The name."
}

checked_string! {
    /// A virtual MFA device's name (`VirtualMFADeviceName`): 1 to 226 characters of `[\w+=,.@-]`.
    pub struct MfaDeviceName(name: "VirtualMFADeviceName", 1..=226, "+=,.@-", "letters, digits and +=,.@_-");
    "a device name", "The name."
}

/// An access key ID as IAM takes it: 16 to 128 upper-case letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// Checks and wraps a key ID.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the rule the key ID breaks.
    pub fn new(id: &str) -> Result<AccessKeyId, Error> {
        if key_id_ok(id) {
            Ok(AccessKeyId(id.to_owned()))
        } else {
            Err(Error::InvalidParameter {
                name: "AccessKeyId",
                reason: "expected 16 to 128 upper-case letters and digits (e.g. AKIA and 16 more)"
                    .to_owned(),
            })
        }
    }

    /// The key ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn key_id_ok(id: &str) -> bool {
    (16..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An access key's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyStatus {
    /// Usable.
    Active,
    /// Refused by AWS until made active again.
    Inactive,
}

impl KeyStatus {
    /// `Active` or `Inactive`, as IAM spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }

    fn parse(s: &str) -> Result<KeyStatus, Error> {
        match s {
            "Active" => Ok(KeyStatus::Active),
            "Inactive" => Ok(KeyStatus::Inactive),
            _ => Err(malformed("Status is not Active or Inactive")),
        }
    }
}

/// The query of IAM action `action`, naming `user` when there is one (IAM otherwise acts on the
/// caller's own user).
fn user_query(action: &'static str, user: Option<&UserName>) -> QueryRequest {
    let q = QueryRequest::new(Service::Iam, action);
    match user {
        Some(u) => q.param("UserName", u.as_str()),
        None => q,
    }
}

macro_rules! user_setter {
    () => {
        /// The IAM user (default: the caller's own user).
        pub fn user(mut self, user: UserName) -> Self {
            self.user = Some(user);
            self
        }
    };
}

/// An IAM call whose only parameter is the optional user (the caller's own user without it).
macro_rules! user_only_call {
    ($(#[$doc:meta])* $name:ident = $action:literal; $new_doc:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default)]
        pub struct $name {
            user: Option<UserName>,
        }

        impl $name {
            #[doc = $new_doc]
            pub fn new() -> $name {
                $name::default()
            }

            user_setter!();
        }

        impl IamCall for $name {
            fn to_query(&self) -> QueryRequest {
                user_query($action, self.user.as_ref())
            }
        }
    };
}

/// `CreateVirtualMFADevice`: a new virtual MFA device (not yet assigned to a user).
#[derive(Debug, Clone)]
pub struct CreateVirtualMfaDevice {
    name: MfaDeviceName,
}

impl CreateVirtualMfaDevice {
    /// A device named `name` (its serial is `arn:aws:iam::ACCOUNT:mfa/NAME`).
    pub fn new(name: MfaDeviceName) -> CreateVirtualMfaDevice {
        CreateVirtualMfaDevice { name }
    }
}

impl IamCall for CreateVirtualMfaDevice {
    fn to_query(&self) -> QueryRequest {
        QueryRequest::new(Service::Iam, "CreateVirtualMFADevice")
            .param("VirtualMFADeviceName", self.name.as_str())
    }
}

/// `EnableMFADevice`: assigns a device to a user, proven with two consecutive codes.
#[derive(Debug, Clone)]
pub struct EnableMfaDevice {
    user: UserName,
    serial: MfaSerial,
    code1: TokenCode,
    code2: TokenCode,
}

impl EnableMfaDevice {
    /// `code1` and `code2`: codes of two consecutive time steps, in order.
    pub fn new(
        user: UserName,
        serial: MfaSerial,
        code1: TokenCode,
        code2: TokenCode,
    ) -> EnableMfaDevice {
        EnableMfaDevice {
            user,
            serial,
            code1,
            code2,
        }
    }
}

impl IamCall for EnableMfaDevice {
    fn to_query(&self) -> QueryRequest {
        QueryRequest::new(Service::Iam, "EnableMFADevice")
            .param("UserName", self.user.as_str())
            .param("SerialNumber", self.serial.as_str())
            .param("AuthenticationCode1", self.code1.as_str())
            .param("AuthenticationCode2", self.code2.as_str())
    }
}

/// `DeactivateMFADevice`: detaches a device from a user.
#[derive(Debug, Clone)]
pub struct DeactivateMfaDevice {
    user: Option<UserName>,
    serial: MfaSerial,
}

impl DeactivateMfaDevice {
    /// Deactivates the device `serial`.
    pub fn new(serial: MfaSerial) -> DeactivateMfaDevice {
        DeactivateMfaDevice { user: None, serial }
    }

    user_setter!();
}

impl IamCall for DeactivateMfaDevice {
    fn to_query(&self) -> QueryRequest {
        user_query("DeactivateMFADevice", self.user.as_ref())
            .param("SerialNumber", self.serial.as_str())
    }
}

/// `DeleteVirtualMFADevice`: deletes a (deactivated) virtual device.
#[derive(Debug, Clone)]
pub struct DeleteVirtualMfaDevice {
    serial: MfaSerial,
}

impl DeleteVirtualMfaDevice {
    /// Deletes the device `serial`.
    pub fn new(serial: MfaSerial) -> DeleteVirtualMfaDevice {
        DeleteVirtualMfaDevice { serial }
    }
}

impl IamCall for DeleteVirtualMfaDevice {
    fn to_query(&self) -> QueryRequest {
        QueryRequest::new(Service::Iam, "DeleteVirtualMFADevice")
            .param("SerialNumber", self.serial.as_str())
    }
}

user_only_call! {
    /// `ListMFADevices`: the devices assigned to a user.
    ListMfaDevices = "ListMFADevices";
    "The caller's devices (or [`user`](Self::user)'s)."
}

user_only_call! {
    /// `CreateAccessKey`: a new access key (at most two per user).
    CreateAccessKey = "CreateAccessKey";
    "A key for the caller (or [`user`](Self::user))."
}

/// `DeleteAccessKey`.
#[derive(Debug, Clone)]
pub struct DeleteAccessKey {
    user: Option<UserName>,
    key: AccessKeyId,
}

impl DeleteAccessKey {
    /// Deletes `key`.
    pub fn new(key: AccessKeyId) -> DeleteAccessKey {
        DeleteAccessKey { user: None, key }
    }

    user_setter!();
}

impl IamCall for DeleteAccessKey {
    fn to_query(&self) -> QueryRequest {
        user_query("DeleteAccessKey", self.user.as_ref()).param("AccessKeyId", self.key.as_str())
    }
}

/// `UpdateAccessKey`: makes a key active or inactive.
#[derive(Debug, Clone)]
pub struct UpdateAccessKey {
    user: Option<UserName>,
    key: AccessKeyId,
    status: KeyStatus,
}

impl UpdateAccessKey {
    /// Sets `key`'s status.
    pub fn new(key: AccessKeyId, status: KeyStatus) -> UpdateAccessKey {
        UpdateAccessKey {
            user: None,
            key,
            status,
        }
    }

    user_setter!();
}

impl IamCall for UpdateAccessKey {
    fn to_query(&self) -> QueryRequest {
        user_query("UpdateAccessKey", self.user.as_ref())
            .param("AccessKeyId", self.key.as_str())
            .param("Status", self.status.as_str())
    }
}

user_only_call! {
    /// `ListAccessKeys`: a user's keys (IDs and status, never secrets).
    ListAccessKeys = "ListAccessKeys";
    "The caller's keys (or [`user`](Self::user)'s)."
}

user_only_call! {
    /// `GetUser`: who a user is (the caller without a user name; long-term keys need no MFA for it).
    GetUser = "GetUser";
    "The caller's user (or [`user`](Self::user))."
}

// --- Answers -------------------------------------------------------------------------------

fn check_serial(s: &str) -> Result<MfaSerial, Error> {
    MfaSerial::new(s)
        .map_err(|_| malformed("SerialNumber is not an MFA serial (9 to 256 of [\\w+=/:,.@-])"))
}

fn check_user_name(s: &str) -> Result<(), Error> {
    UserName::new(s)
        .map(|_| ())
        .map_err(|_| malformed("UserName is not an IAM user name"))
}

/// A virtual MFA device's seed: the base32 secret AWS generated, decoded from the base64 it
/// travels in. Zeroized on drop; `Debug` shows nothing; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaSeed {
    secret: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for MfaSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MfaSeed(<redacted>)")
    }
}

impl MfaSeed {
    /// Decodes `Base32StringSeed` as AWS sends it: base64 of the base32 text (16 to 128
    /// characters of `[A-Z2-7]`, `=` padding allowed). Errors never quote the input.
    ///
    /// # Errors
    /// [`Error::MalformedResponse`] when the text is not base64 of a base32 seed of that length.
    pub fn from_base64(text: &str) -> Result<MfaSeed, Error> {
        let text = text.trim().as_bytes();
        let bad_b64 = || malformed("Base32StringSeed is not base64");
        let len = BASE64.decode_len(text.len()).map_err(|_| bad_b64())?;
        let mut b32 = Zeroizing::new(vec![0u8; len]);
        let n = BASE64.decode_mut(text, &mut b32).map_err(|_| bad_b64())?;
        b32.truncate(n);
        let unpadded_len = b32.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
        let body = &b32[..unpadded_len];
        let shape_ok = (16..=128).contains(&body.len())
            && body
                .iter()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(b))
            && b32[unpadded_len..].len() < 8;
        if !shape_ok {
            return Err(malformed(
                "Base32StringSeed does not decode to 16 to 128 base32 characters",
            ));
        }
        let len = BASE32_NOPAD
            .decode_len(body.len())
            .map_err(|_| malformed("Base32StringSeed has a base32 length no secret has"))?;
        let mut secret = Zeroizing::new(vec![0u8; len]);
        let n = BASE32_NOPAD
            .decode_mut(body, &mut secret)
            .map_err(|_| malformed("Base32StringSeed is not valid base32"))?;
        secret.truncate(n);
        Ok(MfaSeed { secret })
    }

    /// The secret's bytes (what TOTP keys its HMAC with).
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

/// The answer to `CreateVirtualMFADevice`. The QR code PNG AWS also sends is not kept (it
/// holds the same seed; iamkit draws its own).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateVirtualMfaDeviceResponse {
    /// The device's serial: `arn:aws:iam::ACCOUNT:mfa/NAME`.
    pub serial_number: MfaSerial,
    /// The seed.
    pub seed: MfaSeed,
}

impl QueryResponse for CreateVirtualMfaDeviceResponse {
    const ACTION: &'static str = "CreateVirtualMFADevice";

    fn from_result(result: Node<'_, '_>, _request_id: Option<&str>) -> Result<Self, Error> {
        let dev = only_child(result, "VirtualMFADevice")?
            .ok_or_else(|| malformed("no <VirtualMFADevice> in <CreateVirtualMFADeviceResult>"))?;
        let serial_number = check_serial(&required(dev, "SerialNumber")?)?;
        let seed = Zeroizing::new(required(dev, "Base32StringSeed")?);
        Ok(CreateVirtualMfaDeviceResponse {
            serial_number,
            seed: MfaSeed::from_base64(&seed)?,
        })
    }
}

macro_rules! empty_response {
    ($(#[$doc:meta])* $name:ident, $action:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// AWS's request ID.
            pub request_id: Option<String>,
        }

        impl QueryResponse for $name {
            const ACTION: &'static str = $action;
            const HAS_RESULT: bool = false;

            fn from_result(_: Node<'_, '_>, request_id: Option<&str>) -> Result<Self, Error> {
                Ok($name {
                    request_id: request_id.map(str::to_owned),
                })
            }
        }
    };
}

empty_response!(
    /// The (empty) answer to `EnableMFADevice`.
    EnableMfaDeviceResponse,
    "EnableMFADevice"
);
empty_response!(
    /// The (empty) answer to `DeactivateMFADevice`.
    DeactivateMfaDeviceResponse,
    "DeactivateMFADevice"
);
empty_response!(
    /// The (empty) answer to `DeleteVirtualMFADevice`.
    DeleteVirtualMfaDeviceResponse,
    "DeleteVirtualMFADevice"
);
empty_response!(
    /// The (empty) answer to `DeleteAccessKey`.
    DeleteAccessKeyResponse,
    "DeleteAccessKey"
);
empty_response!(
    /// The (empty) answer to `UpdateAccessKey`.
    UpdateAccessKeyResponse,
    "UpdateAccessKey"
);

/// One MFA device of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MfaDeviceInfo {
    /// The user.
    pub user_name: Option<String>,
    /// The device's serial.
    pub serial_number: MfaSerial,
}

/// The answer to `ListMFADevices`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListMfaDevicesResponse {
    /// The devices.
    pub devices: Vec<MfaDeviceInfo>,
    /// Whether more devices exist than listed.
    pub is_truncated: bool,
}

fn members<'a, 'i>(
    n: Node<'a, 'i>,
    list: &str,
) -> Result<impl Iterator<Item = Node<'a, 'i>>, Error> {
    let l = only_child(n, list)?;
    Ok(l.into_iter().flat_map(|l| {
        l.children()
            .filter(|c| c.is_element() && c.tag_name().name() == "member")
    }))
}

fn truncated(result: Node<'_, '_>) -> Result<bool, Error> {
    match optional(result, "IsTruncated")?.as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(malformed("IsTruncated is not true or false")),
    }
}

impl QueryResponse for ListMfaDevicesResponse {
    const ACTION: &'static str = "ListMFADevices";

    fn from_result(result: Node<'_, '_>, _request_id: Option<&str>) -> Result<Self, Error> {
        let mut devices = Vec::new();
        for m in members(result, "MFADevices")? {
            let serial_number = check_serial(&required(m, "SerialNumber")?)?;
            let user_name = optional(m, "UserName")?;
            if let Some(u) = &user_name {
                check_user_name(u)?;
            }
            devices.push(MfaDeviceInfo {
                user_name,
                serial_number,
            });
        }
        Ok(ListMfaDevicesResponse {
            devices,
            is_truncated: truncated(result)?,
        })
    }
}

/// A new access key: its ID, secret and status. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewAccessKey {
    /// The user it belongs to.
    pub user_name: String,
    /// The key ID (`AKIA…`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Zeroizing<String>,
    /// Its status (new keys are active).
    pub status: KeyStatus,
}

impl fmt::Debug for NewAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccessKey")
            .field("user_name", &self.user_name)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("status", &self.status)
            .finish()
    }
}

/// The answer to `CreateAccessKey`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateAccessKeyResponse {
    /// The key.
    pub access_key: NewAccessKey,
}

impl QueryResponse for CreateAccessKeyResponse {
    const ACTION: &'static str = "CreateAccessKey";

    fn from_result(result: Node<'_, '_>, _request_id: Option<&str>) -> Result<Self, Error> {
        let k = only_child(result, "AccessKey")?
            .ok_or_else(|| malformed("no <AccessKey> in <CreateAccessKeyResult>"))?;
        let user_name = required(k, "UserName")?;
        check_user_name(&user_name)?;
        let access_key_id = required(k, "AccessKeyId")?;
        if !key_id_ok(&access_key_id) {
            return Err(malformed(
                "AccessKeyId is not 16 to 128 upper-case letters and digits",
            ));
        }
        let secret = Zeroizing::new(required(k, "SecretAccessKey")?);
        let secret_ok = secret.len() == 40
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        if !secret_ok {
            return Err(malformed(
                "SecretAccessKey is not 40 characters of letters, digits, '+' and '/'",
            ));
        }
        let status = KeyStatus::parse(&required(k, "Status")?)?;
        Ok(CreateAccessKeyResponse {
            access_key: NewAccessKey {
                user_name,
                access_key_id,
                secret_access_key: secret,
                status,
            },
        })
    }
}

/// One access key of a user (no secret: IAM never sends it again).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessKeyMetadata {
    /// The key ID.
    pub access_key_id: String,
    /// Its status.
    pub status: KeyStatus,
    /// When it was created, as IAM wrote it.
    pub create_date: Option<String>,
}

/// The answer to `ListAccessKeys`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListAccessKeysResponse {
    /// The user.
    pub user_name: Option<String>,
    /// The keys.
    pub keys: Vec<AccessKeyMetadata>,
    /// Whether more keys exist than listed.
    pub is_truncated: bool,
}

impl QueryResponse for ListAccessKeysResponse {
    const ACTION: &'static str = "ListAccessKeys";

    fn from_result(result: Node<'_, '_>, _request_id: Option<&str>) -> Result<Self, Error> {
        let user_name = optional(result, "UserName")?;
        if let Some(u) = &user_name {
            check_user_name(u)?;
        }
        let mut keys = Vec::new();
        for m in members(result, "AccessKeyMetadata")? {
            let access_key_id = required(m, "AccessKeyId")?;
            if !key_id_ok(&access_key_id) {
                return Err(malformed(
                    "AccessKeyId is not 16 to 128 upper-case letters and digits",
                ));
            }
            let status = KeyStatus::parse(&required(m, "Status")?)?;
            let create_date = optional(m, "CreateDate")?.map(|d| printable(&d, 40));
            keys.push(AccessKeyMetadata {
                access_key_id,
                status,
                create_date,
            });
        }
        Ok(ListAccessKeysResponse {
            user_name,
            keys,
            is_truncated: truncated(result)?,
        })
    }
}

/// The answer to `GetUser`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUserResponse {
    /// The user name.
    pub user_name: String,
    /// The user's ARN.
    pub arn: String,
    /// The unique ID (`AIDA…`).
    pub user_id: String,
}

impl QueryResponse for GetUserResponse {
    const ACTION: &'static str = "GetUser";

    fn from_result(result: Node<'_, '_>, _request_id: Option<&str>) -> Result<Self, Error> {
        let u =
            only_child(result, "User")?.ok_or_else(|| malformed("no <User> in <GetUserResult>"))?;
        let user_name = required(u, "UserName")?;
        check_user_name(&user_name)?;
        let arn = required(u, "Arn")?;
        if !arn.starts_with("arn:") || arn.len() > 2048 || arn.chars().any(char::is_whitespace) {
            return Err(malformed("Arn is not an ARN"));
        }
        let user_id = required(u, "UserId")?;
        if user_id.is_empty() || user_id.len() > 128 {
            return Err(malformed("UserId is empty or too long"));
        }
        Ok(GetUserResponse {
            user_name,
            arn,
            user_id,
        })
    }
}

// --- Rules over answers --------------------------------------------------------------------

/// What rotating `current` needs, from the user's `ListAccessKeys`: checked before
/// `CreateAccessKey` so a refused rotation changes nothing.
///
/// - `current` must be one of the user's keys and active (an inactive key cannot sign the
///   calls, nor is it worth keeping);
/// - a second key of the user means AWS's two-key limit is reached:
///   [`Error::AccessKeyLimit`] names that other key (and whether it is inactive), so the
///   person can delete it.
///
/// # Errors
/// [`Error::AccessKeyLimit`] as above; [`Error::InvalidParameter`] when `current` is not
/// among `keys` or is inactive.
pub fn check_rotation(keys: &ListAccessKeysResponse, current: &str) -> Result<(), Error> {
    let user = keys.user_name.clone().unwrap_or_default();
    let Some(cur) = keys.keys.iter().find(|k| k.access_key_id == current) else {
        return Err(Error::InvalidParameter {
            name: "AccessKeyId",
            reason: format!(
                "the stored key is not one of {} access keys (expected the key of the user rotating it)",
                if user.is_empty() {
                    "the caller's".to_owned()
                } else {
                    format!("user {user}'s")
                }
            ),
        });
    };
    if cur.status == KeyStatus::Inactive {
        return Err(Error::InvalidParameter {
            name: "AccessKeyId",
            reason: "the stored key is inactive in IAM (expected an active key: make it active with UpdateAccessKey, or store a working key)".to_owned(),
        });
    }
    if keys.keys.len() >= MAX_ACCESS_KEYS_PER_USER {
        let other = keys
            .keys
            .iter()
            .find(|k| k.access_key_id != current)
            .cloned();
        if let Some(other) = other {
            return Err(Error::AccessKeyLimit {
                user,
                other_key_id: other.access_key_id,
                other_status: other.status,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_response;

    fn ep() -> Endpoint {
        Endpoint::from_url(Service::Iam, "http://127.0.0.1:5000", "us-east-1").unwrap()
    }

    #[test]
    fn requests_as_iam_expects_them() {
        let user = UserName::new("alice").unwrap();
        let serial = MfaSerial::new("arn:aws:iam::123456789012:mfa/alice").unwrap();
        let q = EnableMfaDevice::new(
            user.clone(),
            serial.clone(),
            TokenCode::new("123456").unwrap(),
            TokenCode::new("654321").unwrap(),
        )
        .to_query();
        assert_eq!(
            q.body().as_str(),
            "Action=EnableMFADevice&Version=2010-05-08&UserName=alice\
             &SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice\
             &AuthenticationCode1=123456&AuthenticationCode2=654321"
        );
        assert!(!format!("{q:?}").contains("123456"));
        let q = DeleteAccessKey::new(AccessKeyId::new("AKIAIOSFODNN7EXAMPLE").unwrap())
            .user(user)
            .to_query();
        assert_eq!(
            q.body().as_str(),
            "Action=DeleteAccessKey&Version=2010-05-08&UserName=alice&AccessKeyId=AKIAIOSFODNN7EXAMPLE"
        );
        let s = ListAccessKeys::new()
            .sign(
                &ep(),
                &Credentials::new("AKIAIOSFODNN7EXAMPLE", "x"),
                Timestamp::parse_amz_date("20260101T000000Z").unwrap(),
            )
            .unwrap();
        assert!(
            s.header("authorization")
                .unwrap()
                .contains("/20260101/us-east-1/iam/aws4_request")
        );
    }

    #[test]
    fn names_checked_before_sending() {
        assert!(UserName::new("alice@example.com").is_ok());
        assert!(UserName::new("").is_err());
        assert!(UserName::new(&"a".repeat(65)).is_err());
        assert!(UserName::new("a b").is_err());
        assert!(MfaDeviceName::new("alice/phone").is_err());
        assert!(MfaDeviceName::new(&"d".repeat(226)).is_ok());
        assert!(AccessKeyId::new("akiaiosfodnn7example").is_err());
        assert!(AccessKeyId::new("AKIA123").is_err());
    }

    /// The seed as AWS sends it: base64 of the base32 text. Decoding the base64 and using it as
    /// the secret directly (or using the base32 text's bytes) would give other codes.
    #[test]
    fn seed_is_base64_of_base32() {
        let b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let s = MfaSeed::from_base64(&BASE64.encode(b32.as_bytes())).unwrap();
        assert_eq!(s.secret(), b"12345678901234567890");
        // Padded base32 (AWS's own seeds are 64 characters, unpadded; others pad).
        let s = MfaSeed::from_base64(&BASE64.encode(b"GEZDGNBVGY3TQOJQGE======")).unwrap();
        assert_eq!(s.secret(), b"12345678901");
        for bad in [
            "not base64!",
            &BASE64.encode(b"lowercase-not-base32-but-long-enough"),
            &BASE64.encode(b"GEZDGNBV"),
            &BASE64.encode(&[0xff; 40]),
            &BASE64.encode(b32.as_bytes())[1..],
        ] {
            let e = MfaSeed::from_base64(bad).unwrap_err();
            assert!(matches!(e, Error::MalformedResponse { .. }), "{e:?}");
            assert!(!e.to_string().contains("GEZDGNBV"));
        }
        assert_eq!(format!("{s:?}"), "MfaSeed(<redacted>)");
    }

    #[test]
    fn answers_parsed_and_checked() {
        let body = r#"<CreateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateAccessKeyResult><AccessKey><UserName>alice</UserName><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><Status>Active</Status><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey><CreateDate>2026-01-01T00:00:00Z</CreateDate></AccessKey></CreateAccessKeyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateAccessKeyResponse>"#;
        let r: CreateAccessKeyResponse = parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(r.access_key.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(r.access_key.status, KeyStatus::Active);
        assert!(!format!("{r:?}").contains("wJalr"));
        let short = body.replace("EXAMPLEKEY<", "<");
        assert!(parse_response::<CreateAccessKeyResponse>(200, short.as_bytes()).is_err());

        // Empty answers have no <…Result>.
        let body = r#"<DeleteAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>7a62c49f</RequestId></ResponseMetadata></DeleteAccessKeyResponse>"#;
        let r: DeleteAccessKeyResponse = parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(r.request_id.as_deref(), Some("7a62c49f"));
        assert!(parse_response::<EnableMfaDeviceResponse>(200, body.as_bytes()).is_err());

        let body = r#"<ListMFADevicesResponse><ListMFADevicesResult><MFADevices><member><UserName>alice</UserName><SerialNumber>arn:aws:iam::123456789012:mfa/alice</SerialNumber><EnableDate>2026-01-01T00:00:00Z</EnableDate></member></MFADevices><IsTruncated>false</IsTruncated></ListMFADevicesResult></ListMFADevicesResponse>"#;
        let r: ListMfaDevicesResponse = parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(r.devices.len(), 1);
        assert_eq!(
            r.devices[0].serial_number.as_str(),
            "arn:aws:iam::123456789012:mfa/alice"
        );
        let body = r#"<GetUserResponse><GetUserResult><User><UserName>alice</UserName><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Path>/</Path></User></GetUserResult></GetUserResponse>"#;
        let r: GetUserResponse = parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(r.user_name, "alice");
    }

    /// IAM refusals are typed with IAM's codes.
    #[test]
    fn iam_errors_typed() {
        for (code, status) in [
            ("EntityAlreadyExists", 409),
            ("LimitExceeded", 409),
            ("AccessDenied", 403),
            ("NoSuchEntity", 404),
        ] {
            let body = format!(
                r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error><RequestId>x</RequestId></ErrorResponse>"#
            );
            match parse_response::<CreateVirtualMfaDeviceResponse>(status, body.as_bytes()) {
                Err(Error::Aws(e)) => {
                    assert_eq!(e.code, code);
                    assert!(!e.is_retryable());
                }
                other => panic!("{other:?}"),
            }
        }
    }

    fn keys(list: &[(&str, &str)]) -> ListAccessKeysResponse {
        let members: String = list
            .iter()
            .map(|(id, st)| {
                format!(
                    "<member><UserName>alice</UserName><AccessKeyId>{id}</AccessKeyId><Status>{st}</Status><CreateDate>2026-01-01T00:00:00Z</CreateDate></member>"
                )
            })
            .collect();
        let body = format!(
            "<ListAccessKeysResponse><ListAccessKeysResult><UserName>alice</UserName><AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>"
        );
        parse_response(200, body.as_bytes()).unwrap()
    }

    /// AWS's two-key limit (moto's wording differs, and moto creates no inactive keys): the
    /// message names the other key and its status, before anything is created.
    #[test]
    fn two_key_limit_names_the_other_key() {
        const CUR: &str = "AKIAAAAAAAAAAAAAAAAA";
        const OTHER: &str = "AKIABBBBBBBBBBBBBBBB";
        assert_eq!(check_rotation(&keys(&[(CUR, "Active")]), CUR), Ok(()));
        let e = check_rotation(&keys(&[(CUR, "Active"), (OTHER, "Inactive")]), CUR).unwrap_err();
        assert_eq!(
            e,
            Error::AccessKeyLimit {
                user: "alice".into(),
                other_key_id: OTHER.into(),
                other_status: KeyStatus::Inactive,
            }
        );
        let text = e.to_string();
        assert!(
            text.contains(OTHER) && text.contains("inactive") && text.contains("two"),
            "{text}"
        );
        let e = check_rotation(&keys(&[(OTHER, "Active"), (CUR, "Active")]), CUR).unwrap_err();
        assert!(e.to_string().contains(OTHER));
        // The stored key inactive, or not the user's at all.
        let e = check_rotation(&keys(&[(CUR, "Inactive")]), CUR).unwrap_err();
        assert!(e.to_string().contains("inactive"), "{e}");
        let e = check_rotation(&keys(&[(OTHER, "Active")]), CUR).unwrap_err();
        assert!(e.to_string().contains("not one of user alice's"), "{e}");
        // Unknown status values are a malformed answer, not a guess.
        let body = "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><AccessKeyId>AKIAAAAAAAAAAAAAAAAA</AccessKeyId><Status>Expired</Status></member></AccessKeyMetadata></ListAccessKeysResult></ListAccessKeysResponse>";
        assert!(matches!(
            parse_response::<ListAccessKeysResponse>(200, body.as_bytes()),
            Err(Error::MalformedResponse { .. })
        ));
    }
}
