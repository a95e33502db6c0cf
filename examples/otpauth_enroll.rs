//! Enrolling a virtual MFA device on a server, as the AWS console does: generate a secret, show
//! the QR code, and enable the device only after the user types two consecutive codes.
//!
//! `cargo run -p iamkit-examples --example otpauth_enroll`
//!
//! Runs without a user: the "phone" is simulated by decoding the QR code's PNG back into the URI
//! and computing codes from it, and time passing is simulated by passing "now" explicitly.
// An example is a program: it shows its results on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use iamkit_otp::{Secret, Totp, Window};
use iamkit_otpauth::{OtpAuthUri, QrCode, qr};

/// The server side of one pending enrollment: the device is not usable until confirmed.
struct PendingDevice {
    uri: OtpAuthUri,
    totp: Totp,
}

#[derive(Debug, PartialEq)]
enum Enrollment {
    /// Both codes matched consecutive time steps: store the secret, enable MFA.
    Enabled { step: u64 },
    /// Deliberately one answer for every failure (wrong code, not consecutive, too old).
    Refused,
}

impl PendingDevice {
    /// Step 1: a fresh 160-bit secret from the OS RNG, and the enrollment URI for it.
    fn start(issuer: &str, account: &str) -> Result<Self, Box<dyn Error>> {
        let uri = OtpAuthUri::totp(Secret::generate()?, account)
            .issuer(issuer)
            .build()?;
        let totp = uri.to_totp()?;
        Ok(PendingDevice { uri, totp })
    }

    /// Step 3: the first code may be one step off (clock skew, typing time); the second must be
    /// the very next step. Two consecutive codes prove the device computes codes from this
    /// secret with a usable clock, not that someone guessed one code.
    fn confirm(&self, code1: &str, code2: &str, now: u64) -> Enrollment {
        let Ok(first) =
            self.totp
                .verify(code1, now, Window::symmetric(1).unwrap_or(Window::none()))
        else {
            return Enrollment::Refused;
        };
        let next_step_time = self.totp.t0() + (first.step + 1) * self.totp.period();
        match self.totp.verify(code2, next_step_time, Window::none()) {
            Ok(second) if second.step == first.step + 1 => {
                Enrollment::Enabled { step: second.step }
            }
            _ => Enrollment::Refused,
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();

    // --- server: start the enrollment and show the QR code ---------------------------------
    let pending = PendingDevice::start("Example Cloud", "alice@123456789012")?;
    let code = QrCode::new(&pending.uri.to_uri())?;
    println!("Scan this code with your authenticator app (it holds the secret: show it once):");
    print!("{}", code.to_terminal(false));
    let png = code.to_png()?; // what a web page would serve as <img>
    println!("(also served as a {}-byte PNG)", png.len());
    for w in pending.uri.warnings() {
        println!("warning: {w}");
    }

    // --- the user's phone: scan the PNG, parse the URI, compute two consecutive codes -------
    let scanned = qr::decode_image(&png)?;
    let phone = OtpAuthUri::parse(&scanned)?;
    println!(
        "phone added: {} ({})",
        phone.account(),
        phone.issuer().unwrap_or("no issuer")
    );
    let phone_totp = phone.to_totp()?;
    let code1 = phone_totp.generate(now);
    let code2 = phone_totp.generate(now + phone_totp.period()); // typed 30 s later

    // --- server: a careless attempt (the same code twice) is refused -----------------------
    // (unless the two steps' codes happen to collide, a one-in-a-million event)
    if code1.as_str() != code2.as_str() {
        let refused = pending.confirm(code1.as_str(), code1.as_str(), now + phone_totp.period());
        println!("same code twice: {refused:?}");
        assert_eq!(refused, Enrollment::Refused);
    }

    // --- server: two consecutive codes enable the device ------------------------------------
    let result = pending.confirm(code1.as_str(), code2.as_str(), now + phone_totp.period());
    println!("two consecutive codes: {result:?}");
    assert_eq!(
        result,
        Enrollment::Enabled {
            step: phone_totp.step_at(now) + 1
        }
    );
    println!("MFA enabled for {}", pending.uri.account());
    Ok(())
}
