//! The AWS config file (`AWS_CONFIG_FILE`, else `~/.aws/config`) as the AWS CLI reads it, for
//! the profiles iamkit serves from it: role profiles (`role_arn` with `source_profile` or
//! `credential_source`), and profiles whose `credential_process` is iamkit's own
//! (`iamkit creds process NAME`), which a `source_profile` chain may pass through.
//!
//! Sections are `[profile NAME]` and `[default]` (`[profile default]` too); other sections
//! (`[sso-session …]`, `[services …]`, a bare `[NAME]`) are not profiles. Keys are
//! case-insensitive, `#` and `;` start comment lines (not inline comments, as botocore), and
//! indented lines continue a nested value. Nothing in this file is secret to iamkit: it never
//! reads keys from it.

use std::path::PathBuf;

use iamkit_keystore::RoleProfile;

use crate::error::{CliError, CliResult, Context};

/// Where a role profile's source credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RoleSource {
    /// `source_profile = NAME`: a stored profile, or another profile of this file.
    Profile(String),
    /// `credential_source = Environment`: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and
    /// `AWS_SESSION_TOKEN`) of iamkit's own environment.
    Environment,
}

/// A role profile of the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigRole {
    /// The role (its `source_profile` empty with `credential_source`).
    pub(crate) role: RoleProfile,
    /// Where the credentials that assume it come from.
    pub(crate) source: RoleSource,
}

/// One profile section: its name, header line and `key = value` pairs (keys lower-cased).
#[derive(Debug)]
struct Section {
    name: String,
    /// `[profile NAME]` rather than `[default]`.
    explicit: bool,
    line: usize,
    values: Vec<(String, String, usize)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<(&str, usize)> {
        self.values
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }
}

/// A parsed config file.
#[derive(Debug)]
pub(crate) struct ConfigFile {
    shown: String,
    profiles: Vec<Section>,
}

/// `AWS_CONFIG_FILE`, or `~/.aws/config`.
fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AWS_CONFIG_FILE").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME").filter(|v| !v.is_empty())?;
    Some(PathBuf::from(home).join(".aws").join("config"))
}

/// Reads the config file; `None` when there is none.
pub(crate) fn load() -> CliResult<Option<ConfigFile>> {
    let Some(path) = config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot read the AWS config file {}: {e}",
                path.display()
            )));
        }
    };
    ConfigFile::parse(&text, &path.display().to_string()).map(Some)
}

/// The profile name a config section header stands for, if it is a profile.
fn profile_name(header: &str) -> Option<&str> {
    let header = header.trim();
    if header == "default" {
        return Some("default");
    }
    let rest = header.strip_prefix("profile")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let name = rest.trim();
    (!name.is_empty()).then_some(name)
}

impl ConfigFile {
    /// Parses a config file's text; `shown` names it in errors.
    pub(crate) fn parse(text: &str, shown: &str) -> CliResult<ConfigFile> {
        let mut profiles: Vec<Section> = Vec::new();
        let mut current: Option<usize> = None;
        for (i, raw) in text.lines().enumerate() {
            let lineno = i + 1;
            let raw = raw.trim_end_matches('\r');
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(h) = line.strip_prefix('[') {
                let Some((header, _)) = h.split_once(']') else {
                    return Err(CliError::usage(format!(
                        "{shown} line {lineno}: a section header without a closing ']' (expected [profile NAME])"
                    )));
                };
                current = None;
                if let Some(name) = profile_name(header) {
                    let explicit = header.trim() != "default";
                    if let Some(prev) = profiles
                        .iter()
                        .find(|p| p.name == name && p.explicit == explicit)
                    {
                        return Err(CliError::usage(format!(
                            "{shown} line {lineno}: [{}] appears again (first on line {}; expected each profile once)",
                            header.trim(),
                            prev.line
                        )));
                    }
                    profiles.push(Section {
                        name: name.to_owned(),
                        explicit,
                        line: lineno,
                        values: Vec::new(),
                    });
                    current = Some(profiles.len() - 1);
                }
                continue;
            }
            let Some(idx) = current else { continue };
            if raw.starts_with([' ', '\t']) {
                // A nested value's line (`s3 =` blocks).
                continue;
            }
            let Some((k, v)) = line.split_once(['=', ':']) else {
                continue;
            };
            profiles[idx]
                .values
                .push((k.trim().to_ascii_lowercase(), v.trim().to_owned(), lineno));
        }
        // `[default]` and `[profile default]` are one profile, the latter's values winning
        // (as in the AWS CLI): merge them, the explicit one's values last.
        profiles.sort_by_key(|p| p.explicit);
        let mut merged: Vec<Section> = Vec::new();
        for s in profiles {
            if let Some(prev) = merged.iter_mut().find(|p| p.name == s.name) {
                prev.values.extend(s.values);
            } else {
                merged.push(s);
            }
        }
        merged.sort_by_key(|p| p.line);
        Ok(ConfigFile {
            shown: shown.to_owned(),
            profiles: merged,
        })
    }

    fn section(&self, name: &str) -> Option<&Section> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Whether the file has a profile of that name.
    pub(crate) fn has_profile(&self, name: &str) -> bool {
        self.section(name).is_some()
    }

    /// The names of the profiles that have a `role_arn`, in file order.
    pub(crate) fn role_profile_names(&self) -> Vec<&str> {
        self.profiles
            .iter()
            .filter(|p| p.get("role_arn").is_some_and(|(v, _)| !v.is_empty()))
            .map(|p| p.name.as_str())
            .collect()
    }

    /// Where the file is, for messages.
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }

    /// The role profile `name`, if that profile has a `role_arn`; an error when it has one but
    /// iamkit cannot serve it as the AWS CLI would (no source, both sources, an unsupported
    /// `credential_source`, web identity, a malformed `duration_seconds`).
    pub(crate) fn role(&self, name: &str) -> CliResult<Option<ConfigRole>> {
        let Some(s) = self.section(name) else {
            return Ok(None);
        };
        let get = |k: &str| s.get(k).filter(|(v, _)| !v.is_empty());
        let Some((arn, _)) = get("role_arn") else {
            return Ok(None);
        };
        let at = |line: usize| format!("{} [profile {name}] (line {line})", self.shown);
        if let Some((_, line)) = get("web_identity_token_file") {
            return Err(CliError::usage(format!(
                "{}: role_arn with web_identity_token_file (AssumeRoleWithWebIdentity) is not supported by iamkit (expected source_profile or credential_source = Environment)",
                at(line)
            )));
        }
        let source = match (get("source_profile"), get("credential_source")) {
            (Some((_, line)), Some(_)) => {
                return Err(CliError::usage(format!(
                    "{}: the profile has both source_profile and credential_source (expected one of them, as the AWS CLI does)",
                    at(line)
                )));
            }
            (None, None) => {
                return Err(CliError::usage(format!(
                    "{}: role_arn without source_profile or credential_source (expected a stored profile as source_profile, or credential_source = Environment)",
                    at(s.line)
                )));
            }
            (Some((p, _)), None) => RoleSource::Profile(p.to_owned()),
            (None, Some((cs, line))) => match cs {
                "Environment" => RoleSource::Environment,
                "Ec2InstanceMetadata" | "EcsContainer" => {
                    return Err(CliError::usage(format!(
                        "{}: credential_source = {cs} is not supported by iamkit (it serves role profiles from stored profiles and from credential_source = Environment; use source_profile = a stored profile)",
                        at(line)
                    )));
                }
                other => {
                    return Err(CliError::usage(format!(
                        "{}: unknown credential_source {:?} (expected Environment, Ec2InstanceMetadata or EcsContainer)",
                        at(line),
                        other.chars().take(40).collect::<String>()
                    )));
                }
            },
        };
        let mut role = RoleProfile {
            role_arn: arn.to_owned(),
            ..RoleProfile::default()
        };
        if let RoleSource::Profile(p) = &source {
            role.source_profile.clone_from(p);
        }
        role.mfa_serial = get("mfa_serial").map(|(v, _)| v.to_owned());
        role.external_id = get("external_id").map(|(v, _)| v.to_owned());
        role.session_name = get("role_session_name").map(|(v, _)| v.to_owned());
        role.region = get("region").map(|(v, _)| v.to_owned());
        if let Some((v, line)) = get("duration_seconds") {
            role.duration = Some(v.parse().or_usage(format_args!(
                "{}: duration_seconds {:?} is not a number of seconds",
                at(line),
                v.chars().take(40).collect::<String>()
            ))?);
        }
        Ok(Some(ConfigRole { role, source }))
    }

    /// The stored profile an iamkit `credential_process` of profile `name` serves, and whether
    /// it asks for `--no-session`: `credential_process = iamkit creds process NAME
    /// [--no-session]` (the program named `iamkit`, or a path ending in `/iamkit`).
    pub(crate) fn iamkit_process_target(&self, name: &str) -> Option<(String, bool)> {
        let (cmd, _) = self.section(name)?.get("credential_process")?;
        parse_iamkit_process(cmd)
    }

    /// Whether profile `name` has a `credential_process` (iamkit's or another's).
    pub(crate) fn has_credential_process(&self, name: &str) -> bool {
        self.section(name)
            .is_some_and(|s| s.get("credential_process").is_some())
    }
}

/// `iamkit creds process NAME [--no-session]` → `(NAME, no_session)`.
fn parse_iamkit_process(cmd: &str) -> Option<(String, bool)> {
    let mut words = cmd.split_whitespace();
    let program = words.next()?.trim_matches(['"', '\'']);
    let base = program.rsplit('/').next()?;
    if base != "iamkit" {
        return None;
    }
    if words.next()? != "creds" || words.next()? != "process" {
        return None;
    }
    let mut profile = None;
    let mut no_session = false;
    for w in words {
        match w {
            "--no-session" => no_session = true,
            w if w.starts_with('-') || profile.is_some() => return None,
            w => profile = Some(w.to_owned()),
        }
    }
    profile.map(|p| (p, no_session))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[default]\nregion = us-east-1\n\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = work\nmfa_serial=arn:aws:iam::123456789012:mfa/alice\nexternal_id = ext-1\nrole_session_name = me\nduration_seconds = 900\nregion = eu-west-1\n[profile plain]\nregion = x\n[profile broken]\nrole_arn = arn:aws:iam::123456789012:role/x\n\
        [profile env]\nROLE_ARN = arn:aws:iam::123456789012:role/e\ncredential_source = Environment\n\
        [profile ec2]\nrole_arn = arn:aws:iam::123456789012:role/e\ncredential_source = Ec2InstanceMetadata\n\
        [profile ecs]\nrole_arn = arn:aws:iam::123456789012:role/e\ncredential_source = EcsContainer\n\
        [profile odd]\nrole_arn = arn:aws:iam::123456789012:role/e\ncredential_source = Somewhere\n\
        [profile both]\nrole_arn = arn:aws:iam::123456789012:role/e\ncredential_source = Environment\nsource_profile = work\n\
        [profile web]\nrole_arn = arn:aws:iam::123456789012:role/e\nweb_identity_token_file = /t\n\
        [profile cli-work]\ncredential_process = /usr/local/bin/iamkit creds process work\n\
        [profile cli-long]\ncredential_process = iamkit creds process work --no-session\n\
        [profile other-process]\ncredential_process = aws-vault export --format=json work\n\
        [sso-session admin]\nrole_arn = nope\n[admin2]\nrole_arn=a\nsource_profile=b\n";

    fn file() -> ConfigFile {
        ConfigFile::parse(TEXT, "cfg").unwrap()
    }

    #[test]
    fn role_profiles_with_source_profile() {
        let r = file().role("admin").unwrap().unwrap();
        assert_eq!(r.source, RoleSource::Profile("work".into()));
        assert_eq!(r.role.role_arn, "arn:aws:iam::123456789012:role/admin");
        assert_eq!(r.role.source_profile, "work");
        assert_eq!(r.role.external_id.as_deref(), Some("ext-1"));
        assert_eq!(r.role.session_name.as_deref(), Some("me"));
        assert_eq!(r.role.duration, Some(900));
        assert_eq!(r.role.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            r.role.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        assert_eq!(file().role("plain").unwrap(), None);
        assert_eq!(file().role("nope").unwrap(), None);
        // Not profiles: a bare [NAME] and other section kinds.
        assert_eq!(file().role("admin2").unwrap(), None);
        assert!(!file().has_profile("admin2"));
        assert_eq!(
            file().role_profile_names(),
            ["admin", "broken", "env", "ec2", "ecs", "odd", "both", "web"]
        );
    }

    #[test]
    fn credential_source_environment_and_the_unsupported_ones() {
        let r = file().role("env").unwrap().unwrap();
        assert_eq!(r.source, RoleSource::Environment);
        assert_eq!(r.role.source_profile, "");
        for (name, named) in [
            ("ec2", "Ec2InstanceMetadata is not supported"),
            ("ecs", "EcsContainer is not supported"),
            ("odd", "unknown credential_source \"Somewhere\""),
            ("both", "both source_profile and credential_source"),
            ("broken", "without source_profile or credential_source"),
            ("web", "web_identity_token_file"),
        ] {
            let e = file().role(name).unwrap_err();
            assert!(e.message.contains(named), "{name}: {}", e.message);
            assert!(e.message.contains("cfg [profile"), "{}", e.message);
        }
    }

    #[test]
    fn iamkit_credential_process_targets() {
        let f = file();
        assert_eq!(
            f.iamkit_process_target("cli-work"),
            Some(("work".into(), false))
        );
        assert_eq!(
            f.iamkit_process_target("cli-long"),
            Some(("work".into(), true))
        );
        assert_eq!(f.iamkit_process_target("other-process"), None);
        assert!(f.has_credential_process("other-process"));
        assert_eq!(f.iamkit_process_target("admin"), None);
        for not_ours in [
            "iamkit creds export work",
            "iamkit creds process",
            "iamkit creds process a b",
            "iamkit --store file creds process a",
            "iamkit creds process --unknown a",
            "notiamkit creds process a",
        ] {
            assert_eq!(parse_iamkit_process(not_ours), None, "{not_ours}");
        }
    }

    #[test]
    fn default_profiles_and_duplicates() {
        let f = ConfigFile::parse(
            "[default]\nrole_arn = a\nsource_profile = x\n[profile default]\nsource_profile = y\n",
            "c",
        )
        .unwrap();
        assert_eq!(
            f.role("default").unwrap().unwrap().source,
            RoleSource::Profile("y".into())
        );
        let e = ConfigFile::parse("[profile a]\n[profile b]\n[profile a]\n", "c").unwrap_err();
        assert!(e.message.contains("line 3") && e.message.contains("line 1"));
        let e = ConfigFile::parse("[profile a\n", "c").unwrap_err();
        assert!(e.message.contains("line 1"));
        let e = ConfigFile::parse(
            "[profile a]\nduration_seconds = soon\nrole_arn = r\nsource_profile = s\n",
            "c",
        )
        .unwrap()
        .role("a")
        .unwrap_err();
        assert!(e.message.contains("line 2") && e.message.contains("duration_seconds"));
    }

    proptest::proptest! {
        /// Arbitrary text, and arbitrary lines of config-like pieces: never a panic, and every
        /// role profile either resolves or is an error naming the file.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*", lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("[profile a]".to_owned()),
                proptest::strategy::Just("[default]".to_owned()),
                proptest::strategy::Just("[profile default]".to_owned()),
                "\\[[a-z ]{0,12}\\]?",
                "(role_arn|source_profile|credential_source|duration_seconds|credential_process) ?[=:] ?\\PC{0,12}",
                "[ \\t]+\\PC{0,8}",
                "[#;]\\PC{0,8}",
            ],
            0..12,
        )) {
            for t in [text, lines.join("\n")] {
                if let Ok(f) = ConfigFile::parse(&t, "cfg") {
                    for n in f.role_profile_names() {
                        if let Err(e) = f.role(n) {
                            proptest::prop_assert!(e.message.starts_with("cfg"), "{}", e.message);
                        }
                        let _ = f.iamkit_process_target(n);
                    }
                }
            }
        }
    }
}
