#!/usr/bin/env python3
"""Stand-in for Vault's health endpoint on 127.0.0.1 over TLS (see README.md).

Usage: vault-health.py PORT_FILE CERT KEY CODE_FILE. It binds a free port, writes it to PORT_FILE, and answers
GET /v1/sys/health with the status code read from CODE_FILE at each request (200 active, 429 standby,
503 sealed, as Vault does) and a body shaped like Vault's; any other path gets 404."""
import json
import os
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, cert, key, code_file = sys.argv[1:5]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.split("?")[0] != "/v1/sys/health":
            self.send_error(404)
            return
        with open(code_file) as f:
            code = int(f.read().strip())
        body = json.dumps({"initialized": code != 501, "sealed": code == 503, "standby": code == 429}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
