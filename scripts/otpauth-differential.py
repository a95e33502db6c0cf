#!/usr/bin/env python3
"""Differential peer for crates/otpauth/tests/differential_pyotp.rs (one process, many cases).

Reads JSON lines on stdin, writes one JSON line per input line on stdout:
  {"op": "parse", "uri": "otpauth://..."}
      -> {"ok": true, "type": "totp"|"hotp"|"steam", "secret": ..., "name": ..., "issuer": ...,
          "digits": N, "digest": "sha1"|..., "interval": N|null, "initial_count": N|null}
         or {"ok": false, "error": "..."}  (pyotp.parse_uri refused it)
  {"op": "build", "type": "totp"|"hotp", "secret": BASE32, "name": ..., "issuer": ...|null,
   "digits": N, "algorithm": "sha1"|..., "period": N|null, "counter": N|null}
      -> {"ok": true, "uri": "otpauth://..."}  (pyotp's provisioning_uri)
"""
import hashlib
import json
import sys

import pyotp
from pyotp.contrib import Steam

DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def parse(uri):
    otp = pyotp.parse_uri(uri)
    if isinstance(otp, Steam):
        kind = "steam"
    elif isinstance(otp, pyotp.HOTP):
        kind = "hotp"
    else:
        kind = "totp"
    return {
        "ok": True,
        "type": kind,
        "secret": otp.secret,
        "name": otp.name,
        "issuer": otp.issuer,
        "digits": otp.digits,
        "digest": otp.digest().name,
        "interval": getattr(otp, "interval", None) if kind != "hotp" else None,
        "initial_count": otp.initial_count if kind == "hotp" else None,
    }


def build(case):
    digest = DIGESTS[case["algorithm"]]
    if case["type"] == "hotp":
        otp = pyotp.HOTP(case["secret"], digits=case["digits"], digest=digest,
                         name=case["name"], issuer=case["issuer"],
                         initial_count=case["counter"])
        uri = otp.provisioning_uri(initial_count=case["counter"])
    else:
        otp = pyotp.TOTP(case["secret"], digits=case["digits"], digest=digest,
                         name=case["name"], issuer=case["issuer"],
                         interval=case["period"])
        uri = otp.provisioning_uri()
    return {"ok": True, "uri": uri}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        case = json.loads(line)
        try:
            out = parse(case["uri"]) if case["op"] == "parse" else build(case)
        except Exception as e:  # a refusal is a result, reported to the Rust side
            out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
