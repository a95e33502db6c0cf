//! `iamkit store …`: which store is in use, and forgetting a cached unlock.

use clap::Subcommand;
use iamkit_keystore::{self as keystore, StoreKind};
use serde_json::json;

use crate::Globals;
use crate::error::CliResult;
use crate::io::Out;
use crate::storeopen::{self, store_error};

/// `iamkit store` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum StoreCmd {
    /// Say which store is in use and why.
    Status {
        /// One JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Forget any cached unlock of the file store.
    Lock,
}

pub(crate) fn run(cmd: StoreCmd, globals: &Globals) -> CliResult {
    match cmd {
        StoreCmd::Status { json } => status(globals, json),
        StoreCmd::Lock => lock(),
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
    // Whether the file store's key is cached (no passphrase needed right now).
    let cached = if is_file {
        let opts = storeopen::options()?;
        Some(keystore::is_cached(&opts).map_err(store_error)?)
    } else {
        None
    };
    if json {
        return Out::json(&json!({
            "store": kind_name(st.info.kind),
            "selection": st.selection.to_string(),
            "description": st.info.description,
            "reason": st.reason,
            "unlock_cached": cached,
        }));
    }
    Out::line(&format!("store: {}", st.info.description))?;
    Out::line(&format!("why: {}", st.reason))?;
    match cached {
        Some(true) => Out::line("unlock: cached (iamkit store lock forgets it)"),
        Some(false) => Out::line("unlock: not cached (the passphrase is asked for on first use)"),
        None => Ok(()),
    }
}

fn lock() -> CliResult {
    let opts = storeopen::options()?;
    let dir = opts.resolved_dir().map_err(store_error)?;
    let dropped = keystore::lock(&opts).map_err(store_error)?;
    if dropped {
        Out::line(&format!(
            "locked: forgot the cached unlock of the file store at {}",
            dir.display()
        ))
    } else {
        Out::line(&format!(
            "locked: no cached unlock of the file store at {} (nothing to forget)",
            dir.display()
        ))
    }
}
