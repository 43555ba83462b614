import Foundation

/// Each configured feed's health, as `tributary status` prints it and the server's `/status` shows it.
public struct StatusReport: Sendable {
    public struct FeedHealth: Sendable {
        public var name: String
        public var url: String
        public var record: FeedRecord?
        public var items: Int
        /// Items first seen on each of the last 14 days, oldest first; the last is the last 24 hours.
        public var perDay: [Int]
        /// For `full_text` feeds: articles fetched, pages waiting, items left with their summary, failed attempts.
        public var fullText: FullTextCounts?
        /// Its items attached to another outlet's story: by URL or identical text, and as near-duplicates.
        public var duplicates: (exact: Int, near: Int) = (0, 0)

        /// "ok", "failing", "stopped" (410 Gone) or "never polled".
        public var health: String {
            guard let record, record.lastPollAt != nil else { return "never polled" }
            if record.gone { return "stopped" }
            return record.failures > 0 ? "failing" : "ok"
        }

        public var lastResult: String {
            record.map { r in r.lastError ?? r.lastStatus.map { "HTTP \($0)" } ?? "-" } ?? "never polled"
        }
    }

    public static let days = 14
    public var feeds: [FeedHealth]
    public var generated: Date

    /// Reads the store once for every feed of `config`.
    public init(config: Configuration, store: FeedStore, now: Date = Date()) throws(StoreError) {
        let rows = try store.allFeeds()
        let counts = try store.itemCounts()
        let daily = try store.dailyCounts(days: Self.days, now: now)
        let pages = try store.fullTextCounts()
        let duplicates = try store.duplicateCounts()
        let byURL = Dictionary(rows.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        generated = now
        feeds = config.feeds.map { feed in
            let record = byURL[feed.url]
            var health = FeedHealth(name: feed.name, url: feed.url, record: record, items: record.flatMap { counts[$0.id] } ?? 0,
                                    perDay: record.flatMap { daily[$0.id] } ?? Array(repeating: 0, count: Self.days),
                                    fullText: feed.fullText == nil ? nil : record.flatMap { pages[$0.id] } ?? FullTextCounts())
            health.duplicates = record.flatMap { duplicates[$0.id] } ?? (0, 0)
            return health
        }
    }

    /// The document of `tributary status --json` and `/status.json`: one object per feed.
    public func json(pretty: Bool = true) -> Data {
        let objects: [[String: Any]] = feeds.map { feed in
            let r = feed.record
            return [
                "name": feed.name, "url": feed.url, "health": feed.health,
                "last_poll": r?.lastPollAt.map { FeedDate.format($0) as Any } ?? NSNull(),
                "last_status": r?.lastStatus.map { $0 as Any } ?? NSNull(),
                "last_error": r?.lastError.map { $0 as Any } ?? NSNull(),
                "failures": r?.failures ?? 0,
                "next_poll": r?.nextPollAt.map { FeedDate.format($0) as Any } ?? NSNull(),
                "gone": r?.gone ?? false, "items": feed.items,
                "duplicates": ["exact": feed.duplicates.exact, "near": feed.duplicates.near],
                "items_24h": feed.perDay.last ?? 0, "items_per_day": feed.perDay,
                "full_text": feed.fullText.map { c -> Any in
                    ["fetched": c.fetched, "pending": c.pending, "fallbacks": c.fallbacks, "failures": c.failures]
                } ?? NSNull(),
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        return data + Data("\n".utf8)
    }

    /// The table `tributary status` prints.
    public func table() -> String {
        func date(_ d: Date?) -> String { d.map(FeedDate.format) ?? "-" }
        var lines: [[String]] = [["NAME", "HEALTH", "LAST POLL", "RESULT", "FAILURES", "NEXT POLL", "ITEMS", "24H", "DUPLICATES", "NEAR", "FULL TEXT"]]
        for feed in feeds {
            let r = feed.record
            let next = r.map { $0.gone ? "stopped" : date($0.nextPollAt) } ?? "-"
            lines.append([feed.name, feed.health, date(r?.lastPollAt), feed.lastResult, "\(r?.failures ?? 0)", next,
                          "\(feed.items)", "\(feed.perDay.last ?? 0)", "\(feed.duplicates.exact)", "\(feed.duplicates.near)",
                          feed.fullText?.description ?? "-"])
        }
        let widths = lines[0].indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// `/status`: a table a person can read, with a 14-day chart per feed as inline SVG.
    public func html(title: String, timeZone: String) -> Data {
        let zone = ZoneTable.load(timeZone) ?? .utc
        func when(_ d: Date?) -> String {
            guard let d else { return "-" }
            return "<time datetime=\"\(FeedDate.format(d))\">\(XMLText.escape(zone.describe(d)))</time>"
        }
        var h = RiverPage.head(title: "Status: \(title)", language: "en", extraStyle:
            "body{max-width:72rem}table{border-collapse:collapse;width:100%;font-size:.9rem}"
            + "th,td{text-align:start;padding:.35rem .5rem;border-bottom:1px solid var(--rule);vertical-align:top}"
            + ".ok{color:#188038}.failing{color:#c5221f}.stopped,.never{color:var(--muted)}svg{display:block}"
            + "@media (max-width:40rem){td:nth-child(4),th:nth-child(4),td:nth-child(5),th:nth-child(5){display:none}}\n")
        h += "<header>\n<h1>Status: \(XMLText.escape(title))</h1>\n"
        let failing = feeds.filter { $0.health == "failing" }.count
        h += "<p>\(feeds.count) feeds, \(failing) failing, as of \(when(generated)) · <a href=\"status.json\">JSON</a></p>\n</header>\n"
        h += "<table>\n<thead><tr><th>Feed</th><th>Health</th><th>Last poll</th><th>Last result</th><th>Next poll</th>"
        h += "<th>24 h</th><th>Items per day, 14 days</th></tr></thead>\n<tbody>\n"
        for feed in feeds {
            let healthClass = feed.health == "never polled" ? "never" : feed.health
            h += "<tr><td dir=\"auto\">\(XMLText.escape(feed.name))</td>"
            h += "<td class=\"\(healthClass)\">\(feed.health)</td>"
            h += "<td>\(when(feed.record?.lastPollAt))</td><td>\(XMLText.escape(feed.lastResult))</td>"
            h += "<td>\(feed.record?.gone == true ? "stopped" : when(feed.record?.nextPollAt))"
            if let pages = feed.fullText { h += "<br><small>full text: \(pages.description)</small>" }
            h += "</td>"
            h += "<td>\(feed.perDay.last ?? 0)</td><td>\(Self.chart(feed.perDay))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n<footer>Tributary \(Product.version)</footer>\n</body>\n</html>\n"
        return Data(h.utf8)
    }

    /// Bars for each day, scaled to the busiest, as one path (a rect per bar would be a kilobyte a feed
    /// on a page of a thousand feeds); the label gives the figures to screen readers.
    static func chart(_ counts: [Int]) -> String {
        let width = 8, gap = 2, height = 28
        let peak = max(counts.max() ?? 0, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(counts.count * (width + gap))\" height=\"\(height)\" "
        svg += "role=\"img\" aria-label=\"items per day: \(counts.map(String.init).joined(separator: ", "))\">"
        svg += "<path fill=\"#bbb\" d=\"M0 \(height - 1)h\(counts.count * (width + gap) - gap)v1H0z\"/>"
        var bars = ""
        for (i, n) in counts.enumerated() where n > 0 {
            let bar = max(2, n * height / peak)
            bars += "M\(i * (width + gap)) \(height)v-\(bar)h\(width)v\(bar)z"
        }
        if !bars.isEmpty { svg += "<path fill=\"#1a73e8\" d=\"\(bars)\"/>" }
        return svg + "</svg>"
    }
}
