//! `iamkit sign`: sign an HTTP request with AWS Signature Version 4.

use std::path::PathBuf;

use clap::Args;

use crate::Globals;
use crate::error::{CliError, CliResult};

/// `iamkit sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The service name in the credential scope (e.g. s3, execute-api, sts).
    #[arg(long)]
    service: String,
    /// The region (default: $AWS_REGION, then $AWS_DEFAULT_REGION).
    #[arg(long)]
    region: Option<String>,
    /// The HTTP method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// A header to sign, as 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "Name: value")]
    headers: Vec<String>,
    /// The request body; its SHA-256 is the payload hash (default: empty body).
    #[arg(long, value_name = "F", conflicts_with = "unsigned_payload")]
    body_file: Option<PathBuf>,
    /// Use UNSIGNED-PAYLOAD as the payload hash.
    #[arg(long)]
    unsigned_payload: bool,
    /// Add and sign the x-amz-content-sha256 header.
    #[arg(long)]
    content_sha256: bool,
    /// Apply S3's rules (implied by --service s3).
    #[arg(long)]
    s3: bool,
    /// The signing time, as 20150830T123600Z (default: now).
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    time: Option<String>,
    /// Print a presigned URL instead of headers.
    #[arg(long)]
    presign: bool,
    /// Lifetime of a presigned URL in seconds (1 to 604800).
    #[arg(long, value_name = "N", requires = "presign", default_value_t = 3600)]
    expires: u64,
    /// Take credentials from this stored profile (default: the AWS_* environment variables).
    #[arg(long, value_name = "P")]
    profile: Option<String>,
    /// One JSON object: canonical_request, string_to_sign, signature, headers (and url).
    #[arg(long)]
    json: bool,
    /// The request URL as it goes on the wire (path and query already percent-encoded).
    url: String,
}

pub(crate) fn run(args: SignArgs, globals: &Globals) -> CliResult {
    let _ = (args, globals);
    Err(CliError::usage("iamkit sign is not available in this build yet"))
}
