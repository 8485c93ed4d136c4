"""Typed errors. Every failure of the SDK is a :class:`RampartError`; none is a
bare KeyError, ValueError or httpx exception."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional


class RampartError(Exception):
    """Base of every error the SDK raises.

    Errors that come from a Rampart answer carry its problem document
    (RFC 9457): ``status``, ``code``, ``detail``, ``error_id`` (quote it to
    find the cause in Rampart's log) and ``field`` when one field is at fault.
    """

    status: int = 0
    code: str = ""

    def __init__(
        self,
        detail: str = "",
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        error_id: str = "",
        field: str = "",
        problem: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[int] = None,
        headers: Optional[Mapping[str, str]] = None,
    ):
        super().__init__(detail or self.__class__.__name__)
        self.detail = detail
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.error_id = error_id
        self.field = field
        self.problem: Dict[str, Any] = dict(problem or {})
        self.retry_after = retry_after
        self.headers: Dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        s = self.detail or self.__class__.__name__
        if self.code:
            s = "%s (%s)" % (s, self.code)
        if self.error_id:
            s += " [error_id %s]" % self.error_id
        return s


class InvalidToken(RampartError):
    """A token that does not verify. Like Rampart, it never says which check failed
    to the caller; ``reason`` says it for your own (debug) log."""

    status = 401
    code = "unauthorized"

    def __init__(self, reason: str = "malformed", detail: str = ""):
        super().__init__("invalid token")
        self.reason = reason
        self.reason_detail = detail


class JWKSUnavailable(RampartError):
    """The JWKS could not be fetched (or held no usable key) and no keys are cached."""

    status = 503
    code = "unavailable"


class TransportError(RampartError):
    """Rampart could not be reached, or answered something that is not its API."""

    status = 503
    code = "unavailable"


class BadRequest(RampartError):
    status, code = 400, "invalid"


class Unprocessable(RampartError):
    status, code = 422, "unprocessable"


class Unauthorized(RampartError):
    status, code = 401, "unauthorized"


class Forbidden(RampartError):
    status, code = 403, "forbidden"


class NotFound(RampartError):
    status, code = 404, "not_found"


class Conflict(RampartError):
    status, code = 409, "conflict"


class TooLarge(RampartError):
    status, code = 413, "too_large"


class RateLimited(RampartError):
    status, code = 429, "RATE_LIMIT_EXCEEDED"


class Unavailable(RampartError):
    status, code = 503, "unavailable"


class ServerError(RampartError):
    status, code = 500, "internal"


_BY_STATUS = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict,
              413: TooLarge, 422: Unprocessable, 429: RateLimited, 503: Unavailable}


def from_problem(status: int, body: Any, headers: Optional[Mapping[str, str]] = None) -> RampartError:
    """The typed error of a Rampart error answer (problem+json or not)."""
    problem: Dict[str, Any] = body if isinstance(body, dict) else {}
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else RampartError)
    retry: Optional[int] = None
    raw_retry = (headers or {}).get("retry-after") or (headers or {}).get("Retry-After")
    for candidate in (problem.get("retry_after"), raw_retry):
        try:
            if candidate is not None:
                retry = int(candidate)
                break
        except (TypeError, ValueError):
            pass
    detail = problem.get("detail")
    return cls(
        str(detail) if detail else "Rampart answered %d" % status,
        status=status,
        code=str(problem.get("code") or cls.code),
        error_id=str(problem.get("error_id") or ""),
        field=str(problem.get("field") or ""),
        problem=problem,
        retry_after=retry,
        headers=headers,
    )
