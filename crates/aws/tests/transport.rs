//! The blocking transport against small HTTP servers on 127.0.0.1 (each test stops its own):
//! retries on 5xx and throttling, no retry on a refusal, the size cap, timeouts, garbled
//! answers and unreachable endpoints reported as endpoint errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use iamkit_aws::{CallerIdentity, Endpoint, Error, GetCallerIdentity, Service, Transport};
use iamkit_sigv4::{Credentials, Timestamp};

const IDENTITY: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"#;

fn error_body(code: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    )
}

/// Reads one request (headers and a Content-Length body) and returns its body.
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut reader = BufReader::new(stream);
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return Vec::new();
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':')
            && n.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    body
}

/// A server answering the i-th connection with `answers[i]` (status, body, delay); it stops
/// after the last answer.
struct Server {
    url: String,
    hits: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(answers: Vec<(u16, Vec<u8>, Duration)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let thread = std::thread::spawn(move || {
            for (status, body, delay) in answers {
                let Ok((mut s, _)) = listener.accept() else {
                    return;
                };
                h.fetch_add(1, Ordering::SeqCst);
                let req = read_request(&mut s);
                if !req.starts_with(b"Action=GetCallerIdentity&Version=2011-06-15") {
                    return; // not our client (the unblocking connect of Drop)
                }
                std::thread::sleep(delay);
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes());
                let _ = s.write_all(&body);
            }
        });
        Server {
            url,
            hits,
            thread: Some(thread),
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Unblock a pending accept, then wait for the thread.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn call(url: &str, transport: &Transport) -> Result<CallerIdentity, Error> {
    let ep = Endpoint::from_url(Service::Sts, url, "us-east-1").unwrap();
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let now = Timestamp::parse_amz_date("20260101T000000Z").unwrap();
    let signed = GetCallerIdentity.sign(&ep, &creds, now).unwrap();
    transport.call(&signed)
}

fn fast() -> Transport {
    Transport::builder()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

const NOW: Duration = Duration::ZERO;

#[test]
fn retries_5xx_and_throttling_then_succeeds() {
    let s = Server::start(vec![
        (503, b"<html>busy</html>".to_vec(), NOW),
        (400, error_body("Throttling").into_bytes(), NOW),
        (200, IDENTITY.as_bytes().to_vec(), NOW),
    ]);
    let id = call(&s.url, &fast()).unwrap();
    assert_eq!(id.account, "123456789012");
    assert_eq!(s.hits(), 3);
}

#[test]
fn refusal_is_not_retried_and_keeps_code_and_request_id() {
    let s = Server::start(vec![(
        403,
        error_body("InvalidClientTokenId").into_bytes(),
        NOW,
    )]);
    match call(&s.url, &fast()) {
        Err(Error::Aws(e)) => {
            assert_eq!(e.code, "InvalidClientTokenId");
            assert_eq!(e.request_id.as_deref(), Some("r-1"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.hits(), 1);
}

#[test]
fn persistent_5xx_is_an_endpoint_error_after_three_attempts() {
    let s = Server::start(vec![
        (500, error_body("InternalFailure").into_bytes(), NOW);
        3
    ]);
    match call(&s.url, &fast()) {
        Err(Error::Endpoint { endpoint, reason }) => {
            assert!(endpoint.starts_with(&s.url), "{endpoint}");
            assert!(reason.contains("InternalFailure"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.hits(), 3);
}

#[test]
fn garbled_answer_names_the_endpoint() {
    let s = Server::start(vec![(200, b"hello".to_vec(), NOW)]);
    match call(&s.url, &fast()) {
        Err(Error::Endpoint { endpoint, reason }) => {
            assert!(endpoint.starts_with(&s.url));
            assert!(reason.contains("not a valid AWS response"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn oversized_answer_is_refused() {
    let big = vec![b'x'; iamkit_aws::MAX_RESPONSE_BYTES + 10];
    let s = Server::start(vec![(200, big, NOW)]);
    let t = Transport::builder().max_attempts(1).build().unwrap();
    match call(&s.url, &t) {
        Err(Error::Endpoint { reason, .. }) => assert!(reason.contains("larger than"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn slow_answer_times_out() {
    let s = Server::start(vec![(
        200,
        IDENTITY.as_bytes().to_vec(),
        Duration::from_secs(3),
    )]);
    let t = Transport::builder()
        .max_attempts(1)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    match call(&s.url, &t) {
        Err(Error::Endpoint { reason, .. }) => assert!(reason.contains("timed out"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreachable_endpoint_is_an_endpoint_error() {
    // Bind then drop: nothing listens on that port any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    match call(&url, &fast()) {
        Err(Error::Endpoint { endpoint, reason }) => {
            assert!(endpoint.contains(&port.to_string()));
            assert!(reason.contains("after 3 attempts"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn builder_refuses_nonsense() {
    assert!(Transport::builder().max_attempts(0).build().is_err());
    assert!(
        Transport::builder()
            .timeout(Duration::ZERO)
            .build()
            .is_err()
    );
    assert!(
        Transport::builder()
            .backoff(Duration::from_secs(2), Duration::from_secs(1))
            .build()
            .is_err()
    );
}
