//! `iamkit creds …`: stored AWS credentials, served to AWS tools.

mod config;
pub(crate) mod iam;
mod list;
pub(crate) mod rotate;
pub(crate) mod serve;
pub(crate) mod session;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use iamkit_keystore::{AwsCredentials, Expiration, Overwrite, RecordKind, Store};
use serde::Serialize;
use serde_json::json;
use zeroize::Zeroizing;

use crate::Globals;
use crate::aws_ini;
use crate::error::{CliError, CliResult, Context};
use crate::io::{self, Out};
use crate::storeopen;

/// `iamkit creds` subcommands.
#[derive(Debug, Subcommand)]
// Only the subcommand being run builds its arguments (start-up time: BENCHMARKS.md).
#[command(defer = true)]
pub(crate) enum CredsCmd {
    /// Store credentials: access key ID, secret and optional session token on stdin, one per line.
    Add(AddArgs),
    /// Print the AWS credential_process JSON for a profile.
    ///
    /// `{"Version":1,"AccessKeyId":…,"SecretAccessKey":…}` plus SessionToken and Expiration
    /// when there are any. Use it in ~/.aws/config as
    /// `credential_process = iamkit creds process PROFILE`. Expired credentials: exit 1.
    Process {
        /// The profile.
        profile: String,
        /// Use the stored long-term keys as they are (no MFA or role session).
        #[arg(long)]
        no_session: bool,
    },
    /// Run a command with the profile's credentials in its environment.
    ///
    /// Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, where known, AWS_SESSION_TOKEN,
    /// AWS_CREDENTIAL_EXPIRATION, AWS_REGION and AWS_DEFAULT_REGION; removes AWS_PROFILE so
    /// the command uses them. Exits with the command's status. Sets IAMKIT_EXEC_PROFILE in the
    /// command's environment and refuses to run when it is already set (no nesting).
    ///
    /// The command gets that profile's credentials and nothing else of the store: every IAMKIT_*
    /// variable but IAMKIT_STORE, IAMKIT_STORE_DIR, IAMKIT_CACHE_TTL and
    /// IAMKIT_KEYCHAIN_SERVICE (the passphrase ones above all) is removed from its environment,
    /// and on Linux it runs in a new, empty kernel session keyring, so it cannot use a cached
    /// unlock of the file store. A keychain store stays reachable to it over the session bus.
    Exec {
        /// The profile.
        profile: String,
        /// Use the stored long-term keys as they are (no MFA or role session).
        #[arg(long)]
        no_session: bool,
        /// The command and its arguments (after `--`).
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<OsString>,
    },
    /// Print a profile's credentials as environment variables or JSON.
    Export {
        /// The profile.
        profile: String,
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Use the stored long-term keys as they are (no MFA or role session).
        #[arg(long)]
        no_session: bool,
    },
    /// List stored profiles (key IDs masked), the role profiles iamkit serves (stored, and
    /// those of ~/.aws/config), and cached sessions (profiles, kind, expiry; never a secret).
    List {
        /// One JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Remove a stored profile.
    Remove {
        /// The profile.
        profile: String,
    },
    /// Import profiles from an ~/.aws/credentials file.
    Import {
        /// The credentials file (default: $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials).
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// Profiles to import (default: all).
        #[arg(long = "profile", value_name = "NAME")]
        profiles: Vec<String>,
        /// Replace existing profiles of the same name.
        #[arg(long)]
        force: bool,
    },
    /// Get (or with --refresh renew) a profile's MFA or role session; prints its expiry, never
    /// its secrets.
    Session {
        /// The profile.
        profile: String,
        /// Ask STS for a new session even when the cached one is still good.
        #[arg(long)]
        refresh: bool,
        /// One JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Store a role profile: a role assumed with another stored profile's credentials (its MFA
    /// session when it has one; else --mfa-device's code goes with AssumeRole). Nothing on
    /// stdin.
    AddRole(AddRoleArgs),
    /// Replace the profile's access key with a new one: create it, store it, check that it
    /// works, delete the old one; prints the new key ID. An interrupted rotation is finished
    /// by the next run.
    Rotate {
        /// The profile.
        profile: String,
        /// Tests only: stop after step N (1-5), as if killed there.
        #[arg(long, hide = true, value_name = "N")]
        abort_after_step: Option<u8>,
    },
    /// Run a command with the profile's credentials served to it over the AWS container
    /// credentials protocol on 127.0.0.1 (AWS_CONTAINER_CREDENTIALS_FULL_URI and
    /// AWS_CONTAINER_AUTHORIZATION_TOKEN), renewed before they expire; exits with the
    /// command's status. For long-running tools (IDEs, Terraform, containers).
    Serve {
        /// The profile.
        profile: String,
        /// Renew the session when less than this many seconds remain (SDKs refresh at 900).
        #[arg(long, value_name = "SECONDS", default_value_t = serve::DEFAULT_RENEW_BEFORE)]
        renew_before: u64,
        /// The command and its arguments (after `--`).
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<OsString>,
    },
    /// Drop cached sessions: the profile's, or every one without PROFILE.
    Forget {
        /// The profile.
        profile: Option<String>,
    },
}

// The MFA device whose codes go with a stored profile's STS calls (`creds add`, `creds
// add-role`).
#[derive(Debug, Args)]
pub(crate) struct MfaDeviceArgs {
    /// The stored MFA device (`iamkit mfa`) whose codes go with this profile's STS calls.
    #[arg(long, value_name = "NAME")]
    pub(crate) mfa_device: Option<String>,
    /// The serial (ARN) of this profile's MFA device (default: the serial stored with
    /// --mfa-device's device).
    #[arg(long, value_name = "ARN")]
    pub(crate) mfa_serial: Option<String>,
}

// `iamkit creds add`.
#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The profile name.
    pub(crate) profile: String,
    #[command(flatten)]
    pub(crate) mfa: MfaDeviceArgs,
    /// Default region for this profile.
    #[arg(long, value_name = "R")]
    pub(crate) region: Option<String>,
    /// When temporary credentials expire (RFC 3339, e.g. 2026-01-02T03:04:05Z).
    #[arg(long, value_name = "RFC3339")]
    pub(crate) expiration: Option<String>,
    /// MFA session length in seconds (AWS's range 900-129600; default 43200).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) duration: Option<u32>,
    /// Replace an existing profile of the same name.
    #[arg(long)]
    pub(crate) force: bool,
}

// `iamkit creds add-role`.
#[derive(Debug, Args)]
pub(crate) struct AddRoleArgs {
    /// The role profile's name.
    pub(crate) profile: String,
    /// The role to assume.
    #[arg(long, value_name = "ARN")]
    pub(crate) role_arn: String,
    /// The stored profile whose credentials (or MFA session) assume the role.
    #[arg(long, value_name = "PROFILE")]
    pub(crate) source: String,
    #[command(flatten)]
    pub(crate) mfa: MfaDeviceArgs,
    /// The external ID the role's trust policy asks for.
    #[arg(long, value_name = "ID")]
    pub(crate) external_id: Option<String>,
    /// The RoleSessionName (default: iamkit-PROFILE).
    #[arg(long, value_name = "NAME")]
    pub(crate) session_name: Option<String>,
    /// Session length in seconds (900-43200; at most 3600 when the source is itself a role).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) duration: Option<u32>,
    /// The region of the STS endpoint and of the credentials handed out.
    #[arg(long, value_name = "R")]
    pub(crate) region: Option<String>,
    /// Replace an existing role profile of the same name.
    #[arg(long)]
    pub(crate) force: bool,
}

/// `iamkit creds export --format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ExportFormat {
    /// `export AWS_ACCESS_KEY_ID=…` lines for a POSIX shell.
    Env,
    /// One JSON object (snake_case keys).
    Json,
    /// The credential_process JSON.
    Process,
}

pub(crate) fn run(cmd: CredsCmd, globals: &Globals) -> CliResult {
    match cmd {
        CredsCmd::Add(args) => add(&args, globals),
        CredsCmd::Process {
            profile,
            no_session,
        } => process(&profile, no_session, globals),
        CredsCmd::Exec {
            profile,
            no_session,
            command,
        } => exec(&profile, no_session, &command, globals),
        CredsCmd::Export {
            profile,
            format,
            no_session,
        } => export(&profile, format, no_session, globals),
        CredsCmd::List { json } => list::run(json, globals),
        CredsCmd::Remove { profile } => remove(&profile, globals),
        CredsCmd::Import {
            file,
            profiles,
            force,
        } => import(file, &profiles, force, globals),
        CredsCmd::Session {
            profile,
            refresh,
            json,
        } => session_cmd(&profile, refresh, json, globals),
        CredsCmd::Forget { profile } => forget(profile.as_deref(), globals),
        CredsCmd::Serve {
            profile,
            renew_before,
            command,
        } => serve::serve(&profile, renew_before, &command, globals),
        CredsCmd::Rotate {
            profile,
            abort_after_step,
        } => rotate::rotate(&profile, abort_after_step, globals),
        CredsCmd::AddRole(a) => {
            if let Some(r) = &a.region {
                check_region(r)?;
            }
            let role = iamkit_keystore::RoleProfile {
                role_arn: a.role_arn,
                source_profile: a.source,
                mfa_device: a.mfa.mfa_device,
                mfa_serial: a.mfa.mfa_serial,
                external_id: a.external_id,
                session_name: a.session_name,
                duration: a.duration,
                region: a.region,
            };
            session::add_role(&a.profile, &role, a.force, globals)
        }
    }
}

/// The environment variable `creds exec` sets in its child, and refuses to run under.
const EXEC_GUARD: &str = "IAMKIT_EXEC_PROFILE";

/// The IAMKIT_* variables a `creds exec` child keeps: where the store is and how it is cached,
/// none of which unlocks anything. Every other IAMKIT_* variable is removed: the passphrase
/// ones (IAMKIT_PASSPHRASE, IAMKIT_PASSPHRASE_FILE, IAMKIT_NEW_PASSPHRASE…) and any that a
/// later version adds, secret or not.
const EXEC_KEEP: [&str; 4] = [
    "IAMKIT_STORE",
    "IAMKIT_STORE_DIR",
    "IAMKIT_CACHE_TTL",
    "IAMKIT_KEYCHAIN_SERVICE",
];

/// The IAMKIT_* variables of this process that a `creds exec` child must not get.
pub(crate) fn exec_scrubbed_vars() -> Vec<OsString> {
    std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| {
            k.as_encoded_bytes().starts_with(b"IAMKIT_")
                && !k.to_str().is_some_and(|k| EXEC_KEEP.contains(&k))
        })
        .collect()
}

/// The keystore's access key ID check, as a usage error saying where the value came from.
fn check_key_id(key_id: &str, where_: &str) -> CliResult {
    iamkit_keystore::check_access_key_id(key_id).context(where_)
}

/// The keystore's check of a secret access key or session token (`what`), as [`check_key_id`].
fn check_secret(secret: &str, what: &str, where_: &str) -> CliResult {
    iamkit_keystore::check_secret_word(secret, what).context(where_)
}

/// The keystore's region check, as a usage error.
fn check_region(region: &str) -> CliResult {
    Ok(iamkit_keystore::check_region(region)?)
}

/// Parses an RFC 3339 time (any offset) into the stored form: UTC, whole seconds.
fn normalize_expiration(text: &str, where_: &str) -> CliResult<Expiration> {
    Expiration::parse_rfc3339(text).context(where_)
}

/// Refuses credentials whose expiration has passed (exit 1).
fn check_not_expired(profile: &str, creds: &AwsCredentials) -> CliResult {
    let Some(exp) = &creds.expiration else {
        return Ok(());
    };
    let now = i64::try_from(crate::watch::now_unix()?).unwrap_or(i64::MAX);
    if exp.is_past(now) {
        return Err(CliError::check_failed(format!(
            "the credentials of profile {profile:?} expired at {exp}: store fresh ones with iamkit creds add {profile} --force"
        )));
    }
    Ok(())
}

/// Key ID masked to its last 4 characters.
pub(crate) fn mask(key_id: &str) -> String {
    let n = key_id.chars().count();
    let tail: String = key_id.chars().skip(n.saturating_sub(4)).collect();
    if n <= 4 {
        "****".to_owned()
    } else {
        format!("****{tail}")
    }
}

/// Reads key ID, secret and optional session token: a prompt on a terminal, else stdin lines.
fn read_credentials() -> CliResult<(String, Zeroizing<String>, Option<Zeroizing<String>>)> {
    if io::stdin_is_terminal() {
        let key_id = io::read_secret_line("AWS access key ID")?;
        let secret = io::read_secret_line("AWS secret access key")?;
        // Zeroizing from the moment rpassword hands it over: the untrimmed original is wiped
        // too, not only the trimmed copy.
        let raw = Zeroizing::new(
            rpassword::prompt_password("AWS session token (empty for none): ")
                .context("cannot read the session token")?,
        );
        let token = Zeroizing::new(raw.trim().to_owned());
        let token = (!token.is_empty()).then_some(token);
        return Ok((key_id.to_string(), secret, token));
    }
    let mut lines = io::read_stdin_lines("credentials")?;
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return Err(CliError::usage(
            "no credentials on stdin: expected the access key ID on line 1, the secret access key on line 2 and optionally a session token on line 3",
        ));
    }
    if lines.len() > 3 {
        return Err(CliError::usage(format!(
            "{} lines on stdin: expected the access key ID on line 1, the secret access key on line 2 and optionally a session token on line 3",
            lines.len()
        )));
    }
    let mut it = lines.into_iter();
    let key_id = it.next().map(|l| l.to_string()).unwrap_or_default();
    let secret = it.next().ok_or_else(|| {
        CliError::usage(
            "no secret access key on stdin: expected it on line 2, after the access key ID",
        )
    })?;
    let token = it.next().filter(|t| !t.is_empty());
    Ok((key_id, secret, token))
}

fn add(args: &AddArgs, globals: &Globals) -> CliResult {
    iamkit_keystore::validate_name(&args.profile)?;
    if let Some(r) = &args.region {
        check_region(r)?;
    }
    let expiration = args
        .expiration
        .as_deref()
        .map(|e| normalize_expiration(e, "--expiration"))
        .transpose()?;
    if args
        .mfa
        .mfa_serial
        .as_deref()
        .is_some_and(|s| s.trim().is_empty())
    {
        return Err(CliError::usage(
            "--mfa-serial is empty: expected an MFA device ARN or serial number",
        ));
    }
    if let Some(d) = args.duration {
        iamkit_aws::rules::check_session_duration(d).context("--duration")?;
    }
    let (key_id, secret, token) = read_credentials()?;
    check_key_id(&key_id, "line 1")?;
    check_secret(&secret, "secret access key", "line 2")?;
    if let Some(t) = &token {
        check_secret(t, "session token", "line 3")?;
    }
    let mut rec = AwsCredentials::new(key_id, secret.to_string());
    rec.session_token = token;
    rec.expiration = expiration;
    rec.mfa_serial.clone_from(&args.mfa.mfa_serial);
    rec.mfa_device.clone_from(&args.mfa.mfa_device);
    rec.region.clone_from(&args.region);
    rec.session_duration = args.duration;
    let opened = storeopen::open(globals)?;
    let overwrite = if args.force {
        Overwrite::Allow
    } else {
        Overwrite::Refuse
    };
    opened.store.put_creds(&args.profile, &rec, overwrite)?;
    Out::line(&format!(
        "stored credentials profile {} (key {}) in the {}",
        args.profile,
        mask(&rec.access_key_id),
        opened.status.info
    ))
}

/// The credentials to hand out: an MFA or role session where the profile has one (unless
/// `no_session`), else the stored keys.
fn load(profile: &str, no_session: bool, globals: &Globals) -> CliResult<AwsCredentials> {
    session::credentials(profile, globals, no_session)
}

/// The `credential_process` output, keys in AWS's order and spelling.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessJson<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<&'a str>,
}

/// `creds export --format json`: snake_case keys.
#[derive(Serialize)]
struct ExportJson<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
}

fn print_process(creds: &AwsCredentials) -> CliResult {
    let expiration = creds.expiration.map(|e| e.to_string());
    Out::json(&ProcessJson {
        version: 1,
        access_key_id: &creds.access_key_id,
        secret_access_key: &creds.secret_access_key,
        session_token: creds.session_token.as_deref().map(String::as_str),
        expiration: expiration.as_deref(),
    })
}

fn process(profile: &str, no_session: bool, globals: &Globals) -> CliResult {
    let creds = load(profile, no_session, globals)?;
    check_not_expired(profile, &creds)?;
    print_process(&creds)
}

/// Single-quotes a value for a POSIX shell when it holds anything but safe characters.
fn shell_quote(v: &str) -> String {
    let safe = !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_-.:@,".contains(&b));
    if safe {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

fn export(profile: &str, format: ExportFormat, no_session: bool, globals: &Globals) -> CliResult {
    let creds = load(profile, no_session, globals)?;
    check_not_expired(profile, &creds)?;
    let expiration = creds.expiration.map(|e| e.to_string());
    match format {
        ExportFormat::Process => print_process(&creds),
        ExportFormat::Json => Out::json(&ExportJson {
            access_key_id: &creds.access_key_id,
            secret_access_key: &creds.secret_access_key,
            session_token: creds.session_token.as_deref().map(String::as_str),
            expiration: expiration.as_deref(),
            region: creds.region.as_deref(),
        }),
        ExportFormat::Env => {
            let mut text = Zeroizing::new(String::new());
            let mut set = |k: &str, v: &str| {
                text.push_str(&format!("export {k}={}\n", shell_quote(v)));
            };
            set("AWS_ACCESS_KEY_ID", &creds.access_key_id);
            set("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key);
            if let Some(t) = &creds.session_token {
                set("AWS_SESSION_TOKEN", t);
            }
            if let Some(e) = &expiration {
                set("AWS_CREDENTIAL_EXPIRATION", e);
            }
            if let Some(r) = &creds.region {
                set("AWS_REGION", r);
                set("AWS_DEFAULT_REGION", r);
            }
            let mut unset = Vec::new();
            if creds.session_token.is_none() {
                unset.extend(["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]);
            }
            if creds.expiration.is_none() {
                unset.push("AWS_CREDENTIAL_EXPIRATION");
            }
            if !unset.is_empty() {
                text.push_str(&format!("unset {}\n", unset.join(" ")));
            }
            Out::write(format_args!("{}", text.as_str()))
        }
    }
}

fn exec(profile: &str, no_session: bool, command: &[OsString], globals: &Globals) -> CliResult {
    if let Some(outer) = std::env::var_os(EXEC_GUARD).filter(|v| !v.is_empty()) {
        return Err(CliError::usage(format!(
            "already inside iamkit creds exec for profile {:?} ({EXEC_GUARD} is set): nesting would mix credentials; exit that shell, or unset {EXEC_GUARD} to force",
            outer.to_string_lossy()
        )));
    }
    let (program, args) = command
        .split_first()
        .ok_or_else(|| CliError::usage("no command to run: expected -- COMMAND [ARG…]"))?;
    let creds = load(profile, no_session, globals)?;
    check_not_expired(profile, &creds)?;
    let mut cmd = std::process::Command::new(program);
    for k in exec_scrubbed_vars() {
        cmd.env_remove(k);
    }
    cmd.args(args)
        .env("AWS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.as_str())
        .env(EXEC_GUARD, profile)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_SECURITY_TOKEN");
    match &creds.session_token {
        Some(t) => cmd.env("AWS_SESSION_TOKEN", t.as_str()),
        None => cmd.env_remove("AWS_SESSION_TOKEN"),
    };
    match &creds.expiration {
        Some(e) => cmd.env("AWS_CREDENTIAL_EXPIRATION", e.to_string()),
        None => cmd.env_remove("AWS_CREDENTIAL_EXPIRATION"),
    };
    if let Some(r) = &creds.region {
        cmd.env("AWS_REGION", r).env("AWS_DEFAULT_REGION", r);
    }
    drop(creds);
    // The store was read; from here on this process (which becomes the command) sees a new,
    // empty session keyring, not the one holding the cached unlock of the file store.
    iamkit_keystore::isolate_session_keyring()?;
    crate::harden::restore_core_limit_for_child();
    run_child(cmd, program)
}

/// A command that could not be started, as a shell says it: one line on stderr, and status
/// 127 (not found) or 126 (found but not runnable) to exit with.
pub(crate) fn spawn_error(program: &OsString, e: &std::io::Error) -> CliError {
    let (status, why) = if e.kind() == std::io::ErrorKind::NotFound {
        (127, "command not found".to_owned())
    } else {
        (126, e.to_string())
    };
    eprintln!(
        "iamkit: cannot run {:?}: {why} (expected a program on PATH or a path)",
        program.to_string_lossy()
    );
    CliError::child_status(status)
}

/// Runs the child: on Unix by replacing this process (signals and the terminal go straight to
/// it, its status is ours); elsewhere by waiting for it and passing its status through.
fn run_child(mut cmd: std::process::Command, program: &OsString) -> CliResult {
    let spawn_error = |e: &std::io::Error| spawn_error(program, e);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(spawn_error(&err))
    }
    #[cfg(not(unix))]
    {
        let status = match cmd.status() {
            Ok(status) => status,
            Err(e) => return Err(spawn_error(&e)),
        };
        let code = status.code().unwrap_or(1);
        let code = u8::try_from(code).unwrap_or(1);
        if code == 0 {
            Ok(())
        } else {
            Err(CliError::child_status(code))
        }
    }
}

fn remove(profile: &str, globals: &Globals) -> CliResult {
    let opened = storeopen::open(globals)?;
    match opened.store.remove(RecordKind::Creds, profile) {
        // A role profile (creds add-role) of that name.
        Err(iamkit_keystore::Error::NotFound { .. }) if opened.store.get_role(profile).is_ok() => {
            opened.store.remove(RecordKind::Role, profile)?;
            return Out::line(&format!("removed role profile {profile}"));
        }
        r => r?,
    }
    Out::line(&format!("removed credentials profile {profile}"))
}

/// `creds session`: the session's key ID and expiry, never its secrets.
fn session_cmd(profile: &str, refresh: bool, json: bool, globals: &Globals) -> CliResult {
    let (creds, cached) = session::session_for(profile, globals, refresh)?;
    let expiration = creds.expiration.map(|e| e.to_string()).unwrap_or_default();
    if json {
        return Out::json(&json!({
            "profile": profile,
            "access_key_id": creds.access_key_id,
            "expiration": expiration,
            "cached": cached,
        }));
    }
    Out::line(&format!(
        "session of profile {profile}: key {} expires at {expiration} ({})",
        creds.access_key_id,
        if cached { "cached" } else { "new" }
    ))
}

/// `creds forget [PROFILE]`.
fn forget(profile: Option<&str>, globals: &Globals) -> CliResult {
    let n = session::forget(profile, globals)?;
    let what = match profile {
        Some(p) => format!("of profile {p}"),
        None => "in the store".to_owned(),
    };
    Out::line(&format!(
        "dropped {n} cached session{} {what}",
        if n == 1 { "" } else { "s" }
    ))
}

/// `~/.aws/credentials`, or `AWS_SHARED_CREDENTIALS_FILE`.
fn default_credentials_file() -> CliResult<PathBuf> {
    if let Some(p) = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CliError::usage("HOME is not set: pass --file PATH"))?;
    Ok(PathBuf::from(home).join(".aws").join("credentials"))
}

fn import(file: Option<PathBuf>, wanted: &[String], force: bool, globals: &Globals) -> CliResult {
    let path = match file {
        Some(p) => p,
        None => default_credentials_file()?,
    };
    let shown = path.display().to_string();
    let text = Zeroizing::new(
        std::fs::read_to_string(&path)
            .context(format_args!("cannot read the credentials file {shown}"))?,
    );
    let sections = aws_ini::parse(&text, &shown)?;
    drop(text);
    for w in wanted {
        if !sections.iter().any(|s| &s.name == w) {
            return Err(CliError::usage(format!(
                "no [{w}] section in {shown} (expected one of: {})",
                sections
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    // Build every record first: any problem stops the import before anything is stored.
    let mut records: Vec<(String, AwsCredentials)> = Vec::new();
    let mut skipped = Vec::new();
    for s in sections {
        let explicit = wanted.contains(&s.name);
        if !wanted.is_empty() && !explicit {
            continue;
        }
        let at = format!("{shown} [{}] (line {})", s.name, s.line);
        let (Some(key_id), Some(secret)) = (s.access_key_id, s.secret_access_key) else {
            if explicit {
                return Err(CliError::usage(format!(
                    "{at}: no aws_access_key_id and aws_secret_access_key (expected both)"
                )));
            }
            skipped.push(s.name);
            continue;
        };
        iamkit_keystore::validate_name(&s.name).context(format_args!("{at}"))?;
        check_key_id(&key_id, &at)?;
        check_secret(&secret, "aws_secret_access_key", &at)?;
        if let Some(t) = &s.session_token {
            check_secret(t, "aws_session_token", &at)?;
        }
        if let Some(r) = &s.region {
            check_region(r).context(&at)?;
        }
        let expiration = s
            .expiration
            .as_deref()
            .map(|e| normalize_expiration(e, &at))
            .transpose()?;
        let mut rec = AwsCredentials::new(key_id, secret.to_string());
        rec.session_token = s.session_token;
        rec.expiration = expiration;
        rec.region = s.region;
        rec.mfa_serial = s.mfa_serial;
        records.push((s.name, rec));
    }
    if records.is_empty() {
        return Err(CliError::usage(format!(
            "no credentials found in {shown} (expected sections with aws_access_key_id and aws_secret_access_key)"
        )));
    }
    let opened = storeopen::open(globals)?;
    let store: &dyn Store = opened.store.as_ref();
    let names: Vec<&str> = records.iter().map(|(n, _)| n.as_str()).collect();
    let overwrite = storeopen::check_batch_overwrite(
        store,
        RecordKind::Creds,
        &names,
        force,
        "credentials profiles",
    )?;
    for (name, rec) in &records {
        store.put_creds(name, rec, overwrite)?;
    }
    Out::line(&format!(
        "imported {} profile{}: {}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    ))?;
    if !skipped.is_empty() {
        eprintln!(
            "iamkit: note: skipped sections without access keys: {}",
            skipped.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_to_last_four() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
        assert_eq!(mask("ABCD"), "****");
        assert_eq!(mask("AB"), "****");
    }

    /// The checks themselves are the keystore's (tested there); here, that a failure says where
    /// the value came from and never quotes a secret.
    #[test]
    fn check_failures_say_where() {
        let e = check_key_id("AKIA123", "line 1").unwrap_err();
        assert!(
            e.message.starts_with("line 1: the access key ID"),
            "{}",
            e.message
        );
        let e = check_secret("s3cr3t value", "secret access key", "line 2").unwrap_err();
        assert!(
            e.message.starts_with("line 2: the secret access key"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("s3cr3t"), "{}", e.message);
        assert_eq!(
            normalize_expiration("2030-01-02T05:04:05+02:00", "x")
                .ok()
                .map(|e| e.to_string())
                .as_deref(),
            Some("2030-01-02T03:04:05Z")
        );
        let e = normalize_expiration("tomorrow", "--expiration").unwrap_err();
        assert!(
            e.message.starts_with("--expiration: invalid expiration"),
            "{}",
            e.message
        );
    }

    /// Caught: `serde_json::to_string` grew its buffer by reallocation, leaving copies of the
    /// secret access key in freed, unzeroized memory (the writer is `io::json_line`, tested
    /// there too).
    #[test]
    fn credential_process_json_is_built_in_a_presized_buffer() {
        for n in [1, 40, 300, 5000] {
            let secret = "k".repeat(n);
            let token = "t".repeat(2 * n);
            let buf = io::json_line(&ProcessJson {
                version: 1,
                access_key_id: "AKIAIOSFODNN7EXAMPLE",
                secret_access_key: &secret,
                session_token: Some(&token),
                expiration: Some("2030-01-02T03:04:05Z"),
            })
            .unwrap_or_else(|e| panic!("{}", e.message));
            assert_eq!(buf.capacity(), buf.len(), "secret of {n} bytes");
            assert_eq!(buf.last(), Some(&b'\n'));
            let v: serde_json::Value = serde_json::from_slice(&buf).expect("JSON");
            assert_eq!(v["SecretAccessKey"], secret.as_str());
        }
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("abc+/="), "abc+/=");
        assert_eq!(shell_quote("a b'c"), "'a b'\\''c'");
    }
}
