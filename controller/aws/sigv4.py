"""AWS Signature Version 4 for the lean read path, equal to botocore's `SigV4Auth`.

What botocore 1.44.8's `SigV4Auth.add_auth` does for a request whose URL is
not https-only-unsigned and that has no `X-Amz-Content-SHA256` header (every
JSON-protocol read ecsync sends), following the AWS reference "Create a signed
AWS API request" (IAM User Guide, reference_sigv-create-signed-request):

- the canonical request: method, canonical URI, canonical query string, the
  signed headers lower-cased and sorted (each value with its runs of white
  space squeezed, `SigV4Auth._header_value`), their names, and the SHA-256 of
  the body;
- the string to sign: `AWS4-HMAC-SHA256`, the timestamp, the scope
  (date/region/service/aws4_request), the SHA-256 of the canonical request;
- the signing key: HMAC-SHA256 chained over `AWS4` + secret, date, region,
  service, `aws4_request`. It only changes with the date and the secret, so it
  is kept per (secret, date): botocore derives it on every request.

`tests/unit/aws/test_sigv4.py` proves the Authorization header equal to
botocore's for the same request, time and credentials, session token included.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass

ALGORITHM = "AWS4-HMAC-SHA256"
_CANONICAL_KEPT = 64


@dataclass(frozen=True)
class Scope:
    """Where a signature is valid: one region of one signing name."""

    region: str
    service: str


class Signer:
    """Signs requests of one scope; thread-safe."""

    def __init__(self, scope: Scope, canonical_uri: str, canonical_query: str) -> None:
        self.scope = scope
        self._prefix = f"POST\n{canonical_uri}\n{canonical_query}\n"
        self._tail = f"/{scope.region}/{scope.service}/aws4_request"
        self._keys: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()
        self._canonical: dict[tuple[tuple[str, str], ...], tuple[str, str]] = {}
        """Canonical headers by the headers they come from: requests of one operation in
        one second share them (only X-Amz-Date changes, once a second)."""

    def authorization(
        self,
        headers: list[tuple[str, str]],
        body: bytes,
        amz_date: str,
        access_key: str,
        secret: str,
    ) -> str:
        """The Authorization header of a POST carrying `body` with the headers to sign
        (`X-Amz-Date` and `X-Amz-Security-Token` among them; never User-Agent or the
        amz-sdk-* headers, which SigV4Auth leaves unsigned)."""
        key = tuple(headers)
        found = self._canonical.get(key)
        if found is None:
            found = _canonical_headers(headers)
            if len(self._canonical) >= _CANONICAL_KEPT:
                self._canonical.clear()
            self._canonical[key] = found
        names, canonical = found
        request = f"{self._prefix}{canonical}\n\n{names}\n{hashlib.sha256(body).hexdigest()}"
        date = amz_date[:8]
        scope = f"{date}{self._tail}"
        to_sign = (
            f"{ALGORITHM}\n{amz_date}\n{scope}\n"
            f"{hashlib.sha256(request.encode('utf-8')).hexdigest()}"
        )
        signature = hmac.digest(self._key(secret, date), to_sign.encode("utf-8"), "sha256")
        return (
            f"{ALGORITHM} Credential={access_key}/{scope}, "
            f"SignedHeaders={names}, Signature={signature.hex()}"
        )

    def _key(self, secret: str, date: str) -> bytes:
        with self._lock:
            found = self._keys.get((secret, date))
        if found is not None:
            return found
        key = _hmac(f"AWS4{secret}".encode(), date)
        for part in (self.scope.region, self.scope.service, "aws4_request"):
            key = _hmac(key, part)
        with self._lock:
            self._keys = {(secret, date): key}  # one key in use at a time
        return key


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.digest(key, message.encode("utf-8"), "sha256")


def _canonical_headers(headers: list[tuple[str, str]]) -> tuple[str, str]:
    """(signed header names, canonical header lines) of `headers`, names unique."""
    lowered = sorted((name.lower(), " ".join(value.split())) for name, value in headers)
    names = ";".join(name for name, _ in lowered)
    return names, "\n".join(f"{name}:{value}" for name, value in lowered)
