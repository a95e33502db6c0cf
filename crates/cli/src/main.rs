//! `iamkit`: the command line. It parses flags, calls the libraries, prints, and maps errors to
//! the exit statuses of the contract (`shared/spec/cli.md`): 0 success, 1 a check said no,
//! 2 usage or input error, 3 storage error, 4 an AWS endpoint failed; `creds exec` passes its
//! command's status through.
//!
//! Libraries never print; this binary is the only place that touches stdin, stdout, stderr,
//! the terminal, the clock and the clipboard.
// The binary is the one place that prints (libraries never do: `[workspace.lints]`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod aws_ini;
mod clipboard;
mod cmd;
mod error;
mod harden;
mod io;
mod storeopen;
mod watch;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::cmd::{creds, key, mfa, otp, sign, store, verify};
use crate::error::{CliError, CliResult};

/// MFA codes, AWS access keys and SigV4 request signing from the terminal.
///
/// Secrets are read from standard input (one per line) or a no-echo prompt, never from argv.
/// Exit status: 0 success, 1 a check said no, 2 usage or input error, 3 storage error.
#[derive(Debug, Parser)]
#[command(
    name = "iamkit",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = AFTER_HELP
)]
struct Cli {
    /// Where stored secrets live: auto (the OS keychain where reachable, else the encrypted
    /// file store), keychain, or file.
    #[arg(
        long,
        global = true,
        env = "IAMKIT_STORE",
        default_value = "auto",
        value_name = "auto|keychain|file"
    )]
    store: String,

    /// INSECURE: unlock a file store whose passphrase work factor is below the minimum (2^16)
    /// instead of refusing it. `iamkit store passwd` re-seals such a store properly.
    #[arg(long, global = true)]
    insecure_allow_weak_kdf: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
// Only the subcommand being run builds its arguments (start-up time: BENCHMARKS.md).
#[command(defer = true)]
enum Command {
    /// One-off OTP codes from a secret or otpauth:// URI on stdin (nothing stored).
    #[command(subcommand)]
    Otp(otp::OtpCmd),
    /// Stored MFA devices: a terminal virtual-MFA authenticator.
    #[command(subcommand)]
    Mfa(mfa::MfaCmd),
    /// AWS-style access key IDs and secret access keys.
    #[command(subcommand)]
    Key(key::KeyCmd),
    /// Stored AWS credentials: credential_process, exec, export.
    #[command(subcommand)]
    Creds(creds::CredsCmd),
    /// Sign an HTTP request with AWS Signature Version 4.
    Sign(sign::SignArgs),
    /// Verify a signed HTTP request read from stdin (--explain: what iamkit computed).
    Verify(verify::VerifyArgs),
    /// The store in use: status, lock.
    #[command(subcommand)]
    Store(store::StoreCmd),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show a live TOTP code for a demo secret, with a countdown (no store needed).
    Demo(otp::DemoArgs),
}

const AFTER_HELP: &str = "\
Secrets are read from stdin (one per line) or a no-echo prompt, never from argv.

Exit status: 0 success; 1 a check said no (invalid code or signature, expired credentials);
2 usage or input error; 3 storage error (no keychain, locked, wrong passphrase, entry missing);
4 an AWS endpoint could not be reached or answered garbage; `creds exec` passes its command's
status through; 70 an internal error (a bug in iamkit).

Environment:
  IAMKIT_STORE            auto, keychain or file (as --store)
  IAMKIT_STORE_DIR        the file store's directory (default $XDG_DATA_HOME/iamkit)
  IAMKIT_PASSPHRASE_FILE  a file holding the file store's passphrase
  IAMKIT_PASSPHRASE       the file store's passphrase
  IAMKIT_CACHE_TTL        how long the unlocked file store stays unlocked (kernel keyring; 0: never)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION: credentials for sign
  AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL: the STS endpoint for MFA and role sessions
  AWS_CONFIG_FILE         the AWS config file whose role profiles creds commands read";

/// Options every command sees.
#[derive(Debug)]
pub(crate) struct Globals {
    /// `--store` / `IAMKIT_STORE`.
    pub(crate) store: String,
    /// `--insecure-allow-weak-kdf`.
    pub(crate) insecure_allow_weak_kdf: bool,
}

fn main() -> ExitCode {
    io::install_panic_hook();
    harden::process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_error(&err),
    };
    let globals = Globals {
        store: cli.store,
        insecure_allow_weak_kdf: cli.insecure_allow_weak_kdf,
    };
    match run(cli.command, &globals) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if err.is_reported() {
                eprintln!("{err}");
            }
            err.exit_code()
        }
    }
}

fn run(command: Command, globals: &Globals) -> CliResult {
    match command {
        Command::Otp(cmd) => otp::run(cmd),
        Command::Mfa(cmd) => mfa::run(cmd, globals),
        Command::Key(cmd) => key::run(cmd),
        Command::Creds(cmd) => creds::run(cmd, globals),
        Command::Sign(args) => sign::run(args, globals),
        Command::Verify(args) => verify::run(args, globals),
        Command::Store(cmd) => store::run(cmd, globals),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "iamkit", &mut buf);
            io::Out::bytes(&buf)
        }
        Command::Demo(args) => otp::demo(args),
    }
}

/// Help and version go to stdout with status 0; anything else is one `iamkit: ` line and status 2.
fn clap_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid usage");
            let message = first.trim().trim_start_matches("error:").trim();
            let hint = "see 'iamkit help'";
            let e = CliError::usage(format!("{message} ({hint})"));
            eprintln!("{e}");
            e.exit_code()
        }
    }
}
