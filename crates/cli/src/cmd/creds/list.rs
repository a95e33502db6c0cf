//! `creds list [--json]`: the stored key profiles (key IDs masked), the role profiles iamkit
//! serves (stored with `creds add-role`, and those of the AWS config file whose source chain
//! resolves), and the cached sessions (which profiles use them, their kind and expiry). Never a
//! secret: no secret key, no session token, key IDs masked.
//!
//! Text: one line per item, tab-separated: `NAME  ****ABCD  details` for a key profile,
//! `NAME  role  ROLE_ARN from SOURCE (where)` for a role profile, and
//! `NAMES  session  KIND ****ABCD, expires TIME[, STATE]` for a cached session (`NAMES` the
//! profiles that use it, comma-separated, `-` when none does any more).

use iamkit_keystore::{AwsCredentials, RecordKind, Store};
use serde_json::json;

use crate::Globals;
use crate::cmd::creds::config::{ConfigRole, RoleSource};
use crate::cmd::creds::mask;
use crate::cmd::creds::session::{self, Resolver};
use crate::error::{CliError, CliResult};
use crate::io::Out;
use crate::storeopen;

/// A role profile as listed.
struct RoleRow {
    name: String,
    /// `"store"` or `"config"`.
    from: &'static str,
    role: ConfigRole,
}

/// A cached session as listed.
struct SessionRow {
    profiles: Vec<String>,
    kind: &'static str,
    access_key_id: String,
    expiration: String,
    role_arn: Option<String>,
    state: &'static str,
}

pub(crate) fn run(json: bool, globals: &Globals) -> CliResult {
    let opened = storeopen::open(globals)?;
    let store: &dyn Store = opened.store.as_ref();
    let names = store.list(RecordKind::Creds)?;
    let mut keys: Vec<(String, AwsCredentials)> = Vec::with_capacity(names.len());
    for name in names {
        let c = store.get_creds(&name)?;
        keys.push((name, c));
    }
    let resolver = Resolver::new(store);
    let roles = roles(store, &resolver, &keys)?;
    let sessions = sessions(store, &resolver, &keys, &roles)?;
    if json {
        return print_json(&keys, &roles, &sessions);
    }
    for (name, c) in &keys {
        let mut extra = Vec::new();
        if c.session_token.is_some() {
            extra.push("session".to_owned());
        }
        if let Some(e) = &c.expiration {
            extra.push(format!("expires {e}"));
        }
        if let Some(r) = &c.region {
            extra.push(format!("region {r}"));
        }
        if let Some(d) = &c.mfa_device {
            extra.push(format!("mfa {d}"));
        } else if let Some(s) = &c.mfa_serial {
            extra.push(format!("mfa {s}"));
        }
        let line = format!("{name}\t{}\t{}", mask(&c.access_key_id), extra.join(", "));
        Out::line(line.trim_end())?;
    }
    for r in &roles {
        let source = match &r.role.source {
            RoleSource::Profile(p) => p.clone(),
            RoleSource::Environment => "the environment".to_owned(),
        };
        let mut extra = vec![match r.from {
            "store" => "stored".to_owned(),
            _ => "AWS config".to_owned(),
        }];
        if let Some(d) = &r.role.role.mfa_device {
            extra.push(format!("mfa {d}"));
        } else if let Some(s) = &r.role.role.mfa_serial {
            extra.push(format!("mfa {s}"));
        }
        if let Some(region) = &r.role.role.region {
            extra.push(format!("region {region}"));
        }
        Out::line(&format!(
            "{}\trole\t{} from {source} ({})",
            r.name,
            r.role.role.role_arn,
            extra.join(", ")
        ))?;
    }
    for s in &sessions {
        let who = if s.profiles.is_empty() {
            "-".to_owned()
        } else {
            s.profiles.join(",")
        };
        let what = match &s.role_arn {
            Some(arn) => format!("role {arn}"),
            None => s.kind.to_owned(),
        };
        let state = match s.state {
            "valid" => String::new(),
            other => format!(", {other}"),
        };
        Out::line(&format!(
            "{who}\tsession\t{what} {}, expires {}{state}",
            s.access_key_id, s.expiration
        ))?;
    }
    Ok(())
}

/// Stored role profiles, then the AWS config file's role profiles that iamkit would serve (no
/// stored profile of that name, and the source chain resolves).
fn roles(
    store: &dyn Store,
    resolver: &Resolver<'_>,
    keys: &[(String, AwsCredentials)],
) -> CliResult<Vec<RoleRow>> {
    let mut rows = Vec::new();
    for name in store.list(RecordKind::Role)? {
        let role = store.get_role(&name)?;
        rows.push(RoleRow {
            name,
            from: "store",
            role: ConfigRole {
                source: RoleSource::Profile(role.source_profile.clone()),
                role,
            },
        });
    }
    let config = match resolver.config() {
        Ok(c) => c,
        Err(e) => {
            // The stored profiles are still worth listing.
            eprintln!(
                "iamkit: note: the AWS config file's role profiles are not listed: {}",
                e.message
            );
            None
        }
    };
    if let Some(cfg) = config {
        for name in cfg.role_profile_names() {
            let shadowed =
                keys.iter().any(|(k, _)| k == name) || rows.iter().any(|r| r.name == name);
            if shadowed {
                continue;
            }
            let Ok(Some(role)) = cfg.role(name) else {
                continue;
            };
            if session::session_key(resolver, name).is_err() {
                continue;
            }
            rows.push(RoleRow {
                name: name.to_owned(),
                from: "config",
                role,
            });
        }
    }
    Ok(rows)
}

/// Every cached session, with the profiles (listed above) that use it.
fn sessions(
    store: &dyn Store,
    resolver: &Resolver<'_>,
    keys: &[(String, AwsCredentials)],
    roles: &[RoleRow],
) -> CliResult<Vec<SessionRow>> {
    let names = store.list(RecordKind::Session)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut users: Vec<(String, String)> = Vec::new();
    let profiles = keys
        .iter()
        .filter(|(_, c)| c.mfa_device.is_some())
        .map(|(n, _)| n.as_str())
        .chain(roles.iter().map(|r| r.name.as_str()));
    for p in profiles {
        if let Ok(Some(key)) = session::session_key(resolver, p) {
            users.push((key, p.to_owned()));
        }
    }
    let now = session::current_time()?;
    let mut rows = Vec::with_capacity(names.len());
    for name in names {
        let s = match store.get_session(&name) {
            Ok(s) => s,
            // Removed meanwhile, or unreadable (replaced on next use): not listed.
            Err(
                iamkit_keystore::Error::NotFound { .. } | iamkit_keystore::Error::Corrupt { .. },
            ) => {
                continue;
            }
            Err(e) => return Err(CliError::from(e)),
        };
        rows.push(SessionRow {
            profiles: users
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, p)| p.clone())
                .collect(),
            kind: if s.role_arn.is_some() { "role" } else { "mfa" },
            access_key_id: mask(&s.access_key_id),
            state: session::session_state(&s, now),
            expiration: s.expiration.to_string(),
            role_arn: s.role_arn.clone(),
        });
    }
    Ok(rows)
}

fn print_json(
    keys: &[(String, AwsCredentials)],
    roles: &[RoleRow],
    sessions: &[SessionRow],
) -> CliResult {
    let profiles: Vec<_> = keys
        .iter()
        .map(|(name, c)| {
            json!({
                "profile": name,
                "access_key_id": mask(&c.access_key_id),
                "session_token": c.session_token.is_some(),
                "expiration": c.expiration,
                "region": c.region,
                "mfa_serial": c.mfa_serial,
                "mfa_device": c.mfa_device,
            })
        })
        .collect();
    let roles: Vec<_> = roles
        .iter()
        .map(|r| {
            let role = &r.role.role;
            let (source_profile, credential_source) = match &r.role.source {
                RoleSource::Profile(p) => (Some(p.as_str()), None),
                RoleSource::Environment => (None, Some("Environment")),
            };
            json!({
                "profile": r.name,
                "from": r.from,
                "role_arn": role.role_arn,
                "source_profile": source_profile,
                "credential_source": credential_source,
                "mfa_device": role.mfa_device,
                "mfa_serial": role.mfa_serial,
                "external_id": role.external_id,
                "session_name": role.session_name,
                "duration": role.duration,
                "region": role.region,
            })
        })
        .collect();
    let sessions: Vec<_> = sessions
        .iter()
        .map(|s| {
            json!({
                "profiles": s.profiles,
                "kind": s.kind,
                "access_key_id": s.access_key_id,
                "expiration": s.expiration,
                "role_arn": s.role_arn,
                "state": s.state,
            })
        })
        .collect();
    Out::json(&json!({ "profiles": profiles, "roles": roles, "sessions": sessions }))
}
