"""Each tenant's role catalogue and terms requirement, loaded from Rampart.

A token names its caller's role, but not what the role grants: custom roles
(``POST /v1/roles``) live in the tenant's catalogue. :class:`TenantPolicies`
loads it through the client (``GET /v1/tenant`` and ``GET /v1/roles``, an API
key with ``users:read``), caches it per tenant for ``ttl`` seconds, and keeps
the last good answer while Rampart is unreachable. :class:`rampart.fastapi.RampartAuth`
builds one from its client; sync code calls :meth:`TenantPolicies.get` and
:meth:`TenantPolicy.apply`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

from .client import AsyncClient, Client
from .errors import RampartError, TransportError
from .permissions import Catalogue
from .verifier import Principal

log = logging.getLogger("rampart")

DEFAULT_TTL = 60.0  # seconds a tenant's catalogue is trusted before it is fetched again
RETRY_AFTER_FAILURE = 5.0  # with a stale entry, seconds before a failed fetch is tried again

AnyClient = Union[Client, AsyncClient]


@dataclass(frozen=True)
class TenantPolicy:
    """What a tenant's settings say about its callers."""

    tenant_id: str
    catalogue: Catalogue
    terms_version: str = ""
    terms_required: bool = False

    def apply(self, p: Principal) -> Principal:
        """The principal judged by this tenant's catalogue, its terms gate known."""
        if p.tenant_id != self.tenant_id:
            raise ValueError("rampart: a policy of tenant %s for a principal of %s" % (self.tenant_id, p.tenant_id))
        return dataclasses.replace(p, catalogue=self.catalogue,
                                   terms_required=self.terms_required and bool(self.terms_version))


def _policy(tenant: Any, roles: Any) -> TenantPolicy:
    if not isinstance(tenant, dict) or not isinstance(tenant.get("id"), str) or not isinstance(roles, dict):
        raise TransportError("Rampart's answer to GET /v1/tenant or /v1/roles is not what the SDK expects")
    settings = tenant.get("settings") if isinstance(tenant.get("settings"), dict) else {}
    try:
        cat = Catalogue.from_roles_response(roles)
    except (ValueError, TypeError) as e:
        raise TransportError("Rampart's role catalogue does not parse: %s" % e) from None
    tv = settings.get("terms_version")
    return TenantPolicy(tenant["id"], cat, tv if isinstance(tv, str) else "", settings.get("terms_required") is True)


class _Entry:
    __slots__ = ("policy", "fresh_until")

    def __init__(self, policy: TenantPolicy, fresh_until: float):
        self.policy, self.fresh_until = policy, fresh_until


class TenantPolicies:
    """Tenants' policies, each cached for ``ttl`` seconds.

    ``client`` is one client (its API key's tenant is learned from ``GET
    /v1/tenant``; other tenants get None) or a mapping of tenant ids to
    clients, one a tenant. :meth:`aget` needs async clients, :meth:`get`
    sync ones. A fetch that fails serves the stale entry when there is one
    (and retries after a few seconds); with none it raises the
    :class:`RampartError`, and callers should fail closed.
    """

    def __init__(self, client: Union[AnyClient, Mapping[str, AnyClient]], ttl: float = DEFAULT_TTL, *,
                 clock: Callable[[], float] = time.monotonic):
        if isinstance(client, Mapping):
            self._clients: Dict[str, AnyClient] = dict(client)
            self._default: Optional[AnyClient] = None
        else:
            self._clients, self._default = {}, client
        self._default_tenant: Optional[str] = None
        self.ttl = ttl
        self._clock = clock
        self._entries: Dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._inflight: Dict[Tuple[str, int], "asyncio.Future[Optional[TenantPolicy]]"] = {}

    def invalidate(self, tenant_id: Optional[str] = None) -> None:
        """Forgets a tenant's entry (all when None): the next use fetches it."""
        with self._lock:
            if tenant_id is None:
                self._entries.clear()
            else:
                self._entries.pop(tenant_id, None)

    def _client_for(self, tenant_id: str) -> Optional[AnyClient]:
        if tenant_id in self._clients:
            return self._clients[tenant_id]
        if self._default is not None and self._default_tenant in (None, tenant_id):
            return self._default
        return None

    def _cached(self, tenant_id: str) -> Tuple[Optional[_Entry], bool]:
        e = self._entries.get(tenant_id)
        return e, e is not None and self._clock() < e.fresh_until

    def _store(self, tenant_id: str, policy: TenantPolicy, client: AnyClient) -> Optional[TenantPolicy]:
        if client is self._default and tenant_id not in self._clients:
            self._default_tenant = policy.tenant_id
        self._entries[policy.tenant_id] = _Entry(policy, self._clock() + self.ttl)
        return policy if policy.tenant_id == tenant_id else None

    def _failed(self, tenant_id: str, entry: Optional[_Entry], err: RampartError) -> Optional[TenantPolicy]:
        if entry is None:
            raise err
        log.warning("rampart: policy of tenant %s not refreshed, keeping the cached one: %s", tenant_id, err)
        entry.fresh_until = self._clock() + min(self.ttl, RETRY_AFTER_FAILURE)
        return entry.policy

    def get(self, tenant_id: str) -> Optional[TenantPolicy]:
        """The tenant's policy (sync clients); None for a tenant no client serves."""
        entry, fresh = self._cached(tenant_id)
        if fresh:
            return entry.policy  # type: ignore[union-attr]
        client = self._client_for(tenant_id)
        if client is None:
            return None
        if not isinstance(client, Client):
            raise TypeError("rampart: TenantPolicies.get needs a sync Client; use aget with an AsyncClient")
        with self._lock:
            entry, fresh = self._cached(tenant_id)
            if fresh:
                return entry.policy  # type: ignore[union-attr]
            try:
                policy = _policy(client.request("GET", "/v1/tenant"), client.request("GET", "/v1/roles"))
            except RampartError as e:
                return self._failed(tenant_id, entry, e)
            return self._store(tenant_id, policy, client)

    async def aget(self, tenant_id: str) -> Optional[TenantPolicy]:
        """The tenant's policy (async clients); concurrent callers share one fetch."""
        entry, fresh = self._cached(tenant_id)
        if fresh:
            return entry.policy  # type: ignore[union-attr]
        client = self._client_for(tenant_id)
        if client is None:
            return None
        if not isinstance(client, AsyncClient):
            raise TypeError("rampart: TenantPolicies.aget needs an AsyncClient; use get with a Client")
        key = (tenant_id, id(asyncio.get_running_loop()))
        fut = self._inflight.get(key)
        if fut is None:
            fut = asyncio.ensure_future(self._aload(tenant_id, client, entry))
            self._inflight[key] = fut
            fut.add_done_callback(lambda _: self._inflight.pop(key, None))
        return await asyncio.shield(fut)

    async def _aload(self, tenant_id: str, client: AsyncClient, entry: Optional[_Entry]) -> Optional[TenantPolicy]:
        try:
            tenant, roles = await asyncio.gather(client.request("GET", "/v1/tenant"), client.request("GET", "/v1/roles"))
            policy = _policy(tenant, roles)
        except RampartError as e:
            return self._failed(tenant_id, entry, e)
        return self._store(tenant_id, policy, client)
