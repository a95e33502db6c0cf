//! The records iamkit stores: an MFA device and a set of AWS credentials (a cached session is in
//! `session.rs`).
//!
//! ```
//! use iamkit_keystore::MfaDevice;
//! use iamkit_otp::Kind;
//! let dev = MfaDevice::totp("alice@example.com", b"12345678901234567890".to_vec());
//! assert_eq!(dev.kind(), Kind::Totp);
//! assert!(!format!("{dev:?}").contains("12345678901234567890"));
//! ```
//!
//! Both are plain serde data. Inside a store each record is wrapped in an [`Envelope`] that
//! carries a format version, so a later iamkit can still read what an earlier one wrote.

use std::fmt;

use iamkit_otp::{Algorithm, Kind, Params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// A stored MFA device: the OTP parameters, the label, the secret, the HOTP counter, and the
/// last time step a code was printed for (so `mfa code --fresh` can wait for a new one).
///
/// Stored as it always was: `otp_type`, `algorithm`, `digits`, `period` and `t0` as separate
/// fields (`"totp"`, `"SHA1"`, 6, 30, 0), read back into a checked [`Params`]; a stored value
/// outside what `iamkit-otp` accepts is an error naming the field.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "MfaWire<StoredSecret>")]
pub struct MfaDevice {
    /// Kind, algorithm, digits, period and T0.
    pub params: Params,
    /// The issuer (service name), if known.
    pub issuer: Option<String>,
    /// The account name.
    pub account: String,
    /// HOTP counter (next value to use).
    pub counter: Option<u64>,
    /// The shared secret (raw bytes). Serialized as unpadded base32.
    pub secret: Zeroizing<Vec<u8>>,
    /// The last TOTP time step a code was printed for.
    pub last_printed_step: Option<u64>,
    /// The device's MFA serial number as AWS knows it (`arn:aws:iam::ACCOUNT:mfa/NAME`, or a
    /// hardware token's serial), sent beside its codes. Records written before this field
    /// existed read as `None`.
    pub serial: Option<String>,
}

impl MfaDevice {
    /// A TOTP device with the defaults of [`Params`]: SHA1, 6 digits, 30 s period, t0 = 0.
    pub fn totp(account: impl Into<String>, secret: Vec<u8>) -> Self {
        MfaDevice {
            params: Params::default(),
            issuer: None,
            account: account.into(),
            counter: None,
            secret: Zeroizing::new(secret),
            last_printed_step: None,
            serial: None,
        }
    }

    /// TOTP, HOTP or Steam.
    pub fn kind(&self) -> Kind {
        self.params.kind()
    }
}

impl fmt::Debug for MfaDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaDevice")
            .field("params", &self.params)
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .field("counter", &self.counter)
            .field("secret", &"<redacted>")
            .field("last_printed_step", &self.last_printed_step)
            .field("serial", &self.serial)
            .finish()
    }
}

/// The start of every error message about a stored value this crate checks itself (never the
/// secret): [`open`] passes such messages on, and only those.
const INVALID_STORED: &str = "invalid stored ";

/// [`MfaDevice`] as stored: the parameters as plain fields (the format since version 1).
#[derive(Serialize, Deserialize)]
struct MfaWire<S> {
    otp_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    account: String,
    algorithm: String,
    digits: u32,
    period: u64,
    t0: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
    secret: S,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_printed_step: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    serial: Option<String>,
}

/// The stored secret, read: base32 text decoded into a wiped buffer.
#[derive(Deserialize)]
#[serde(transparent)]
struct StoredSecret(#[serde(with = "secret_b32")] Zeroizing<Vec<u8>>);

impl TryFrom<MfaWire<StoredSecret>> for MfaDevice {
    type Error = String;

    fn try_from(w: MfaWire<StoredSecret>) -> Result<MfaDevice, String> {
        let kind: Kind = w.otp_type.parse().map_err(|_| {
            format!(
                "{INVALID_STORED}otp_type {:?} (expected totp, hotp or steam)",
                excerpt(&w.otp_type)
            )
        })?;
        let algorithm: Algorithm = w.algorithm.parse().map_err(|_| {
            format!(
                "{INVALID_STORED}algorithm {:?} (expected SHA1, SHA256 or SHA512)",
                excerpt(&w.algorithm)
            )
        })?;
        let params = Params::builder(kind)
            .algorithm(algorithm)
            .digits(w.digits)
            .period(w.period)
            .t0(w.t0)
            .build()
            .map_err(|e| format!("{INVALID_STORED}OTP parameters: {e}"))?;
        Ok(MfaDevice {
            params,
            issuer: w.issuer,
            account: w.account,
            counter: w.counter,
            secret: w.secret.0,
            last_printed_step: w.last_printed_step,
            serial: w.serial,
        })
    }
}

impl Serialize for MfaDevice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// The secret, written as base32 from the borrowed bytes.
        struct Secret<'a>(&'a Zeroizing<Vec<u8>>);
        impl Serialize for Secret<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                secret_b32::serialize(self.0, s)
            }
        }
        let p = &self.params;
        MfaWire {
            otp_type: p.kind().as_str().to_owned(),
            issuer: self.issuer.clone(),
            account: self.account.clone(),
            algorithm: p.algorithm().as_str().to_owned(),
            digits: p.digits(),
            period: p.period(),
            t0: p.t0(),
            counter: self.counter,
            secret: Secret(&self.secret),
            last_printed_step: self.last_printed_step,
            serial: self.serial.clone(),
        }
        .serialize(s)
    }
}

/// At most 32 characters of a stored value, for an error message.
fn excerpt(s: &str) -> String {
    s.chars().take(32).collect()
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
    /// When temporary credentials expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Expiration>,
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
    /// A key rotation in progress (`creds rotate`): kept until the old key is deleted in IAM
    /// and the new one has taken its place in this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<KeyRotation>,
}

/// A key rotation in progress: what `creds rotate` needs to finish it after an interruption.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRotation {
    /// The IAM user whose key is rotated.
    pub user_name: String,
    /// The user's key IDs before the new key was asked for (a key not among them and not
    /// stored here was created by an interrupted rotation, whose secret was never stored).
    pub keys_before: Vec<String>,
    /// The new key's ID, once IAM made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_access_key_id: Option<String>,
    /// The new key's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_secret_access_key: Option<Zeroizing<String>>,
}

impl fmt::Debug for KeyRotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRotation")
            .field("user_name", &self.user_name)
            .field("keys_before", &self.keys_before)
            .field("new_access_key_id", &self.new_access_key_id)
            .field(
                "new_secret_access_key",
                &self.new_secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
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
            rotation: None,
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
            .field("rotation", &self.rotation)
            .finish()
    }
}

/// When temporary credentials expire: a UTC time in whole seconds, stored as RFC 3339 with a
/// `Z` (`2026-01-02T03:04:05Z`, what AWS SDKs expect). `Display` writes that form.
///
/// ```
/// use iamkit_keystore::Expiration;
/// let e = Expiration::parse_rfc3339("2030-01-02T05:04:05.25+02:00")?;
/// assert_eq!(e.to_string(), "2030-01-02T03:04:05Z");
/// assert!(!e.is_past(e.unix_seconds() - 1) && e.is_past(e.unix_seconds()));
/// # Ok::<(), iamkit_keystore::InvalidExpiration>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expiration(time::OffsetDateTime);

/// Text that is not an RFC 3339 time (or one outside the years 0 to 9999).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidExpiration {
    /// At most 40 characters of the text given.
    pub text: String,
}

impl fmt::Display for InvalidExpiration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid expiration {:?} (expected RFC 3339, e.g. 2026-01-02T03:04:05Z)",
            self.text
        )
    }
}

impl std::error::Error for InvalidExpiration {}

impl Expiration {
    /// Parses RFC 3339 with any offset; the result is in UTC, fractional seconds dropped.
    ///
    /// # Errors
    /// [`InvalidExpiration`] quoting at most 40 characters of `text`.
    pub fn parse_rfc3339(text: &str) -> Result<Expiration, InvalidExpiration> {
        use time::format_description::well_known::Rfc3339;
        let bad = || InvalidExpiration {
            text: text.chars().take(40).collect(),
        };
        let t = time::OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| bad())?;
        let t = t.to_offset(time::UtcOffset::UTC);
        let t = t.replace_nanosecond(0).map_err(|_| bad())?;
        // Only times that format back as RFC 3339 (years 0 to 9999).
        t.format(&Rfc3339).map_err(|_| bad())?;
        Ok(Expiration(t))
    }

    /// The time `seconds` after the Unix epoch (what an STS answer's parsed expiry gives).
    ///
    /// # Errors
    /// [`InvalidExpiration`] for a time outside the years 0 to 9999.
    pub fn from_unix_seconds(seconds: i64) -> Result<Expiration, InvalidExpiration> {
        use time::format_description::well_known::Rfc3339;
        let bad = || InvalidExpiration {
            text: format!("{seconds} seconds after 1970"),
        };
        let t = time::OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| bad())?;
        t.format(&Rfc3339).map_err(|_| bad())?;
        Ok(Expiration(t))
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Whether it has passed at `now` (Unix seconds): expired at or before `now`.
    pub fn is_past(&self, now: i64) -> bool {
        self.unix_seconds() <= now
    }
}

impl fmt::Display for Expiration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use time::format_description::well_known::Rfc3339;
        // Checked to format when made.
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for Expiration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expiration({self})")
    }
}

impl Serialize for Expiration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Expiration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Expiration, D::Error> {
        let text = String::deserialize(d)?;
        Expiration::parse_rfc3339(&text)
            .map_err(|e| serde::de::Error::custom(format!("{INVALID_STORED}expiration: {e}")))
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
        // serde_json's own messages may quote the data; only this crate's checks are passed on.
        let msg = e.to_string();
        match msg.strip_prefix(INVALID_STORED) {
            Some(_) if e.is_data() => format!("malformed {kind} record: {msg}"),
            _ => format!(
                "malformed {kind} record (at line {} column {})",
                e.line(),
                e.column()
            ),
        }
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

    /// A rotation in progress is stored with the record, its new secret never in `Debug`.
    #[test]
    fn rotation_state_round_trips_and_is_redacted() {
        let mut rec = AwsCredentials::new("AKIAIOSFODNN7EXAMPLE", "old-secret");
        rec.rotation = Some(KeyRotation {
            user_name: "alice".into(),
            keys_before: vec!["AKIAIOSFODNN7EXAMPLE".into()],
            new_access_key_id: Some("AKIANEWNEWNEWNEWNEWN".into()),
            new_secret_access_key: Some(Zeroizing::new("new-secret-value".into())),
        });
        let buf = seal(RecordKind::Creds, "p", &rec).expect("serializes");
        let back: AwsCredentials = open(RecordKind::Creds, "p", &buf).expect("parses");
        assert_eq!(back, rec);
        let dbg = format!("{rec:?}");
        assert!(
            !dbg.contains("new-secret-value") && !dbg.contains("old-secret"),
            "{dbg}"
        );
        assert!(dbg.contains("AKIANEWNEWNEWNEWNEWN"));
    }

    /// A device record written before `serial` existed (no such key) still reads, as `None`;
    /// one with a serial keeps it.
    #[test]
    fn mfa_record_without_serial_still_reads() {
        let old = br#"{"v":1,"kind":"mfa","name":"d","record":{"otp_type":"totp","account":"a","algorithm":"SHA1","digits":6,"period":30,"t0":0,"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}}"#;
        let dev: MfaDevice = open(RecordKind::Mfa, "d", old).expect("an old record reads");
        assert_eq!(dev.serial, None);
        let mut dev = dev;
        dev.serial = Some("arn:aws:iam::123456789012:mfa/d".to_owned());
        let buf = seal(RecordKind::Mfa, "d", &dev).expect("serializes");
        assert!(
            std::str::from_utf8(&buf)
                .unwrap_or("")
                .contains(r#""serial":"arn:aws:iam::123456789012:mfa/d""#)
        );
        let back: MfaDevice = open(RecordKind::Mfa, "d", &buf).expect("parses");
        assert_eq!(back, dev);
        let plain = seal(RecordKind::Mfa, "d", &MfaDevice::totp("a", vec![1; 20])).expect("ser");
        assert!(
            !std::str::from_utf8(&plain)
                .unwrap_or("serial")
                .contains("serial")
        );
    }

    fn mfa_json(record: &str) -> String {
        format!(r#"{{"v":1,"kind":"mfa","name":"d","record":{record}}}"#)
    }

    /// Stored values outside what `iamkit-otp` accepts are errors naming the field and the
    /// bound, never quoting the secret; serde's own messages (which may quote data) are not
    /// passed on.
    #[test]
    fn invalid_stored_values_are_named() {
        let base = |field: &str| {
            mfa_json(&format!(
                r#"{{"otp_type":"totp","account":"a","algorithm":"SHA1","digits":6,"period":30,"t0":0,"secret":"SECRETSECRETSECR",{field}}}"#
            ))
        };
        let cases = [
            (
                r#""digits":11"#,
                "malformed MFA device record: invalid stored OTP parameters: invalid number of digits: 11 (expected 6 to 10)",
            ),
            (
                r#""period":0"#,
                "malformed MFA device record: invalid stored OTP parameters: invalid period: 0",
            ),
            (
                r#""t0":253402300800"#,
                "malformed MFA device record: invalid stored OTP parameters: invalid T0: 253402300800",
            ),
            (
                r#""algorithm":"MD5""#,
                "malformed MFA device record: invalid stored algorithm \"MD5\" (expected SHA1, SHA256 or SHA512)",
            ),
            (
                r#""otp_type":"yubico""#,
                "malformed MFA device record: invalid stored otp_type \"yubico\" (expected totp, hotp or steam)",
            ),
        ];
        for (field, want) in cases {
            // Each case replaces one field of an otherwise valid record.
            let name = field.split(':').next().unwrap_or_default();
            let json = base("\"last_printed_step\":1")
                .replace(&format!("{name}:{}", default_of(name)), field);
            let err = open::<MfaDevice>(RecordKind::Mfa, "d", json.as_bytes()).expect_err(field);
            assert!(err.starts_with(want), "{field}: {err}");
            assert!(!err.contains("SECRETSECRET"), "{err}");
        }
        // A wrong type keeps serde's message (which could quote data) out.
        let err = open::<MfaDevice>(
            RecordKind::Mfa,
            "d",
            mfa_json(r#"{"otp_type":"totp","account":"a","algorithm":"SHA1","digits":"SECRETSECRET","period":30,"t0":0,"secret":"GEZDGNBV"}"#).as_bytes(),
        )
        .expect_err("digits as a string");
        assert!(
            err.starts_with("malformed MFA device record (at line 1"),
            "{err}"
        );
    }

    fn default_of(name: &str) -> &'static str {
        match name {
            r#""digits""# => "6",
            r#""period""# => "30",
            r#""t0""# => "0",
            r#""algorithm""# => r#""SHA1""#,
            _ => r#""totp""#,
        }
    }
}
