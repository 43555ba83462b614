#!/usr/bin/env python3
"""Loopback HTTP server for Tributary's tests.

Serves files from ROOT with ETag / Last-Modified / 304, and scripted faults from
ROOT/_routes.json, which is re-read on every request so a test can change behaviour
between polls. Every request is appended to ROOT/_requests.log as one JSON line.
Binds 127.0.0.1 only; prints the port on the first line of stdout.

Route keys are request paths; a value is a list of steps (one per request, the last one
repeats) or a single step. A step is an object with any of:
  status, headers (object), body (string), file (name under ROOT), delay (seconds before
  answering), mode: "hang" | "reset" | "slow" | "big" | "gzipbomb" | "chunked-big",
  size (bytes for big modes), location (for redirects), encoding (the body sent compressed:
  "gzip", "gzip-members" (two gzip members one after the other), "deflate" (zlib), "raw-deflate",
  "bad-gzip" (labelled gzip, not gzip), "br" (labelled with a coding nobody asked for)).
  The key "*" applies to paths without a route.
POST requests (WebSub pings) are answered the same way; their form body is logged.
"""
import email.utils
import gzip
import hashlib
import json
import os
import socket
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = sys.argv[1]
LOCK = threading.Lock()
COUNTS = {}
ACTIVE = {"now": 0, "max": 0}
CONNECTIONS = {"now": 0, "max": 0}
STOP = threading.Event()


def log(entry):
    with LOCK:
        with open(os.path.join(ROOT, "_requests.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")


def routes():
    try:
        with open(os.path.join(ROOT, "_routes.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        with LOCK:
            CONNECTIONS["now"] += 1
            CONNECTIONS["max"] = max(CONNECTIONS["max"], CONNECTIONS["now"])

    def finish(self):
        with LOCK:
            CONNECTIONS["now"] -= 1
        super().finish()

    def do_GET(self):
        self.serve("GET", None)

    def do_POST(self):
        # WebSub pings: the form body is logged, then answered like any scripted path.
        length = min(int(self.headers.get("Content-Length") or 0), 65536)
        self.serve("POST", self.rfile.read(length).decode("utf-8", "replace"))

    def serve(self, method, body):
        with LOCK:
            ACTIVE["now"] += 1
            ACTIVE["max"] = max(ACTIVE["max"], ACTIVE["now"])
            active = ACTIVE["now"]
            COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
            n = COUNTS[self.path]
        started = time.time()
        try:
            self.answer(n)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with LOCK:
                ACTIVE["now"] -= 1
            log({"path": self.path, "n": n, "method": method, "body": body, "host": self.headers.get("Host"), "active": active,
                 "connections": CONNECTIONS["now"], "max_connections": CONNECTIONS["max"],
                 "start": started, "end": time.time(),
                 "if_none_match": self.headers.get("If-None-Match"),
                 "if_modified_since": self.headers.get("If-Modified-Since"),
                 "user_agent": self.headers.get("User-Agent"),
                 "accept_encoding": self.headers.get("Accept-Encoding")})

    def answer(self, n):
        table = routes()
        route = table.get(self.path, table.get("*"))
        if isinstance(route, list):
            route = route[min(n, len(route)) - 1]
        step = route or {}
        if step.get("delay"):
            time.sleep(step["delay"])
        mode = step.get("mode")
        if mode == "hang":
            STOP.wait(step.get("seconds", 60))
            return
        status = step.get("status", 200)
        headers = dict(step.get("headers", {}))
        if "location" in step:
            headers["Location"] = step["location"]
        if mode == "reset":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<rss><channel>" + b"x" * 1000)
            self.wfile.flush()
            # Linger 0 turns the close into a TCP reset; shutdown makes it happen now.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
            self.close_connection = True
            return
        if mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(step.get("seconds", 60)):
                if STOP.is_set():
                    return
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
            return
        if mode in ("big", "chunked-big"):
            size = step.get("size", 50 * 1024 * 1024)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            if mode == "big":
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<!-- " + b"x" * 65000 + b" -->"
            sent = 0
            while sent < size:
                data = chunk[: size - sent]
                if mode == "big":
                    self.wfile.write(data)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                sent += len(data)
            if mode == "chunked-big":
                self.wfile.write(b"0\r\n\r\n")
            return
        if mode == "gzipbomb":
            raw = b" " * step.get("size", 200 * 1024 * 1024)
            body = gzip.compress(raw, compresslevel=9)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = b""
        if "body" in step:
            body = step["body"].encode("utf-8")
        else:
            name = step.get("file", self.path.lstrip("/").split("?")[0])
            path = os.path.join(ROOT, name)
            if not os.path.isfile(path) or name.startswith("_"):
                status = step.get("status", 404)
            else:
                with open(path, "rb") as f:
                    body = f.read()
                mtime = os.path.getmtime(path)
                etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
                modified = email.utils.formatdate(mtime, usegmt=True)
                headers.setdefault("ETag", etag)
                headers.setdefault("Last-Modified", modified)
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
        coding = step.get("encoding")
        if coding and body:
            body, label = encode(body, coding)
            headers["Content-Encoding"] = label
        self.send_response(status)
        # Web pages as web pages (full-text tests and benchmarks), everything else as XML.
        page = self.path.split("?")[0].endswith(".html")
        headers.setdefault("Content-Type", "text/html; charset=utf-8" if page else "application/xml; charset=utf-8")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET


def encode(body, coding):
    if coding == "gzip":
        return gzip.compress(body), "gzip"
    if coding == "gzip-members":
        half = len(body) // 2
        return gzip.compress(body[:half]) + gzip.compress(body[half:]), "gzip"
    if coding == "deflate":
        return zlib.compress(body), "deflate"
    if coding == "raw-deflate":
        c = zlib.compressobj(wbits=-15)
        return c.compress(body) + c.flush(), "deflate"
    if coding == "bad-gzip":
        return b"\x1f\x8b\x08\x00" + b"not deflate data at all" * 10, "gzip"
    if coding == "br":
        return body, "br"
    raise ValueError(coding)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that give up mid-answer are part of the tests
    allow_reuse_address = True
    request_queue_size = 256


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    # Stop when the test process goes away (stdin closes) or after an hour at most.
    def watch():
        try:
            sys.stdin.read()
        finally:
            STOP.set()
            server.shutdown()
    threading.Thread(target=watch, daemon=True).start()
    threading.Timer(3600, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
