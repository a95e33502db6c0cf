#!/usr/bin/env python3
"""SigV4a aws-chunked peer for iamkit-sigv4's tests/v4a_chunked.rs (`cryptography` only).

Reads one JSON case per line on stdin, writes one JSON line per case on stdout.

A case: {"id", "akid", "secret", "time": "yyyymmddThhmmssZ", "service", "seed" (the request's
signature, hex DER), "wire_hex" (the aws-chunked body iamkit encoded), "body_hex" (what it
carries), "trailers": [[name, value], ...] or null}.

Answer: {"id", "ok": true, "chunks": n} or {"id", "ok": false, "error": "..."}.

Everything here is written from the documented format, not taken from iamkit: the body is split
into `hex-size;chunk-signature=<sig>\\r\\n<data>\\r\\n` chunks (a final empty one; then, with
trailers, `name:value\\r\\n` lines, `x-amz-trailer-signature:<sig>\\r\\n` and `\\r\\n`); every
signature must be 144 characters, the hex of a DER ECDSA signature padded with '*'. Each chunk's
string to sign is

    AWS4-ECDSA-P256-SHA256-PAYLOAD\\n<time>\\n<yyyymmdd>/<service>/aws4_request\\n
    <previous signature without padding>\\n<sha256("")>\\n<sha256(chunk data)>

(the first "previous" being the seed), the trailer's

    AWS4-ECDSA-P256-SHA256-TRAILER\\n<time>\\n<scope>\\n<previous>\\n<sha256("name:value\\n" ...)>

and each signature must verify with `cryptography` under the public key derived here from the
credentials (the SigV4a KDF: HMAC-SHA256 counter mode, candidates until one is <= n - 2, d = c + 1).
"""
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from sigv4a_kdf import public_key

EMPTY = hashlib.sha256(b"").hexdigest()
WIRE = 144

def unpad(sig):
    if len(sig) != WIRE:
        raise ValueError(f"signature of {len(sig)} characters, expected {WIRE}: {sig!r}")
    bare = sig.rstrip("*")
    if not bare or len(bare) % 2 or any(ch not in "0123456789abcdef" for ch in bare):
        raise ValueError(f"not padded lower-case hex: {sig!r}")
    return bare


def check(case):
    pub = public_key(case["akid"], case["secret"])
    time = case["time"]
    scope = f"{time[:8]}/{case['service']}/aws4_request"
    wire = bytes.fromhex(case["wire_hex"])
    previous = case["seed"]

    def verify(algorithm, tail, sig):
        sts = "\n".join([algorithm, time, scope, previous] + tail)
        pub.verify(bytes.fromhex(sig), sts.encode(), ec.ECDSA(hashes.SHA256()))

    data = b""
    pos = 0
    chunks = 0
    while True:
        end = wire.index(b"\r\n", pos)
        size_hex, sig = wire[pos:end].decode().split(";chunk-signature=")
        size = int(size_hex, 16)
        sig = unpad(sig)
        chunk = wire[end + 2 : end + 2 + size]
        if len(chunk) != size:
            raise ValueError("truncated chunk")
        verify("AWS4-ECDSA-P256-SHA256-PAYLOAD", [EMPTY, hashlib.sha256(chunk).hexdigest()], sig)
        previous = sig
        chunks += 1
        data += chunk
        pos = end + 2 + size
        if size == 0:
            break
        if wire[pos : pos + 2] != b"\r\n":
            raise ValueError("no CRLF after chunk data")
        pos += 2
    if case["trailers"] is None:
        if wire[pos:] != b"\r\n":
            raise ValueError(f"body does not end with CRLF after the final chunk: {wire[pos:]!r}")
    else:
        lines = wire[pos:].decode().split("\r\n")
        if lines[-2:] != ["", ""]:
            raise ValueError(f"trailer section does not end with an empty line: {lines!r}")
        lines = lines[:-2]
        name, sig = lines[-1].split(":", 1)
        if name != "x-amz-trailer-signature":
            raise ValueError(f"last trailer line is {lines[-1]!r}")
        canonical = "".join(
            f"{n.lower()}:{v.strip()}\n" for n, v in (l.split(":", 1) for l in lines[:-1])
        )
        expected = "".join(f"{n.lower()}:{v.strip()}\n" for n, v in case["trailers"])
        if canonical != expected:
            raise ValueError(f"trailers {canonical!r}, expected {expected!r}")
        verify("AWS4-ECDSA-P256-SHA256-TRAILER", [hashlib.sha256(canonical.encode()).hexdigest()], unpad(sig))
    if data != bytes.fromhex(case["body_hex"]):
        raise ValueError("the chunks do not carry the body")
    return {"id": case["id"], "ok": True, "chunks": chunks}


def main():
    for line in sys.stdin:
        case = json.loads(line)
        try:
            answer = check(case)
        except (InvalidSignature, ValueError, UnicodeDecodeError) as e:
            answer = {"id": case["id"], "ok": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
