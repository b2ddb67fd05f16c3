#!/usr/bin/env python3
"""Stand-in OpenAI-compatible server on 127.0.0.1 (see README.md).

Usage: inference-server.py PORT_FILE MODEL MODE [SECONDS]; MODE is ok, 404, 500 or hang. It binds a free
port and writes it to PORT_FILE. In ok mode it answers 200 after SECONDS, but only to a POST of a chat
completion for MODEL to /v1/chat/completions; anything else gets 400."""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, model, mode = sys.argv[1], sys.argv[2], sys.argv[3]
delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.answer(400, {"error": "the probe must POST a chat completion"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if mode == "hang":
            time.sleep(3600)
            return
        if mode in ("404", "500"):
            self.answer(int(mode), {"error": "stand-in failure"})
            return
        try:
            body = json.loads(raw)
            wellformed = (
                self.path == "/v1/chat/completions"
                and self.headers.get("Content-Type") == "application/json"
                and body.get("model") == model
                and body.get("stream") is False
                and isinstance(body.get("messages"), list)
                and body["messages"]
            )
        except ValueError:
            wellformed = False
        if not wellformed:
            self.answer(400, {"error": "not a chat completion for " + model})
            return
        time.sleep(delay)
        self.answer(200, {"object": "chat.completion", "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": "ready"}, "finish_reason": "stop"}]})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
threading.Thread(target=server.serve_forever, daemon=True).start()
# Until the test closes stdin.
sys.stdin.read()
