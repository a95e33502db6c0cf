//! `iamkit creds rotate PROFILE`: a new access key in place of the stored one, in steps that
//! each leave a state the next run finishes:
//!
//! 1. `ListAccessKeys`: the stored key is the user's and active, and the user is below AWS's
//!    two-key limit (else one line naming the other key; nothing changed); the intent is
//!    recorded with the user's key IDs of now;
//! 2. `CreateAccessKey`; the new key is stored beside the old (the record's `rotation`);
//! 3. `GetCallerIdentity` with the new key until it works (IAM is eventually consistent);
//! 4. `DeleteAccessKey` of the old key;
//! 5. the new key takes the old one's place in the record; cached sessions made from the old
//!    key are dropped.
//!
//! Interrupted between 1 and 2 (a key created whose secret was never stored), the next run
//! deletes that key (it is not among the keys recorded in step 1) and creates another.
//! Interrupted after 4, the old key no longer signs anything: the next run sees it refused
//! (`InvalidClientTokenId`) or gone (`NoSuchEntity`) and finishes step 5.

use std::time::Duration;

use iamkit_aws::{
    AccessKeyId, CallerIdentity, CreateAccessKey, CreateAccessKeyResponse, DeleteAccessKey,
    DeleteAccessKeyResponse, Endpoint, Error as AwsErr, GetCallerIdentity, ListAccessKeys,
    ListAccessKeysResponse, Service, UserName, check_rotation,
};
use iamkit_keystore::{AwsCredentials, KeyRotation, Overwrite};
use zeroize::Zeroizing;

use crate::Globals;
use crate::cmd::creds::iam::{Iam, now, signing, transport};
use crate::cmd::creds::session;
use crate::error::{CliError, CliResult, Context, InContext};
use crate::io::Out;
use crate::storeopen;

/// How many times (2 s apart) the new key is tried before giving up for this run.
const WORKS_ATTEMPTS: u32 = 15;

/// `creds rotate`. `abort_after`: a test hook that ends the process after that step.
pub(crate) fn rotate(profile: &str, abort_after: Option<u8>, globals: &Globals) -> CliResult {
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let hook = |step: u8| {
        if abort_after == Some(step) {
            eprintln!("iamkit: stopping after step {step} (--abort-after-step)");
            std::process::exit(99);
        }
    };
    let rec = store.get_creds(profile)?;
    if rec.session_token.is_some() {
        return Err(CliError::usage(format!(
            "profile {profile:?} holds temporary credentials (a session token): only a long-term access key can be rotated"
        )));
    }
    let mut rec = rec;
    if rec.rotation.is_none() {
        let iam = Iam::for_profile(store, profile)?;
        let user = iam.user(None)?.name;
        let keys = list_keys(&iam, &user)?;
        match check_rotation(&keys, &rec.access_key_id) {
            Ok(()) => {}
            Err(e @ AwsErr::AccessKeyLimit { .. }) => {
                return Err(CliError::check_failed(format!("{e}; nothing was changed")));
            }
            Err(other) => return Err(other.in_context(&format_args!("profile {profile:?}"))),
        }
        rec.rotation = Some(KeyRotation {
            user_name: user.as_str().to_owned(),
            keys_before: keys.keys.iter().map(|k| k.access_key_id.clone()).collect(),
            new_access_key_id: None,
            new_secret_access_key: None,
        });
        store.put_creds(profile, &rec, Overwrite::Allow)?;
        hook(1);
    }
    let Some(rotation) = rec.rotation.clone() else {
        return Err(CliError::storage("the rotation was not recorded"));
    };
    let user = UserName::new(&rotation.user_name).stored_context("the stored rotation's user")?;

    if rotation.new_access_key_id.is_none() {
        let iam = Iam::for_profile(store, profile)?;
        // Keys made by an interrupted run whose secret was never stored: delete them.
        let keys = list_keys(&iam, &user)?;
        for k in &keys.keys {
            if k.access_key_id != rec.access_key_id
                && !rotation.keys_before.contains(&k.access_key_id)
            {
                delete_key(&iam, &user, &k.access_key_id)?;
            }
        }
        let made = iam.call_or_refusal::<_, CreateAccessKeyResponse>(
            &CreateAccessKey::new().user(user.clone()),
            "CreateAccessKey",
        )?;
        let made = match made {
            Ok(made) => made,
            Err(a) if a.code == "LimitExceeded" => {
                let other = keys
                    .keys
                    .iter()
                    .find(|k| k.access_key_id != rec.access_key_id)
                    .map_or_else(String::new, |k| format!(": {}", k.access_key_id));
                return Err(CliError::check_failed(format!(
                    "user {} already has two access keys (AWS's limit){other}; delete the other key first, then rotate (LimitExceeded)",
                    user.as_str()
                )));
            }
            Err(a) => return Err(AwsErr::Aws(a).in_context(&"CreateAccessKey")),
        };
        hook(2);
        let new = made.access_key;
        let mut r = rotation.clone();
        r.new_access_key_id = Some(new.access_key_id.clone());
        r.new_secret_access_key = Some(new.secret_access_key.clone());
        rec.rotation = Some(r);
        store.put_creds(profile, &rec, Overwrite::Allow)?;
        hook(3);
    }
    let Some(rotation) = rec.rotation.clone() else {
        return Err(CliError::storage("the rotation was not recorded"));
    };
    let (Some(new_id), Some(new_secret)) = (
        rotation.new_access_key_id.clone(),
        rotation.new_secret_access_key.clone(),
    ) else {
        return Err(CliError::storage("the stored rotation has no new key"));
    };
    let mut new_creds = AwsCredentials::new(new_id.clone(), new_secret.as_str());
    new_creds.region.clone_from(&rec.region);
    wait_until_works(&new_creds)?;
    hook(4);

    // Delete the old key, signed as the profile still is (its MFA session where it has one).
    // The old key refused or gone: an earlier run deleted it already.
    let old_id = rec.access_key_id.clone();
    match Iam::for_profile(store, profile) {
        Ok(iam) => match iam.call_or_refusal::<_, DeleteAccessKeyResponse>(
            &DeleteAccessKey::new(key_id(&old_id)?).user(user.clone()),
            "DeleteAccessKey",
        )? {
            Ok(_) => {}
            Err(a) if a.code == "NoSuchEntity" || a.code == "InvalidClientTokenId" => {}
            Err(a) => return Err(AwsErr::Aws(a).in_context(&"DeleteAccessKey")),
        },
        Err(e) if e.message.contains("InvalidClientTokenId") => {}
        Err(e) => return Err(e),
    }
    hook(5);

    rec.access_key_id = new_id.clone();
    rec.secret_access_key = Zeroizing::new(new_secret.to_string());
    rec.rotation = None;
    store.put_creds(profile, &rec, Overwrite::Allow)?;
    session::forget_sessions_of_key(store, &old_id)?;
    Out::line(&new_id)
}

fn key_id(id: &str) -> CliResult<AccessKeyId> {
    AccessKeyId::new(id).stored_context("the stored access key ID")
}

fn list_keys(iam: &Iam, user: &UserName) -> CliResult<ListAccessKeysResponse> {
    iam.call(&ListAccessKeys::new().user(user.clone()), "ListAccessKeys")
}

fn delete_key(iam: &Iam, user: &UserName, id: &str) -> CliResult {
    match iam.call_or_refusal::<_, DeleteAccessKeyResponse>(
        &DeleteAccessKey::new(key_id(id)?).user(user.clone()),
        "DeleteAccessKey",
    )? {
        Ok(_) => Ok(()),
        Err(a) if a.code == "NoSuchEntity" => Ok(()),
        Err(a) => Err(AwsErr::Aws(a).in_context(&"DeleteAccessKey")),
    }
}

/// `GetCallerIdentity` with the new key until STS takes it (a new key takes a few seconds to
/// work everywhere), bounded; refused every time: exit 1 (the next run tries again).
fn wait_until_works(creds: &AwsCredentials) -> CliResult {
    let endpoint = Endpoint::resolve(Service::Sts, creds.region.as_deref(), |k| {
        std::env::var(k).ok()
    })
    .context("STS")?;
    let transport = transport()?;
    let mut last = None;
    for attempt in 0..WORKS_ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(Duration::from_secs(2));
        }
        let signed = GetCallerIdentity
            .sign(&endpoint, &signing(creds), now()?)
            .context("GetCallerIdentity")?;
        match transport.call::<CallerIdentity>(&signed) {
            Ok(_) => return Ok(()),
            Err(AwsErr::Aws(a)) if a.code == "InvalidClientTokenId" || a.code == "AccessDenied" => {
                last = Some(a);
            }
            Err(e) => return Err(e.in_context(&"GetCallerIdentity")),
        }
    }
    let why = last.map_or_else(String::new, |a| format!(" ({})", a.code));
    Err(CliError::check_failed(format!(
        "the new access key is stored but STS still refuses it after {} s{why}: run iamkit creds rotate again to finish",
        2 * (WORKS_ATTEMPTS - 1)
    )))
}
