/// The LSH index of recent stories' sketches: which stored items agree with a new story in enough
/// MinHash bands to be worth comparing. Held in memory and rebuilt from `story_sketches` (the items of
/// the near-duplicate window) when the store opens and as the window moves, so its size follows the
/// window, not the store, and a look-up costs the same at any store size.
///
/// An open-addressed table of (band key, slot) pairs in one array: a pointer-free layout, 16 to 32 bytes
/// per band per item, where a dictionary of arrays would cost several times that.
struct NearDuplicateIndex {
    /// Postings a band key may have before it counts as too common to be evidence (a stock phrase shared by
    /// many unrelated stories); such keys are neither extended nor looked up.
    static let commonKeyLimit = 16

    private(set) var itemIDs: [Int64] = []
    private(set) var feedIDs: [Int64] = []
    private(set) var times: [Double] = []
    /// `key << 32 | (slot + 1)`; 0 is an empty cell.
    private var cells: [UInt64] = Array(repeating: 0, count: 1024)
    private var filled = 0
    /// When the window was last trimmed; slots older than the window are only skipped until the next rebuild.
    let builtAt: Double

    init(builtAt: Double) {
        self.builtAt = builtAt
    }

    var count: Int { itemIDs.count }

    mutating func insert(itemID: Int64, feedID: Int64, at: Double, sketch: StorySketch) {
        let keys = sketch.bandKeys
        guard !keys.isEmpty else { return }
        let slot = itemIDs.count
        itemIDs.append(itemID)
        feedIDs.append(feedID)
        times.append(at)
        // At most half full: a look-up walks a short run of cells, twice per band.
        if (filled + keys.count) * 2 >= cells.count { grow() }
        for key in keys {
            let (postings, free) = probe(key)
            guard postings <= Self.commonKeyLimit else { continue }
            cells[free] = UInt64(key) << 32 | UInt64(slot + 1)
            filled += 1
        }
    }

    /// Stored stories from other feeds, published within `window` of `at`, that agree with `sketch` in at
    /// least `StorySketch.minimumAgreement` bands: (item, feed, bands agreed), most agreement first.
    func candidates(for sketch: StorySketch, feedID: Int64, at: Double, window: Double) -> [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] {
        // Slots seen so far with their band agreement; a handful at most, so a flat list beats a dictionary.
        var slots: [Int] = []
        var agreements: [Int] = []
        let mask = cells.count - 1
        for key in sketch.bandKeys {
            let postings = probe(key).postings
            guard postings > 0, postings <= Self.commonKeyLimit else { continue }
            var i = Int(key) & mask
            while cells[i] != 0 {
                if UInt32(truncatingIfNeeded: cells[i] >> 32) == key {
                    let slot = Int(cells[i] & 0xFFFF_FFFF) - 1
                    if let known = slots.firstIndex(of: slot) { agreements[known] += 1 } else { slots.append(slot); agreements.append(1) }
                }
                i = (i + 1) & mask
            }
        }
        var found: [(itemID: Int64, feedID: Int64, at: Double, agreement: Int)] = []
        for (slot, agreement) in zip(slots, agreements)
        where agreement >= StorySketch.minimumAgreement && feedIDs[slot] != feedID && abs(times[slot] - at) <= window {
            found.append((itemIDs[slot], feedIDs[slot], times[slot], agreement))
        }
        return found.sorted { ($0.agreement, $1.itemID) > ($1.agreement, $0.itemID) }
    }

    /// Cells holding `key`, and the first empty cell after them.
    private func probe(_ key: UInt32) -> (postings: Int, free: Int) {
        let mask = cells.count - 1
        var i = Int(key) & mask
        var postings = 0
        while cells[i] != 0 {
            if UInt32(truncatingIfNeeded: cells[i] >> 32) == key { postings += 1 }
            i = (i + 1) & mask
        }
        return (postings, i)
    }

    private mutating func grow() {
        let old = cells
        cells = Array(repeating: 0, count: old.count * 2)
        let mask = cells.count - 1
        for cell in old where cell != 0 {
            var i = Int(UInt32(truncatingIfNeeded: cell >> 32)) & mask
            while cells[i] != 0 { i = (i + 1) & mask }
            cells[i] = cell
        }
    }
}
