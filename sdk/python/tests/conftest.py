"""Builds and starts a real Rampart server for the tests (go build ./cmd/rampart,
then `rampart serve` on a free port with a temporary data folder), and creates
two tenants through the operator API."""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

import httpx
import pytest

HERE = Path(__file__).resolve().parent
SDK = HERE.parent
REPO = SDK.parent.parent
sys.path.insert(0, str(SDK))

ISSUER = "http://rampart.test"  # RAMPART_ISSUER: fixed, so it is known before the port is
PASSWORD = "Tr1cky-Passw0rd!x"
CASES = REPO / "authz" / "testdata" / "permission_cases.json"


@dataclass
class Tenant:
    id: str
    slug: str
    owner_email: str
    owner_token: str
    api_key: str = ""


@dataclass
class Server:
    url: str
    operator_token: str
    proc: subprocess.Popen
    tenants: Dict[str, Tenant] = field(default_factory=dict)

    @property
    def jwks_url(self) -> str:
        return self.url + "/.well-known/jwks.json"

    def operator(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": "Bearer " + self.operator_token}, timeout=30)

    def login(self, tenant: str, email: str, password: str = PASSWORD) -> Dict:
        r = httpx.post(self.url + "/v1/auth/login", json={"tenant": tenant, "email": email, "password": password}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()

    def as_user(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": "Bearer " + token}, timeout=30)


def _build(tmp: str) -> str:
    given = os.environ.get("RAMPART_TEST_BINARY")
    if given:
        return given
    out = os.path.join(tmp, "rampart")
    go = shutil.which("go") or "/usr/local/go/bin/go"
    subprocess.run([go, "build", "-o", out, "./cmd/rampart"], cwd=REPO, check=True)
    return out


def _start(binary: str, data_dir: str, operator_token: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAMPART_")}
    env.update({
        "RAMPART_ADDR": "127.0.0.1:0",
        "RAMPART_DATA_DIR": data_dir,
        "RAMPART_OPERATOR_TOKEN": operator_token,
        "RAMPART_ISSUER": ISSUER,
        "RAMPART_ARGON2_TIME": "1",
        "RAMPART_ARGON2_MEMORY_KIB": "1024",
        "RAMPART_RATE_LIMITS": "on",
        "RAMPART_LOGIN_LIMIT": "1000",
        "RAMPART_SEND_LIMITS": "off",
        "RAMPART_LOG_LEVEL": "error",
    })
    return subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_listening(proc: subprocess.Popen, timeout: float = 60) -> str:
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump(stream, keep: bool) -> None:
        for line in stream:
            if keep:
                lines.put(line)
        lines.put(None) if keep else None

    threading.Thread(target=pump, args=(proc.stdout, True), daemon=True).start()
    stderr: list = []
    threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        _, sep, addr = line.partition("listening on ")
        if sep:
            # Keep draining stdout so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in iter(lambda: lines.get(), None)], daemon=True).start()
            return addr.strip()
    proc.kill()
    raise RuntimeError("rampart did not start:\n" + "".join(stderr[-40:]))


def _create_tenant(s: Server, slug: str) -> Tenant:
    email = "owner@%s.io" % slug
    with s.operator() as op:
        r = op.post("/v1/tenants", json={"slug": slug, "name": slug.title(), "owner": {"email": email, "password": PASSWORD}})
        assert r.status_code == 201, r.text
        tid = r.json()["id"]
    tok = s.login(slug, email)["access_token"]
    t = Tenant(tid, slug, email, tok)
    with s.as_user(tok) as u:
        r = u.post("/v1/api-keys", json={"name": "platform backend", "role": "admin", "rate_limit_tier": "standard"})
        assert r.status_code == 201, r.text
        t.api_key = r.json()["key"]
    return t


@pytest.fixture(scope="session")
def server():
    tmp = tempfile.mkdtemp(prefix="rampart-pytest-")
    try:
        binary = _build(tmp)
        token = secrets.token_urlsafe(32)
        proc = _start(binary, os.path.join(tmp, "data"), token)
        try:
            s = Server(_wait_listening(proc), token, proc)
            s.tenants["acme"] = _create_tenant(s, "acme")
            s.tenants["globex"] = _create_tenant(s, "globex")
            yield s
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def acme(server) -> Tenant:
    return server.tenants["acme"]


@pytest.fixture(scope="session")
def globex(server) -> Tenant:
    return server.tenants["globex"]


@pytest.fixture
def verifier(server):
    from rampart import Verifier
    v = Verifier(ISSUER, "rampart", server.jwks_url)
    yield v
    v.close()


def dead_url() -> str:
    """An address where nothing listens."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port
