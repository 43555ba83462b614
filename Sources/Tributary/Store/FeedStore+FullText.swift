import Foundation

/// A page to fetch for an item's full text.
public struct FullTextJob: Sendable, Equatable {
    public var itemID: Int64
    public var feedID: Int64
    public var url: String
    public var attempts: Int
}

/// How a feed's full texts stand, for `status`.
public struct FullTextCounts: Sendable, Equatable {
    public var description: String { "\(fetched) fetched, \(pending) pending, \(fallbacks) fallbacks, \(failures) failures" }

    /// Items showing the article fetched from their page.
    public var fetched = 0
    /// Items waiting for a first fetch or a retry.
    public var pending = 0
    /// Items whose page failed every attempt: they keep the feed's own text.
    public var fallbacks = 0
    /// Failed attempts so far, over all items.
    public var failures = 0
}

// The full-text queue: which pages are due, and what came of fetching them.
extension FeedStore {
    /// Queues an item's page, now. A changed item is fetched again; its old article stays until then.
    func queueFullText(itemID: Int64, url: String, now: Date) throws(StoreError) {
        try db.run("""
            INSERT INTO full_texts(item_id, url, attempts, next_attempt_at) VALUES(?, ?, 0, ?)
            ON CONFLICT(item_id) DO UPDATE SET url = excluded.url, attempts = 0, next_attempt_at = excluded.next_attempt_at,
            last_error = NULL
            """, [.int(itemID), .text(url), .real(now.timeIntervalSince1970)])
    }

    /// Pages due by `now`, oldest first, at most `limit`.
    public func dueFullTexts(now: Date, limit: Int) throws(StoreError) -> [FullTextJob] {
        var jobs: [FullTextJob] = []
        try db.query("""
            SELECT f.item_id, i.feed_id, f.url, f.attempts FROM full_texts f JOIN items i ON i.id = f.item_id
            WHERE f.next_attempt_at <= ? ORDER BY f.next_attempt_at LIMIT ?
            """, [.real(now.timeIntervalSince1970), .int(Int64(limit))]) { row in
            jobs.append(FullTextJob(itemID: row.int64("item_id"), feedID: row.int64("feed_id"), url: row.text("url") ?? "",
                                    attempts: row.int("attempts")))
        }
        return jobs
    }

    /// Stores an extracted article; the item is done until its feed changes it.
    /// One transaction: the article and the item's change time land together, or neither does.
    public func recordFullText(itemID: Int64, content: String, now: Date) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            try db.run("""
                UPDATE full_texts SET content = ?, next_attempt_at = NULL, last_error = NULL, fetched_at = ? WHERE item_id = ?
                """, [bodies.encode(content), .real(now.timeIntervalSince1970), .int(itemID)])
            try db.run("UPDATE items SET changed_at = ? WHERE id = ?", [.real(now.timeIntervalSince1970), .int(itemID)])
        }
    }

    /// Records a failed attempt; `retryAt` nil gives up, and the item keeps the feed's text.
    public func recordFullTextFailure(itemID: Int64, error: String, retryAt: Date?) throws(StoreError) {
        try db.run("""
            UPDATE full_texts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE item_id = ?
            """, [.text(error), SQLValue(retryAt.map(\.timeIntervalSince1970)), .int(itemID)])
    }

    /// Moves an item's next attempt without counting one (its host asked to wait).
    public func postponeFullText(itemID: Int64, until: Date) throws(StoreError) {
        try db.run("UPDATE full_texts SET next_attempt_at = ? WHERE item_id = ?", [.real(until.timeIntervalSince1970), .int(itemID)])
    }

    /// Full-text counts per feed (feeds with no queued page are absent).
    public func fullTextCounts() throws(StoreError) -> [Int64: FullTextCounts] {
        var counts: [Int64: FullTextCounts] = [:]
        try db.query("""
            SELECT i.feed_id, count(f.content), count(f.next_attempt_at),
                   sum(CASE WHEN f.content IS NULL AND f.next_attempt_at IS NULL THEN 1 ELSE 0 END), coalesce(sum(f.attempts), 0)
            FROM full_texts f JOIN items i ON i.id = f.item_id GROUP BY i.feed_id
            """) { row in
            counts[row.int64(0)] = FullTextCounts(fetched: row.int(1), pending: row.int(2), fallbacks: row.int(3), failures: row.int(4))
        }
        return counts
    }
}
