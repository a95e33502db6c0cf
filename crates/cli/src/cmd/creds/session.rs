//! Session credentials for `creds process/exec/export/session` and `sign --profile`: a key
//! profile with an MFA device gets an STS `GetSessionToken` session (the code computed from the
//! stored seed, never one already sent); a role profile (`~/.aws/config`: `role_arn` +
//! `source_profile`) gets an `AssumeRole` session made with its source's credentials (the
//! source's MFA session when it has one). Sessions are cached in the store as their own record
//! kind, keyed by what they were made from, and reused until less than 15 minutes remain; the
//! store's sessions lock makes concurrent callers share one STS call.

use std::cell::OnceCell;
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
use crate::cmd::creds::config::{self, ConfigFile, ConfigRole, RoleSource};
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
    credentials_in(opened.store.as_ref(), profile, no_session)
}

/// [`credentials`] with a store already open.
pub(crate) fn credentials_in(
    store: &dyn Store,
    profile: &str,
    no_session: bool,
) -> CliResult<AwsCredentials> {
    let plan = Resolver::new(store).plan(profile)?;
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

/// The credentials of `profile` as `credentials_in` gives them, or with `renew` a new
/// session from STS (for a profile that has sessions) even when the cached one is still good.
pub(crate) fn renewed_in(
    store: &dyn Store,
    profile: &str,
    renew: bool,
) -> CliResult<AwsCredentials> {
    match Resolver::new(store).plan(profile)? {
        Plan::Plain(c) => Ok(c),
        plan => Ok(session(store, &plan, renew)?.0),
    }
}

/// The stored long-term keys behind `profile` (a key profile, with or without an MFA
/// device), or `None` for a role profile.
pub(crate) fn long_term_in(store: &dyn Store, profile: &str) -> CliResult<Option<AwsCredentials>> {
    Ok(match Resolver::new(store).plan(profile)? {
        Plan::Plain(c) => Some(c),
        Plan::Mfa(m) => Some(m.source),
        Plan::Role(_) => None,
    })
}

/// Drops every cached session made from the long-term key `access_key_id`: its MFA sessions,
/// and role sessions made from those (or from the key itself), transitively. Returns how many
/// were dropped. Takes the sessions lock.
pub(crate) fn forget_sessions_of_key(store: &dyn Store, access_key_id: &str) -> CliResult<usize> {
    let _guard = store.lock_sessions()?;
    let mut sources = vec![access_key_id.to_owned()];
    let mut remaining: Vec<(String, Option<String>, String)> = Vec::new();
    for name in store.list(RecordKind::Session)? {
        match store.get_session(&name) {
            Ok(s) => remaining.push((name, s.source_key_id.clone(), s.access_key_id.clone())),
            Err(StoreError::NotFound { .. }) => {}
            // Unreadable: it cannot be told apart, and is worth nothing; drop it.
            Err(StoreError::Corrupt { .. }) => remaining.push((name, None, String::new())),
            Err(e) => return Err(CliError::from(e)),
        }
    }
    let mut n = 0;
    loop {
        let (drop_now, keep): (Vec<_>, Vec<_>) = remaining.into_iter().partition(|(_, src, id)| {
            id.is_empty() || src.as_ref().is_some_and(|s| sources.contains(s))
        });
        remaining = keep;
        if drop_now.is_empty() {
            return Ok(n);
        }
        for (name, _, id) in drop_now {
            match store.remove(RecordKind::Session, &name) {
                Ok(()) => n += 1,
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(CliError::from(e)),
            }
            if !id.is_empty() {
                sources.push(id);
            }
        }
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
    let plan = Resolver::new(store).plan(profile)?;
    if let Plan::Plain(_) = plan {
        return Err(CliError::usage(format!(
            "profile {profile:?} has no MFA device and is not a role profile: it uses its stored keys as they are (add one with iamkit creds add {profile} --mfa-device NAME --force)"
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
            let plan = Resolver::new(store).plan(p)?;
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

/// Resolves profile names to plans as the AWS CLI resolves `source_profile` chains: a stored
/// profile first (iamkit's "static credentials"), then a stored role profile, then a role
/// profile of the AWS config file (read once); as a source, also a config profile whose
/// `credential_process` is `iamkit creds process NAME` (followed to NAME). A chain that comes
/// back to a profile already in it is an error naming the chain.
pub(crate) struct Resolver<'a> {
    store: &'a dyn Store,
    config: OnceCell<Option<ConfigFile>>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(store: &'a dyn Store) -> Resolver<'a> {
        Resolver {
            store,
            config: OnceCell::new(),
        }
    }

    /// A resolver with this config file (as if read from `AWS_CONFIG_FILE`).
    #[cfg(test)]
    fn with_config(store: &'a dyn Store, config: ConfigFile) -> Resolver<'a> {
        let r = Resolver::new(store);
        let _ = r.config.set(Some(config));
        r
    }

    /// The AWS config file, read on first use.
    pub(crate) fn config(&self) -> CliResult<Option<&ConfigFile>> {
        if let Some(c) = self.config.get() {
            return Ok(c.as_ref());
        }
        let loaded = config::load()?;
        Ok(self.config.get_or_init(|| loaded).as_ref())
    }

    /// The plan of `profile`.
    fn plan(&self, profile: &str) -> CliResult<Plan> {
        self.resolve(profile, &mut Vec::new())
    }

    fn resolve(&self, name: &str, chain: &mut Vec<String>) -> CliResult<Plan> {
        if chain.iter().any(|n| n == name) {
            chain.push(name.to_owned());
            return Err(CliError::usage(format!(
                "profile {:?}: its source_profile chain loops: {} (expected a chain that ends at a stored profile or at credential_source = Environment)",
                chain[0],
                chain.join(" -> ")
            )));
        }
        chain.push(name.to_owned());
        match self.store.get_creds(name) {
            Ok(c) => return key_plan(self.store, name, c),
            Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(CliError::from(e)),
        }
        let role = match self.store.get_role(name) {
            Ok(role) => Some(ConfigRole {
                source: RoleSource::Profile(role.source_profile.clone()),
                role,
            }),
            Err(StoreError::NotFound { .. }) => match self.config()? {
                Some(cfg) => cfg.role(name)?,
                None => None,
            },
            Err(e) => return Err(CliError::from(e)),
        };
        if let Some(ConfigRole { mut role, source }) = role {
            if role.mfa_serial.is_none()
                && let Some(dev) = &role.mfa_device
            {
                let serial = device_serial(self.store, None, dev, name)?;
                role.mfa_serial = Some(serial.as_str().to_owned());
            }
            let source = match source {
                RoleSource::Profile(p) => self.resolve(&p, chain)?,
                RoleSource::Environment => Plan::Plain(environment_credentials(name)?),
            };
            return Ok(Plan::Role(Box::new(RolePlan {
                profile: name.to_owned(),
                role,
                source,
            })));
        }
        if chain.len() > 1 {
            return self.source_profile(name, chain);
        }
        // Not stored and not a role profile: the store's own "not found".
        Ok(Plan::Plain(self.store.get_creds(name)?))
    }

    /// A source profile that is neither stored nor a role profile: one whose
    /// `credential_process` is iamkit's own, or an error saying why it cannot be used.
    fn source_profile(&self, name: &str, chain: &mut Vec<String>) -> CliResult<Plan> {
        let cfg = self.config()?;
        if let Some((target, no_session)) = cfg.and_then(|c| c.iamkit_process_target(name)) {
            let plan = self.resolve(&target, chain)?;
            return match plan {
                Plan::Mfa(m) if no_session => Ok(Plan::Plain(m.source)),
                Plan::Role(r) if no_session => Err(CliError::usage(format!(
                    "profile {name:?}: its credential_process asks for --no-session of role profile {:?}, which has no long-term keys",
                    r.profile
                ))),
                plan => Ok(plan),
            };
        }
        let why = match cfg {
            Some(c) if c.has_credential_process(name) => format!(
                "in {} it has a credential_process that is not iamkit creds process NAME (iamkit runs no other program)",
                c.shown()
            ),
            Some(c) if c.has_profile(name) => format!(
                "in {} it is neither a role profile nor iamkit's credential_process (iamkit takes keys only from its store: iamkit creds import --profile {name})",
                c.shown()
            ),
            _ => "no stored profile and no AWS config profile has that name".to_owned(),
        };
        Err(CliError::storage(format!(
            "profile {:?}: source_profile {name:?} cannot be used: {why}",
            chain[chain.len() - 2]
        )))
    }
}

/// The cache entry name of `profile`'s session (`None`: the profile gets no session).
pub(crate) fn session_key(resolver: &Resolver<'_>, profile: &str) -> CliResult<Option<String>> {
    Ok(cache_key(&resolver.plan(profile)?))
}

/// What a cached session is good for at `now`: `valid` (handed out as it is), `renewing` (less
/// than 15 minutes left: the next use makes a new one) or `expired`.
pub(crate) fn session_state(s: &CachedSession, now: Timestamp) -> &'static str {
    if reusable(s, now) {
        "valid"
    } else if s.expiration.unix_seconds() > now.unix_seconds() {
        "renewing"
    } else {
        "expired"
    }
}

/// The current time (for [`session_state`]).
pub(crate) fn current_time() -> CliResult<Timestamp> {
    now()
}

/// A stored key profile: with an MFA device, a `GetSessionToken` plan; else its keys as they are.
fn key_plan(store: &dyn Store, profile: &str, c: AwsCredentials) -> CliResult<Plan> {
    let Some(device) = c.mfa_device.clone() else {
        return Ok(Plan::Plain(c));
    };
    let serial = device_serial(store, c.mfa_serial.as_deref(), &device, profile)?;
    Ok(Plan::Mfa(MfaPlan {
        profile: profile.to_owned(),
        duration: c.session_duration,
        source: c,
        device,
        serial,
    }))
}

/// The MFA serial to send with `device`'s codes: the profile's own `--mfa-serial` (an
/// override), else the serial stored with the device (`mfa add --serial`, `mfa enroll`).
pub(crate) fn device_serial(
    store: &dyn Store,
    profile_serial: Option<&str>,
    device: &str,
    profile: &str,
) -> CliResult<MfaSerial> {
    let serial = match profile_serial {
        Some(s) => s.to_owned(),
        None => {
            let dev = store.get_mfa(device)?;
            dev.serial.clone().ok_or_else(|| {
                CliError::usage(format!(
                    "profile {profile:?} uses MFA device {device:?}, which has no MFA serial (expected the device's ARN: iamkit mfa add {device} --serial ARN --force, or iamkit creds add {profile} --mfa-device {device} --mfa-serial ARN --force)"
                ))
            })?
        }
    };
    MfaSerial::new(&serial).context(format_args!("profile {profile:?}: the stored MFA serial"))
}

/// `credential_source = Environment`: the keys in iamkit's own environment, as the AWS CLI's
/// environment provider reads them.
fn environment_credentials(profile: &str) -> CliResult<AwsCredentials> {
    let var = |k: &str| {
        std::env::var(k)
            .ok()
            .map(Zeroizing::new)
            .filter(|v| !v.trim().is_empty())
    };
    let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) else {
        return Err(CliError::usage(format!(
            "profile {profile:?} has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set"
        )));
    };
    let mut c = AwsCredentials::new(id.trim(), secret.trim());
    c.session_token = var("AWS_SESSION_TOKEN")
        .or_else(|| var("AWS_SECURITY_TOKEN"))
        .map(|t| Zeroizing::new(t.trim().to_owned()));
    Ok(c)
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
    if role.mfa_serial.is_some() && role.mfa_device.is_none() {
        return Err(CliError::usage(
            "--mfa-serial needs --mfa-device: the stored device makes the code, the serial (its ARN) tells AWS which device",
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
        device_serial(store, role.mfa_serial.as_deref(), dev, name)?;
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

/// Whether a cached session may be handed out at `now` (more than AWS's refresh margin, 15
/// minutes, left).
fn reusable(s: &CachedSession, now: Timestamp) -> bool {
    s.usable_at(now.unix_seconds(), iamkit_aws::REFRESH_MARGIN_SECONDS)
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
    c.expiration = Some(s.expiration);
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
            let mut s = cached_session(&r.credentials)?;
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
            let mut s = cached_session(&resp.credentials)?;
            s.arn = Some(resp.assumed_role_arn);
            s.role_arn = Some(r.role.role_arn.clone());
            s.source_key_id = Some(source.access_key_id.clone());
            Ok(s)
        }
    }
}

fn cached_session(c: &SessionCredentials) -> CliResult<CachedSession> {
    let expires = c.expiration().unix_seconds();
    Ok(CachedSession::new(
        c.access_key_id(),
        c.secret_access_key(),
        c.session_token(),
        iamkit_keystore::Expiration::from_unix_seconds(expires).context("STS's Expiration")?,
    ))
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
        iamkit_otp::Generator::Totp(totp) => {
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
        iamkit_otp::Generator::Hotp(hotp) => {
            let counter = store.take_hotp_counter(device)?;
            Zeroizing::new(hotp.generate(counter).as_str().to_owned())
        }
    };
    TokenCode::new(&code).or_usage(format_args!(
        "MFA device {device:?} does not make 6-digit codes (AWS expects 6 digits)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn at(unix: i64) -> Timestamp {
        Timestamp::from_unix_seconds(unix).unwrap()
    }

    #[test]
    fn reused_until_fifteen_minutes_remain() {
        let expires = iamkit_keystore::Expiration::parse_rfc3339("2030-01-01T00:15:00Z").unwrap();
        let s = CachedSession::new("ASIAX", "s", "t", expires);
        let exp = expires.unix_seconds();
        assert!(reusable(&s, at(exp - 901)));
        assert!(!reusable(&s, at(exp - 900)));
        assert!(!reusable(&s, at(exp + 10)));
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

    fn store_with_keys() -> iamkit_keystore::MockStore {
        let store = iamkit_keystore::MockStore::new();
        let mut work = AwsCredentials::new("AKIAAAAAAAAAAAAAAAAA", "secret");
        work.mfa_device = Some("phone".into());
        work.mfa_serial = Some("arn:aws:iam::123456789012:mfa/alice".into());
        store.put_creds("work", &work, Overwrite::Refuse).unwrap();
        store
            .put_creds(
                "plain",
                &AwsCredentials::new("AKIABBBBBBBBBBBBBBBB", "secret"),
                Overwrite::Refuse,
            )
            .unwrap();
        store
    }

    const CONFIG: &str = "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = cli-work\n\
        [profile cli-work]\ncredential_process = iamkit creds process work\n\
        [profile cli-long]\ncredential_process = iamkit creds process work --no-session\n\
        [profile deep]\nrole_arn = arn:aws:iam::123456789012:role/deep\nsource_profile = admin\n\
        [profile from-long]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = cli-long\n\
        [profile loop-a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = loop-b\n\
        [profile loop-b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = loop-a\n\
        [profile self]\nrole_arn = arn:aws:iam::123456789012:role/s\nsource_profile = self\n\
        [profile work]\nrole_arn = arn:aws:iam::123456789012:role/shadowed\nsource_profile = plain\n\
        [profile keys-in-file]\naws_access_key_id = AKIA\n\
        [profile to-keys-in-file]\nrole_arn = arn:aws:iam::123456789012:role/k\nsource_profile = keys-in-file\n\
        [profile vault]\ncredential_process = aws-vault export work\n\
        [profile to-vault]\nrole_arn = arn:aws:iam::123456789012:role/v\nsource_profile = vault\n\
        [profile to-nothing]\nrole_arn = arn:aws:iam::123456789012:role/n\nsource_profile = nowhere\n";

    fn resolver(store: &iamkit_keystore::MockStore) -> Resolver<'_> {
        Resolver::with_config(store, ConfigFile::parse(CONFIG, "cfg").unwrap())
    }

    #[test]
    fn source_profile_chains_resolve_as_the_aws_cli_does() {
        let store = store_with_keys();
        let r = resolver(&store);
        // A stored profile wins over a config role of the same name (static keys win).
        assert!(matches!(r.plan("work").unwrap(), Plan::Mfa(_)));
        // admin -> cli-work (iamkit creds process work) -> work's MFA session.
        let Plan::Role(admin) = r.plan("admin").unwrap() else {
            panic!("a role plan")
        };
        assert!(matches!(admin.source, Plan::Mfa(_)));
        // deep -> admin -> cli-work -> work: a role chained from a role.
        let Plan::Role(deep) = r.plan("deep").unwrap() else {
            panic!("a role plan")
        };
        let Plan::Role(inner) = &deep.source else {
            panic!("chained")
        };
        assert_eq!(inner.role.role_arn, "arn:aws:iam::123456789012:role/admin");
        // --no-session in the credential_process: the long-term key.
        let Plan::Role(long) = r.plan("from-long").unwrap() else {
            panic!("a role plan")
        };
        assert!(
            matches!(&long.source, Plan::Plain(c) if c.access_key_id == "AKIAAAAAAAAAAAAAAAAA")
        );
        // The same session for the same inputs, whatever the path.
        assert_eq!(
            session_key(&r, "admin").unwrap(),
            cache_key(&Plan::Role(admin))
        );
        assert_ne!(
            session_key(&r, "admin").unwrap(),
            session_key(&r, "deep").unwrap()
        );
    }

    #[test]
    fn source_profile_loops_and_dead_ends_are_errors_naming_them() {
        let store = store_with_keys();
        let r = resolver(&store);
        for (profile, status, named) in [
            ("loop-a", Status::Usage, "loop-a -> loop-b -> loop-a"),
            ("self", Status::Usage, "self -> self"),
            (
                "to-keys-in-file",
                Status::Storage,
                "iamkit creds import --profile keys-in-file",
            ),
            ("to-vault", Status::Storage, "not iamkit creds process NAME"),
            (
                "to-nothing",
                Status::Storage,
                "no stored profile and no AWS config profile",
            ),
        ] {
            let Err(e) = r.plan(profile) else {
                panic!("{profile} resolved")
            };
            assert_eq!(e.status, status, "{profile}: {}", e.message);
            assert!(e.message.contains(named), "{profile}: {}", e.message);
            assert!(e.message.contains(profile), "{profile}: {}", e.message);
        }
        // A name nobody has: the store's own "not found" (exit 3).
        let Err(e) = r.plan("nobody") else {
            panic!("resolved")
        };
        assert_eq!(e.status, Status::Storage);
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
