"""Offline verification of Rampart access tokens, with the Go SDK's rules.

A token verifies when its header names an allowed algorithm (RS256, ES256 or
EdDSA; never none or HS256) and a key id published in the deployment's JWKS
whose own algorithm is that one (the header never picks the key type), its
signature holds, its issuer and audience are the configured ones, it has not
expired (30 s leeway, as between Rampart's replicas) and it names a user,
tenant, session and token id. ``jku``, ``x5u`` and embedded ``jwk`` headers
are never followed. Verification does not ask Rampart whether the session
still lives; for that (logout within the token's 15 minutes) use
:meth:`rampart.Client.introspect`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

import httpx
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from .errors import InvalidToken, JWKSUnavailable
from .permissions import Catalogue, Decision

# Defaults and limits, as in the Go SDK (sdk/sdk.go) and package token.
DEFAULT_AUDIENCE = "rampart"
DEFAULT_REFRESH = 600.0  # seconds between periodic JWKS fetches
MIN_UNKNOWN_KID_FETCH = 10.0  # at most one refetch per this for unknown kids
FAILED_FETCH_BACKOFF = 30.0  # after a failed periodic fetch, keep the cached keys this long
MAX_JWKS_BYTES = 1 << 20
DEFAULT_FETCH_TIMEOUT = 5.0
MAX_CLOCK_SKEW = 30  # seconds of leeway on exp, nbf and iat
MAX_TOKEN_BYTES = 8 << 10

_ALGS = {
    "RS256": (RSAAlgorithm(RSAAlgorithm.SHA256), "RSA", None),
    "ES256": (ECAlgorithm(ECAlgorithm.SHA256), "EC", "P-256"),
    "EdDSA": (OKPAlgorithm(), "OKP", "Ed25519"),
}

# The server's codes of a gated session (identity.GatePasswordChange, GateTerms).
GATE_PASSWORD_CHANGE = "password_change_required"
GATE_TERMS = "terms_not_accepted"

_KNOWN_CLAIMS = frozenset((
    "iss", "sub", "aud", "iat", "nbf", "exp", "jti", "tenant_id", "role", "permissions", "scopes", "sid", "amr",
    "mfa_verified", "rate_limit_tier", "password_change_required", "terms_accepted", "feature_flags",
    "data_residency", "compliance_level", "daily_quota", "device_id", "user_agent_hash",
))


@dataclass(frozen=True)
class Principal:
    """The verified caller of an access token."""

    user_id: str
    tenant_id: str
    role: str
    permissions: Tuple[str, ...]
    session_id: str
    mfa_verified: bool
    token_id: str
    issuer: str
    audience: Tuple[str, ...]
    issued_at: int
    not_before: int
    expires_at: int
    scopes: Tuple[str, ...] = ()
    amr: Tuple[str, ...] = ()
    rate_limit_tier: str = ""
    password_change_required: bool = False
    terms_accepted: bool = False
    feature_flags: Tuple[str, ...] = ()
    data_residency: str = ""
    compliance_level: str = ""
    daily_quota: int = 0
    device_id: str = ""
    user_agent_hash: str = ""
    #: The tenant's custom claims: every claim not named above.
    custom: Mapping[str, Any] = field(default_factory=dict)
    #: Every claim of the token, as it was signed.
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)
    #: Set by the verifier: the catalogue that judges this caller (None denies all).
    catalogue: Optional[Catalogue] = field(default=None, repr=False, compare=False)
    #: Whether the tenant requires its current terms (not a claim: known once
    #: the tenant's policy is loaded, see :class:`rampart.tenants.TenantPolicy`).
    terms_required: bool = False

    @property
    def enrolment_only(self) -> bool:
        """The session may only enrol in MFA (tenant's mfa_required_roles)."""
        return self.scopes == ("mfa:enroll",)

    @property
    def gate(self) -> str:
        """What the session must do before Rampart answers anything but its own
        account's routes, as the server's 403 codes: ``password_change_required``,
        ``terms_not_accepted`` (when the tenant requires terms), or ""."""
        if self.password_change_required:
            return GATE_PASSWORD_CHANGE
        if self.terms_required and not self.terms_accepted:
            return GATE_TERMS
        return ""

    def check(self, permission: str, resource: str = "") -> Decision:
        """Decides a permission with Rampart's engine (role, then custom grants)."""
        if self.catalogue is None:
            return Decision(False)
        return self.catalogue.check(self.role, self.permissions, permission, resource or "")

    def allowed(self, permission: str, resource: str = "") -> bool:
        return self.check(permission, resource).allowed


def _b64(s: str) -> bytes:
    # Strict base64url without padding, as Go's RawURLEncoding.
    if "=" in s:
        raise ValueError("padded")
    return base64.b64decode(s + "=" * (-len(s) % 4), altchars=b"-_", validate=True)


def _str(c: Mapping[str, Any], k: str) -> str:
    v = c.get(k)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise TypeError(k)
    return v


def _strs(c: Mapping[str, Any], k: str) -> Tuple[str, ...]:
    v = c.get(k)
    if v is None:
        return ()
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise TypeError(k)
    return tuple(v)


def _bool(c: Mapping[str, Any], k: str) -> bool:
    v = c.get(k)
    if v is None:
        return False
    if not isinstance(v, bool):
        raise TypeError(k)
    return v


def _date(c: Mapping[str, Any], k: str) -> int:
    # RFC 7519 NumericDate: any JSON number, fractions truncated.
    v = c.get(k)
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or v > 1e15:
        raise TypeError(k)
    return int(v)


def _int(c: Mapping[str, Any], k: str) -> int:
    v = c.get(k)
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(k)
    return v


class _Key:
    __slots__ = ("kid", "alg", "impl", "public")

    def __init__(self, kid: str, alg: str, impl: Any, public: Any):
        self.kid, self.alg, self.impl, self.public = kid, alg, impl, public


def _parse_jwks(body: Any) -> Dict[str, _Key]:
    out: Dict[str, _Key] = {}
    keys = body.get("keys") if isinstance(body, dict) else None
    if not isinstance(keys, list):
        return out
    for k in keys:
        if not isinstance(k, dict):
            continue
        kid, alg, use = k.get("kid"), k.get("alg"), k.get("use")
        if not isinstance(kid, str) or not kid or alg not in _ALGS or use not in (None, "", "sig"):
            continue  # never an unknown algorithm
        impl, kty, crv = _ALGS[alg]
        if k.get("kty") != kty or (crv and k.get("crv") != crv) or "d" in k or kty == "oct":
            continue  # never a private or symmetric key, never a key of another kind
        try:
            public = impl.from_jwk(k)
        except Exception:
            continue
        out[kid] = _Key(kid, alg, impl, public)
    return out


class Verifier:
    """Verifies Rampart access tokens offline. Safe for use from many threads.

    ``Verifier(issuer="https://rampart.example.com")`` fetches the JWKS from
    ``issuer + "/.well-known/jwks.json"`` on first use, every 10 minutes, and
    when a token names a key it does not know (a rotation), at most every
    10 seconds. While Rampart is unreachable the cached keys keep working.

    ``tenant_id`` admits only that tenant's tokens (a service that belongs to
    one tenant should set it). ``catalogues`` maps tenant ids to their role
    catalogues (tenants missing from it are denied every permission); without
    it every tenant is judged by the chatbot preset.
    """

    def __init__(
        self,
        issuer: str,
        audience: str = DEFAULT_AUDIENCE,
        jwks_url: Optional[str] = None,
        *,
        tenant_id: str = "",
        catalogues: Optional[Mapping[str, Catalogue]] = None,
        http_client: Optional[httpx.Client] = None,
        refresh: float = DEFAULT_REFRESH,
        leeway: int = MAX_CLOCK_SKEW,
        clock: Callable[[], float] = time.time,
    ):
        if not issuer:
            raise ValueError("rampart: Verifier needs the issuer (RAMPART_ISSUER)")
        self.issuer = issuer
        self.audience = audience or DEFAULT_AUDIENCE
        self.jwks_url = jwks_url or issuer.rstrip("/") + "/.well-known/jwks.json"
        self.tenant_id = tenant_id
        self.catalogues = catalogues
        self._preset = Catalogue()
        self._http = http_client or httpx.Client(timeout=DEFAULT_FETCH_TIMEOUT)
        self._refresh = refresh if refresh > 0 else DEFAULT_REFRESH
        self._leeway = leeway
        self._clock = clock
        self._keys: Dict[str, _Key] = {}
        self._fetched = float("-inf")
        self._last_try = float("-inf")
        self._last_miss = float("-inf")
        self._fetch_lock = threading.Lock()
        self._miss_lock = threading.Lock()
        self.last_fetch_error: Optional[str] = None

    # -- verification --------------------------------------------------------

    def verify(self, raw: str) -> Principal:
        """Returns the principal of a valid token; raises :class:`InvalidToken`
        otherwise, or :class:`JWKSUnavailable` when no key could ever be fetched."""
        self._ensure_keys()
        return self._verify(self._split(raw), allow_fetch=True)

    async def averify(self, raw: str) -> Principal:
        """verify for async code: the JWKS fetch, when one is due, runs in a
        thread so that the event loop never waits on it."""
        parts = self._split(raw)
        if self._needs_fetch() or (parts[0]["kid"] not in self._keys and self._miss_due(peek=True)):
            return await asyncio.to_thread(self.verify, raw)
        return self._verify(parts, allow_fetch=False)

    def check(self, principal: Principal, permission: str, resource: str = "") -> Decision:
        """Decides a permission for a verified principal."""
        return principal.check(permission, resource)

    def catalogue(self, tenant_id: str) -> Optional[Catalogue]:
        if self.catalogues is None:
            return self._preset
        return self.catalogues.get(tenant_id)

    def _split(self, raw: Any) -> Tuple[Dict[str, Any], bytes, str, bytes]:
        if not isinstance(raw, str) or not raw:
            raise InvalidToken("malformed", "no token")
        if len(raw) > MAX_TOKEN_BYTES:
            raise InvalidToken("malformed", "too large")
        parts = raw.split(".")
        if len(parts) != 3:
            raise InvalidToken("malformed", "not a compact JWS")
        try:
            header = json.loads(_b64(parts[0]))
            sig = _b64(parts[2])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise InvalidToken("malformed") from None
        if not isinstance(header, dict):
            raise InvalidToken("malformed")
        if header.get("alg") not in _ALGS or "crit" in header:
            raise InvalidToken("malformed", "algorithm not allowed")
        kid = header.get("kid")
        if "jwk" in header or not isinstance(kid, str) or not kid:
            raise InvalidToken("malformed", "embedded key or no key id")
        return header, (parts[0] + "." + parts[1]).encode("ascii"), parts[1], sig

    def _verify(self, parts: Tuple[Dict[str, Any], bytes, str, bytes], allow_fetch: bool) -> Principal:
        header, signing_input, payload, sig = parts
        kid = header["kid"]
        key = self._keys.get(kid)
        if key is None and allow_fetch:
            key = self._lookup_after_miss(kid)
        if key is None:
            raise InvalidToken("unknown key", "kid %r" % kid[:64])
        if header["alg"] != key.alg:
            raise InvalidToken("algorithm", "%s for a %s key" % (header["alg"], key.alg))
        try:
            ok = key.impl.verify(signing_input, key.public, sig)
        except Exception:
            ok = False
        if not ok:
            raise InvalidToken("signature")
        try:
            claims = json.loads(_b64(payload))
            if not isinstance(claims, dict):
                raise TypeError("claims")
            p = self._principal(claims)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidToken("signature", "claims do not parse") from None
        now = int(self._clock())
        skew = self._leeway
        if p.issuer != self.issuer:
            raise InvalidToken("issuer", "%r, want %r" % (p.issuer[:256], self.issuer))
        if self.audience not in p.audience:
            raise InvalidToken("audience", "want %r" % self.audience)
        if p.expires_at == 0 or now > p.expires_at + skew:
            raise InvalidToken("expired")
        if now + skew < p.not_before or now + skew < p.issued_at:
            raise InvalidToken("not yet valid")
        if not (p.user_id and p.tenant_id and p.session_id and p.token_id):
            raise InvalidToken("missing claims")
        if self.tenant_id and p.tenant_id != self.tenant_id:
            raise InvalidToken("tenant", "token of another tenant")
        return p

    def _principal(self, c: Dict[str, Any]) -> Principal:
        return Principal(
            user_id=_str(c, "sub"), tenant_id=_str(c, "tenant_id"), role=_str(c, "role"),
            permissions=_strs(c, "permissions"), session_id=_str(c, "sid"), mfa_verified=_bool(c, "mfa_verified"),
            token_id=_str(c, "jti"), issuer=_str(c, "iss"), audience=_strs(c, "aud"),
            issued_at=_date(c, "iat"), not_before=_date(c, "nbf"), expires_at=_date(c, "exp"),
            scopes=_strs(c, "scopes"), amr=_strs(c, "amr"), rate_limit_tier=_str(c, "rate_limit_tier"),
            password_change_required=_bool(c, "password_change_required"), terms_accepted=_bool(c, "terms_accepted"),
            feature_flags=_strs(c, "feature_flags"), data_residency=_str(c, "data_residency"),
            compliance_level=_str(c, "compliance_level"), daily_quota=_int(c, "daily_quota"),
            device_id=_str(c, "device_id"), user_agent_hash=_str(c, "user_agent_hash"),
            custom={k: v for k, v in c.items() if k not in _KNOWN_CLAIMS}, claims=c,
            catalogue=self.catalogue(_str(c, "tenant_id")),
        )

    # -- keys ----------------------------------------------------------------

    def _needs_fetch(self) -> bool:
        now = time.monotonic()
        stale = now - self._fetched > self._refresh and now - self._last_try > FAILED_FETCH_BACKOFF
        return stale or not self._keys

    def _ensure_keys(self) -> None:
        if self._needs_fetch():
            err = self._fetch()
            if err is not None and not self._keys:
                raise JWKSUnavailable("rampart: fetch JWKS from %s: %s" % (self.jwks_url, err))

    def _miss_due(self, peek: bool = False) -> bool:
        with self._miss_lock:
            now = time.monotonic()
            due = now - self._last_miss >= MIN_UNKNOWN_KID_FETCH
            if due and not peek:
                self._last_miss = now
            return due

    def _lookup_after_miss(self, kid: str) -> Optional[_Key]:
        # A key we do not know: a rotation, or a forgery. Refetch, but at
        # most every MIN_UNKNOWN_KID_FETCH, so forged kids cannot make us
        # hammer Rampart.
        if not self._miss_due():
            return None
        self._fetch()
        return self._keys.get(kid)

    def refresh_keys(self) -> None:
        """Fetches the JWKS now; raises JWKSUnavailable when that fails."""
        err = self._fetch(force=True)
        if err is not None:
            raise JWKSUnavailable("rampart: fetch JWKS from %s: %s" % (self.jwks_url, err))

    def _fetch(self, force: bool = False) -> Optional[str]:
        """Replaces the key set from the JWKS; one fetch runs at a time, and
        callers that waited for it reuse its result. Returns an error or None."""
        start = time.monotonic()
        with self._fetch_lock:
            if not force and self._last_try > start:
                return None  # another caller fetched while this one waited
            self._last_try = time.monotonic()
            try:
                with self._http.stream("GET", self.jwks_url) as resp:
                    if resp.status_code != 200:
                        return self._failed("JWKS answered %d" % resp.status_code)
                    body = b""
                    for chunk in resp.iter_bytes():
                        body += chunk
                        if len(body) > MAX_JWKS_BYTES:
                            return self._failed("JWKS larger than %d bytes" % MAX_JWKS_BYTES)
                keys = _parse_jwks(json.loads(body))
            except (httpx.HTTPError, ValueError, UnicodeDecodeError) as e:
                return self._failed("%s: %s" % (type(e).__name__, e))
            if not keys:
                return self._failed("JWKS holds no usable key")
            self._keys = keys
            self._fetched = time.monotonic()
            self.last_fetch_error = None
            return None

    def _failed(self, msg: str) -> str:
        self.last_fetch_error = msg
        return msg

    def close(self) -> None:
        self._http.close()
