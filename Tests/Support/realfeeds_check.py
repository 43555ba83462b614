#!/usr/bin/env python3
"""Checks the merged outputs of the real-feeds test (RealFeedsTests): Atom with check-atom, JSON Feed
against the JSON Feed 1.1 rules, and both for double-encoded text. Prints findings; exits 1 on any.

    realfeeds_check.py CHECK_ATOM MERGED_ATOM MERGED_JSON"""
import json
import re
import subprocess
import sys

check_atom, atom, jsonfeed = sys.argv[1:4]
problems = []

# Every check, the W3C validator included, with no tool missing.
r = subprocess.run([check_atom, "--require-all", atom], capture_output=True, text=True)
print(r.stdout.strip())
if r.returncode != 0:
    problems.append("check-atom --require-all failed")
w3c = re.search(r"W3C feedvalidator: (\d+) error", r.stdout)
if not w3c or w3c.group(1) != "0":
    problems.append("W3C validator reports errors (or did not run)")

# --strict may add only the warnings the sources leave no way to avoid.
allowed = {"TEXTUAL", "LINK-LENGTH"}
r = subprocess.run([check_atom, "-v", "--strict", atom], capture_output=True, text=True)
kinds = {}
for m in re.finditer(r"^\s+(WARN|ERROR)\s+([A-Z-]+)\s", r.stdout, re.M):
    kinds[(m.group(1), m.group(2))] = kinds.get((m.group(1), m.group(2)), 0) + 1
print("strict rfc-rules findings:", ", ".join(f"{k[0]} {k[1]} x{n}" for k, n in sorted(kinds.items())) or "none")
for (level, kind), n in kinds.items():
    if level == "ERROR" or kind not in allowed:
        problems.append(f"--strict: {level} {kind} x{n}")
for line in r.stdout.splitlines():
    if line.strip().startswith("WARN:") or line.strip().startswith("ERROR:"):
        print("  w3c", line.strip())

# Double-encoded UTF-8 ("sÃ¸ndag", "itâ€™s") anywhere in either file: a UTF-8 lead byte read as
# Latin-1 followed by the right number of continuation bytes read as windows-1252 or Latin-1, which
# together decode as UTF-8. ("ôž" in Slovak is no such thing: ô would need three.)
def byte_of(ch):
    try:
        return ch.encode("cp1252")[0]
    except (UnicodeEncodeError, IndexError):
        return ord(ch) if 0x80 <= ord(ch) <= 0x9F else None


def double_encoded(text):
    found = []
    for i, ch in enumerate(text):
        lead = ord(ch)
        if not 0xC2 <= lead <= 0xF4:
            continue
        length = 2 if lead <= 0xDF else 3 if lead <= 0xEF else 4
        raw = bytes([lead])
        for follower in text[i + 1:i + length]:
            b = byte_of(follower)
            if b is None or b & 0xC0 != 0x80:
                break
            raw += bytes([b])
        if len(raw) == length:
            try:
                raw.decode("utf-8")
                found.append(text[i:i + length])
            except UnicodeDecodeError:
                pass
    return found


for path in (atom, jsonfeed):
    found = double_encoded(open(path, encoding="utf-8").read())
    if found:
        problems.append(f"{path}: {len(found)} double-encoded sequences, e.g. {found[:5]}")

# JSON Feed 1.1: version, title, items; each item an id (string, unique) and content_html or content_text;
# the optional fields with their types.
feed = json.load(open(jsonfeed, encoding="utf-8"))
if feed.get("version") != "https://jsonfeed.org/version/1.1":
    problems.append("json: version is not https://jsonfeed.org/version/1.1")
if not isinstance(feed.get("title"), str):
    problems.append("json: title missing or not a string")
items = feed.get("items")
if not isinstance(items, list):
    problems.append("json: items missing")
    items = []
ids = set()
for i, item in enumerate(items):
    if not isinstance(item.get("id"), str) or not item["id"]:
        problems.append(f"json: item {i} has no string id")
    elif item["id"] in ids:
        problems.append(f"json: item {i} repeats id {item['id']}")
    else:
        ids.add(item["id"])
    if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
        problems.append(f"json: item {i} has neither content_html nor content_text")
    for key in ("url", "external_url", "title", "summary", "image", "date_published", "date_modified"):
        if key in item and not isinstance(item[key], str):
            problems.append(f"json: item {i} {key} is not a string")
    for key in ("tags", "authors", "attachments"):
        if key in item and not isinstance(item[key], list):
            problems.append(f"json: item {i} {key} is not an array")
    for a in item.get("attachments", []):
        if not isinstance(a.get("url"), str) or not isinstance(a.get("mime_type"), str):
            problems.append(f"json: item {i} attachment without url or mime_type")
    if not str(item.get("url", "http")).startswith(("http://", "https://")):
        problems.append(f"json: item {i} url is not http(s): {item.get('url')}")
print(f"json feed: {len(items)} items, {len(ids)} unique ids")
for p in problems[:40]:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
