"""Tenants' role catalogues and terms loaded from Rampart (GET /v1/tenant,
GET /v1/roles), cached per tenant; the password and terms gates of the FastAPI
dependency, answered like the server's."""

import httpx
import pytest
from fastapi import Depends, FastAPI
from starlette.testclient import TestClient

from conftest import ISSUER, PASSWORD, _create_tenant, dead_url
from rampart import AsyncClient, Client, Principal, TenantPolicies, TransportError, Verifier
from rampart.fastapi import RampartAuth, require_permission
from test_fastapi import _problem, bearer


def _role(server, tenant, name, permissions, level=2):
    with server.as_user(tenant.owner_token) as u:
        r = u.post("/v1/roles", json={"name": name, "level": level, "permissions": permissions})
        assert r.status_code == 201, r.text


def _user(server, tenant, role, **attrs):
    email = "%s@%s.io" % (role, tenant.slug)
    with server.as_user(tenant.owner_token) as u:
        r = u.post("/v1/users", json={"email": email, "password": PASSWORD, "role": role})
        assert r.status_code == 201, r.text
        uid = r.json()["id"]
        if attrs:
            r = u.patch("/v1/users/" + uid, json=attrs)
            assert r.status_code == 200, r.text
    return server.login(tenant.slug, email)["access_token"]


def _app(auth):
    app = FastAPI()
    auth.install(app)

    @app.get("/tickets")
    async def tickets(user: Principal = Depends(require_permission("tickets:read"))):
        return {"user": user.user_id, "role": user.role}
    return app


class Switch(httpx.AsyncBaseTransport):
    """A transport that can pretend Rampart is down."""

    def __init__(self):
        self.inner, self.down, self.calls = httpx.AsyncHTTPTransport(), False, 0

    async def handle_async_request(self, request):
        self.calls += 1
        if self.down:
            raise httpx.ConnectError("down", request=request)
        return await self.inner.handle_async_request(request)


def test_custom_roles_are_loaded_and_cached_per_tenant(server, acme):
    _role(server, acme, "support", ["tickets:read", "conversations:read"])
    support = _user(server, acme, "support")
    verifier = Verifier(ISSUER, jwks_url=server.jwks_url)
    # Without the tenant's catalogue, the preset does not know the role.
    with TestClient(_app(RampartAuth(verifier))) as tc:
        _problem(tc.get("/tickets", headers=bearer(support)), 403, "forbidden")

    now = [1000.0]
    switch = Switch()
    client = AsyncClient(server.url, api_key=acme.api_key, http_client=httpx.AsyncClient(transport=switch))
    tenants = TenantPolicies(client, ttl=60, clock=lambda: now[0])
    with TestClient(_app(RampartAuth(verifier, client=client, tenants=tenants))) as tc:
        r = tc.get("/tickets", headers=bearer(support))
        assert r.status_code == 200 and r.json()["role"] == "support", r.text
        calls = switch.calls
        assert tc.get("/tickets", headers=bearer(support)).status_code == 200
        assert switch.calls == calls  # cached

        # A role created later is known once the entry expires.
        _role(server, acme, "triage", ["tickets:read"], level=1)
        triage = _user(server, acme, "triage")
        _problem(tc.get("/tickets", headers=bearer(triage)), 403, "forbidden")
        now[0] += 61
        assert tc.get("/tickets", headers=bearer(triage)).status_code == 200

        # Rampart down: the stale catalogue keeps serving.
        switch.down = True
        now[0] += 61
        assert tc.get("/tickets", headers=bearer(triage)).status_code == 200
        assert tc.get("/tickets", headers=bearer(acme.owner_token)).status_code == 200


def test_a_policy_never_loaded_fails_closed(server, acme):
    auth = RampartAuth(Verifier(ISSUER, jwks_url=server.jwks_url), client=AsyncClient(dead_url(), api_key=acme.api_key))
    with TestClient(_app(auth)) as tc:
        _problem(tc.get("/tickets", headers=bearer(acme.owner_token)), 503, "unavailable")


def test_several_tenants_and_the_sync_loader(server, acme, globex):
    _role(server, globex, "reviewer", ["tickets:read"])
    _role(server, acme, "acme_only", ["tickets:read"])
    reviewer = _user(server, globex, "reviewer")
    with Client(server.url, api_key=acme.api_key) as ca, Client(server.url, api_key=globex.api_key) as cg:
        one = TenantPolicies(ca)
        assert one.get(globex.id) is None  # the key's tenant is learned; another tenant has no client
        assert one.get(acme.id).catalogue.role("acme_only") is not None
        assert one.get(globex.id) is None
        both = TenantPolicies({acme.id: ca, globex.id: cg})
        pg = both.get(globex.id)
        assert pg.tenant_id == globex.id and pg.catalogue.role("reviewer") and not pg.catalogue.role("acme_only")
        v = Verifier(ISSUER, jwks_url=server.jwks_url)
        p = v.verify(reviewer)
        assert not p.allowed("tickets:read") and pg.apply(p).allowed("tickets:read")
        with pytest.raises(ValueError):
            both.get(acme.id).apply(p)
        with pytest.raises(TransportError):
            TenantPolicies(Client(dead_url(), api_key=acme.api_key)).get(acme.id)
    # Several tenants in one app.
    auth = RampartAuth(Verifier(ISSUER, jwks_url=server.jwks_url),
                       tenants=TenantPolicies({acme.id: AsyncClient(server.url, api_key=acme.api_key),
                                               globex.id: AsyncClient(server.url, api_key=globex.api_key)}))
    with TestClient(_app(auth)) as tc:
        assert tc.get("/tickets", headers=bearer(reviewer)).status_code == 200
        assert tc.get("/tickets", headers=bearer(_user(server, acme, "acme_only"))).status_code == 200


def test_password_change_gate_like_the_server(server, acme):
    tok = _user(server, acme, "member", password_change_required=True)
    with server.as_user(tok) as u:
        _problem(u.get("/v1/roles"), 403, "password_change_required")  # the server's answer...
    verifier = Verifier(ISSUER, jwks_url=server.jwks_url)
    assert verifier.verify(tok).gate == "password_change_required"
    for auth in (RampartAuth(verifier), RampartAuth(verifier, client=AsyncClient(server.url, api_key=acme.api_key))):
        with TestClient(_app(auth)) as tc:
            p = _problem(tc.get("/tickets", headers=bearer(tok)), 403, "password_change_required")  # ...and the SDK's
            assert p["title"] == "Password change required" and "/v1/me/password" in p["detail"]
    app = FastAPI()
    RampartAuth(verifier).install(app)

    @app.get("/me")
    async def me(user: Principal = Depends(RampartAuth(verifier, allow_gated=True))):
        return {"gate": user.gate}
    with TestClient(app) as tc:
        assert tc.get("/me", headers=bearer(tok)).json() == {"gate": "password_change_required"}


def test_terms_gate_like_the_server(server):
    t = _create_tenant(server, "initech")
    with server.operator() as op:
        r = op.patch("/v1/tenants/" + t.id, json={"settings": {"terms_version": "2024-06", "terms_required": True}})
        assert r.status_code == 200, r.text
    tok = server.login(t.slug, t.owner_email)["access_token"]
    with server.as_user(tok) as u:
        _problem(u.get("/v1/roles"), 403, "terms_not_accepted")
    verifier = Verifier(ISSUER, jwks_url=server.jwks_url)
    p = verifier.verify(tok)
    assert not p.terms_accepted and p.gate == ""  # the token alone cannot say the tenant requires terms
    auth = RampartAuth(verifier, client=AsyncClient(server.url, api_key=t.api_key))
    with TestClient(_app(auth)) as tc:
        p = _problem(tc.get("/tickets", headers=bearer(tok)), 403, "terms_not_accepted")
        assert p["title"] == "Terms not accepted" and "/v1/me/terms" in p["detail"]
        with server.as_user(tok) as u:
            assert u.post("/v1/me/terms", json={"version": "2024-06"}).status_code == 200
        accepted = server.login(t.slug, t.owner_email)["access_token"]
        assert verifier.verify(accepted).terms_accepted
        assert tc.get("/tickets", headers=bearer(accepted)).status_code == 200
