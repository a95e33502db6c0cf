//! Session credentials for `creds process/exec/export/session` and `sign --profile`: a key
//! profile with an MFA device gets an STS `GetSessionToken` session (the code computed from the
//! stored seed, never one already sent); a role profile (`~/.aws/config`: `role_arn` +
//! `source_profile`) gets an `AssumeRole` session made with its source's credentials (the
//! source's MFA session when it has one). Sessions are cached in the store as their own record
//! kind, keyed by what they were made from, and reused until less than 15 minutes remain; the
//! store's sessions lock makes concurrent callers share one STS call.

use std::path::PathBuf;
use std::time::SystemTime;

use iamkit_aws::{
    AssumeRole, AssumeRoleResponse, Endpoint, ExternalId, GetSessionToken, GetSessionTokenResponse,
    MfaSerial, QueryResponse, RoleArn, RoleSessionName, Service, SessionCredentials, SignedRequest,
    TokenCode, Transport,
};
use iamkit_keystore::{
    AwsCredentials, CachedSession, Error as StoreError, Overwrite, RecordKind, RoleProfile, Store,
};
use iamkit_sigv4::{Credentials, Timestamp};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::Globals;
use crate::cmd::otp::Generator;
use crate::error::{CliError, CliResult, Context};
use crate::storeopen;

/// What a profile name stands for, before any STS call.
enum Plan {
    /// Stored credentials used as they are.
    Plain(AwsCredentials),
    /// `GetSessionToken` with the profile's long-term keys and its MFA device.
    Mfa(MfaPlan),
    /// `AssumeRole` with a source profile's credentials.
    Role(Box<RolePlan>),
}

struct MfaPlan {
    profile: String,
    source: AwsCredentials,
    device: String,
    serial: MfaSerial,
    duration: Option<u32>,
}

struct RolePlan {
    profile: String,
    role: RoleProfile,
    source: Plan,
}

/// The credentials to hand out for `profile`: a cached or new session where the profile has an
/// MFA device or is a role, else the stored credentials (also with `no_session`).
pub(crate) fn credentials(
    profile: &str,
    globals: &Globals,
    no_session: bool,
) -> CliResult<AwsCredentials> {
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let plan = plan(store, profile, 0)?;
    match plan {
        Plan::Plain(c) => Ok(c),
        Plan::Mfa(m) if no_session => Ok(m.source),
        Plan::Role(r) if no_session => Err(CliError::usage(format!(
            "profile {:?} is a role profile (role {}): it has no long-term keys to use with --no-session",
            r.profile, r.role.role_arn
        ))),
        plan => Ok(session(store, &plan, false)?.0),
    }
}

/// `creds session PROFILE [--refresh]`: the session (cached unless `refresh`), and whether it
/// came from the cache.
pub(crate) fn session_for(
    profile: &str,
    globals: &Globals,
    refresh: bool,
) -> CliResult<(AwsCredentials, bool)> {
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let plan = plan(store, profile, 0)?;
    if let Plan::Plain(_) = plan {
        return Err(CliError::usage(format!(
            "profile {profile:?} has no MFA device and is not a role profile: it uses its stored keys as they are (add one with iamkit creds add {profile} --mfa-device NAME --mfa-serial ARN --force)"
        )));
    }
    session(store, &plan, refresh)
}

/// `creds forget [PROFILE]`: drops the cached session of `PROFILE` (every one without it);
/// returns how many were dropped.
pub(crate) fn forget(profile: Option<&str>, globals: &Globals) -> CliResult<usize> {
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let names = match profile {
        None => store.list(RecordKind::Session)?,
        Some(p) => {
            let plan = plan(store, p, 0)?;
            match cache_key(&plan) {
                Some(k) => vec![k],
                None => Vec::new(),
            }
        }
    };
    let _guard = store.lock_sessions()?;
    let mut n = 0;
    for name in names {
        match store.remove(RecordKind::Session, &name) {
            Ok(()) => n += 1,
            Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

/// Resolves a profile name: a stored profile, else a role profile of `~/.aws/config`.
fn plan(store: &dyn Store, profile: &str, depth: u32) -> CliResult<Plan> {
    if depth > 4 {
        return Err(CliError::usage(format!(
            "profile {profile:?}: source_profile chains more than 4 roles deep (expected a role whose source is a stored key profile)"
        )));
    }
    match store.get_creds(profile) {
        Ok(c) => match c.mfa_device.clone() {
            None => Ok(Plan::Plain(c)),
            Some(device) => {
                let Some(serial) = c.mfa_serial.clone() else {
                    return Err(CliError::usage(format!(
                        "profile {profile:?} uses MFA device {device:?} but has no MFA serial (expected the device's ARN: iamkit creds add {profile} --mfa-device {device} --mfa-serial ARN --force)"
                    )));
                };
                let serial = MfaSerial::new(&serial)
                    .context(format_args!("profile {profile:?}: the stored MFA serial"))?;
                Ok(Plan::Mfa(MfaPlan {
                    profile: profile.to_owned(),
                    duration: c.session_duration,
                    source: c,
                    device,
                    serial,
                }))
            }
        },
        Err(StoreError::NotFound { .. }) => match stored_or_config_role(store, profile)? {
            Some(role) => {
                if role.source_profile == profile {
                    return Err(CliError::usage(format!(
                        "profile {profile:?} names itself as source_profile (expected a stored key profile)"
                    )));
                }
                let source = plan(store, &role.source_profile, depth + 1)?;
                Ok(Plan::Role(Box::new(RolePlan {
                    profile: profile.to_owned(),
                    role,
                    source,
                })))
            }
            None => Ok(Plan::Plain(store.get_creds(profile)?)),
        },
        Err(e) => Err(e.into()),
    }
}

/// A stored role profile (`creds add-role`), else one of the AWS config file.
fn stored_or_config_role(store: &dyn Store, profile: &str) -> CliResult<Option<RoleProfile>> {
    match store.get_role(profile) {
        Ok(r) => Ok(Some(r)),
        Err(StoreError::NotFound { .. }) => config_role(profile),
        Err(e) => Err(CliError::from(e)),
    }
}

/// `creds add-role`: checks everything against AWS's rules and the store, then stores the role.
pub(crate) fn add_role(
    name: &str,
    role: &RoleProfile,
    force: bool,
    globals: &Globals,
) -> CliResult {
    iamkit_keystore::validate_name(name)?;
    RoleArn::new(&role.role_arn).context("--role-arn")?;
    if let Some(id) = &role.external_id {
        ExternalId::new(id).context("--external-id")?;
    }
    if let Some(n) = &role.session_name {
        RoleSessionName::new(n).context("--session-name")?;
    }
    if let Some(d) = role.duration {
        iamkit_aws::rules::check_assume_role_duration(d, false).context("--duration")?;
    }
    if let Some(serial) = &role.mfa_serial {
        MfaSerial::new(serial).context("--mfa-serial")?;
    }
    if role.mfa_device.is_some() != role.mfa_serial.is_some() {
        return Err(CliError::usage(
            "--mfa-device and --mfa-serial go together: the stored device makes the code, the serial (its ARN) tells AWS which device",
        ));
    }
    if role.source_profile == name {
        return Err(CliError::usage(
            "--source names the role profile itself (expected a stored key profile)",
        ));
    }
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    match store.get_creds(name) {
        Ok(_) => {
            return Err(CliError::usage(format!(
                "a credentials profile named {name:?} exists: choose another name for the role profile"
            )));
        }
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(CliError::from(e)),
    }
    let source_found = match store.get_creds(&role.source_profile) {
        Ok(_) => true,
        Err(StoreError::NotFound { .. }) => match store.get_role(&role.source_profile) {
            Ok(_) => true,
            Err(StoreError::NotFound { .. }) => false,
            Err(e) => return Err(CliError::from(e)),
        },
        Err(e) => return Err(CliError::from(e)),
    };
    if !source_found {
        return Err(CliError::usage(format!(
            "--source {:?}: no stored profile of that name (expected a key profile from iamkit creds add, or another role profile)",
            role.source_profile
        )));
    }
    if let Some(dev) = &role.mfa_device {
        store.get_mfa(dev)?;
    }
    let overwrite = if force {
        Overwrite::Allow
    } else {
        Overwrite::Refuse
    };
    store.put_role(name, role, overwrite)?;
    crate::io::Out::line(&format!(
        "stored role profile {name} ({} from {}) in the {}",
        role.role_arn, role.source_profile, opened.status.info
    ))
}

/// The cache entry name of a plan's session: `s-` and 32 hex digits of a hash of what the
/// session is made from (keys, MFA serial, role, external ID, duration), so every profile with
/// the same inputs shares one session and a changed input gets a new one.
fn cache_key(plan: &Plan) -> Option<String> {
    let mut h = Sha256::new();
    add_key_parts(plan, &mut h)?;
    let digest = h.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("s-{hex}"))
}

fn add_key_parts(plan: &Plan, h: &mut Sha256) -> Option<()> {
    let mut part = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    match plan {
        Plan::Plain(_) => return None,
        Plan::Mfa(m) => {
            part("GetSessionToken");
            part(&m.source.access_key_id);
            part(m.serial.as_str());
            part(&m.duration.map(|d| d.to_string()).unwrap_or_default());
        }
        Plan::Role(r) => {
            part("AssumeRole");
            part(&r.role.role_arn);
            part(r.role.external_id.as_deref().unwrap_or(""));
            part(&r.role.duration.map(|d| d.to_string()).unwrap_or_default());
            part(&session_name(r));
            match &r.source {
                Plan::Plain(c) => {
                    part("plain");
                    part(&c.access_key_id);
                    part(r.role.mfa_serial.as_deref().unwrap_or(""));
                }
                source => {
                    part("session");
                    add_key_parts(source, h)?;
                }
            }
        }
    }
    Some(())
}

fn session_name(r: &RolePlan) -> String {
    r.role
        .session_name
        .clone()
        .unwrap_or_else(|| format!("iamkit-{}", sanitize_session_name(&r.profile)))
}

/// A profile name as a `RoleSessionName` (`[\w+=,.@-]`, at most 64 characters).
fn sanitize_session_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(56)
        .collect()
}

fn now() -> CliResult<Timestamp> {
    Timestamp::from_system_time(SystemTime::now())
        .or_usage("the system clock is outside 1970..9999: set it")
}

/// Whether a cached session may be handed out at `now` (more than 15 minutes left).
fn reusable(s: &CachedSession, now: Timestamp) -> bool {
    iamkit_aws::parse_expiration(&s.expiration)
        .is_ok_and(|e| e.unix_seconds() - now.unix_seconds() > iamkit_aws::REFRESH_MARGIN_SECONDS)
}

/// A cached session of `key` that may still be used, if any. A record that cannot be read as a
/// session (corrupt) counts as none and is replaced; a store that cannot be read is an error.
fn cached(store: &dyn Store, key: &str, now: Timestamp) -> CliResult<Option<CachedSession>> {
    match store.get_session(key) {
        Ok(s) if reusable(&s, now) => Ok(Some(s)),
        Ok(_) | Err(StoreError::NotFound { .. } | StoreError::Corrupt { .. }) => Ok(None),
        Err(e) => Err(CliError::from(e)),
    }
}

/// The session of a (non-plain) plan: from the cache, or made under the sessions lock (taken
/// after a miss, then the cache read again) and stored. `(credentials, cached)`.
fn session(store: &dyn Store, plan: &Plan, refresh: bool) -> CliResult<(AwsCredentials, bool)> {
    let key = cache_key(plan).ok_or_else(|| CliError::usage("no session for this profile"))?;
    let region = plan_region(plan);
    if !refresh && let Some(s) = cached(store, &key, now()?)? {
        return Ok((to_credentials(&s, region), true));
    }
    let guard = store.lock_sessions()?;
    if !refresh && let Some(s) = cached(store, &key, now()?)? {
        return Ok((to_credentials(&s, region), true));
    }
    let made = make(store, plan)?;
    store.put_session(&key, &made)?;
    drop(guard);
    Ok((to_credentials(&made, region), false))
}

fn plan_region(plan: &Plan) -> Option<String> {
    match plan {
        Plan::Plain(c) => c.region.clone(),
        Plan::Mfa(m) => m.source.region.clone(),
        Plan::Role(r) => r.role.region.clone().or_else(|| plan_region(&r.source)),
    }
}

fn to_credentials(s: &CachedSession, region: Option<String>) -> AwsCredentials {
    let mut c = AwsCredentials::new(s.access_key_id.clone(), s.secret_access_key.as_str());
    c.session_token = Some(s.session_token.clone());
    c.expiration = Some(s.expiration.clone());
    c.region = region;
    c
}

fn signing_credentials(c: &AwsCredentials) -> Credentials {
    let mut out = Credentials::new(c.access_key_id.clone(), c.secret_access_key.as_str());
    if let Some(t) = &c.session_token {
        out = out.with_session_token(t.as_str());
    }
    out
}

/// Asks STS for a new session (the caller holds the sessions lock).
fn make(store: &dyn Store, plan: &Plan) -> CliResult<CachedSession> {
    match plan {
        Plan::Plain(_) => Err(CliError::usage("no session for this profile")),
        Plan::Mfa(m) => {
            if m.source.session_token.is_some() {
                return Err(CliError::usage(format!(
                    "profile {:?} holds temporary credentials (a session token): GetSessionToken needs long-term keys (remove --mfa-device, or store the long-term key)",
                    m.profile
                )));
            }
            let mut call = GetSessionToken::new();
            if let Some(d) = m.duration {
                call = call
                    .duration_seconds(d)
                    .context(format_args!("profile {:?}", m.profile))?;
            }
            // Where first: a code is taken only when there is somewhere to send it.
            let endpoint = sts_endpoint(m.source.region.as_deref())?;
            let code = fresh_code(store, &m.device)?;
            let call = call.mfa(m.serial.clone(), code);
            let signed = call
                .sign(&endpoint, &signing_credentials(&m.source), now()?)
                .context("GetSessionToken")?;
            let r: GetSessionTokenResponse = send(&signed, "GetSessionToken")?;
            let mut s = cached_session(&r.credentials);
            s.source_key_id = Some(m.source.access_key_id.clone());
            s.mfa_serial = Some(m.serial.as_str().to_owned());
            Ok(s)
        }
        Plan::Role(r) => {
            let at = format!("profile {:?}", r.profile);
            let arn = RoleArn::new(&r.role.role_arn).context(&at)?;
            let name = RoleSessionName::new(&session_name(r)).context(&at)?;
            let mut call = AssumeRole::new(arn, name);
            if let Some(d) = r.role.duration {
                call = call.duration_seconds(d).context(&at)?;
            }
            if let Some(id) = &r.role.external_id {
                call = call.external_id(ExternalId::new(id).context(&at)?);
            }
            let region = r.role.region.clone().or_else(|| plan_region(&r.source));
            let endpoint = sts_endpoint(region.as_deref())?;
            let (source, chained) = match &r.source {
                Plan::Plain(c) => {
                    if let Some(serial) = &r.role.mfa_serial {
                        let device = r.role.mfa_device.clone().ok_or_else(|| {
                            CliError::usage(format!(
                                "profile {:?} asks for MFA ({serial}) but names no stored MFA device to make the code (store the role with iamkit creds add-role {} --mfa-device NAME --mfa-serial {serial} …, or give its source profile {:?} an MFA device)",
                                r.profile, r.profile, r.role.source_profile
                            ))
                        })?;
                        let serial = MfaSerial::new(serial).context(&at)?;
                        call = call.mfa(serial, fresh_code(store, &device)?);
                    }
                    (c.clone(), c.session_token.is_some())
                }
                source => {
                    // The source's own session (cached or new), under the lock we hold: the
                    // lock file is not re-entrant, so take the source's directly.
                    let key = cache_key(source)
                        .ok_or_else(|| CliError::usage("no session for the source profile"))?;
                    let s = match cached(store, &key, now()?)? {
                        Some(s) => s,
                        None => {
                            let s = make(store, source)?;
                            store.put_session(&key, &s)?;
                            s
                        }
                    };
                    let chained = matches!(source, Plan::Role(_));
                    (to_credentials(&s, None), chained)
                }
            };
            let call = call.chained(chained);
            let signed = call
                .sign(&endpoint, &signing_credentials(&source), now()?)
                .context("AssumeRole")?;
            let resp: AssumeRoleResponse = send(&signed, "AssumeRole")?;
            let mut s = cached_session(&resp.credentials);
            s.arn = Some(resp.assumed_role_arn);
            s.role_arn = Some(r.role.role_arn.clone());
            s.source_key_id = Some(source.access_key_id.clone());
            Ok(s)
        }
    }
}

fn cached_session(c: &SessionCredentials) -> CachedSession {
    CachedSession::new(
        c.access_key_id(),
        c.secret_access_key(),
        c.session_token(),
        c.expiration_rfc3339(),
    )
}

fn sts_endpoint(region: Option<&str>) -> CliResult<Endpoint> {
    Endpoint::resolve(Service::Sts, region, |k| std::env::var(k).ok()).context("STS")
}

fn send<T: QueryResponse>(signed: &SignedRequest, what: &str) -> CliResult<T> {
    let transport = Transport::builder().build().context(what)?;
    transport.call(signed).context(what)
}

/// A code from the stored device that was never sent before (`mfa code --fresh`): waits for
/// the next time step when this one was used already (saying so on a terminal's stderr),
/// bounded by `mfa code --fresh`'s own limit.
fn fresh_code(store: &dyn Store, device: &str) -> CliResult<TokenCode> {
    let dev = store.get_mfa(device)?;
    let code = match crate::cmd::mfa::generator(&dev)? {
        Generator::Totp(totp) => {
            let now = crate::watch::now_unix()?;
            // On a terminal only: to a script (credential_process) an error is one line.
            if matches!(
                iamkit_otp::fresh::decide(&totp, now, dev.last_printed_step),
                iamkit_otp::fresh::Fresh::Wait(_)
            ) && std::io::IsTerminal::is_terminal(&std::io::stderr())
            {
                eprintln!(
                    "iamkit: waiting up to {} s for a code of MFA device {device:?} not sent before",
                    totp.remaining_seconds(now)
                );
            }
            let t = crate::cmd::mfa::fresh_time(device, &totp, store, dev.last_printed_step)?;
            Zeroizing::new(totp.generate(t).as_str().to_owned())
        }
        Generator::Hotp(hotp, _) => {
            let counter = store.take_hotp_counter(device)?;
            Zeroizing::new(hotp.generate(counter).as_str().to_owned())
        }
    };
    TokenCode::new(&code).or_usage(format_args!(
        "MFA device {device:?} does not make 6-digit codes (AWS expects 6 digits)"
    ))
}

/// `AWS_CONFIG_FILE`, or `~/.aws/config`.
fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AWS_CONFIG_FILE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME").filter(|v| !v.is_empty())?;
    Some(PathBuf::from(home).join(".aws").join("config"))
}

/// The role profile `name` of the AWS config file, if it has one (`role_arn` and
/// `source_profile`).
fn config_role(name: &str) -> CliResult<Option<RoleProfile>> {
    let Some(path) = config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot read the AWS config file {}: {e}",
                path.display()
            )));
        }
    };
    parse_config_role(&text, name, &path.display().to_string())
}

/// Reads `[profile NAME]` (or `[default]`) of an AWS config file.
pub(crate) fn parse_config_role(
    text: &str,
    name: &str,
    shown: &str,
) -> CliResult<Option<RoleProfile>> {
    let mut in_section = false;
    let mut found = false;
    let mut role = RoleProfile::default();
    let mut header_line = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(h) = line.strip_prefix('[') {
            let h = h.split(']').next().unwrap_or("").trim();
            let section = h.strip_prefix("profile ").map(str::trim).unwrap_or(h);
            in_section = section == name && (h.starts_with("profile ") || h == "default");
            if in_section {
                found = true;
                header_line = i + 1;
            }
            continue;
        }
        if !in_section || raw.starts_with([' ', '\t']) {
            continue;
        }
        let Some((k, v)) = line.split_once(['=', ':']) else {
            continue;
        };
        let v = v.trim().to_owned();
        match k.trim() {
            "role_arn" => role.role_arn = v,
            "source_profile" => role.source_profile = v,
            "mfa_serial" => role.mfa_serial = Some(v),
            "external_id" => role.external_id = Some(v),
            "role_session_name" => role.session_name = Some(v),
            "region" => role.region = Some(v),
            "duration_seconds" => {
                role.duration = Some(v.parse().or_usage(format_args!(
                        "{shown} [profile {name}] (line {}): duration_seconds {v:?} is not a number of seconds",
                        i + 1
                    ))?);
            }
            _ => {}
        }
    }
    if !found || role.role_arn.is_empty() {
        return Ok(None);
    }
    if role.source_profile.is_empty() {
        return Err(CliError::usage(format!(
            "{shown} [profile {name}] (line {header_line}): role_arn without source_profile (expected a stored key profile as source_profile; credential_source is not supported)"
        )));
    }
    Ok(Some(role))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(unix: i64) -> Timestamp {
        Timestamp::from_unix_seconds(unix).unwrap()
    }

    #[test]
    fn reused_until_fifteen_minutes_remain() {
        let s = CachedSession::new("ASIAX", "s", "t", "2030-01-01T00:15:00Z");
        let exp = iamkit_aws::parse_expiration("2030-01-01T00:15:00Z")
            .unwrap()
            .unix_seconds();
        assert!(reusable(&s, at(exp - 901)));
        assert!(!reusable(&s, at(exp - 900)));
        assert!(!reusable(&s, at(exp + 10)));
        let bad = CachedSession::new("ASIAX", "s", "t", "soon");
        assert!(!reusable(&bad, at(0)));
    }

    fn mfa_plan(key: &str, serial: &str, duration: Option<u32>) -> Plan {
        Plan::Mfa(MfaPlan {
            profile: "p".into(),
            source: AwsCredentials::new(key, "secret"),
            device: "d".into(),
            serial: MfaSerial::new(serial).unwrap(),
            duration,
        })
    }

    #[test]
    fn cache_key_follows_keys_serial_and_duration_not_the_profile_name() {
        let a = cache_key(&mfa_plan(
            "AKIAAAAAAAAAAAAAAAAA",
            "arn:aws:iam::1:mfa/a",
            None,
        ));
        let mut other_name = mfa_plan("AKIAAAAAAAAAAAAAAAAA", "arn:aws:iam::1:mfa/a", None);
        if let Plan::Mfa(m) = &mut other_name {
            m.profile = "another".into();
            m.device = "another-device".into();
        }
        assert_eq!(a, cache_key(&other_name));
        for different in [
            mfa_plan("AKIABBBBBBBBBBBBBBBB", "arn:aws:iam::1:mfa/a", None),
            mfa_plan("AKIAAAAAAAAAAAAAAAAA", "arn:aws:iam::1:mfa/b", None),
            mfa_plan("AKIAAAAAAAAAAAAAAAAA", "arn:aws:iam::1:mfa/a", Some(900)),
        ] {
            assert_ne!(a, cache_key(&different));
        }
        let k = a.unwrap();
        assert!(k.starts_with("s-") && k.len() == 34);
        assert!(cache_key(&Plan::Plain(AwsCredentials::new("AKIA", "s"))).is_none());
    }

    #[test]
    fn role_cache_key_follows_role_external_id_and_duration() {
        let role = |arn: &str, ext: Option<&str>, d: Option<u32>| {
            Plan::Role(Box::new(RolePlan {
                profile: "r".into(),
                role: RoleProfile {
                    role_arn: arn.into(),
                    source_profile: "p".into(),
                    external_id: ext.map(Into::into),
                    duration: d,
                    ..RoleProfile::default()
                },
                source: mfa_plan("AKIAAAAAAAAAAAAAAAAA", "arn:aws:iam::1:mfa/a", None),
            }))
        };
        let base = cache_key(&role("arn:aws:iam::123456789012:role/a", None, None));
        assert_ne!(
            base,
            cache_key(&role("arn:aws:iam::123456789012:role/b", None, None))
        );
        assert_ne!(
            base,
            cache_key(&role("arn:aws:iam::123456789012:role/a", Some("x1"), None))
        );
        assert_ne!(
            base,
            cache_key(&role("arn:aws:iam::123456789012:role/a", None, Some(900)))
        );
        assert_ne!(
            base,
            cache_key(&mfa_plan(
                "AKIAAAAAAAAAAAAAAAAA",
                "arn:aws:iam::1:mfa/a",
                None
            ))
        );
    }

    #[test]
    fn config_role_profiles() {
        let text = "[default]\nregion = us-east-1\n\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = work\nmfa_serial=arn:aws:iam::123456789012:mfa/alice\nexternal_id = ext-1\nrole_session_name = me\nduration_seconds = 900\nregion = eu-west-1\n[profile plain]\nregion = x\n[profile broken]\nrole_arn = arn:aws:iam::123456789012:role/x\n";
        let r = parse_config_role(text, "admin", "cfg").unwrap().unwrap();
        assert_eq!(r.role_arn, "arn:aws:iam::123456789012:role/admin");
        assert_eq!(r.source_profile, "work");
        assert_eq!(r.external_id.as_deref(), Some("ext-1"));
        assert_eq!(r.duration, Some(900));
        assert_eq!(r.region.as_deref(), Some("eu-west-1"));
        assert_eq!(parse_config_role(text, "plain", "cfg").unwrap(), None);
        assert_eq!(parse_config_role(text, "nope", "cfg").unwrap(), None);
        let e = parse_config_role(text, "broken", "cfg").unwrap_err();
        assert!(e.message.contains("source_profile"), "{}", e.message);
        // `[admin]` without "profile " is not a config profile (only [default] is).
        assert_eq!(
            parse_config_role("[admin]\nrole_arn=a\nsource_profile=b\n", "admin", "c").unwrap(),
            None
        );
    }

    #[test]
    fn session_names_from_profile_names() {
        assert_eq!(sanitize_session_name("work/admin x"), "work-admin-x");
        assert!(
            RoleSessionName::new(&format!(
                "iamkit-{}",
                sanitize_session_name(&"é".repeat(80))
            ))
            .is_ok()
        );
    }
}
