//! Where a call goes: the service (STS, IAM), and the endpoint URL and signing region,
//! resolved from the environment given as data (this crate reads no environment itself).
//!
//! Order, as the AWS SDKs do it: `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL_IAM`, else
//! `AWS_ENDPOINT_URL`, else AWS's own endpoint for the region and partition (FIPS with
//! `AWS_USE_FIPS_ENDPOINT=true`). `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` skips the first two.
//! Plain `http://` is accepted only for loopback hosts.
//!
//! STS is regional (`sts.REGION.amazonaws.com`), as the SDKs do by default today;
//! `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends the regions of [`LEGACY_GLOBAL_STS_REGIONS`] to the
//! global `https://sts.amazonaws.com/` (signed for `us-east-1`), as the SDKs' legacy setting
//! does; the region `aws-global` always means the global endpoint. FIPS wins over `legacy`.
//!
//! ```
//! use iamkit_aws::{Endpoint, Service};
//! let env = |name: &str| match name {
//!     "AWS_ENDPOINT_URL_STS" => Some("http://127.0.0.1:5000".to_owned()),
//!     _ => None,
//! };
//! let ep = Endpoint::resolve(Service::Sts, Some("eu-west-1"), env)?;
//! assert_eq!(ep.url(), "http://127.0.0.1:5000/");
//! assert_eq!(ep.signing_region(), "eu-west-1");
//!
//! let ep = Endpoint::resolve(Service::Sts, Some("cn-north-1"), |_| None)?;
//! assert_eq!(ep.url(), "https://sts.cn-north-1.amazonaws.com.cn/");
//! assert!(Endpoint::from_url(Service::Sts, "http://sts.example.com", "us-east-1").is_err());
//! # Ok::<(), iamkit_aws::Error>(())
//! ```

use crate::Error;

/// An AWS Query API this crate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Service {
    /// AWS Security Token Service (API version 2011-06-15).
    Sts,
    /// AWS Identity and Access Management (API version 2010-05-08).
    Iam,
}

impl Service {
    /// The SigV4 service name: `sts`, `iam`.
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Iam => "iam",
        }
    }

    /// The Query API `Version` parameter.
    pub fn api_version(self) -> &'static str {
        match self {
            Service::Sts => "2011-06-15",
            Service::Iam => "2010-05-08",
        }
    }

    /// The service-specific endpoint variable: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_IAM`.
    pub fn endpoint_env_var(self) -> &'static str {
        match self {
            Service::Sts => "AWS_ENDPOINT_URL_STS",
            Service::Iam => "AWS_ENDPOINT_URL_IAM",
        }
    }
}

/// A resolved endpoint: the URL requests are POSTed to and the region they are signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    service: Service,
    url: String,
    signing_region: String,
    loopback: bool,
}

/// The region used when none is given nor set in the environment.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The regions that `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends to the global STS endpoint
/// `https://sts.amazonaws.com/` (the SDKs' list: the regions of the `aws` partition that
/// existed before STS went regional, and the pseudo-region `aws-global`).
pub const LEGACY_GLOBAL_STS_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The pseudo-region of the global STS endpoint.
const AWS_GLOBAL: &str = "aws-global";

/// Whether `AWS_STS_REGIONAL_ENDPOINTS` asks for the legacy global endpoint (`legacy`) or not
/// (`regional`, unset or empty: the default).
fn sts_legacy(value: Option<String>) -> Result<bool, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("" | "regional") => Ok(false),
        Some("legacy") => Ok(true),
        Some(other) => Err(Error::InvalidSetting {
            name: "AWS_STS_REGIONAL_ENDPOINTS",
            value: other.chars().take(80).collect(),
            expected: "legacy or regional",
        }),
    }
}

fn env_true(v: Option<String>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn check_region(region: &str) -> Result<(), Error> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidRegion {
            region: region.chars().take(80).collect(),
        })
    }
}

/// The DNS suffix of a region's partition.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-isof-") {
        "csp.hci.ic.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else if region.starts_with("eu-isoe-") {
        "cloud.adc-e.uk"
    } else {
        "amazonaws.com"
    }
}

impl Endpoint {
    /// Resolves the endpoint of `service` for `region` (else `AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// else `us-east-1`), with `env` answering for the environment variables named in the
    /// module docs (`|name| std::env::var(name).ok()` in a program; a closure over a map in a
    /// test).
    ///
    /// # Errors
    ///
    /// `Error::InvalidRegion` for a region that is not a valid name, `Error::InvalidEndpoint`
    /// for an endpoint URL from the environment that cannot be used (not https, or http to a
    /// host that is not loopback).
    pub fn resolve(
        service: Service,
        region: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Endpoint, Error> {
        let nonempty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let region = match region {
            Some(r) => r.to_owned(),
            None => nonempty("AWS_REGION")
                .or_else(|| nonempty("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| DEFAULT_REGION.to_owned()),
        };
        let region = region.trim().to_owned();
        check_region(&region)?;
        let legacy = match service {
            Service::Sts => sts_legacy(env("AWS_STS_REGIONAL_ENDPOINTS"))?,
            Service::Iam => false,
        };
        if !env_true(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
            && let Some(url) =
                nonempty(service.endpoint_env_var()).or_else(|| nonempty("AWS_ENDPOINT_URL"))
        {
            let signing_region = match service {
                Service::Sts => region,
                Service::Iam => iam_signing_region(&region).to_owned(),
            };
            return Endpoint::from_url(service, url.trim(), &signing_region);
        }
        let fips = env_true(env("AWS_USE_FIPS_ENDPOINT"));
        Ok(Endpoint::aws(service, &region, fips, legacy))
    }

    /// AWS's own endpoint for a (checked) region; `legacy`: `AWS_STS_REGIONAL_ENDPOINTS=legacy`.
    fn aws(service: Service, region: &str, fips: bool, legacy: bool) -> Endpoint {
        // `aws-global` is not a region of its own: the global endpoint lives in us-east-1.
        let global = service == Service::Sts
            && !fips
            && (region == AWS_GLOBAL || (legacy && LEGACY_GLOBAL_STS_REGIONS.contains(&region)));
        let region = if region == AWS_GLOBAL {
            DEFAULT_REGION
        } else {
            region
        };
        let dns = dns_suffix(region);
        let gov = region.starts_with("us-gov-");
        let (host, signing_region) = match service {
            Service::Sts if global => ("sts.amazonaws.com".to_owned(), DEFAULT_REGION.to_owned()),
            Service::Sts if fips && !gov => (format!("sts-fips.{region}.{dns}"), region.to_owned()),
            Service::Sts => (format!("sts.{region}.{dns}"), region.to_owned()),
            Service::Iam => {
                let signing = iam_signing_region(region);
                let host = if region.starts_with("cn-") {
                    format!("iam.{signing}.{dns}")
                } else if gov {
                    "iam.us-gov.amazonaws.com".to_owned()
                } else if fips && dns == "amazonaws.com" {
                    "iam-fips.amazonaws.com".to_owned()
                } else {
                    format!("iam.{dns}")
                };
                (host, signing.to_owned())
            }
        };
        Endpoint {
            service,
            url: format!("https://{host}/"),
            signing_region,
            loopback: false,
        }
    }

    /// An endpoint from a URL (`https://…`, or `http://` to a loopback host only), signed for
    /// `signing_region`. The URL's scheme and host are lower-cased, a default port dropped and a
    /// `/` added when there is no path, so that the host signed is the host sent.
    ///
    /// # Errors
    ///
    /// `Error::InvalidEndpoint` for a URL that is malformed, not https (or http to loopback),
    /// or carries user info, and `Error::InvalidRegion` for a bad `signing_region`.
    pub fn from_url(service: Service, url: &str, signing_region: &str) -> Result<Endpoint, Error> {
        check_region(signing_region)?;
        let bad = |reason: &'static str| Error::InvalidEndpoint {
            url: url.chars().take(200).collect(),
            reason,
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected http(s)://HOST[:PORT][/PATH]"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(bad("expected an https:// URL (http:// only for loopback)"));
        }
        if rest.contains(['?', '#']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(
                "expected no query, fragment, whitespace or control characters",
            ));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad("expected no user name or password in the URL"));
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| bad("expected a host, optionally with a port of 1 to 65535"))?;
        let host = host.to_ascii_lowercase();
        if host.is_empty() {
            return Err(bad("expected a host"));
        }
        let loopback = is_loopback(&host);
        if scheme == "http" && !loopback {
            return Err(bad(
                "plain http:// is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost); use https://",
            ));
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        let authority = match port {
            Some(p) if p != default_port => format!("{host}:{p}"),
            _ => host,
        };
        let path = if path.ends_with('/') {
            path.to_owned()
        } else {
            format!("{path}/")
        };
        Ok(Endpoint {
            service,
            url: format!("{scheme}://{authority}{path}"),
            signing_region: signing_region.to_owned(),
            loopback,
        })
    }

    /// The service.
    pub fn service(&self) -> Service {
        self.service
    }

    /// The URL requests are POSTed to (ends with `/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The region requests are signed for.
    pub fn signing_region(&self) -> &str {
        &self.signing_region
    }

    /// Whether the host is a loopback address (the only kind plain HTTP may go to).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }
}

/// IAM is global per partition: signed for its partition's home region.
fn iam_signing_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "cn-north-1"
    } else if region.starts_with("us-gov-") {
        "us-gov-west-1"
    } else {
        "us-east-1"
    }
}

/// `host[:port]` or `[v6][:port]`; `None` when the port is not 1..=65535.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let after = &rest[end + 1..];
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (&authority[..end + 2], port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 5 {
                return None;
            }
            let v: u16 = p.parse().ok()?;
            if v == 0 {
                return None;
            }
            Some(v)
        }
    };
    Some((host, port))
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn precedence_service_then_global_then_aws() {
        let e = env(&[
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1/"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:2/"),
        ]);
        assert_eq!(
            Endpoint::resolve(Service::Sts, None, &e).unwrap().url(),
            "http://127.0.0.1:1/"
        );
        assert_eq!(
            Endpoint::resolve(Service::Iam, None, &e).unwrap().url(),
            "http://127.0.0.1:2/"
        );
        let e = env(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:2/"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ("AWS_REGION", "eu-central-1"),
        ]);
        let ep = Endpoint::resolve(Service::Sts, None, &e).unwrap();
        assert_eq!(ep.url(), "https://sts.eu-central-1.amazonaws.com/");
        assert_eq!(ep.signing_region(), "eu-central-1");
    }

    #[test]
    fn region_from_env_and_default() {
        let ep = Endpoint::resolve(
            Service::Sts,
            None,
            env(&[("AWS_DEFAULT_REGION", "ap-south-1")]),
        )
        .unwrap();
        assert_eq!(ep.url(), "https://sts.ap-south-1.amazonaws.com/");
        let ep = Endpoint::resolve(Service::Sts, None, env(&[])).unwrap();
        assert_eq!(ep.url(), "https://sts.us-east-1.amazonaws.com/");
        assert!(Endpoint::resolve(Service::Sts, Some("EU WEST"), env(&[])).is_err());
    }

    #[test]
    fn partitions_and_fips() {
        let fips = env(&[("AWS_USE_FIPS_ENDPOINT", "true")]);
        let r = |s, region, e: &dyn Fn(&str) -> Option<String>| {
            let ep = Endpoint::resolve(s, Some(region), e).unwrap();
            (ep.url().to_owned(), ep.signing_region().to_owned())
        };
        let none = env(&[]);
        assert_eq!(
            r(Service::Sts, "us-east-2", &fips).0,
            "https://sts-fips.us-east-2.amazonaws.com/"
        );
        assert_eq!(
            r(Service::Sts, "us-gov-west-1", &fips).0,
            "https://sts.us-gov-west-1.amazonaws.com/"
        );
        assert_eq!(
            r(Service::Iam, "eu-west-1", &none),
            (
                "https://iam.amazonaws.com/".to_owned(),
                "us-east-1".to_owned()
            )
        );
        assert_eq!(
            r(Service::Iam, "cn-northwest-1", &none),
            (
                "https://iam.cn-north-1.amazonaws.com.cn/".to_owned(),
                "cn-north-1".to_owned()
            )
        );
        assert_eq!(
            r(Service::Iam, "us-gov-east-1", &none),
            (
                "https://iam.us-gov.amazonaws.com/".to_owned(),
                "us-gov-west-1".to_owned()
            )
        );
        assert_eq!(
            r(Service::Iam, "us-east-1", &fips).0,
            "https://iam-fips.amazonaws.com/"
        );
        assert_eq!(
            r(Service::Sts, "us-iso-east-1", &none).0,
            "https://sts.us-iso-east-1.c2s.ic.gov/"
        );
    }

    /// `AWS_STS_REGIONAL_ENDPOINTS=legacy`, as botocore resolves it (`tests/botocore_endpoints.rs`
    /// checks the whole table against botocore itself).
    #[test]
    fn sts_legacy_global_endpoint() {
        let r = |region: &str, pairs: &[(&str, &str)]| {
            let ep = Endpoint::resolve(Service::Sts, Some(region), env(pairs)).unwrap();
            (ep.url().to_owned(), ep.signing_region().to_owned())
        };
        let global = (
            "https://sts.amazonaws.com/".to_owned(),
            "us-east-1".to_owned(),
        );
        let legacy = [("AWS_STS_REGIONAL_ENDPOINTS", "legacy")];
        for region in LEGACY_GLOBAL_STS_REGIONS {
            assert_eq!(r(region, &legacy), global, "{region}");
        }
        // Regions after the list, and other partitions, stay regional.
        for region in ["ap-east-1", "eu-south-2", "me-central-1", "ap-northeast-2"] {
            assert_eq!(
                r(region, &legacy),
                (
                    format!("https://sts.{region}.amazonaws.com/"),
                    region.to_owned()
                )
            );
        }
        assert_eq!(
            r("cn-north-1", &legacy).0,
            "https://sts.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            r("us-gov-west-1", &legacy).0,
            "https://sts.us-gov-west-1.amazonaws.com/"
        );
        // regional (and unset, and empty): the default.
        for pairs in [
            &[("AWS_STS_REGIONAL_ENDPOINTS", "regional")][..],
            &[("AWS_STS_REGIONAL_ENDPOINTS", " ")],
            &[],
        ] {
            assert_eq!(
                r("eu-west-1", pairs).0,
                "https://sts.eu-west-1.amazonaws.com/"
            );
            // aws-global is the global endpoint whatever the setting.
            assert_eq!(r("aws-global", pairs), global);
        }
        // The region from the environment goes the same way.
        let ep = Endpoint::resolve(
            Service::Sts,
            None,
            env(&[
                ("AWS_STS_REGIONAL_ENDPOINTS", "legacy"),
                ("AWS_REGION", "eu-west-2"),
            ]),
        )
        .unwrap();
        assert_eq!(ep.url(), "https://sts.amazonaws.com/");
        // FIPS wins over legacy; a configured endpoint wins over both.
        let fips_legacy = [
            ("AWS_STS_REGIONAL_ENDPOINTS", "legacy"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ];
        assert_eq!(
            r("us-east-2", &fips_legacy),
            (
                "https://sts-fips.us-east-2.amazonaws.com/".to_owned(),
                "us-east-2".to_owned()
            )
        );
        assert_eq!(
            r("aws-global", &fips_legacy).0,
            "https://sts-fips.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            r(
                "eu-west-1",
                &[
                    ("AWS_STS_REGIONAL_ENDPOINTS", "legacy"),
                    ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
                ]
            ),
            ("http://127.0.0.1:9/".to_owned(), "eu-west-1".to_owned())
        );
        // IAM does not care.
        let iam = Endpoint::resolve(Service::Iam, Some("eu-west-1"), env(&legacy)).unwrap();
        assert_eq!(iam.url(), "https://iam.amazonaws.com/");
    }

    #[test]
    fn sts_regional_endpoints_unknown_value_is_an_error_naming_it() {
        for bad in ["Legacy", "global", "yes"] {
            let e = Endpoint::resolve(
                Service::Sts,
                Some("eu-west-1"),
                env(&[("AWS_STS_REGIONAL_ENDPOINTS", bad)]),
            )
            .unwrap_err();
            assert!(
                matches!(&e, Error::InvalidSetting { name: "AWS_STS_REGIONAL_ENDPOINTS", value, .. } if value == bad),
                "{e:?}"
            );
            let text = e.to_string();
            assert!(
                text.contains("AWS_STS_REGIONAL_ENDPOINTS") && text.contains("legacy or regional"),
                "{text}"
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:5000",
            "http://localhost:1",
            "http://[::1]:8080/x",
            "http://127.1.2.3",
            "https://sts.example.com",
        ] {
            assert!(
                Endpoint::from_url(Service::Sts, ok, "us-east-1").is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://sts.amazonaws.com",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "127.0.0.1:5000",
            "http://user@127.0.0.1",
            "http://127.0.0.1:0",
            "http://127.0.0.1:99999",
            "https://h/?q=1",
            "https://",
        ] {
            assert!(
                Endpoint::from_url(Service::Sts, bad, "us-east-1").is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn url_normalized_as_signed() {
        let ep =
            Endpoint::from_url(Service::Sts, "HTTPS://STS.Example.COM:443", "us-east-1").unwrap();
        assert_eq!(ep.url(), "https://sts.example.com/");
        let ep = Endpoint::from_url(Service::Sts, "http://127.0.0.1:80/base", "us-east-1").unwrap();
        assert_eq!(ep.url(), "http://127.0.0.1/base/");
        assert!(ep.is_loopback());
    }
}
