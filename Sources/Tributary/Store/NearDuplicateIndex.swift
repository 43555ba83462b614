/// The LSH index of recent stories' sketches: which stored items agree with a new story in enough
/// MinHash bands to be worth comparing. Held in memory and rebuilt from `story_sketches` (the items of
/// the near-duplicate window) when the store opens and as the window moves, so its size follows the
/// window, not the store, and a look-up costs the same at any store size.
///
/// Pointer-free, in flat arrays: an open-addressed table of the distinct band keys, each pointing at a chain
/// of postings (the stories that had the key, newest first). A look-up walks a short probe run of distinct
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
    /// One cell per distinct key, open-addressed: the key (0 for an empty cell), how many stories had it,
    /// and its newest block of postings. Together in 12 bytes, so that a probe is one cache miss, not three.
    private struct Cell {
        var key: UInt32 = 0
        var count: Int32 = 0
        var head: Int32 = -1
    }
    private var cells = [Cell](repeating: Cell(), count: 1024)
    private var distinctKeys = 0
    /// Postings in blocks of `blockSlots` stories and a link, `[next block + 1, slot, slot, ...]`: a key's
    /// newest block first, filled from its start. Walking a key's stories through a large window then costs
    /// a cache miss per block, not per story.
    private var blocks: [UInt32] = []
    private static let blockSlots = 8
    /// When the window was last trimmed; slots older than the window are only skipped until the next rebuild.
    let builtAt: Double

    init(builtAt: Double) {
        self.builtAt = builtAt
    }

    var count: Int { itemIDs.count }

    mutating func insert(itemID: Int64, feedID: Int64, at: Double, sketch: StorySketch) {
        let keys = sketch.bandKeys
        guard !keys.isEmpty else { return }
        let slot = Int32(itemIDs.count)
        itemIDs.append(itemID)
        feedIDs.append(feedID)
        times.append(at)
        for key in keys {
            let c = cell(adding: key)
            cells[c].count += 1
            // A key past the limit is never walked again: its further stories need no posting.
            guard cells[c].count <= Self.commonKeyLimit else { continue }
            let position = Int(cells[c].count - 1) % Self.blockSlots
            if position == 0 {
                blocks.append(UInt32(bitPattern: cells[c].head + 1))
                blocks.append(contentsOf: repeatElement(0, count: Self.blockSlots))
                cells[c].head = Int32(blocks.count / (Self.blockSlots + 1) - 1)
            }
            blocks[Int(cells[c].head) * (Self.blockSlots + 1) + 1 + position] = UInt32(slot)
        }
    }

    /// Stored stories from other feeds, published within `window` of `at`, that agree with `sketch` in at
    /// least `StorySketch.minimumAgreement` bands: (item, feed, bands agreed), most agreement first.
    func candidates(for sketch: StorySketch, feedID: Int64, at: Double, window: Double) -> [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] {
        // The postings of the sketch's keys (at most bands × commonKeyLimit), then each story counted in an
        // open-addressed table at most half full: `(slot + 1) << 32 | agreement`.
        var slots: [UInt32] = []
        for key in sketch.bandKeys {
            guard let c = cell(of: key), cells[c].count <= Self.commonKeyLimit else { continue }
            var block = Int(cells[c].head)
            var filled = (Int(cells[c].count) - 1) % Self.blockSlots + 1  // the newest block's; older ones are full
            while block >= 0 {
                let base = block * (Self.blockSlots + 1)
                for k in 0..<filled { slots.append(blocks[base + 1 + k]) }
                block = Int(blocks[base]) - 1
                filled = Self.blockSlots
            }
        }
        guard slots.count >= StorySketch.minimumAgreement else { return [] }
        var size = 16
        while size < slots.count * 2 { size *= 2 }
        var tally = [UInt64](repeating: 0, count: size)
        var used: [Int] = []
        for slot in slots {
            let tag = UInt64(slot) + 1
            var i = Int(truncatingIfNeeded: (tag &* 0x9E37_79B9_7F4A_7C15) >> 40) & (size - 1)
            while tally[i] != 0 && tally[i] >> 32 != tag { i = (i + 1) & (size - 1) }
            if tally[i] == 0 { tally[i] = tag << 32; used.append(i) }
            tally[i] += 1
        }
        var found: [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] = []
        for i in used {
            let slot = Int(tally[i] >> 32) - 1
            let agreement = Int(tally[i] & 0xFFFF_FFFF)
            guard agreement >= StorySketch.minimumAgreement, feedIDs[slot] != feedID, abs(times[slot] - at) <= window else { continue }
            found.append((itemIDs[slot], feedIDs[slot], times[slot], agreement))
        }
        return found.sorted { ($0.agreement, $1.itemID) > ($1.agreement, $0.itemID) }
    }

    /// Where a key's probe run starts: the high bits of a multiplicative hash, since band keys are products
    /// whose low bits are weaker.
    private func home(_ key: UInt32, mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The cell of `key`, nil when no story had it.
    private func cell(of key: UInt32) -> Int? {
        let mask = cells.count - 1
        var i = home(key, mask: mask)
        while cells[i].key != 0 {
            if cells[i].key == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    /// The cell of `key`, made when new; the table stays at most half full.
    private mutating func cell(adding key: UInt32) -> Int {
        if let known = cell(of: key) { return known }
        if (distinctKeys + 1) * 2 >= cells.count { grow() }
        distinctKeys += 1
        let mask = cells.count - 1
        var i = home(key, mask: mask)
        while cells[i].key != 0 { i = (i + 1) & mask }
        cells[i].key = key
        return i
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
