"""moto's server with its IAM authentication on, behind a gate that checks MFA codes.

Started by the Rust tests (crates/cli/tests/common/moto.rs) on 127.0.0.1 with a random port:

    python gate.py '{"users": [{"name": "alice", "mfa": true}],
                     "roles": [{"name": "admin", "trust": ["alice"]}]}'

1. starts moto's WSGI app (with authentication still off) behind the gate;
2. creates the fixtures through IAM with boto3: each user with an access key, an inline
   "allow everything" policy and (with "mfa") a virtual MFA device enabled with two codes; each
   role with a trust policy naming the users in "trust" (as IAM users and as the sessions the
   gate hands out for them, see 4.);
3. turns authentication on through moto's own /moto-api/reset-auth (count 0): from then on
   every request must be signed by a known key, and allowed by its policies;
4. prints one JSON line (endpoint, account, users with keys, MFA serial and seed, role ARNs) and
   serves until its stdin closes.

The gate, in front of moto (moto checks no MFA code and answers GetSessionToken with fixed
credentials its own authentication refuses):
- after moto accepted a GetSessionToken or AssumeRole that carries SerialNumber/TokenCode, checks
  the code with pyotp against the device's seed (one step either side) and refuses a code already
  used for that device, answering as AWS does (403 AccessDenied);
- answers GetSessionToken with credentials moto accepts: a session of a hidden role
  "iamkit-gate-session-USER" (same policy as the user) minted through moto's STS backend,
  lasting the DurationSeconds asked for;
- checks EnableMFADevice's two codes the same way (consecutive steps, never used before; they
  count as used afterwards), answering InvalidAuthenticationCode as IAM does;
- counts STS and IAM calls per action and MFA refusals: GET /_gate/stats;
- lists IAM's virtual MFA devices with their seeds and users: GET /_gate/mfa-devices.

A user's "allow" (a list of actions) replaces the allow-everything policy.
"""

import io
import json
import logging
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import timezone

import boto3
import pyotp
from moto.iam.models import iam_backends
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.sts.models import sts_backends
from werkzeug.serving import make_server

ACCOUNT = "123456789012"
PARTITION = "aws"
ALLOW_ALL = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
)
MFA_REFUSED = "MultiFactorAuthentication failed with invalid MFA one time pass code. "


def hidden_role(user):
    return f"iamkit-gate-session-{user}"


def session_arn(user):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{hidden_role(user)}/{user}"


class Gate:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.calls = {}
        self.mfa_refused = 0
        self.used = set()
        # The fixtures' own EnableMFADevice (past codes, so none a test sends is "used") is not
        # checked; main() clears this once they are made.
        self.bootstrapping = True

    # --- WSGI --------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_gate/stats":
            with self.lock:
                stats = {"calls": dict(self.calls), "mfa_refused": self.mfa_refused}
            return self.reply(start_response, "200 OK", "application/json", json.dumps(stats))
        if environ.get("PATH_INFO") == "/_gate/mfa-devices":
            # The virtual MFA devices IAM holds: serial -> the seed moto issued, and the user it
            # is assigned to (for the tests to check codes against, and that nothing is left).
            devices = iam_backends[ACCOUNT][PARTITION].virtual_mfa_devices
            out = {
                serial: {"seed": d.base32_string_seed, "user": d.user.name if d.user else None}
                for serial, d in list(devices.items())
            }
            return self.reply(start_response, "200 OK", "application/json", json.dumps(out))
        if environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if "Credential=" in auth else []
        service = scope[3] if len(scope) > 3 else ""
        if service not in ("sts", "iam"):
            return self.app(environ, start_response)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = form.get("Action", [""])[0]
        if service == "iam":
            with self.lock:
                self.calls[action] = self.calls.get(action, 0) + 1
            if action == "EnableMFADevice" and not self.bootstrapping:
                serial = form.get("SerialNumber", [""])[0]
                code1 = form.get("AuthenticationCode1", [""])[0]
                code2 = form.get("AuthenticationCode2", [""])[0]
                if not self.consecutive_ok(serial, code1, code2):
                    with self.lock:
                        self.mfa_refused += 1
                    return self.error(
                        start_response,
                        "403 Forbidden",
                        "InvalidAuthenticationCode",
                        "Authentication code for device is not valid.",
                    )
            return self.app(environ, start_response)
        with self.lock:
            self.calls[action] = self.calls.get(action, 0) + 1
        status, headers, out = self.call_app(environ)
        if not status.startswith("200") or action not in ("GetSessionToken", "AssumeRole"):
            start_response(status, headers)
            return [out]
        if "SerialNumber" in form or "TokenCode" in form:
            serial = form.get("SerialNumber", [""])[0]
            code = form.get("TokenCode", [""])[0]
            if not self.code_ok(serial, code):
                with self.lock:
                    self.mfa_refused += 1
                return self.error(start_response, "403 Forbidden", "AccessDenied", MFA_REFUSED)
        if action == "GetSessionToken":
            duration = int(form.get("DurationSeconds", ["43200"])[0])
            return self.session(start_response, scope[0], duration)
        start_response(status, headers)
        return [out]

    def call_app(self, environ):
        captured = {}
        chunks = []

        def start(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return chunks.append

        result = self.app(environ, start)
        try:
            for c in result:
                chunks.append(c)
        finally:
            if hasattr(result, "close"):
                result.close()
        return captured["status"], captured["headers"], b"".join(chunks)

    def reply(self, start_response, status, ctype, text):
        data = text.encode()
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))])
        return [data]

    def error(self, start_response, status, code, message):
        xml = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>iamkit-gate-0001</RequestId></ErrorResponse>"
        )
        return self.reply(start_response, status, "text/xml", xml)

    # --- MFA -----------------------------------------------------------------------------------
    def code_ok(self, serial, code):
        device = iam_backends[ACCOUNT][PARTITION].virtual_mfa_devices.get(serial)
        if device is None or len(code) != 6 or not code.isdigit():
            return False
        if not pyotp.TOTP(device.base32_string_seed).verify(code, valid_window=1):
            return False
        with self.lock:
            if (serial, code) in self.used:
                return False
            self.used.add((serial, code))
        return True

    def consecutive_ok(self, serial, code1, code2):
        """EnableMFADevice: two codes of consecutive steps, the second of the current step or
        the one before (as AWS allows for the time it took to send), neither used before;
        both are used from then on."""
        device = iam_backends[ACCOUNT][PARTITION].virtual_mfa_devices.get(serial)
        if device is None:
            return False
        totp = pyotp.TOTP(device.base32_string_seed)
        now = int(time.time()) // 30
        ok = any(
            totp.at(step * 30) == code1 and totp.at((step + 1) * 30) == code2
            for step in (now - 2, now - 1)
        )
        with self.lock:
            if not ok or (serial, code1) in self.used or (serial, code2) in self.used:
                return False
            self.used.update({(serial, code1), (serial, code2)})
        return True

    # --- GetSessionToken -----------------------------------------------------------------------
    def session(self, start_response, access_key_id, duration):
        iam = iam_backends[ACCOUNT][PARTITION]
        user = None
        for u in iam.users.values():
            if any(k.access_key_id == access_key_id for k in u.access_keys):
                user = u.name
        if user is None:
            return self.error(
                start_response, "403 Forbidden", "AccessDenied", "GetSessionToken needs a user's long-term key"
            )
        role = sts_backends[ACCOUNT][PARTITION].assume_role(
            region_name="us-east-1",
            role_session_name=user,
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/{hidden_role(user)}",
            policy=None,
            duration=duration,
            external_id=None,
        )
        exp = role.expiration.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        xml = (
            '<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<GetSessionTokenResult><Credentials>"
            f"<AccessKeyId>{role.access_key_id}</AccessKeyId>"
            f"<SecretAccessKey>{role.secret_access_key}</SecretAccessKey>"
            f"<SessionToken>{role.session_token}</SessionToken>"
            f"<Expiration>{exp}</Expiration>"
            "</Credentials></GetSessionTokenResult>"
            "<ResponseMetadata><RequestId>iamkit-gate-0002</RequestId></ResponseMetadata>"
            "</GetSessionTokenResponse>"
        )
        return self.reply(start_response, "200 OK", "text/xml", xml)


def bootstrap(endpoint, spec):
    """Creates the fixtures through IAM (authentication still off) and returns what the tests
    need to know."""
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIABOOTSTRAPEXAMPLE",
        aws_secret_access_key="bootstrap-only-not-a-real-secret-000000",
    )
    out = {"endpoint": endpoint, "account": ACCOUNT, "users": {}, "roles": {}}
    for u in spec.get("users", []):
        name = u["name"]
        user = iam.create_user(UserName=name)["User"]
        policy = ALLOW_ALL
        if "allow" in u:
            # Only these actions (e.g. ["sts:*"]): a caller without IAM permissions.
            policy = json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": u["allow"], "Resource": "*"}],
                }
            )
        iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=policy)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        info = {
            "arn": user["Arn"],
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
            "session_arn": session_arn(name),
        }
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}
                ],
            }
        )
        iam.create_role(RoleName=hidden_role(name), AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName=hidden_role(name), PolicyName="all", PolicyDocument=ALLOW_ALL)
        if u.get("mfa"):
            dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            seed = dev["Base32StringSeed"]
            seed = seed.decode() if isinstance(seed, bytes) else seed
            totp = pyotp.TOTP(seed)
            now = int(time.time())
            # Two codes of past steps: the gate never sees them, so no code the tests send is
            # "used" by the enrolment.
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=dev["SerialNumber"],
                AuthenticationCode1=totp.at(now - 120),
                AuthenticationCode2=totp.at(now - 90),
            )
            info["mfa_serial"] = dev["SerialNumber"]
            info["mfa_seed"] = seed
        out["users"][name] = info
    for r in spec.get("roles", []):
        principals = []
        for user in r.get("trust", []):
            principals += [out["users"][user]["arn"], session_arn(user)]
        for role in r.get("trust_roles", []):
            # "ROLE/SESSION": that role session exactly (moto compares principals exactly, so
            # "ROLE" alone, any session, passes AWS's matching but not moto's).
            suffix = "" if "/" in role else "/*"
            principals.append(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}{suffix}")
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}
                ],
            }
        )
        role = iam.create_role(RoleName=r["name"], AssumeRolePolicyDocument=trust)["Role"]
        iam.put_role_policy(RoleName=r["name"], PolicyName="all", PolicyDocument=ALLOW_ALL)
        out["roles"][r["name"]] = role["Arn"]
    return out


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = Gate(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    info = bootstrap(endpoint, spec)
    app.bootstrapping = False
    req = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=b"0",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req) as r:
        r.read()
    print(json.dumps(info), flush=True)
    # Serve until the test closes our stdin (or dies).
    sys.stdin.read()
    server.shutdown()
    thread.join()


if __name__ == "__main__":
    main()
