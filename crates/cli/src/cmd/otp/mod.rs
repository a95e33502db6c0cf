//! `iamkit otp …`: one-off codes from a secret or URI on stdin (nothing stored), and `demo`.

pub(crate) mod replay_store;

use clap::{Args, Subcommand, ValueEnum};
use iamkit_otp::{Algorithm, Generator, Kind, Params, Secret, SecretBits, Totp, Window};
use iamkit_otpauth::{OtpAuthUri, QrCode};

use crate::error::{CliError, CliResult, Context};
use crate::io::{self, Out};
use crate::watch::{self, Ticker, now_unix};

/// `iamkit otp` subcommands.
#[derive(Debug, Subcommand)]
// Only the subcommand being run builds its arguments (start-up time: BENCHMARKS.md).
#[command(defer = true)]
pub(crate) enum OtpCmd {
    /// Print the code for a secret or otpauth:// URI read from stdin.
    Code(CodeArgs),
    /// Check a code against a secret or otpauth:// URI read from stdin.
    Verify(VerifyArgs),
    /// Print an otpauth:// enrollment URI (secret from stdin, or --generate).
    Uri(UriArgs),
    /// Parse an otpauth:// URI from stdin and print its fields as JSON.
    Parse(ParseArgs),
    /// Draw an otpauth:// URI from stdin as a QR code.
    Qr(QrArgs),
}

// The OTP parameter flags of `code`, `verify` and `uri`.
#[derive(Debug, Args, Clone)]
pub(crate) struct OtpFlags {
    /// HOTP (RFC 4226, counter-based) instead of TOTP.
    #[arg(long)]
    hotp: bool,
    /// The HOTP counter (`otp uri`: default 0).
    #[arg(long, value_name = "N")]
    counter: Option<u64>,
    /// HMAC algorithm: sha1, sha256 or sha512 (any case).
    #[arg(long, value_name = "sha1|sha256|sha512")]
    algorithm: Option<String>,
    /// Number of digits, 6 to 10.
    #[arg(long, value_name = "D")]
    digits: Option<u32>,
    /// TOTP time step in seconds.
    #[arg(long, value_name = "S")]
    period: Option<u64>,
}

// The OTP parameters shared by `code` and `verify`; each overrides the URI's value.
#[derive(Debug, Args, Clone)]
pub(crate) struct OtpParams {
    #[command(flatten)]
    otp: OtpFlags,
    /// TOTP start time (Unix seconds).
    #[arg(long, value_name = "UNIX")]
    t0: Option<u64>,
    /// The Unix time to use instead of now.
    #[arg(long, value_name = "UNIX")]
    time: Option<u64>,
    /// A 5-character Steam Guard code.
    #[arg(long)]
    steam: bool,
}

// `iamkit otp code`.
#[derive(Debug, Args)]
pub(crate) struct CodeArgs {
    #[command(flatten)]
    params: OtpParams,
    /// One JSON object on one line: code, counter, and for TOTP period and remaining_seconds.
    #[arg(long)]
    json: bool,
}

// `iamkit otp verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The code to check.
    code: String,
    #[command(flatten)]
    params: OtpParams,
    /// Accept W steps either side (TOTP, default 1) or W counters ahead (HOTP, default 0).
    #[arg(long, value_name = "W", conflicts_with_all = ["past", "future"])]
    window: Option<u64>,
    /// TOTP: accept this many steps before now (default 1).
    #[arg(long, value_name = "P")]
    past: Option<u64>,
    /// TOTP: accept this many steps after now (default 1).
    #[arg(long, value_name = "F")]
    future: Option<u64>,
    /// Allow windows wider than 10 steps (each one accepted step weakens the check).
    #[arg(long)]
    dangerous_wide_window: bool,
    #[command(flatten)]
    replay: replay_store::ReplayArgs,
}

// `iamkit otp uri`.
#[derive(Debug, Args)]
pub(crate) struct UriArgs {
    /// The service issuing the code (e.g. "Amazon Web Services").
    #[arg(long)]
    issuer: String,
    /// The account the code is for (e.g. "alice@example.com").
    #[arg(long)]
    account: String,
    #[command(flatten)]
    otp: OtpFlags,
    /// Generate a fresh secret from the OS RNG instead of reading one from stdin.
    #[arg(long)]
    generate: bool,
    /// Size of a generated secret.
    #[arg(
        long,
        value_name = "160|256|512",
        requires = "generate",
        default_value = "160"
    )]
    bits: u32,
}

// `iamkit otp parse`.
#[derive(Debug, Args)]
pub(crate) struct ParseArgs {
    /// Include the secret (base32) in the output.
    #[arg(long)]
    show_secret: bool,
}

/// QR output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum QrFormat {
    /// Unicode half blocks on the terminal.
    Terminal,
    /// A PNG image.
    Png,
    /// An SVG image.
    Svg,
}

// `iamkit otp qr`.
#[derive(Debug, Args)]
pub(crate) struct QrArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    format: QrFormat,
    /// Where to write a png/svg (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
    /// Dark-on-light for light terminal themes.
    #[arg(long)]
    invert: bool,
}

// `iamkit demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Print one code and exit instead of redrawing.
    #[arg(long)]
    once: bool,
}

pub(crate) fn run(cmd: OtpCmd) -> CliResult {
    match cmd {
        OtpCmd::Code(args) => code(&args),
        OtpCmd::Verify(args) => verify(&args),
        OtpCmd::Uri(args) => uri(&args),
        OtpCmd::Parse(args) => parse(&args),
        OtpCmd::Qr(args) => qr(&args),
    }
}

/// What `otp code` and `otp verify` make codes from: the parameters, the secret and, for HOTP,
/// the counter (the URI's, or `--counter`).
#[derive(Debug)]
struct Input {
    params: Params,
    secret: Secret,
    counter: Option<u64>,
}

impl Input {
    /// The flags' overrides on top of the URI's parameters (or the defaults for a bare secret).
    fn apply(self, p: &OtpParams) -> CliResult<Input> {
        if p.otp.hotp && p.steam {
            return Err(CliError::usage(
                "--hotp and --steam cannot be combined: Steam Guard codes are time-based",
            ));
        }
        let mut b = self.params.to_builder();
        if p.otp.hotp {
            b = b.kind(Kind::Hotp);
        }
        if p.steam {
            b = b.kind(Kind::Steam);
        }
        if let Some(a) = &p.otp.algorithm {
            b = b.algorithm(parse_algorithm(a)?);
        }
        if let Some(d) = p.otp.digits {
            if !(iamkit_otp::MIN_DIGITS..=iamkit_otp::MAX_DIGITS).contains(&d) {
                return Err(CliError::usage(format!(
                    "--digits {d} is out of range: expected 6 to 10"
                )));
            }
            b = b.digits(d);
        }
        if let Some(s) = p.otp.period {
            check_period(s)?;
            b = b.period(s);
        }
        if let Some(t0) = p.t0 {
            if t0 > iamkit_otp::MAX_T0 {
                return Err(CliError::usage(format!(
                    "--t0 {t0} is out of range: expected a Unix time from 0 to {} (the end of the year 9999)",
                    iamkit_otp::MAX_T0
                )));
            }
            b = b.t0(t0);
        }
        Ok(Input {
            params: b.build()?,
            secret: self.secret,
            counter: p.otp.counter.or(self.counter),
        })
    }

    /// The generator, and for HOTP the counter to use (required).
    fn generator(self) -> CliResult<(Generator, u64)> {
        let counter = match self.params.kind() {
            Kind::Hotp => self
                .counter
                .ok_or_else(|| CliError::usage("HOTP needs a counter: pass --counter N"))?,
            Kind::Totp | Kind::Steam => 0,
        };
        Ok((self.params.generator(self.secret), counter))
    }
}

/// `--algorithm`: sha1, sha256 or sha512, any case.
fn parse_algorithm(a: &str) -> CliResult<Algorithm> {
    a.parse().or_usage(format_args!(
        "unknown algorithm {a:?}: expected sha1, sha256 or sha512"
    ))
}

/// Checks a `--period`: 1 second to a day.
fn check_period(s: u64) -> CliResult {
    if s == 0 || s > iamkit_otp::MAX_PERIOD {
        return Err(CliError::usage(format!(
            "--period {s} is out of range: expected 1 to {} seconds (a period over a day is not an authenticator's)",
            iamkit_otp::MAX_PERIOD
        )));
    }
    Ok(())
}

/// Reads stdin (or a no-echo prompt): a base32 secret or a whole otpauth:// URI, and applies
/// the flags.
fn read_input(flags: &OtpParams) -> CliResult<Input> {
    let line = io::read_secret_line("secret or otpauth:// URI")?;
    resolve_input(&line)?.apply(flags)
}

/// Turns one line of input (base32 secret or otpauth:// URI) into parameters: a URI's, or the
/// defaults of [`Params`] for a bare secret.
fn resolve_input(input: &str) -> CliResult<Input> {
    if io::starts_with_ci(input, "otpauth://") {
        let uri = OtpAuthUri::parse(input)?;
        return Ok(Input {
            params: uri.params(),
            secret: uri.secret().clone(),
            counter: uri.counter(),
        });
    }
    let secret = iamkit_otp::insecure::secret_from_base32(input)?;
    Ok(Input {
        params: Params::default(),
        secret,
        counter: None,
    })
}

/// `otp code --json` and `mfa code --json` (with the device's `name`), serialized straight into
/// a wiped buffer (no `serde_json::Value` holding the code).
#[derive(Debug, serde::Serialize)]
pub(crate) struct CodeJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    code: &'a str,
    counter: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining_seconds: Option<u64>,
}

impl<'a> CodeJson<'a> {
    /// An HOTP code and the counter it used.
    pub(crate) fn hotp(name: Option<&'a str>, code: &'a str, counter: u64) -> Self {
        CodeJson {
            name,
            code,
            counter,
            period: None,
            remaining_seconds: None,
        }
    }

    /// A TOTP code at `now`: its step, the period and the seconds left.
    pub(crate) fn totp(name: Option<&'a str>, code: &'a str, totp: &Totp, now: u64) -> Self {
        CodeJson {
            name,
            code,
            counter: totp.step_at(now),
            period: Some(totp.period()),
            remaining_seconds: Some(totp.remaining_seconds(now)),
        }
    }
}

/// `otp parse`'s JSON; the secret (with `--show-secret`) is borrowed from a wiped string.
#[derive(Debug, serde::Serialize)]
struct ParseJson<'a> {
    #[serde(rename = "type")]
    otp_type: &'a str,
    issuer: Option<&'a str>,
    account: &'a str,
    algorithm: &'a str,
    digits: u32,
    period: Option<u64>,
    counter: Option<u64>,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
}

fn code(args: &CodeArgs) -> CliResult {
    match read_input(&args.params)?.generator()? {
        (Generator::Hotp(hotp), counter) => {
            let code = hotp.generate(counter);
            if args.json {
                Out::json(&CodeJson::hotp(None, code.as_str(), counter))
            } else {
                Out::line(code.as_str())
            }
        }
        (Generator::Totp(totp), _) => {
            let now = match args.params.time {
                Some(t) => t,
                None => now_unix()?,
            };
            let code = totp.generate(now);
            if args.json {
                Out::json(&CodeJson::totp(None, code.as_str(), &totp, now))
            } else {
                Out::line(code.as_str())
            }
        }
    }
}

fn verify(args: &VerifyArgs) -> CliResult {
    let input = read_input(&args.params)?;
    match input.generator()? {
        (Generator::Hotp(hotp), counter) => {
            if args.past.is_some() || args.future.is_some() {
                return Err(CliError::usage(
                    "--past/--future are for TOTP; HOTP takes --window W (look-ahead)",
                ));
            }
            replay_store::refuse_for_hotp(&args.replay)?;
            let look_ahead = args.window.unwrap_or(0);
            if look_ahead > 100 && !args.dangerous_wide_window {
                return Err(CliError::usage(format!(
                    "--window {look_ahead} is wider than 100 counters: pass --dangerous-wide-window to allow it"
                )));
            }
            let matched = hotp
                .verify(&args.code, counter, look_ahead)
                .or_check_failed(INVALID_CODE)?;
            Out::line(&matched.to_string())
        }
        (Generator::Totp(totp), _) => {
            let (past, future) = match args.window {
                Some(w) => (w, w),
                None => (args.past.unwrap_or(1), args.future.unwrap_or(1)),
            };
            let window = if args.dangerous_wide_window {
                Window::dangerous_wide(past, future)
            } else {
                Window::new(past, future)
                    .hint("pass --dangerous-wide-window to allow a wider window")?
            };
            let now = match args.params.time {
                Some(t) => t,
                None => now_unix()?,
            };
            let replay = replay_store::open(&args.replay)?;
            let matched = totp
                .verify(&args.code, now, window)
                .or_check_failed(INVALID_CODE)?;
            replay_store::record(replay.as_ref(), &totp, window, &matched, now)?;
            Out::line(&matched.offset.to_string())
        }
    }
}

/// What a failed verification says: nothing about why (opaque by design).
const INVALID_CODE: &str = "invalid code";

/// The RFC 6238 demo seed, ASCII "12345678901234567890".
const DEMO_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

impl Ticker for Totp {
    fn code_at(&self, unix_time: u64) -> String {
        self.generate(unix_time).as_str().to_owned()
    }
    fn step_at(&self, unix_time: u64) -> u64 {
        Totp::step_at(self, unix_time)
    }
    fn period(&self) -> u64 {
        Totp::period(self)
    }
    fn remaining(&self, unix_time: u64) -> u64 {
        self.remaining_seconds(unix_time)
    }
}

/// `iamkit demo`: a live code for the RFC 6238 demo secret.
pub(crate) fn demo(args: DemoArgs) -> CliResult {
    let secret = Secret::from_base32(DEMO_SECRET)?;
    let totp = Totp::builder(secret).build()?;
    if args.once || !io::stdout_is_terminal() {
        let now = now_unix()?;
        return Out::line(&format!(
            "{}  ({}s left; demo secret {DEMO_SECRET}, RFC 6238)",
            totp.generate(now).as_str(),
            totp.remaining_seconds(now)
        ));
    }
    Out::line(&format!(
        "iamkit demo: TOTP (SHA1, 6 digits, 30 s) for the RFC 6238 demo secret {DEMO_SECRET}; Ctrl-C to stop"
    ))?;
    watch::watch("demo", &totp, &mut |_, _| {})
}

// --- otpauth:// URIs (iamkit-otpauth) --------------------------------------------------------

fn uri(args: &UriArgs) -> CliResult {
    let secret = if args.generate {
        let bits = match args.bits {
            160 => SecretBits::B160,
            256 => SecretBits::B256,
            512 => SecretBits::B512,
            other => {
                return Err(CliError::usage(format!(
                    "--bits {other} is not offered: expected 160, 256 or 512"
                )));
            }
        };
        Secret::generate_with(bits)?
    } else {
        let line = io::read_secret_line("base32 secret")?;
        iamkit_otp::insecure::secret_from_base32(&line)?
    };
    let mut b = if args.otp.hotp {
        OtpAuthUri::hotp(secret, args.account.clone(), args.otp.counter.unwrap_or(0))
    } else {
        if args.otp.counter.is_some() {
            return Err(CliError::usage("--counter is for HOTP: add --hotp"));
        }
        OtpAuthUri::totp(secret, args.account.clone())
    };
    b = b.issuer(args.issuer.clone());
    if let Some(a) = &args.otp.algorithm {
        b = b.algorithm(parse_algorithm(a)?);
    }
    if let Some(d) = args.otp.digits {
        b = b.digits(d);
    }
    if let Some(p) = args.otp.period {
        check_period(p)?;
        b = b.period(p);
    }
    let built = b.build()?;
    Out::line(&built.to_uri())
}

fn parse(args: &ParseArgs) -> CliResult {
    let text = io::read_stdin_all("otpauth:// URI")?;
    let uri = OtpAuthUri::parse(text.trim())?;
    let secret = args.show_secret.then(|| uri.secret().to_base32());
    Out::json(&ParseJson {
        otp_type: uri.kind().as_str(),
        issuer: uri.issuer(),
        account: uri.account(),
        algorithm: uri.algorithm().as_str(),
        digits: uri.digits(),
        period: uri.period(),
        counter: uri.counter(),
        warnings: uri.warnings().iter().map(ToString::to_string).collect(),
        secret: secret.as_deref().map(String::as_str),
    })
}

fn qr(args: &QrArgs) -> CliResult {
    let text = io::read_stdin_all("otpauth:// URI")?;
    let text = text.trim();
    // Only enrollment URIs: check it parses, then encode exactly what was given.
    if io::starts_with_ci(text, "otpauth-migration://") {
        iamkit_otpauth::migration::import(text)?;
    } else {
        OtpAuthUri::parse(text)?;
    }
    let code = QrCode::new(text)?;
    write_qr(&code, args.format, args.output.as_deref(), args.invert)
}

/// Writes a QR code in `format` to `output` (a file, `-` for stdout) or the terminal.
pub(crate) fn write_qr(
    code: &QrCode,
    format: QrFormat,
    output: Option<&std::path::Path>,
    invert: bool,
) -> CliResult {
    let bytes = match format {
        QrFormat::Terminal => {
            return match output {
                None => Out::write(format_args!("{}", code.to_terminal(invert))),
                Some(path) if path.as_os_str() == "-" => {
                    Out::write(format_args!("{}", code.to_terminal(invert)))
                }
                Some(path) => io::write_private(path, code.to_terminal(invert).as_bytes()),
            };
        }
        QrFormat::Png => code.to_png()?,
        QrFormat::Svg => code.to_svg().into_bytes(),
    };
    match output {
        Some(path) if path.as_os_str() != "-" => io::write_private(path, &bytes),
        Some(_) => Out::bytes(&bytes),
        None if format == QrFormat::Png && io::stdout_is_terminal() => Err(CliError::usage(
            "a PNG is binary: pass --output FILE (or --output - to write it to a pipe)",
        )),
        None => Out::bytes(&bytes),
    }
}
