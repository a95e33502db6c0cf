//! Opening the store the user selected (`--store` / `IAMKIT_STORE`): the CLI's environment
//! (`IAMKIT_STORE_DIR`, `IAMKIT_PASSPHRASE_FILE`, `IAMKIT_PASSPHRASE`, `IAMKIT_CACHE_TTL`, …)
//! read here and passed to the keystore as options, with the CLI's passphrase prompt; and store
//! errors mapped to exit statuses, with the variables and flags that fix them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use iamkit_keystore::{
    self as keystore, OpenOptions, Opened, Overwrite, PassphraseSource, PromptReason, RecordKind,
    Selection, Store,
};
use zeroize::Zeroizing;

use crate::Globals;
use crate::error::{CliError, CliResult, Context};
use crate::io;

/// The file store's directory (default: the keystore's, `$XDG_DATA_HOME/iamkit`).
const STORE_DIR_VAR: &str = "IAMKIT_STORE_DIR";

/// A file whose first line is the file store's passphrase (wins over [`PASSPHRASE_VAR`]).
const PASSPHRASE_FILE_VAR: &str = "IAMKIT_PASSPHRASE_FILE";

/// The file store's passphrase.
const PASSPHRASE_VAR: &str = "IAMKIT_PASSPHRASE";

/// How long the unlocked file store stays unlocked in the kernel keyring.
const CACHE_TTL_VAR: &str = "IAMKIT_CACHE_TTL";

/// INSECURE test knob: new file stores use a scrypt work factor of 2^N (the keystore's
/// `insecure_fast_kdf_for_tests`), so black-box tests don't pay a second per store. Only test
/// builds honour it: the keystore feature behind it is enabled by the CLI's dev-dependencies
/// alone, so a normal (or release) build never even reads the variable.
const FAST_KDF_VAR: &str = "IAMKIT_INSECURE_FAST_KDF_FOR_TESTS";

/// The service name keychain entries are stored under (default `iamkit`): lets tests and
/// several independent setups share one keychain without seeing each other's entries.
const SERVICE_VAR: &str = "IAMKIT_KEYCHAIN_SERVICE";

/// The keystore's message (what is wrong) plus the variable, flag or command of this CLI that
/// fixes it: the keystore knows nothing of them.
pub(crate) fn with_cli_hints(err: &keystore::Error) -> String {
    let hint = match err {
        keystore::Error::AlreadyExists { .. } => "; pass --force to replace it".to_owned(),
        keystore::Error::WrongPassphrase { .. } => {
            format!(" (check {PASSPHRASE_FILE_VAR} / {PASSPHRASE_VAR})")
        }
        keystore::Error::NoPassphrase { .. } => format!(
            ": set {PASSPHRASE_FILE_VAR} or {PASSPHRASE_VAR}, or run in a terminal to be prompted"
        ),
        keystore::Error::WeakKdf { .. } => {
            "; re-seal it with iamkit store passwd, or pass --insecure-allow-weak-kdf to use it \
             as it is"
                .to_owned()
        }
        // The store directory (the file store's, or where a keychain keeps its name index);
        // a keychain's lock in the runtime directory is not chosen with it.
        keystore::Error::Insecure { store, .. } if !store.starts_with("runtime directory") => {
            format!(" (or choose another store directory with {STORE_DIR_VAR})")
        }
        keystore::Error::Locked { .. } => " (--store file selects the file store)".to_owned(),
        _ => String::new(),
    };
    format!("{err}{hint}")
}

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
    let mut opts = options_from(globals, &|k| std::env::var_os(k))?;
    if io::stdin_is_terminal() {
        opts = opts.passphrase_fallback(PassphraseSource::Prompt(Box::new(prompt)));
    }
    Ok(opts)
}

/// [`options`] without the prompt, the environment read through `var`. Empty variables count
/// as unset.
fn options_from(
    globals: &Globals,
    var: &dyn Fn(&str) -> Option<OsString>,
) -> CliResult<OpenOptions> {
    let var = |k: &str| var(k).filter(|v| !v.is_empty());
    let text = |k: &str| -> CliResult<Option<String>> {
        var(k)
            .map(|v| {
                v.into_string()
                    .or_usage(format_args!("{k}: expected UTF-8 text"))
            })
            .transpose()
    };
    let dir = match var(STORE_DIR_VAR) {
        Some(d) => PathBuf::from(d),
        None => keystore::default_dir().or_usage(format_args!(
            "no store directory: set {STORE_DIR_VAR} (or XDG_DATA_HOME or HOME)"
        ))?,
    };
    let mut opts = OpenOptions::new().dir(dir);
    if let Some(p) = var(PASSPHRASE_FILE_VAR) {
        opts = opts.passphrase(PassphraseSource::File(PathBuf::from(p)));
    } else if let Some(v) = text(PASSPHRASE_VAR)? {
        opts = opts.passphrase(PassphraseSource::Value(Zeroizing::new(v)));
    }
    if let Some(v) = text(CACHE_TTL_VAR)? {
        let ttl = parse_ttl(&v).ok_or_else(|| {
            CliError::usage(format!(
                "invalid {CACHE_TTL_VAR}: expected a number of seconds, or a number with suffix s, m or h (0 disables the cache), at most {} seconds (the kernel's limit)",
                keystore::MAX_CACHE_TTL.as_secs()
            ))
        })?;
        opts = opts.cache_ttl(ttl);
    }
    if globals.insecure_allow_weak_kdf {
        opts = opts.insecure_allow_weak_kdf();
    }
    if keystore::INSECURE_FAST_KDF_COMPILED_IN
        && let Some(v) = var(FAST_KDF_VAR)
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
    if let Some(service) = text(SERVICE_VAR)? {
        opts = opts.keychain_service(service);
    }
    Ok(opts)
}

/// `IAMKIT_CACHE_TTL`: seconds, or a number with suffix `s`, `m` or `h`; `0` disables the cache;
/// at most [`keystore::MAX_CACHE_TTL`] (the kernel's limit). `None` for anything else.
fn parse_ttl(v: &str) -> Option<Duration> {
    let v = v.trim();
    let (num, mul) = match v.char_indices().last()? {
        (i, 's') => (&v[..i], 1),
        (i, 'm') => (&v[..i], 60),
        (i, 'h') => (&v[..i], 3600),
        _ => (v, 1),
    };
    let n: u64 = num.parse().ok()?;
    n.checked_mul(mul)
        .map(Duration::from_secs)
        .filter(|d| *d <= keystore::MAX_CACHE_TTL)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn globals() -> Globals {
        Globals {
            store: "file".to_owned(),
            insecure_allow_weak_kdf: false,
        }
    }

    /// `options_from` over a fixed environment.
    fn with(env: &[(&str, &str)]) -> CliResult<OpenOptions> {
        let env: Vec<(String, OsString)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        options_from(&globals(), &|k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn cache_times_in_seconds_minutes_hours_up_to_the_kernel_limit() {
        for (text, secs) in [
            ("0", 0),
            ("90", 90),
            ("90s", 90),
            ("2m", 120),
            ("1h", 3600),
            (" 5m ", 300),
            ("4294967295", 4_294_967_295),
            ("71582788m", 4_294_967_280),
            ("1193046h", 4_294_965_600),
        ] {
            assert_eq!(parse_ttl(text), Some(Duration::from_secs(secs)), "{text}");
        }
        for bad in [
            "",
            "soon",
            "-1",
            "1d",
            "m",
            "1.5h",
            "4294967296",
            "71582789m",
            "1193047h",
            "18446744073709551615h",
        ] {
            assert_eq!(parse_ttl(bad), None, "{bad}");
        }
    }

    /// Caught (#12): the keystore read these variables itself; now the CLI does, and passes
    /// what they say down as options.
    #[test]
    fn the_environment_becomes_options() {
        let o = with(&[
            ("IAMKIT_STORE_DIR", "/s"),
            ("IAMKIT_CACHE_TTL", "2m"),
            ("IAMKIT_KEYCHAIN_SERVICE", "svc"),
        ])
        .unwrap();
        assert_eq!(o.resolved_dir().unwrap(), Path::new("/s"));
        assert_eq!(o.cache_ttl_value(), Duration::from_secs(120));
        let shown = format!("{o:?}");
        assert!(shown.contains("keychain_service: \"svc\""), "{shown}");
        assert!(shown.contains("passphrase: None"), "{shown}");
        // The passphrase file wins over the value; the value is never shown.
        let o = with(&[
            ("IAMKIT_STORE_DIR", "/s"),
            ("IAMKIT_PASSPHRASE_FILE", "/p"),
            ("IAMKIT_PASSPHRASE", "from-env"),
        ])
        .unwrap();
        let shown = format!("{o:?}");
        assert!(shown.contains("File(\"/p\")"), "{shown}");
        let o = with(&[
            ("IAMKIT_STORE_DIR", "/s"),
            ("IAMKIT_PASSPHRASE", "from-env"),
        ])
        .unwrap();
        let shown = format!("{o:?}");
        assert!(
            shown.contains("Value(<redacted>)") && !shown.contains("from-env"),
            "{shown}"
        );
        // Empty counts as unset.
        let o = with(&[
            ("IAMKIT_STORE_DIR", "/s"),
            ("IAMKIT_PASSPHRASE_FILE", ""),
            ("IAMKIT_CACHE_TTL", ""),
        ])
        .unwrap();
        assert!(format!("{o:?}").contains("passphrase: None"));
        assert_eq!(o.cache_ttl_value(), keystore::DEFAULT_CACHE_TTL);
        // A bad cache time is a usage error naming the variable and the limit.
        let e = with(&[("IAMKIT_STORE_DIR", "/s"), ("IAMKIT_CACHE_TTL", "soon")]).unwrap_err();
        assert_eq!(e.exit_code(), std::process::ExitCode::from(2));
        assert!(
            e.message.contains("IAMKIT_CACHE_TTL") && e.message.contains("4294967295"),
            "{}",
            e.message
        );
    }

    #[test]
    fn store_errors_get_the_cli_names_that_fix_them() {
        let store = || "file store at /x".to_owned();
        let cases = [
            (
                keystore::Error::AlreadyExists {
                    store: store(),
                    kind: RecordKind::Mfa,
                    name: "n".into(),
                },
                "--force",
            ),
            (
                keystore::Error::WrongPassphrase { store: store() },
                "IAMKIT_PASSPHRASE_FILE",
            ),
            (
                keystore::Error::NoPassphrase { store: store() },
                "set IAMKIT_PASSPHRASE_FILE or IAMKIT_PASSPHRASE",
            ),
            (
                keystore::Error::WeakKdf {
                    store: store(),
                    log_n: 10,
                },
                "--insecure-allow-weak-kdf",
            ),
            (
                keystore::Error::Insecure {
                    store: store(),
                    problem: "p".into(),
                    fix: "f".into(),
                },
                "IAMKIT_STORE_DIR",
            ),
        ];
        for (err, hint) in cases {
            let keystore_says = err.to_string();
            let cli = with_cli_hints(&err);
            assert!(cli.starts_with(&keystore_says), "{cli}");
            assert!(cli.contains(hint), "{cli}");
        }
        let runtime = keystore::Error::Insecure {
            store: "runtime directory of the Secret Service".into(),
            problem: "p".into(),
            fix: "f".into(),
        };
        assert!(!with_cli_hints(&runtime).contains("IAMKIT_STORE_DIR"));
    }
}
