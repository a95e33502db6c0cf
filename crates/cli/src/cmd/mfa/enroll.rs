//! `iamkit mfa enroll` / `mfa unenroll`: a virtual MFA device created in IAM, its seed stored
//! with its serial, enabled with two consecutive codes; and taken down again.
//!
//! Enroll: the name is checked free in the store and the user checked to have no MFA device
//! before anything is created; after `CreateVirtualMFADevice` every failure deletes the IAM
//! device again and removes the local one, so nothing half-made remains.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use iamkit_aws::{
    AwsError, CreateVirtualMfaDevice, CreateVirtualMfaDeviceResponse, DeactivateMfaDevice,
    DeactivateMfaDeviceResponse, DeleteVirtualMfaDevice, DeleteVirtualMfaDeviceResponse,
    EnableMfaDevice, EnableMfaDeviceResponse, ListMfaDevices, ListMfaDevicesResponse,
    MfaDeviceName, MfaSerial, TokenCode,
};
use iamkit_keystore::{Error as StoreError, MfaDevice, Overwrite, RecordKind, Store};
use iamkit_otpauth::{OtpAuthUri, QrCode};
use zeroize::Zeroizing;

use crate::Globals;
use crate::cmd::creds::iam::{Iam, account_of};
use iamkit_otp::Generator;

use crate::error::{CliError, CliResult, Context, InContext};
use crate::io::{Out, escape_text};
use crate::storeopen;

/// Set by Ctrl-C while an enrollment is under way.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The issuer AWS's own QR codes name.
const AWS_ISSUER: &str = "Amazon Web Services";

// Whose IAM user an enrollment concerns, and with which credentials (`mfa enroll`, `mfa
// unenroll`).
#[derive(Debug, Args)]
pub(crate) struct IamUserArgs {
    /// The stored profile whose credentials make the IAM calls.
    #[arg(long, value_name = "P")]
    pub(crate) profile: String,
    /// The IAM user whose MFA device this is (default: the profile's own user).
    #[arg(long, value_name = "USER")]
    pub(crate) user: Option<String>,
}

// `iamkit mfa enroll`.
#[derive(Debug, Args)]
pub(crate) struct EnrollArgs {
    /// The name to store the device under.
    pub(crate) name: String,
    #[command(flatten)]
    pub(crate) iam: IamUserArgs,
    /// The device's name in IAM (default: NAME); its serial is arn:aws:iam::ACCOUNT:mfa/D.
    #[arg(long, value_name = "D")]
    pub(crate) device_name: Option<String>,
    /// Also draw the seed as a QR code on the terminal, for a phone to hold the same device.
    #[arg(long)]
    pub(crate) show_qr: bool,
}

// `iamkit mfa unenroll`.
#[derive(Debug, Args)]
pub(crate) struct UnenrollArgs {
    /// The stored device.
    pub(crate) name: String,
    #[command(flatten)]
    pub(crate) iam: IamUserArgs,
}

pub(crate) fn enroll(args: &EnrollArgs, globals: &Globals) -> CliResult {
    iamkit_keystore::validate_name(&args.name)?;
    let device_name = args.device_name.as_deref().unwrap_or(&args.name);
    let named = MfaDeviceName::new(device_name);
    let device_name = if args.device_name.is_some() {
        named.context(format_args!(
            "--device-name {device_name:?} cannot name a device in IAM"
        ))?
    } else {
        named
            .context(format_args!(
                "NAME {device_name:?} cannot name a device in IAM"
            ))
            .hint("pass --device-name D")?
    };
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    match store.get_mfa(&args.name) {
        Ok(_) => {
            return Err(CliError::usage(format!(
                "an MFA device named {} is stored already: choose another NAME (or iamkit mfa remove it)",
                escape_text(&args.name)
            )));
        }
        Err(StoreError::NotFound { .. }) => {}
        Err(e) => return Err(CliError::from(e)),
    }
    let iam = Iam::for_profile(store, &args.iam.profile)?;
    let user = iam.user(args.iam.user.as_deref())?;
    let user_name = user.name.as_str().to_owned();

    let listed = iam.call_or_refusal(
        &ListMfaDevices::new().user(user.name.clone()),
        "ListMFADevices",
    )?;
    let have: ListMfaDevicesResponse = match listed {
        Ok(r) => r,
        Err(a) => return Err(refusal(a, &args.iam.profile, &user_name, "ListMFADevices")),
    };
    if let Some(d) = have.devices.first() {
        return Err(CliError::check_failed(format!(
            "IAM user {user_name} already has an MFA device ({}): iamkit mfa unenroll it first (or enroll another --user)",
            d.serial_number.as_str()
        )));
    }

    let created = iam.call_or_refusal(
        &CreateVirtualMfaDevice::new(device_name.clone()),
        "CreateVirtualMFADevice",
    )?;
    let created: CreateVirtualMfaDeviceResponse = match created {
        Ok(r) => r,
        Err(a) if a.code == "EntityAlreadyExists" => {
            return Err(CliError::check_failed(format!(
                "an MFA device named {} exists in IAM already (EntityAlreadyExists): choose another --device-name",
                device_name.as_str()
            )));
        }
        Err(a) => {
            return Err(refusal(
                a,
                &args.iam.profile,
                &user_name,
                "CreateVirtualMFADevice",
            ));
        }
    };
    let serial = created.serial_number.clone();

    // From here on, a failure undoes what was made; Ctrl-C during the wait for the second
    // code is such a failure, not an exit that would leave the IAM device behind.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let done = finish(&iam, store, args, &user, created);
    match done {
        Ok(()) => Out::line(serial.as_str()),
        Err(mut err) => {
            let _ = store.remove(RecordKind::Mfa, &args.name);
            let undone = iam
                .call::<_, DeleteVirtualMfaDeviceResponse>(
                    &DeleteVirtualMfaDevice::new(serial.clone()),
                    "DeleteVirtualMFADevice",
                )
                .is_ok();
            let serial = serial.as_str();
            err.message = if undone {
                format!(
                    "{} (the IAM device {serial} was deleted again)",
                    err.message
                )
            } else {
                format!(
                    "{} (and deleting the IAM device {serial} again failed: delete it with aws iam delete-virtual-mfa-device --serial-number {serial})",
                    err.message
                )
            };
            Err(err)
        }
    }
}

/// Stores the seed, enables the device with two consecutive codes.
fn finish(
    iam: &Iam,
    store: &dyn Store,
    args: &EnrollArgs,
    user: &crate::cmd::creds::iam::GetUserOrName,
    created: CreateVirtualMfaDeviceResponse,
) -> CliResult {
    let user_name = user.name.as_str();
    let serial = created.serial_number.clone();
    let account = account_of(serial.as_str())
        .or_else(|| user.arn.as_deref().and_then(account_of))
        .map(str::to_owned);
    let label = match &account {
        Some(a) => format!("{user_name}@{a}"),
        None => user_name.to_owned(),
    };
    let mut dev = MfaDevice::totp(label, created.seed.secret().to_vec());
    dev.issuer = Some(AWS_ISSUER.to_owned());
    dev.serial = Some(serial.as_str().to_owned());
    drop(created);
    store.put_mfa(&args.name, &dev, Overwrite::Refuse)?;
    if args.show_qr {
        draw_qr(&dev)?;
    }
    let Generator::Totp(totp) = crate::cmd::mfa::generator(&dev)? else {
        return Err(CliError::usage("the new device is not time-based"));
    };
    // Two consecutive codes: this step's, then the next step's once it has begun (AWS refuses
    // two codes of one step, the failure aws-vault users meet every rotation).
    let t1 = crate::watch::now_unix()?;
    let step1 = totp.step_at(t1);
    let code1 = Zeroizing::new(totp.generate(t1).as_str().to_owned());
    let wait = totp.remaining_seconds(t1);
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!("iamkit: waiting {wait} s for the next code to enable the device");
    }
    let t2 = loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(CliError::usage(
                "interrupted while waiting for the second code",
            ));
        }
        let now = crate::watch::now_unix()?;
        if totp.step_at(now) > step1 {
            break now;
        }
        let left = totp.remaining_seconds(now).max(1);
        std::thread::sleep(Duration::from_millis(left.saturating_mul(1000).min(1000)));
    };
    let code2 = Zeroizing::new(totp.generate(t2).as_str().to_owned());
    // Both codes are spent: sessions and `mfa code --fresh` never send them again.
    store.set_last_printed_step(&args.name, totp.step_at(t2))?;
    let six_digits = "AWS MFA codes have 6 digits";
    let call = EnableMfaDevice::new(
        user.name.clone(),
        serial,
        TokenCode::new(&code1).or_usage(six_digits)?,
        TokenCode::new(&code2).or_usage(six_digits)?,
    );
    match iam.call_or_refusal::<_, EnableMfaDeviceResponse>(&call, "EnableMFADevice")? {
        Ok(_) => Ok(()),
        Err(a) if a.code == "EntityAlreadyExists" || a.code == "LimitExceeded" => {
            Err(CliError::check_failed(format!(
                "IAM user {user_name} already has an MFA device ({}: {}): iamkit mfa unenroll it first",
                a.code,
                a.message.trim()
            )))
        }
        Err(a) => Err(refusal(a, &args.iam.profile, user_name, "EnableMFADevice")),
    }
}

/// One clear line for AWS's refusal of `action` (an IAM action name), else the usual mapping.
fn refusal(a: AwsError, profile: &str, user: &str, action: &str) -> CliError {
    match a.code.as_str() {
        "AccessDenied" | "AccessDeniedException" => {
            let doing = match action {
                "ListMFADevices" => "list the MFA devices of",
                "CreateVirtualMFADevice" => "create an MFA device for",
                _ => "enable an MFA device for",
            };
            CliError::check_failed(format!(
                "profile {profile} may not {doing} IAM user {user} (AccessDenied): it needs iam:CreateVirtualMFADevice, iam:EnableMFADevice, iam:ListMFADevices and iam:DeleteVirtualMFADevice"
            ))
        }
        "NoSuchEntity" => CliError::check_failed(format!(
            "no IAM user {user} (NoSuchEntity: {})",
            a.message.trim()
        )),
        _ => iamkit_aws::Error::Aws(a).in_context(&action),
    }
}

/// The device as an `otpauth://` QR code on the terminal (stdout).
fn draw_qr(dev: &MfaDevice) -> CliResult {
    let secret =
        iamkit_otp::insecure::secret_from_bytes(&dev.secret).context("the new seed is unusable")?;
    let uri = OtpAuthUri::totp(secret, dev.account.clone())
        .issuer(AWS_ISSUER.to_owned())
        .build()?;
    let text = Zeroizing::new(uri.to_uri());
    let qr = QrCode::new(&text)?;
    let drawing = Zeroizing::new(qr.to_terminal(false));
    Out::bytes(drawing.as_bytes())
}

pub(crate) fn unenroll(args: &UnenrollArgs, globals: &Globals) -> CliResult {
    let opened = storeopen::open(globals)?;
    let store = opened.store.as_ref();
    let dev = store.get_mfa(&args.name)?;
    let Some(serial) = dev.serial.clone() else {
        return Err(CliError::usage(format!(
            "MFA device {} has no serial: it was not enrolled in IAM by iamkit (expected iamkit mfa add {} --serial ARN --force first, or iamkit mfa remove it)",
            escape_text(&args.name),
            escape_text(&args.name)
        )));
    };
    drop(dev);
    let serial = MfaSerial::new(&serial).stored_context("the stored serial")?;
    let iam = Iam::for_profile(store, &args.iam.profile)?;
    let user = iam.user(args.iam.user.as_deref())?;
    let user_name = user.name.as_str().to_owned();
    // Not assigned (NoSuchEntity) is what a half-done earlier unenroll leaves: go on.
    let step = |answer: Result<(), AwsError>, action| {
        unenroll_step(answer, &args.iam.profile, &user_name, action)
    };
    let deactivated = iam.call_or_refusal::<_, DeactivateMfaDeviceResponse>(
        &DeactivateMfaDevice::new(serial.clone()).user(user.name),
        "DeactivateMFADevice",
    )?;
    step(deactivated.map(drop), "DeactivateMFADevice")?;
    let deleted = iam.call_or_refusal::<_, DeleteVirtualMfaDeviceResponse>(
        &DeleteVirtualMfaDevice::new(serial.clone()),
        "DeleteVirtualMFADevice",
    )?;
    step(deleted.map(drop), "DeleteVirtualMFADevice")?;
    store.remove(RecordKind::Mfa, &args.name)?;
    Out::line(&format!(
        "unenrolled MFA device {} ({})",
        escape_text(&args.name),
        serial.as_str()
    ))
}

/// One step of `unenroll` (an IAM action): done, or not needed (`NoSuchEntity`: what a half-done
/// earlier unenroll leaves), or AWS's refusal in one clear line, else the usual mapping.
fn unenroll_step(
    answer: Result<(), AwsError>,
    profile: &str,
    user: &str,
    action: &str,
) -> CliResult {
    let a = match answer {
        Ok(()) => return Ok(()),
        Err(a) if a.code == "NoSuchEntity" => return Ok(()),
        Err(a) => a,
    };
    Err(if a.code == "AccessDenied" {
        let doing = if action == "DeleteVirtualMFADevice" {
            "delete"
        } else {
            "deactivate"
        };
        CliError::check_failed(format!(
            "profile {profile} may not {doing} the MFA device of IAM user {user} (AccessDenied); nothing was removed from the store"
        ))
    } else {
        iamkit_aws::Error::Aws(a).in_context(&action)
    })
}
