//! `iamkit otp verify … --replay-store URL --account ID`: RFC 6238 §5.2 across processes and
//! machines, through `iamkit-replay-redis`.
//!
//! The code is checked first; a matching step is then recorded for ACCOUNT in Redis by one
//! atomic script. A step not newer than the last one recorded is `code already used` (exit 1);
//! a store that cannot be reached or answers wrongly is exit 3, and the code is not accepted.

use std::path::PathBuf;

use clap::Args;
use iamkit_otp::replay::{ReplayStore, record_ttl};
use iamkit_otp::{Matched, Refused, Totp, Window};
use iamkit_replay_redis::RedisStore;
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult, Context};

/// The environment variable holding the store's password, so that it need not be in the URL
/// on the command line.
const PASSWORD_ENV: &str = "IAMKIT_REPLAY_STORE_PASSWORD";

// The replay-store flags of `otp verify`.
#[derive(Debug, Args, Clone)]
pub(crate) struct ReplayArgs {
    /// Refuse a code (or an earlier one) already accepted for --account, across processes and
    /// machines: redis://[USER:PASS@]HOST:PORT[/DB], rediss://… (TLS), or
    /// redis+cluster://HOST:PORT[,HOST:PORT…]. The password may come from
    /// $IAMKIT_REPLAY_STORE_PASSWORD instead of the URL.
    // The text is `--help`'s, where [USER:PASS@] is the usual optional part, not a doc link.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long, value_name = "URL", requires = "account")]
    replay_store: Option<String>,
    /// The account (any string naming the user) whose codes the replay store tracks.
    #[arg(long, value_name = "ID", requires = "replay_store")]
    account: Option<String>,
    /// TLS (rediss://): trust this CA certificate (PEM) instead of the system's.
    #[arg(long, value_name = "FILE", requires = "replay_store")]
    replay_store_ca: Option<PathBuf>,
}

impl ReplayArgs {
    /// Whether a replay store was asked for.
    pub(crate) fn is_set(&self) -> bool {
        self.replay_store.is_some()
    }
}

/// HOTP keeps its counter in the caller's hands: the store is for TOTP.
pub(crate) fn refuse_for_hotp(args: &ReplayArgs) -> CliResult {
    if args.is_set() {
        return Err(CliError::usage(
            "--replay-store is for TOTP codes (HOTP: keep the next counter yourself and pass --counter)",
        ));
    }
    Ok(())
}

/// A store opened from the flags, with the account it tracks.
#[derive(Debug)]
pub(crate) struct Opened {
    store: RedisStore,
    account: String,
}

/// Checks the flags and builds the store (no I/O yet), before the code is checked, so that a
/// bad URL is a usage error whatever the code.
pub(crate) fn open(args: &ReplayArgs) -> CliResult<Option<Opened>> {
    let (Some(url), Some(account)) = (&args.replay_store, &args.account) else {
        return Ok(None);
    };
    if account.is_empty() {
        return Err(CliError::usage(
            "--account is empty: expected a name for the user whose codes are tracked",
        ));
    }
    let mut b = RedisStore::builder(url.as_str());
    if let Ok(pw) = std::env::var(PASSWORD_ENV) {
        b = b.password(Zeroizing::new(pw));
    }
    if let Some(ca) = &args.replay_store_ca {
        let pem = std::fs::read(ca)
            .context(format_args!("--replay-store-ca {}", ca.display()))
            .hint("expected a PEM certificate file")?;
        b = b.root_certificate_pem(pem);
    }
    let store = b.build()?;
    Ok(Some(Opened {
        store,
        account: account.clone(),
    }))
}

/// Records `matched` for the account, if a store was asked for: `Ok` when the step is new.
pub(crate) fn record(
    opened: Option<&Opened>,
    totp: &Totp,
    window: Window,
    matched: &Matched,
    now: u64,
) -> CliResult {
    let Some(Opened { store, account }) = opened else {
        return Ok(());
    };
    let ttl = record_ttl(totp, window, matched.step, now);
    match store.check_and_record(account, matched.step, ttl) {
        Ok(()) => Ok(()),
        Err(Refused::Store(e)) => Err(CliError::storage(e.to_string())),
        Err(Refused::Replayed) => Err(CliError::check_failed("code already used")),
        Err(other) => Err(CliError::storage(format!(
            "the replay store refused the code unexpectedly: {other}"
        ))),
    }
}
