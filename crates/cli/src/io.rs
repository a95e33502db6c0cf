//! Standard input, secrets and output: the only places the CLI touches the terminal.
//!
//! Output goes through [`Out`], which treats a closed pipe (`iamkit … | head -1`) as success.
//!
//! Secrets pass through here in both directions, so nothing here leaves a copy behind: input is
//! read without std's internal buffer into [`Zeroizing`] buffers that grow by moving to a new
//! allocation and wiping the old one ([`push_wiped`]), and output is formatted into such a buffer
//! and written straight to the file descriptor (std's line buffer is never used).
//!
//! Text that came from enrollment data (issuer, account, device names, labels inside migration
//! payloads and QR images) is attacker-controlled: [`escape_text`] turns every control character
//! (and every bidirectional-override character) into a visible `\u{…}` escape before it reaches a
//! terminal, so an account name cannot carry an OSC 52 clipboard write or an `ESC[2K`.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;

use zeroize::{Zeroize, Zeroizing};

use crate::error::{CliError, CliResult, Context, InContext};

/// Whether standard input is a terminal (then secrets are prompted for without echo).
pub(crate) fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Whether standard output is a terminal (colour and progress only then).
pub(crate) fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

// --- Text ------------------------------------------------------------------------------------

/// Whether `text` starts with the ASCII `prefix`, ignoring ASCII case. Compares bytes, so it
/// never slices a string inside a character (`日日日` or `ö` right at the end of the prefix).
pub(crate) fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Characters a terminal may act on: every control character (C0, DEL, C1) and the Unicode
/// bidirectional overrides and isolates (which reorder what is shown).
pub(crate) fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [unsafe character](is_unsafe_char) (newlines and tabs included) written as a
/// visible escape such as `\u{1b}`: for issuer, account and other names from enrollment data.
pub(crate) fn escape_text(text: &str) -> Cow<'_, str> {
    escape_except(text, &[])
}

/// As [`escape_text`], but keeps the characters in `keep` (e.g. the tabs and newlines of the
/// CLI's own layout).
fn escape_except<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !text
        .chars()
        .any(|c| is_unsafe_char(c) && !keep.contains(&c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_char(c) && !keep.contains(&c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

// --- Buffers that never leave a copy behind ---------------------------------------------------

/// Appends `data` to `buf`. When the allocation is too small, moves the contents to a bigger
/// one and wipes the old one (a plain `Vec` would reallocate and leave the old bytes in freed
/// memory).
pub(crate) fn push_wiped(buf: &mut Zeroizing<Vec<u8>>, data: &[u8]) {
    let need = buf.len().saturating_add(data.len());
    if need > buf.capacity() {
        let cap = need.max(buf.capacity().saturating_mul(2)).max(256);
        let mut bigger = Zeroizing::new(Vec::with_capacity(cap));
        bigger.extend_from_slice(buf);
        // Dropping the old buffer wipes it (contents and spare capacity).
        *buf = bigger;
    }
    buf.extend_from_slice(data);
}

/// A growing byte buffer, wiped on drop and on every move, usable with `write!`.
#[derive(Default)]
pub(crate) struct WipedBuf(Zeroizing<Vec<u8>>);

impl WipedBuf {
    pub(crate) fn with_capacity(cap: usize) -> Self {
        WipedBuf(Zeroizing::new(Vec::with_capacity(cap)))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for WipedBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WipedBuf")
            .field("len", &self.0.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Write for WipedBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        push_wiped(&mut self.0, s.as_bytes());
        Ok(())
    }
}

/// Turns wiped bytes into a wiped string (no copy); invalid UTF-8 is wiped and refused.
fn into_string(mut bytes: Zeroizing<Vec<u8>>, what: &str) -> CliResult<Zeroizing<String>> {
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(s) => Ok(Zeroizing::new(s)),
        Err(e) => {
            e.into_bytes().zeroize();
            Err(CliError::usage(format!(
                "the {what} on stdin is not UTF-8 text: expected text"
            )))
        }
    }
}

/// Standard input without std's buffer (which would keep a copy of the secret): a duplicate
/// of file descriptor 0, read directly.
#[cfg(unix)]
fn raw_stdin() -> io::Result<std::fs::File> {
    use std::os::fd::AsFd;
    Ok(std::fs::File::from(
        io::stdin().as_fd().try_clone_to_owned()?,
    ))
}

#[cfg(not(unix))]
fn raw_stdin() -> io::Result<io::Stdin> {
    Ok(io::stdin())
}

/// Standard output without std's line buffer.
#[cfg(unix)]
fn raw_stdout() -> io::Result<std::fs::File> {
    use std::os::fd::AsFd;
    Ok(std::fs::File::from(
        io::stdout().as_fd().try_clone_to_owned()?,
    ))
}

#[cfg(not(unix))]
fn raw_stdout() -> io::Result<io::Stdout> {
    Ok(io::stdout())
}

/// The longest line [`read_secret_line`] accepts.
const MAX_LINE: usize = 64 * 1024;

/// Reads up to the first newline, one byte at a time so that nothing after it is consumed.
fn read_raw_line(what: &str) -> CliResult<Zeroizing<Vec<u8>>> {
    let cannot = format_args!("cannot read the {what} from stdin");
    let mut input = raw_stdin().context(cannot)?;
    let mut line = Zeroizing::new(Vec::with_capacity(256));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        match input.read(&mut *byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => {
                if line.len() >= MAX_LINE {
                    return Err(CliError::usage(format!(
                        "the {what} on stdin is longer than {} KiB: expected one line",
                        MAX_LINE / 1024
                    )));
                }
                push_wiped(&mut line, &byte[..]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.in_context(&cannot)),
        }
    }
    Ok(line)
}

/// Reads one secret: from a no-echo prompt when stdin is a terminal, else the next line of
/// stdin with surrounding whitespace removed. Empty input is an error naming `what`.
pub(crate) fn read_secret_line(what: &str) -> CliResult<Zeroizing<String>> {
    let line = if stdin_is_terminal() {
        Zeroizing::new(
            rpassword::prompt_password(format!("{what}: "))
                .context(format_args!("cannot read the {what}"))?,
        )
    } else {
        into_string(read_raw_line(what)?, what)?
    };
    let trimmed = Zeroizing::new(line.trim().to_owned());
    if trimmed.is_empty() {
        return Err(CliError::usage(format!(
            "no {what} on stdin: expected one line holding the {what}"
        )));
    }
    Ok(trimmed)
}

/// Reads all of stdin (never prompts): for URIs and multi-line input.
pub(crate) fn read_stdin_all(what: &str) -> CliResult<Zeroizing<String>> {
    let cannot = format_args!("cannot read the {what} from stdin");
    let mut input = raw_stdin().context(cannot)?;
    let mut all = Zeroizing::new(Vec::with_capacity(4096));
    let mut chunk = Zeroizing::new([0u8; 8192]);
    loop {
        match input.read(&mut chunk[..]) {
            Ok(0) => break,
            Ok(n) => push_wiped(&mut all, &chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.in_context(&cannot)),
        }
    }
    into_string(all, what)
}

/// Reads the lines of stdin, trimmed, keeping empty ones (positions matter).
pub(crate) fn read_stdin_lines(what: &str) -> CliResult<Vec<Zeroizing<String>>> {
    let all = read_stdin_all(what)?;
    Ok(all
        .lines()
        .map(|l| Zeroizing::new(l.trim().to_owned()))
        .collect())
}

// --- Output ----------------------------------------------------------------------------------

/// Standard output that treats a broken pipe as success.
///
/// Everything is formatted into a wiped buffer and written to file descriptor 1 directly, so
/// no copy of a code, URI or key stays in std's stdout buffer.
#[derive(Debug)]
pub(crate) struct Out;

impl Out {
    /// Writes `text` and a newline. Control characters other than tab and newline (the CLI's
    /// own layout) are escaped as a backstop; names from enrollment data are escaped entirely
    /// with [`escape_text`] by the caller.
    pub(crate) fn line(text: &str) -> CliResult {
        let safe = escape_except(text, &['\t', '\n']);
        let mut buf = WipedBuf::with_capacity(safe.len() + 1);
        push_wiped(&mut buf.0, safe.as_bytes());
        push_wiped(&mut buf.0, b"\n");
        if let Cow::Owned(s) = safe {
            drop(Zeroizing::new(s));
        }
        Self::bytes(buf.as_bytes())
    }

    /// Writes raw bytes (images, QR codes, formatted text).
    pub(crate) fn bytes(data: &[u8]) -> CliResult {
        // Anything std buffered earlier goes first.
        fn write(data: &[u8]) -> Result<(), StdoutError> {
            io::stdout().flush()?;
            let mut out = raw_stdout()?;
            out.write_all(data)?;
            Ok(out.flush()?)
        }
        Ok(write(data)?)
    }

    /// Writes formatted text.
    pub(crate) fn write(args: fmt::Arguments<'_>) -> CliResult {
        let mut buf = WipedBuf::with_capacity(256);
        fmt::Write::write_fmt(&mut buf, args).or_usage("cannot format the output")?;
        Self::bytes(buf.as_bytes())
    }

    /// Writes one JSON value on one line (see [`json_line`]).
    pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> CliResult {
        Self::bytes(&json_line(value)?)
    }
}

/// `value` as one line of JSON, the one JSON writer of the CLI (codes, URIs, keys and
/// `credential_process` credentials all go through it).
///
/// The JSON comes from the keystore's [presized writer](iamkit_keystore::to_json_presized) (one
/// allocation of the exact size, wiped on drop: a growing buffer would leave copies of a secret
/// in the allocations it outgrew). serde_json escapes C0 controls; DEL, C1 controls and
/// bidirectional overrides (which can only occur inside strings) are escaped here as `\uXXXX`
/// too, so the value is the same and a terminal sees no control byte. The line (with its
/// newline) is again one allocation of the exact size.
pub(crate) fn json_line<T: serde::Serialize + ?Sized>(value: &T) -> CliResult<Zeroizing<Vec<u8>>> {
    let json = iamkit_keystore::to_json_presized(value).context("cannot encode JSON")?;
    let text = std::str::from_utf8(&json).or_usage("cannot encode JSON: not UTF-8")?;
    // Each unsafe character becomes one `\uXXXX` (6 bytes) per UTF-16 unit.
    let grow: usize = text
        .chars()
        .filter(|&c| is_unsafe_char(c))
        .map(|c| 6 * c.len_utf16() - c.len_utf8())
        .sum();
    let mut line = Zeroizing::new(Vec::with_capacity(json.len() + grow + 1));
    let mut rest = text;
    while let Some((i, c)) = rest.char_indices().find(|&(_, c)| is_unsafe_char(c)) {
        line.extend_from_slice(&rest.as_bytes()[..i]);
        let mut units = [0u16; 2];
        for &u in c.encode_utf16(&mut units).iter() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            line.extend_from_slice(b"\\u");
            for shift in [12, 8, 4, 0] {
                line.push(HEX[usize::from((u >> shift) & 0xf)]);
            }
        }
        rest = &rest[i + c.len_utf8()..];
    }
    line.extend_from_slice(rest.as_bytes());
    line.push(b'\n');
    Ok(line)
}

/// A failed write to standard output (a closed pipe is not reported: see `CliError`'s `From`).
#[derive(Debug)]
pub(crate) struct StdoutError(pub(crate) io::Error);

impl From<io::Error> for StdoutError {
    fn from(err: io::Error) -> Self {
        StdoutError(err)
    }
}

/// Writes `data` to `path` (QR images and URIs hold the secret), or to stdout for `-`.
///
/// Always a new file with mode 0600: the data goes to a temporary file created exclusively in
/// the same directory (so it never follows a symlink nor reuses an old file and its mode),
/// is flushed to disk, then renamed over `path`. A symlink at `path` is replaced, never
/// followed; on any failure the temporary file is removed and `path` is left as it was.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> CliResult {
    if path.as_os_str() == "-" {
        return Out::bytes(data);
    }
    let cannot = format_args!("cannot write {}", path.display());
    let Some(file_name) = path.file_name() else {
        return Err(CliError::usage(format!(
            "cannot write {}: expected a file name",
            path.display()
        )));
    };
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(CliError::usage(format!(
            "cannot write {}: it is a directory (expected a file name)",
            path.display()
        )));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (tmp, mut file) = create_temp(dir, &file_name.to_string_lossy()).context(cannot)?;
    let written = file
        .write_all(data)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&tmp, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.in_context(&cannot));
    }
    // Make the rename durable; a directory that cannot be opened or synced is not an error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new, exclusively created 0600 file next to the target.
fn create_temp(dir: &Path, base: &str) -> io::Result<(std::path::PathBuf, std::fs::File)> {
    use std::time::{SystemTime, UNIX_EPOCH};
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = io::Error::other("no temporary name left");
    for n in 0..64u32 {
        let tmp = dir.join(format!(
            ".{base}.iamkit-{}-{:08x}.tmp",
            std::process::id(),
            seed.wrapping_add(n.wrapping_mul(0x9e37_79b9))
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

// --- Panics ----------------------------------------------------------------------------------

/// Exit status after an internal error (a panic): `EX_SOFTWARE` of sysexits.h.
pub(crate) const INTERNAL_ERROR_STATUS: i32 = 70;

/// Replaces the default panic output (which quotes the panic message, and so possibly input or
/// a secret) with one line, `iamkit: internal error …`, and exits with
/// [`INTERNAL_ERROR_STATUS`] at once (no unwinding past the hook, so never status 101).
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let mut err = io::stderr().lock();
        let _ = writeln!(
            err,
            "iamkit: internal error{place} (a bug in iamkit; nothing was printed of the input; please report it)"
        );
        let _ = err.flush();
        std::process::exit(INTERNAL_ERROR_STATUS);
    }));
    // Lets the tests check the hook in a debug build; a release build has no such switch.
    #[cfg(debug_assertions)]
    if let Some(v) = std::env::var_os("IAMKIT_DEBUG_PANIC_FOR_TESTS") {
        panic!("test panic carrying {}", v.to_string_lossy());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_check_never_slices_inside_a_character() {
        assert!(!starts_with_ci("日日日日", "otpauth://"));
        assert!(!starts_with_ci(
            "otpauth://totp/Acme:öl",
            "otpauth-migration://"
        ));
        assert!(starts_with_ci(
            "OTPAUTH-MIGRATION://offline",
            "otpauth-migration://"
        ));
        assert!(starts_with_ci("otpauth://x", "OTPAUTH://"));
        assert!(!starts_with_ci("otp", "otpauth://"));
    }

    #[test]
    fn escape_text_hides_every_control_and_bidi_character() {
        let evil = "a\u{1b}]52;c;SGk=\u{7}b\u{9b}2K\u{7f}\u{202e}c\td\ne";
        let safe = escape_text(evil);
        assert_eq!(
            safe,
            "a\\u{1b}]52;c;SGk=\\u{7}b\\u{9b}2K\\u{7f}\\u{202e}c\\u{9}d\\u{a}e"
        );
        assert!(!safe.chars().any(is_unsafe_char));
        assert_eq!(escape_text("Amazon Web Services"), "Amazon Web Services");
    }

    #[test]
    fn json_escape_keeps_the_value_and_drops_control_bytes() {
        let v = serde_json::json!({"a": "x\u{1b}\u{9b}\u{7f}\u{2067}y\u{10ffff}\u{1f600}"});
        let line = json_line(&v).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(line.capacity(), line.len());
        let text = std::str::from_utf8(&line).unwrap_or_default();
        assert!(
            text.ends_with('\n') && text.matches('\n').count() == 1,
            "{text:?}"
        );
        let json = text.trim_end_matches('\n');
        assert!(!json.chars().any(is_unsafe_char), "{text:?}");
        assert!(text.contains(r"\u001b") && text.contains(r"\u009b") && text.contains(r"\u2067"));
        let back: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(back, v);
    }

    /// Caught: `serde_json::to_string` grew its buffer by reallocation, leaving copies of the
    /// secret access key in freed, unzeroized memory.
    #[test]
    fn json_lines_are_built_in_presized_buffers() {
        for n in [0, 1, 40, 300, 5000] {
            let secret = "k".repeat(n);
            let hostile = "\u{1b}".repeat(n);
            let v = serde_json::json!({"SecretAccessKey": secret, "Name": hostile});
            let line = json_line(&v).unwrap_or_else(|e| panic!("{}", e.message));
            assert_eq!(line.capacity(), line.len(), "{n} bytes");
            assert_eq!(line.last(), Some(&b'\n'));
            let back: serde_json::Value = serde_json::from_slice(&line).unwrap_or_default();
            assert_eq!(back, v);
        }
    }

    #[test]
    fn push_wiped_grows_and_keeps_contents() {
        let mut b = Zeroizing::new(Vec::with_capacity(1));
        for i in 0..1000u32 {
            push_wiped(&mut b, &i.to_le_bytes());
        }
        assert_eq!(b.len(), 4000);
        assert_eq!(&b[4..8], &1u32.to_le_bytes());
    }
}
