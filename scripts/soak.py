#!/usr/bin/env python3
"""Soak: `tributary run` on 1,000 loopback feeds polled every 5 s for MINUTES (default 30), with 5% of
the outlets publishing every 10 s. Samples the daemon's resident memory, open file descriptors and WAL
size every 30 s, and prints the first sample after warm-up and the last one. Not part of CI.

    scripts/soak.py [MINUTES] [FEEDS]        (TRIBUTARY_BIN picks the binary; use a release build)"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loopback import BINARY, Corpus, check_database, check_output, requests, start_server, write_config  # noqa: E402

minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 30
feeds = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
folder = tempfile.mkdtemp(prefix="tributary-soak-")
www = os.path.join(folder, "www")
server, port = start_server(www)
corpus = Corpus(www, feeds, 11, keep=50)
corpus.advance(per_outlet=10)
config = write_config(folder, port, feeds, poll='interval = "5s"\nmin_interval = "1s"', max_entries=500)
log = open(os.path.join(folder, "daemon.log"), "w")
daemon = subprocess.Popen([BINARY, "run", "--config", config, "--log-level", "warning"], stdout=log, stderr=log)
wal = os.path.join(folder, "state/tributary.sqlite-wal")
rng = random.Random(5)


def sample():
    with open(f"/proc/{daemon.pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
    fds = len(os.listdir(f"/proc/{daemon.pid}/fd"))
    return rss, fds, os.path.getsize(wal) if os.path.exists(wal) else 0


samples = []
start = time.time()
warmup = min(120, minutes * 60 / 4)
next_sample = start + warmup
next_publish = start + 10
try:
    while time.time() - start < minutes * 60:
        time.sleep(1)
        if daemon.poll() is not None:
            print("daemon exited", daemon.returncode)
            break
        if time.time() >= next_publish:
            next_publish += 10
            corpus.cycle += 1
            for o in rng.sample(range(feeds), feeds // 20):
                story = f"s{corpus.cycle}-{o}"
                corpus.stories.add(story)
                corpus.items[o].append((f"{o}-{story}", story))
                corpus.write(o)
        if time.time() >= next_sample:
            next_sample += 30
            rss, fds, walsize = sample()
            samples.append((time.time() - start, rss, fds, walsize, len(requests(www))))
            print(f"{samples[-1][0]:7.0f} s  RSS {rss / 1024:6.1f} MB  fds {fds:4d}  WAL {walsize / 1e6:6.2f} MB  requests {samples[-1][4]}",
                  flush=True)
finally:
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(15)
    server.kill()
if samples:
    first, last = samples[0], samples[-1]
    print(f"start (after {first[0]:.0f} s): RSS {first[1] / 1024:.1f} MB, {first[2]} fds, WAL {first[3] / 1e6:.2f} MB")
    print(f"end   (after {last[0]:.0f} s): RSS {last[1] / 1024:.1f} MB, {last[2]} fds, WAL {last[3] / 1e6:.2f} MB")
    integrity, stored, _ = check_database(os.path.join(folder, "state/tributary.sqlite"))
    print(f"requests {last[4]}, integrity {integrity}, {stored} stories stored of {len(corpus.stories)} published, exit {daemon.returncode}")
shutil.rmtree(folder, ignore_errors=True)
