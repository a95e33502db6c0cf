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

    fn one(text: &str) -> Section {
        let mut s = parse(text, "f").unwrap();
        assert_eq!(s.len(), 1, "{text:?}");
        s.remove(0)
    }

    fn secret(s: &Section) -> Option<&str> {
        s.secret_access_key.as_deref().map(String::as_str)
    }

    #[test]
    fn comments_full_line_indented_and_inline() {
        let s = one(
            "# hash\n; semicolon\n   # indented hash\n[a] ; after the header\n\
             \t; tab-indented\naws_secret_access_key = k/e+y== # inline\nregion = us-east-1;not-a-comment\n\
             aws_access_key_id = AKIA#NOTCOMMENT\n",
        );
        assert_eq!(secret(&s), Some("k/e+y=="));
        // `#` and `;` start a comment only after whitespace.
        assert_eq!(s.region.as_deref(), Some("us-east-1;not-a-comment"));
        assert_eq!(s.access_key_id.as_deref(), Some("AKIA#NOTCOMMENT"));
        // A file of comments only has no sections.
        assert!(parse("# a\n; b\n\n", "f").unwrap().is_empty());
    }

    #[test]
    fn continuation_lines_only_after_non_credential_keys() {
        let s = one(
            "[a]\ns3 =\n    max_concurrent_requests = 10\n\tmax_queue_size = 1000\naws_secret_access_key = k\n",
        );
        assert_eq!(secret(&s), Some("k"));
        // Nested keys are not read as the profile's own keys.
        let s = one("[a]\ns3 =\n  region = inner\nregion = outer\n");
        assert_eq!(s.region.as_deref(), Some("outer"));
        for key in [
            "aws_access_key_id",
            "aws_secret_access_key",
            "aws_session_token",
            "aws_security_token",
            "region",
            "mfa_serial",
            "aws_credential_expiration",
        ] {
            let err = parse(&format!("[a]\n{key} = A\n  B\n"), "f").unwrap_err().0;
            assert!(err.starts_with("f line 3:"), "{key}: {err}");
            assert!(err.contains("continuation"), "{key}: {err}");
        }
        // A blank line in between does not end the value: still a continuation.
        assert!(parse("[a]\naws_secret_access_key = A\n\n  B\n", "f").is_err());
        // After a header an indented line is an ordinary key line.
        let s = one("[a]\n  aws_secret_access_key = k\n");
        assert_eq!(secret(&s), Some("k"));
    }

    #[test]
    fn quotes_and_separators_are_kept_as_written() {
        // Like botocore (configparser), quotes are part of the value.
        let s = one("[a]\naws_secret_access_key = \"quoted\"\nregion = 'eu-west-1'\n");
        assert_eq!(secret(&s), Some("\"quoted\""));
        assert_eq!(s.region.as_deref(), Some("'eu-west-1'"));
        // The first `=` or `:` splits: the rest (base64 padding, ARNs) is the value.
        let s = one(
            "[a]\naws_secret_access_key = a=b==\nmfa_serial: arn:aws:iam::123456789012:mfa/bob\n",
        );
        assert_eq!(secret(&s), Some("a=b=="));
        assert_eq!(
            s.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/bob")
        );
        // Keys are case-insensitive, values are not; whitespace around both is dropped.
        let s = one("[a]\n  AWS_Secret_Access_Key\t=\t MiXeD \n");
        assert_eq!(secret(&s), Some("MiXeD"));
        // Empty optional values mean none; an empty secret stays empty (refused later).
        let s = one("[a]\naws_session_token =\nregion=\nmfa_serial =\naws_secret_access_key=\n");
        assert!(s.session_token.is_none() && s.region.is_none() && s.mfa_serial.is_none());
        assert_eq!(secret(&s), Some(""));
    }

    #[test]
    fn profile_names_as_written() {
        let s = parse(
            "[default]\n[ spaced ]\n[profile dev]\n[a.b-c_d@e]\n[Default]\n[日本]\n",
            "f",
        )
        .unwrap();
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        // The credentials file names profiles without the config file's `profile ` prefix,
        // so a `[profile dev]` section is the profile "profile dev" (as botocore reads it);
        // names are case-sensitive and trimmed inside the brackets.
        assert_eq!(
            names,
            [
                "default",
                "spaced",
                "profile dev",
                "a.b-c_d@e",
                "Default",
                "日本"
            ]
        );
        let lines: Vec<usize> = s.iter().map(|s| s.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 6]);
        // The same name twice (after trimming) is an error naming both lines.
        let err = parse("[a]\n[ a ]\n", "f").unwrap_err().0;
        assert!(
            err.contains("line 2") && err.contains("first on line 1"),
            "{err}"
        );
    }

    #[test]
    fn malformed_input_names_line_and_expectation() {
        for (text, line, expected) in [
            (
                "aws_secret_access_key = x\n",
                1,
                "before any section header",
            ),
            ("[a]\n= value\n", 2, "expected a key name"),
            (
                "[a]\njust words\n",
                2,
                "not a section header, key = value or comment",
            ),
            ("[a]]\n", 1, "text after a section header"),
            ("[  ]\n", 1, "empty section name"),
            ("[a]\nregion = x\n[b\n", 3, "closing ']'"),
            (
                "\n\n[a]\naws_access_key_id = A\naws_access_key_id = B\n",
                5,
                "given twice",
            ),
            (
                "[a]\naws_security_token = A\naws_security_token = B\n",
                3,
                "given twice",
            ),
        ] {
            let err = parse(text, "f").unwrap_err().0;
            assert!(
                err.starts_with(&format!("f line {line}: ")),
                "{text:?}: {err}"
            );
            assert!(err.contains(expected), "{text:?}: {err}");
        }
        // CRLF line ends are line ends.
        let s = one("[a]\r\naws_secret_access_key = k\r\n");
        assert_eq!(secret(&s), Some("k"));
    }

    /// Checks what an error for `text` may say: one line, starting with the name and a line
    /// number of the input, and none of the input's text beyond that.
    fn check_error(text: &str, err: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        use proptest::prelude::*;
        prop_assert!(!err.contains('\n') && !err.contains('\r'), "{err:?}");
        let rest = err.strip_prefix("FILE line ");
        prop_assert!(rest.is_some(), "{err:?}");
        let (num, _) = rest.unwrap_or_default().split_once(':').unwrap_or_default();
        let n: usize = num.parse().unwrap_or(0);
        prop_assert!(n >= 1 && n <= text.lines().count(), "{err:?}");
        Ok(())
    }

    proptest::proptest! {
        /// Arbitrary bytes (read as the CLI reads a file: lossily as UTF-8) never panic, and an
        /// error names a line of the input.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let text = String::from_utf8_lossy(&bytes);
            if let Err(IniError(err)) = parse(&text, "FILE") {
                check_error(&text, &err)?;
            }
        }

        /// Lines made of INI-significant pieces (brackets, separators, comment marks,
        /// indentation, known keys) and arbitrary Unicode: same guarantees, and a secret-looking
        /// marker in a value is never quoted by an error.
        #[test]
        fn ini_shaped_lines_never_panic(lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::string::string_regex("[ \t]{0,2}\\[[a-z \\]]{0,6}\\]?[ ;#]{0,2}").unwrap(),
                proptest::string::string_regex("[ \t]{0,2}(aws_secret_access_key|aws_session_token|region|s3|x)[ ]?[=:]?[ ]?SECRETMARK[=#; ]{0,3}").unwrap(),
                proptest::string::string_regex("[ \t]{0,2}[#;].{0,10}").unwrap(),
                proptest::string::string_regex("\\PC{0,12}").unwrap(),
                proptest::strategy::Just(String::new()),
            ],
            0..12,
        )) {
            let text = lines.join("\n");
            match parse(&text, "FILE") {
                Ok(sections) => {
                    for s in &sections {
                        proptest::prop_assert!(s.line >= 1 && s.line <= text.lines().count());
                    }
                }
                Err(IniError(err)) => {
                    check_error(&text, &err)?;
                    proptest::prop_assert!(!err.contains("SECRETMARK"), "{err}");
                }
            }
        }
    }
}
