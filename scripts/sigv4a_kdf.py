"""The SigV4a key derivation, written from AWS's description (not taken from iamkit), for the
Python peers of iamkit-sigv4's tests (`sigv4a-differential.py`, `sigv4a-chunks.py`).

The private key of an access key ID and secret: HMAC-SHA256 in counter mode (NIST SP 800-108)
keyed with "AWS4A" + secret over 00000001 || "AWS4-ECDSA-P256-SHA256" || 00 || access key ID ||
counter || 00000100, for counter = 1, 2, ...; the first candidate c <= n - 2 gives d = c + 1.
"""
import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric import ec

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def public_key(akid, secret):
    key = b"AWS4A" + secret.encode()
    for counter in range(1, 255):
        fixed = (
            b"AWS4-ECDSA-P256-SHA256" + b"\x00" + akid.encode() + bytes([counter])
            + (256).to_bytes(4, "big")
        )
        c = int.from_bytes(hmac.new(key, (1).to_bytes(4, "big") + fixed, hashlib.sha256).digest(), "big")
        if c <= N - 2:
            return ec.derive_private_key(c + 1, ec.SECP256R1()).public_key()
    raise ValueError("no key")
