//! `iamkit key …`: mint and inspect AWS-style access keys.

use clap::{Args, Subcommand};
use iamkit_accesskey::{AccessKeyId, AccountId, KeyPair, Prefix};

use crate::error::{CliResult, Context};
use crate::io::Out;

/// `iamkit key` subcommands.
#[derive(Debug, Subcommand)]
// Only the subcommand being run builds its arguments (start-up time: BENCHMARKS.md).
#[command(defer = true)]
pub(crate) enum KeyCmd {
    /// Mint an access key ID and secret access key from the OS RNG.
    New(NewArgs),
    /// Read what an access key ID says: prefix, kind, generation, account.
    Inspect(InspectArgs),
}

// `iamkit key new`.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The unique-ID prefix: AKIA (long-term key), ASIA (temporary STS key), or another.
    #[arg(long, default_value = "AKIA")]
    prefix: String,
    /// Embed this 12-digit account ID (default: a random one).
    #[arg(long, value_name = "123456789012")]
    account: Option<String>,
    /// One JSON object on one line.
    #[arg(long)]
    json: bool,
}

// `iamkit key inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The access key ID (20 characters).
    key_id: String,
    /// One JSON object on one line.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(cmd: KeyCmd) -> CliResult {
    match cmd {
        KeyCmd::New(args) => new(&args),
        KeyCmd::Inspect(args) => inspect(&args),
    }
}

fn new(args: &NewArgs) -> CliResult {
    let prefix: Prefix = args.prefix.parse()?;
    let account = match &args.account {
        Some(a) => Some(a.parse::<AccountId>()?),
        None => None,
    };
    let pair = KeyPair::generate(prefix, account).context("cannot generate a key")?;
    if args.json {
        // Serialized straight into a wiped buffer: no `serde_json::Value` keeps the secret.
        Out::json(&pair.with_secret_exposed())
    } else {
        Out::write(format_args!(
            "{}\n{}\n",
            pair.id,
            pair.secret.expose_secret()
        ))
    }
}

fn inspect(args: &InspectArgs) -> CliResult {
    let id = AccessKeyId::parse(args.key_id.trim())?;
    let info = id.inspect();
    if args.json {
        Out::json(&info)
    } else {
        let account = info
            .account_id
            .map_or_else(|| "none (old-generation key)".to_owned(), |a| a.to_string());
        Out::write(format_args!(
            "access_key_id: {}\nprefix: {}\nkind: {}\ngeneration: {}\naccount_id: {}\n",
            info.access_key_id,
            info.prefix,
            info.kind,
            serde_json::to_value(info.generation)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            account
        ))
    }
}
