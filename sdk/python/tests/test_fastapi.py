"""The FastAPI dependencies and the rate-limit middleware, through Starlette's
test client, against a real Rampart."""

import importlib.util
import os

import pytest
from fastapi import Depends, FastAPI
from starlette.testclient import TestClient

from conftest import ISSUER, PASSWORD, SDK, dead_url
from rampart import AsyncClient, Principal, Verifier
from rampart.fastapi import RampartAuth, RateLimitMiddleware, RateLimitRule, client_address, require_permission


def _problem(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["status"] == status and p["code"] == code and p["type"] == "urn:rampart:problem:" + code
    assert p["title"] and p["detail"] and len(p["error_id"]) == 16
    return p


def _user(server, tenant, role, permissions=()):
    email = "%s-%d@%s.io" % (role, len(permissions), tenant.slug)
    with server.as_user(tenant.owner_token) as u:
        r = u.post("/v1/users", json={"email": email, "password": PASSWORD, "role": role, "permissions": list(permissions)})
        assert r.status_code == 201, r.text
    return server.login(tenant.slug, email)["access_token"]


@pytest.fixture(scope="module")
def example(server, acme):
    os.environ.update({"RAMPART_URL": server.url, "RAMPART_ISSUER": ISSUER, "RAMPART_API_KEY": acme.api_key})
    spec = importlib.util.spec_from_file_location("chatbot_example", SDK / "examples" / "chatbot.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with TestClient(mod.app) as tc:
        yield tc


def bearer(tok):
    return {"Authorization": "Bearer " + tok}


def test_example_needs_a_valid_token(example, acme):
    r = example.get("/conversations")
    _problem(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    _problem(example.get("/conversations", headers=bearer(acme.owner_token[:-4] + "AAAA")), 401, "unauthorized")
    _problem(example.get("/conversations", headers={"Authorization": "Basic " + acme.owner_token}), 401, "unauthorized")


def test_example_permissions_and_resource_grants(server, example, acme, globex):
    r = example.post("/conversations", json={"title": "hello"}, headers=bearer(acme.owner_token))
    assert r.status_code == 201, r.text
    assert int(r.headers["x-ratelimit-limit"]) > 0 and "x-ratelimit-remaining" in r.headers and "ratelimit-policy" in r.headers
    c1 = r.json()["id"]
    c2 = example.post("/conversations", json={"title": "two"}, headers=bearer(acme.owner_token)).json()["id"]
    assert [c["id"] for c in example.get("/conversations", headers=bearer(acme.owner_token)).json()] == [c1, c2]

    viewer = _user(server, acme, "viewer")
    assert example.get("/conversations/" + c1, headers=bearer(viewer)).status_code == 200
    _problem(example.post("/conversations", json={}, headers=bearer(viewer)), 403, "forbidden")

    member = _user(server, acme, "member", ["conversations:delete:" + c1])
    _problem(example.delete("/conversations/" + c2, headers=bearer(member)), 403, "forbidden")
    assert example.delete("/conversations/" + c1, headers=bearer(member)).status_code == 204

    # Another tenant's owner holds every permission, but not this tenant's data.
    assert example.get("/conversations", headers=bearer(globex.owner_token)).json() == []
    assert example.get("/conversations/" + c2, headers=bearer(globex.owner_token)).status_code == 404


def test_example_is_protected_in_under_30_lines():
    lines = [l for l in (SDK / "examples" / "chatbot.py").read_text().splitlines() if l.strip()]
    assert len(lines) < 30, len(lines)


def test_example_knows_the_tenants_custom_roles(server, example, acme):
    with server.as_user(acme.owner_token) as u:
        r = u.post("/v1/roles", json={"name": "moderator", "level": 2, "permissions": ["conversations:read", "conversations:delete"]})
        assert r.status_code == 201, r.text
    mod = _user(server, acme, "moderator")
    example.app.state.rampart_auth.tenants.invalidate(acme.id)  # else known after the cache's TTL (60 s)
    c = example.post("/conversations", json={"title": "spam"}, headers=bearer(acme.owner_token)).json()["id"]
    assert example.delete("/conversations/" + c, headers=bearer(mod)).status_code == 204
    _problem(example.post("/conversations", json={}, headers=bearer(mod)), 403, "forbidden")


def test_introspecting_auth_refuses_a_revoked_session(server, acme):
    app = FastAPI()
    RampartAuth(Verifier(ISSUER, jwks_url=server.jwks_url), client=AsyncClient(server.url, api_key=acme.api_key),
                introspect=True).install(app)

    @app.get("/me")
    async def me(user: Principal = Depends(require_permission("conversations:read"))):
        return {"user": user.user_id}

    tok = server.login("acme", acme.owner_email)["access_token"]
    with TestClient(app) as tc:
        assert tc.get("/me", headers=bearer(tok)).status_code == 200
        with server.as_user(tok) as u:
            assert u.post("/v1/auth/logout").status_code in (200, 204)
        _problem(tc.get("/me", headers=bearer(tok)), 401, "unauthorized")


def _limited_app(server, client, failure="open"):
    app = FastAPI()
    verifier = Verifier(ISSUER, jwks_url=server.jwks_url)
    RampartAuth(verifier).install(app)
    app.add_middleware(RateLimitMiddleware, client=client, verifier=verifier, failure=failure, rules=[
        RateLimitRule("logins", path="/login", methods=("POST",), key=client_address, fail_closed=True),
        RateLimitRule("api_calls", path="/items*"),
    ])

    @app.post("/login")
    async def login():
        return {"ok": True}

    @app.get("/items")
    async def items():
        return []

    @app.get("/open")
    async def unlimited():
        return {}
    return app


def test_rate_limit_middleware(server, acme):
    with server.operator() as op:
        r = op.patch("/v1/tenants/" + acme.id, json={"settings": {"rate_limits": {"logins": {"rate": 3, "period_seconds": 60}}}})
        assert r.status_code == 200, r.text
    with TestClient(_limited_app(server, AsyncClient(server.url, api_key=acme.api_key))) as tc:
        for left in (2, 1, 0):
            r = tc.post("/login")
            assert r.status_code == 200, r.text
            assert r.headers["x-ratelimit-limit"] == "3" and r.headers["x-ratelimit-remaining"] == str(left)
        r = tc.post("/login")
        p = _problem(r, 429, "RATE_LIMIT_EXCEEDED")
        assert p["retry_after"] >= 1 and p["reset_time"] > 0
        assert int(r.headers["retry-after"]) >= 1 and r.headers["x-ratelimit-remaining"] == "0"
        r = tc.get("/items", headers=bearer(acme.owner_token))
        assert r.status_code == 200 and int(r.headers["x-ratelimit-limit"]) > 3
        assert "x-ratelimit-limit" not in tc.get("/open").headers


def test_rate_limit_middleware_when_rampart_is_down(server):
    down = AsyncClient(dead_url(), api_key="rmp_nothing")
    with TestClient(_limited_app(server, down)) as tc:
        _problem(tc.post("/login"), 503, "unavailable")  # the login limit fails closed, as Rampart's
        assert tc.get("/items").status_code == 200  # others follow failure="open"
    with TestClient(_limited_app(server, AsyncClient(dead_url()), failure="closed")) as tc:
        _problem(tc.get("/items"), 503, "unavailable")


def test_require_permission_refuses_a_bad_permission_at_definition():
    with pytest.raises(ValueError):
        require_permission("conversations:*")
