import Foundation

// Pruning by `[storage] keep`, and the tombstones that keep pruned stories from coming back.
extension FeedStore {
    // MARK: tombstones and retention

    func isTombstoned(feedID: Int64, guid: String, canonical: String?, fingerprint: String?) throws(StoreError) -> Bool {
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
            var doomed: [(Int64, String?, String?, String)] = []
            try db.query("SELECT id, canonical_url, fingerprint, entry_id FROM items WHERE effective_at < ? AND first_seen < ?",
                         [.real(cutoff.timeIntervalSince1970), .real(cutoff.timeIntervalSince1970)]) { row in
                let id = row.int64(0)
                if !keepIDs.contains(id) { doomed.append((id, row.text(1), row.text(2), row.text(3) ?? "")) }
            }
            let stamp = SQLValue.real(now.timeIntervalSince1970)
            for (id, canonical, fingerprint, entryID) in doomed {
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
                try forgetKeys(itemID: id, [(.url, canonical), (.text, fingerprint), (.entry, entryID)])
                try db.run("DELETE FROM items WHERE id = ?", [.int(id)])
            }
            try db.run("DELETE FROM tombstones WHERE pruned_at < ?",
                       [.real(now.timeIntervalSince1970 - tombstoneLifetime)])
            return doomed.count
        }
    }
}
