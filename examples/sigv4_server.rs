//! A small HTTP server that verifies SigV4 requests with iamkit-sigv4 (std only: a
//! `TcpListener` and a minimal HTTP/1.1 reader; one request per connection).
//!
//! ```sh
//! cargo run -p iamkit-examples --example sigv4_server              # serve on 127.0.0.1:8080
//! cargo run -p iamkit-examples --example sigv4_server -- --self-test   # sign, send, check, exit
//! ```
//!
//! It knows one key pair (AKIDEXAMPLE / the suite's example secret), region `us-east-1`, service
//! `service`; it answers 200 with the access key ID, or 403 with what is wrong.
// An example is a program: it shows its results on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::SystemTime;

use iamkit_sigv4::{Credentials, Payload, Request, Signer, Timestamp, Verifier};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A received HTTP request: method, target, headers, body.
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn read_request(stream: &TcpStream) -> std::io::Result<Received> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((n, v)) = h.trim_end_matches(['\r', '\n']).split_once(':') {
            headers.push((n.to_owned(), v.trim().to_owned()));
        }
        if headers.len() > 100 {
            break;
        }
    }
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Received {
        method,
        target,
        headers,
        body,
    })
}

/// Verifies one request; `Ok(access key ID)` or `Err(reason)`.
fn verify(
    verifier: &Verifier,
    creds: &Credentials,
    r: &Received,
    now: Timestamp,
) -> Result<String, String> {
    let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
    let mut req = Request::new(&r.method, path, query).payload(Payload::Bytes(&r.body));
    for (n, v) in &r.headers {
        req.push_header(n, v);
    }
    verifier
        .verify(&req, now, |akid| {
            (akid == creds.access_key_id()).then_some(creds)
        })
        .map(|v| v.access_key_id().to_owned())
        .map_err(|e| e.to_string())
}

fn handle(verifier: &Verifier, creds: &Credentials, mut stream: TcpStream) -> std::io::Result<()> {
    let r = read_request(&stream)?;
    let now = Timestamp::from_system_time(SystemTime::now()).map_err(std::io::Error::other)?;
    let (status, text) = match verify(verifier, creds, &r, now) {
        Ok(akid) => ("200 OK", format!("verified: {akid}\n")),
        Err(e) => ("403 Forbidden", format!("rejected: {e}\n")),
    };
    println!("{} {} -> {status}", r.method, r.target);
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )
}

/// Sends raw bytes and returns the status line.
fn send(addr: &str, raw: &[u8]) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.write_all(raw)?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    Ok(resp.lines().next().unwrap_or("").to_owned())
}

fn self_test(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    let creds = Credentials::new(AKID, SECRET);
    let now = Timestamp::from_system_time(SystemTime::now())?;
    let url = format!("http://{addr}/reports/2026?year=2026&kind=summary");
    let body = b"{\"hello\":\"world\"}";
    let req = Request::from_url("POST", &url)?
        .header("content-type", "application/json")
        .payload(Payload::Bytes(body));
    let out = Signer::new("us-east-1", "service")?.sign(&req, &creds, now)?;
    let mut raw = format!(
        "POST /reports/2026?year=2026&kind=summary HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n"
    );
    for (n, v) in out.headers() {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    raw.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut good = raw.clone().into_bytes();
    good.extend_from_slice(body);
    let mut bad = raw.into_bytes();
    bad.extend_from_slice(b"{\"hello\":\"WORLD\"}");
    let ok = send(addr, &good)?;
    let tampered = send(addr, &bad)?;
    println!("signed request: {ok}\ntampered body:  {tampered}");
    if !ok.contains("200") || !tampered.contains("403") {
        return Err("self-test failed".into());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let test = std::env::args().any(|a| a == "--self-test");
    let listener = TcpListener::bind(if test {
        "127.0.0.1:0"
    } else {
        "127.0.0.1:8080"
    })?;
    let addr = listener.local_addr()?.to_string();
    let verifier = Verifier::new("us-east-1", "service")?;
    let creds = Credentials::new(AKID, SECRET);
    if test {
        let client = std::thread::spawn(move || self_test(&addr).map_err(|e| e.to_string()));
        for stream in listener.incoming().take(2) {
            handle(&verifier, &creds, stream?)?;
        }
        return client
            .join()
            .map_err(|_| "client thread panicked")?
            .map_err(Into::into);
    }
    println!("verifying SigV4 requests on http://{addr} (key {AKID}, us-east-1, service)");
    for stream in listener.incoming() {
        if let Err(e) = handle(&verifier, &creds, stream?) {
            eprintln!("connection error: {e}");
        }
    }
    Ok(())
}
