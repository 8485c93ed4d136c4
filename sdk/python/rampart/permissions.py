"""Rampart's permission engine, the same rules as the Go ``authz`` package.

Permissions are ``category:action``; grants may be ``*``, ``category:*``,
``category:action`` or resource grants ``category:action:resource`` (the
action may be ``*``). Wildcards match whole ``:`` segments only; a grant
without a resource covers every resource, one with a resource only that
resource. ``authz/testdata/permission_cases.json`` holds the cases both
engines must answer alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

MAX_PERMISSION_LEN = 200
MAX_RESOURCE_LEN = 128
_MAX_SEGMENTS = 3

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_RESOURCE = _PLAIN | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ.~/@")

PRESET_CHATBOT = "chatbot"
PRESET_DOCUMENTS = "document_intelligence"
PRESET_COACHING = "coaching"
DEFAULT_PRESET = PRESET_CHATBOT


def _valid_segment(s: str, resource: bool) -> bool:
    if not s:
        return False
    allowed = _RESOURCE if resource else _PLAIN
    for c in s:
        if c not in allowed:
            return False
    return True


def validate_grant(p: str) -> str:
    """Checks a permission that may be granted; returns what is wrong, or ""."""
    if p == "*":
        return ""
    if len(p) > MAX_PERMISSION_LEN:
        return "longer than %d characters" % MAX_PERMISSION_LEN
    parts = p.split(":")
    if len(parts) < 2 or len(parts) > _MAX_SEGMENTS:
        return "must be category:action or category:action:resource"
    if not _valid_segment(parts[0], False):
        return "the category must be lowercase letters, digits, _ or -"
    if parts[1] != "*" and not _valid_segment(parts[1], False):
        return "the action must be lowercase letters, digits, _ or -, or *"
    if len(parts) == 3 and not _valid_segment(parts[2], True):
        return "the resource must be letters, digits or . _ - ~ / @"
    return ""


def validate_permission(p: str) -> str:
    """Checks a permission asked for in a check: exactly ``category:action``."""
    if len(p) > MAX_PERMISSION_LEN:
        return "longer than %d characters" % MAX_PERMISSION_LEN
    cat, sep, act = p.partition(":")
    if not sep or ":" in act or not _valid_segment(cat, False) or not _valid_segment(act, False):
        return "must be category:action (lowercase letters, digits, _ or -)"
    return ""


def validate_resource(r: str) -> str:
    """Checks a resource id given to a check ("" is no resource)."""
    if r == "":
        return ""
    if len(r) > MAX_RESOURCE_LEN or not _valid_segment(r, True):
        return "must be at most 128 letters, digits or . _ - ~ / @"
    return ""


def _split(p: str) -> Tuple[str, str]:
    cat, _, act = p.partition(":")
    return cat, act


def _matches(grant: str, cat: str, act: str, resource: str) -> bool:
    if grant == "*":
        return True
    gc, sep, rest = grant.partition(":")
    if not sep or gc != cat:
        return False
    ga, has_res, gr = rest.partition(":")
    if ga != "*" and ga != act:
        return False
    if not has_res:
        return True
    return resource != "" and gr == resource


def matches(grant: str, permission: str, resource: str = "") -> bool:
    """Reports whether grant covers permission (category:action) on resource."""
    cat, act = _split(permission)
    return _matches(grant, cat, act, resource or "")


@dataclass(frozen=True)
class Role:
    """A named set of permissions at a level of the tenant's hierarchy."""

    name: str
    level: int
    permissions: Tuple[str, ...] = ()
    custom: bool = False


@dataclass(frozen=True)
class Decision:
    """An answer and the grant that decided it."""

    allowed: bool
    source: str = ""  # "role" or "custom"; "" when denied
    rule: str = ""
    role: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def reason(self) -> str:
        if not self.allowed:
            return "no role or custom permission grants it"
        if self.source == "role":
            return "role %s grants %s" % (self.role, self.rule)
        return "custom permission %s" % self.rule


_DENIED = Decision(False)


def _load_presets() -> Dict[str, List[Role]]:
    raw = json.loads(resources.files(__package__).joinpath("presets.json").read_text("utf-8"))
    return {
        name: [Role(r["name"], int(r["level"]), tuple(r["permissions"] or ())) for r in roles]
        for name, roles in raw.items()
    }


PRESETS: Mapping[str, List[Role]] = _load_presets()


class Catalogue:
    """A tenant's roles: a preset plus custom roles (which never replace preset ones).

    Build one from ``GET /v1/roles`` with :meth:`from_roles_response` when a
    tenant has custom roles, or let :class:`rampart.TenantPolicies` load and
    cache them (``RampartAuth(..., client=...)`` does).
    """

    __slots__ = ("preset", "_roles")

    def __init__(self, preset: str = DEFAULT_PRESET, custom: Iterable[object] = ()):
        if preset not in PRESETS:
            raise ValueError("rampart: unknown role preset %r" % (preset,))
        self.preset = preset
        roles: Dict[str, Role] = {r.name: r for r in PRESETS[preset]}
        for c in custom:
            r = _role(c)
            if r.name not in roles:
                roles[r.name] = Role(r.name, r.level, r.permissions, True)
        self._roles = roles

    @classmethod
    def from_roles_response(cls, body: Mapping[str, object]) -> "Catalogue":
        """The catalogue of a ``GET /v1/roles`` answer ``{preset, roles}``."""
        roles = body.get("roles") or []
        custom = [r for r in roles if isinstance(r, Mapping) and r.get("custom")]  # type: ignore[union-attr]
        return cls(str(body.get("preset") or DEFAULT_PRESET), custom)

    def role(self, name: str) -> Optional[Role]:
        return self._roles.get(name)

    def roles(self) -> List[Role]:
        """The roles, highest level first, then by name."""
        return sorted(self._roles.values(), key=lambda r: (-r.level, r.name))

    def level(self, role: str) -> int:
        r = self._roles.get(role)
        return r.level if r else 0

    def check(self, role: str, permissions: Sequence[str], permission: str, resource: str = "") -> Decision:
        """Decides whether a subject (role plus custom permissions) may do
        permission, optionally on resource. Custom permissions come first."""
        cat, act = _split(permission)
        resource = resource or ""
        for g in permissions:
            if _matches(g, cat, act, resource):
                return Decision(True, "custom", g)
        r = self._roles.get(role)
        if r is not None:
            for g in r.permissions:
                if _matches(g, cat, act, resource):
                    return Decision(True, "role", g, r.name)
        return _DENIED


def _role(c: object) -> Role:
    if isinstance(c, Role):
        return c
    if isinstance(c, Mapping):
        try:
            return Role(str(c["name"]), int(c.get("level") or 0), tuple(c.get("permissions") or ()))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError("rampart: a custom role needs name, level and permissions: %s" % e) from None
    raise TypeError("rampart: a custom role is a Role or a mapping, not %s" % type(c).__name__)
