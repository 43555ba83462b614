import Foundation

// The query behind every output: newest entries with the outlets that carried them.
extension FeedStore {
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
                   i.published, i.updated, i.effective_at, i.changed_at, i.feed_id, i.permalink
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
                carriers: [], permalink: row.text(14)))
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
}
