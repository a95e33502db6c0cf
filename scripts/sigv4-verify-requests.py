#!/usr/bin/env python3
"""Random requests signed by botocore, as raw HTTP/1.1, for the `iamkit verify` differential test.

Usage: sigv4-verify-requests.py COUNT SEED. Writes one JSON line per request:
{"raw_b64", "akid", "secret", "token" (or null), "time", "s3", "presign", "body_signed",
"valid"}: `valid` is false only for an unsigned payload outside S3, which iamkit refuses by
default. Header form (SigV4Auth / S3SigV4Auth) and presigned (SigV4QueryAuth /
S3SigV4QueryAuth); the time is fixed by replacing botocore.auth.get_current_datetime.
"""
import base64
import datetime
import json
import random
import sys
from urllib.parse import quote, urlsplit

import botocore
import botocore.auth as auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_now = [None]
auth.get_current_datetime = lambda *a, **k: _now[0]

SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"


class _S3Config:
    def __init__(self, sign):
        self.s3 = {"payload_signing_enabled": sign}


def word(rng, n=8, extra=""):
    return "".join(rng.choice(SAFE + extra) for _ in range(rng.randint(1, n)))


def case(rng, i):
    s3 = rng.random() < 0.5
    presign = rng.random() < 0.4
    service = "s3" if s3 else rng.choice(["service", "execute-api", "sts", "iam"])
    region = rng.choice(["us-east-1", "eu-west-3", "ap-south-1"])
    method = rng.choice(["GET", "PUT", "POST", "DELETE", "HEAD"])
    host = ("bucket-%d.s3.amazonaws.com" % i) if s3 else "example.amazonaws.com"
    path = "/" + "/".join(quote(word(rng, 6, " /"), safe="") for _ in range(rng.randint(0, 3)))
    query = "&".join(
        "%s=%s" % (quote(word(rng, 5, " +&="), safe=""), quote(word(rng, 6, " /+"), safe=""))
        for _ in range(rng.randint(0, 3))
    )
    url = "https://%s%s%s" % (host, path, "?" + query if query else "")
    # Presigning moves a form body into the query (botocore): presigned requests have none.
    body = b"" if presign else bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 0, 5, 40])))
    token = word(rng, 40) if rng.random() < 0.4 else None
    unsigned = (not presign) and rng.random() < 0.25
    time = datetime.datetime(2015 + rng.randint(0, 10), rng.randint(1, 12), rng.randint(1, 28),
                             rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    _now[0] = time
    akid = "AKID" + word(rng, 12).upper().replace("-", "").replace(".", "").replace("~", "").replace("_", "")
    secret = word(rng, 40, "/+")
    creds = Credentials(akid, secret, token)
    req = AWSRequest(method=method, url=url, data=body)
    for _ in range(rng.randint(0, 3)):
        name = rng.choice(["x-amz-meta-" + word(rng, 5).lower(), "content-type", "x-custom"])
        req.headers[name] = word(rng, 10, " ")
    if presign:
        cls = auth.S3SigV4QueryAuth if s3 else auth.SigV4QueryAuth
        signer = cls(creds, service, region, expires=rng.randint(60, 3600))
    else:
        cls = auth.S3SigV4Auth if s3 else auth.SigV4Auth
        signer = cls(creds, service, region)
        if s3:
            req.context["client_config"] = _S3Config(not unsigned)
        elif unsigned:
            req.context["payload_signing_enabled"] = False
    signer.add_auth(req)
    parts = urlsplit(req.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: %s" % parts.netloc]
    for name, value in req.headers.items():
        lines.append("%s: %s" % (name, value))
    if body:
        lines.append("Content-Length: %d" % len(body))
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    body_signed = not unsigned and not (s3 and presign)
    return {
        "raw_b64": base64.b64encode(raw).decode(),
        "akid": akid,
        "secret": secret,
        "token": token,
        "time": time.strftime("%Y%m%dT%H%M%SZ"),
        "s3": s3,
        "presign": presign,
        "body_signed": body_signed,
        "valid": s3 or not unsigned,
    }


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    print(f"iamkit verify differential: botocore {botocore.__version__}, seed {seed}", file=sys.stderr)
    rng = random.Random(seed)
    for i in range(count):
        sys.stdout.write(json.dumps(case(rng, i)) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
