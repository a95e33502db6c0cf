//! Store URLs: `redis://`, `rediss://` (TLS), `redis+cluster://` and `rediss+cluster://`.

use crate::Error;

/// Where the store lives, parsed from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// One Redis server: the URL as the `redis` crate reads it.
    Single { url: String, tls: bool },
    /// A Redis Cluster: one `redis://` (or `rediss://`) URL per seed node.
    Cluster { nodes: Vec<String>, tls: bool },
}

/// Parses a store URL. Errors name the URL with its password hidden.
pub(crate) fn parse(url: &str) -> Result<Endpoint, Error> {
    let bad = |why: &str| Error::InvalidUrl {
        reason: format!(
            "{}: {why} (expected redis://[USER:PASS@]HOST:PORT[/DB], rediss://… for TLS, \
             or redis+cluster://HOST:PORT[,HOST:PORT…])",
            redact(url)
        ),
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad("no scheme"));
    };
    let (cluster, tls) = match scheme.to_ascii_lowercase().as_str() {
        "redis" => (false, false),
        "rediss" => (false, true),
        "redis+cluster" => (true, false),
        "rediss+cluster" => (true, true),
        "redis+unix" | "unix" => {
            return Ok(Endpoint::Single {
                url: url.to_owned(),
                tls: false,
            });
        }
        _ => return Err(bad("unknown scheme")),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, hosts) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    if hosts.is_empty() {
        return Err(bad("no host"));
    }
    if !cluster {
        if hosts.contains(',') {
            return Err(bad(
                "several hosts: a Redis Cluster URL starts with redis+cluster://",
            ));
        }
        return Ok(Endpoint::Single {
            url: url.to_owned(),
            tls,
        });
    }
    if !matches!(tail, "" | "/" | "/0") {
        return Err(bad("a cluster URL takes no database, query or fragment"));
    }
    let node_scheme = if tls { "rediss" } else { "redis" };
    let mut nodes = Vec::new();
    for node in hosts.split(',') {
        let Some((host, port)) = node.rsplit_once(':') else {
            return Err(bad(&format!("cluster node {node:?} has no port")));
        };
        if host.is_empty() || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&format!("cluster node {node:?} is not HOST:PORT")));
        }
        nodes.push(match userinfo {
            Some(u) => format!("{node_scheme}://{u}@{node}"),
            None => format!("{node_scheme}://{node}"),
        });
    }
    Ok(Endpoint::Cluster { nodes, tls })
}

/// `url` with the password of its user part replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // No scheme: it may be anything, perhaps a password pasted by mistake.
        return "<the URL given>".to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let user = match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:***"),
                None => "***".to_owned(),
            };
            format!("{scheme}://{user}@{}{tail}", &authority[at + 1..])
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn single_and_cluster_urls() {
        assert_eq!(
            parse("redis://127.0.0.1:6379/2").unwrap(),
            Endpoint::Single {
                url: "redis://127.0.0.1:6379/2".into(),
                tls: false
            }
        );
        assert!(matches!(
            parse("rediss://h:1").unwrap(),
            Endpoint::Single { tls: true, .. }
        ));
        assert_eq!(
            parse("redis+cluster://u:p@a:1,b:2").unwrap(),
            Endpoint::Cluster {
                nodes: vec!["redis://u:p@a:1".into(), "redis://u:p@b:2".into()],
                tls: false
            }
        );
        assert_eq!(
            parse("rediss+cluster://a:1/").unwrap(),
            Endpoint::Cluster {
                nodes: vec!["rediss://a:1".into()],
                tls: true
            }
        );
    }

    #[test]
    fn malformed_urls_are_named_without_their_password() {
        for bad in [
            "http://u:hunter2@a:1",
            "redis+cluster://u:hunter2@a",
            "redis+cluster://u:hunter2@a:1,:2",
            "redis+cluster://u:hunter2@a:1/3",
            "redis://u:hunter2@a:1,b:2",
            "redis://u:hunter2@",
            "hunter2",
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(!e.contains("hunter2"), "{e}");
            assert!(e.contains("expected redis://"), "{e}");
        }
        assert_eq!(redact("redis://u:pw@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(redact("redis://pw@h:1"), "redis://***@h:1");
    }
}
