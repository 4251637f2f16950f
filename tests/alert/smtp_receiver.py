#!/usr/bin/python3
"""A real SMTP server for the alert tests (aiosmtpd, Debian python3-aiosmtpd).

Listens on 127.0.0.1 at a free port, prints "ready PORT" on stdout, and writes
each message it accepts to OUTDIR/<n>.eml (envelope in OUTDIR/<n>.env as JSON).
With --cert/--key it offers STARTTLS and requires it; with --user/--password
it requires AUTH PLAIN/LOGIN with those credentials (after STARTTLS).
Runs until stdin closes (the test owns it) or it is killed.
"""
import argparse
import json
import os
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".env", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "tls": session.ssl is not None}, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    a = p.parse_args()

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()

    kwargs = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.user:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and
                  auth_data.login.decode() == a.user and
                  auth_data.password.decode() == a.password)
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(a.cert))
    controller = Controller(Saver(a.outdir), hostname="127.0.0.1", port=port,
                            server_kwargs=kwargs)
    controller.start()
    print("ready", port, flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
