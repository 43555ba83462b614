import Foundation

/// What the store knows about one configured feed.
public struct FeedRecord: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var name: String
    public var title: String?
    public var siteLink: String?
    public var etag: String?
    public var lastModified: String?
    public var lastPollAt: Date?
    public var lastStatus: Int?
    public var lastError: String?
    public var failures: Int
    public var nextPollAt: Date?
    public var gone: Bool
    public var redirectURL: String?
    public var redirectSeen: Int
    /// The feed's interval when its next poll was planned (before server hints or backoff).
    public var plannedInterval: TimeInterval?
    /// SHA-256 of the last body that was parsed and stored.
    public var bodyHash: String?
}

/// The outcome of one poll, as persisted on the feed's row.
public struct FeedPollState: Sendable, Equatable {
    public var polledAt: Date
    public var status: Int?
    public var error: String?
    public var etag: String?
    public var lastModified: String?
    public var failures: Int
    public var nextPollAt: Date?
    public var gone: Bool
    public var redirectURL: String?
    public var redirectSeen: Int
    public var plannedInterval: TimeInterval?
    public var bodyHash: String?

    public init(polledAt: Date, status: Int?, error: String?, etag: String?, lastModified: String?, failures: Int,
                nextPollAt: Date?, gone: Bool, redirectURL: String?, redirectSeen: Int, plannedInterval: TimeInterval? = nil,
                bodyHash: String? = nil) {
        self.polledAt = polledAt
        self.status = status
        self.error = error
        self.etag = etag
        self.lastModified = lastModified
        self.failures = failures
        self.nextPollAt = nextPollAt
        self.gone = gone
        self.redirectURL = redirectURL
        self.redirectSeen = redirectSeen
        self.plannedInterval = plannedInterval
        self.bodyHash = bodyHash
    }
}

/// How a poll's items were sorted out.
public struct IngestCounts: Sendable, Equatable {
    public var new = 0
    public var updated = 0
    public var duplicate = 0
    public var unchanged = 0
    public var tombstoned = 0

    public init() {}
}

/// An item ready to be written to an output, with the outlets that carried it.
public struct StoredEntry: Sendable {
    public var itemID: Int64
    public var entryID: String
    public var link: String?
    public var title: String?
    public var author: String?
    public var summary: String?
    public var content: String?
    public var categories: [String]
    public var enclosures: [Enclosure]
    public var published: Date?
    public var updated: Date
    public var effectiveAt: Date
    /// Feed that published it first, among the feeds asked for.
    public var sourceFeedID: Int64
    /// Every asked-for feed that carried it, first publisher first, with that outlet's link.
    public var carriers: [(feedID: Int64, link: String?)]
}

/// SQLite-backed storage of feeds and items, with layered identity (guid, canonical URL, content).
public final class FeedStore {
    let db: SQLiteDatabase
    /// Updates caused by content churn alone (same title and link) stop counting after this many.
    public static let maxChurnRevisions = 5

    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        if !readOnly {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError(message: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        db = try SQLiteDatabase(path: path, readOnly: readOnly)
        if readOnly {
            try db.execute("PRAGMA query_only = ON")
            return
        }
        // WAL: readers (tributary status) never block the daemon; NORMAL sync is crash-safe in WAL mode.
        // journal_size_limit: after a checkpoint the WAL file shrinks back instead of keeping its peak size.
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 33554432;")
        try migrate()
    }

    public func close() { db.close() }

    func migrate() throws(StoreError) {
        let version = try db.scalar("PRAGMA user_version") ?? 0
        guard version <= Schema.migrations.count else {
            throw StoreError(message: "database schema version \(version) is newer than this tributary understands")
        }
        for index in version..<Schema.migrations.count {
            try db.transaction { () throws(StoreError) in
                try db.execute(Schema.migrations[index])
                try db.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }

    // MARK: feeds

    private static let feedColumns = """
        id, url, name, title, site_link, etag, last_modified, last_poll_at, last_status, last_error, failures,
        next_poll_at, gone, redirect_url, redirect_seen, planned_interval, body_hash
        """

    private func feedRecord(_ row: SQLRow) -> FeedRecord {
        FeedRecord(id: row.int64(0), url: row.text(1) ?? "", name: row.text(2) ?? "", title: row.text(3),
                   siteLink: row.text(4), etag: row.text(5), lastModified: row.text(6), lastPollAt: row.date(7),
                   lastStatus: row.optionalInt(8), lastError: row.text(9), failures: row.int(10),
                   nextPollAt: row.date(11), gone: row.int(12) != 0, redirectURL: row.text(13), redirectSeen: row.int(14),
                   plannedInterval: row.isNull(15) ? nil : row.double(15), bodyHash: row.text(16))
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

    // MARK: ingest

    /// Stores one poll's result in a single transaction: the feed's new state and, when the
    /// body was parsed, its items.
    public func commit(feedID: Int64, feedURL: String, state: FeedPollState, parsed: ParsedFeed?) throws(StoreError) -> IngestCounts {
        try db.transaction { () throws(StoreError) -> IngestCounts in
            var counts = IngestCounts()
            if let parsed {
                for item in parsed.items {
                    try ingest(item, feedID: feedID, feedURL: feedURL, now: state.polledAt, counts: &counts)
                }
                try db.run("UPDATE feeds SET title = coalesce(?, title), site_link = coalesce(?, site_link) WHERE id = ?",
                           [SQLValue(parsed.title), SQLValue(parsed.link), .int(feedID)])
            }
            try db.run("""
                UPDATE feeds SET last_poll_at = ?, last_status = ?, last_error = ?, etag = ?, last_modified = ?,
                failures = ?, next_poll_at = ?, gone = ?, redirect_url = ?, redirect_seen = ?,
                planned_interval = ?, body_hash = ? WHERE id = ?
                """,
                [SQLValue(state.polledAt), SQLValue(state.status), SQLValue(state.error), SQLValue(state.etag),
                 SQLValue(state.lastModified), .int(Int64(state.failures)), SQLValue(state.nextPollAt),
                 .int(state.gone ? 1 : 0), SQLValue(state.redirectURL), .int(Int64(state.redirectSeen)),
                 SQLValue(state.plannedInterval), SQLValue(state.bodyHash), .int(feedID)])
            return counts
        }
    }

    private func ingest(_ item: FeedItem, feedID: Int64, feedURL: String, now: Date, counts: inout IngestCounts) throws(StoreError) {
        // The fingerprint parses HTML, so it is computed only for items that are new or changed.
        var cachedFingerprint: String??
        func fingerprint() -> String? {
            if let cachedFingerprint { return cachedFingerprint }
            let value = ContentFingerprint.of(title: item.title, text: item.summary ?? item.content,
                                              date: item.published ?? item.updated)
            cachedFingerprint = .some(value)
            return value
        }
        guard let guid = item.id ?? item.link ?? fingerprint() else { return }
        let revision = Self.revision(of: item)

        // Layer 1: this feed has listed this guid before.
        var known: (id: Int64, owner: Int64, revision: String, revisions: Int, title: String?, link: String?, updated: Double?)?
        try db.query("""
            SELECT i.id, i.feed_id, i.revision, i.revisions, i.title, i.link, i.updated FROM item_sources s
            JOIN items i ON i.id = s.item_id WHERE s.feed_id = ? AND s.guid = ?
            """, [.int(feedID), .text(guid)]) { row in
            known = (row.int64(0), row.int64(1), row.text(2) ?? "", row.int(3), row.text(4), row.text(5),
                     row.isNull(6) ? nil : row.double(6))
        }
        if let known {
            guard known.revision != revision, known.owner == feedID else { counts.unchanged += 1; return }
            let canonical = (item.canonicalLink ?? item.link).flatMap(CanonicalURL.key)
            let fingerprint = fingerprint()
            let churnOnly = known.title == item.title && known.link == item.link
            if churnOnly && known.revisions >= Self.maxChurnRevisions { counts.unchanged += 1; return }
            let updated = max(item.updated?.timeIntervalSince1970 ?? now.timeIntervalSince1970, known.updated ?? 0)
            try db.run("""
                UPDATE items SET title = ?, link = ?, author = ?, summary = ?, content = ?, categories = ?, enclosures = ?,
                canonical_url = ?, fingerprint = ?, updated = ?, revision = ?, revisions = revisions + 1, changed_at = ?
                WHERE id = ?
                """,
                [SQLValue(item.title), SQLValue(item.link), SQLValue(item.author), SQLValue(item.summary),
                 SQLValue(item.content), .text(Self.joinCategories(item.categories)),
                 .text(Self.joinEnclosures(item.enclosures)), SQLValue(canonical), SQLValue(fingerprint),
                 .real(updated), .text(revision), .real(now.timeIntervalSince1970), .int(known.id)])
            counts.updated += 1
            return
        }

        let canonical = (item.canonicalLink ?? item.link).flatMap(CanonicalURL.key)
        let fingerprint = fingerprint()
        if try isTombstoned(feedID: feedID, guid: guid, canonical: canonical, fingerprint: fingerprint) {
            counts.tombstoned += 1
            return
        }

        // Layers 2 and 3: the same story already stored, from any outlet.
        var existing: Int64?
        if let canonical {
            existing = try db.scalar("SELECT id FROM items WHERE canonical_url = ? LIMIT 1", [.text(canonical)]).map(Int64.init)
        }
        if existing == nil, let fingerprint {
            existing = try db.scalar("SELECT id FROM items WHERE fingerprint = ? LIMIT 1", [.text(fingerprint)]).map(Int64.init)
        }
        if let existing {
            try db.run("INSERT OR IGNORE INTO item_sources(feed_id, guid, item_id, link, first_seen) VALUES(?, ?, ?, ?, ?)",
                       [.int(feedID), .text(guid), .int(existing), SQLValue(item.link), .real(now.timeIntervalSince1970)])
            counts.duplicate += 1
            return
        }

        let entryID = try entryID(for: item, feedURL: feedURL, guid: guid)
        let dated = item.published ?? item.updated
        // A missing or future date falls back to first-seen so the item cannot sit on top forever.
        let effective = (dated.map { $0 <= now ? $0 : now } ?? now).timeIntervalSince1970
        try db.run("""
            INSERT INTO items(entry_id, feed_id, canonical_url, fingerprint, link, title, author, summary, content,
            categories, enclosures, published, updated, first_seen, effective_at, revision, changed_at)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(entryID), .int(feedID), SQLValue(canonical), SQLValue(fingerprint), SQLValue(item.link),
             SQLValue(item.title), SQLValue(item.author), SQLValue(item.summary), SQLValue(item.content),
             .text(Self.joinCategories(item.categories)), .text(Self.joinEnclosures(item.enclosures)),
             SQLValue(item.published.map { min($0, now) }), SQLValue(item.updated.map { min($0, now) }),
             .real(now.timeIntervalSince1970), .real(effective), .text(revision), .real(now.timeIntervalSince1970)])
        let itemID = db.lastInsertID
        try db.run("INSERT INTO item_sources(feed_id, guid, item_id, link, first_seen) VALUES(?, ?, ?, ?, ?)",
                   [.int(feedID), .text(guid), .int(itemID), SQLValue(item.link), .real(now.timeIntervalSince1970)])
        counts.new += 1
    }

    /// The original id when it is an IRI not used by another item, else a `tag:` URI minted once.
    private func entryID(for item: FeedItem, feedURL: String, guid: String) throws(StoreError) -> String {
        if let id = item.id, Self.isIRI(id),
           try db.scalar("SELECT 1 FROM items WHERE entry_id = ?", [.text(id)]) == nil {
            return id
        }
        let digest = ContentFingerprint.sha256Hex(feedURL + "\u{0}" + guid)
        return "tag:tributary.invalid,2026:entry/" + digest.prefix(32)
    }

    static func isIRI(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex,
              s.first!.isASCII, s.first!.isLetter,
              s[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }),
              s.index(after: colon) < s.endIndex else { return false }
        return !s.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }
    }

    static func revision(of item: FeedItem) -> String {
        let parts = [item.title ?? "", item.link ?? "", item.author ?? "", item.summary ?? "", item.content ?? "",
                     joinCategories(item.categories), joinEnclosures(item.enclosures)]
        return ContentFingerprint.sha256Hex(parts.joined(separator: "\u{1F}"))
    }

    static func joinCategories(_ categories: [String]) -> String { categories.joined(separator: "\u{1F}") }
    static func splitCategories(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: "\u{1F}").map(String.init)
    }

    static func joinEnclosures(_ enclosures: [Enclosure]) -> String {
        enclosures.map { "\($0.url)\u{1F}\($0.type ?? "")\u{1F}\($0.length.map(String.init) ?? "")" }
            .joined(separator: "\u{1E}")
    }

    static func splitEnclosures(_ text: String?) -> [Enclosure] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: "\u{1E}").compactMap { record in
            let f = record.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 3, !f[0].isEmpty else { return nil }
            return Enclosure(url: f[0], type: f[1].isEmpty ? nil : f[1], length: Int(f[2]))
        }
    }

    // MARK: tombstones and retention

    private func isTombstoned(feedID: Int64, guid: String, canonical: String?, fingerprint: String?) throws(StoreError) -> Bool {
        var keys: [(String, String)] = [("guid", "\(feedID)\u{1F}\(guid)")]
        if let canonical { keys.append(("url", canonical)) }
        if let fingerprint { keys.append(("hash", fingerprint)) }
        for (kind, key) in keys where try db.scalar("SELECT 1 FROM tombstones WHERE kind = ? AND key = ?",
                                                     [.text(kind), .text(key)]) != nil {
            return true
        }
        return false
    }

    /// Removes items first seen before `cutoff` that are not among `keepIDs`, remembering their keys.
    /// Returns how many items were pruned.
    @discardableResult
    public func prune(olderThan cutoff: Date, keeping keepIDs: Set<Int64>, now: Date,
                      tombstoneLifetime: TimeInterval) throws(StoreError) -> Int {
        try db.transaction { () throws(StoreError) -> Int in
            var doomed: [(Int64, String?, String?)] = []
            try db.query("SELECT id, canonical_url, fingerprint FROM items WHERE effective_at < ? AND first_seen < ?",
                         [.real(cutoff.timeIntervalSince1970), .real(cutoff.timeIntervalSince1970)]) { row in
                let id = row.int64(0)
                if !keepIDs.contains(id) { doomed.append((id, row.text(1), row.text(2))) }
            }
            let stamp = SQLValue.real(now.timeIntervalSince1970)
            for (id, canonical, fingerprint) in doomed {
                var guids: [String] = []
                try db.query("SELECT feed_id, guid FROM item_sources WHERE item_id = ?", [.int(id)]) { row in
                    guids.append("\(row.int64(0))\u{1F}\(row.text(1) ?? "")")
                }
                var keys = guids.map { ("guid", $0) }
                if let canonical { keys.append(("url", canonical)) }
                if let fingerprint { keys.append(("hash", fingerprint)) }
                for (kind, key) in keys {
                    try db.run("INSERT OR REPLACE INTO tombstones(kind, key, pruned_at) VALUES(?, ?, ?)",
                               [.text(kind), .text(key), stamp])
                }
                try db.run("DELETE FROM item_sources WHERE item_id = ?", [.int(id)])
                try db.run("DELETE FROM items WHERE id = ?", [.int(id)])
            }
            try db.run("DELETE FROM tombstones WHERE pruned_at < ?",
                       [.real(now.timeIntervalSince1970 - tombstoneLifetime)])
            return doomed.count
        }
    }

    // MARK: output

    /// The newest entries carried by any of `feedIDs`, newest first, at most `limit`.
    public func entries(feedIDs: [Int64], limit: Int, notBefore: Date?) throws(StoreError) -> [StoredEntry] {
        guard !feedIDs.isEmpty, limit > 0 else { return [] }
        let idList = feedIDs.map(String.init).joined(separator: ",")
        // "+s.feed_id": look sources up by item only and filter by feed; probing the index once per
        // (item, feed) pair cost 500 × feeds lookups.
        var entries: [StoredEntry] = []
        var index: [Int64: Int] = [:]
        try db.query("""
            SELECT i.id, i.entry_id, i.link, i.title, i.author, i.summary, i.content, i.categories, i.enclosures,
                   i.published, i.updated, i.effective_at, i.changed_at, i.feed_id
            FROM items i
            WHERE i.effective_at >= ?
              AND EXISTS (SELECT 1 FROM item_sources s WHERE s.item_id = i.id AND +s.feed_id IN (\(idList)))
            ORDER BY i.effective_at DESC, i.id DESC LIMIT ?
            """, [.real(notBefore?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude), .int(Int64(limit))], cache: false) { row in
            let effective = Date(timeIntervalSince1970: row.double(11))
            let updated = [row.date(10), row.date(9), effective].compactMap { $0 }.max() ?? effective
            index[row.int64(0)] = entries.count
            entries.append(StoredEntry(
                itemID: row.int64(0), entryID: row.text(1) ?? "", link: row.text(2), title: row.text(3),
                author: row.text(4), summary: row.text(5), content: row.text(6),
                categories: Self.splitCategories(row.text(7)), enclosures: Self.splitEnclosures(row.text(8)),
                published: row.date(9), updated: updated, effectiveAt: effective, sourceFeedID: row.int64(13),
                carriers: []))
        }
        guard !entries.isEmpty else { return [] }
        let allowed = Set(feedIDs)
        let itemList = entries.map { String($0.itemID) }.joined(separator: ",")
        try db.query("""
            SELECT item_id, feed_id, link FROM item_sources WHERE item_id IN (\(itemList))
            ORDER BY first_seen, feed_id
            """, cache: false) { row in
            guard let i = index[row.int64(0)], allowed.contains(row.int64(1)) else { return }
            entries[i].carriers.append((row.int64(1), row.text(2)))
        }
        for i in entries.indices {
            // The first publisher stays the source while it is configured; otherwise the earliest carrier.
            if !allowed.contains(entries[i].sourceFeedID), let first = entries[i].carriers.first {
                entries[i].sourceFeedID = first.feedID
            }
            if let own = entries[i].carriers.firstIndex(where: { $0.feedID == entries[i].sourceFeedID }), own != 0 {
                entries[i].carriers.insert(entries[i].carriers.remove(at: own), at: 0)
            }
        }
        return entries
    }

    /// Whether the database answers a trivial query (for the watchdog).
    public func ping() -> Bool {
        (try? db.scalar("SELECT 1")) == 1
    }

    /// Checks the database file for corruption.
    public func integrityCheck() throws(StoreError) -> String {
        var result = ""
        try db.query("PRAGMA integrity_check") { row in result += row.text(0) ?? "" }
        return result
    }
}
