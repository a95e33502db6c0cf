//! Opening the store the user selected (`--store` / `IAMKIT_STORE`), with the CLI's
//! passphrase prompt, and mapping store errors to exit statuses.

use std::path::Path;

use iamkit_keystore::{
    self as keystore, OpenOptions, Opened, Overwrite, PassphraseSource, PromptReason, RecordKind,
    Selection, Store,
};
use zeroize::Zeroizing;

use crate::Globals;
use crate::error::{CliError, CliResult, Context};
use crate::io;

/// INSECURE test knob: new file stores use a scrypt work factor of 2^N (the keystore's
/// `insecure_fast_kdf_for_tests`), so black-box tests don't pay a second per store. Only test
/// builds honour it: the keystore feature behind it is enabled by the CLI's dev-dependencies
/// alone, so a normal (or release) build never even reads the variable.
const FAST_KDF_VAR: &str = "IAMKIT_INSECURE_FAST_KDF_FOR_TESTS";

/// The service name keychain entries are stored under (default `iamkit`): lets tests and
/// several independent setups share one keychain without seeing each other's entries.
const SERVICE_VAR: &str = "IAMKIT_KEYCHAIN_SERVICE";

/// Parses `--store`.
pub(crate) fn selection(globals: &Globals) -> CliResult<Selection> {
    globals.store.parse().or_usage(format_args!(
        "unknown store {:?} in --store / IAMKIT_STORE: expected auto, keychain or file",
        globals.store
    ))
}

/// Options from the environment and the global flags, plus the test knob (test builds only) and
/// (only when stdin is a terminal) a no-echo passphrase prompt as the last resort.
pub(crate) fn options(globals: &Globals) -> CliResult<OpenOptions> {
    let mut opts = OpenOptions::from_env()?;
    if globals.insecure_allow_weak_kdf {
        opts = opts.insecure_allow_weak_kdf();
    }
    if keystore::INSECURE_FAST_KDF_COMPILED_IN
        && let Some(v) = std::env::var_os(FAST_KDF_VAR)
    {
        let n = v
            .to_str()
            .and_then(|s| s.trim().parse::<u8>().ok())
            .filter(|n| (1..=20).contains(n))
            .ok_or_else(|| {
                CliError::usage(format!("{FAST_KDF_VAR}: expected a number from 1 to 20"))
            })?;
        opts = opts.insecure_fast_kdf_for_tests(n);
    }
    if let Some(service) = std::env::var_os(SERVICE_VAR).filter(|v| !v.is_empty()) {
        let service = service
            .into_string()
            .or_usage(format_args!("{SERVICE_VAR}: expected UTF-8 text"))?;
        opts = opts.keychain_service(service);
    }
    if io::stdin_is_terminal() {
        opts = opts.passphrase_fallback(PassphraseSource::Prompt(Box::new(prompt)));
    }
    Ok(opts)
}

/// The no-echo prompt: once to unlock, twice (compared) to create.
pub(crate) fn prompt(reason: PromptReason, dir: &Path) -> std::io::Result<Zeroizing<String>> {
    match reason {
        PromptReason::Unlock => Ok(Zeroizing::new(rpassword::prompt_password(format!(
            "Passphrase for the iamkit file store at {}: ",
            dir.display()
        ))?)),
        PromptReason::Create => {
            let first = Zeroizing::new(rpassword::prompt_password(format!(
                "New passphrase for the iamkit file store at {}: ",
                dir.display()
            ))?);
            let second = Zeroizing::new(rpassword::prompt_password("Repeat the new passphrase: ")?);
            if first.is_empty() {
                return Err(std::io::Error::other("the passphrase is empty"));
            }
            if *first != *second {
                return Err(std::io::Error::other("the two passphrases differ"));
            }
            Ok(first)
        }
    }
}

/// Opens the selected store.
pub(crate) fn open(globals: &Globals) -> CliResult<Opened> {
    let sel = selection(globals)?;
    let opts = options(globals)?;
    Ok(keystore::open(sel, opts)?)
}

/// For a batch import: unless `force`, refuses (exit 2, nothing written) when any of `names` is
/// already stored as `kind`, naming them all; returns how the records may then be written.
pub(crate) fn check_batch_overwrite(
    store: &dyn Store,
    kind: RecordKind,
    names: &[&str],
    force: bool,
    what: &str,
) -> CliResult<Overwrite> {
    if force {
        return Ok(Overwrite::Allow);
    }
    let existing = store.list(kind)?;
    let clash: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| existing.iter().any(|e| e == n))
        .collect();
    if !clash.is_empty() {
        return Err(CliError::usage(format!(
            "{what} already stored: {}; pass --force to replace them (nothing was imported)",
            clash.join(", ")
        )));
    }
    Ok(Overwrite::Refuse)
}
