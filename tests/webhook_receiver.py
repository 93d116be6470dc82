"""A local HTTP server that records webhook requests and can be switched to failing (503), to
answering with a malformed status line, to redirecting elsewhere, or to answering a byte at a time."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.requests, self.up = [], True
        self.malformed = False  # answer with a status line that is not HTTP
        self.redirect_to = None  # answer 302 with this Location
        self.drip_seconds = None  # answer 204, one byte every this many seconds
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.malformed:
                    self.wfile.write(b"this is not HTTP\r\n\r\n")
                    return
                if receiver.drip_seconds:
                    self._drip(b"HTTP/1.1 204 No Content\r\n\r\n", receiver.drip_seconds)
                    return
                if receiver.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                    self.end_headers()
                    return
                if not receiver.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.requests.append(
                    {"headers": dict(self.headers), "body": body, "json": json.loads(body or "null")}
                )
                self.send_response(204)
                self.end_headers()

            def _drip(self, answer: bytes, seconds: float):
                try:
                    for byte in answer:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(seconds)
                except OSError:
                    pass  # the client gave up

            do_GET = do_POST  # a followed redirect would arrive here and be recorded

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
