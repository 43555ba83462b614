#!/usr/bin/env python3
"""100 seeded kill -9s of `tributary poll` and `tributary run` against a loopback corpus that changes
every cycle. After each kill: the database passes integrity_check and the output is absent or a complete,
well-formed Atom document with unique ids. At the end one clean poll must store exactly the corpus's
distinct stories (nothing lost, nothing duplicated) and write them all.

    scripts/kill-test.py [KILLS] [SEED]          (TRIBUTARY_BIN picks the binary; default .build/debug)
Prints one line per kill and a closing `N passed, N failed`."""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loopback import BINARY, Corpus, check_database, check_output, start_server, write_config  # noqa: E402

kills = int(sys.argv[1]) if len(sys.argv) > 1 else 100
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20261201
rng = random.Random(seed)
folder = tempfile.mkdtemp(prefix="tributary-kill-")
www = os.path.join(folder, "www")
server, port = start_server(www)
outlets = 24
corpus = Corpus(www, outlets, seed)
config = write_config(folder, port, outlets, poll='interval = "1s"\nmin_interval = "1s"')
database = os.path.join(folder, "state/tributary.sqlite")
output = os.path.join(folder, "state/merged.atom")
passed = failed = 0
try:
    # First imports killed mid-write: a new database takes its first import under a rollback journal
    # (FeedStore.importJournal). Each is killed on a fresh file, then one clean poll must roll the journal
    # back, store every story once and leave the file in WAL mode.
    for _ in range(15):
        corpus.advance()
    first_folder = os.path.join(folder, "first")
    os.makedirs(first_folder)
    first = write_config(first_folder, port, outlets)
    first_db = os.path.join(first_folder, "state/tributary.sqlite")
    for k in range(8):
        shutil.rmtree(os.path.join(first_folder, "state"), ignore_errors=True)
        proc = subprocess.Popen([BINARY, "poll", "--config", first], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        journal = os.path.exists(first_db + "-journal")
        result = subprocess.run([BINARY, "poll", "--config", first], capture_output=True, text=True)
        integrity, stories, links = check_database(first_db)
        mode = sqlite3.connect(f"file:{first_db}?mode=ro", uri=True).execute("PRAGMA journal_mode").fetchone()[0]
        entries = check_output(os.path.join(first_folder, "state/merged.atom"))
        expected = len(corpus.stories)
        ok = (result.returncode == 0 and integrity == "ok" and stories == expected and links == expected
              and entries == expected and mode == "wal")
        print(f"first import kill {k + 1}: journal left {journal}, then {stories} stories, {entries} in the output, "
              f"{expected} published, mode {mode}" + ("" if ok else f"  PROBLEMS: exit {result.returncode}, {integrity}"))
        if ok:
            passed += 1
        else:
            failed += 1
    for k in range(kills):
        corpus.advance()
        command = "run" if k % 3 == 2 else "poll"
        proc = subprocess.Popen([BINARY, command, "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.02, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        problems = []
        if os.path.exists(database):
            integrity, stories, _ = check_database(database)
            if integrity != "ok":
                problems.append(f"integrity: {integrity}")
            if stories > len(corpus.stories):
                problems.append(f"{stories} stories stored, only {len(corpus.stories)} exist")
        else:
            stories = 0
        entries = None
        if os.path.exists(output):
            try:
                entries = check_output(output)
            except Exception as e:  # noqa: BLE001 - any parse failure is the finding
                problems.append(f"output: {e}")
        print(f"kill {k + 1:3d} {command:4s}: {stories} stories stored, output {entries if entries is not None else 'absent'}"
              + (f"  PROBLEMS: {problems}" if problems else ""))
        if problems:
            failed += 1
        else:
            passed += 1
    # One clean poll after the last kill: everything published must be there, once.
    result = subprocess.run([BINARY, "poll", "--config", config], capture_output=True, text=True)
    integrity, stories, links = check_database(database)
    entries = check_output(output)
    expected = len(corpus.stories)
    ok = result.returncode == 0 and integrity == "ok" and stories == expected and links == expected and entries == expected
    print(f"final poll: exit {result.returncode}, integrity {integrity}, {stories} stories stored, {entries} in the output, "
          f"{expected} published")
    if ok:
        passed += 1
    else:
        failed += 1
        print(result.stdout[-2000:], result.stderr[-2000:])
finally:
    server.kill()
    shutil.rmtree(folder, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
