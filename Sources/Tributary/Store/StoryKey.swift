/// The fixed-size keys under which the store finds an item by canonical URL, content fingerprint or entry
/// id (`story_keys`). An index of 8-byte integers is a fifth the size of one over the texts (64 hex digits,
/// whole URLs), so the part a cold import touches at random stays in the page cache as the store grows.
/// A key only narrows the search: every look-up compares the full value too, so a collision costs one
/// more row read and never merges two stories.
///
/// The keys are stored: the hash (FNV-1a, 64 bits, over a kind byte then the UTF-8 bytes) must never
/// change, or stored items would no longer be found.
enum StoryKey: UInt8, Sendable, CaseIterable {
    case url = 0x75
    case text = 0x74
    case entry = 0x65

    func of(_ value: String) -> Int64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        h = (h ^ UInt64(rawValue)) &* 0x0000_0100_0000_01B3
        for byte in value.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Int64(bitPattern: h)
    }

    /// The items column holding the full value.
    var column: String {
        switch self {
        case .url: "canonical_url"
        case .text: "fingerprint"
        case .entry: "entry_id"
        }
    }

    /// The first stored item under a key whose value is the one looked up, and whether a given item has it:
    /// built once, not interpolated for every look-up.
    var lookUpSQL: String { Self.lookUps[self]! }
    var heldCheckSQL: String { Self.heldChecks[self]! }

    private static let lookUps = Dictionary(uniqueKeysWithValues: allCases.map {
        ($0, "SELECT i.id FROM story_keys k JOIN items i ON i.id = k.item_id WHERE k.key = ? AND i.\($0.column) = ? LIMIT 1")
    })
    private static let heldChecks = Dictionary(uniqueKeysWithValues: allCases.map {
        ($0, "SELECT 1 FROM items WHERE id = ? AND \($0.column) = ?")
    })
}

extension FeedStore {
    /// The first stored item whose `kind` value is `value` (`story_keys` is in item order within a key;
    /// an ORDER BY here would make SQLite set up a sorter for every look-up).
    func storedItem(_ kind: StoryKey, _ value: String) throws(StoreError) -> Int64? {
        let key = kind.of(value)
        if try !keyMayBeStored(key) { return nil }
        var found = try db.scalar(kind.lookUpSQL, [.int(key), .text(value)]).map(Int64.init)
        // Rows the open batch holds back: the first whose item has the value, if before the table's.
        for item in heldKeys.items(under: key).sorted() where found.map({ item < $0 }) ?? true {
            if try db.scalar(kind.heldCheckSQL, [.int(item), .text(value)]) != nil {
                found = item
                break
            }
        }
        return found
    }

    /// Files `itemID` under each of its values; while a batch is open, when it commits (`heldKeys`).
    func recordKeys(itemID: Int64, _ values: [(StoryKey, String?)]) throws(StoreError) {
        let holding = batch?.openedAt != nil && db.inTransaction
        for case let (kind, value?) in values {
            let key = kind.of(value)
            if holding {
                heldKeys.add(key: key, item: itemID)
            } else {
                try fileKey(key, item: itemID)
            }
            keyFilter?.insert(key)
        }
        // A full filter answers "maybe" too often: the next look-up builds a larger one.
        if keyFilter?.isFull == true { keyFilter = nil }
    }

    /// False when no stored item can be under `key`. The filter is built once this store has made as many
    /// look-ups as half the items stored (reading every key costs about what that many queries do; a
    /// first import builds it at once, on an empty table), and only by a store that writes.
    private func keyMayBeStored(_ key: Int64) throws(StoreError) -> Bool {
        if let keyFilter { return keyFilter.mayContain(key) }
        guard dataVersion != nil else { return true }
        keyLookups += 1
        guard keyLookups >= keyFilterMinimumLookUps else { return true }
        if keyLookups == keyFilterMinimumLookUps {
            keyFilterDue = max(keyLookups, (try db.scalar("SELECT max(id) FROM items") ?? 0) / 2)
        }
        guard keyLookups >= keyFilterDue else { return true }
        // Room for half as many keys again; sized from the table's row count and the held rows, then filled
        // straight from the table: a list of 1.4 million keys (N=10,000) added 11 MB to the peak memory.
        let rows = try db.scalar("SELECT count(*) FROM story_keys") ?? 0
        guard let filter = StoryKeyFilter(capacity: (rows + heldKeys.count) * 3 / 2) else { return true }
        try db.query("SELECT key FROM story_keys", cache: false) { row in filter.insert(row.int64(0)) }
        heldKeys.forEachKey { filter.insert($0) }
        keyFilter = filter
        return filter.mayContain(key)
    }

    /// Drops the filter when another connection has committed since this one last looked: it may have
    /// filed keys the filter never saw. Called before each poll is stored.
    func noticeOtherWriters() throws(StoreError) {
        let version = try db.scalar("PRAGMA data_version") ?? 0
        if version != dataVersion {
            keyFilter = nil
            keyLookups = 0
        }
        dataVersion = version
    }

    /// Takes `itemID` out from under each of its values: it was pruned, or its URL or text changed.
    func forgetKeys(itemID: Int64, _ values: [(StoryKey, String?)]) throws(StoreError) {
        for case let (kind, value?) in values {
            heldKeys.remove(key: kind.of(value), item: itemID)
            try db.run("DELETE FROM story_keys WHERE key = ? AND item_id = ?", [.int(kind.of(value)), .int(itemID)])
        }
    }

    /// Inserts the rows the batch held back, in key order, inside its transaction: just before it commits.
    func writeHeldKeys() throws(StoreError) {
        for row in heldKeys.drain() { try fileKey(row.key, item: row.item) }
    }

    private func fileKey(_ key: Int64, item: Int64) throws(StoreError) {
        try db.run("INSERT OR IGNORE INTO story_keys(key, item_id) VALUES(?, ?)", [.int(key), .int(item)])
    }

    /// Schema 9 on a database that has items: files each under its keys. It reads the key columns alone
    /// (no bodies) and writes about 40 bytes per item, once.
    func fileExistingItemsUnderKeys() throws(StoreError) {
        try db.query("SELECT id, canonical_url, fingerprint, entry_id FROM items", cache: false) { row in
            try recordKeys(itemID: row.int64(0), [(.url, row.text(1)), (.text, row.text(2)), (.entry, row.text(3))])
        }
    }
}
