#!/usr/bin/env python3
"""Stand-in for two endpoints of Vault's API on 127.0.0.1 over TLS (see README.md).

Usage: vault-api.py PORT_FILE CERT KEY CODE_FILE [TOKEN_FILE SNAPSHOT_FILE]. It binds a free port, writes it to
PORT_FILE, and answers:
- GET /v1/sys/health with the status code read from CODE_FILE at each request (200 active, 429 standby, 503 sealed,
  as Vault does) and a body shaped like Vault's;
- GET /v1/sys/storage/raft/snapshot (with TOKEN_FILE and SNAPSHOT_FILE): the bytes of SNAPSHOT_FILE when the request's
  X-Vault-Token header is the token in TOKEN_FILE; a missing or other token gets Vault's answer to a token without
  the capability, 403 with {"errors":["permission denied"]}.
Any other path gets 404."""
import json
import os
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, cert, key, code_file = sys.argv[1:5]
token_file, snapshot_file = (sys.argv[5:7] + [None, None])[:2]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body, content_type="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/v1/sys/health":
            with open(code_file) as f:
                code = int(f.read().strip())
            self.answer(code, json.dumps({"initialized": code != 501, "sealed": code == 503, "standby": code == 429}).encode())
        elif path == "/v1/sys/storage/raft/snapshot" and token_file:
            with open(token_file) as f:
                token = f.read().strip()
            if not token or self.headers.get("X-Vault-Token") != token:
                self.answer(403, json.dumps({"errors": ["permission denied"]}).encode())
                return
            with open(snapshot_file, "rb") as f:
                self.answer(200, f.read(), "application/gzip")
        else:
            self.send_error(404)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
