//! The `~/.aws/credentials` INI format, as botocore reads it: `[section]` headers, `key = value`
//! (or `key: value`) lines, `#` and `;` comment lines, blank lines, indented continuation lines.
//!
//! ```text
//! [default]
//! aws_access_key_id = AKIAIOSFODNN7EXAMPLE
//! aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//! ; a comment
//! [dev]
//! aws_access_key_id=ASIA...
//! aws_secret_access_key=...
//! aws_session_token=...
//! ```
//!
//! Errors name the line number and what was expected, never the line's text (it may be a
//! secret pasted in the wrong place).

use zeroize::Zeroizing;

/// One section of a credentials file.
#[derive(Default)]
pub(crate) struct Section {
    /// The section name (`default`, `dev`, …) as written between the brackets, trimmed.
    pub(crate) name: String,
    /// The line the header is on (1-based).
    pub(crate) line: usize,
    pub(crate) access_key_id: Option<String>,
    pub(crate) secret_access_key: Option<Zeroizing<String>>,
    pub(crate) session_token: Option<Zeroizing<String>>,
    pub(crate) expiration: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) mfa_serial: Option<String>,
    /// `aws_security_token`, the legacy name: used only without `aws_session_token`.
    legacy_token: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("line", &self.line)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .field("region", &self.region)
            .field("mfa_serial", &self.mfa_serial)
            .finish()
    }
}

/// Which known key a value belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    AccessKeyId,
    Secret,
    Token,
    LegacyToken,
    Expiration,
    Region,
    MfaSerial,
    Other,
}

fn classify(key: &str) -> Key {
    match key {
        "aws_access_key_id" => Key::AccessKeyId,
        "aws_secret_access_key" => Key::Secret,
        "aws_session_token" => Key::Token,
        "aws_security_token" => Key::LegacyToken,
        "aws_credential_expiration" | "aws_expiration" | "expiration" => Key::Expiration,
        "region" => Key::Region,
        "mfa_serial" => Key::MfaSerial,
        _ => Key::Other,
    }
}

/// Removes an inline comment: `#` or `;` preceded by whitespace. Credential values (base64,
/// alphanumerics) never contain a space, so this never cuts a value short.
fn strip_inline_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for i in 1..bytes.len() {
        if (bytes[i] == b'#' || bytes[i] == b';') && bytes[i - 1].is_ascii_whitespace() {
            return value[..i].trim_end();
        }
    }
    value
}

/// Parses a whole credentials file. `what` names it in errors (e.g. the path).
pub(crate) fn parse(text: &str, what: &str) -> Result<Vec<Section>, IniError> {
    Ok(parse_sections(text, what)?)
}

/// Why an INI file could not be read: the file, the line and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IniError(pub(crate) String);

impl From<String> for IniError {
    fn from(message: String) -> Self {
        IniError(message)
    }
}

fn parse_sections(text: &str, what: &str) -> Result<Vec<Section>, String> {
    let mut sections: Vec<Section> = Vec::new();
    // The key of the last `key = value` line, for continuation lines.
    let mut last_key: Option<Key> = None;
    for (idx, raw) in text.lines().enumerate() {
        let lineno = idx + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if indented && last_key.is_some() {
            // A continuation line (nested values such as `s3 =` blocks): only allowed for
            // keys whose value is not a credential.
            if last_key != Some(Key::Other) {
                return Err(format!(
                    "{what} line {lineno}: an indented continuation line after a credential value (expected the value on one line)"
                ));
            }
            continue;
        }
        if trimmed.starts_with('[') {
            let Some(close) = trimmed.find(']') else {
                return Err(format!(
                    "{what} line {lineno}: a section header without a closing ']' (expected [profile-name])"
                ));
            };
            let rest = trimmed[close + 1..].trim();
            if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')) {
                return Err(format!(
                    "{what} line {lineno}: text after a section header (expected [profile-name] alone on its line)"
                ));
            }
            let name = trimmed[1..close].trim().to_owned();
            if name.is_empty() {
                return Err(format!(
                    "{what} line {lineno}: an empty section name (expected [profile-name])"
                ));
            }
            if let Some(prev) = sections.iter().find(|s| s.name == name) {
                return Err(format!(
                    "{what} line {lineno}: section [{name}] appears again (first on line {}; expected each profile once)",
                    prev.line
                ));
            }
            sections.push(Section {
                name,
                line: lineno,
                ..Section::default()
            });
            last_key = None;
            continue;
        }
        let Some(pos) = trimmed.find(['=', ':']) else {
            return Err(format!(
                "{what} line {lineno}: not a section header, key = value or comment (expected one of those)"
            ));
        };
        let key_text = trimmed[..pos].trim().to_ascii_lowercase();
        if key_text.is_empty() || key_text.chars().any(char::is_whitespace) {
            return Err(format!(
                "{what} line {lineno}: not a key = value line (expected a key name before '=')"
            ));
        }
        let Some(section) = sections.last_mut() else {
            return Err(format!(
                "{what} line {lineno}: a key before any section header (expected [profile-name] first)"
            ));
        };
        let value = Zeroizing::new(strip_inline_comment(trimmed[pos + 1..].trim()).to_owned());
        let key = classify(&key_text);
        last_key = Some(key);
        let dup = |k: &str| {
            format!(
                "{what} line {lineno}: {k} given twice in [{}] (expected it once)",
                section.name
            )
        };
        match key {
            Key::AccessKeyId => {
                if section.access_key_id.is_some() {
                    return Err(dup(&key_text));
                }
                section.access_key_id = Some(value.to_string());
            }
            Key::Secret => {
                if section.secret_access_key.is_some() {
                    return Err(dup(&key_text));
                }
                section.secret_access_key = Some(value);
            }
            Key::Token => {
                if section.session_token.is_some() {
                    return Err(dup(&key_text));
                }
                section.session_token = Some(value);
            }
            Key::LegacyToken => {
                // botocore reads aws_security_token only when aws_session_token is absent.
                if section.legacy_token.is_some() {
                    return Err(dup(&key_text));
                }
                section.legacy_token = Some(value);
            }
            Key::Expiration => section.expiration = Some(value.to_string()),
            Key::Region => section.region = Some(value.to_string()),
            Key::MfaSerial => section.mfa_serial = Some(value.to_string()),
            Key::Other => {}
        }
    }
    // Empty optional values mean "none".
    for s in &mut sections {
        if let Some(legacy) = s.legacy_token.take()
            && s.session_token.is_none()
        {
            s.session_token = Some(legacy);
        }
        if s.session_token.as_ref().is_some_and(|t| t.is_empty()) {
            s.session_token = None;
        }
        if s.region.as_ref().is_some_and(String::is_empty) {
            s.region = None;
        }
        if s.expiration.as_ref().is_some_and(String::is_empty) {
            s.expiration = None;
        }
        if s.mfa_serial.as_ref().is_some_and(String::is_empty) {
            s.mfa_serial = None;
        }
    }
    Ok(sections)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn sections_keys_comments() {
        let text = "# top comment\n\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\n\
                    aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ; note\n\
                    region = eu-west-1\n  ; indented comment\n[ dev ]\nAWS_ACCESS_KEY_ID: ASIAIOSFODNN7EXAMPLE\n\
                    aws_secret_access_key = s3cr3t\naws_session_token = tok/en+==\n\
                    s3 =\n    max_concurrent_requests = 10\n";
        let s = parse(text, "f").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "default");
        assert_eq!(s[0].line, 3);
        assert_eq!(s[0].access_key_id.as_deref(), Some("AKIAIOSFODNN7EXAMPLE"));
        assert_eq!(
            s[0].secret_access_key.as_deref().map(String::as_str),
            Some("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        );
        assert_eq!(s[0].region.as_deref(), Some("eu-west-1"));
        assert!(s[0].session_token.is_none());
        assert_eq!(s[1].name, "dev");
        assert_eq!(s[1].access_key_id.as_deref(), Some("ASIAIOSFODNN7EXAMPLE"));
        assert_eq!(
            s[1].session_token.as_deref().map(String::as_str),
            Some("tok/en+==")
        );
    }

    #[test]
    fn junk_is_an_error_with_line_number_and_no_content() {
        for (text, line) in [
            ("[a]\naws_access_key_id = X\nSECRETJUNKLINE\n", 3),
            ("SECRETJUNKLINE = 1\n", 1),
            ("[a\n", 1),
            ("[]\n", 1),
            ("[a]\n[a]\n", 2),
            ("[a] SECRETJUNK\n", 1),
            (
                "[a]\naws_secret_access_key = A\naws_secret_access_key = SECRETJUNK\n",
                3,
            ),
            ("[a]\naws_secret_access_key = A\n  SECRETJUNK\n", 3),
            ("[a]\nkey with space = SECRETJUNK\n", 2),
        ] {
            let err = parse(text, "creds").unwrap_err().0;
            assert!(err.starts_with(&format!("creds line {line}:")), "{err}");
            assert!(!err.contains("SECRETJUNK"), "{err}");
            assert!(!err.contains('\n'));
        }
    }

    #[test]
    fn legacy_security_token() {
        let s = parse("[a]\naws_security_token = old\n", "f").unwrap();
        assert_eq!(
            s[0].session_token.as_deref().map(String::as_str),
            Some("old")
        );
        let s = parse(
            "[a]\naws_session_token = new\naws_security_token = old\n",
            "f",
        )
        .unwrap();
        assert_eq!(
            s[0].session_token.as_deref().map(String::as_str),
            Some("new")
        );
        let s = parse(
            "[a]\naws_security_token = old\naws_session_token = new\n",
            "f",
        )
        .unwrap();
        assert_eq!(
            s[0].session_token.as_deref().map(String::as_str),
            Some("new")
        );
    }

    #[test]
    fn debug_redacts() {
        let s = parse("[a]\naws_secret_access_key = TOPSECRET\n", "f").unwrap();
        assert!(!format!("{:?}", s[0]).contains("TOPSECRET"));
    }
}
