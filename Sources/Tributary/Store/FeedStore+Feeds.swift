import Foundation

// Feed rows (configuration sync, poll state, schedule) and per-host holds.
extension FeedStore {
    // MARK: feeds

    static let feedColumns = """
        id, url, name, title, site_link, etag, last_modified, last_poll_at, last_status, last_error, failures,
        next_poll_at, gone, redirect_url, redirect_seen, planned_interval, body_hash
        """

    /// A feed row, read by column name (the order of `feedColumns` does not matter).
    func feedRecord(_ row: SQLRow) -> FeedRecord {
        let poll = FeedPollState(
            lastPollAt: row.date("last_poll_at"), lastStatus: row.optionalInt("last_status"), lastError: row.text("last_error"),
            etag: row.text("etag"), lastModified: row.text("last_modified"), failures: row.int("failures"),
            nextPollAt: row.date("next_poll_at"), gone: row.int("gone") != 0, redirectURL: row.text("redirect_url"),
            redirectSeen: row.int("redirect_seen"), plannedInterval: row.optionalDouble("planned_interval"),
            bodyHash: row.text("body_hash"))
        return FeedRecord(id: row.int64("id"), url: row.text("url") ?? "", name: row.text("name") ?? "",
                          title: row.text("title"), siteLink: row.text("site_link"), poll: poll)
    }

    /// Makes sure every configured feed has a row; returns the rows in configuration order.
    public func syncFeeds(_ feeds: [FeedSettings]) throws(StoreError) -> [FeedRecord] {
        try db.transaction { () throws(StoreError) -> [FeedRecord] in
            var records: [FeedRecord] = []
            for feed in feeds {
                try db.run("INSERT INTO feeds(url, name) VALUES(?, ?) ON CONFLICT(url) DO UPDATE SET name = excluded.name",
                           [.text(feed.url), .text(feed.name)])
                try db.query("SELECT \(Self.feedColumns) FROM feeds WHERE url = ?", [.text(feed.url)]) { row in
                    records.append(feedRecord(row))
                }
            }
            return records
        }
    }

    public func allFeeds() throws(StoreError) -> [FeedRecord] {
        var records: [FeedRecord] = []
        try db.query("SELECT \(Self.feedColumns) FROM feeds ORDER BY id") { row in records.append(feedRecord(row)) }
        return records
    }

    public func feed(id: Int64) throws(StoreError) -> FeedRecord? {
        var record: FeedRecord?
        try db.query("SELECT \(Self.feedColumns) FROM feeds WHERE id = ?", [.int(id)]) { row in record = feedRecord(row) }
        return record
    }

    /// Number of items each feed carried, keyed by feed id.
    public func itemCounts() throws(StoreError) -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        try db.query("SELECT feed_id, count(*) FROM item_sources GROUP BY feed_id") { row in
            counts[row.int64(0)] = row.int(1)
        }
        return counts
    }

    /// Items each feed brought in over the last `days` days ending at `now`, oldest day first, by when
    /// Tributary first saw them (a feed's own dates may be missing or wrong). One pass over the table.
    public func dailyCounts(days: Int, now: Date) throws(StoreError) -> [Int64: [Int]] {
        var counts: [Int64: [Int]] = [:]
        let start = now.timeIntervalSince1970 - Double(days) * 86400
        try db.query("""
            SELECT feed_id, CAST((first_seen - ?) / 86400 AS INTEGER) AS day, count(*) AS n
            FROM item_sources WHERE first_seen >= ? AND first_seen <= ? GROUP BY feed_id, day
            """, [.real(start), .real(start), .real(now.timeIntervalSince1970)], cache: false) { row in
            let day = min(max(row.int("day"), 0), days - 1)
            counts[row.int64("feed_id"), default: Array(repeating: 0, count: days)][day] += row.int("n")
        }
        return counts
    }

    /// The stored item that feed `feedID` listed as `guid`, if any.
    public func itemID(feedID: Int64, guid: String) throws(StoreError) -> Int64? {
        try db.scalar("SELECT item_id FROM item_sources WHERE feed_id = ? AND guid = ?", [.int(feedID), .text(guid)]).map(Int64.init)
    }

    public func itemCount() throws(StoreError) -> Int {
        try db.scalar("SELECT count(*) FROM items") ?? 0
    }

    /// Moves a feed's next poll, after its interval changed in the config.
    public func reschedule(feedID: Int64, to date: Date?) throws(StoreError) {
        try db.run("UPDATE feeds SET next_poll_at = ? WHERE id = ?", [SQLValue(date), .int(feedID)])
    }

    // MARK: host holds

    /// Hosts still asking to be left alone at `now`.
    public func hostHolds(now: Date) throws(StoreError) -> [String: Date] {
        try db.run("DELETE FROM host_holds WHERE until <= ?", [.real(now.timeIntervalSince1970)])
        var holds: [String: Date] = [:]
        try db.query("SELECT host, until FROM host_holds") { row in holds[row.text(0) ?? ""] = row.date(1) }
        return holds
    }

    public func holdHost(_ host: String, until: Date) throws(StoreError) {
        try db.run("INSERT INTO host_holds(host, until) VALUES(?, ?) ON CONFLICT(host) DO UPDATE SET until = excluded.until",
                   [.text(host), .real(until.timeIntervalSince1970)])
    }
}
