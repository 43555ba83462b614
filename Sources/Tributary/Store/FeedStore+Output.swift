import Foundation

// The query behind every output: newest entries with the outlets that carried them.
extension FeedStore {
    /// A source's link: the first publisher's `item_sources` row leaves it NULL, since it is the item's own.
    static func sourceLink(stored: String?, sourceFeed: Int64, itemFeed: Int64, itemLink: String?) -> String? {
        stored ?? (sourceFeed == itemFeed ? itemLink : nil)
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
            SELECT i.id, i.entry_id, i.link, i.title, i.author, i.summary, coalesce(f.content, i.content) AS content,
                   i.categories, i.enclosures, i.published, i.updated, i.effective_at, i.changed_at, i.feed_id, i.permalink
            FROM items i LEFT JOIN full_texts f ON f.item_id = i.id
            WHERE i.effective_at >= ?
              AND EXISTS (SELECT 1 FROM item_sources s WHERE s.item_id = i.id AND +s.feed_id IN (\(idList)))
            ORDER BY i.effective_at DESC, i.id DESC LIMIT ?
            """, [.real(notBefore?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude), .int(Int64(limit))], cache: false) { row in
            let effective = row.date("effective_at") ?? Date(timeIntervalSince1970: 0)
            let published = row.date("published")
            let updated = [row.date("updated"), published, effective].compactMap { $0 }.max() ?? effective
            let itemID = row.int64("id")
            index[itemID] = entries.count
            entries.append(StoredEntry(
                itemID: itemID, entryID: row.text("entry_id") ?? "", link: row.text("link"), title: row.text("title"),
                author: row.text("author"), summary: storedText(row, "summary"), content: storedText(row, "content"),
                categories: Self.splitCategories(row.text("categories")), enclosures: Self.splitEnclosures(row.text("enclosures")),
                published: published, updated: updated, effectiveAt: effective, sourceFeedID: row.int64("feed_id"),
                carriers: [], permalink: row.text("permalink")))
        }
        guard !entries.isEmpty else { return [] }
        let allowed = Set(feedIDs)
        let itemList = entries.map { String($0.itemID) }.joined(separator: ",")
        // The first publisher's link is the entry's, read above (`sourceLink`): no second read of the item.
        try db.query("""
            SELECT s.item_id, s.feed_id, s.link FROM item_sources s WHERE s.item_id IN (\(itemList))
            ORDER BY s.first_seen, s.feed_id
            """, cache: false) { row in
            let feedID = row.int64("feed_id")
            guard let i = index[row.int64("item_id")], allowed.contains(feedID) else { return }
            entries[i].carriers.append((feedID, Self.sourceLink(stored: row.text("link"), sourceFeed: feedID,
                                                                itemFeed: entries[i].sourceFeedID, itemLink: entries[i].link)))
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
