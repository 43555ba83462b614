#!/usr/bin/env python3
"""A full disk under the database and the output, filled and freed while `tributary run` polls.

The state folder is a small tmpfs (root only; skipped with a message where mounting is refused). The
daemon polls 6 outlets every 2 s. Then the disk is filled and the outlets keep publishing for 30 s:
commits fail, and the feeds must back off (no more requests than the intervals and backoff allow), the
old output must stay intact, and the database must pass integrity_check. Then space is freed: within a
minute every story published must be stored exactly once and be in the output.

    scripts/disk-full-test.py            (TRIBUTARY_BIN picks the binary; default .build/debug)
Prints its figures and a closing `N passed, N failed`."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loopback import BINARY, Corpus, check_database, check_output, requests, start_server, write_config  # noqa: E402

folder = tempfile.mkdtemp(prefix="tributary-diskfull-")
state = os.path.join(folder, "state")
os.makedirs(state)
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", state], capture_output=True, text=True)
if mounted.returncode != 0:
    print(f"disk-full test: SKIP (cannot mount a tmpfs here: {mounted.stderr.strip() or 'not root'})")
    shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0)

www = os.path.join(folder, "www")
server, port = start_server(www)
outlets = 6
interval = 2
corpus = Corpus(www, outlets, 7, keep=60)
corpus.advance(per_outlet=5)
config = write_config(folder, port, outlets, poll=f'interval = "{interval}s"\nmin_interval = "1s"')
log = open(os.path.join(folder, "daemon.log"), "w")
daemon = subprocess.Popen([BINARY, "run", "--config", config], stdout=log, stderr=log)
database = os.path.join(state, "tributary.sqlite")
output = os.path.join(state, "merged.atom")
filler = os.path.join(state, "filler")
results = []


def check(name, ok, detail):
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")


try:
    deadline = time.time() + 30
    while time.time() < deadline and not (os.path.exists(output) and check_output(output) == len(corpus.stories)):
        time.sleep(0.5)
    check("first cycle", os.path.exists(output) and check_output(output) == len(corpus.stories),
          f"{len(corpus.stories)} stories published")
    before_output = open(output, "rb").read()

    # Fill the disk, then keep publishing.
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    full_from = len(requests(www))
    start = time.time()
    for _ in range(10):
        corpus.advance(per_outlet=3)
        time.sleep(3)
    full_seconds = time.time() - start
    during = len(requests(www)) - full_from
    # Each feed: at most one poll per interval, and failures only lengthen the wait.
    allowed = outlets * (int(full_seconds / interval) + 1)
    check("requests while the disk is full", during <= allowed,
          f"{during} requests in {full_seconds:.0f} s for {outlets} feeds at {interval} s (at most {allowed} allowed)")
    check("old output intact", open(output, "rb").read() == before_output, f"{len(before_output)} bytes unchanged")
    integrity, stored, _ = check_database(database)
    check("database while full", integrity == "ok", f"integrity {integrity}, {stored} stories")
    check("daemon alive", daemon.poll() is None, "still running on a full disk")

    # Free the space: everything comes back, once.
    os.remove(filler)
    deadline = time.time() + 90
    recovered = False
    while time.time() < deadline:
        time.sleep(1)
        try:
            integrity, stored, links = check_database(database)
            if stored == len(corpus.stories) and os.path.exists(output) and check_output(output) == len(corpus.stories):
                recovered = True
                break
        except Exception:  # noqa: BLE001 - mid-write; look again
            pass
    took = time.time() + 90 - deadline
    integrity, stored, links = check_database(database)
    check("recovery", recovered and integrity == "ok" and links == stored,
          f"{stored} stored of {len(corpus.stories)} published, output {check_output(output)} entries, after {took:.0f} s")
finally:
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(10)
    except subprocess.TimeoutExpired:
        daemon.kill()
    server.kill()
    subprocess.run(["umount", state])
    shutil.rmtree(folder, ignore_errors=True)
print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
