/// The LSH index of recent stories' sketches: which stored items agree with a new story in enough
/// MinHash bands to be worth comparing. Held in memory and rebuilt from `story_sketches` (the items of
/// the near-duplicate window) when the store opens and as the window moves, so its size follows the
/// window, not the store, and a look-up costs the same at any store size.
///
/// Pointer-free, in flat arrays: an open-addressed table of the distinct band keys, each holding its first
/// story and pointing at a chain of the later ones (newest first). A look-up walks a short probe run of distinct
/// keys and then only that key's own postings, however many other keys and stories the window holds: a
/// table of (key, story) cells instead clustered around the keys that many stories share, and its look-ups
/// grew slower as the window filled.
struct NearDuplicateIndex {
    /// Postings a band key may have before it counts as too common to be evidence (a stock phrase shared by
    /// many unrelated stories); such keys are neither extended nor looked up.
    static let commonKeyLimit = 16

    private(set) var itemIDs: [Int64] = []
    private(set) var feedIDs: [Int64] = []
    private(set) var times: [Double] = []
    /// One cell per distinct key, open-addressed: the key (0 for an empty cell), how many stories had it, its
    /// first story, and the newest block of the postings after the first. Together in 16 bytes, so that a
    /// probe is one cache miss, and a key only one story had (most keys) needs no block at all.
    private struct Cell {
        var key: UInt32 = 0
        var count: Int32 = 0
        var head: Int32 = -1
        var first: UInt32 = 0
    }
    private var cells = [Cell](repeating: Cell(), count: 1024)
    private var distinctKeys = 0
    /// Postings after a key's first, in blocks of `blockSlots` stories and a link, `[next block + 1, slot,
    /// slot, ...]`: a key's newest block first, filled from its start. Walking a key's stories through a large
    /// window then costs a cache miss per block, not per story.
    private var blocks: [UInt32] = []
    private static let blockSlots = 8
    /// When the window was last trimmed; slots older than the window are only skipped until the next rebuild.
    let builtAt: Double

    init(builtAt: Double) {
        self.builtAt = builtAt
    }

    var count: Int { itemIDs.count }

    mutating func insert(itemID: Int64, feedID: Int64, at: Double, sketch: StorySketch) {
        guard !sketch.isEmpty else { return }
        let slot = addSlot(itemID: itemID, feedID: feedID, at: at)
        sketch.forEachBandKey { key in post(slot, at: cell(adding: key)) }
    }

    private mutating func addSlot(itemID: Int64, feedID: Int64, at: Double) -> UInt32 {
        itemIDs.append(itemID)
        feedIDs.append(feedID)
        times.append(at)
        return UInt32(itemIDs.count - 1)
    }

    /// Adds story `slot` to the postings of cell `c`.
    private mutating func post(_ slot: UInt32, at c: Int) {
        cells[c].count += 1
        if cells[c].count == 1 {
            cells[c].first = slot
            return
        }
        // A key past the limit is never walked again: its further stories need no posting.
        guard cells[c].count <= Self.commonKeyLimit else { return }
        let position = Int(cells[c].count - 2) % Self.blockSlots
        if position == 0 {
            blocks.append(UInt32(bitPattern: cells[c].head + 1))
            blocks.append(contentsOf: repeatElement(0, count: Self.blockSlots))
            cells[c].head = Int32(blocks.count / (Self.blockSlots + 1) - 1)
        }
        blocks[Int(cells[c].head) * (Self.blockSlots + 1) + 1 + position] = slot
    }

    /// `candidates`, and when there are none, the new story filed at once under a slot whose item is named
    /// later (`name`): most new stories have no candidate, and their keys' cells are then probed once for
    /// the look-up and the insert, not twice. The slot is nil when there were candidates (the story may be
    /// merged; `insert` files it if not). A failure before the slot is named must discard the index.
    mutating func candidatesFilingWhenNone(for sketch: StorySketch, feedID: Int64, at: Double, window: Double)
        -> (found: [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)], filed: UInt32?) {
        guard !sketch.isEmpty else { return ([], nil) }
        // Room for every key to be new, so that the probed cells stay where they are until the insert.
        while (distinctKeys + StorySketch.bands) * 2 >= cells.count { grow() }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: StorySketch.bands) { probed in
            var keys = 0
            sketch.forEachBandKey { key in
                probed[keys] = probe(key)
                keys += 1
            }
            let found = tally(cells: probed[..<keys], feedID: feedID, at: at, window: window)
            guard found.isEmpty else { return (found, nil) }
            let slot = addSlot(itemID: 0, feedID: feedID, at: at)
            var k = 0
            sketch.forEachBandKey { key in
                var c = probed[k]
                k += 1
                if cells[c].key == 0 {
                    claim(c, key)
                } else if cells[c].key != key {
                    c = cell(adding: key)  // two bands' keys alike, and the first took the cell
                }
                post(slot, at: c)
            }
            return ([], slot)
        }
    }

    /// Names the item of a slot filed by `candidatesFilingWhenNone`.
    mutating func name(_ slot: UInt32, itemID: Int64) {
        itemIDs[Int(slot)] = itemID
    }

    /// Stored stories from other feeds, published within `window` of `at`, that agree with `sketch` in at
    /// least `StorySketch.minimumAgreement` bands: (item, feed, bands agreed), most agreement first.
    func candidates(for sketch: StorySketch, feedID: Int64, at: Double, window: Double) -> [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: StorySketch.bands) { probed in
            var keys = 0
            sketch.forEachBandKey { key in
                if let c = cell(of: key) {
                    probed[keys] = c
                    keys += 1
                }
            }
            return tally(cells: probed[..<keys], feedID: feedID, at: at, window: window)
        }
    }

    /// The stories in the postings of `cells` (those of them that are evidence: had by a story, and not past
    /// the common-key limit) counted, each in an open-addressed table at most half full: `(slot + 1) << 32 | agreement`.
    /// All the cells were probed before any postings are read, so that the probes' cache misses overlap.
    private func tally<Cells: Collection>(cells evidence: Cells, feedID: Int64, at: Double, window: Double)
        -> [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] where Cells.Element == Int {
        func isEvidence(_ c: Int) -> Bool { cells[c].count > 0 && cells[c].count <= Self.commonKeyLimit }
        var postings = 0
        for c in evidence where isEvidence(c) { postings += Int(cells[c].count) }
        guard postings >= StorySketch.minimumAgreement else { return [] }
        var size = 16
        while size < postings * 2 { size *= 2 }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: size) { tally in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: postings) { used in
                tally.initialize(repeating: 0)
                var distinct = 0
                blocks.withUnsafeBufferPointer { blocks in
                    func count(_ slot: UInt32) {
                        let tag = UInt64(slot) + 1
                        var i = Int(truncatingIfNeeded: (tag &* 0x9E37_79B9_7F4A_7C15) >> 40) & (size - 1)
                        while tally[i] != 0 && tally[i] >> 32 != tag { i = (i + 1) & (size - 1) }
                        if tally[i] == 0 {
                            tally[i] = tag << 32
                            used[distinct] = i
                            distinct += 1
                        }
                        tally[i] += 1
                    }
                    for c in evidence where isEvidence(c) {
                        let cell = cells[c]
                        count(cell.first)
                        var block = Int(cell.head)
                        var filled = (Int(cell.count) - 2) % Self.blockSlots + 1  // the newest block's; older ones are full
                        while block >= 0 {
                            let base = block * (Self.blockSlots + 1)
                            for k in 0..<filled { count(blocks[base + 1 + k]) }
                            block = Int(blocks[base]) - 1
                            filled = Self.blockSlots
                        }
                    }
                }
                return agreeing(tally, used[..<distinct], feedID: feedID, at: at, window: window)
            }
        }
    }

    /// The counted stories that agree in enough bands, are another feed's and lie within the window.
    private func agreeing(_ tally: UnsafeMutableBufferPointer<UInt64>, _ used: Slice<UnsafeMutableBufferPointer<Int>>, feedID: Int64,
                          at: Double, window: Double) -> [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] {
        var found: [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] = []
        for i in used {
            let slot = Int(tally[i] >> 32) - 1
            let agreement = Int(tally[i] & 0xFFFF_FFFF)
            guard agreement >= StorySketch.minimumAgreement, feedIDs[slot] != feedID, abs(times[slot] - at) <= window else { continue }
            found.append((itemIDs[slot], feedIDs[slot], times[slot], agreement))
        }
        guard found.count > 1 else { return found }
        return found.sorted { ($0.agreement, $1.itemID) > ($1.agreement, $0.itemID) }
    }

    /// Where a key's probe run starts: the high bits of a multiplicative hash, since band keys are products
    /// whose low bits are weaker.
    private func home(_ key: UInt32, mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The cell of `key`, nil when no story had it.
    private func cell(of key: UInt32) -> Int? {
        let i = probe(key)
        return cells[i].key == 0 ? nil : i
    }

    /// The cell of `key`, or the empty cell where it would go.
    private func probe(_ key: UInt32) -> Int {
        let mask = cells.count - 1
        var i = home(key, mask: mask)
        while cells[i].key != 0 && cells[i].key != key { i = (i + 1) & mask }
        return i
    }

    /// The cell of `key`, made when new; the table stays at most half full.
    private mutating func cell(adding key: UInt32) -> Int {
        var i = probe(key)
        guard cells[i].key == 0 else { return i }
        if (distinctKeys + 1) * 2 >= cells.count {
            grow()
            i = probe(key)
        }
        claim(i, key)
        return i
    }

    /// Makes the empty cell `i` the cell of `key`.
    private mutating func claim(_ i: Int, _ key: UInt32) {
        cells[i].key = key
        distinctKeys += 1
    }

    private mutating func grow() {
        let old = cells
        cells = [Cell](repeating: Cell(), count: old.count * 2)
        let mask = cells.count - 1
        for cell in old where cell.key != 0 {
            var i = home(cell.key, mask: mask)
            while cells[i].key != 0 { i = (i + 1) & mask }
            cells[i] = cell
        }
    }
}
