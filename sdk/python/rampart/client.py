"""A client of Rampart's API for a platform's backend, sync (:class:`Client`)
and async (:class:`AsyncClient`), over httpx.

Authenticate with a tenant API key (``rmp_...``, sent as ``Authorization:
ApiKey``), an access token, or the operator token (operator routes only).
Every Rampart error becomes a typed :class:`rampart.errors.RampartError`
carrying the problem's ``code`` and ``error_id``; a network failure or an
answer that is not Rampart's is a :class:`rampart.errors.TransportError`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import httpx

from .errors import RampartError, TransportError, from_problem

DEFAULT_TIMEOUT = 10.0
_RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "ratelimit-policy", "ratelimit", "retry-after")

_CODE_STATUS = {"invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409, "too_large": 413,
                "unprocessable": 422, "unavailable": 503}

Context = Union[str, Mapping[str, Union[str, int]], None]


@dataclass(frozen=True)
class CheckResult:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class RateLimitResult:
    """The answer of a rate-limit check; ``headers`` are Rampart's rate-limit
    fields (X-RateLimit-*, RateLimit, RateLimit-Policy, Retry-After) to pass on."""

    allowed: bool
    limit: int = 0
    remaining: int = 0
    reset_time: int = 0
    retry_after: int = 0
    degraded: bool = False  # Rampart's limiter was down and it let the check through
    headers: Mapping[str, str] = field(default_factory=dict)
    problem: Mapping[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class GuardFinding:
    scanner: str
    type: str
    start: int
    end: int
    score: float
    rule: str = ""


@dataclass(frozen=True)
class GuardResult:
    verdict: str  # allow | flag | block
    scores: Mapping[str, float]
    findings: Tuple[GuardFinding, ...]
    crisis: Optional[Mapping[str, Any]] = None

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"


@dataclass(frozen=True)
class PIIFinding:
    type: str
    start: int  # Unicode code points
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class MaskResult:
    text: str
    findings: Tuple[PIIFinding, ...]


@dataclass(frozen=True)
class Plaintext:
    plaintext: bytes
    text: Optional[str]  # None when the bytes are not UTF-8


@dataclass(frozen=True)
class Document:
    document: Dict[str, Any]
    fields: Tuple[str, ...]  # the fields encrypted or decrypted


@dataclass(frozen=True)
class AuditPage:
    events: Tuple[Dict[str, Any], ...]
    next_cursor: Optional[str] = None


@dataclass(frozen=True)
class Introspection:
    active: bool
    claims: Mapping[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.active


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    body: Any = None
    params: Optional[Dict[str, Any]] = None
    parse: Callable[[Any, httpx.Response], Any] = lambda body, resp: body
    ok: Tuple[int, ...] = (200,)
    # on_error lets a call answer an error status itself (a refused rate-limit check).
    on_error: Optional[Callable[[int, Any, httpx.Response], Any]] = None


class _BadAnswer(Exception):
    pass


def _get(d: Any, key: str, kind: Any, default: Any = None) -> Any:
    if not isinstance(d, dict):
        raise _BadAnswer("expected an object")
    v = d.get(key, default)
    if v is None and default is not None:
        return default
    if kind is not None and not isinstance(v, kind):
        raise _BadAnswer("field %s: expected %s" % (key, getattr(kind, "__name__", kind)))
    return v


def _rate_headers(resp: httpx.Response) -> Dict[str, str]:
    return {k: resp.headers[k] for k in _RATE_HEADERS if k in resp.headers}


def _int_header(resp: httpx.Response, k: str) -> int:
    try:
        return int(resp.headers.get(k, "0"))
    except ValueError:
        return 0


def _pii(items: Any) -> Tuple[PIIFinding, ...]:
    if not isinstance(items, list):
        raise _BadAnswer("findings: expected a list")
    return tuple(PIIFinding(_get(f, "type", str), _get(f, "start", int), _get(f, "end", int), _get(f, "text", str, ""),
                            float(_get(f, "score", (int, float), 0))) for f in items)


def _guard(b: Any, resp: Any = None) -> GuardResult:
    fs = _get(b, "findings", list, [])
    return GuardResult(
        verdict=_get(b, "verdict", str),
        scores={str(k): float(v) for k, v in _get(b, "scores", dict, {}).items()},
        findings=tuple(GuardFinding(_get(f, "scanner", str), _get(f, "type", str, ""), _get(f, "start", int, 0),
                                    _get(f, "end", int, 0), float(_get(f, "score", (int, float), 0)), _get(f, "rule", str, ""))
                       for f in fs),
        crisis=b.get("crisis"),
    )


def _plaintext(b: Any, resp: Any = None) -> Plaintext:
    raw = _get(b, "plaintext", str)
    try:
        pt = base64.b64decode(raw, validate=True)
    except ValueError:
        raise _BadAnswer("plaintext is not base64") from None
    return Plaintext(pt, b.get("text") if isinstance(b.get("text"), str) else None)


def _item_error(e: Any) -> RampartError:
    """The error of one item of a batch answer, ``{"code", "detail"}``."""
    e = e if isinstance(e, dict) else {}
    return from_problem(_CODE_STATUS.get(str(e.get("code")), 500), {"code": e.get("code"), "detail": e.get("detail")})


def _plain_item(text: Any, purpose: str, subject: str, context: Any) -> Dict[str, Any]:
    item: Dict[str, Any] = {"context": _context(context)}
    if isinstance(text, str):
        item["text"] = text
    elif isinstance(text, (bytes, bytearray, memoryview)):
        item["plaintext"] = base64.b64encode(bytes(text)).decode("ascii")
    else:
        raise TypeError("rampart: encrypt takes str or bytes")
    if purpose:
        item["purpose"] = purpose
    if subject:
        item["subject"] = subject
    return item


def _context(ctx: Context) -> Any:
    if ctx is None:
        return ""
    if isinstance(ctx, (str, Mapping)):
        return dict(ctx) if isinstance(ctx, Mapping) else ctx
    raise TypeError("rampart: context is a string or a mapping of strings and numbers")


class _API:
    """The API calls, each described once; Client and AsyncClient run them."""

    def _do(self, call: _Call) -> Any:  # pragma: no cover - replaced below
        raise NotImplementedError

    # -- authorization -------------------------------------------------------

    def check(self, permission: str, resource: str = "", user_id: str = "") -> Any:
        """POST /v1/authz/check: may the caller (or user_id of its tenant) do
        permission, optionally on resource? → :class:`CheckResult`."""
        body: Dict[str, Any] = {"permission": permission}
        if resource:
            body["resource"] = resource
        if user_id:
            body["user_id"] = user_id
        return self._do(_Call("POST", "/v1/authz/check", body, parse=lambda b, r: CheckResult(_get(b, "allowed", bool), _get(b, "reason", str, ""))))

    def check_batch(self, checks: Iterable[Union[Mapping[str, str], Tuple[str, ...], str]]) -> Any:
        """POST /v1/authz/check-batch (up to 100): each check is a permission,
        a (permission, resource[, user_id]) tuple or a mapping → list of CheckResult."""
        items: List[Dict[str, str]] = []
        for c in checks:
            if isinstance(c, str):
                items.append({"permission": c})
            elif isinstance(c, Mapping):
                items.append({k: str(v) for k, v in c.items() if v})
            else:
                t = tuple(c)
                if not 1 <= len(t) <= 3:
                    raise TypeError("rampart: a check is (permission, resource[, user_id])")
                items.append({k: v for k, v in zip(("permission", "resource", "user_id"), t) if v})

        def parse(b: Any, r: Any) -> List[CheckResult]:
            res = _get(b, "results", list)
            return [CheckResult(_get(x, "allowed", bool), _get(x, "reason", str, "")) for x in res]
        return self._do(_Call("POST", "/v1/authz/check-batch", {"checks": items}, parse=parse))

    def introspect(self, token: str) -> Any:
        """POST /v1/auth/introspect (operator token or tenant API key): is the
        token's session still live? → :class:`Introspection`."""
        return self._do(_Call("POST", "/v1/auth/introspect", {"token": token},
                              parse=lambda b, r: Introspection(bool(_get(b, "active", bool)), b)))

    # -- rate limits ---------------------------------------------------------

    def ratelimit_check(self, key: str, operation: str, cost: int = 1) -> Any:
        """POST /v1/ratelimit/check: spend cost units of operation's budget for
        key → :class:`RateLimitResult` (allowed False on 429, never raised)."""
        body: Dict[str, Any] = {"key": key, "operation": operation}
        if cost != 1:
            body["cost"] = cost

        def parse(b: Any, r: httpx.Response) -> RateLimitResult:
            return RateLimitResult(True, int(_get(b, "limit", int, 0)), int(b.get("remaining", _int_header(r, "x-ratelimit-remaining")) or 0),
                                   int(b.get("reset_time", _int_header(r, "x-ratelimit-reset")) or 0), 0, bool(b.get("degraded", False)),
                                   _rate_headers(r))

        def refused(status: int, b: Any, r: httpx.Response) -> Any:
            if status != 429:
                return None
            p = b if isinstance(b, dict) else {}
            retry = p.get("retry_after") if isinstance(p.get("retry_after"), int) else _int_header(r, "retry-after")
            return RateLimitResult(False, _int_header(r, "x-ratelimit-limit"), _int_header(r, "x-ratelimit-remaining"),
                                   _int_header(r, "x-ratelimit-reset"), retry, False, _rate_headers(r), p)
        return self._do(_Call("POST", "/v1/ratelimit/check", body, parse=parse, on_error=refused))

    # -- guardrails and PII --------------------------------------------------

    def guard_scan(self, text: str, source: str = "", *, system_prompt: str = "", canaries: Sequence[str] = (),
                   scanners: Sequence[str] = (), locale: str = "") -> Any:
        """POST /v1/guard/scan → :class:`GuardResult`."""
        body: Dict[str, Any] = {"text": text}
        for k, v in (("source", source), ("system_prompt", system_prompt), ("locale", locale)):
            if v:
                body[k] = v
        if canaries:
            body["canaries"] = list(canaries)
        if scanners:
            body["scanners"] = list(scanners)
        return self._do(_Call("POST", "/v1/guard/scan", body, parse=_guard))

    def guard_scan_batch(self, items: Iterable[Union[str, Mapping[str, Any]]], source: str = "") -> Any:
        """POST /v1/guard/scan-batch (up to 100; one unit of the rate limit plus
        one per ten items): each item is a text, or a mapping of guard_scan's
        fields (``text``, ``source``, ``system_prompt``, ``canaries``,
        ``scanners``, ``locale``) → list of :class:`GuardResult`, in order."""
        body_items: List[Dict[str, Any]] = []
        for it in items:
            d: Dict[str, Any] = {"text": it} if isinstance(it, str) else {k: (list(v) if isinstance(v, (list, tuple)) else v)
                                                                        for k, v in dict(it).items() if v}
            if source and "source" not in d:
                d["source"] = source
            body_items.append(d)
        return self._do(_Call("POST", "/v1/guard/scan-batch", {"items": body_items},
                              parse=lambda b, r: [_guard(x) for x in _get(b, "results", list)]))

    def pii_detect(self, text: str, types: Sequence[str] = (), *, language: str = "", regions: Sequence[str] = ()) -> Any:
        """POST /v1/pii/detect → tuple of :class:`PIIFinding`."""
        body: Dict[str, Any] = {"text": text}
        if types:
            body["types"] = list(types)
        if language:
            body["language"] = language
        if regions:
            body["regions"] = list(regions)
        return self._do(_Call("POST", "/v1/pii/detect", body, parse=lambda b, r: _pii(_get(b, "findings", list, []))))

    def pii_detect_batch(self, items: Iterable[Union[str, Mapping[str, Any]]], types: Sequence[str] = (), *, language: str = "",
                         regions: Sequence[str] = ()) -> Any:
        """POST /v1/pii/detect-batch (up to 100; one unit of the rate limit plus
        one per ten items): each item is a text or ``{text, types, language}``
        (its own over the call's) → list, in order, of tuples of :class:`PIIFinding`."""
        body_items: List[Dict[str, Any]] = []
        for it in items:
            d: Dict[str, Any] = {"text": it} if isinstance(it, str) else {"text": it.get("text", "")}
            t = types if isinstance(it, str) else it.get("types", types)
            if t:
                d["types"] = list(t)
            if not isinstance(it, str) and it.get("language"):
                d["language"] = it["language"]
            body_items.append(d)
        body: Dict[str, Any] = {"items": body_items}
        if language:
            body["language"] = language
        if regions:
            body["regions"] = list(regions)
        return self._do(_Call("POST", "/v1/pii/detect-batch", body,
                              parse=lambda b, r: [_pii(_get(x, "findings", list, [])) for x in _get(b, "results", list)]))

    def pii_mask(self, text: str, strategy: str = "", *, types: Sequence[str] = (), per_type: Optional[Mapping[str, str]] = None,
                 language: str = "") -> Any:
        """POST /v1/pii/mask (strategy mask | redact | hash | encrypt) → :class:`MaskResult`."""
        body: Dict[str, Any] = {"text": text}
        if strategy:
            body["strategy"] = strategy
        if types:
            body["types"] = list(types)
        if per_type:
            body["per_type"] = dict(per_type)
        if language:
            body["language"] = language
        return self._do(_Call("POST", "/v1/pii/mask", body,
                              parse=lambda b, r: MaskResult(_get(b, "text", str), _pii(_get(b, "findings", list, [])))))

    # -- encryption ----------------------------------------------------------

    def encrypt(self, data: Union[str, bytes], *, context: Context, purpose: str = "", subject: str = "") -> Any:
        """POST /v1/crypto/encrypt: text (str) or bytes → the ciphertext (``rc1:...``)."""
        body = _plain_item(data, purpose, subject, context)
        return self._do(_Call("POST", "/v1/crypto/encrypt", body, parse=lambda b, r: _get(b, "ciphertext", str)))

    def encrypt_batch(self, items: Iterable[Union[str, bytes, Mapping[str, Any]]], *, context: Context = None,
                      purpose: str = "", subject: str = "") -> Any:
        """POST /v1/crypto/encrypt-batch (up to 1,000, all or nothing): each item
        is text, bytes, or a mapping ``{data, context, purpose, subject}`` whose
        keys override the call's → list of ciphertexts, in order."""
        body_items = []
        for it in items:
            if isinstance(it, Mapping):
                body_items.append(_plain_item(it.get("data", it.get("text")), str(it.get("purpose", purpose) or ""),
                                              str(it.get("subject", subject) or ""), it.get("context", context)))
            else:
                body_items.append(_plain_item(it, purpose, subject, context))

        def parse(b: Any, r: Any) -> List[str]:
            return [_get(x, "ciphertext", str) for x in _get(b, "items", list)]
        return self._do(_Call("POST", "/v1/crypto/encrypt-batch", {"items": body_items}, parse=parse))

    def decrypt(self, ciphertext: str, *, context: Context) -> Any:
        """POST /v1/crypto/decrypt (same context as encrypt) → :class:`Plaintext`."""
        return self._do(_Call("POST", "/v1/crypto/decrypt", {"ciphertext": ciphertext, "context": _context(context)}, parse=_plaintext))

    def decrypt_batch(self, items: Iterable[Union[str, Tuple[str, Context], Mapping[str, Any]]], *, context: Context = None) -> Any:
        """POST /v1/crypto/decrypt-batch (up to 1,000): each item is a ciphertext
        (under the call's context), a (ciphertext, context) pair or a mapping
        → list, in order, of :class:`Plaintext` or, for an item that failed on
        its own (wrong context, unknown key), its :class:`RampartError` (returned,
        not raised)."""
        body_items = []
        for it in items:
            if isinstance(it, str):
                body_items.append({"ciphertext": it, "context": _context(context)})
            elif isinstance(it, Mapping):
                body_items.append({"ciphertext": str(it.get("ciphertext", "")), "context": _context(it.get("context", context))})
            else:
                ct, ctx = it
                body_items.append({"ciphertext": ct, "context": _context(ctx)})

        def parse(b: Any, r: Any) -> List[Union[Plaintext, RampartError]]:
            return [_item_error(x["error"]) if isinstance(x, dict) and "error" in x else _plaintext(x) for x in _get(b, "items", list)]
        return self._do(_Call("POST", "/v1/crypto/decrypt-batch", {"items": body_items}, parse=parse))

    def encrypt_document(self, document: Mapping[str, Any], fields: Mapping[str, str], *, context: Context,
                         subject: str = "") -> Any:
        """POST /v1/crypto/encrypt-document: the named (dotted) fields, each under
        a purpose, e.g. ``{"user.email": "email"}`` → :class:`Document`."""
        body: Dict[str, Any] = {"document": dict(document), "fields": dict(fields), "context": _context(context)}
        if subject:
            body["subject"] = subject
        return self._do(_Call("POST", "/v1/crypto/encrypt-document", body,
                              parse=lambda b, r: Document(_get(b, "document", dict), tuple(_get(b, "encrypted_fields", list, [])))))

    def decrypt_document(self, document: Mapping[str, Any], *, context: Context) -> Any:
        """POST /v1/crypto/decrypt-document → :class:`Document`."""
        body = {"document": dict(document), "context": _context(context)}
        return self._do(_Call("POST", "/v1/crypto/decrypt-document", body,
                              parse=lambda b, r: Document(_get(b, "document", dict), tuple(_get(b, "decrypted_fields", list, [])))))

    # -- audit ---------------------------------------------------------------

    def audit_events(self, *, type: str = "", user_id: str = "", since: str = "", limit: int = 0, cursor: str = "") -> Any:
        """GET /v1/audit/events (admin:audit), newest first → :class:`AuditPage`;
        pass ``next_cursor`` as cursor for the next page."""
        params = {k: v for k, v in (("type", type), ("user_id", user_id), ("since", since), ("limit", limit), ("cursor", cursor)) if v}

        def parse(b: Any, r: Any) -> AuditPage:
            evs = _get(b, "events", list, [])
            if not all(isinstance(e, dict) for e in evs):
                raise _BadAnswer("events: expected objects")
            nc = b.get("next_cursor")
            return AuditPage(tuple(evs), nc if isinstance(nc, str) else None)
        return self._do(_Call("GET", "/v1/audit/events", params=params, parse=parse))

    # -- anything else -------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, params: Optional[Dict[str, Any]] = None, ok: Tuple[int, ...] = (200, 201, 202, 204)) -> Any:
        """Calls any route; returns the decoded JSON answer (None for no body)."""
        return self._do(_Call(method, path, body, params, ok=ok))


class _Transport:
    def __init__(self, base_url: str, api_key: str = "", token: str = "", operator_token: str = ""):
        if not base_url:
            raise ValueError("rampart: the client needs Rampart's base URL")
        if sum(bool(x) for x in (api_key, token, operator_token)) > 1:
            raise ValueError("rampart: give one of api_key, token or operator_token")
        self.base_url = base_url.rstrip("/")
        self._headers = {"Accept": "application/json, application/problem+json", "User-Agent": "rampart-python/0.1"}
        if api_key:
            self._headers["Authorization"] = "ApiKey " + api_key
        elif token or operator_token:
            self._headers["Authorization"] = "Bearer " + (token or operator_token)

    def _finish(self, call: _Call, resp: httpx.Response) -> Any:
        body: Any = None
        if resp.content:
            try:
                body = resp.json()
            except ValueError:
                body = None
                if resp.status_code in call.ok or resp.status_code < 500:
                    raise TransportError("Rampart answered %d with a body that is not JSON" % resp.status_code,
                                         status=resp.status_code) from None
        if resp.status_code not in call.ok:
            if call.on_error is not None:
                out = call.on_error(resp.status_code, body, resp)
                if out is not None:
                    return out
            raise from_problem(resp.status_code, body, dict(resp.headers))
        try:
            return call.parse(body, resp)
        except (_BadAnswer, KeyError, TypeError, ValueError, AttributeError) as e:
            raise TransportError("Rampart's answer to %s %s is not what the SDK expects: %s" % (call.method, call.path, e),
                                 status=resp.status_code) from None


class Client(_API, _Transport):
    """Sync client: ``Client("https://rampart.example.com", api_key="rmp_...")``."""

    def __init__(self, base_url: str, *, api_key: str = "", token: str = "", operator_token: str = "",
                 timeout: float = DEFAULT_TIMEOUT, http_client: Optional[httpx.Client] = None):
        _Transport.__init__(self, base_url, api_key, token, operator_token)
        self._http = http_client or httpx.Client(timeout=timeout)

    def _do(self, call: _Call) -> Any:
        try:
            resp = self._http.request(call.method, self.base_url + call.path, json=call.body if call.method != "GET" else None,
                                      params=call.params, headers=self._headers)
        except httpx.HTTPError as e:
            raise TransportError("rampart: %s %s: %s: %s" % (call.method, call.path, type(e).__name__, e)) from None
        return self._finish(call, resp)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncClient(_API, _Transport):
    """Async client: every method is a coroutine."""

    def __init__(self, base_url: str, *, api_key: str = "", token: str = "", operator_token: str = "",
                 timeout: float = DEFAULT_TIMEOUT, http_client: Optional[httpx.AsyncClient] = None):
        _Transport.__init__(self, base_url, api_key, token, operator_token)
        self._http = http_client or httpx.AsyncClient(timeout=timeout)

    async def _do(self, call: _Call) -> Any:  # type: ignore[override]
        try:
            resp = await self._http.request(call.method, self.base_url + call.path, json=call.body if call.method != "GET" else None,
                                            params=call.params, headers=self._headers)
        except httpx.HTTPError as e:
            raise TransportError("rampart: %s %s: %s: %s" % (call.method, call.path, type(e).__name__, e)) from None
        return self._finish(call, resp)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
