//! Choosing and opening a store: [`open`], [`OpenOptions`], [`Selection`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::{Error, FileStore, Store, StoreInfo};

/// Which store to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    /// The OS keychain where one is reachable, else the file store.
    #[default]
    Auto,
    /// The OS keychain, or an error saying why it cannot be used.
    Keychain,
    /// The encrypted file store.
    File,
}

impl FromStr for Selection {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "auto" => Ok(Selection::Auto),
            "keychain" => Ok(Selection::Keychain),
            "file" => Ok(Selection::File),
            _ => Err(Error::InvalidOption {
                option: "store selection",
                expected: "one of auto, keychain, file",
            }),
        }
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Selection::Auto => "auto",
            Selection::Keychain => "keychain",
            Selection::File => "file",
        })
    }
}

/// Why the file store asks for a passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptReason {
    /// To unlock an existing store.
    Unlock,
    /// To create a new store: the caller should ask twice and compare.
    Create,
}

/// A passphrase prompt supplied by the caller (the CLI reads the terminal without echo; this
/// library never touches the terminal). It receives the reason and the store directory.
pub type PromptFn =
    Box<dyn Fn(PromptReason, &Path) -> std::io::Result<Zeroizing<String>> + Send + Sync>;

/// Where the file store's passphrase comes from.
pub enum PassphraseSource {
    /// The first line of this file.
    File(PathBuf),
    /// This value.
    Value(Zeroizing<String>),
    /// Ask the user.
    Prompt(PromptFn),
}

impl fmt::Debug for PassphraseSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassphraseSource::File(p) => f.debug_tuple("File").field(p).finish(),
            PassphraseSource::Value(_) => f.write_str("Value(<redacted>)"),
            PassphraseSource::Prompt(_) => f.write_str("Prompt(<fn>)"),
        }
    }
}

impl PassphraseSource {
    pub(crate) fn get(&self, reason: PromptReason, dir: &Path) -> Result<Zeroizing<String>, Error> {
        let store = || format!("file store at {}", dir.display());
        let pass = match self {
            PassphraseSource::Value(v) => v.clone(),
            PassphraseSource::File(p) => {
                let text = Zeroizing::new(
                    std::fs::read_to_string(p)
                        .map_err(|e| Error::io("read the passphrase file", p, e))?,
                );
                Zeroizing::new(text.lines().next().unwrap_or("").to_owned())
            }
            PassphraseSource::Prompt(f) => {
                f(reason, dir).map_err(|e| Error::io("read a passphrase for", dir, e))?
            }
        };
        if pass.is_empty() {
            return Err(Error::NoPassphrase { store: store() });
        }
        Ok(pass)
    }
}

/// Default time the file store's unlocked key stays cached in the kernel session keyring.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(15 * 60);

/// Options for [`open`], from [`OpenOptions::new`]. This crate reads no configuration of its
/// own from the environment: a program passes what its users configured (the `iamkit` CLI reads
/// its `IAMKIT_*` variables and sets these).
#[derive(Debug)]
pub struct OpenOptions {
    pub(crate) dir: Option<PathBuf>,
    pub(crate) passphrase: Option<PassphraseSource>,
    pub(crate) cache_ttl: Duration,
    pub(crate) keychain_service: String,
    pub(crate) kdf_log_n: Option<u8>,
    pub(crate) allow_weak_kdf: bool,
    pub(crate) runtime_dir: Option<PathBuf>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenOptions {
    /// Defaults: the directory [`default_dir`] at open time, no passphrase source, 15-minute
    /// cache, keychain service name `iamkit`.
    pub fn new() -> Self {
        OpenOptions {
            dir: None,
            passphrase: None,
            cache_ttl: DEFAULT_CACHE_TTL,
            keychain_service: "iamkit".to_owned(),
            kdf_log_n: None,
            allow_weak_kdf: false,
            runtime_dir: None,
        }
    }

    /// The file store directory (and where keychain stores keep their name index).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Where the file store's passphrase comes from (replaces any earlier source).
    pub fn passphrase(mut self, source: PassphraseSource) -> Self {
        self.passphrase = Some(source);
        self
    }

    /// Use this passphrase source only if none is configured yet (e.g. a prompt as the last
    /// resort after a file or value the user may have configured).
    pub fn passphrase_fallback(mut self, source: PassphraseSource) -> Self {
        if self.passphrase.is_none() {
            self.passphrase = Some(source);
        }
        self
    }

    /// How long the unlocked file key stays in the kernel session keyring; zero disables
    /// caching (every use then pays the passphrase KDF). Whole seconds (at least one); more
    /// than [`MAX_CACHE_TTL`](crate::MAX_CACHE_TTL) is refused when the store is opened.
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = ttl;
        self
    }

    /// The service name under which keychain entries are stored (default `iamkit`).
    pub fn keychain_service(mut self, service: impl Into<String>) -> Self {
        self.keychain_service = service.into();
        self
    }

    /// INSECURE, for tests only: create new file stores with a scrypt work factor of
    /// 2^`log_n` instead of age's default (about a second of work), and unlock stores below
    /// [`MIN_SCRYPT_LOG_N`](crate::MIN_SCRYPT_LOG_N). A store created so can be unlocked by
    /// brute force far more cheaply.
    ///
    /// Only builds with the crate feature `insecure-fast-kdf-for-tests` honour it, and only
    /// test targets enable that feature (through dev-dependencies); in any other build this
    /// does nothing (see [`INSECURE_FAST_KDF_COMPILED_IN`]).
    pub fn insecure_fast_kdf_for_tests(mut self, log_n: u8) -> Self {
        if INSECURE_FAST_KDF_COMPILED_IN {
            self.kdf_log_n = Some(log_n);
        }
        self
    }

    /// INSECURE: unlock a file store whose passphrase work factor is below
    /// [`MIN_SCRYPT_LOG_N`](crate::MIN_SCRYPT_LOG_N) instead of refusing it
    /// ([`Error::Insecure`]). Such a key falls to a brute-force search of the passphrase far
    /// sooner; re-seal it with [`FileStore::change_passphrase`] instead where possible.
    pub fn insecure_allow_weak_kdf(mut self) -> Self {
        self.allow_weak_kdf = true;
        self
    }

    /// Where keychain stores keep their lock (default `$XDG_RUNTIME_DIR/iamkit`, else
    /// `<temporary directory>/iamkit-<uid>`): one lock per keychain service, shared by every
    /// store directory.
    pub fn runtime_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.runtime_dir = Some(dir.into());
        self
    }

    /// The directory in use: the configured one or the default.
    ///
    /// # Errors
    ///
    /// `Error::InvalidOption` when no directory is configured and neither `XDG_DATA_HOME` nor
    /// `HOME` is set.
    pub fn resolved_dir(&self) -> Result<PathBuf, Error> {
        match &self.dir {
            Some(d) => Ok(d.clone()),
            None => default_dir(),
        }
    }

    /// The configured cache time.
    pub fn cache_ttl_value(&self) -> Duration {
        self.cache_ttl
    }
}

/// Whether this build honours [`OpenOptions::insecure_fast_kdf_for_tests`] (the crate feature
/// `insecure-fast-kdf-for-tests`, which only test builds enable).
pub const INSECURE_FAST_KDF_COMPILED_IN: bool = cfg!(feature = "insecure-fast-kdf-for-tests");

/// The usual place of the store directory: `$XDG_DATA_HOME/iamkit`, else
/// `$HOME/.local/share/iamkit` (Windows: `%APPDATA%\iamkit`).
///
/// # Errors
/// [`Error::InvalidOption`] when none of those variables is set.
pub fn default_dir() -> Result<PathBuf, Error> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var("XDG_DATA_HOME") {
        return Ok(d.join("iamkit"));
    }
    if cfg!(windows)
        && let Some(d) = var("APPDATA")
    {
        return Ok(d.join("iamkit"));
    }
    if let Some(h) = var("HOME") {
        return Ok(h.join(".local").join("share").join("iamkit"));
    }
    Err(Error::InvalidOption {
        option: "store directory",
        expected: "a directory given, or XDG_DATA_HOME or HOME to be set",
    })
}

/// Which store was opened and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStatus {
    /// What was asked for.
    pub selection: Selection,
    /// The store in use.
    pub info: StoreInfo,
    /// Why this store, e.g. `auto: no Secret Service on the session bus
    /// (DBUS_SESSION_BUS_ADDRESS unset) → file store`.
    pub reason: String,
}

impl fmt::Display for StoreStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.info, self.reason)
    }
}

/// An opened store and why it was chosen.
#[derive(Debug)]
pub struct Opened {
    /// The store.
    pub store: Box<dyn Store>,
    /// Which store and why.
    pub status: StoreStatus,
}

/// Open the store `sel` asks for. Opening does not unlock anything: the file store asks for
/// its passphrase on the first read or write that needs it, a keychain reports
/// [`Error::Locked`] on first use.
///
/// `Auto` takes the OS keychain where one is reachable (macOS, Windows; on Linux the Secret
/// Service on the session bus) and the file store otherwise; a keychain that is reachable but
/// locked is used (and reports itself locked), never silently replaced.
///
/// # Errors
///
/// `Error::Unavailable` when the store asked for cannot be reached, `Error::InvalidOption` for
/// unusable options, `Error::Insecure` for a store directory others can write.
pub fn open(sel: Selection, opts: OpenOptions) -> Result<Opened, Error> {
    match sel {
        Selection::File => {
            let store = FileStore::open(opts)?;
            Ok(Opened {
                status: StoreStatus {
                    selection: sel,
                    info: store.describe(),
                    reason: "file store selected".to_owned(),
                },
                store: Box::new(store),
            })
        }
        Selection::Keychain => {
            let store = crate::keychain::open_os(&opts)?;
            Ok(Opened {
                status: StoreStatus {
                    selection: sel,
                    info: store.describe(),
                    reason: "keychain selected".to_owned(),
                },
                store: Box::new(store),
            })
        }
        Selection::Auto => match crate::keychain::open_os(&opts) {
            Ok(store) => Ok(Opened {
                status: StoreStatus {
                    selection: sel,
                    info: store.describe(),
                    reason: format!("auto: {} reachable", store.describe().description),
                },
                store: Box::new(store),
            }),
            Err(Error::Unavailable { reason, .. }) => {
                let store = FileStore::open(opts)?;
                Ok(Opened {
                    status: StoreStatus {
                        selection: sel,
                        info: store.describe(),
                        reason: format!("auto: {reason} → file store"),
                    },
                    store: Box::new(store),
                })
            }
            Err(e) => Err(e),
        },
    }
}

/// Open the Linux kernel keyring as a store (volatile: its contents are lost at reboot, so
/// it is never chosen by [`open`]; useful as a session-scoped store and for tests). Needs a
/// session keyring: run under `keyctl session -` or a PAM session with `pam_keyinit`.
///
/// # Errors
///
/// `Error::Unavailable` when there is no session keyring.
pub fn open_kernel_keyring(opts: OpenOptions) -> Result<Opened, Error> {
    let store = crate::keychain::open_kernel(&opts)?;
    Ok(Opened {
        status: StoreStatus {
            selection: Selection::Keychain,
            info: store.describe(),
            reason: "kernel keyring selected".to_owned(),
        },
        store: Box::new(store),
    })
}

/// End every cached unlock of the file store in `opts`' directory (`iamkit store lock`): the
/// store's unlock epoch is rotated, which voids the cached key in every login session (each
/// copy is encrypted to the old epoch), and this session's copy is dropped outright.
/// Returns whether this session had a cached key to drop (other sessions' cannot be seen).
///
/// # Errors
///
/// `Error::Io` when the store's epoch cannot be rotated, `Error::InvalidOption` as
/// [`OpenOptions::resolved_dir`].
pub fn lock(opts: &OpenOptions) -> Result<bool, Error> {
    let dir = opts.resolved_dir()?;
    crate::file::rotate_unlock_epoch(&dir)?;
    crate::cache::forget(&dir)
}

/// Give this process a new, empty kernel session keyring (Linux; elsewhere nothing to do):
/// a program it then executes cannot read the cached unlock of any file store, nor any other
/// key of the session it was started from. `iamkit creds exec` calls it before running its
/// command. Where the kernel offers no keyring at all, there is nothing to hide and this
/// succeeds.
///
/// # Errors
///
/// `Error::Unavailable` when the kernel refuses a new session keyring.
pub fn isolate_session_keyring() -> Result<(), Error> {
    crate::cache::isolate()
}

/// Whether the file store in `opts`' directory currently has a cached unlock.
///
/// # Errors
///
/// `Error::InvalidOption` as [`OpenOptions::resolved_dir`], `Error::Io` when the store's epoch
/// cannot be read.
pub fn is_cached(opts: &OpenOptions) -> Result<bool, Error> {
    FileStore::open(OpenOptions {
        dir: Some(opts.resolved_dir()?),
        passphrase: None,
        cache_ttl: opts.cache_ttl,
        keychain_service: opts.keychain_service.clone(),
        kdf_log_n: opts.kdf_log_n,
        allow_weak_kdf: opts.allow_weak_kdf,
        runtime_dir: opts.runtime_dir.clone(),
    })
    .map(|s| s.is_cached())
}
