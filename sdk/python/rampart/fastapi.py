"""FastAPI and Starlette integration (needs the ``fastapi`` extra).

    auth = RampartAuth(Verifier(issuer="https://rampart.example.com"))
    app = FastAPI()
    auth.install(app)  # problem+json errors, and the default auth of require_permission

    @app.get("/conversations/{conversation_id}")
    async def get_conversation(conversation_id: str,
                               user: Principal = Depends(require_permission("conversations:read", resource_param="conversation_id"))):
        ...

Errors are RFC 9457 problem documents shaped like Rampart's own (``type``,
``title``, ``status``, ``detail``, ``code``, ``error_id``).
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from .client import AsyncClient, RateLimitResult
from .errors import InvalidToken, JWKSUnavailable, RampartError
from .permissions import validate_permission
from .tenants import DEFAULT_TTL, TenantPolicies
from .verifier import GATE_PASSWORD_CHANGE, GATE_TERMS, Principal, Verifier

log = logging.getLogger("rampart")

PROBLEM_TYPE_BASE = "urn:rampart:problem:"
_TITLES = {
    "invalid": "Invalid request", "unprocessable": "Validation failed", "unauthorized": "Unauthorized",
    "forbidden": "Forbidden", "not_found": "Not found", "unavailable": "Service unavailable",
    "internal": "Internal error", "RATE_LIMIT_EXCEEDED": "Too many requests",
    GATE_PASSWORD_CHANGE: "Password change required", GATE_TERMS: "Terms not accepted",
}
_GATE_DETAIL = {
    GATE_PASSWORD_CHANGE: "you must change your password first: POST /v1/me/password",
    GATE_TERMS: "you must accept the current terms first: POST /v1/me/terms",
}
_STATE_KEY = "rampart_principal"


def new_error_id() -> str:
    """A random id tying a problem shown to a caller to the log line with its cause."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def problem_body(status: int, code: str, detail: str, error_id: str = "", **extensions: Any) -> Dict[str, Any]:
    p: Dict[str, Any] = {"type": PROBLEM_TYPE_BASE + code, "title": _TITLES.get(code, "Error"), "status": status,
                         "detail": detail, "code": code, "error_id": error_id or new_error_id()}
    for k, v in extensions.items():
        p.setdefault(k, v)
    return p


class Problem(HTTPException):
    """An HTTP error answered as problem+json (once :func:`add_problem_handler`
    or :meth:`RampartAuth.install` ran; a plain FastAPI app shows its detail)."""

    def __init__(self, status: int, code: str, detail: str, headers: Optional[Mapping[str, str]] = None, **extensions: Any):
        super().__init__(status_code=status, detail=detail, headers=dict(headers) if headers else None)
        self.code = code
        self.extensions = extensions

    def body(self) -> Dict[str, Any]:
        return problem_body(self.status_code, self.code, str(self.detail), **self.extensions)


async def _problem_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    body = exc.body()
    if exc.status_code >= 500:
        log.warning("rampart: %s (error_id %s)", exc.detail, body["error_id"])
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers, media_type="application/problem+json")


def add_problem_handler(app: Any) -> None:
    """Answers :class:`Problem` errors as problem+json."""
    app.add_exception_handler(Problem, _problem_handler)


def bearer_token(request: Request) -> str:
    scheme, _, raw = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return ""
    return raw.strip()


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "unauthorized", detail, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


class RampartAuth:
    """A FastAPI dependency that admits requests bearing a valid Rampart access
    token and returns its :class:`Principal` (401 problem+json otherwise).

    Like the server, it refuses (403) a session whose token says it must
    change its password (``password_change_required``) or has not accepted
    the terms its tenant requires (``terms_not_accepted``), and one that may
    only enrol in MFA. ``allow_gated=True`` admits the first two (for your
    own "change your password" or "accept the terms" pages).

    With a ``client`` (a tenant API key with ``users:read``), the caller's
    role is judged by its tenant's own catalogue, custom roles included, and
    the tenant's terms requirement is known: both are loaded through the
    client and cached per tenant for ``roles_ttl`` seconds (pass
    ``tenants=TenantPolicies({tenant_id: client, ...})`` for several
    tenants). Tenants no client serves are judged by the verifier's
    catalogues. A policy that cannot be loaded, and was never cached,
    answers 503 (fail closed).

    With ``introspect=True`` it also asks Rampart whether the session still
    lives (logout, revocation), one call a request; Rampart unreachable then
    answers 503 (fail closed).
    """

    def __init__(self, verifier: Verifier, *, client: Optional[AsyncClient] = None, introspect: bool = False,
                 tenants: Optional[TenantPolicies] = None, roles_ttl: float = DEFAULT_TTL, allow_gated: bool = False):
        if introspect and client is None:
            raise ValueError("rampart: introspect=True needs a client")
        self.verifier = verifier
        self.client = client
        self.introspect = introspect
        self.tenants = tenants if tenants is not None else (TenantPolicies(client, roles_ttl) if client is not None else None)
        self.allow_gated = allow_gated

    def install(self, app: Any) -> "RampartAuth":
        """Makes this the auth of require_permission in app, and answers
        problems as problem+json."""
        app.state.rampart_auth = self
        add_problem_handler(app)
        return self

    async def __call__(self, request: Request) -> Principal:
        p = getattr(request.state, _STATE_KEY, None)
        if not isinstance(p, Principal):
            p = await self._principal(request)
            setattr(request.state, _STATE_KEY, p)
        if p.gate and not self.allow_gated:
            raise Problem(403, p.gate, _GATE_DETAIL[p.gate])
        if p.enrolment_only:
            raise Problem(403, "forbidden", "this session may only enrol in MFA")
        return p

    async def _principal(self, request: Request) -> Principal:
        raw = bearer_token(request)
        if not raw:
            raise _unauthorized("an access token is required")
        try:
            p = await self.verifier.averify(raw)
        except InvalidToken as e:
            log.debug("rampart: token refused: %s %s", e.reason, e.reason_detail)
            raise _unauthorized("invalid token") from None
        except JWKSUnavailable as e:
            log.error("rampart: %s", e)
            raise Problem(503, "unavailable", "token keys are unavailable; retry shortly", {"Retry-After": "1"}) from None
        if self.introspect:
            assert self.client is not None
            try:
                active = (await self.client.introspect(raw)).active
            except RampartError as e:
                log.error("rampart: introspection failed: %s", e)
                raise Problem(503, "unavailable", "session check is unavailable; retry shortly", {"Retry-After": "1"}) from None
            if not active:
                raise _unauthorized("invalid token")
        if self.tenants is not None:
            try:
                policy = await self.tenants.aget(p.tenant_id)
            except RampartError as e:
                log.error("rampart: policy of tenant %s unavailable: %s", p.tenant_id, e)
                raise Problem(503, "unavailable", "the tenant's roles are unavailable; retry shortly", {"Retry-After": "1"}) from None
            if policy is not None:
                p = policy.apply(p)
        return p


# FastAPI reads a dependency's annotations; an instance has no module globals
# to resolve postponed (string) ones in, so give __call__ the types themselves.
RampartAuth.__call__.__annotations__ = {"request": Request, "return": Principal}


def require_permission(permission: str, resource_param: Optional[str] = None, *, auth: Optional[RampartAuth] = None) -> Callable[..., Any]:
    """A dependency admitting only callers who hold permission, on the resource
    named by the path (or query) parameter resource_param when given, by
    Rampart's rules (resource grants such as ``conversations:read:c-42``);
    403 problem+json otherwise. Returns the :class:`Principal`."""
    msg = validate_permission(permission)
    if msg:
        raise ValueError("rampart: permission %r %s" % (permission, msg))

    async def dependency(request: Request) -> Principal:
        a = auth or getattr(request.app.state, "rampart_auth", None)
        if a is None:
            raise RuntimeError("rampart: call RampartAuth(...).install(app) or pass auth= to require_permission")
        p = await a(request)
        resource = ""
        if resource_param:
            resource = str(request.path_params.get(resource_param) or request.query_params.get(resource_param) or "")
        if not p.allowed(permission, resource):
            raise Problem(403, "forbidden", "permission %s is required" % permission)
        return p

    dependency.__name__ = "require_" + permission.replace(":", "_")
    return dependency


# -- rate limits ---------------------------------------------------------------


def client_address(request: Request) -> str:
    """The key of anonymous callers: the peer address (behind a proxy, pass a
    key function that reads your trusted forwarding header)."""
    return "ip:" + (request.client.host if request.client else "unknown")


@dataclass(frozen=True)
class RateLimitRule:
    """Which requests spend which Rampart operation.

    path matches exactly, or as a prefix when it ends with ``*``; methods
    empty means any. key returns the budget's key (default: the verified
    caller's user id, else the client address). fail_closed refuses (503)
    when Rampart cannot decide, as Rampart does for its login limit; other
    rules follow the middleware's ``failure``.
    """

    operation: str
    path: str = "*"
    methods: Tuple[str, ...] = ()
    key: Optional[Callable[[Request], str]] = None
    fail_closed: bool = False
    cost: int = 1

    def applies(self, method: str, path: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


class RateLimitMiddleware:
    """ASGI middleware spending Rampart's budgets through ``POST /v1/ratelimit/check``.

    A refused request gets Rampart's 429 problem (``RATE_LIMIT_EXCEEDED``,
    ``retry_after``, ``reset_time``) and never reaches the app; every
    decided request carries Rampart's X-RateLimit-*, RateLimit and
    RateLimit-Policy headers.

        app.add_middleware(RateLimitMiddleware, client=AsyncClient(url, api_key=key), verifier=verifier,
                           rules=[RateLimitRule("logins", path="/login", key=client_address, fail_closed=True),
                                  RateLimitRule("api_calls", path="/conversations*")])
    """

    def __init__(self, app: Any, client: AsyncClient, rules: Sequence[RateLimitRule], *, verifier: Optional[Verifier] = None,
                 failure: str = "open"):
        if failure not in ("open", "closed"):
            raise ValueError("rampart: failure is 'open' or 'closed'")
        self.app = app
        self.client = client
        self.rules = list(rules)
        self.verifier = verifier
        self.fail_open = failure == "open"

    async def _key(self, rule: RateLimitRule, request: Request) -> str:
        if rule.key is not None:
            return rule.key(request)
        raw = bearer_token(request)
        if raw and self.verifier is not None:
            try:
                return "user:" + (await self.verifier.averify(raw)).user_id
            except RampartError:
                pass
        return client_address(request)

    async def __call__(self, scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rules = [r for r in self.rules if r.applies(scope["method"], scope["path"])]
        if not rules:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        passed: Optional[RateLimitResult] = None
        for rule in rules:
            res: Optional[RateLimitResult]
            try:
                res = await self.client.ratelimit_check(await self._key(rule, request), rule.operation, rule.cost)
                if res.degraded and rule.fail_closed:
                    res = None  # Rampart let it through only because its limiter is down
            except RampartError as e:
                log.error("rampart: rate limit %s undecided: %s", rule.operation, e)
                res = None
            if res is None:
                if rule.fail_closed or not self.fail_open:
                    await _send_problem(send, 503, problem_body(503, "unavailable", "rate limiting is unavailable; retry shortly"),
                                        {"retry-after": "1"})
                    return
                continue
            if not res.allowed:
                body = dict(res.problem) or problem_body(429, "RATE_LIMIT_EXCEEDED", "rate limit exceeded",
                                                         retry_after=res.retry_after, reset_time=res.reset_time)
                await _send_problem(send, 429, body, res.headers)
                return
            if passed is None or res.remaining < passed.remaining:
                passed = res
        headers = dict(passed.headers) if passed is not None else {}

        async def send_with_headers(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and headers:
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _send_problem(send: Callable[..., Any], status: int, body: Mapping[str, Any], headers: Mapping[str, str]) -> None:
    raw = json.dumps(body).encode("utf-8")
    hs: List[Tuple[bytes, bytes]] = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(raw)).encode())]
    hs += [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": hs})
    await send({"type": "http.response.body", "body": raw})
