//! [`RedisStore`]: `iamkit-otp`'s replay and throttle state in Redis.

use core::fmt;
use std::time::Duration;

use iamkit_otp::replay::{ReplayStore, record_ttl};
use iamkit_otp::throttle::{Throttle, ThrottlePolicy, ThrottleStore};
use iamkit_otp::{Matched, Refused, StoreError, Totp, Window};
use redis::cluster::ClusterClientBuilder;
use redis::{ConnectionLike, ErrorKind, RedisError, ServerErrorKind, Value};
use zeroize::Zeroizing;

use crate::Error;
use crate::pool::{Pool, Target};
use crate::script::{CHECK_AND_RECORD, RECORD_FAILURE, VERIFY};
use crate::url::{Endpoint, parse, redact};

/// Throttle numbers (times, delays) must stay below this for Lua's doubles to be exact.
const EXACT_LIMIT: u64 = 1 << 52;
/// The longest expiry asked of Redis (about 100 years): `EX` refuses absurd values.
const MAX_TTL: u64 = 100 * 365 * 24 * 3600;

/// `iamkit-otp`'s replay and throttle state kept in Redis, shared by every verifier that points at
/// the same Redis (a single server, or a Redis Cluster).
///
/// Build it with [`RedisStore::builder`] (or [`RedisStore::open`]); it connects lazily and keeps
/// a few connections for reuse, so one store serves many threads. Each operation is one atomic
/// server-side script on one credential's keys, which carry the credential as a hash tag
/// (`PREFIX{credential}:last`, `PREFIX{credential}:throttle`) and so live in one Cluster slot.
/// A step's record expires once no code of that step can be valid any more (plus
/// [`RedisStoreBuilder::expiry_margin`] for clocks that disagree); a throttle record lives until
/// a success or a reset clears it.
///
/// Every failure to reach Redis, a timeout, or an answer that is not what the script returns is
/// [`Refused::Store`]: the code is not accepted (fail closed). A timeout after Redis ran the
/// script may leave the step recorded: the code is then refused now and later, never accepted.
pub struct RedisStore {
    pool: Pool,
    prefix: String,
    policy: ThrottlePolicy,
    margin: u64,
    /// For messages: the URL without its password.
    describe: String,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.describe)
            .field("prefix", &self.prefix)
            .field("policy", &self.policy)
            .field("expiry_margin", &self.margin)
            .finish_non_exhaustive()
    }
}

/// Options of a [`RedisStore`]; [`RedisStoreBuilder::build`] checks them.
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    username: Option<String>,
    password: Option<Zeroizing<String>>,
    root_cert_pem: Option<Vec<u8>>,
    client_cert_pem: Option<(Vec<u8>, Zeroizing<Vec<u8>>)>,
    connect_timeout: Duration,
    response_timeout: Duration,
    margin: u64,
    policy: ThrottlePolicy,
    max_idle: usize,
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("url", &redact(&self.url))
            .field("prefix", &self.prefix)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("root_cert_pem", &self.root_cert_pem.is_some())
            .field(
                "client_cert_pem",
                &self.client_cert_pem.as_ref().map(|_| "<redacted>"),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("expiry_margin", &self.margin)
            .field("policy", &self.policy)
            .field("max_idle", &self.max_idle)
            .finish()
    }
}

impl RedisStoreBuilder {
    /// Keys start with `prefix` (default `iamkit:otp:`); it may not contain `{` or `}`, which
    /// would change the hash tag.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The ACL user, instead of the one in the URL.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The password, instead of one in the URL (so that it need not be on a command line).
    pub fn password(mut self, password: Zeroizing<String>) -> Self {
        self.password = Some(password);
        self
    }

    /// TLS: trust only this CA (PEM) instead of the system's roots.
    pub fn root_certificate_pem(mut self, pem: Vec<u8>) -> Self {
        self.root_cert_pem = Some(pem);
        self
    }

    /// TLS: present this client certificate and key (PEM) to the server (mutual TLS).
    pub fn client_certificate_pem(mut self, cert: Vec<u8>, key: Zeroizing<Vec<u8>>) -> Self {
        self.client_cert_pem = Some((cert, key));
        self
    }

    /// How long to wait for a connection (default 2 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for an answer (default 2 s).
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// Seconds a step's record is kept beyond the end of its validity (default 60), for
    /// verifiers whose clocks disagree.
    pub fn expiry_margin(mut self, seconds: u64) -> Self {
        self.margin = seconds;
        self
    }

    /// The throttle rules of [`ThrottleStore`] and [`RedisStore::verify`] (default
    /// [`ThrottlePolicy::default`]).
    pub fn throttle_policy(mut self, policy: ThrottlePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How many idle connections to keep (default 16).
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.max_idle = n;
        self
    }

    /// Checks the options and builds the store. Does not connect: the first operation does.
    ///
    /// # Errors
    ///
    /// `Error::InvalidUrl`, `Error::InvalidOption` or `Error::TlsUnavailable` for options that
    /// cannot be used.
    pub fn build(self) -> Result<RedisStore, Error> {
        if self.prefix.contains(['{', '}']) {
            return Err(Error::InvalidOption {
                reason: format!(
                    "key prefix {:?} contains a brace (expected no '{{' or '}}': they would change the keys' hash tag)",
                    self.prefix
                ),
            });
        }
        if self.connect_timeout.is_zero() || self.response_timeout.is_zero() {
            return Err(Error::InvalidOption {
                reason: "a timeout of zero (expected at least 1 ms)".into(),
            });
        }
        if self.margin > MAX_TTL {
            return Err(Error::InvalidOption {
                reason: format!(
                    "expiry margin {} s (expected at most {MAX_TTL} s)",
                    self.margin
                ),
            });
        }
        if self.policy.delay_step >= EXACT_LIMIT || self.policy.max_delay >= EXACT_LIMIT {
            return Err(Error::InvalidOption {
                reason: format!(
                    "throttle delays too large (expected delay_step and max_delay below {EXACT_LIMIT} s)"
                ),
            });
        }
        let describe = redact(&self.url);
        let endpoint = parse(&self.url)?;
        let tls = matches!(
            endpoint,
            Endpoint::Single { tls: true, .. } | Endpoint::Cluster { tls: true, .. }
        );
        if !tls && (self.root_cert_pem.is_some() || self.client_cert_pem.is_some()) {
            return Err(Error::InvalidOption {
                reason: format!(
                    "certificates given for {describe}, which is not TLS (expected a rediss:// URL)"
                ),
            });
        }
        if tls && !cfg!(feature = "tls") {
            return Err(Error::TlsUnavailable);
        }
        let client_err = |e: RedisError| Error::Client {
            reason: e.to_string().replace(&self.url, &describe),
        };
        let target =
            match endpoint {
                Endpoint::Single { url, .. } => {
                    let info = redis::IntoConnectionInfo::into_connection_info(url.as_str())
                        .map_err(|e| Error::InvalidUrl {
                            reason: format!(
                                "{describe}: {}",
                                e.to_string().replace(url.as_str(), &describe)
                            ),
                        })?;
                    let mut settings = info.redis_settings().clone();
                    if let Some(u) = &self.username {
                        settings = settings.set_username(u);
                    }
                    if let Some(p) = &self.password {
                        settings = settings.set_password(p.as_str());
                    }
                    let info = info.set_redis_settings(settings);
                    let client = if tls {
                        single_tls(info, &self)?
                    } else {
                        redis::Client::open(info).map_err(client_err)?
                    };
                    Target::Single(client)
                }
                Endpoint::Cluster { nodes, .. } => {
                    let mut b = ClusterClientBuilder::new(nodes.iter().map(String::as_str))
                        .connection_timeout(self.connect_timeout)
                        .response_timeout(self.response_timeout)
                        .retries(2)
                        .min_retry_wait(10)
                        .max_retry_wait(200);
                    if let Some(u) = &self.username {
                        b = b.username(u);
                    }
                    if let Some(p) = &self.password {
                        b = b.password(p.as_str());
                    }
                    if tls {
                        b = cluster_tls(b, &self);
                    }
                    Target::Cluster(b.build().map_err(client_err)?)
                }
            };
        Ok(RedisStore {
            pool: Pool::new(
                target,
                self.max_idle,
                self.connect_timeout,
                self.response_timeout,
            ),
            prefix: self.prefix,
            policy: self.policy,
            margin: self.margin,
            describe,
        })
    }
}

#[cfg(feature = "tls")]
fn certificates(b: &RedisStoreBuilder) -> redis::TlsCertificates {
    redis::TlsCertificates {
        client_tls: b
            .client_cert_pem
            .as_ref()
            .map(|(cert, key)| redis::ClientTlsConfig {
                client_cert: cert.clone(),
                client_key: key.to_vec(),
            }),
        root_cert: b.root_cert_pem.clone(),
    }
}

#[cfg(feature = "tls")]
fn single_tls(info: redis::ConnectionInfo, b: &RedisStoreBuilder) -> Result<redis::Client, Error> {
    redis::Client::build_with_tls(info, certificates(b)).map_err(|e| Error::Client {
        reason: e.to_string(),
    })
}

#[cfg(not(feature = "tls"))]
fn single_tls(_: redis::ConnectionInfo, _: &RedisStoreBuilder) -> Result<redis::Client, Error> {
    Err(Error::TlsUnavailable)
}

#[cfg(feature = "tls")]
fn cluster_tls(c: ClusterClientBuilder, b: &RedisStoreBuilder) -> ClusterClientBuilder {
    c.certs(certificates(b))
}

#[cfg(not(feature = "tls"))]
fn cluster_tls(c: ClusterClientBuilder, _: &RedisStoreBuilder) -> ClusterClientBuilder {
    c
}

/// The outcome of [`RedisStore::verify`] that was not an acceptance, for callers that need to
/// know more than [`Refused`] tells (for instance, to tell a user their code was already used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Invalid,
    Replayed,
    LockedOut,
    RetryAfter(u64),
}

impl RedisStore {
    /// Options for a store at `url`: `redis://[USER:PASS@]HOST:PORT[/DB]`, `rediss://…` (TLS),
    /// `redis+cluster://[USER:PASS@]HOST:PORT[,HOST:PORT…]` (Redis Cluster; any reachable node
    /// finds the others), `rediss+cluster://…` (Cluster over TLS).
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: "iamkit:otp:".into(),
            username: None,
            password: None,
            root_cert_pem: None,
            client_cert_pem: None,
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(2),
            margin: 60,
            policy: ThrottlePolicy::default(),
            max_idle: 16,
        }
    }

    /// A store at `url` with the default options.
    ///
    /// # Errors
    ///
    /// As [`RedisStoreBuilder::build`].
    pub fn open(url: &str) -> Result<RedisStore, Error> {
        RedisStore::builder(url).build()
    }

    /// Whether this store talks to a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        self.pool.is_cluster()
    }

    /// Connects (if no connection is open) and checks that Redis answers.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when Redis cannot be reached or does not answer `PONG`.
    pub fn ping(&self) -> Result<(), StoreError> {
        let pong: String = self
            .pool
            .with(|c, _| redis::cmd("PING").query(c))
            .map_err(|e| self.unreachable(&e))?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(self.wrong_answer("PING"))
        }
    }

    /// Closes the idle connections (the next operation connects again).
    pub fn disconnect(&self) {
        self.pool.clear();
    }

    /// The key holding the last accepted step of `credential`.
    pub fn last_step_key(&self, credential: &str) -> String {
        format!("{}{{{credential}}}:last", self.prefix)
    }

    /// The key holding the throttle state of `credential`.
    pub fn throttle_key(&self, credential: &str) -> String {
        format!("{}{{{credential}}}:throttle", self.prefix)
    }

    /// The last step accepted for `credential`, if Redis still remembers one.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when Redis cannot be reached or answers garbage.
    pub fn last_step(&self, credential: &str) -> Result<Option<u64>, StoreError> {
        check_credential(credential)?;
        let key = self.last_step_key(credential);
        let v: Option<String> = self
            .pool
            .with(|c, _| redis::cmd("GET").arg(&key).query(c))
            .map_err(|e| self.unreachable(&e))?;
        v.map(|s| s.parse().map_err(|_| self.wrong_answer("GET")))
            .transpose()
    }

    /// Clears the throttle of `credential` (failures and any lockout): an administrator's reset.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when Redis cannot be reached.
    pub fn reset_throttle(&self, credential: &str) -> Result<(), StoreError> {
        self.record_success(credential)
    }

    /// Verifies `code` for `credential` at `now` in one round trip to Redis: the throttle check,
    /// the replay check-and-record of the matched step, and the failure count, atomically.
    ///
    /// The code is checked locally first (every step of `window`, in constant time), then one
    /// script refuses a throttled attempt (recording nothing), accepts a step newer than the last
    /// one accepted (recording it and clearing the failures), or records a failure (a wrong code
    /// or a replay). A wrong code and a replay are the same [`Refused::Invalid`].
    ///
    /// # Errors
    ///
    /// [`Refused`]: `Invalid` for a wrong or replayed code, `Throttled` while locked out,
    /// `Store` when Redis could not answer (fail closed).
    pub fn verify(
        &self,
        totp: &Totp,
        window: Window,
        credential: &str,
        code: &str,
        now: u64,
    ) -> Result<Matched, Refused> {
        let matched = totp.verify(code, now, window).ok();
        let ttl = matched.map_or(1, |m| record_ttl(totp, window, m.step, now));
        match self.verify_step(credential, matched.map(|m| m.step), ttl, now)? {
            Outcome::Accepted => matched.ok_or_else(|| Refused::Store(self.wrong_answer("verify"))),
            Outcome::Invalid | Outcome::Replayed => Err(Refused::Invalid),
            Outcome::LockedOut => Err(Refused::Throttled(
                iamkit_otp::throttle::Throttled::LockedOut,
            )),
            Outcome::RetryAfter(seconds) => Err(Refused::Throttled(
                iamkit_otp::throttle::Throttled::RetryAfter { seconds },
            )),
        }
    }

    fn verify_step(
        &self,
        credential: &str,
        step: Option<u64>,
        ttl: u64,
        now: u64,
    ) -> Result<Outcome, StoreError> {
        check_credential(credential)?;
        check_now(now)?;
        let (last, throttle) = (
            self.last_step_key(credential),
            self.throttle_key(credential),
        );
        let p = self.policy;
        let reply: Vec<i64> = self
            .pool
            .with(|c, _| {
                VERIFY
                    .key(&last)
                    .key(&throttle)
                    .arg(step.map_or(String::new(), |s| s.to_string()))
                    .arg(self.keep_for(ttl))
                    .arg(now)
                    .arg(p.free_attempts)
                    .arg(p.delay_step)
                    .arg(p.max_delay)
                    .arg(p.lockout_after.map_or(String::new(), |l| l.to_string()))
                    .invoke(c)
            })
            .map_err(|e| self.unreachable(&e))?;
        match reply.as_slice() {
            [1, 0] if step.is_some() => Ok(Outcome::Accepted),
            [0, 0] => Ok(Outcome::Invalid),
            [0, 1] if step.is_some() => Ok(Outcome::Replayed),
            [2, 0] => Ok(Outcome::LockedOut),
            [3, s] if *s > 0 => Ok(Outcome::RetryAfter(s.unsigned_abs())),
            _ => Err(self.wrong_answer("verify script")),
        }
    }

    /// Many check-and-records in one round trip (a pipeline): `(credential, step, ttl)` each, as
    /// [`ReplayStore::check_and_record`]. On a Redis Cluster they are sent one after another.
    ///
    /// The outer error is a store failure (then nothing in the batch counts as accepted, though
    /// some steps may have been recorded); each inner result is that item's answer.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the pipeline failed (see above).
    pub fn check_and_record_many(
        &self,
        items: &[(&str, u64, u64)],
    ) -> Result<Vec<Result<(), Refused>>, StoreError> {
        for (credential, _, _) in items {
            check_credential(credential)?;
        }
        if self.is_cluster() {
            return Ok(items
                .iter()
                .map(|(c, s, t)| self.check_and_record(c, *s, *t))
                .collect());
        }
        let mut pipe = redis::pipe();
        for (credential, step, ttl) in items {
            pipe.cmd("EVALSHA")
                .arg(CHECK_AND_RECORD.get_hash())
                .arg(1)
                .arg(self.last_step_key(credential))
                .arg(step)
                .arg(self.keep_for(*ttl));
        }
        let reply: Vec<i64> = self
            .pool
            .with(|c, _| match pipe.query(c) {
                Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                    CHECK_AND_RECORD.prepare_invoke().load(c)?;
                    pipe.query(c)
                }
                r => r,
            })
            .map_err(|e| self.unreachable(&e))?;
        if reply.len() != items.len() {
            return Err(self.wrong_answer("pipeline"));
        }
        reply
            .into_iter()
            .map(|r| match r {
                1 => Ok(Ok(())),
                0 => Ok(Err(Refused::Replayed)),
                _ => Err(self.wrong_answer("check-and-record script")),
            })
            .collect()
    }

    /// Seconds Redis keeps a record that must live `ttl` seconds.
    fn keep_for(&self, ttl: u64) -> u64 {
        ttl.saturating_add(self.margin).clamp(1, MAX_TTL)
    }

    fn unreachable(&self, e: &RedisError) -> StoreError {
        StoreError::with_source(
            format!("the Redis replay store at {} did not answer", self.describe),
            e.to_string(),
        )
    }

    fn wrong_answer(&self, what: &str) -> StoreError {
        StoreError::new(format!(
            "the Redis replay store at {} answered {what} with something unexpected",
            self.describe
        ))
    }

    fn throttle_state(
        &self,
        c: &mut dyn ConnectionLike,
        credential: &str,
    ) -> redis::RedisResult<Value> {
        redis::cmd("HMGET")
            .arg(self.throttle_key(credential))
            .arg("f")
            .arg("n")
            .query(c)
    }
}

/// An empty credential would make an empty hash tag, spreading its keys over slots.
fn check_credential(credential: &str) -> Result<(), StoreError> {
    if credential.is_empty() {
        Err(StoreError::new(
            "empty credential name (expected a non-empty name for the account)",
        ))
    } else {
        Ok(())
    }
}

fn check_now(now: u64) -> Result<(), StoreError> {
    if now >= EXACT_LIMIT {
        Err(StoreError::new(format!(
            "time {now} out of range (expected a Unix time below {EXACT_LIMIT})"
        )))
    } else {
        Ok(())
    }
}

impl ReplayStore for RedisStore {
    fn check_and_record(&self, credential: &str, step: u64, ttl: u64) -> Result<(), Refused> {
        check_credential(credential)?;
        let key = self.last_step_key(credential);
        let recorded: i64 = self
            .pool
            .with(|c, _| {
                CHECK_AND_RECORD
                    .key(&key)
                    .arg(step)
                    .arg(self.keep_for(ttl))
                    .invoke(c)
            })
            .map_err(|e| self.unreachable(&e))?;
        match recorded {
            1 => Ok(()),
            0 => Err(Refused::Replayed),
            _ => Err(Refused::Store(self.wrong_answer("check-and-record script"))),
        }
    }
}

impl ThrottleStore for RedisStore {
    fn check(&self, credential: &str, now: u64) -> Result<(), Refused> {
        self.state(credential)?.check(now).map_err(Refused::from)
    }

    fn record_failure(&self, credential: &str, now: u64) -> Result<(), StoreError> {
        check_credential(credential)?;
        check_now(now)?;
        let (last, throttle) = (
            self.last_step_key(credential),
            self.throttle_key(credential),
        );
        let p = self.policy;
        let r: i64 = self
            .pool
            .with(|c, _| {
                RECORD_FAILURE
                    .key(&last)
                    .key(&throttle)
                    .arg("")
                    .arg("")
                    .arg(now)
                    .arg(p.free_attempts)
                    .arg(p.delay_step)
                    .arg(p.max_delay)
                    .invoke(c)
            })
            .map_err(|e| self.unreachable(&e))?;
        if r == 1 {
            Ok(())
        } else {
            Err(self.wrong_answer("record-failure script"))
        }
    }

    fn record_success(&self, credential: &str) -> Result<(), StoreError> {
        check_credential(credential)?;
        let key = self.throttle_key(credential);
        let _: i64 = self
            .pool
            .with(|c, _| redis::cmd("DEL").arg(&key).query(c))
            .map_err(|e| self.unreachable(&e))?;
        Ok(())
    }

    fn state(&self, credential: &str) -> Result<Throttle, StoreError> {
        check_credential(credential)?;
        let v = self
            .pool
            .with(|c, _| self.throttle_state(c, credential))
            .map_err(|e| self.unreachable(&e))?;
        let wrong = || self.wrong_answer("HMGET");
        let Value::Array(fields) = v else {
            return Err(wrong());
        };
        let [f, n] = fields.as_slice() else {
            return Err(wrong());
        };
        let num = |v: &Value| -> Result<u64, StoreError> {
            match v {
                Value::Nil => Ok(0),
                Value::BulkString(b) => std::str::from_utf8(b)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(wrong),
                _ => Err(wrong()),
            }
        };
        let failures = u32::try_from(num(f)?).map_err(|_| wrong())?;
        Ok(Throttle::from_parts(self.policy, failures, num(n)?))
    }
}
