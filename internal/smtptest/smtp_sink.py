"""A real SMTP server for courier's tests, on aiosmtpd (Debian: python3-aiosmtpd).

    smtp_sink.py DIR PORT [--starttls CERT KEY] [--auth USER:PASS]

Listens on 127.0.0.1:PORT, prints "READY" once it accepts connections, and
stores every message it accepts as DIR/N.eml (the bytes received) with
DIR/N.json (envelope, TLS and AUTH facts). Recipients starting with
"unknown@" get 550, with "busy@" 451, so the tests can check error classes.
Stops on SIGTERM or when its standard input closes.
"""
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Store:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("unknown@"):
            return "550 5.1.1 unknown mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.directory, str(n))
        facts = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "login": session.auth_data if isinstance(session.auth_data, str) else None,
        }
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w") as f:
            json.dump(facts, f)
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 Message accepted"


def main():
    args = sys.argv[1:]
    directory, port = args[0], int(args[1])
    kwargs = {}
    rest = args[2:]
    while rest:
        opt = rest.pop(0)
        if opt == "--starttls":
            cert, key = rest.pop(0), rest.pop(0)
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(cert, key)
            kwargs["tls_context"] = ctx
        elif opt == "--auth":
            user, password = rest.pop(0).split(":", 1)

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = auth_data.login.decode() == user and auth_data.password.decode() == password
                return AuthResult(success=ok, handled=False, auth_data=auth_data.login.decode())

            kwargs["authenticator"] = authenticator
            kwargs["auth_require_tls"] = "tls_context" in kwargs
        else:
            sys.exit("unknown option " + opt)
    controller = Controller(Store(directory), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("READY", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
