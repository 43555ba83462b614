#!/usr/bin/env bash
# Benchmark (prints figures, not a test): what full text costs on top of a cold poll cycle.
#   scripts/fulltext-bench.sh [ITEMS]   ITEMS new items (default 1000) in 20 loopback feeds, each linking
#                                       a news-like page of about 80 KB (article, navigation, scripts,
#                                       related posts, comments)
# Prints the CPU of `tributary poll` with full_text off and on, the difference per page, the per-page
# CPU of `tributary extract` over ../shared/fulltext (whole process, start-up included), the same in one
# process, and the start-up alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS="${1:-1000}"
QUIET_BUILD=1 scripts/build-release.sh --product tributary
QUIET_BUILD=1 scripts/build-release.sh --product tributary-bench
BIN="$PWD/.build/release/tributary"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/www"
python3 - "$work/www" "$ITEMS" <<'PY'
import os, random, sys
root, items = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = ("cabinet minister province budget solar power grid tariff court hearing petition senate vote cricket "
         "board series flood relief river rain farmers wheat prices market index shares bank loan talks").split()
def sentence():
    return " ".join(rng.choice(words) for _ in range(rng.randint(12, 24))).capitalize() + ", officials said."
chrome = "".join("<li><a href='/s/%d'>%s</a></li>" % (i, sentence()) for i in range(60))
script = "<script>" + "var x=1;" * 4000 + "</script>"
feeds = 20
per = max(1, items // feeds)
for f in range(feeds):
    x = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet %d</title><link>http://127.0.0.1/</link>' % f]
    for j in range(per):
        name = "page-%d-%d.html" % (f, j)
        body = "".join("<p>%s %s %s</p>" % (sentence(), sentence(), sentence()) for _ in range(8))
        page = ("<html><head><title>Story %d-%d</title>%s<style>.a{}</style></head><body><header><nav><ul>%s</ul></nav>"
                "<div class='weather-widget'>Loading weather...</div></header><main><article><h1>Story %d-%d</h1>"
                "<span class='reading-time'>3 min read</span><div class='content'>%s</div></article>"
                "<section class='related-posts'><h2>Posts List</h2><ul>%s</ul></section><section class='comments'>%s</section>"
                "</main><footer><a class='scroll-top' href='#'>Scroll to Top</a></footer>%s</body></html>"
                % (f, j, script, chrome, f, j, body, chrome, chrome, script))
        open(os.path.join(root, name), "w").write(page)
        x.append("<item><guid>s-%d-%d</guid><title>Story %d-%d</title><link>PAGEBASE/%s</link><description>%s</description>"
                 "<pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>" % (f, j, f, j, name, sentence()))
    x.append("</channel></rss>")
    open(os.path.join(root, "feed-%d.xml" % f), "w").write("".join(x))
PY
python3 Tests/Support/feedserver.py "$work/www" > "$work/port.txt" < <(sleep 3600) &  # it stops when its stdin closes
server=$!
for _ in $(seq 50); do [ -s "$work/port.txt" ] && break; sleep 0.1; done
port=$(head -1 "$work/port.txt")
sed -i "s#PAGEBASE#http://127.0.0.1:$port#g" "$work"/www/feed-*.xml
page_bytes=$(cat "$work"/www/page-0-*.html | wc -c)
echo "== $ITEMS items in 20 feeds; pages of $((page_bytes / $(ls "$work"/www/page-0-*.html | wc -l) / 1024)) KB on 127.0.0.1:$port"
# Polls until no page is left (at most 500 pages are fetched per cycle), summing CPU over the cycles.
run() {
    local label="$1" extra="$2" cpu=0 wall=0 rss=0 cycles=0
    mkdir -p "$work/$label"
    {
        printf '[storage]\ndatabase = "db.sqlite"\n[output]\npath = "merged.atom"\ntitle = "bench"\nmax_entries = 500\n'
        printf '[poll]\nconcurrency = 8\nper_host = 8\ntimeout = "60s"\n[log]\nlevel = "warning"\n'
        for f in $(seq 0 19); do printf '[[feed]]\nname = "Outlet %d"\nurl = "http://127.0.0.1:%s/feed-%d.xml"\n%s\n' "$f" "$port" "$f" "$extra"; done
    } > "$work/$label/feeds.toml"
    for cycle in 1 2 3 4 5; do
        /usr/bin/time -f "%e %U %S %M" -o "$work/$label/time.txt" "$BIN" poll --config "$work/$label/feeds.toml" > "$work/$label/out.txt"
        read -r w user sys r < "$work/$label/time.txt"
        cpu=$(echo "$cpu + $user + $sys" | bc); wall=$(echo "$wall + $w" | bc); rss=$((r > rss ? r : rss)); cycles=$cycle
        printf '  %-9s cycle %d: %s\n' "$label" "$cycle" "$(tail -1 "$work/$label/out.txt")"
        [ "$cycle" -ge 2 ] && ! grep -q "full text" "$work/$label/out.txt" && break
    done
    printf '%-10s %d cycles  wall %6.2f s  cpu %6.2f s  peak rss %4d MB\n' "$label" "$cycles" "$wall" "$cpu" $((rss / 1024))
    eval "cpu_$label=$cpu"
}
run plain ""
run fulltext "full_text = true"
echo "full text on top of the cycles: $(echo "$cpu_fulltext - $cpu_plain" | bc) CPU-s for $ITEMS pages"
echo "chrome strings in the merged file: $(grep -o "Posts List\|Loading weather\|Scroll to Top\|min read" "$work/fulltext/merged.atom" | wc -l)"
if [ -d ../shared/fulltext/pages ]; then
    echo "== tributary extract over ../shared/fulltext (whole process per page)"
    python3 ../shared/fulltext/score.py ../shared/fulltext/pages --cmd "$BIN extract {html} --url {url}" | tail -2
    .build/release/tributary-bench extract ../shared/fulltext/pages
    printf 'start-up alone (extract on a 93-byte page): '
    printf '<p>Hello there, this is a small page with a paragraph of text.</p>' > "$work/tiny.html"
    /usr/bin/time -f "%U %S" -o "$work/t.txt" bash -c "for i in \$(seq 50); do $BIN extract $work/tiny.html >/dev/null; done"
    read -r u s < "$work/t.txt"; echo "$u $s" | awk '{printf "%.1f ms of CPU\n", ($1 + $2) * 1000 / 50}'
fi
if [ -d .build/test-artifacts/news-page ]; then
    # Written by ExtractTests: the modelled news page, expected = its headline and body.
    echo "== the modelled news page (weather widget, reading time, related posts, scroll to top), against headline and body"
    python3 ../shared/fulltext/score.py .build/test-artifacts/news-page --cmd "$BIN extract {html} --url {url}" | tail -1
    echo "chrome strings in its text: $("$BIN" extract .build/test-artifacts/news-page/punjab/page.html | grep -o "Loading weather\|minute read\|Posts List\|Scroll to Top\|Share on\|cookies\|newsletter\|Most Read\|comment\|Advertisement" | wc -l)"
fi
