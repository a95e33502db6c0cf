//! Calling IAM for a profile (`mfa enroll/unenroll`, `creds rotate`): the IAM endpoint, the
//! profile's credentials (its MFA or role session where it has one, as `creds process` hands
//! out), and the caller's user name (from `GetUser` with the long-term keys, which IAM answers
//! without MFA).

use std::time::SystemTime;

use iamkit_aws::{
    Endpoint, GetUser, GetUserResponse, IamCall, QueryResponse, Service, Transport, UserName,
};
use iamkit_keystore::{AwsCredentials, Store};
use iamkit_sigv4::{Credentials, Timestamp};

use crate::cmd::creds::session;
use crate::error::{CliError, CliResult, Context, InContext};

/// An IAM client acting as one profile.
pub(crate) struct Iam {
    endpoint: Endpoint,
    /// What the calls are signed with.
    creds: AwsCredentials,
    /// The long-term keys behind the profile (none for a role profile).
    long_term: Option<AwsCredentials>,
    transport: Transport,
    profile: String,
}

/// `AwsCredentials` as signing credentials.
pub(crate) fn signing(c: &AwsCredentials) -> Credentials {
    let mut out = Credentials::new(c.access_key_id.clone(), c.secret_access_key.as_str());
    if let Some(t) = &c.session_token {
        out = out.with_session_token(t.as_str());
    }
    out
}

pub(crate) fn now() -> CliResult<Timestamp> {
    Timestamp::from_system_time(SystemTime::now())
        .or_usage("the system clock is outside 1970..9999: set it")
}

pub(crate) fn transport() -> CliResult<Transport> {
    Transport::builder().build().context("transport")
}

impl Iam {
    /// IAM as `profile`: its session credentials (MFA or role) where it has them.
    pub(crate) fn for_profile(store: &dyn Store, profile: &str) -> CliResult<Iam> {
        let creds = session::credentials_in(store, profile, false)?;
        let long_term = session::long_term_in(store, profile)?;
        Iam::with(profile, creds, long_term)
    }

    /// IAM as `profile` with explicit credentials.
    pub(crate) fn with(
        profile: &str,
        creds: AwsCredentials,
        long_term: Option<AwsCredentials>,
    ) -> CliResult<Iam> {
        let endpoint = Endpoint::resolve(Service::Iam, creds.region.as_deref(), |k| {
            std::env::var(k).ok()
        })
        .context("IAM")?;
        Ok(Iam {
            endpoint,
            creds,
            long_term,
            transport: transport()?,
            profile: profile.to_owned(),
        })
    }

    /// Sends `call`; `what` names it in errors.
    pub(crate) fn call<C: IamCall, R: QueryResponse>(&self, call: &C, what: &str) -> CliResult<R> {
        self.call_as(call, &self.creds, what)
    }

    fn call_as<C: IamCall, R: QueryResponse>(
        &self,
        call: &C,
        creds: &AwsCredentials,
        what: &str,
    ) -> CliResult<R> {
        match self.send(call, creds, what)? {
            Ok(r) => Ok(r),
            Err(refusal) => Err(iamkit_aws::Error::Aws(refusal).in_context(&what)),
        }
    }

    /// Sends `call`: `Ok(Err(refusal))` when AWS refused it, for the caller to word; every
    /// other failure is mapped as [`Iam::call`] maps it.
    pub(crate) fn call_or_refusal<C: IamCall, R: QueryResponse>(
        &self,
        call: &C,
        what: &str,
    ) -> CliResult<Result<R, iamkit_aws::AwsError>> {
        self.send(call, &self.creds, what)
    }

    /// Signs `call` with `creds` and sends it; AWS's refusal as `Ok(Err(_))`.
    fn send<C: IamCall, R: QueryResponse>(
        &self,
        call: &C,
        creds: &AwsCredentials,
        what: &str,
    ) -> CliResult<Result<R, iamkit_aws::AwsError>> {
        let signed = call
            .sign(&self.endpoint, &signing(creds), now()?)
            .context(what)?;
        match self.transport.call(&signed) {
            Ok(r) => Ok(Ok(r)),
            Err(iamkit_aws::Error::Aws(a)) => Ok(Err(a)),
            Err(e) => Err(e.in_context(&what)),
        }
    }

    /// The IAM user to act on: `explicit` (checked), else the caller's own (GetUser with the
    /// long-term keys).
    pub(crate) fn user(&self, explicit: Option<&str>) -> CliResult<GetUserOrName> {
        if let Some(u) = explicit {
            let name = UserName::new(u).context("--user")?;
            return Ok(GetUserOrName { name, arn: None });
        }
        let Some(keys) = &self.long_term else {
            return Err(CliError::usage(format!(
                "profile {:?} is a role profile: name the IAM user with --user USER",
                self.profile
            )));
        };
        let me: GetUserResponse = self.call_as(&GetUser::new(), keys, "GetUser")?;
        let name = UserName::new(&me.user_name).context("GetUser")?;
        Ok(GetUserOrName {
            name,
            arn: Some(me.arn),
        })
    }
}

/// The user acted on, and its ARN when GetUser told it.
pub(crate) struct GetUserOrName {
    pub(crate) name: UserName,
    pub(crate) arn: Option<String>,
}

/// The account ID in an IAM ARN (`arn:PARTITION:iam::ACCOUNT:…`).
pub(crate) fn account_of(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_arns() {
        assert_eq!(
            account_of("arn:aws:iam::123456789012:mfa/alice"),
            Some("123456789012")
        );
        assert_eq!(account_of("arn:aws:iam::12:mfa/alice"), None);
        assert_eq!(account_of("GAHT12345678"), None);
    }
}
