//! `iamkit mfa …`: stored MFA devices (a terminal virtual-MFA authenticator).

pub(crate) mod enroll;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use iamkit_keystore::{MfaDevice, Overwrite, RecordKind, Store};
use iamkit_otp::fresh::{self, Fresh};
use iamkit_otp::{Generator, Kind, Params, Secret, Totp};
use iamkit_otpauth::{OtpAuthUri, QrCode, migration};
use serde_json::json;
use zeroize::Zeroizing;

use crate::Globals;
use crate::clipboard;
use crate::cmd::otp::CodeJson;
use crate::error::{CliError, CliResult, Context};
use crate::io::{self, Out};
use crate::storeopen;
use crate::watch::{self, Ticker, now_unix};

/// `iamkit mfa` subcommands.
#[derive(Debug, Subcommand)]
// Only the subcommand being run builds its arguments (start-up time: BENCHMARKS.md).
#[command(defer = true)]
pub(crate) enum MfaCmd {
    /// Store an MFA device from an otpauth:// URI or base32 secret on stdin, or a QR image.
    Add(AddArgs),
    /// Print the current code of a stored device.
    ///
    /// Prints just the code and a newline, so it works as aws-vault's `mfa_process`. Every
    /// time-based code printed is recorded (the device's last printed step), so `--fresh` can
    /// wait for a code that was never printed: AWS rejects a code that was already used.
    Code(CodeArgs),
    /// List stored devices (names, issuer, account; never secrets).
    List {
        /// One JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Remove a stored device.
    Remove {
        /// The device's name.
        name: String,
    },
    /// Show a stored device as an otpauth:// URI or a QR code.
    Show(ShowArgs),
    /// Import devices from otpauth-migration://offline?data=… URIs on stdin (one per line).
    ImportMigration {
        /// Replace existing devices of the same names.
        #[arg(long)]
        force: bool,
    },
    /// Create a virtual MFA device in IAM, store its seed as NAME (with its serial) and enable
    /// it with two consecutive codes; prints the serial ARN. Nothing half-made remains after a
    /// failure (the IAM device is deleted again).
    Enroll(enroll::EnrollArgs),
    /// Deactivate and delete a device in IAM, then remove it from the store.
    Unenroll(enroll::UnenrollArgs),
    /// Holds a copied code on the system clipboard for `--copy` (started by iamkit itself).
    #[command(hide = true)]
    ClipboardKeeper {
        /// Seconds to keep it before clearing.
        #[arg(long, default_value_t = clipboard::DEFAULT_CLEAR_AFTER)]
        clear_after: u64,
    },
    /// Export devices as otpauth-migration:// URIs (Google Authenticator's transfer format).
    ExportMigration {
        /// Devices to export (default: all).
        names: Vec<String>,
        /// Draw each URI as a QR code on the terminal (to scan with a phone) after printing it.
        #[arg(long)]
        qr: bool,
    },
}

// `iamkit mfa add`.
#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The device's name.
    pub(crate) name: String,
    /// Decode the otpauth:// URI from a QR code image (PNG or JPEG).
    #[arg(long, value_name = "FILE")]
    pub(crate) qr_image: Option<PathBuf>,
    /// Issuer (overrides the URI's).
    #[arg(long)]
    pub(crate) issuer: Option<String>,
    /// Account (overrides the URI's).
    #[arg(long)]
    pub(crate) account: Option<String>,
    /// The device's MFA serial number as AWS knows it (arn:aws:iam::ACCOUNT:mfa/NAME, or a
    /// hardware token's serial): sessions made with this device send it beside the code.
    #[arg(long, value_name = "ARN")]
    pub(crate) serial: Option<String>,
    /// Replace an existing device of the same name.
    #[arg(long)]
    pub(crate) force: bool,
}

// `iamkit mfa code`.
#[derive(Debug, Args)]
pub(crate) struct CodeArgs {
    /// The device's name.
    pub(crate) name: String,
    /// Unix time to compute the code for (default: now).
    #[arg(long, value_name = "UNIX")]
    pub(crate) time: Option<u64>,
    /// One JSON object on one line.
    #[arg(long)]
    pub(crate) json: bool,
    /// Redraw the code with a countdown until interrupted.
    #[arg(long)]
    pub(crate) watch: bool,
    /// Put the code on the clipboard (OSC 52 over SSH). The system clipboard is cleared after
    /// --clear-after seconds if it still holds the code.
    #[arg(long)]
    pub(crate) copy: bool,
    /// With --copy: seconds the code stays on the system clipboard, 1 to 600.
    #[arg(
        long,
        value_name = "SECONDS",
        requires = "copy",
        default_value_t = clipboard::DEFAULT_CLEAR_AFTER,
        value_parser = clap::value_parser!(u64).range(1..=clipboard::MAX_CLEAR_AFTER)
    )]
    pub(crate) clear_after: u64,
    /// Wait for a code this device has not printed before.
    #[arg(long)]
    pub(crate) fresh: bool,
}

// `iamkit mfa show`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("show_as").required(true).multiple(false).args(["uri", "qr"]))]
pub(crate) struct ShowArgs {
    /// The device's name.
    pub(crate) name: String,
    /// Print the otpauth:// URI.
    #[arg(long)]
    pub(crate) uri: bool,
    /// Draw a QR code: terminal, png or svg.
    #[arg(long, value_name = "FORMAT")]
    pub(crate) qr: Option<String>,
    /// Where to write a png/svg QR code (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Terminal QR code: dark-on-light, for light terminal themes.
    #[arg(long)]
    pub(crate) invert: bool,
}

pub(crate) fn run(cmd: MfaCmd, globals: &Globals) -> CliResult {
    match cmd {
        MfaCmd::Add(args) => add(&args, globals),
        MfaCmd::Code(args) => code(&args, globals),
        MfaCmd::List { json } => list(json, globals),
        MfaCmd::Remove { name } => remove(&name, globals),
        MfaCmd::Show(args) => show(&args, globals),
        MfaCmd::ImportMigration { force } => import_migration(force, globals),
        MfaCmd::ExportMigration { names, qr } => export_migration(&names, qr, globals),
        MfaCmd::ClipboardKeeper { clear_after } => clipboard::run_keeper(clear_after),
        MfaCmd::Enroll(args) => enroll::enroll(&args, globals),
        MfaCmd::Unenroll(args) => enroll::unenroll(&args, globals),
    }
}

const MIGRATION_SCHEME: &str = "otpauth-migration://";

use crate::io::{escape_text, starts_with_ci};

/// One warning line on stderr; names from enrollment data in it are escaped.
fn warn(text: &str) {
    eprintln!("iamkit: warning: {}", escape_text(text));
}

/// The stored record for a parsed URI.
fn device_from_uri(uri: &OtpAuthUri) -> MfaDevice {
    MfaDevice {
        params: uri.params(),
        issuer: uri.issuer().map(str::to_owned),
        account: uri.account().to_owned(),
        counter: uri.counter(),
        secret: Zeroizing::new(uri.secret().expose_secret().to_vec()),
        last_printed_step: None,
        serial: None,
    }
}

/// A stored device as what makes its codes: the parameters, the secret, and the HOTP counter
/// (0 when unset; unused for time-based devices). The one place a record becomes OTP values.
pub(crate) fn device_otp(dev: &MfaDevice) -> CliResult<(Params, Secret, u64)> {
    let secret = iamkit_otp::insecure::secret_from_bytes(&dev.secret)
        .stored_context("the stored secret is unusable")?;
    Ok((dev.params, secret, dev.counter.unwrap_or(0)))
}

/// A stored device's generator.
pub(crate) fn generator(dev: &MfaDevice) -> CliResult<Generator> {
    let (params, secret, _) = device_otp(dev)?;
    Ok(params.generator(secret))
}

/// The device as an `otpauth://` URI (fails only for what the strict builder refuses: a label
/// it cannot write, Steam other than SHA1 / 30 s).
fn device_uri(dev: &MfaDevice, name: &str) -> CliResult<OtpAuthUri> {
    let (params, secret, counter) = device_otp(dev)?;
    let mut b = OtpAuthUri::builder(params, secret, dev.account.clone());
    if params.kind() == Kind::Hotp {
        b = b.counter(counter);
    }
    if let Some(i) = &dev.issuer {
        b = b.issuer(i.clone());
    }
    if params.t0() != Params::DEFAULT_T0 {
        warn(&format!(
            "device {name:?} has t0 = {}, which an otpauth URI cannot express; other apps will show different codes",
            params.t0()
        ));
    }
    b.build().context(format_args!(
        "device {name:?} cannot be written as an otpauth URI"
    ))
}

/// What `mfa add` reads: an otpauth:// URI or a base32 secret.
fn parse_enrollment(text: &str, name: &str) -> CliResult<(MfaDevice, Vec<String>)> {
    let text = text.trim();
    if starts_with_ci(text, MIGRATION_SCHEME) {
        return Err(CliError::usage(
            "this is a Google Authenticator export (otpauth-migration://): use iamkit mfa import-migration",
        ));
    }
    if starts_with_ci(text, "otpauth://") {
        let uri = OtpAuthUri::parse(text)?;
        let warnings = uri.warnings().iter().map(ToString::to_string).collect();
        return Ok((device_from_uri(&uri), warnings));
    }
    if text.contains("://") {
        return Err(CliError::usage(
            "not an otpauth:// URI (expected otpauth://totp/…?secret=… or a base32 secret)",
        ));
    }
    let secret = iamkit_otp::insecure::secret_from_base32(text)?;
    let mut warnings = Vec::new();
    if secret.len_bits() < iamkit_otp::MIN_SECRET_BITS {
        warnings.push(format!(
            "the secret is only {} bits long (RFC 4226 asks for at least {})",
            secret.len_bits(),
            iamkit_otp::MIN_SECRET_BITS
        ));
    }
    Ok((
        MfaDevice::totp(name, secret.expose_secret().to_vec()),
        warnings,
    ))
}

fn read_qr_image(path: &Path) -> CliResult<Zeroizing<String>> {
    let bytes = Zeroizing::new(
        std::fs::read(path).context(format_args!("cannot read the QR image {}", path.display()))?,
    );
    let text =
        iamkit_otpauth::qr::decode_image(&bytes).context(format_args!("{}", path.display()))?;
    Ok(Zeroizing::new(text))
}

fn check_label_part(value: &str, what: &str) -> CliResult {
    if value.trim().is_empty() || value.contains(':') || value.chars().any(char::is_control) {
        return Err(CliError::usage(format!(
            "--{what} {value:?}: expected a non-empty name without ':' or control characters"
        )));
    }
    Ok(())
}

fn describe(dev: &MfaDevice) -> String {
    let p = &dev.params;
    let kind = match p.kind() {
        Kind::Totp => format!(
            "TOTP {} {} digits {} s",
            p.algorithm(),
            p.digits(),
            p.period()
        ),
        Kind::Hotp => format!(
            "HOTP {} {} digits counter {}",
            p.algorithm(),
            p.digits(),
            dev.counter.unwrap_or(0)
        ),
        Kind::Steam => "Steam Guard".to_owned(),
    };
    // Issuer and account come from enrollment data: escaped, never raw control bytes.
    let account = escape_text(&dev.account);
    match &dev.issuer {
        Some(i) => format!("{}: {account} ({kind})", escape_text(i)),
        None => format!("{account} ({kind})"),
    }
}

fn add(args: &AddArgs, globals: &Globals) -> CliResult {
    iamkit_keystore::validate_name(&args.name)?;
    if let Some(i) = &args.issuer {
        check_label_part(i, "issuer")?;
    }
    if let Some(a) = &args.account {
        check_label_part(a, "account")?;
    }
    if let Some(serial) = &args.serial {
        iamkit_aws::MfaSerial::new(serial).context("--serial")?;
    }
    let input = match &args.qr_image {
        Some(path) => read_qr_image(path)?,
        None => io::read_secret_line("secret or otpauth:// URI")?,
    };
    let (mut dev, warnings) = parse_enrollment(&input, &args.name)?;
    drop(input);
    if let Some(i) = &args.issuer {
        dev.issuer = Some(i.clone());
    }
    if let Some(a) = &args.account {
        dev.account.clone_from(a);
    }
    dev.serial.clone_from(&args.serial);
    // Check that codes can be made before storing.
    generator(&dev)?;
    let opened = storeopen::open(globals)?;
    let overwrite = if args.force {
        Overwrite::Allow
    } else {
        Overwrite::Refuse
    };
    opened.store.put_mfa(&args.name, &dev, overwrite)?;
    for w in &warnings {
        warn(w);
    }
    Out::line(&format!(
        "added MFA device {}: {} to the {}",
        escape_text(&args.name),
        describe(&dev),
        opened.status.info
    ))
}

impl Ticker for TotpTicker<'_> {
    fn code_at(&self, unix_time: u64) -> String {
        self.0.generate(unix_time).as_str().to_owned()
    }
    fn step_at(&self, unix_time: u64) -> u64 {
        self.0.step_at(unix_time)
    }
    fn period(&self) -> u64 {
        self.0.period()
    }
    fn remaining(&self, unix_time: u64) -> u64 {
        self.0.remaining_seconds(unix_time)
    }
}

/// A borrowed TOTP generator as a [`Ticker`].
struct TotpTicker<'a>(&'a Totp);

/// Copies a code, saying on stderr what happened (and for how long); a failure is a warning
/// only. `quiet`: say nothing on success (each new code while watching).
fn copy_code(code: &str, clear_after: u64, quiet: bool) {
    match clipboard::copy(code, clear_after) {
        Ok(how) => {
            if !quiet {
                eprintln!("iamkit: {}", how.describe());
            }
        }
        Err(e) => warn(&format!("--copy: {}", e.message)),
    }
}

fn code(args: &CodeArgs, globals: &Globals) -> CliResult {
    if args.watch && (args.json || args.fresh || args.time.is_some()) {
        return Err(CliError::usage(
            "--watch shows live codes: it cannot be combined with --json, --fresh or --time",
        ));
    }
    if args.fresh && args.time.is_some() {
        return Err(CliError::usage(
            "--fresh waits on the clock for a new code: it cannot be combined with --time",
        ));
    }
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let dev = store.get_mfa(&args.name)?;
    match generator(&dev)? {
        Generator::Hotp(hotp) => {
            if args.watch {
                return Err(CliError::usage(format!(
                    "{:?} is an HOTP (counter) device: --watch is for time-based devices",
                    args.name
                )));
            }
            // Every HOTP code printed uses up its counter value: taken and advanced under the
            // store's lock, so two `mfa code` runs at once never print the same code.
            let counter = store.take_hotp_counter(&args.name)?;
            let code = hotp.generate(counter);
            if args.copy {
                copy_code(code.as_str(), args.clear_after, false);
            }
            if args.json {
                Out::json(&CodeJson::hotp(Some(&args.name), code.as_str(), counter))
            } else {
                Out::line(code.as_str())
            }
        }
        Generator::Totp(totp) => {
            if args.watch {
                let copy = args.copy.then_some(args.clear_after);
                return watch_codes(&args.name, &totp, store, copy);
            }
            let now = match args.time {
                Some(t) => t,
                None if args.fresh => fresh_time(&args.name, &totp, store, dev.last_printed_step)?,
                None => {
                    let now = now_unix()?;
                    store.set_last_printed_step(&args.name, totp.step_at(now))?;
                    now
                }
            };
            let code = totp.generate(now);
            if args.copy {
                copy_code(code.as_str(), args.clear_after, false);
            }
            if args.json {
                Out::json(&CodeJson::totp(Some(&args.name), code.as_str(), &totp, now))
            } else {
                Out::line(code.as_str())
            }
        }
    }
}

/// `--fresh`: waits until the clock is in a step after the last one printed (the decision is
/// [`fresh::decide`]), claims that step in the store (atomically: if another process printed it
/// meanwhile, waits again) and returns the time to compute the code for.
pub(crate) fn fresh_time(
    name: &str,
    totp: &Totp,
    store: &dyn Store,
    last: Option<u64>,
) -> CliResult<u64> {
    use std::io::IsTerminal;
    let mut last = last;
    let mut said = false;
    loop {
        let now = now_unix()?;
        let step = match fresh::decide(totp, now, last) {
            Fresh::Ready(step) => step,
            Fresh::Wait(wait) => {
                if wait > totp.period().saturating_mul(2).saturating_add(1) {
                    return Err(CliError::storage(format!(
                        "device {name:?} has printed a code for a time {wait} s from now (its clock or an earlier --time?): wait, or re-add the device"
                    )));
                }
                if !said && std::io::stderr().is_terminal() {
                    eprintln!("iamkit: waiting {wait} s for a code not printed before");
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(wait.saturating_mul(1000).min(5000)));
                continue;
            }
        };
        let prev = store.set_last_printed_step(name, step)?;
        match prev {
            Some(p) if p >= step => last = Some(p),
            _ => return Ok(now),
        }
    }
}

/// `--watch`: the live countdown on a terminal; when piped, one line per new code.
/// Every code shown is recorded as printed, the previewed next code too (it can be typed), so
/// a later `--fresh` never prints it again. `copy`: copy each new current code, kept on the
/// clipboard this many seconds.
fn watch_codes(name: &str, totp: &Totp, store: &dyn Store, copy: Option<u64>) -> CliResult {
    let mut copies = 0u64;
    let mut record = |now: u64, shown: watch::Shown| {
        // Recording is best effort while watching: a failure must not stop the display.
        let _ = store.set_last_printed_step(name, totp.step_at(now));
        if let Some(clear_after) = copy
            && shown == watch::Shown::Current
        {
            // The first copy says what happens; later ones would break the display.
            copy_code(totp.generate(now).as_str(), clear_after, copies > 0);
            copies += 1;
        }
    };
    if io::stdout_is_terminal() {
        return watch::watch(name, &TotpTicker(totp), &mut record);
    }
    // Piped: print each code once, as its step begins, until interrupted or the reader leaves.
    let mut last_step = None;
    loop {
        let now = now_unix()?;
        let step = totp.step_at(now);
        if last_step != Some(step) {
            record(now, watch::Shown::Current);
            Out::line(totp.generate(now).as_str())?;
            last_step = Some(step);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn list(json: bool, globals: &Globals) -> CliResult {
    let opened = storeopen::open(globals)?;
    let names = opened.store.list(RecordKind::Mfa)?;
    let mut rows = Vec::with_capacity(names.len());
    for name in names {
        let dev = opened.store.get_mfa(&name)?;
        rows.push((name, dev));
    }
    if json {
        let devices: Vec<_> = rows
            .iter()
            .map(|(name, d)| {
                let p = &d.params;
                json!({
                    "name": name,
                    "issuer": d.issuer,
                    "account": d.account,
                    "type": p.kind().as_str(),
                    "algorithm": p.algorithm().as_str(),
                    "digits": p.digits(),
                    "period": p.kind().is_time_based().then_some(p.period()),
                    "counter": d.counter,
                    "serial": d.serial,
                })
            })
            .collect();
        return Out::json(&json!({ "devices": devices }));
    }
    for (name, d) in &rows {
        Out::line(&format!(
            "{}\t{}\t{}",
            escape_text(name),
            escape_text(d.issuer.as_deref().unwrap_or("-")),
            escape_text(&d.account)
        ))?;
    }
    Ok(())
}

fn remove(name: &str, globals: &Globals) -> CliResult {
    let opened = storeopen::open(globals)?;
    opened.store.remove(RecordKind::Mfa, name)?;
    Out::line(&format!("removed MFA device {}", escape_text(name)))
}

fn show(args: &ShowArgs, globals: &Globals) -> CliResult {
    let format = match args.qr.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("terminal") => Some("terminal"),
        Some("png") => Some("png"),
        Some("svg") => Some("svg"),
        Some(other) => {
            return Err(CliError::usage(format!(
                "unknown QR format {other:?}: expected terminal, png or svg"
            )));
        }
    };
    if args.uri && args.output.is_some() {
        return Err(CliError::usage(
            "--output goes with --qr png|svg|terminal, not --uri",
        ));
    }
    if matches!(format, Some("png" | "svg")) && args.output.is_none() {
        return Err(CliError::usage(
            "--qr png and --qr svg write a file: pass --output FILE (or --output - for stdout)",
        ));
    }
    let opened = storeopen::open(globals)?;
    let dev = opened.store.get_mfa(&args.name)?;
    let uri = device_uri(&dev, &args.name)?;
    let text = uri.to_uri();
    let Some(format) = format else {
        return Out::line(&text);
    };
    let qr = QrCode::new(&text)?;
    let data: Zeroizing<Vec<u8>> = Zeroizing::new(match format {
        "png" => qr.to_png()?,
        "svg" => qr.to_svg().into_bytes(),
        _ => qr.to_terminal(args.invert).into_bytes(),
    });
    match &args.output {
        Some(path) => io::write_private(path, &data),
        None => Out::bytes(&data),
    }
}

/// A device name for an imported account: `Issuer:account`, or the account alone.
fn migration_name(uri: &OtpAuthUri) -> String {
    let base = match uri.issuer() {
        Some(i) if !i.is_empty() => format!("{i}:{}", uri.account()),
        _ => uri.account().to_owned(),
    };
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    // Truncate first, then trim: trimming first can leave a space at the cut ("A"*63 + " B").
    let name = truncate_at_char(&cleaned, iamkit_keystore::MAX_NAME_LEN).trim();
    if name.is_empty() {
        "imported".to_owned()
    } else {
        name.to_owned()
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Gives each imported account a name not used before in the import: the base name, then
/// `base (2)`, `base (3)`, … (the base shortened so the name fits). Linear time: a set of the
/// names taken and, per base, the next number to try.
#[derive(Debug, Default)]
struct Namer {
    taken: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, u64>,
    /// How many candidate names were tried (for the complexity test).
    #[cfg(test)]
    probes: usize,
}

impl Namer {
    fn name(&mut self, base: &str) -> String {
        let mut n = self.next.get(base).copied().unwrap_or(1);
        loop {
            #[cfg(test)]
            {
                self.probes += 1;
            }
            let candidate = if n == 1 {
                base.to_owned()
            } else {
                let suffix = format!(" ({n})");
                let room = iamkit_keystore::MAX_NAME_LEN.saturating_sub(suffix.len());
                format!("{}{suffix}", truncate_at_char(base, room).trim_end())
            };
            n += 1;
            if self.taken.insert(candidate.clone()) {
                self.next.insert(base.to_owned(), n);
                return candidate;
            }
        }
    }
}

fn import_migration(force: bool, globals: &Globals) -> CliResult {
    let input = if io::stdin_is_terminal() {
        io::read_secret_line("otpauth-migration:// URI")?
    } else {
        io::read_stdin_all("otpauth-migration:// URI")?
    };
    let lines: Vec<&str> = input
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(CliError::usage(
            "no otpauth-migration:// URI on stdin: expected one per line",
        ));
    }
    let mut accounts = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // An account this tool cannot use (MD5, an unknown type) is left out with a warning
        // rather than failing the whole transfer.
        let parsed = migration::import_skipping(line);
        let batch = if lines.len() == 1 {
            parsed?
        } else {
            parsed.context(format_args!("line {}", i + 1))?
        };
        for s in batch.skipped() {
            let place = if lines.len() == 1 {
                String::new()
            } else {
                format!(" on line {}", i + 1)
            };
            skipped.push(format!(
                "account #{} {:?}{place}: {}",
                s.index() + 1,
                s.label(),
                s.reason()
            ));
        }
        accounts.extend(batch.into_accounts());
    }
    if accounts.is_empty() {
        return Err(CliError::usage(if skipped.is_empty() {
            "the migration payload holds no accounts".to_owned()
        } else {
            format!(
                "no account of the migration payload can be imported: {}",
                skipped.join("; ")
            )
        }));
    }
    // Names: unique within the import.
    let mut named: Vec<(String, MfaDevice)> = Vec::with_capacity(accounts.len());
    let mut namer = Namer::default();
    for uri in &accounts {
        let name = namer.name(&migration_name(uri));
        iamkit_keystore::validate_name(&name)?;
        named.push((name, device_from_uri(uri)));
    }
    for (_, dev) in &named {
        generator(dev)?;
    }
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
    let overwrite =
        storeopen::check_batch_overwrite(store, RecordKind::Mfa, &names, force, "MFA devices")?;
    for (name, dev) in &named {
        store.put_mfa(name, dev, overwrite)?;
    }
    // Only once everything else is stored: an error after this would not be one line.
    for s in &skipped {
        warn(&format!("skipped {s}"));
    }
    for (name, dev) in &named {
        Out::line(&format!(
            "imported {}: {}",
            escape_text(name),
            describe(dev)
        ))?;
    }
    Ok(())
}

fn export_migration(names: &[String], qr: bool, globals: &Globals) -> CliResult {
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let names = if names.is_empty() {
        let all = store.list(RecordKind::Mfa)?;
        if all.is_empty() {
            return Err(CliError::storage(format!(
                "no MFA devices in the {} to export",
                opened.status.info
            )));
        }
        all
    } else {
        names.to_vec()
    };
    let mut uris = Vec::with_capacity(names.len());
    for name in &names {
        let dev = store.get_mfa(name)?;
        uris.push(device_uri(&dev, name)?);
    }
    let export = migration::export(&uris)?;
    for w in export.warnings() {
        warn(&w.to_string());
    }
    for uri in export.uris() {
        Out::line(uri)?;
        if qr {
            let code = QrCode::new(uri)?;
            Out::bytes(code.to_terminal(false).as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrollment_from_base32_and_uri() {
        let (d, w) = parse_enrollment("jbsw y3dp ehpk 3pxp", "n")
            .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(d.account, "n");
        assert_eq!(&*d.secret, b"Hello!\xde\xad\xbe\xef");
        assert_eq!(w.len(), 1, "80-bit secret warns");
        let (d, _) = parse_enrollment(
            "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8&period=60&algorithm=SHA256",
            "n",
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(d.issuer.as_deref(), Some("ACME"));
        assert_eq!(d.account, "alice");
        assert_eq!(
            (d.params.digits(), d.params.period(), d.params.algorithm()),
            (8, 60, iamkit_otp::Algorithm::Sha256)
        );
        assert!(parse_enrollment("otpauth-migration://offline?data=x", "n").is_err());
        assert!(parse_enrollment("https://example.com", "n").is_err());
        assert!(parse_enrollment("not base32!", "n").is_err());
    }

    #[test]
    fn migration_name_truncates_then_trims_so_a_space_at_the_cut_does_not_abort_the_import() {
        let account = format!("{} B", "A".repeat(63));
        let uri = OtpAuthUri::totp(
            Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
                .unwrap_or_else(|e| panic!("{e}")),
            account,
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
        let name = migration_name(&uri);
        assert_eq!(name, "A".repeat(63));
        assert!(iamkit_keystore::validate_name(&name).is_ok());
        // A multi-byte character across the 64-byte limit is dropped whole.
        assert_eq!(
            truncate_at_char(&format!("{}é", "x".repeat(63)), 64),
            "x".repeat(63)
        );
    }

    #[test]
    fn duplicate_names_of_4000_identical_accounts_are_found_in_linear_time() {
        let mut namer = Namer::default();
        let base = "b".repeat(64);
        let names: Vec<String> = (0..4000).map(|_| namer.name(&base)).collect();
        // The old naming compared every candidate with every name so far (cubic time).
        assert!(
            namer.probes <= 4000 + 1,
            "{} candidate names tried",
            namer.probes
        );
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), 4000);
        assert_eq!(names[0], base);
        assert_eq!(names[1], format!("{} (2)", "b".repeat(60)));
        assert_eq!(names[3999], format!("{} (4000)", "b".repeat(57)));
        for n in &names {
            assert!(iamkit_keystore::validate_name(n).is_ok(), "{n:?}");
        }
        // A literal "x (2)" in the import is skipped over, not duplicated.
        let mut namer = Namer::default();
        let got: Vec<String> = ["x (2)", "x", "x"].iter().map(|b| namer.name(b)).collect();
        assert_eq!(got, ["x (2)", "x", "x (3)"]);
    }

    #[test]
    fn device_round_trips_through_uri() {
        let (d, _) = parse_enrollment(
            "otpauth://hotp/X:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=X&counter=7",
            "n",
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
        let uri = device_uri(&d, "n").unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(device_from_uri(&uri), d);
    }
}
