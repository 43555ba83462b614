import Foundation

// The near-duplicate layer's storage: the sketches of recent stories and their in-memory index, the
// comparison of a new story with the stored ones its sketch points to, and what `explain` and `status`
// read back. The decision itself is `SameStory`'s.
extension FeedStore {
    /// At most this many candidates are compared with a new story, most band agreement first.
    static let nearCandidateLimit = 8

    /// What near-duplicate detection compares of an item: its title, and the first `SameStory.longestText`
    /// words of its content, or else its summary, as letters; the whole body is made plain text, so that
    /// the story's length is known too. Only items whose lead passed the screen come here.
    static func storyText(title: String?, summary: String?, content: String?) -> StoryText {
        StoryText(title: title.map(PlainText.fromHTML), text: PlainText.fromHTML(content ?? summary ?? ""),
                  maxWords: SameStory.longestText)
    }

    static func head(of html: String?, bytes limit: Int) -> String {
        guard let html else { return "" }
        return html.utf8.count > limit ? String(decoding: html.utf8.prefix(limit), as: UTF8.self) : html
    }

    /// Builds the index of stories published within the window from `story_sketches` when missing, and
    /// again once the window has moved by half its length (dropping sketches that fell out of it). It is
    /// kept in `nearIndex` and changed there in place: a copy of it would be copied whole at the next change.
    func prepareNearDuplicateIndex(now: Double, window: Double) throws(StoreError) {
        if let nearIndex, now - nearIndex.builtAt < window / 2, now >= nearIndex.builtAt { return }
        nearIndex = nil
        let cutoff = now - window
        try db.run("DELETE FROM story_sketches WHERE at < ?", [.real(cutoff)])
        var index = NearDuplicateIndex(builtAt: now)
        try db.query("SELECT item_id, feed_id, at, sketch FROM story_sketches ORDER BY item_id", cache: false) { row in
            let sketch = row.isBlob(3) ? row.withBlob(3) { StorySketch(bytes: $0) } : row.text(3).flatMap(StorySketch.init(hex:))
            if let sketch {
                index.insert(itemID: row.int64(0), feedID: row.int64(1), at: row.double(2), sketch: sketch)
            }
        }
        nearIndex = index
    }

    /// The stored story that `item` (from `feedID`, published at `at`, with this lead and its sketch)
    /// re-tells, with the figures; nil when none within the window does. Each candidate's lead is screened
    /// first (`SameStory.screen`), and the whole texts are read only for those that pass. When the index
    /// has no candidate at all, it files the sketch at once (`filed`), and `recordSketch` names its item.
    func nearDuplicate(of item: FeedItem, lead: StoryText, sketch: StorySketch, feedID: Int64, at: Double,
                       policy: NearDuplicatePolicy, now: Double) throws(StoreError) -> (match: (itemID: Int64, evidence: SameStory.Evidence)?, filed: UInt32?) {
        guard !sketch.isEmpty else { return (nil, nil) }
        try prepareNearDuplicateIndex(now: now, window: policy.window)
        guard let (found, filed) = nearIndex?.candidatesFilingWhenNone(for: sketch, feedID: feedID, at: at, window: policy.window) else {
            return (nil, nil)
        }
        let candidates = found.filter { policy.applies(to: $0.feedID) }
        guard !candidates.isEmpty else { return (nil, filed) }
        let leadShingles = SameStory.leadShingles(lead)
        var story: StoryText?
        for candidate in candidates.prefix(Self.nearCandidateLimit) {
            var row: (title: String?, summary: String?, content: String?)?
            try db.query("SELECT title, summary, content FROM items WHERE id = ?", [.int(candidate.itemID)]) { r in
                row = (r.text(0), storedText(r, "summary"), storedText(r, "content"))
            }
            guard let row else { continue }  // pruned since it was indexed
            // The lead as the sketch read it: the fingerprint's plain text (summary, else content).
            let storedLead = StoryText(lead: ContentFingerprint.normalize(Self.head(of: row.summary ?? row.content, bytes: 2000)),
                                       words: SameStory.screenWords)
            guard SameStory.screen(leadShingles, storedLead) else { continue }
            let new = story ?? Self.storyText(title: item.title, summary: item.summary, content: item.content)
            story = new
            guard new.wordCount >= SameStory.minimumWords else { return (nil, nil) }
            let stored = Self.storyText(title: row.title, summary: row.summary, content: row.content)
            // Lengths say something only of whole texts: items that carry content, not a summary alone.
            let whole = item.content != nil && row.content != nil
            let evidence = candidate.at <= at
                ? SameStory.compare(stored, new, threshold: policy.threshold, weighLengths: whole)
                : SameStory.compare(new, stored, threshold: policy.threshold, weighLengths: whole)
            if evidence.same { return ((candidate.itemID, evidence), nil) }
        }
        return (nil, nil)
    }

    /// Keeps a new item's sketch (made when it was published within the window) for the stories that
    /// follow: in the table, and in the index when it is built; an index built later reads the table.
    func recordSketch(itemID: Int64, feedID: Int64, at: Double, sketch: StorySketch, filed: UInt32? = nil) throws(StoreError) {
        guard !sketch.isEmpty else { return }
        // An upsert, not INSERT OR REPLACE: REPLACE may delete rows (and cascade), so SQLite wraps each such
        // statement in a statement journal, whose release inside a large batch cost 4% of a cold cycle.
        try db.run("""
            INSERT INTO story_sketches(item_id, feed_id, at, sketch) VALUES(?, ?, ?, ?)
            ON CONFLICT(item_id) DO UPDATE SET feed_id = excluded.feed_id, at = excluded.at, sketch = excluded.sketch
            """, [.int(itemID), .int(feedID), .real(at), .blob(sketch.bytes)])
        if let filed {
            nearIndex?.name(filed, itemID: itemID)
        } else {
            nearIndex?.insert(itemID: itemID, feedID: feedID, at: at, sketch: sketch)
        }
    }

    /// Feeds with near-duplicate merges that `policy` no longer allows (a feed opted out, the layer turned
    /// off, a higher threshold). Their validators and body hash are cleared, so that their next poll reads
    /// the whole feed again and the ingest makes each such item an entry of its own. Returns the feeds' ids.
    @discardableResult
    public func releaseNearDuplicates(_ policy: NearDuplicatePolicy) throws(StoreError) -> Set<Int64> {
        var feeds: Set<Int64> = []
        try db.query("""
            SELECT s.feed_id, i.feed_id, s.similarity, s.compared_words, s.containment FROM item_sources s JOIN items i ON i.id = s.item_id
            WHERE s.layer = 'near'
            """, cache: false) { row in
            if !policy.keeps(similarity: row.optionalDouble("similarity"), comparedWords: row.optionalInt("compared_words"),
                             containment: row.optionalDouble("containment"),
                             feedID: row.int64(0), ownerFeedID: row.int64(1)) {
                feeds.insert(row.int64(0))
            }
        }
        for feed in feeds {
            try db.run("UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL WHERE id = ?", [.int(feed)])
        }
        return feeds
    }

    /// Per feed: its items attached to another outlet's story by the exact layers, and by the near one.
    public func duplicateCounts() throws(StoreError) -> [Int64: (exact: Int, near: Int)] {
        var counts: [Int64: (exact: Int, near: Int)] = [:]
        try db.query("""
            SELECT s.feed_id, sum(CASE WHEN s.layer = 'near' THEN 0 ELSE 1 END), sum(CASE WHEN s.layer = 'near' THEN 1 ELSE 0 END)
            FROM item_sources s JOIN items i ON i.id = s.item_id WHERE i.feed_id <> s.feed_id GROUP BY s.feed_id
            """, cache: false) { row in
            counts[row.int64(0)] = (row.int(1), row.int(2))
        }
        return counts
    }

    /// Why each source of an entry is attached to it: the entry is found by its id (the output's
    /// `<id>`), its link, or the link of any of its sources.
    public func explanation(of reference: String) throws(StoreError) -> EntryExplanation? {
        var itemID = try storedItem(.entry, reference)
        if itemID == nil {
            itemID = try db.scalar("SELECT id FROM items WHERE link = ? ORDER BY id LIMIT 1", [.text(reference)]).map(Int64.init)
        }
        if itemID == nil {
            itemID = try db.scalar("SELECT item_id FROM item_sources WHERE link = ? LIMIT 1", [.text(reference)]).map(Int64.init)
        }
        guard let itemID else { return nil }
        var explanation: EntryExplanation?
        try db.query("SELECT entry_id, title, link, feed_id, first_seen FROM items WHERE id = ?", [.int(itemID)]) { row in
            explanation = EntryExplanation(entryID: row.text(0) ?? "", title: row.text(1), link: row.text(2),
                                           firstPublisher: row.int64(3), firstSeen: row.date(4) ?? Date(), sources: [])
        }
        try db.query("""
            SELECT s.feed_id, f.name, s.link, s.first_seen, s.layer, s.evidence
            FROM item_sources s JOIN feeds f ON f.id = s.feed_id
            WHERE s.item_id = ? ORDER BY s.first_seen, s.feed_id
            """, [.int(itemID)]) { row in
            guard let entry = explanation else { return }
            let link = Self.sourceLink(stored: row.text(2), sourceFeed: row.int64(0), itemFeed: entry.firstPublisher, itemLink: entry.link)
            explanation?.sources.append(EntryExplanation.Source(
                feedID: row.int64(0), feedName: row.text(1) ?? "", link: link, firstSeen: row.date(3) ?? Date(),
                layer: row.text(4), evidence: row.text(5)))
        }
        return explanation
    }
}

/// An entry and the outlets that carried it, with how each was attached (`tributary explain`).
public struct EntryExplanation: Sendable {
    public struct Source: Sendable {
        public var feedID: Int64
        public var feedName: String
        public var link: String?
        public var firstSeen: Date
        /// nil for the first publisher (or a source attached before this was recorded); "url", "text", "near".
        public var layer: String?
        public var evidence: String?
    }

    public var entryID: String
    public var title: String?
    public var link: String?
    public var firstPublisher: Int64
    public var firstSeen: Date
    public var sources: [Source]

    /// The text `tributary explain` prints.
    public var report: String {
        var lines = ["entry \(entryID)"]
        if let title { lines.append("title: \(title)") }
        if let link { lines.append("link: \(link)") }
        for source in sources {
            let when = FeedDate.format(source.firstSeen)
            var line = "- \(source.feedName) (\(source.link ?? "no link"), first seen \(when)): "
            if source.feedID == firstPublisher && source.layer == nil {
                line += "first publisher; the entry is this outlet's item"
            } else {
                switch source.layer {
                case "url"?: line += "same story by URL: its canonical link is the entry's"
                case "text"?: line += "same story by text: its normalized text is the entry's, word for word"
                case "near"?: line += "same story in other words (near-duplicate): \(source.evidence ?? "figures not recorded")"
                default: line += "duplicate, attached before this version recorded how"
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
