//! Sign requests with iamkit-sigv4 and send them with `ureq` 3 to a local server this example
//! starts itself (std `TcpListener`), which verifies them with the same library.
//!
//! ```sh
//! cargo run -p iamkit-examples --example sigv4_client
//! ```
// An example is a program: it shows its results on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::SystemTime;

use iamkit_sigv4::{Credentials, Payload, Request, Signer, Timestamp, Verifier};

/// The verifying side: reads one request per connection, answers 200 or 403.
fn serve(listener: TcpListener, creds: Credentials, count: usize) -> std::io::Result<()> {
    let verifier = Verifier::s3("us-east-1").map_err(std::io::Error::other)?;
    for stream in listener.incoming().take(count) {
        let mut stream = stream?;
        let (method, target, headers, body) = read(&stream)?;
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let mut req = Request::new(&method, path, query).payload(Payload::Bytes(&body));
        for (n, v) in &headers {
            req.push_header(n, v);
        }
        let now = Timestamp::from_system_time(SystemTime::now()).map_err(std::io::Error::other)?;
        let (status, text) = match verifier.verify(&req, now, |akid| {
            (akid == creds.access_key_id()).then_some(&creds)
        }) {
            Ok(v) => (
                "200 OK",
                format!(
                    "verified {} ({})",
                    v.access_key_id(),
                    if v.is_presigned() {
                        "presigned"
                    } else {
                        "header"
                    }
                ),
            ),
            Err(e) => ("403 Forbidden", format!("rejected: {e}")),
        };
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        )?;
    }
    Ok(())
}

type Parsed = (String, String, Vec<(String, String)>, Vec<u8>);

fn read(stream: &TcpStream) -> std::io::Result<Parsed> {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut it = line.split_whitespace();
    let (method, target) = (
        it.next().unwrap_or("").to_owned(),
        it.next().unwrap_or("/").to_owned(),
    );
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim_end().is_empty() {
            break;
        }
        if let Some((n, v)) = h.trim_end().split_once(':') {
            headers.push((n.to_owned(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0usize)
        .min(1 << 20);
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok((method, target, headers, body))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server_creds = creds.clone();
    let server = std::thread::spawn(move || serve(listener, server_creds, 3));

    let signer = Signer::s3("us-east-1")?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    // 1. PUT with a signed body (x-amz-content-sha256 is added by the S3 rules).
    let url = format!("http://{addr}/examplebucket/photos/2026%20trip.txt");
    let body = b"hello from iamkit";
    let now = Timestamp::from_system_time(SystemTime::now())?;
    let req = Request::from_url("PUT", &url)?
        .header("content-type", "text/plain")
        .payload(Payload::Bytes(body));
    let out = signer.sign(&req, &creds, now)?;
    let mut put = agent.put(&url).header("content-type", "text/plain");
    for (name, value) in out.headers() {
        put = put.header(name, value);
    }
    let mut resp = put.send(&body[..])?;
    let put_status = resp.status().as_u16();
    let put_text = resp.body_mut().read_to_string()?;
    println!("PUT  {url} -> {put_status} {put_text}");

    // 2. A presigned GET URL.
    let get_url = format!("http://{addr}/examplebucket/photos/2026%20trip.txt?versionId=3");
    let presigned = signer.presign(&Request::from_url("GET", &get_url)?, &creds, now, 300)?;
    let url = presigned.into_url().ok_or("presigned URL")?;
    let mut resp = agent.get(&url).call()?;
    let get_status = resp.status().as_u16();
    let get_text = resp.body_mut().read_to_string()?;
    println!("GET  {url}\n     -> {get_status} {get_text}");

    // 3. The same PUT with another body: the server refuses it.
    let mut put = agent
        .put(&format!(
            "http://{addr}/examplebucket/photos/2026%20trip.txt"
        ))
        .header("content-type", "text/plain");
    for (name, value) in out.headers() {
        put = put.header(name, value);
    }
    let mut resp = put.send(&b"tampered body...."[..])?;
    let tampered_status = resp.status().as_u16();
    let tampered_text = resp.body_mut().read_to_string()?;
    println!("PUT (tampered) -> {tampered_status} {tampered_text}");

    server.join().map_err(|_| "server thread panicked")??;

    // What this example shows, checked (CI runs it): the signed PUT and the presigned GET are
    // accepted, the tampered body is refused for its payload hash.
    let statuses = [put_status, get_status, tampered_status];
    if statuses != [200, 200, 403] {
        return Err(format!("statuses {statuses:?}, expected [200, 200, 403]").into());
    }
    let expected = [
        (put_text.as_str(), "verified AKIAIOSFODNN7EXAMPLE (header)"),
        (
            get_text.as_str(),
            "verified AKIAIOSFODNN7EXAMPLE (presigned)",
        ),
    ];
    for (got, want) in expected {
        if got != want {
            return Err(format!("server said {got:?}, expected {want:?}").into());
        }
    }
    if !tampered_text.starts_with("rejected: ") || !tampered_text.contains("payload") {
        return Err(
            format!("tampered PUT: {tampered_text:?}, expected a payload hash refusal").into(),
        );
    }
    Ok(())
}
