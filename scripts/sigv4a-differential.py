#!/usr/bin/env python3
"""SigV4a peer for the iamkit-sigv4 differential test (awscrt through botocore, and `cryptography`).

Reads one JSON case per line on stdin, writes one JSON line per case on stdout.

A case: {"id", "method", "url" (wire form), "headers": [[name, value], ...], "body_hex",
"service", "region_set", "s3": bool, "presign": bool, "expires", "akid", "secret",
"token" (or null), "time": "yyyymmddThhmmssZ", "ours": {"string_to_sign", "signature"}}.

Answer: {"id", "url", "headers": [[name, value], ...]} (the request as awscrt signed it through
botocore's CrtSigV4AsymAuth / CrtS3SigV4AsymAuth / CrtSigV4AsymQueryAuth /
CrtS3SigV4AsymQueryAuth) and "ours_ok": whether iamkit's signature verifies over iamkit's string
to sign with `cryptography` under the public key derived here from the credentials (the KDF
written from the SigV4a description, not taken from iamkit), or {"id", "error"}.
"""
import datetime
import json
import sys

import botocore.auth  # noqa: F401  (registers the CRT signers; must come first)
import botocore.crt.auth as crt_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from sigv4a_kdf import public_key

_now = [None]
crt_auth.get_current_datetime = lambda *a, **k: _now[0]


def sign(case):
    _now[0] = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc
    )
    creds = Credentials(case["akid"], case["secret"], case.get("token"))
    body = bytes.fromhex(case["body_hex"])
    req = AWSRequest(method=case["method"], url=case["url"], data=body)
    for name, value in case["headers"]:
        req.headers[name] = value
    if case["presign"]:
        cls = crt_auth.CrtS3SigV4AsymQueryAuth if case["s3"] else crt_auth.CrtSigV4AsymQueryAuth
        signer = cls(creds, case["service"], case["region_set"], expires=case["expires"])
    else:
        cls = crt_auth.CrtS3SigV4AsymAuth if case["s3"] else crt_auth.CrtSigV4AsymAuth
        signer = cls(creds, case["service"], case["region_set"])
    signer.add_auth(req)
    ours = case["ours"]
    try:
        public_key(case["akid"], case["secret"]).verify(
            bytes.fromhex(ours["signature"]),
            ours["string_to_sign"].encode(),
            ec.ECDSA(hashes.SHA256()),
        )
        ours_ok = True
    except InvalidSignature:
        ours_ok = False
    return {
        "id": case["id"],
        "url": req.url,
        "headers": [[k, v] for k, v in req.headers.items()],
        "ours_ok": ours_ok,
    }


def main():
    for line in sys.stdin:
        case = json.loads(line)
        try:
            out = sign(case)
        except Exception as e:  # reported per case, the test shows it
            out = {"id": case.get("id"), "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
