//! `iamkit creds serve PROFILE -- COMMAND`: the AWS container credentials protocol on
//! 127.0.0.1 for one command. The command gets `AWS_CONTAINER_CREDENTIALS_FULL_URI` (a random
//! port, a random path) and `AWS_CONTAINER_AUTHORIZATION_TOKEN` (random per run); the AWS SDKs
//! and CLI fetch `{"AccessKeyId","SecretAccessKey","Token","Expiration"}` from it and fetch
//! again when less than 15 minutes remain. iamkit renews the session before that (by default
//! when less than 20 minutes remain), so a tool that runs for days always gets good
//! credentials. Any other token, a request from off the loopback, or another path: 403/404.
//! The listener lives exactly as long as the command; iamkit exits with the command's status.

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use iamkit_keystore::AwsCredentials;
use serde::Serialize;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Globals;
use crate::cmd::creds::session;
use crate::error::{CliError, CliResult, Context};
use crate::storeopen;

/// Default: renew when less than this many seconds remain (SDKs refresh at 15 minutes).
pub(crate) const DEFAULT_RENEW_BEFORE: u64 = 20 * 60;

/// Long-term keys have no expiry; they are handed out with one this far ahead, so SDKs come
/// back (and see a rotated key).
const LONG_TERM_VALIDITY: i64 = 60 * 60;

/// What the endpoint answers.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerCredentials<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    expiration: &'a str,
}

/// The credentials being served and when they expire (Unix seconds).
struct Served {
    creds: AwsCredentials,
    expires: i64,
    body: Zeroizing<Vec<u8>>,
}

fn unix_now() -> CliResult<i64> {
    let t = crate::watch::now_unix()?;
    i64::try_from(t).or_usage("the system clock is out of range")
}

fn served(creds: AwsCredentials) -> CliResult<Served> {
    let (expires, expiration) = match &creds.expiration {
        Some(e) => (e.unix_seconds(), e.to_string()),
        None => {
            let at = unix_now()? + LONG_TERM_VALIDITY;
            let t = iamkit_sigv4::Timestamp::from_unix_seconds(at)
                .or_usage("the system clock is out of range")?;
            (at, iamkit_aws::format_rfc3339(t))
        }
    };
    let body = iamkit_keystore::to_json_presized(&ContainerCredentials {
        access_key_id: &creds.access_key_id,
        secret_access_key: &creds.secret_access_key,
        token: creds.session_token.as_deref().map(String::as_str),
        expiration: &expiration,
    })
    .context("cannot encode JSON")?;
    Ok(Served {
        creds,
        expires,
        body,
    })
}

fn random_hex(bytes: usize) -> CliResult<Zeroizing<String>> {
    let mut raw = Zeroizing::new(vec![0u8; bytes]);
    getrandom::fill(&mut raw).context("the OS random generator failed")?;
    let mut out = Zeroizing::new(String::with_capacity(bytes * 2));
    for b in raw.iter() {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    Ok(out)
}

/// `creds serve`.
pub(crate) fn serve(
    profile: &str,
    renew_before: u64,
    command: &[OsString],
    globals: &Globals,
) -> CliResult {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| CliError::usage("no command to run: expected -- COMMAND [ARG…]"))?;
    if !(60..=12 * 3600).contains(&renew_before) {
        return Err(CliError::usage(format!(
            "--renew-before {renew_before}: expected 60 to 43200 seconds"
        )));
    }
    let renew_before = i64::try_from(renew_before).unwrap_or(i64::MAX);
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let mut current = served(session::renewed_in(store, profile, false)?)?;
    if current.expires - unix_now()? <= renew_before {
        current = served(session::renewed_in(store, profile, true)?)?;
    }

    let server = tiny_http::Server::http(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
        .context("cannot listen on 127.0.0.1")?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or_else(|| CliError::usage("the credentials endpoint has no TCP address"))?;
    let token = random_hex(32)?;
    let path = format!("/iamkit/{}", random_hex(8)?.as_str());
    let url = format!("http://127.0.0.1:{port}{path}");

    let mut cmd = std::process::Command::new(program);
    for k in crate::cmd::creds::exec_scrubbed_vars() {
        cmd.env_remove(k);
    }
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ] {
        cmd.env_remove(k);
    }
    cmd.args(args)
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &url)
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", token.as_str());
    if let Some(r) = &current.creds.region {
        cmd.env("AWS_REGION", r).env("AWS_DEFAULT_REGION", r);
    }
    // Ctrl-C goes to the command (same process group); iamkit stays to serve it until it ends.
    let _ = ctrlc::set_handler(|| {});
    let mut child = cmd.spawn().map_err(|e| super::spawn_error(program, &e))?;

    let status = loop {
        if let Some(status) = child.try_wait().context("cannot wait for the command")? {
            break status;
        }
        // Renew ahead of the SDKs; a failure is said once per attempt and retried, the
        // credentials in hand stay served until they expire.
        if current.expires - unix_now()? <= renew_before {
            match session::renewed_in(store, profile, true).and_then(served) {
                Ok(s) => current = s,
                Err(e) => {
                    eprintln!(
                        "iamkit: renewing the credentials of {profile}: {}",
                        e.message
                    );
                    std::thread::sleep(Duration::from_secs(5));
                }
            }
        }
        match server.recv_timeout(Duration::from_millis(250)) {
            Ok(Some(req)) => answer(req, &path, &token, &current),
            Ok(None) => {}
            Err(e) => eprintln!("iamkit: credentials endpoint: {e}"),
        }
    };
    drop(server);
    drop(opened);
    match status.code() {
        Some(0) => Ok(()),
        Some(c) => Err(CliError::child_status(u8::try_from(c).unwrap_or(1))),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                let sig = status.signal().unwrap_or(0);
                Err(CliError::child_status(u8::try_from(128 + sig).unwrap_or(1)))
            }
            #[cfg(not(unix))]
            Err(CliError::child_status(1))
        }
    }
}

fn respond(req: tiny_http::Request, status: u16, body: &[u8]) {
    let mut resp = tiny_http::Response::from_data(body.to_vec()).with_status_code(status);
    if let Ok(h) = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]) {
        resp = resp.with_header(h);
    }
    // The client may have gone: nothing to do about it.
    let _ = req.respond(resp);
}

/// One request: 403 unless it comes from loopback with the token; 404 off the path.
fn answer(req: tiny_http::Request, path: &str, token: &str, current: &Served) {
    let loopback = req.remote_addr().is_some_and(|a| a.ip().is_loopback());
    let given = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str().trim().to_owned())
        .unwrap_or_default();
    let token_ok: bool = given.as_bytes().ct_eq(token.as_bytes()).into();
    if !loopback || !token_ok {
        return respond(req, 403, br#"{"message":"forbidden"}"#);
    }
    if req.method() != &tiny_http::Method::Get || req.url() != path {
        return respond(req, 404, br#"{"message":"not found"}"#);
    }
    respond(req, 200, &current.body);
}
