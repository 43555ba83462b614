import Foundation

// The layered identity rules, applied as a poll is stored: this file owns the decision of whether an
// item is new, an edit of one already stored, or another outlet's copy of a stored story.
//   1. the same feed listed the same guid before: unchanged, or updated in place (churn capped);
//   2. a tombstone (pruned item) with its guid, canonical URL or fingerprint: ignored;
//   3. another item with the same canonical URL, else the same content fingerprint: a duplicate, kept as
//      one more source of the stored story;
//   4. another outlet's item published within the window that `SameStory` finds to be the same story in
//      other words: a near-duplicate, kept as a source the same way, with the figures;
//   5. otherwise a new item.
// A near-duplicate source that the configuration no longer allows is let go when its feed lists it again,
// and the item goes through the layers afresh.
// `Identify/` computes the keys (canonical URL, fingerprint); this file decides with them.
extension FeedStore {
    // MARK: ingest

    /// Stores one poll's result in a single transaction: the feed's new state and, when the
    /// body was parsed, its items. Items are dated by `state.lastPollAt`.
    /// `fullText`: the feed wants its items' pages; new and changed items are queued for fetching in the
    /// same transaction, so a kill cannot lose the queue entry of an item it stored.
    public func commit(feedID: Int64, feedURL: String, state: FeedPollState, parsed: ParsedFeed?,
                       fullText: Bool = false, nearDuplicates: NearDuplicatePolicy = .off) throws(StoreError) -> IngestCounts {
        let polledAt = state.lastPollAt ?? Date()
        do {
            // Only polls with items look keys up.
            if parsed != nil { try noticeOtherWriters() }
            try openBatchTransaction()
            let counts = try commitTransaction(feedID: feedID, feedURL: feedURL, state: state, parsed: parsed, polledAt: polledAt,
                                               fullText: fullText, nearDuplicates: nearDuplicates)
            heldKeys.pollCommitted()
            batch?.items += counts.new + counts.updated + counts.duplicate + counts.nearDuplicate
            return counts
        } catch {
            // The index may hold stories the rollback took back: rebuild it from what was committed.
            nearIndex = nil
            heldKeys.pollRolledBack()
            noteBatchFailure(error)
            throw error
        }
    }

    private func commitTransaction(feedID: Int64, feedURL: String, state: FeedPollState, parsed: ParsedFeed?, polledAt: Date,
                                   fullText: Bool, nearDuplicates: NearDuplicatePolicy) throws(StoreError) -> IngestCounts {
        try db.transaction { () throws(StoreError) -> IngestCounts in
            var counts = IngestCounts()
            if let parsed {
                // Tombstones exist only once `[storage] keep` has pruned: until then no item needs checking.
                let pruned = try db.scalar("SELECT 1 FROM tombstones LIMIT 1") != nil
                // A feed with no stored sources (its first poll, as in a cold import) can only re-list a guid it
                // lists twice in this body: its other items need no look-up by guid.
                var listed: Set<String>? = try db.scalar("SELECT 1 FROM item_sources WHERE feed_id = ? LIMIT 1", [.int(feedID)]) == nil
                    ? Set(minimumCapacity: parsed.items.count) : nil
                for item in parsed.items {
                    let queued = try ingest(item, feedID: feedID, feedURL: feedURL, now: polledAt, near: nearDuplicates,
                                            pruned: pruned, listed: &listed, counts: &counts)
                    if fullText, let queued, let link = item.link, link.lowercased().hasPrefix("http") {
                        try queueFullText(itemID: queued, url: link, now: polledAt)
                    }
                }
                try db.run("UPDATE feeds SET title = coalesce(?, title), site_link = coalesce(?, site_link) WHERE id = ?",
                           [SQLValue(parsed.title), SQLValue(parsed.link), .int(feedID)])
            }
            var stamped = state
            stamped.lastPollAt = polledAt
            try recordPollState(feedID: feedID, stamped)
            return counts
        }
    }

    /// Writes a feed's poll state: inside `commit`, and alone after a failed commit (so `status` shows it).
    public func recordPollState(feedID: Int64, _ state: FeedPollState) throws(StoreError) {
        try db.run("""
            UPDATE feeds SET last_poll_at = ?, last_status = ?, last_error = ?, etag = ?, last_modified = ?,
            failures = ?, next_poll_at = ?, gone = ?, redirect_url = ?, redirect_seen = ?,
            planned_interval = ?, body_hash = ? WHERE id = ?
            """,
            [SQLValue(state.lastPollAt), SQLValue(state.lastStatus), SQLValue(state.lastError), SQLValue(state.etag),
             SQLValue(state.lastModified), .int(Int64(state.failures)), SQLValue(state.nextPollAt),
             .int(state.gone ? 1 : 0), SQLValue(state.redirectURL), .int(Int64(state.redirectSeen)),
             SQLValue(state.plannedInterval), SQLValue(state.bodyHash), .int(feedID)])
    }

    /// Returns the item's id when it is new or changed (its page may need fetching), else nil.
    /// `listed`: the guids stored so far from a feed that had no sources before this poll (nil for any other
    /// feed): a guid not in it cannot be known, so the look-up by guid is skipped.
    private func ingest(_ item: FeedItem, feedID: Int64, feedURL: String, now: Date, near policy: NearDuplicatePolicy,
                        pruned: Bool, listed: inout Set<String>?, counts: inout IngestCounts) throws(StoreError) -> Int64? {
        // The fingerprint parses HTML, so it is computed only for items that are new or changed; the
        // near-duplicate sketch reads the same plain text.
        var cachedText: String?
        func normalizedText() -> String {
            if let cachedText { return cachedText }
            let value = ContentFingerprint.normalize(item.summary ?? item.content ?? "")
            cachedText = value
            return value
        }
        var cachedFingerprint: String??
        func fingerprint() -> String? {
            if let cachedFingerprint { return cachedFingerprint }
            let value = ContentFingerprint.of(title: item.title, normalizedText: normalizedText(), date: item.published ?? item.updated)
            cachedFingerprint = .some(value)
            return value
        }
        guard let guid = item.id ?? item.link ?? fingerprint() else { return nil }
        let revisionFields = Self.revisionFields(of: item)
        let revision = RevisionDigest.of(revisionFields)

        // Layer 1: this feed has listed this guid before.
        var known: (id: Int64, owner: Int64, revision: String, revisions: Int, title: String?, link: String?, updated: Double?,
                    canonical: String?, fingerprint: String?)?
        var nearMerge: (similarity: Double?, comparedWords: Int?, containment: Double?)?
        let mayBeKnown = !(listed?.insert(guid).inserted ?? false)
        if mayBeKnown {
            try db.query("""
                SELECT i.id, i.feed_id, i.revision, i.revisions, i.title, i.link, i.updated, s.layer, s.similarity, s.compared_words,
                s.containment, i.canonical_url, i.fingerprint FROM item_sources s JOIN items i ON i.id = s.item_id WHERE s.feed_id = ? AND s.guid = ?
                """, [.int(feedID), .text(guid)]) { row in
                known = (row.int64("id"), row.int64("feed_id"), row.text("revision") ?? "", row.int("revisions"), row.text("title"),
                         row.text("link"), row.optionalDouble("updated"), row.text("canonical_url"), row.text("fingerprint"))
                if row.text("layer") == "near" {
                    nearMerge = (row.optionalDouble("similarity"), row.optionalInt("compared_words"), row.optionalDouble("containment"))
                }
            }
        }
        if let merge = nearMerge, let owner = known?.owner,
           !policy.keeps(similarity: merge.similarity, comparedWords: merge.comparedWords, containment: merge.containment,
                         feedID: feedID, ownerFeedID: owner) {
            // A merge the configuration no longer allows: the item becomes a story of its own below.
            try db.run("DELETE FROM item_sources WHERE feed_id = ? AND guid = ?", [.int(feedID), .text(guid)])
            known = nil
            counts.separated += 1
        }
        if let known {
            guard !RevisionDigest.matches(stored: known.revision, fields: revisionFields, digest: revision), known.owner == feedID else {
                counts.unchanged += 1
                return nil
            }
            let canonical = (item.canonicalLink ?? item.link).flatMap(CanonicalURL.key)
            let fingerprint = fingerprint()
            let churnOnly = known.title == item.title && known.link == item.link
            if churnOnly && known.revisions >= Self.maxChurnRevisions { counts.unchanged += 1; return nil }
            let updated = max(item.updated?.timeIntervalSince1970 ?? now.timeIntervalSince1970, known.updated ?? 0)
            try db.run("""
                UPDATE items SET title = ?, link = ?, author = ?, summary = ?, content = ?, categories = ?, enclosures = ?,
                canonical_url = ?, fingerprint = ?, updated = ?, revision = ?, revisions = revisions + 1, changed_at = ?,
                permalink = ? WHERE id = ?
                """,
                [SQLValue(item.title), SQLValue(item.link), SQLValue(item.author), bodies.encode(item.summary),
                 bodies.encode(item.content), .text(Self.joinCategories(item.categories)),
                 .text(Self.joinEnclosures(item.enclosures)), SQLValue(canonical), SQLValue(fingerprint),
                 .real(updated), .text(revision), .real(now.timeIntervalSince1970), SQLValue(item.permalink), .int(known.id)])
            if canonical != known.canonical || fingerprint != known.fingerprint {
                try forgetKeys(itemID: known.id, [(.url, known.canonical), (.text, known.fingerprint)])
                try recordKeys(itemID: known.id, [(.url, canonical), (.text, fingerprint)])
            }
            counts.updated += 1
            return known.id
        }

        let canonical = (item.canonicalLink ?? item.link).flatMap(CanonicalURL.key)
        let fingerprint = fingerprint()
        if pruned, try isTombstoned(feedID: feedID, guid: guid, canonical: canonical, fingerprint: fingerprint) {
            counts.tombstoned += 1
            return nil
        }

        // Layers 2 and 3: the same story already stored, from any outlet.
        var existing: Int64?
        var layer = "url"
        if let canonical {
            existing = try storedItem(.url, canonical)
        }
        if existing == nil, let fingerprint {
            layer = "text"
            existing = try storedItem(.text, fingerprint)
        }
        if let existing {
            try db.run("INSERT OR IGNORE INTO item_sources(feed_id, guid, item_id, link, first_seen, layer) VALUES(?, ?, ?, ?, ?, ?)",
                       [.int(feedID), .text(guid), .int(existing), SQLValue(item.link), .real(now.timeIntervalSince1970), .text(layer)])
            counts.duplicate += 1
            return nil
        }

        let dated = item.published ?? item.updated
        // A missing or future date falls back to first-seen so the item cannot sit on top forever.
        let effective = (dated.map { $0 <= now ? $0 : now } ?? now).timeIntervalSince1970

        // Layer 4: another outlet's story in other words, for stories published within the window.
        var sketch: StorySketch?
        var filed: UInt32?
        if policy.applies(to: feedID), effective >= now.timeIntervalSince1970 - policy.window {
            let lead = StoryText(lead: normalizedText(), words: StorySketch.leadWords)
            let made = StorySketch(lead)
            sketch = made
            let near = try nearDuplicate(of: item, lead: lead, sketch: made, feedID: feedID, at: effective,
                                         policy: policy, now: now.timeIntervalSince1970)
            filed = near.filed
            if let (existing, evidence) = near.match {
                try db.run("""
                    INSERT OR IGNORE INTO item_sources(feed_id, guid, item_id, link, first_seen, layer, similarity, compared_words,
                    containment, evidence) VALUES(?, ?, ?, ?, ?, 'near', ?, ?, ?, ?)
                    """,
                    [.int(feedID), .text(guid), .int(existing), SQLValue(item.link), .real(now.timeIntervalSince1970),
                     .real(evidence.similarity), .int(Int64(evidence.comparedWords)),
                     evidence.containment.map { .real($0.share) } ?? .null, .text(evidence.summary)])
                counts.nearDuplicate += 1
                return nil
            }
        }

        let entryID = try entryID(for: item, feedURL: feedURL, guid: guid)
        try db.run("""
            INSERT INTO items(entry_id, feed_id, canonical_url, fingerprint, link, title, author, summary, content,
            categories, enclosures, published, updated, first_seen, effective_at, revision, changed_at, permalink)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(entryID), .int(feedID), SQLValue(canonical), SQLValue(fingerprint), SQLValue(item.link),
             SQLValue(item.title), SQLValue(item.author), bodies.encode(item.summary), bodies.encode(item.content),
             .text(Self.joinCategories(item.categories)), .text(Self.joinEnclosures(item.enclosures)),
             SQLValue(item.published.map { min($0, now) }), SQLValue(item.updated.map { min($0, now) }),
             .real(now.timeIntervalSince1970), .real(effective), .text(revision), .real(now.timeIntervalSince1970),
             SQLValue(item.permalink)])
        let itemID = db.lastInsertID
        try recordKeys(itemID: itemID, [(.url, canonical), (.text, fingerprint), (.entry, entryID)])
        // The first publisher's link is the item's own (NULL here, read through it: `sourceLink`).
        try db.run("INSERT INTO item_sources(feed_id, guid, item_id, link, first_seen) VALUES(?, ?, ?, NULL, ?)",
                   [.int(feedID), .text(guid), .int(itemID), .real(now.timeIntervalSince1970)])
        if let sketch {
            try recordSketch(itemID: itemID, feedID: feedID, at: effective, sketch: sketch, filed: filed)
        }
        counts.new += 1
        return itemID
    }

    /// The original id when it is an IRI not used by another item, else a `tag:` URI minted once.
    private func entryID(for item: FeedItem, feedURL: String, guid: String) throws(StoreError) -> String {
        if let id = item.id, Self.isIRI(id),
           try storedItem(.entry, id) == nil {
            return id
        }
        let digest = ContentFingerprint.sha256Hex(feedURL + "\u{0}" + guid)
        return "tag:tributary.invalid,2026:entry/" + digest.prefix(32)
    }

    static func isIRI(_ s: String) -> Bool {
        var copy = s
        if let ascii = copy.withUTF8({ asciiIsIRI($0) }) { return ascii }
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex,
              s.first!.isASCII, s.first!.isLetter,
              s[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }),
              s.index(after: colon) < s.endIndex else { return false }
        return !s.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }
    }

    /// `isIRI` on the bytes of an ASCII string; nil for any other string.
    static func asciiIsIRI(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard b.allSatisfy({ $0 < 0x80 }) else { return nil }
        guard let colon = b.firstIndex(of: 0x3A), colon > 0, colon + 1 < b.count, b[0] | 0x20 >= 0x61, b[0] | 0x20 <= 0x7A else { return false }
        for c in b[..<colon] {
            let letter = c | 0x20 >= 0x61 && c | 0x20 <= 0x7A
            guard letter || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E else { return false }
        }
        // Character.isWhitespace in ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
        return !b.contains { ($0 >= 0x09 && $0 <= 0x0D) || $0 == 0x20 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }
    }

    /// The fields whose edit makes an item changed: its revision is their `RevisionDigest`.
    static func revisionFields(of item: FeedItem) -> [String] {
        [item.title ?? "", item.link ?? "", item.author ?? "", item.summary ?? "", item.content ?? "",
         joinCategories(item.categories), joinEnclosures(item.enclosures)]
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
}
