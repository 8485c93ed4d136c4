"""The verifier against tokens of a real Rampart."""

import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from conftest import ISSUER, dead_url
from rampart import Client, InvalidToken, JWKSUnavailable, Principal, Verifier


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _parts(tok):
    h, p, s = tok.split(".")
    pad = lambda x: x + "=" * (-len(x) % 4)
    return json.loads(base64.urlsafe_b64decode(pad(h))), json.loads(base64.urlsafe_b64decode(pad(p))), s


def test_valid_token(verifier, acme):
    p = verifier.verify(acme.owner_token)
    assert isinstance(p, Principal)
    assert p.tenant_id == acme.id and p.role == "owner" and p.user_id and p.session_id and p.token_id
    assert p.mfa_verified is False and p.issuer == ISSUER and "rampart" in p.audience
    assert p.expires_at > time.time() and p.claims["sub"] == p.user_id
    assert p.allowed("admin:security") and p.check("conversations:delete", "c-1").rule == "*"


def test_forged_tokens(verifier, acme):
    verifier.verify(acme.owner_token)  # keys cached
    header, claims, sig = _parts(acme.owner_token)
    # Signed by another key under the real key id.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": header["kid"]})
    # The claims changed, the signature kept.
    raised = dict(claims, role="owner", tenant_id="someone-else")
    tampered = ".".join([acme.owner_token.split(".")[0], _b64(json.dumps(raised).encode()), sig])
    # alg none, HS256 keyed with the public key, ES256 on an RSA key id, an embedded jwk.
    none = _b64(json.dumps({"alg": "none", "kid": header["kid"]}).encode()) + "." + acme.owner_token.split(".")[1] + "."
    jwks = httpx.get(verifier.jwks_url).json()
    hs = jwt.encode(claims, json.dumps(jwks["keys"][0]).encode(), algorithm="HS256", headers={"kid": header["kid"]})
    eckey = ec.generate_private_key(ec.SECP256R1())
    es = jwt.encode(claims, eckey, algorithm="ES256", headers={"kid": header["kid"]})
    pub = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(other.public_key()))
    embedded = jwt.encode(claims, other, algorithm="RS256", headers={"kid": header["kid"], "jwk": pub})
    for tok in (forged, tampered, none, hs, es, embedded):
        with pytest.raises(InvalidToken) as e:
            verifier.verify(tok)
        assert str(e.value.args[0]) == "invalid token"


def test_malformed_input_is_typed(verifier, acme):
    verifier.verify(acme.owner_token)
    for bad in ["", "x", "a.b.c", "a.b", "....", "e30.e30.", None, 42, b"bytes", "x" * 9000,
                _b64(b"[]") + ".e30.", _b64(b'{"alg":"RS256"}') + ".e30.", _b64(b'{"alg":"RS256","kid":7}') + ".e30.",
                acme.owner_token + "=", acme.owner_token.replace(".", "!", 1)]:
        with pytest.raises(InvalidToken):
            verifier.verify(bad)


def test_token_of_another_tenant(server, acme, globex):
    v = Verifier(ISSUER, jwks_url=server.jwks_url, tenant_id=acme.id)
    assert v.verify(acme.owner_token).tenant_id == acme.id
    with pytest.raises(InvalidToken) as e:
        v.verify(globex.owner_token)
    assert e.value.reason == "tenant"


def test_expired_token(server, acme):
    v = Verifier(ISSUER, jwks_url=server.jwks_url, clock=lambda: time.time() + 15 * 60 + 31)
    with pytest.raises(InvalidToken) as e:
        v.verify(acme.owner_token)
    assert e.value.reason == "expired"
    # Within the 30 s leeway it still verifies.
    exp = _parts(acme.owner_token)[1]["exp"]
    assert Verifier(ISSUER, jwks_url=server.jwks_url, clock=lambda: exp + 29).verify(acme.owner_token)


def test_issuer_and_audience(server, acme):
    with pytest.raises(InvalidToken) as e:
        Verifier("http://evil.test", jwks_url=server.jwks_url).verify(acme.owner_token)
    assert e.value.reason == "issuer"
    with pytest.raises(InvalidToken) as e:
        Verifier(ISSUER, "another-api", server.jwks_url).verify(acme.owner_token)
    assert e.value.reason == "audience"


def test_revoked_session_through_introspection(server, acme, verifier):
    tok = server.login("acme", acme.owner_email)["access_token"]
    with Client(server.url, api_key=acme.api_key) as c:
        assert c.introspect(tok).active
        assert c.introspect(tok).claims["tenant_id"] == acme.id
        with server.as_user(tok) as u:
            assert u.post("/v1/auth/logout").status_code in (200, 204)
        # Offline verification cannot know; introspection does.
        assert verifier.verify(tok)
        assert not c.introspect(tok).active
    # Another tenant's key learns nothing of this tenant's tokens.
    globex_key = server.tenants["globex"].api_key
    with Client(server.url, api_key=globex_key) as c:
        assert not c.introspect(acme.owner_token).active


def test_jwks_unreachable(acme):
    v = Verifier(ISSUER, jwks_url=dead_url() + "/.well-known/jwks.json")
    with pytest.raises(JWKSUnavailable):
        v.verify(acme.owner_token)


def test_unknown_kid_refetch_at_most_every_10s(server, acme):
    fetches = []
    http = httpx.Client(event_hooks={"request": [lambda r: fetches.append(r.url)]})
    v = Verifier(ISSUER, jwks_url=server.jwks_url, http_client=http)
    v.verify(acme.owner_token)
    assert len(fetches) == 1
    header, claims, _ = _parts(acme.owner_token)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for i in range(20):
        with pytest.raises(InvalidToken) as e:
            v.verify(jwt.encode(claims, other, algorithm="RS256", headers={"kid": "rotated-%d" % i}))
        assert e.value.reason == "unknown key"
    assert len(fetches) == 2  # one refetch for twenty unknown kids
    v.verify(acme.owner_token)
    assert len(fetches) == 2


def test_async_verify(verifier, acme):
    import asyncio
    p = asyncio.run(verifier.averify(acme.owner_token))
    assert p.tenant_id == acme.id
    with pytest.raises(InvalidToken):
        asyncio.run(verifier.averify("nope"))
