//! Google Authenticator's `otpauth-migration://offline?data=…` export format: import and export.
//!
//! ```
//! use iamkit_otp::Secret;
//! use iamkit_otpauth::{OtpAuthUri, migration};
//! let alice = OtpAuthUri::totp(Secret::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")?, "alice")
//!     .issuer("Example")
//!     .build()?;
//! let export = migration::export_with_batch_id(&[alice.clone()], 42)?;
//! assert_eq!(export.uris().len(), 1); // up to 10 accounts per QR code
//! let batch = migration::import(&export.uris()[0])?;
//! assert_eq!(batch.accounts(), &[alice]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The payload is a base64 (standard alphabet, percent-encoded in the URI) protobuf
//! `MigrationPayload { repeated OtpParameters otp_parameters = 1; int32 version = 2;
//! int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5; }` with
//! `OtpParameters { bytes secret = 1; string name = 2; string issuer = 3; Algorithm algorithm = 4;
//! DigitCount digits = 5; OtpType type = 6; int64 counter = 7; }`.
//!
//! The format has no period and only 6 or 8 digits: exporting other accounts gives a
//! [`Warning`]. Export splits accounts into batches of [`ACCOUNTS_PER_BATCH`], as Google
//! Authenticator does, so that every QR code stays easy to scan.

use core::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use iamkit_otp::{Algorithm, Kind, Params};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use prost::Message as _;
use zeroize::Zeroizing;

use crate::Error;
use crate::{OtpAuthUri, Warning};

/// Accounts per exported payload (one QR code), as Google Authenticator exports them.
pub const ACCOUNTS_PER_BATCH: usize = 10;
/// The payload `version` written on export (the one Google Authenticator writes).
pub const PAYLOAD_VERSION: i32 = 1;

const SCHEME: &str = "otpauth-migration://";

/// Standard alphabet, padding optional when decoding (some tools strip it).
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

mod proto {
    //! The wire messages. Enums are kept as raw `int32` so unknown values can be reported.
    use zeroize::Zeroize;

    #[derive(Clone, PartialEq, prost::Message)]
    #[prost(skip_debug)]
    pub(super) struct MigrationPayload {
        #[prost(message, repeated, tag = "1")]
        pub(super) otp_parameters: Vec<OtpParameters>,
        #[prost(int32, tag = "2")]
        pub(super) version: i32,
        #[prost(int32, tag = "3")]
        pub(super) batch_size: i32,
        #[prost(int32, tag = "4")]
        pub(super) batch_index: i32,
        #[prost(int32, tag = "5")]
        pub(super) batch_id: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    #[prost(skip_debug)]
    pub(super) struct OtpParameters {
        #[prost(bytes = "vec", tag = "1")]
        pub(super) secret: Vec<u8>,
        #[prost(string, tag = "2")]
        pub(super) name: String,
        #[prost(string, tag = "3")]
        pub(super) issuer: String,
        #[prost(int32, tag = "4")]
        pub(super) algorithm: i32,
        #[prost(int32, tag = "5")]
        pub(super) digits: i32,
        #[prost(int32, tag = "6")]
        pub(super) r#type: i32,
        #[prost(int64, tag = "7")]
        pub(super) counter: i64,
    }

    impl core::fmt::Debug for MigrationPayload {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("MigrationPayload")
                .field("accounts", &self.otp_parameters.len())
                .finish_non_exhaustive()
        }
    }

    impl core::fmt::Debug for OtpParameters {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("OtpParameters")
                .field("secret", &"[redacted]")
                .finish_non_exhaustive()
        }
    }

    impl Drop for OtpParameters {
        fn drop(&mut self) {
            self.secret.zeroize();
        }
    }
}

/// One imported payload (one QR code of a possibly multi-code export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationBatch {
    accounts: Vec<OtpAuthUri>,
    skipped: Vec<SkippedAccount>,
    version: i32,
    batch_size: i32,
    batch_index: i32,
    batch_id: i32,
}

/// An account of a migration payload that [`import_skipping`] left out, and why. Holds the
/// account's label, never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedAccount {
    index: usize,
    label: String,
    reason: String,
}

impl SkippedAccount {
    /// Its position in the payload (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its label as stored in the payload (the name, prefixed with `issuer:` when the issuer
    /// field is set and the name does not already start with it), for telling the user which
    /// account it was.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Why it was left out (e.g. `its algorithm is MD5, which is not supported`).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl MigrationBatch {
    /// The accounts left out by [`import_skipping`] (always empty from [`import`]).
    pub fn skipped(&self) -> &[SkippedAccount] {
        &self.skipped
    }

    /// The accounts, in payload order.
    pub fn accounts(&self) -> &[OtpAuthUri] {
        &self.accounts
    }

    /// The accounts, by value.
    pub fn into_accounts(self) -> Vec<OtpAuthUri> {
        self.accounts
    }

    /// The payload's `version` field.
    pub fn version(&self) -> i32 {
        self.version
    }

    /// How many payloads (QR codes) the whole export has (`batch_size`; 0 if not given).
    pub fn batch_size(&self) -> i32 {
        self.batch_size
    }

    /// This payload's 0-based position in the export (`batch_index`).
    pub fn batch_index(&self) -> i32 {
        self.batch_index
    }

    /// The export's id, the same in all its payloads (`batch_id`).
    pub fn batch_id(&self) -> i32 {
        self.batch_id
    }
}

/// The result of [`export`]: one `otpauth-migration://` URI per batch, and the warnings.
pub struct MigrationExport {
    uris: Vec<Zeroizing<String>>,
    warnings: Vec<Warning>,
}

impl fmt::Debug for MigrationExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationExport")
            .field("uris", &self.uris.len())
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl MigrationExport {
    /// One URI per batch of at most [`ACCOUNTS_PER_BATCH`] accounts; show each as a QR code.
    pub fn uris(&self) -> &[Zeroizing<String>] {
        &self.uris
    }

    /// What the format could not express (period, digits, Steam).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Decodes an `otpauth-migration://offline?data=…` URI.
///
/// Lenient: scheme and host in any case, `data` percent-encoded or not (a `+` decoded to a space
/// by some tool is put back), standard or URL-safe base64, padded or not. Names of the form
/// `Issuer:account` are split like an `otpauth://` label when the issuer field is empty.
///
/// # Errors
/// [`Error::InvalidScheme`], [`Error::InvalidMigrationData`], [`Error::InvalidMigrationPayload`],
/// [`Error::InvalidMigrationAccount`] (MD5, unknown enum values, empty secret, …).
pub fn import(uri: &str) -> Result<MigrationBatch, Error> {
    decode_payload(&payload_bytes(uri)?)
}

/// Like [`import`], but an account that cannot be imported (MD5, an unknown type or digit
/// count, an empty secret, …) is left out and listed in [`MigrationBatch::skipped`] instead of
/// failing the whole payload: what a user moving a phone's accounts wants. Errors about the URI
/// or the payload itself are still errors.
///
/// # Errors
/// [`Error::InvalidScheme`], [`Error::InvalidMigrationData`], [`Error::InvalidMigrationPayload`].
pub fn import_skipping(uri: &str) -> Result<MigrationBatch, Error> {
    decode(&payload_bytes(uri)?, true)
}

/// The protobuf bytes inside an `otpauth-migration://offline?data=…` URI.
fn payload_bytes(uri: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let uri = uri.trim();
    let rest = uri
        .get(..SCHEME.len())
        .filter(|h| h.eq_ignore_ascii_case(SCHEME))
        .map(|_| &uri[SCHEME.len()..])
        .ok_or(Error::InvalidScheme {
            expected: "otpauth-migration://offline",
        })?;
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    let host = host.trim_end_matches('/');
    if !host.eq_ignore_ascii_case("offline") {
        return Err(Error::InvalidScheme {
            expected: "otpauth-migration://offline",
        });
    }
    let mut data = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name.eq_ignore_ascii_case("data") {
            if data.is_some() {
                return Err(Error::DuplicateParameter { name: "data" });
            }
            data = Some(value);
        }
    }
    let data = data
        .filter(|d| !d.is_empty())
        .ok_or(Error::InvalidMigrationData {
            reason: "no data parameter",
        })?;
    // Sized up front (decoding never lengthens): growing by reallocation would leave copies of
    // the payload, secrets included, in freed memory.
    let mut text: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::with_capacity(data.len()));
    text.extend(percent_decode_str(data));
    for b in text.iter_mut() {
        match *b {
            b' ' => *b = b'+',
            b'-' => *b = b'+',
            b'_' => *b = b'/',
            _ => {}
        }
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
    B64_LENIENT
        .decode_vec(&*text, &mut bytes)
        .map_err(|_| Error::InvalidMigrationData {
            reason: "not base64",
        })?;
    Ok(bytes)
}

/// Decodes a raw `MigrationPayload` protobuf (the bytes inside `data=`).
///
/// # Errors
/// As [`import`].
pub fn decode_payload(bytes: &[u8]) -> Result<MigrationBatch, Error> {
    decode(bytes, false)
}

fn decode(bytes: &[u8], skip_bad_accounts: bool) -> Result<MigrationBatch, Error> {
    let payload = proto::MigrationPayload::decode(bytes).map_err(Error::InvalidMigrationPayload)?;
    let mut accounts = Vec::with_capacity(payload.otp_parameters.len());
    let mut skipped = Vec::new();
    for (index, p) in payload.otp_parameters.iter().enumerate() {
        match account_from_proto(index, p) {
            Ok(a) => accounts.push(a),
            Err(e) if skip_bad_accounts => skipped.push(SkippedAccount {
                index,
                label: if p.issuer.is_empty() || p.name.starts_with(p.issuer.as_str()) {
                    p.name.clone()
                } else {
                    format!("{}:{}", p.issuer, p.name)
                },
                reason: match e {
                    Error::InvalidMigrationAccount { reason, .. } => reason.to_owned(),
                    other => other.to_string(),
                },
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(MigrationBatch {
        accounts,
        skipped,
        version: payload.version,
        batch_size: payload.batch_size,
        batch_index: payload.batch_index,
        batch_id: payload.batch_id,
    })
}

fn account_from_proto(index: usize, p: &proto::OtpParameters) -> Result<OtpAuthUri, Error> {
    let bad = |reason| Error::InvalidMigrationAccount { index, reason };
    if p.secret.is_empty() {
        return Err(bad("its secret is empty"));
    }
    let secret = iamkit_otp::insecure::secret_from_bytes(&p.secret).map_err(Error::Otp)?;
    let algorithm = match p.algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err(bad("its algorithm is MD5, which is not supported")),
        _ => {
            return Err(bad(
                "its algorithm is unknown (expected 1 SHA1, 2 SHA256 or 3 SHA512)",
            ));
        }
    };
    let digits = match p.digits {
        0 | 1 => 6,
        2 => 8,
        _ => {
            return Err(bad(
                "its digit count is unknown (expected 1 for six or 2 for eight)",
            ));
        }
    };
    let (kind, counter) = match p.r#type {
        0 | 2 => (Kind::Totp, None),
        1 => {
            let c = u64::try_from(p.counter).map_err(|_| bad("its HOTP counter is negative"))?;
            (Kind::Hotp, Some(c))
        }
        _ => return Err(bad("its type is unknown (expected 1 HOTP or 2 TOTP)")),
    };
    // Google Authenticator stores the whole label as the name ("Issuer:account").
    let (prefix, account) = match p.name.split_once(':') {
        Some((i, a)) => (Some(i.trim_start().to_owned()), a.trim_start().to_owned()),
        None => (None, p.name.trim_start().to_owned()),
    };
    let issuer = if !p.issuer.is_empty() {
        Some(p.issuer.clone())
    } else {
        prefix.filter(|i| !i.is_empty())
    };
    let params = Params::builder(kind)
        .algorithm(algorithm)
        .digits(digits)
        .build()?;
    Ok(OtpAuthUri::new(
        params,
        issuer,
        account,
        secret,
        counter,
        Vec::new(),
    ))
}

/// Exports accounts as `otpauth-migration://` URIs, [`ACCOUNTS_PER_BATCH`] per URI, with a
/// random non-negative batch id from the operating system's RNG.
///
/// # Errors
/// [`Error::NothingToExport`] for an empty list, [`Error::Rng`] if the RNG fails.
pub fn export(accounts: &[OtpAuthUri]) -> Result<MigrationExport, Error> {
    let mut id = [0u8; 4];
    getrandom::fill(&mut id).map_err(Error::Rng)?;
    export_with_batch_id(accounts, (u32::from_le_bytes(id) >> 1) as i32)
}

/// As [`export`], with the given batch id (the same in every payload of the export).
///
/// # Errors
/// [`Error::NothingToExport`] for an empty list.
pub fn export_with_batch_id(
    accounts: &[OtpAuthUri],
    batch_id: i32,
) -> Result<MigrationExport, Error> {
    if accounts.is_empty() {
        return Err(Error::NothingToExport);
    }
    let mut warnings = Vec::new();
    let params = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| account_to_proto(i, a, &mut warnings))
        .collect::<Result<Vec<_>, Error>>()?;
    let chunks: Vec<&[proto::OtpParameters]> = params.chunks(ACCOUNTS_PER_BATCH).collect();
    let batch_size = i32::try_from(chunks.len()).unwrap_or(i32::MAX);
    let mut uris = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        let payload = proto::MigrationPayload {
            otp_parameters: chunk.to_vec(),
            version: PAYLOAD_VERSION,
            batch_size,
            batch_index: i32::try_from(i).unwrap_or(i32::MAX),
            batch_id,
        };
        let mut bytes = Zeroizing::new(Vec::with_capacity(payload.encoded_len()));
        payload
            .encode(&mut *bytes)
            .map_err(|_| Error::NothingToExport)?;
        let mut b64 = Zeroizing::new(String::new());
        base64::engine::general_purpose::STANDARD.encode_string(&*bytes, &mut b64);
        let mut uri = Zeroizing::new(String::with_capacity(40 + b64.len() * 3));
        uri.push_str("otpauth-migration://offline?data=");
        uri.extend(utf8_percent_encode(&b64, NON_ALPHANUMERIC));
        uris.push(uri);
        drop(payload);
    }
    Ok(MigrationExport { uris, warnings })
}

/// Encodes accounts as one raw `MigrationPayload` protobuf (no batching): for tests and tools.
///
/// # Errors
/// [`Error::NotExportable`] for an HOTP counter above `i64::MAX` (the field is an `int64`).
pub fn encode_payload(
    accounts: &[OtpAuthUri],
    batch_size: i32,
    batch_index: i32,
    batch_id: i32,
) -> Result<(Zeroizing<Vec<u8>>, Vec<Warning>), Error> {
    let mut warnings = Vec::new();
    let payload = proto::MigrationPayload {
        otp_parameters: accounts
            .iter()
            .enumerate()
            .map(|(i, a)| account_to_proto(i, a, &mut warnings))
            .collect::<Result<Vec<_>, Error>>()?,
        version: PAYLOAD_VERSION,
        batch_size,
        batch_index,
        batch_id,
    };
    let mut bytes = Zeroizing::new(Vec::with_capacity(payload.encoded_len()));
    payload.encode_raw(&mut *bytes);
    Ok((bytes, warnings))
}

fn account_to_proto(
    index: usize,
    a: &OtpAuthUri,
    warnings: &mut Vec<Warning>,
) -> Result<proto::OtpParameters, Error> {
    let account = a.account().to_owned();
    let digits = match (a.kind(), a.digits()) {
        (Kind::Steam, _) => {
            warnings.push(Warning::SteamNotExportable {
                account: account.clone(),
            });
            0
        }
        (_, Params::DEFAULT_DIGITS) => 1,
        (_, 8) => 2,
        (_, d) => {
            warnings.push(Warning::DigitsNotExportable {
                account: account.clone(),
                digits: d,
            });
            0
        }
    };
    if let Some(p) = a.period().filter(|p| *p != Params::DEFAULT_PERIOD) {
        warnings.push(Warning::PeriodNotExportable {
            account: account.clone(),
            period: p,
        });
    }
    let (r#type, counter) = match a.kind() {
        Kind::Hotp => (
            1,
            i64::try_from(a.counter().unwrap_or(0)).map_err(|_| Error::NotExportable {
                index,
                reason: "its HOTP counter is above 2^63 - 1, the format's int64 limit",
            })?,
        ),
        Kind::Totp | Kind::Steam => (2, 0),
    };
    Ok(proto::OtpParameters {
        secret: a.secret().expose_secret().to_vec(),
        name: account,
        issuer: a.issuer().unwrap_or_default().to_owned(),
        algorithm: match a.algorithm() {
            Algorithm::Sha1 => 1,
            Algorithm::Sha256 => 2,
            Algorithm::Sha512 => 3,
        },
        digits,
        r#type,
        counter,
    })
}
