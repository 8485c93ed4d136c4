"""Rampart for Python: verify access tokens offline, enforce permissions with
Rampart's engine, and call its API (sync and async). FastAPI integration is in
:mod:`rampart.fastapi` (the ``fastapi`` extra)."""

from .client import (AsyncClient, AuditPage, CheckResult, Client, Document, GuardFinding, GuardResult, Introspection,
                     MaskResult, PIIFinding, Plaintext, RateLimitResult)
from .errors import (BadRequest, Conflict, Forbidden, InvalidToken, JWKSUnavailable, NotFound, RampartError, RateLimited,
                     ServerError, TooLarge, TransportError, Unauthorized, Unavailable, Unprocessable)
from .permissions import (Catalogue, Decision, Role, matches, validate_grant, validate_permission, validate_resource)
from .tenants import TenantPolicies, TenantPolicy
from .verifier import Principal, Verifier

__version__ = "0.1.0"

__all__ = [
    "AsyncClient", "AuditPage", "BadRequest", "Catalogue", "CheckResult", "Client", "Conflict", "Decision", "Document",
    "Forbidden", "GuardFinding", "GuardResult", "Introspection", "InvalidToken", "JWKSUnavailable", "MaskResult",
    "NotFound", "PIIFinding", "Plaintext", "Principal", "RampartError", "RateLimitResult", "RateLimited", "Role",
    "ServerError", "TenantPolicies", "TenantPolicy", "TooLarge", "TransportError", "Unauthorized", "Unavailable", "Unprocessable", "Verifier", "matches",
    "validate_grant", "validate_permission", "validate_resource",
]
