//! `iamkit store …`: which store is in use, and forgetting a cached unlock.

use clap::Subcommand;
use iamkit_keystore::{self as keystore, PassphraseSource, StoreKind};
use serde_json::json;

use std::path::Path;

use zeroize::Zeroizing;

use crate::Globals;
use crate::error::{CliError, CliResult, Context};
use crate::io::{self, Out};
use crate::storeopen;

/// `iamkit store` subcommands.
#[derive(Debug, Subcommand)]
// Only the subcommand being run builds its arguments (start-up time: BENCHMARKS.md).
#[command(defer = true)]
pub(crate) enum StoreCmd {
    /// Say which store is in use and why.
    Status {
        /// One JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Forget any cached unlock of the file store, in every login session.
    ///
    /// The store's unlock epoch is renewed: every cached unlock, in this or any other session,
    /// was made for the old one and no longer counts.
    Lock,
    /// Change the file store's passphrase: its key is re-encrypted, records are untouched.
    ///
    /// The current passphrase comes from IAMKIT_PASSPHRASE_FILE, IAMKIT_PASSPHRASE or a
    /// prompt; the new one from IAMKIT_NEW_PASSPHRASE_FILE (first line), IAMKIT_NEW_PASSPHRASE
    /// or a prompt (asked twice). Never from the command line.
    Passwd,
}

pub(crate) fn run(cmd: StoreCmd, globals: &Globals) -> CliResult {
    match cmd {
        StoreCmd::Status { json } => status(globals, json),
        StoreCmd::Lock => lock(globals),
        StoreCmd::Passwd => passwd(globals),
    }
}

/// A short machine name for a store kind.
pub(crate) fn kind_name(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::File => "file",
        StoreKind::SecretService => "secret-service",
        StoreKind::MacosKeychain => "macos-keychain",
        StoreKind::WindowsCredentialManager => "windows-credential-manager",
        StoreKind::KernelKeyring => "kernel-keyring",
        StoreKind::Mock => "mock",
        _ => "other",
    }
}

fn status(globals: &Globals, json: bool) -> CliResult {
    let opened = storeopen::open(globals)?;
    let st = &opened.status;
    let is_file = st.info.kind == StoreKind::File;
    // Whether the file store's key is cached (no passphrase needed right now), and the
    // passphrase work factor of its key.
    let (cached, log_n) = if is_file {
        let opts = storeopen::options(globals)?;
        let cached = keystore::is_cached(&opts)?;
        let file = keystore::FileStore::open(opts)?;
        (Some(cached), file.scrypt_work_factor()?)
    } else {
        (None, None)
    };
    if json {
        return Out::json(&json!({
            "store": kind_name(st.info.kind),
            "selection": st.selection.to_string(),
            "description": st.info.description,
            "reason": st.reason,
            "unlock_cached": cached,
            "scrypt_log_n": log_n,
            "scrypt_min_log_n": is_file.then_some(keystore::MIN_SCRYPT_LOG_N),
        }));
    }
    Out::line(&format!("store: {}", st.info.description))?;
    Out::line(&format!("why: {}", st.reason))?;
    match cached {
        Some(true) => Out::line("unlock: cached (iamkit store lock forgets it)")?,
        Some(false) => {
            Out::line("unlock: not cached (the passphrase is asked for on first use)")?;
        }
        None => {}
    }
    let min = keystore::MIN_SCRYPT_LOG_N;
    match log_n {
        Some(n) if n < min => Out::line(&format!(
            "kdf: scrypt work factor 2^{n}, below the minimum 2^{min}: refused unless \
             --insecure-allow-weak-kdf; iamkit store passwd re-seals it"
        )),
        Some(n) => Out::line(&format!("kdf: scrypt work factor 2^{n} (minimum 2^{min})")),
        None if is_file => Out::line(&format!(
            "kdf: none yet (the store is created on first write, with scrypt work factor at least 2^{min})"
        )),
        None => Ok(()),
    }
}

fn lock(globals: &Globals) -> CliResult {
    let opts = storeopen::options(globals)?;
    let dir = opts.resolved_dir()?;
    let dropped = keystore::lock(&opts)?;
    if dropped {
        Out::line(&format!(
            "locked: forgot the cached unlock of the file store at {}; cached unlocks in other \
             sessions no longer count either",
            dir.display()
        ))
    } else {
        Out::line(&format!(
            "locked: no cached unlock of the file store at {} in this session (nothing to \
             forget); any in other sessions no longer counts",
            dir.display()
        ))
    }
}

const NEW_PASSPHRASE_FILE: &str = "IAMKIT_NEW_PASSPHRASE_FILE";
const NEW_PASSPHRASE: &str = "IAMKIT_NEW_PASSPHRASE";

fn passwd(globals: &Globals) -> CliResult {
    let opts = storeopen::options(globals)?;
    let store = keystore::FileStore::open(opts)?;
    // The current passphrase is asked first (inside change_passphrase), then the new one.
    store.change_passphrase(&new_passphrase()?)?;
    Out::line(&format!(
        "changed the passphrase of the file store at {} (records unchanged)",
        store.dir().display()
    ))
}

/// Where the new passphrase comes from: a file, a variable, or (on a terminal) a prompt that
/// asks twice.
fn new_passphrase() -> CliResult<PassphraseSource> {
    let value = if let Some(p) = std::env::var_os(NEW_PASSPHRASE_FILE).filter(|v| !v.is_empty()) {
        let text = Zeroizing::new(std::fs::read_to_string(&p).context(format_args!(
            "cannot read {NEW_PASSPHRASE_FILE} {}",
            Path::new(&p).display()
        ))?);
        Zeroizing::new(text.lines().next().unwrap_or("").to_owned())
    } else if let Some(v) = std::env::var_os(NEW_PASSPHRASE).filter(|v| !v.is_empty()) {
        Zeroizing::new(
            v.into_string()
                .or_usage(format_args!("{NEW_PASSPHRASE}: expected UTF-8 text"))?,
        )
    } else if io::stdin_is_terminal() {
        return Ok(PassphraseSource::Prompt(Box::new(storeopen::prompt)));
    } else {
        return Err(CliError::usage(format!(
            "no new passphrase: set {NEW_PASSPHRASE_FILE} or {NEW_PASSPHRASE}, or run in a terminal to be prompted"
        )));
    };
    if value.is_empty() {
        return Err(CliError::usage("the new passphrase is empty"));
    }
    Ok(PassphraseSource::Value(value))
}
