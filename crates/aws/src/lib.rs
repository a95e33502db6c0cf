#![doc = include_str!("../README.md")]

mod endpoint;
mod error;
mod iam;
mod request;
mod response;
pub mod rules;
#[cfg(feature = "transport")]
mod transport;

pub use endpoint::{DEFAULT_REGION, Endpoint, LEGACY_GLOBAL_STS_REGIONS, Service};
pub use error::{AwsError, Error, MAX_MESSAGE_CHARS};
pub use iam::{
    AccessKeyId, AccessKeyMetadata, CreateAccessKey, CreateAccessKeyResponse,
    CreateVirtualMfaDevice, CreateVirtualMfaDeviceResponse, DeactivateMfaDevice,
    DeactivateMfaDeviceResponse, DeleteAccessKey, DeleteAccessKeyResponse, DeleteVirtualMfaDevice,
    DeleteVirtualMfaDeviceResponse, EnableMfaDevice, EnableMfaDeviceResponse, GetUser,
    GetUserResponse, IamCall, KeyStatus, ListAccessKeys, ListAccessKeysResponse, ListMfaDevices,
    ListMfaDevicesResponse, MAX_ACCESS_KEYS_PER_USER, MfaDeviceInfo, MfaDeviceName, MfaSeed,
    NewAccessKey, UpdateAccessKey, UpdateAccessKeyResponse, UserName, check_rotation,
};
pub use request::{
    AssumeRole, FORM_CONTENT_TYPE, GetCallerIdentity, GetSessionToken, QueryRequest, SignedRequest,
};
pub use response::{
    AssumeRoleResponse, CallerIdentity, GetSessionTokenResponse, MAX_RESPONSE_BYTES,
    MAX_SESSION_TOKEN_LEN, QueryResponse, REFRESH_MARGIN_SECONDS, SessionCredentials,
    format_rfc3339, parse_expiration, parse_response,
};
pub use rules::{ExternalId, MfaSerial, RoleArn, RoleSessionName, TokenCode};
#[cfg(feature = "transport")]
pub use transport::{HttpResponse, Transport, TransportBuilder};

/// Re-exported: the XML node type [`QueryResponse::from_result`] reads.
pub use roxmltree;
