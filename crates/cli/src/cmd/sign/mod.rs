//! `iamkit sign`: sign an HTTP request with AWS Signature Version 4 (or 4a: `--sigv4a`).

use std::path::PathBuf;

use clap::Args;

use crate::Globals;
use iamkit_sigv4::{
    Credentials, Payload, Request, SigV4aSigner, Signer, SigningSettings, Timestamp,
};
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult, Context};
use crate::io::Out;

// `iamkit sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The service name in the credential scope (e.g. s3, execute-api, sts).
    #[arg(long)]
    service: String,
    /// The region (default: $AWS_REGION, then $AWS_DEFAULT_REGION, then the profile's).
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
    /// Sign with SigV4a (AWS4-ECDSA-P256-SHA256: multi-region, e.g. S3 Multi-Region Access Points).
    #[arg(long)]
    sigv4a: bool,
    /// SigV4a: the regions the signature is valid in, comma-separated, or '*' for all
    /// (default: the region).
    #[arg(long, value_name = "R1,R2|*", requires = "sigv4a")]
    region_set: Option<String>,
    /// One JSON object: canonical_request, string_to_sign, signature, headers (and url).
    #[arg(long)]
    json: bool,
    /// The request URL as it goes on the wire (path and query already percent-encoded).
    url: String,
}

pub(crate) fn run(args: SignArgs, globals: &Globals) -> CliResult {
    let (credentials, profile_region) = credentials(&args, globals)?;
    let region = match args.region.clone().or_else(|| args.region_set.clone()) {
        Some(r) => r,
        None => env_nonempty("AWS_REGION")
            .or_else(|| env_nonempty("AWS_DEFAULT_REGION"))
            .or(profile_region)
            .ok_or_else(|| {
                CliError::usage(
                    "no region: pass --region R or set AWS_REGION or AWS_DEFAULT_REGION",
                )
            })?,
    };
    let s3 = args.s3 || args.service.eq_ignore_ascii_case("s3");
    let mut settings = if s3 {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    if args.content_sha256 {
        settings.content_sha256_header = true;
    }
    let signer = if args.sigv4a {
        // `us-east-1, us-west-2` as typed in a shell: the spaces are not part of the set.
        let set: String = match &args.region_set {
            Some(r) => r.split(',').map(str::trim).collect::<Vec<_>>().join(","),
            None => region,
        };
        AnySigner::V4a(SigV4aSigner::with_settings(&set, &args.service, settings)?)
    } else {
        AnySigner::V4(Signer::with_settings(&region, &args.service, settings)?)
    };

    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<CliResult<Vec<_>>>()?;
    let body = match &args.body_file {
        Some(path) => Some(
            std::fs::read(path)
                .context(format_args!("cannot read --body-file {}", path.display()))?,
        ),
        None => None,
    };
    let mut request = Request::from_url(&args.method, &args.url)?;
    for (name, value) in &headers {
        request.push_header(name, value);
    }
    request = request.payload(if args.unsigned_payload {
        Payload::Unsigned
    } else {
        Payload::Bytes(body.as_deref().unwrap_or(b""))
    });
    let time = match &args.time {
        Some(t) => Timestamp::parse_amz_date(t).or_usage(format_args!(
            "--time {t:?} is not a signing time: expected YYYYMMDDTHHMMSSZ, e.g. 20150830T123600Z"
        ))?,
        None => Timestamp::from_system_time(std::time::SystemTime::now())?,
    };
    let output = if args.presign {
        if !(1..=604_800).contains(&args.expires) {
            return Err(CliError::usage(format!(
                "--expires {} is out of range: expected 1 to 604800 seconds (7 days)",
                args.expires
            )));
        }
        signer.presign(&request, &credentials, time, args.expires)?
    } else {
        signer.sign(&request, &credentials, time)?
    };

    if args.json {
        let mut headers = serde_json::Map::new();
        for (name, value) in output.headers() {
            headers.insert(name.to_owned(), serde_json::Value::String(value.to_owned()));
        }
        let mut obj = serde_json::json!({
            "canonical_request": output.canonical_request(),
            "string_to_sign": output.string_to_sign(),
            "signature": output.signature(),
            "headers": headers,
        });
        if args.presign {
            obj["url"] = serde_json::Value::String(presigned_url(&output)?);
        }
        return Out::json(&obj);
    }
    if args.presign {
        return Out::line(&presigned_url(&output)?);
    }
    let mut text = String::new();
    for (name, value) in output.headers() {
        text.push_str(name);
        text.push_str(": ");
        text.push_str(value);
        text.push('\n');
    }
    Out::write(format_args!("{text}"))
}

/// The SigV4 or the SigV4a signer.
enum AnySigner {
    V4(Signer),
    V4a(SigV4aSigner),
}

impl AnySigner {
    fn sign(
        &self,
        req: &Request<'_>,
        creds: &Credentials,
        time: Timestamp,
    ) -> Result<iamkit_sigv4::SigningOutput, iamkit_sigv4::Error> {
        match self {
            AnySigner::V4(s) => s.sign(req, creds, time),
            AnySigner::V4a(s) => s.sign(req, creds, time),
        }
    }

    fn presign(
        &self,
        req: &Request<'_>,
        creds: &Credentials,
        time: Timestamp,
        expires: u64,
    ) -> Result<iamkit_sigv4::SigningOutput, iamkit_sigv4::Error> {
        match self {
            AnySigner::V4(s) => s.presign(req, creds, time, expires),
            AnySigner::V4a(s) => s.presign(req, creds, time, expires),
        }
    }
}

fn presigned_url(output: &iamkit_sigv4::SigningOutput) -> CliResult<String> {
    output
        .url()
        .map(str::to_owned)
        .ok_or_else(|| CliError::usage("the URL has no scheme and host to presign"))
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `Name: value` → (name, value); the name must be a non-empty HTTP token.
fn parse_header(h: &str) -> CliResult<(String, String)> {
    let bad = || {
        CliError::usage(format!(
            "-H {h:?} is not a header: expected 'Name: value' with a name of letters, digits and -_."
        ))
    };
    let (name, value) = h.split_once(':').ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(bad());
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// Credentials from `--profile` (the store) or the AWS_* environment variables.
fn credentials(args: &SignArgs, globals: &Globals) -> CliResult<(Credentials, Option<String>)> {
    if let Some(profile) = &args.profile {
        // The profile's MFA or role session where it has one, as creds process hands out.
        let stored = crate::cmd::creds::session::credentials(profile, globals, false)?;
        let mut c = Credentials::new(
            stored.access_key_id.clone(),
            stored.secret_access_key.as_str(),
        );
        if let Some(t) = stored.session_token.as_ref().filter(|t| !t.is_empty()) {
            c = c.with_session_token(t.as_str());
        }
        return Ok((c, stored.region.clone()));
    }
    let id = env_nonempty("AWS_ACCESS_KEY_ID");
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY")
        .ok()
        .filter(|v| !v.is_empty())
        .map(Zeroizing::new);
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(CliError::usage(
            "no credentials: pass --profile P or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ));
    };
    let mut c = Credentials::new(id, secret.as_str());
    if let Some(token) = env_nonempty("AWS_SESSION_TOKEN") {
        c = c.with_session_token(token);
    }
    Ok((c, None))
}
