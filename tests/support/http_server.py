#!/usr/bin/env python3
"""Loopback HTTP server for ktstr's download tests.

Serves --root like kernel.org serves https://cdn.kernel.org/pub/linux/kernel:
v6.x/linux-X.Y.Z.tar.xz, v6.x/sha256sums.asc, v6.x/ (HTML index) and
releases.json. With --make-fake-kernel-org it first generates that layout
with small fake source tarballs.

Test hooks:
  --drop-after N --drop-count C  the first C full or ranged GETs of a tarball
                                 send N body bytes, then close the connection
  /stall/...                     any path under /stall/ sends headers, then
                                 nothing, forever (a dead server)
  --ignore-range                 answer every GET with 200 and the whole file,
                                 like servers without byte-range support
  --log FILE                     one line per request: "GET <path> range=<Range or ->"

Prints "PORT <n>" on stdout once listening (bind port 0 = ephemeral).
"""
import argparse
import hashlib
import http.server
import io
import json
import os
import random
import re
import socket
import sys
import tarfile
import threading
import time

FAKE_TARBALLS = {
    # name -> (top-level dir, bytes of incompressible filler)
    "linux-6.12.99.tar.xz": ("linux-6.12.99", 256 * 1024),
    "linux-6.12.98.tar.xz": ("linux-6.12.98", 1024),
    "linux-6.13.tar.xz": ("linux-6.13", 1024),
    "linux-6.13.2.tar.xz": ("linux-6.13.2", 1024),
    "linux-6.11.5.tar.xz": ("linux-6.11.5", 1024),
}

RELEASES = {
    "latest_stable": {"version": "6.17.3"},
    "releases": [
        {"moniker": "mainline", "version": "6.18-rc5", "iseol": False},
        {"moniker": "stable", "version": "6.17.3", "iseol": False},
        {"moniker": "longterm", "version": "6.12.99", "iseol": False},
        {"moniker": "longterm", "version": "6.6.60", "iseol": False},
        {"moniker": "linux-next", "version": "next-20251120", "iseol": False},
    ],
}


def add_file(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = 1700000000
    tar.addfile(info, io.BytesIO(data))


def fake_tarball(top, filler_bytes):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz", format=tarfile.PAX_FORMAT) as tar:
        d = tarfile.TarInfo(top)
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        tar.addfile(d)
        version = top.split("-", 1)[1]
        add_file(tar, f"{top}/Makefile", f"# fake Linux {version}\n".encode())
        add_file(tar, f"{top}/kernel/sched/ext.c", b"/* sched_ext */\n")
        add_file(tar, f"{top}/scripts/config", b"#!/bin/sh\nexit 0\n", 0o755)
        link = tarfile.TarInfo(f"{top}/include/ext.c")
        link.type = tarfile.SYMTYPE
        link.linkname = "../kernel/sched/ext.c"
        tar.addfile(link)
        filler = random.Random(top).randbytes(filler_bytes)
        add_file(tar, f"{top}/firmware.bin", filler)
    return buf.getvalue()


def make_fake_kernel_org(root):
    series = os.path.join(root, "v6.x")
    os.makedirs(series, exist_ok=True)
    sums = []
    for name, (top, filler) in FAKE_TARBALLS.items():
        data = fake_tarball(top, filler)
        with open(os.path.join(series, name), "wb") as f:
            f.write(data)
        sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}")
    # Clear-signed like kernel.org's; the signature is not checked by ktstr.
    with open(os.path.join(series, "sha256sums.asc"), "w") as f:
        f.write("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n")
        f.write("\n".join(sums) + "\n")
        f.write("-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCAAdFiEEfakefakefake=\n=fake\n"
                "-----END PGP SIGNATURE-----\n")
    with open(os.path.join(root, "releases.json"), "w") as f:
        json.dump(RELEASES, f, indent=1)


class Handler(http.server.SimpleHTTPRequestHandler):
    drop_after = None
    drop_left = 0
    ignore_range = False
    lock = threading.Lock()
    log_file = None

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def record(self):
        if self.log_file is None:
            return
        with self.lock:
            self.log_file.write(f"GET {self.path} range={self.headers.get('Range', '-')}\n")
            self.log_file.flush()

    def take_drop(self):
        with self.lock:
            if self.drop_after is None or Handler.drop_left <= 0:
                return None
            Handler.drop_left -= 1
            return self.drop_after

    def do_GET(self):
        self.record()
        if self.path.startswith("/stall/"):
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.flush()
            while True:
                time.sleep(3600)
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            return super().do_GET()  # directory index or 404
        with open(path, "rb") as f:
            data = f.read()
        start, status = 0, 200
        m = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if m and not self.ignore_range:
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        body = data[start:]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        drop = self.take_drop() if path.endswith(".tar.xz") else None
        if drop is not None and drop < len(body):
            self.wfile.write(body[:drop])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--make-fake-kernel-org", action="store_true")
    p.add_argument("--drop-after", type=int)
    p.add_argument("--drop-count", type=int, default=1)
    p.add_argument("--ignore-range", action="store_true")
    p.add_argument("--log")
    args = p.parse_args()
    if args.make_fake_kernel_org:
        make_fake_kernel_org(args.root)
    Handler.drop_after = args.drop_after
    Handler.drop_left = args.drop_count
    Handler.ignore_range = args.ignore_range
    if args.log:
        Handler.log_file = open(args.log, "a")
    handler = lambda *a, **kw: Handler(*a, directory=args.root, **kw)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
