//! Endpoint resolution against botocore's own: for every region of a table, with
//! `AWS_STS_REGIONAL_ENDPOINTS` unset, `regional` and `legacy`, with and without
//! `AWS_USE_FIPS_ENDPOINT=true` and a configured `AWS_ENDPOINT_URL_STS`, botocore (the Python
//! of the peers, `IAMKIT_PYTHON`) signs a `GetCallerIdentity` and reports the URL it would send
//! to and the region in its credential scope; `Endpoint::resolve` must give the same two.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use iamkit_aws::{Endpoint, LEGACY_GLOBAL_STS_REGIONS, Service};

/// Reads one JSON case per line (`{"region": …, "env": {…}}`) and prints, per case, botocore's
/// URL and credential-scope region as `URL REGION`, or `error NAME` when botocore refuses.
const SCRIPT: &str = r#"
import json, os, sys
import botocore.session

class Sent(Exception):
    pass

def grab(request, **kwargs):
    auth = request.headers["Authorization"]
    if isinstance(auth, bytes):
        auth = auth.decode()
    raise Sent(request.url + " " + auth.split("Credential=")[1].split("/")[2])

base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
# One session (its loader keeps the service model); it reads the environment anew for each
# client it creates.
session = botocore.session.get_session()
for line in sys.stdin:
    case = json.loads(line)
    os.environ.clear()
    os.environ.update(base)
    os.environ.update(case["env"])
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    try:
        client = session.create_client(
            "sts", region_name=case["region"],
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret")
        client.meta.events.register("before-send", grab)
        client.get_caller_identity()
        print("error no-request")
    except Sent as e:
        print(str(e))
    except Exception as e:
        print("error " + type(e).__name__)
    sys.stdout.flush()
"#;

#[test]
fn sts_endpoints_agree_with_botocore() {
    let Some(py) = iamkit_testkit::python_with(&["botocore"]) else {
        return;
    };
    let mut regions: Vec<&str> = LEGACY_GLOBAL_STS_REGIONS.to_vec();
    regions.extend([
        "ap-east-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-2",
        "ca-west-1",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-east-1",
        "us-gov-west-1",
    ]);
    let mut cases: Vec<(String, HashMap<&str, &str>)> = Vec::new();
    // Every region unset and legacy; a few through every combination (botocore builds a
    // client per case, slowly: keep the table small).
    let every = [
        "us-east-1",
        "aws-global",
        "ap-east-1",
        "us-gov-west-1",
        "cn-north-1",
    ];
    for region in &regions {
        let all = every.contains(region);
        for mode in [None, Some("regional"), Some("legacy")] {
            for fips in [false, true] {
                for custom in [false, true] {
                    if !all && (fips || custom || mode == Some("regional")) {
                        continue;
                    }
                    // botocore's aws-global with FIPS names a host that does not exist
                    // (sts-fips.aws-global.amazonaws.com): iamkit uses us-east-1's FIPS host.
                    if *region == "aws-global" && fips && !custom {
                        continue;
                    }
                    let mut env = HashMap::new();
                    if let Some(m) = mode {
                        env.insert("AWS_STS_REGIONAL_ENDPOINTS", m);
                    }
                    if fips {
                        env.insert("AWS_USE_FIPS_ENDPOINT", "true");
                    }
                    if custom {
                        env.insert("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
                    }
                    cases.push(((*region).to_owned(), env));
                }
            }
        }
    }
    let input: String = cases
        .iter()
        .map(|(region, env)| serde_line(region, env))
        .collect();
    let mut child = Command::new(&py)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the botocore script failed");
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), cases.len(), "one answer per case");
    let mut legacy_global = 0;
    for ((region, env), theirs) in cases.iter().zip(&lines) {
        let ours = match Endpoint::resolve(Service::Sts, Some(region), |k| {
            env.get(k).map(|v| (*v).to_owned())
        }) {
            Ok(ep) => format!("{} {}", ep.url(), ep.signing_region()),
            Err(e) => format!("error {e}"),
        };
        assert_eq!(&ours, theirs, "region {region}, environment {env:?}");
        if ours.starts_with("https://sts.amazonaws.com/") && region != "aws-global" {
            legacy_global += 1;
        }
    }
    // The legacy rows really went global (not a table of regional answers only).
    assert_eq!(legacy_global, LEGACY_GLOBAL_STS_REGIONS.len() - 1);
}

/// One JSON line for the script (regions and these values need no escaping).
fn serde_line(region: &str, env: &HashMap<&str, &str>) -> String {
    let pairs: Vec<String> = env
        .iter()
        .map(|(k, v)| format!("\"{k}\":\"{v}\""))
        .collect();
    format!(
        "{{\"region\":\"{region}\",\"env\":{{{}}}}}\n",
        pairs.join(",")
    )
}
