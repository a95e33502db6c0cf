//! From the bytes of a raw HTTP/1.1 request to a verdict: parsing (with `httparse`) and
//! verification (with `iamkit_sigv4`). No I/O, no clock, no store: the fuzz target
//! `cli_verify_request` includes this file as it is.

use iamkit_sigv4::chunked::{ChunkDecoder, ChunkKey, ChunkVerifier};
use iamkit_sigv4::sigv4a;
use iamkit_sigv4::verify::{parse_authorization, parse_presigned_query};
use iamkit_sigv4::{
    Credentials, Error, Explanation, Payload, Request, SessionTokenMode, SigningSettings,
    Timestamp, Verifier,
};

/// The most header lines a request may have.
const MAX_HEADERS: usize = 256;

/// A raw request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRequest {
    method: String,
    /// The host of an absolute URL on the request line (lower-case, default port dropped),
    /// used when there is no `Host` header.
    url_host: Option<String>,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Why a request could not be parsed: what is wrong and what was expected (no secret: the
/// request's signature is not quoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadRequest(pub(crate) String);

impl From<String> for BadRequest {
    fn from(message: String) -> Self {
        BadRequest(message)
    }
}

/// Parses one raw HTTP/1.1 request: request line, headers, blank line, and the body of
/// `Content-Length` bytes. The error is one line saying what is wrong and what was expected.
///
/// Lenient where AWS's official test suite writes requests as they are signed rather than as
/// they travel: lines may end in LF alone, the request target may hold raw spaces and UTF-8
/// (signed as if escaped once), and a header may continue on indented lines (obs-fold, joined
/// with a space).
pub(crate) fn parse(input: &[u8]) -> Result<RawRequest, BadRequest> {
    Ok(parse_request(input)?)
}

fn parse_request(input: &[u8]) -> Result<RawRequest, String> {
    if input.is_empty() {
        return Err("no request on stdin: expected a raw HTTP/1.1 request".to_owned());
    }
    let line_end = input
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("incomplete request: expected a request line, headers and a blank line")?;
    let Ok(line) = std::str::from_utf8(&input[..line_end]) else {
        return Err("the request line is not UTF-8".to_owned());
    };
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (method, rest) = line
        .split_once(' ')
        .ok_or_else(|| format!("request line {line:?}: expected 'METHOD /path HTTP/1.1'"))?;
    let (target, version) = rest
        .rsplit_once(' ')
        .ok_or_else(|| format!("request line {line:?}: expected 'METHOD /path HTTP/1.1'"))?;
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(format!(
            "request line {line:?}: expected HTTP/1.1 or HTTP/1.0 at its end"
        ));
    }
    if method.is_empty()
        || !method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(format!(
            "request line {line:?}: the method is not a token such as GET"
        ));
    }

    // The header block (obs-fold joined), then httparse.
    let after = &input[line_end + 1..];
    let (block, head_len) = unfold_header_block(after)?;
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let parsed = match httparse::parse_headers(&block, &mut slots) {
        Ok(httparse::Status::Complete((_, h))) => h,
        Ok(httparse::Status::Partial) => {
            return Err(
                "incomplete headers: expected 'Name: value' lines and a blank line".to_owned(),
            );
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(format!("more than {MAX_HEADERS} header lines"));
        }
        Err(e) => {
            return Err(format!(
                "malformed header ({e}): expected 'Name: value' lines"
            ));
        }
    };

    let (origin, path_and_query) = split_target(target)?;
    let url_host = match origin {
        Some(o) => match Request::from_url("GET", &o) {
            Ok(url) => url.host().map(str::to_owned),
            Err(e) => return Err(format!("request target {target:?}: {e}")),
        },
        None => None,
    };
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let mut headers = Vec::with_capacity(parsed.len());
    let mut content_length: Option<usize> = None;
    for h in parsed {
        let Ok(value) = std::str::from_utf8(h.value) else {
            return Err(format!("header {:?} has a value that is not UTF-8", h.name));
        };
        if h.name.eq_ignore_ascii_case("content-length") {
            let Ok(n) = value.trim().parse::<usize>() else {
                return Err(format!("Content-Length {value:?} is not a number of bytes"));
            };
            if content_length.is_some_and(|m| m != n) {
                return Err("two different Content-Length headers".to_owned());
            }
            content_length = Some(n);
        }
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(
                "Transfer-Encoding is not supported: give the body with a Content-Length"
                    .to_owned(),
            );
        }
        headers.push((h.name.to_owned(), value.to_owned()));
    }
    let rest = &after[head_len..];
    let body = match content_length {
        Some(n) => {
            if rest.len() < n {
                return Err(format!(
                    "body shorter than Content-Length: {} of {n} bytes",
                    rest.len()
                ));
            }
            if !is_blank(&rest[n..]) {
                return Err(format!(
                    "{} bytes after the body of Content-Length {n}: expected one request",
                    rest.len() - n
                ));
            }
            rest[..n].to_vec()
        }
        None if is_blank(rest) => Vec::new(),
        None => {
            return Err("a body without Content-Length: add a Content-Length header".to_owned());
        }
    };
    Ok(RawRequest {
        method: method.to_owned(),
        url_host,
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
    })
}

/// The header lines up to and including the blank line that ends them, with CRLF line ends
/// and obs-fold continuations joined to their header by one space; and how many input bytes
/// they took.
fn unfold_header_block(input: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let mut out = Vec::with_capacity(input.len().min(64 << 10));
    let mut at = 0;
    loop {
        let Some(len) = input[at..].iter().position(|&b| b == b'\n') else {
            return Err("incomplete headers: expected a blank line after them".to_owned());
        };
        let line = &input[at..at + len];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        at += len + 1;
        if line.is_empty() {
            out.extend_from_slice(b"\r\n");
            return Ok((out, at));
        }
        if matches!(line[0], b' ' | b'\t') {
            if out.is_empty() {
                return Err("the first header line is indented: expected 'Name: value'".to_owned());
            }
            // Continues the previous header: replace its CRLF with a space.
            out.truncate(out.len() - 2);
            out.push(b' ');
            out.extend_from_slice(line.trim_ascii_start());
        } else {
            out.extend_from_slice(line);
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// Line ends a shell or editor may leave after a request.
fn is_blank(b: &[u8]) -> bool {
    b.iter().all(|c| matches!(c, b'\r' | b'\n'))
}

/// `/path?query` as it is, or `scheme://host/path?query` split into origin and the rest.
fn split_target(target: &str) -> Result<(Option<String>, &str), String> {
    if target.starts_with('/') {
        return Ok((None, target));
    }
    if let Some((scheme, rest)) = target.split_once("://") {
        let at = rest.find(['/', '?']).unwrap_or(rest.len());
        let path = &rest[at..];
        let path = if path.is_empty() { "/" } else { path };
        return Ok((Some(format!("{scheme}://{}", &rest[..at])), path));
    }
    Err(format!(
        "request target {target:?}: expected a path such as /key?x=1 or an absolute URL"
    ))
}

impl RawRequest {
    /// The request as `iamkit_sigv4` describes it (the body as payload).
    pub(crate) fn to_request(&self) -> Request<'_> {
        let mut req = Request::new(&self.method, &self.path, &self.query);
        for (n, v) in &self.headers {
            req.push_header(n, v);
        }
        let req = req.payload(Payload::Bytes(&self.body));
        match &self.url_host {
            Some(h) => req.with_host(h),
            None => req,
        }
    }
}

/// How to verify.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The service (default: the request's scope).
    pub(crate) service: Option<String>,
    /// The region (default: the request's scope).
    pub(crate) region: Option<String>,
    /// S3 rules (implied by service `s3`).
    pub(crate) s3: bool,
    /// Sign the path as it is, without removing dot segments and repeated slashes.
    pub(crate) no_normalize_path: bool,
    /// The session token was added after signing (unsigned).
    pub(crate) token_after_signing: bool,
    /// The time to verify at.
    pub(crate) now: Timestamp,
    /// Compute the canonical request and string to sign too.
    pub(crate) explain: bool,
}

/// The outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The access key ID the request names (when it names one).
    pub(crate) access_key_id: Option<String>,
    /// `None` when valid; else what is wrong (never an expected signature).
    pub(crate) reason: Option<String>,
    /// With `explain`, what iamkit computed (when the request got that far).
    pub(crate) explanation: Option<Explanation>,
}

/// Verifies `raw` with the credentials `lookup` gives for its access key ID.
pub(crate) fn verdict(
    raw: &RawRequest,
    options: &Options,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
) -> Verdict {
    let mut v = Verdict {
        access_key_id: None,
        reason: None,
        explanation: None,
    };
    if let Err(e) = check(raw, options, lookup, &mut v) {
        v.reason = Some(e.to_string());
    }
    v
}

/// Whether the request carries a SigV4a (`AWS4-ECDSA-P256-SHA256`) signature.
fn is_sigv4a(req: &Request<'_>) -> bool {
    match req.header_value("authorization") {
        Some(a) => a.trim_start().starts_with(sigv4a::ALGORITHM),
        None => req
            .query()
            .split('&')
            .any(|p| p == "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"),
    }
}

/// [`check`] for a SigV4a request: the region defaults to the first region the signed region
/// set names (us-east-1 for `*`).
fn check_v4a(
    req: &Request<'_>,
    body: &[u8],
    options: &Options,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    v: &mut Verdict,
) -> Result<(), Error> {
    let parsed = match req.header_value("authorization") {
        Some(a) => sigv4a::parse_authorization_v4a(a)?,
        None => sigv4a::parse_presigned_query_v4a(req.query())?,
    };
    v.access_key_id = Some(parsed.access_key_id.clone().into_owned());
    let set = parsed
        .region_set
        .as_deref()
        .or_else(|| req.header_value("x-amz-region-set"))
        .unwrap_or("")
        .trim();
    let region = match &options.region {
        Some(r) => r.as_str(),
        None => set
            .split(',')
            .find(|r| !r.contains('*'))
            .unwrap_or("us-east-1"),
    };
    let service = options.service.as_deref().unwrap_or(&parsed.service);
    let verifier =
        sigv4a::SigV4aVerifier::with_settings(region, service, settings(options, service))?;
    if options.explain {
        v.explanation = verifier.explain(req).ok();
    }
    let verified = verifier.verify(req, options.now, lookup)?;
    let payload = verified.payload_hash();
    if payload.starts_with("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") {
        check_chunks(verified.chunk_verifier()?, payload, req, body)?;
    }
    Ok(())
}

/// An aws-chunked body (SigV4 or SigV4a): every chunk's signature, and the length it announces.
fn check_chunks<K: ChunkKey>(
    verifier: ChunkVerifier<K>,
    payload: &str,
    req: &Request<'_>,
    body: &[u8],
) -> Result<(), Error> {
    let mut dec = ChunkDecoder::new(verifier, payload.ends_with("-TRAILER"));
    if let Some(n) = req
        .header_value("x-amz-decoded-content-length")
        .and_then(|n| n.trim().parse().ok())
    {
        dec = dec.with_decoded_length(n);
    }
    dec.feed(body, &mut Vec::new())?;
    dec.finish()
}

/// The canonicalisation rules the options ask for.
fn settings(options: &Options, service: &str) -> SigningSettings {
    let s3 = options.s3 || service.eq_ignore_ascii_case("s3");
    let mut settings = if s3 {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    if options.no_normalize_path {
        settings.normalize_path = false;
    }
    if options.token_after_signing {
        settings.session_token = SessionTokenMode::AddedAfterSigning;
    }
    settings
}

fn check(
    raw: &RawRequest,
    options: &Options,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    v: &mut Verdict,
) -> Result<(), Error> {
    let req = raw.to_request();
    if is_sigv4a(&req) {
        return check_v4a(&req, &raw.body, options, lookup, v);
    }
    // The scope the request names, for the defaults and the access key ID.
    let parsed = match req.header_value("authorization") {
        Some(a) => parse_authorization(a)?,
        None if req.query().contains("X-Amz-") => parse_presigned_query(req.query())?,
        None => return Err(Error::MissingAuthorization),
    };
    v.access_key_id = Some(parsed.access_key_id.clone().into_owned());
    let region = options.region.as_deref().unwrap_or(&parsed.region);
    let service = options.service.as_deref().unwrap_or(&parsed.service);
    let verifier = Verifier::with_settings(region, service, settings(options, service))?;
    if options.explain {
        v.explanation = verifier.explain(&req).ok();
    }
    let verified = verifier.verify(&req, options.now, lookup)?;
    let payload = verified.payload_hash();
    if payload.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") {
        check_chunks(verified.chunk_verifier()?, payload, &req, &raw.body)?;
    }
    Ok(())
}
