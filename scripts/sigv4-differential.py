#!/usr/bin/env python3
"""Sign requests with botocore, for the iamkit-sigv4 differential test.

Reads one JSON case per line on stdin, writes one JSON line per case on stdout:
{"id": ..., "canonical_request": ..., "signature": ...} or {"id": ..., "error": ...}.

A case: {"id", "method", "url" (wire form), "headers": [[name, value], ...], "body_hex",
"service", "region", "s3": bool, "presign": bool, "expires", "akid", "secret", "token" (or null),
"unsigned": bool, "content_sha256": bool, "time": "yyyymmddThhmmssZ"}.

Signers: SigV4Auth / S3SigV4Auth (header) and SigV4QueryAuth / S3SigV4QueryAuth (presigned).
The time is fixed by replacing botocore.auth.get_current_datetime, as botocore's tests patch it.
"""
import datetime
import hashlib
import json
import sys

import botocore
import botocore.auth as auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_now = [None]
auth.get_current_datetime = lambda *a, **k: _now[0]


class _S3Config:
    def __init__(self, sign):
        self.s3 = {"payload_signing_enabled": sign}


def _capturing(cls):
    class Capturing(cls):
        def string_to_sign(self, request, canonical_request):
            self.captured_cr = canonical_request
            return super().string_to_sign(request, canonical_request)

        def signature(self, string_to_sign, request):
            sig = super().signature(string_to_sign, request)
            self.captured_sig = sig
            return sig

    return Capturing


CLASSES = {
    (False, False): _capturing(auth.SigV4Auth),
    (True, False): _capturing(auth.S3SigV4Auth),
    (False, True): _capturing(auth.SigV4QueryAuth),
    (True, True): _capturing(auth.S3SigV4QueryAuth),
}


def sign(case):
    _now[0] = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
    creds = Credentials(case["akid"], case["secret"], case.get("token"))
    body = bytes.fromhex(case["body_hex"])
    req = AWSRequest(method=case["method"], url=case["url"], data=body)
    for name, value in case["headers"]:
        req.headers[name] = value  # email.message semantics: appends, so repeats are kept
    s3, presign = case["s3"], case["presign"]
    cls = CLASSES[(s3, presign)]
    if presign:
        signer = cls(creds, case["service"], case["region"], expires=case["expires"])
    else:
        signer = cls(creds, case["service"], case["region"])
        if s3:
            req.context["client_config"] = _S3Config(not case["unsigned"])
        elif case["unsigned"]:
            # botocore then sends and signs x-amz-content-sha256: UNSIGNED-PAYLOAD.
            req.context["payload_signing_enabled"] = False
        elif case["content_sha256"]:
            req.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    signer.add_auth(req)
    out = {"id": case["id"], "canonical_request": signer.captured_cr, "signature": signer.captured_sig}
    if presign:
        out["url"] = req.url
    return out


def main():
    print(f"sigv4 differential: botocore {botocore.__version__}, python {sys.version.split()[0]}", file=sys.stderr)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        case = json.loads(line)
        try:
            out = sign(case)
        except Exception as e:  # reported per case, the Rust side fails on it
            out = {"id": case.get("id"), "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
