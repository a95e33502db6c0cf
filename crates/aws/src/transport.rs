//! A blocking HTTP transport (cargo feature `transport`): ureq with rustls, TLS to AWS and plain
//! HTTP only to loopback, timeouts, retries with jittered exponential backoff on throttling,
//! 5xx and connection failures, a size cap on answers, no redirects followed.
//!
//! ```no_run
//! use iamkit_aws::{CallerIdentity, Endpoint, GetCallerIdentity, Service, Transport};
//! use iamkit_sigv4::{Credentials, Timestamp};
//! let endpoint = Endpoint::resolve(Service::Sts, None, |k| std::env::var(k).ok())?;
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let now = Timestamp::from_system_time(std::time::SystemTime::now())?;
//! let signed = GetCallerIdentity.sign(&endpoint, &creds, now)?;
//! let me: CallerIdentity = Transport::builder().build()?.call(&signed)?;
//! println!("{}", me.arn);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Read;
use std::time::Duration;

use crate::response::{MAX_RESPONSE_BYTES, QueryResponse, parse_response};
use crate::{Error, SignedRequest};

/// Builds a [`Transport`].
#[derive(Debug, Clone)]
pub struct TransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for TransportBuilder {
    fn default() -> Self {
        TransportBuilder {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl TransportBuilder {
    /// Time allowed to connect (default 5 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Time allowed for one whole attempt (default 20 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Attempts in all, 1 to 10 (default 3).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// The first retry's delay before jitter (default 200 ms; doubles each retry, capped at
    /// `max_delay`, default 5 s). Each wait is a random time up to that (full jitter).
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }

    /// The transport; [`Error::InvalidParameter`] for out-of-range settings.
    ///
    /// # Errors
    ///
    /// `Error::InvalidParameter` when a setting is out of range.
    pub fn build(self) -> Result<Transport, Error> {
        let bad = |reason: &str| Error::InvalidParameter {
            name: "transport",
            reason: reason.to_owned(),
        };
        if !(1..=10).contains(&self.max_attempts) {
            return Err(bad("max_attempts must be 1 to 10"));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(bad("timeouts must be above zero"));
        }
        if self.base_delay > self.max_delay {
            return Err(bad("the base backoff delay must not exceed the maximum"));
        }
        let config = |proxy: bool| {
            let b = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_connect(Some(self.connect_timeout))
                .timeout_global(Some(self.timeout))
                .user_agent(concat!("iamkit/", env!("CARGO_PKG_VERSION")));
            let b = if proxy { b } else { b.proxy(None) };
            ureq::Agent::new_with_config(b.build())
        };
        Ok(Transport {
            agent: config(true),
            loopback_agent: config(false),
            settings: self,
        })
    }
}

/// Sends [`SignedRequest`]s. One agent per transport (connections are reused).
#[derive(Debug)]
pub struct Transport {
    agent: ureq::Agent,
    /// For loopback endpoints: never through a proxy from the environment.
    loopback_agent: ureq::Agent,
    settings: TransportBuilder,
}

/// An HTTP answer: status and body (at most [`MAX_RESPONSE_BYTES`]).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// One attempt's outcome.
enum Attempt {
    Answer(HttpResponse),
    Failed(String),
}

impl Transport {
    /// The default settings.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    fn check_url(req: &SignedRequest) -> Result<(), Error> {
        let url = req.url();
        let ok = url.starts_with("https://") || (url.starts_with("http://") && req.is_loopback());
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidEndpoint {
                url: url.to_owned(),
                reason: "plain http:// is accepted only for loopback hosts",
            })
        }
    }

    fn attempt(&self, req: &SignedRequest) -> Attempt {
        let agent = if req.is_loopback() {
            &self.loopback_agent
        } else {
            &self.agent
        };
        let mut r = agent.post(req.url());
        for (name, value) in req.headers() {
            r = r.header(name, value);
        }
        let mut resp = match r.send(req.body()) {
            Ok(resp) => resp,
            Err(e) => return Attempt::Failed(describe(&e)),
        };
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        let limit = (MAX_RESPONSE_BYTES + 1) as u64;
        match resp
            .body_mut()
            .as_reader()
            .take(limit)
            .read_to_end(&mut body)
        {
            Ok(_) if body.len() > MAX_RESPONSE_BYTES => Attempt::Failed(format!(
                "the answer is larger than {MAX_RESPONSE_BYTES} bytes"
            )),
            Ok(_) => Attempt::Answer(HttpResponse { status, body }),
            Err(e) => Attempt::Failed(format!("reading the answer failed: {e}")),
        }
    }

    /// The wait before retry number `retry` (1-based): a random time up to
    /// `min(max, base * 2^(retry-1))`.
    fn delay(&self, retry: u32) -> Duration {
        let cap = self
            .settings
            .base_delay
            .saturating_mul(1u32 << (retry - 1).min(16))
            .min(self.settings.max_delay);
        let mut b = [0u8; 4];
        let r = if getrandom::fill(&mut b).is_ok() {
            u32::from_le_bytes(b)
        } else {
            u32::MAX / 2
        };
        cap.mul_f64(f64::from(r) / f64::from(u32::MAX))
    }

    /// Sends the request, retrying connection failures, throttling and 5xx answers; returns the
    /// last answer (which may still be an error answer: [`parse_response`] turns it into one).
    /// [`Error::Endpoint`] when no answer came.
    ///
    /// # Errors
    ///
    /// `Error::Endpoint` when no answer came (connection failures and timeouts, after the
    /// retries).
    pub fn send(&self, req: &SignedRequest) -> Result<HttpResponse, Error> {
        Self::check_url(req)?;
        let mut last_failure = String::new();
        for attempt in 1..=self.settings.max_attempts {
            if attempt > 1 {
                std::thread::sleep(self.delay(attempt - 1));
            }
            match self.attempt(req) {
                Attempt::Answer(resp) => {
                    let last = attempt == self.settings.max_attempts;
                    if last || !retryable_answer(&resp) {
                        return Ok(resp);
                    }
                }
                Attempt::Failed(why) => last_failure = why,
            }
        }
        Err(Error::Endpoint {
            endpoint: req.url().to_owned(),
            reason: format!(
                "{last_failure} (after {} attempts)",
                self.settings.max_attempts
            ),
        })
    }

    /// Sends the request and parses the answer as `T`. AWS refusals are [`Error::Aws`];
    /// answers that are not valid AWS responses become [`Error::Endpoint`] naming the endpoint.
    ///
    /// # Errors
    ///
    /// `Error::Aws` for a refusal, `Error::Endpoint` when no valid answer came.
    pub fn call<T: QueryResponse>(&self, req: &SignedRequest) -> Result<T, Error> {
        let resp = self.send(req)?;
        parse_response(resp.status, &resp.body).map_err(|e| match e {
            Error::MalformedResponse { reason } => Error::Endpoint {
                endpoint: req.url().to_owned(),
                reason: format!(
                    "answered with something that is not a valid AWS response: {reason}"
                ),
            },
            Error::Aws(a) if a.status >= 500 || a.status == 429 => Error::Endpoint {
                endpoint: req.url().to_owned(),
                reason: format!(
                    "kept failing after {} attempts: {a}",
                    self.settings.max_attempts
                ),
            },
            other => other,
        })
    }
}

/// Whether an answer is worth another attempt: 5xx, 429, or a throttling error code.
fn retryable_answer(resp: &HttpResponse) -> bool {
    if resp.status >= 500 || resp.status == 429 {
        return true;
    }
    if (200..300).contains(&resp.status) {
        return false;
    }
    struct Probe;
    impl QueryResponse for Probe {
        const ACTION: &'static str = "";
        fn from_result(_: roxmltree::Node<'_, '_>, _: Option<&str>) -> Result<Self, Error> {
            Ok(Probe)
        }
    }
    matches!(parse_response::<Probe>(resp.status, &resp.body), Err(Error::Aws(a)) if a.is_retryable())
}

/// A one-line description of a transport error (never the request's headers or body).
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::Io(io) => format!("cannot connect: {io}"),
        other => other.to_string(),
    }
}
