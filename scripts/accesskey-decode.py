#!/usr/bin/env python3
"""Reads AWS access key IDs (one per line on stdin) and prints, per line, the embedded account ID
(12 digits) or "-" when the generation flag is 0: the published formula of
shared/vectors/accesskey/account-decode.tsv, independent of iamkit's Rust code."""
import base64
import sys

for line in sys.stdin:
    key_id = line.strip()
    if not key_id:
        continue
    z = int.from_bytes(base64.b32decode(key_id[4:])[:6], "big")
    print(f"{(z & 0x7FFFFFFFFF80) >> 7:012d}" if z >> 47 else "-")
