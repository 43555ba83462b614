"""Shared pieces of the long-running scripts (kill test, disk-full test, soak): a loopback feed server,
a seeded corpus of outlets whose feeds change every cycle, and checks of the database and output."""
import json
import os
import random
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("TRIBUTARY_BIN", os.path.join(ROOT, ".build/debug/tributary"))


def start_server(www):
    """Tests/Support/feedserver.py on 127.0.0.1 serving `www`; returns (process, port)."""
    os.makedirs(www, exist_ok=True)
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Support/feedserver.py"), www],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(proc.stdout.readline())
    return proc, port


class Corpus:
    """Outlets whose feeds only grow: each cycle every outlet publishes new stories, and some stories are
    carried by two outlets (same article URL, other guid), so the exact count of distinct stories is known."""

    def __init__(self, www, outlets, seed, keep=None):
        self.www, self.outlets, self.keep = www, outlets, keep
        self.rng = random.Random(seed)
        self.items = {o: [] for o in range(outlets)}
        self.stories = set()
        self.cycle = 0

    def advance(self, per_outlet=2):
        self.cycle += 1
        for o in range(self.outlets):
            for k in range(per_outlet):
                story = f"c{self.cycle}-o{o}-{k}"
                self.stories.add(story)
                self.items[o].append((f"{o}-{story}", story))
                if self.rng.random() < 0.3:  # syndicated: the next outlet carries it too
                    self.items[(o + 1) % self.outlets].append((f"{(o + 1) % self.outlets}-copy-{story}", story))
        for o in range(self.outlets):
            self.write(o)

    def write(self, o):
        items = self.items[o] if self.keep is None else self.items[o][-self.keep:]
        parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Outlet {o}</title>'
                 f'<link>https://outlet{o}.example/</link>']
        for n, (guid, story) in enumerate(reversed(items)):
            words = " ".join(f"w{(hash(story) + i) % 997}" for i in range(40))
            parts.append(f"<item><guid isPermaLink=\"false\">{guid}</guid><title>Story {story}</title>"
                         f"<link>https://news.example/{story}</link><description>{story} {words}</description>"
                         f"<pubDate>Mon, 10 Nov 2025 {n % 24:02d}:{n % 60:02d}:00 GMT</pubDate></item>")
        parts.append("</channel></rss>\n")
        tmp = os.path.join(self.www, f".feed{o}.tmp")
        with open(tmp, "w") as f:
            f.write("".join(parts))
        os.replace(tmp, os.path.join(self.www, f"feed{o}.xml"))


def write_config(folder, port, outlets, database="state/tributary.sqlite", output="state/merged.atom",
                 poll='interval = "15m"', max_entries=100000):
    text = (f'[storage]\ndatabase = "{database}"\n[output]\npath = "{output}"\ntitle = "Merged"\n'
            f'max_entries = {max_entries}\n[poll]\n{poll}\ntimeout = "10s"\nconcurrency = 8\nper_host = 8\n\n')
    for o in range(outlets):
        text += f'[[feed]]\nname = "Outlet {o}"\nurl = "http://127.0.0.1:{port}/feed{o}.xml"\n\n'
    path = os.path.join(folder, "feeds.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def check_database(path):
    """(integrity result, number of stories) of a database that may be mid-write by nobody. A hot rollback
    journal (a first import killed mid-write) is rolled back first, as the next writer to open the file
    would: a read-only connection cannot."""
    if os.path.exists(path + "-journal"):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        stories = db.execute("SELECT count(*) FROM items").fetchone()[0]
        links = db.execute("SELECT count(DISTINCT link) FROM items").fetchone()[0]
        return integrity, stories, links
    finally:
        db.close()


def check_output(path):
    """Number of entries of an Atom output; raises if it is not a complete, well-formed document."""
    tree = ET.parse(path)
    ns = "{http://www.w3.org/2005/Atom}"
    entries = tree.getroot().findall(f"{ns}entry")
    ids = [e.findtext(f"{ns}id") for e in entries]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate entry ids")
    return len(entries)


def requests(www):
    try:
        with open(os.path.join(www, "_requests.log")) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []
