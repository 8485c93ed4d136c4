"""Benchmarks of the Python SDK: token verification per second (one thread,
so one core) and the permission check's time.

    /usr/bin/python3 sdk/python/bench.py [seconds per measurement, default 3]

The JWKS is served by httpx's MockTransport (no server needed); tokens carry
Rampart's claims, signed with a freshly generated key of each algorithm.
"""

import json
import os
import sys
import time
import timeit
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import httpx  # noqa: E402
import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa  # noqa: E402
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm  # noqa: E402

from rampart import Catalogue, Verifier  # noqa: E402

ISSUER = "https://rampart.example.com"


def key_pair(alg):
    if alg == "RS256":
        k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return k, json.loads(RSAAlgorithm.to_jwk(k.public_key()))
    if alg == "ES256":
        k = ec.generate_private_key(ec.SECP256R1())
        return k, json.loads(ECAlgorithm.to_jwk(k.public_key()))
    k = ed25519.Ed25519PrivateKey.generate()
    return k, json.loads(OKPAlgorithm.to_jwk(k.public_key()))


def token(alg, private, kid):
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": str(uuid.uuid4()), "aud": ["rampart"], "iat": now, "nbf": now, "exp": now + 900,
              "jti": uuid.uuid4().hex, "tenant_id": str(uuid.uuid4()), "role": "member", "permissions": ["conversations:delete:c-42"],
              "scopes": [], "sid": str(uuid.uuid4()), "amr": ["pwd"], "mfa_verified": False, "rate_limit_tier": "standard",
              "password_change_required": False, "terms_accepted": True, "feature_flags": []}
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid, "typ": "JWT"})


def bench_verify(alg, seconds):
    private, public = key_pair(alg)
    public.update({"kid": "k1", "alg": alg, "use": "sig"})
    jwks = json.dumps({"keys": [public]}).encode()
    http = httpx.Client(transport=httpx.MockTransport(lambda req: httpx.Response(200, content=jwks)))
    v = Verifier(ISSUER, http_client=http)
    tok = token(alg, private, "k1")
    v.verify(tok)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            v.verify(tok)
        n += 200
    return n / (time.perf_counter() - start)


def bench_check(seconds):
    custom = [{"name": "role_%04d" % i, "level": 1 + i % 5, "permissions": ["cat%d:read" % (i % 50), "docs:write:d-%d" % i]}
              for i in range(1000)]
    cases = {
        "chatbot member, role grant": (Catalogue(), "member", [], "conversations:read", ""),
        "chatbot member, resource grant": (Catalogue(), "member", ["conversations:delete:c-42"], "conversations:delete", "c-42"),
        "chatbot viewer, denied": (Catalogue(), "viewer", ["billing:read"], "admin:security", ""),
        "1,000 custom roles": (Catalogue("chatbot", custom), "role_0500", ["billing:read"], "docs:write", "d-500"),
    }
    out = {}
    for name, (cat, role, perms, perm, res) in cases.items():
        t = timeit.Timer(lambda: cat.check(role, perms, perm, res))
        loops, _ = t.autorange()
        best = min(t.repeat(repeat=max(3, int(seconds)), number=loops)) / loops
        out[name] = best * 1e6
    return out


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    import platform
    print("python %s, cryptography %s, PyJWT %s, %s" % (platform.python_version(), __import__("cryptography").__version__,
                                                        jwt.__version__, platform.processor() or platform.machine()))
    for alg in ("RS256", "ES256", "EdDSA"):
        print("verify %-5s %8.0f tokens/s (one thread)" % (alg, bench_verify(alg, seconds)))
    for name, us in bench_check(seconds).items():
        print("check  %-32s %6.2f us" % (name, us))


if __name__ == "__main__":
    main()
