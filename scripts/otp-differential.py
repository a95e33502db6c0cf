#!/usr/bin/env python3
"""pyotp side of crates/otp/tests/differential.rs.

Reads one JSON array of cases on stdin and writes one JSON array of results on stdout, in order.
A case: {"kind": "totp"|"hotp"|"steam", "secret": BASE32, "algorithm": "SHA1"|"SHA256"|"SHA512",
"digits": D, "period": S, "time": UNIX (already minus T0; pyotp has no T0), "counter": N,
"count": K}. The result is the list of K codes for K consecutive counters/time steps starting at
the case's own.
"""

import hashlib
import json
import sys

import pyotp
from pyotp.contrib import Steam

DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def codes(case):
    kind = case["kind"]
    count = case["count"]
    if kind == "hotp":
        h = pyotp.HOTP(case["secret"], digits=case["digits"], digest=DIGESTS[case["algorithm"]])
        return [h.at(case["counter"] + i) for i in range(count)]
    if kind == "totp":
        t = pyotp.TOTP(
            case["secret"],
            digits=case["digits"],
            digest=DIGESTS[case["algorithm"]],
            interval=case["period"],
        )
        return [t.at(case["time"], counter_offset=i) for i in range(count)]
    if kind == "steam":
        s = Steam(case["secret"])
        return [s.at(case["time"], counter_offset=i) for i in range(count)]
    raise ValueError("unknown kind %r" % kind)


def main():
    cases = json.load(sys.stdin)
    json.dump([codes(c) for c in cases], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
