#!/usr/bin/env python3
"""A tiny hookbook webhook receiver, Python 3 stdlib only (Ed25519 needs the `cryptography` package).

    python3 examples/receiver/receiver.py --port 9000 --secret whsec_... [--scheme standard|hmac-sha256-hex]
                                          [--out received.jsonl] [--host 127.0.0.1]
    python3 examples/receiver/receiver.py --port 9000 --scheme ed25519 --secret whpk_...

- verifies the signature over the RAW body bytes (never re-serialized JSON):
  --scheme standard (default): Standard Webhooks webhook-id / webhook-timestamp / webhook-signature,
    401 on a bad signature or a timestamp more than 300 s away from now;
  --scheme ed25519: the same headers with `v1a,<base64 Ed25519 signature>` entries, verified with the
    endpoint's PUBLIC key `whpk_<base64 of the raw 32-byte key>` (needs `pip install cryptography`;
    without it the receiver refuses to start with a clear message, the HMAC schemes keep working);
  --scheme hmac-sha256-hex: X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body> keyed with the
    secret string as is (entries comma-separated during a secret rotation), X-Webhook-Id;
- deduplicates on the webhook id: a repeat answers 200 without being recorded again;
- prints `verified <webhook-id> <type>` per accepted message on stdout (logs go to stderr);
- appends each accepted body as one JSON line to --out when given.
"""
import argparse
import base64
import binascii
import hashlib
import hmac
import json
import re
import sys
import threading
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SEC = 300
MAX_BODY_BYTES = 1024 * 1024
MAX_REMEMBERED_IDS = 10_000
TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


def secret_key(secret: str) -> bytes:
    """Key bytes of a `whsec_<base64>` secret (prefix optional, padding optional)."""
    b64 = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    if not b64 or not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", b64):
        raise ValueError("secret must be whsec_<base64>")
    b64 = b64.rstrip("=")
    try:
        return base64.b64decode(b64 + "=" * (-len(b64) % 4), validate=True)
    except binascii.Error as err:
        raise ValueError("secret must be whsec_<base64>") from err


def public_key(value: str):
    """The Ed25519 public key of `whpk_<base64 of the raw 32-byte key>` (needs `cryptography`)."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError as err:
        raise SystemExit(
            "--scheme ed25519 (v1a) needs the Python package `cryptography` (pip install cryptography); "
            "the HMAC schemes work without it"
        ) from err
    b64 = value[len("whpk_"):] if value.startswith("whpk_") else ""
    try:
        raw = base64.b64decode(b64 + "=" * (-len(b64) % 4), validate=True) if b64 else b""
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise ValueError("--scheme ed25519 needs the public key whpk_<base64 of 32 bytes>")
    return Ed25519PublicKey.from_public_bytes(raw)


def ed25519_matches(key, content: bytes, given: str) -> bool:
    """True when `given` (base64) is an Ed25519 signature of `content` by `key`."""
    from cryptography.exceptions import InvalidSignature

    try:
        sig = base64.b64decode(given, validate=True)
        key.verify(sig, content)
        return True
    except (binascii.Error, ValueError, InvalidSignature):
        return False


def verify(key, headers, body: bytes, now_sec=None) -> bool:
    """True when the three webhook-* headers carry a fresh, valid signature of `body`: a `v1`
    entry (HMAC, `key` = secret bytes) or, when `key` is an Ed25519 public key, a `v1a` entry."""
    msg_id = headers.get("webhook-id")  # case-insensitive lookup
    ts = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not ts or not signatures:
        return False
    if not TIMESTAMP.match(ts):
        return False
    now = int(time.time()) if now_sec is None else now_sec
    if abs(now - int(ts)) > TOLERANCE_SEC:
        return False
    content = msg_id.encode() + b"." + ts.encode() + b"." + body
    if not isinstance(key, bytes):
        ok = False
        for entry in signatures.split(" "):
            version, _, sig = entry.partition(",")
            if version == "v1a" and ed25519_matches(key, content, sig):  # skip v1 and unknown versions
                ok = True
        return ok
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    ok = False
    for entry in signatures.split(" "):
        version, _, sig = entry.partition(",")
        if version != "v1":  # skip v1a and unknown versions
            continue
        if hmac.compare_digest(sig.encode(), expected):
            ok = True
    return ok


def verify_compat(secret: str, headers, body: bytes) -> bool:
    """Compatibility scheme: any `sha256=<hex>` entry equal to the HMAC of the body keyed with the secret string."""
    header = headers.get("x-webhook-signature")
    if not headers.get("x-webhook-id") or not header:
        return False
    expected = ("sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()).encode()
    ok = False
    for entry in header.split(","):
        if hmac.compare_digest(entry.strip().encode(), expected):
            ok = True
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description="Verify hookbook's signed webhooks.")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--out")
    parser.add_argument("--scheme", choices=["standard", "hmac-sha256-hex", "ed25519"], default="standard")
    args = parser.parse_args()
    compat = args.scheme == "hmac-sha256-hex"
    key = b"" if compat else public_key(args.secret) if args.scheme == "ed25519" else secret_key(args.secret)
    seen: "OrderedDict[str, None]" = OrderedDict()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status: int, text: str) -> None:
            data = (text + "\n").encode()
            self.send_response(status)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                self.answer(413, "body too large")
                return
            body = self.rfile.read(length)
            valid = verify_compat(args.secret, self.headers, body) if compat else verify(key, self.headers, body)
            if not valid:
                self.answer(401, "invalid signature")
                return
            msg_id = self.headers["x-webhook-id" if compat else "webhook-id"]
            with lock:
                if msg_id in seen:
                    self.answer(200, "duplicate")
                    return
                try:
                    message = json.loads(body)
                except ValueError:
                    self.answer(400, "body is not JSON")
                    return
                seen[msg_id] = None
                if len(seen) > MAX_REMEMBERED_IDS:
                    seen.popitem(last=False)
                msg_type = message.get("type", "-") if isinstance(message, dict) else "-"
                print(f"verified {msg_id} {msg_type}", flush=True)
                if args.out:
                    with open(args.out, "a", encoding="utf-8") as out:
                        out.write(json.dumps(message, separators=(",", ":")) + "\n")
            self.answer(200, "ok")

        def log_message(self, format: str, *log_args) -> None:  # noqa: A002 (stdlib signature)
            sys.stderr.write("%s %s\n" % (self.address_string(), format % log_args))

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"listening on http://{args.host}:{server.server_address[1]}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
