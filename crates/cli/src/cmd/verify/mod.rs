//! `iamkit verify`: check a signed HTTP request read from stdin, and explain a
//! `SignatureDoesNotMatch` by printing the canonical request and string to sign iamkit computed.

pub(crate) mod raw;

use std::io::Read;

use clap::Args;
use iamkit_sigv4::{Credentials, Timestamp};
use zeroize::Zeroizing;

use crate::Globals;
use crate::error::{CliError, CliResult, Context};
use crate::io::Out;

/// The largest request read from stdin.
const MAX_INPUT: u64 = 64 << 20;

// `iamkit verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The service (default: the one in the request's credential scope).
    #[arg(long)]
    service: Option<String>,
    /// The region (default: the one in the request's credential scope).
    #[arg(long)]
    region: Option<String>,
    /// Apply S3's rules (implied by service s3).
    #[arg(long)]
    s3: bool,
    /// Sign the path as it is: no removal of dot segments and repeated slashes (the rule of S3
    /// and of some other services).
    #[arg(long)]
    no_normalize_path: bool,
    /// Accept a session token added after signing (unsigned x-amz-security-token / X-Amz-Security-Token).
    #[arg(long)]
    session_token_after_signing: bool,
    /// The time to verify at, as 20150830T123600Z (default: now).
    #[arg(long, value_name = "YYYYMMDDTHHMMSSZ")]
    time: Option<String>,
    /// Take the secret from this stored profile (default: AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY).
    #[arg(long, value_name = "P")]
    profile: Option<String>,
    /// Also print the canonical request and string to sign iamkit computed.
    #[arg(long)]
    explain: bool,
    /// One JSON object: valid, access_key_id, reason (and canonical_request, string_to_sign).
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: VerifyArgs, globals: &Globals) -> CliResult {
    let mut input = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut input)
        .context("cannot read the request from stdin")?;
    if input.len() as u64 > MAX_INPUT {
        return Err(CliError::usage(format!(
            "the request on stdin is larger than {MAX_INPUT} bytes"
        )));
    }
    let request = raw::parse(&input)?;
    let now = match &args.time {
        Some(t) => Timestamp::parse_amz_date(t).or_usage(format_args!(
            "--time {t:?} is not a time: expected YYYYMMDDTHHMMSSZ, e.g. 20150830T123600Z"
        ))?,
        None => Timestamp::from_system_time(std::time::SystemTime::now())?,
    };
    let credentials = credentials(args.profile.as_deref(), globals)?;
    let options = raw::Options {
        service: args.service.clone(),
        region: args.region.clone(),
        s3: args.s3,
        no_normalize_path: args.no_normalize_path,
        token_after_signing: args.session_token_after_signing,
        now,
        explain: args.explain,
    };
    let verdict = raw::verdict(&request, &options, |akid| {
        (akid == credentials.access_key_id()).then(|| credentials.clone())
    });

    if args.json {
        let mut obj = serde_json::json!({
            "valid": verdict.reason.is_none(),
            "access_key_id": verdict.access_key_id,
            "reason": verdict.reason,
        });
        if args.explain {
            let (cr, sts) = match &verdict.explanation {
                Some(e) => (
                    Some(e.canonical_request.as_str()),
                    Some(e.string_to_sign.as_str()),
                ),
                None => (None, None),
            };
            obj["canonical_request"] = serde_json::json!(cr);
            obj["string_to_sign"] = serde_json::json!(sts);
        }
        Out::json(&obj)?;
    } else {
        let mut text = String::new();
        if verdict.reason.is_none()
            && let Some(akid) = &verdict.access_key_id
        {
            text.push_str(akid);
            text.push('\n');
        }
        if let Some(e) = &verdict.explanation {
            text.push_str("canonical request:\n");
            text.push_str(&e.canonical_request);
            text.push_str("\n\nstring to sign:\n");
            text.push_str(&e.string_to_sign);
            text.push('\n');
        }
        if !text.is_empty() {
            Out::write(format_args!("{text}"))?;
        }
    }
    match verdict.reason {
        None => Ok(()),
        Some(reason) => Err(CliError::check_failed(format!("not valid: {reason}"))),
    }
}

/// The credentials to verify with: `--profile` (the store) or the AWS_* environment variables.
fn credentials(profile: Option<&str>, globals: &Globals) -> CliResult<Credentials> {
    if let Some(profile) = profile {
        let stored = crate::storeopen::open(globals)?.store.get_creds(profile)?;
        return Ok(Credentials::new(
            stored.access_key_id.clone(),
            stored.secret_access_key.as_str(),
        ));
    }
    let id = std::env::var("AWS_ACCESS_KEY_ID")
        .ok()
        .filter(|v| !v.is_empty());
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY")
        .ok()
        .filter(|v| !v.is_empty())
        .map(Zeroizing::new);
    match (id, secret) {
        (Some(id), Some(secret)) => Ok(Credentials::new(id, secret.as_str())),
        _ => Err(CliError::usage(
            "no credentials to verify with: pass --profile P or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        )),
    }
}
