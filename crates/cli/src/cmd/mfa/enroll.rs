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

/// `iamkit mfa enroll`.
#[derive(Debug, Args)]
pub(crate) struct EnrollArgs {
    /// The name to store the device under.
    pub(crate) name: String,
    /// The profile whose credentials create and enable the device in IAM.
    #[arg(long, value_name = "P")]
    pub(crate) profile: String,
    /// The IAM user to enroll (default: the profile's own user).
    #[arg(long, value_name = "USER")]
    pub(crate) user: Option<String>,
    /// The device's name in IAM (default: NAME); its serial is arn:aws:iam::ACCOUNT:mfa/D.
    #[arg(long, value_name = "D")]
    pub(crate) device_name: Option<String>,
    /// Also draw the seed as a QR code on the terminal, for a phone to hold the same device.
    #[arg(long)]
    pub(crate) show_qr: bool,
}

/// `iamkit mfa unenroll`.
#[derive(Debug, Args)]
pub(crate) struct UnenrollArgs {
    /// The stored device.
    pub(crate) name: String,
    /// The profile whose credentials deactivate and delete the device in IAM.
    #[arg(long, value_name = "P")]
    pub(crate) profile: String,
    /// The IAM user the device is assigned to (default: the profile's own user).
    #[arg(long, value_name = "USER")]
    pub(crate) user: Option<String>,
}

pub(crate) fn enroll(args: &EnrollArgs, globals: &Globals) -> CliResult {
    iamkit_keystore::validate_name(&args.name)?;
    let device_name = args.device_name.as_deref().unwrap_or(&args.name);
    let device_name = MfaDeviceName::new(device_name).map_err(|e| {
        CliError::usage(format!(
            "{} {device_name:?} cannot name a device in IAM: {e}{}",
            if args.device_name.is_some() {
                "--device-name"
            } else {
                "NAME"
            },
            if args.device_name.is_some() {
                ""
            } else {
                " (pass --device-name D)"
            }
        ))
    })?;
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
    let iam = Iam::for_profile(store, &args.profile)?;
    let user = iam.user(args.user.as_deref())?;
    let user_name = user.name.as_str().to_owned();

    let have: ListMfaDevicesResponse = iam
        .try_call(
            &ListMfaDevices::new().user(user.name.clone()),
            "ListMFADevices",
        )
        .map_err(|e| refusal(e, &args.profile, &user_name, "list the MFA devices of"))?;
    if let Some(d) = have.devices.first() {
        return Err(CliError::check_failed(format!(
            "IAM user {user_name} already has an MFA device ({}): iamkit mfa unenroll it first (or enroll another --user)",
            d.serial_number
        )));
    }

    let created: CreateVirtualMfaDeviceResponse = iam
        .try_call(
            &CreateVirtualMfaDevice::new(device_name.clone()),
            "CreateVirtualMFADevice",
        )
        .map_err(|e| match e {
            Ok(a) if a.code == "EntityAlreadyExists" => CliError::check_failed(format!(
                "an MFA device named {} exists in IAM already (EntityAlreadyExists): choose another --device-name",
                device_name.as_str()
            )),
            other => refusal(other, &args.profile, &user_name, "create an MFA device for"),
        })?;
    let serial = created.serial_number.clone();

    // From here on, a failure undoes what was made; Ctrl-C during the wait for the second
    // code is such a failure, not an exit that would leave the IAM device behind.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let done = finish(&iam, store, args, &user, created);
    match done {
        Ok(()) => Out::line(&serial),
        Err(err) => {
            let _ = store.remove(RecordKind::Mfa, &args.name);
            let undo = MfaSerial::new(&serial).map_err(|_| ()).and_then(|s| {
                iam.call::<_, DeleteVirtualMfaDeviceResponse>(
                    &DeleteVirtualMfaDevice::new(s),
                    "DeleteVirtualMFADevice",
                )
                .map(|_| ())
                .map_err(|_| ())
            });
            let mut err = err;
            err.message = match undo {
                Ok(()) => format!(
                    "{} (the IAM device {serial} was deleted again)",
                    err.message
                ),
                Err(()) => format!(
                    "{} (and deleting the IAM device {serial} again failed: delete it with aws iam delete-virtual-mfa-device --serial-number {serial})",
                    err.message
                ),
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
    let serial = MfaSerial::new(&created.serial_number)
        .map_err(|e| CliError::endpoint(format!("CreateVirtualMFADevice: {e}")))?;
    let account = account_of(&created.serial_number)
        .or_else(|| user.arn.as_deref().and_then(account_of))
        .map(str::to_owned);
    let label = match &account {
        Some(a) => format!("{user_name}@{a}"),
        None => user_name.to_owned(),
    };
    let mut dev = MfaDevice::totp(label, created.seed.secret().to_vec());
    dev.issuer = Some(AWS_ISSUER.to_owned());
    dev.serial = Some(created.serial_number.clone());
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
    let bad = |_| CliError::usage("AWS MFA codes have 6 digits");
    let call = EnableMfaDevice::new(
        user.name.clone(),
        serial,
        TokenCode::new(&code1).map_err(bad)?,
        TokenCode::new(&code2).map_err(bad)?,
    );
    let _: EnableMfaDeviceResponse = iam
        .try_call(&call, "EnableMFADevice")
        .map_err(|e| match e {
            Ok(a) if a.code == "EntityAlreadyExists" || a.code == "LimitExceeded" => {
                CliError::check_failed(format!(
                    "IAM user {user_name} already has an MFA device ({}: {}): iamkit mfa unenroll it first",
                    a.code,
                    a.message.trim()
                ))
            }
            other => refusal(other, &args.profile, user_name, "enable an MFA device for"),
        })?;
    Ok(())
}

/// One clear line for an AWS refusal of `action`, else the usual mapping.
fn refusal(e: Result<AwsError, CliError>, profile: &str, user: &str, action: &str) -> CliError {
    match e {
        Ok(a) if a.code == "AccessDenied" || a.code == "AccessDeniedException" => {
            CliError::check_failed(format!(
                "profile {profile} may not {action} IAM user {user} (AccessDenied): it needs iam:CreateVirtualMFADevice, iam:EnableMFADevice, iam:ListMFADevices and iam:DeleteVirtualMFADevice"
            ))
        }
        Ok(a) if a.code == "NoSuchEntity" => CliError::check_failed(format!(
            "no IAM user {user} (NoSuchEntity: {})",
            a.message.trim()
        )),
        Ok(a) => iamkit_aws::Error::Aws(a).in_context(&action_name(action)),
        Err(e) => e,
    }
}

fn action_name(action: &str) -> &'static str {
    if action.starts_with("list") {
        "ListMFADevices"
    } else if action.starts_with("create") {
        "CreateVirtualMFADevice"
    } else {
        "EnableMFADevice"
    }
}

/// The device as an `otpauth://` QR code on the terminal (stdout).
fn draw_qr(dev: &MfaDevice) -> CliResult {
    let secret = iamkit_otp::insecure::secret_from_bytes(&dev.secret)
        .map_err(|e| CliError::usage(format!("the new seed is unusable: {e}")))?;
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
    let iam = Iam::for_profile(store, &args.profile)?;
    let user = iam.user(args.user.as_deref())?;
    let user_name = user.name.as_str().to_owned();
    // Not assigned (NoSuchEntity) is what a half-done earlier unenroll leaves: go on.
    match iam.try_call::<_, DeactivateMfaDeviceResponse>(
        &DeactivateMfaDevice::new(serial.clone()).user(user.name),
        "DeactivateMFADevice",
    ) {
        Ok(_) => {}
        Err(Ok(a)) if a.code == "NoSuchEntity" => {}
        Err(e) => {
            return Err(unenroll_refusal(e, &args.profile, &user_name, "deactivate"));
        }
    }
    match iam.try_call::<_, DeleteVirtualMfaDeviceResponse>(
        &DeleteVirtualMfaDevice::new(serial.clone()),
        "DeleteVirtualMFADevice",
    ) {
        Ok(_) => {}
        Err(Ok(a)) if a.code == "NoSuchEntity" => {}
        Err(e) => return Err(unenroll_refusal(e, &args.profile, &user_name, "delete")),
    }
    store.remove(RecordKind::Mfa, &args.name)?;
    Out::line(&format!(
        "unenrolled MFA device {} ({})",
        escape_text(&args.name),
        serial.as_str()
    ))
}

fn unenroll_refusal(
    e: Result<AwsError, CliError>,
    profile: &str,
    user: &str,
    what: &str,
) -> CliError {
    match e {
        Ok(a) if a.code == "AccessDenied" => CliError::check_failed(format!(
            "profile {profile} may not {what} the MFA device of IAM user {user} (AccessDenied); nothing was removed from the store"
        )),
        Ok(a) => iamkit_aws::Error::Aws(a).in_context(&if what == "delete" {
            "DeleteVirtualMFADevice"
        } else {
            "DeactivateMFADevice"
        }),
        Err(e) => e,
    }
}
