//! The records iamkit stores: an MFA device and a set of AWS credentials (a cached session is in
//! `session.rs`).
//!
//! ```
//! use iamkit_keystore::{MfaDevice, OtpType};
//! let dev = MfaDevice::totp("alice@example.com", b"12345678901234567890".to_vec());
//! assert_eq!(dev.otp_type, OtpType::Totp);
//! assert!(!format!("{dev:?}").contains("12345678901234567890"));
//! ```
//!
//! Both are plain serde data. Inside a store each record is wrapped in an [`Envelope`] that
//! carries a format version, so a later iamkit can still read what an earlier one wrote.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The kind of one-time password an [`MfaDevice`] generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OtpType {
    /// Time-based (RFC 6238).
    Totp,
    /// Counter-based (RFC 4226).
    Hotp,
    /// Steam Guard (TOTP with Steam's 5-character alphabet).
    Steam,
}

/// A stored MFA device: the `otpauth` parameters, the secret, and the last time step a code
/// was printed for (so `mfa code --fresh` can wait for a new one).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDevice {
    /// TOTP, HOTP or Steam.
    pub otp_type: OtpType,
    /// The issuer (service name), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The account name.
    pub account: String,
    /// The HMAC algorithm name as in `otpauth` URIs: `"SHA1"`, `"SHA256"` or `"SHA512"`.
    pub algorithm: String,
    /// Number of digits in a code.
    pub digits: u32,
    /// TOTP period in seconds.
    pub period: u64,
    /// TOTP start time (Unix seconds).
    pub t0: u64,
    /// HOTP counter (next value to use).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<u64>,
    /// The shared secret (raw bytes). Serialized as unpadded base32.
    #[serde(with = "secret_b32")]
    pub secret: Zeroizing<Vec<u8>>,
    /// The last TOTP time step a code was printed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_printed_step: Option<u64>,
}

impl MfaDevice {
    /// A TOTP device with the usual defaults: SHA1, 6 digits, 30 s period, t0 = 0.
    pub fn totp(account: impl Into<String>, secret: Vec<u8>) -> Self {
        MfaDevice {
            otp_type: OtpType::Totp,
            issuer: None,
            account: account.into(),
            algorithm: "SHA1".to_owned(),
            digits: 6,
            period: 30,
            t0: 0,
            counter: None,
            secret: Zeroizing::new(secret),
            last_printed_step: None,
        }
    }
}

impl fmt::Debug for MfaDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaDevice")
            .field("otp_type", &self.otp_type)
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .field("t0", &self.t0)
            .field("counter", &self.counter)
            .field("secret", &"<redacted>")
            .field("last_printed_step", &self.last_printed_step)
            .finish()
    }
}

/// A stored set of AWS credentials.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsCredentials {
    /// The access key ID (`AKIA…`/`ASIA…`); not secret.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Zeroizing<String>,
    /// The session token of temporary credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<Zeroizing<String>>,
    /// When temporary credentials expire (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// The ARN of the MFA device to use with these credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
    /// The name of a stored [`MfaDevice`] to use with these credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_device: Option<String>,
    /// The default region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// How long MFA sessions made from these credentials last, in seconds (AWS's default when
    /// unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_duration: Option<u32>,
}

impl AwsCredentials {
    /// Long-term credentials: key ID and secret, nothing else.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        AwsCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Zeroizing::new(secret_access_key.into()),
            session_token: None,
            expiration: None,
            mfa_serial: None,
            mfa_device: None,
            region: None,
            session_duration: None,
        }
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .field("mfa_serial", &self.mfa_serial)
            .field("mfa_device", &self.mfa_device)
            .field("region", &self.region)
            .field("session_duration", &self.session_duration)
            .finish()
    }
}

/// The versioned wrapper every store writes: `{"v":1,"kind":"mfa","name":…,"mfa":{…}}`.
///
/// The name is inside so a record file renamed to another name is detected.
#[derive(Serialize, Deserialize)]
pub(crate) struct Envelope<T> {
    pub(crate) v: u32,
    pub(crate) kind: crate::RecordKind,
    pub(crate) name: String,
    pub(crate) record: T,
}

/// The current record format version.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Serialize `rec` as a versioned envelope (JSON bytes, zeroized on drop).
pub(crate) fn seal<T: Serialize>(
    kind: crate::RecordKind,
    name: &str,
    rec: &T,
) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    #[derive(Serialize)]
    struct Ref<'a, T> {
        v: u32,
        kind: crate::RecordKind,
        name: &'a str,
        record: &'a T,
    }
    let value = Ref {
        v: FORMAT_VERSION,
        kind,
        name,
        record: rec,
    };
    to_json_presized(&value)
}

/// `value` as JSON in a buffer allocated once at its exact size: a growing `Vec` would leave
/// copies of the secret in every buffer it outgrew, freed without being zeroized. Records are
/// written with it; callers printing secrets as JSON (`credential_process`) use it too.
///
/// # Errors
///
/// The serializer's error when `value` cannot be written as JSON (e.g. a map with non-string
/// keys).
pub fn to_json_presized<T: Serialize + ?Sized>(
    value: &T,
) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    /// Counts bytes, keeps none.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value)?;
    let mut buf = Zeroizing::new(Vec::with_capacity(count.0));
    serde_json::to_writer(&mut *buf, value)?;
    Ok(buf)
}

/// Parse a versioned envelope and check it is the record asked for.
/// The error string names what is wrong, never the content.
pub(crate) fn open<T: for<'de> Deserialize<'de>>(
    kind: crate::RecordKind,
    name: &str,
    bytes: &[u8],
) -> Result<T, String> {
    #[derive(Deserialize)]
    struct Head {
        v: u32,
    }
    let head: Head = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not an iamkit record (at line {} column {})",
            e.line(),
            e.column()
        )
    })?;
    if head.v != FORMAT_VERSION {
        return Err(format!(
            "record format version {} (this iamkit reads version {FORMAT_VERSION})",
            head.v
        ));
    }
    let env: Envelope<T> = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "malformed {kind} record (at line {} column {})",
            e.line(),
            e.column()
        )
    })?;
    if env.kind != kind || env.name != name {
        return Err(format!(
            "the entry for {kind} {name:?} holds the record of {} {:?}",
            env.kind, env.name
        ));
    }
    Ok(env.record)
}

mod secret_b32 {
    use data_encoding::BASE32_NOPAD;
    use serde::{Deserialize, Deserializer, Serializer};
    use zeroize::Zeroizing;

    pub(super) fn serialize<S: Serializer>(
        v: &Zeroizing<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let text = Zeroizing::new(BASE32_NOPAD.encode(v));
        s.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Zeroizing<Vec<u8>>, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        BASE32_NOPAD
            .decode(text.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| serde::de::Error::custom("secret is not unpadded base32"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AwsCredentials, RecordKind};

    /// Caught: `serde_json::to_vec` grew its buffer by reallocation, leaving unzeroized copies
    /// of the record (secret included) in the freed buffers.
    #[test]
    fn record_json_is_written_into_a_presized_buffer() {
        for n in [1, 40, 200, 5000] {
            let mut rec = AwsCredentials::new("AKIAIOSFODNN7EXAMPLE", "s".repeat(n));
            rec.session_token = Some(Zeroizing::new("t".repeat(3 * n)));
            let buf = seal(RecordKind::Creds, "dev", &rec).expect("serializes");
            assert_eq!(buf.capacity(), buf.len(), "secret of {n} bytes");
            let back: AwsCredentials = open(RecordKind::Creds, "dev", &buf).expect("parses");
            assert_eq!(back, rec);
        }
    }
}
