/// A Bloom filter over the story keys the database holds: most look-ups of a cold import are for keys no
/// stored item has (a new story's URL, text and entry id), and the filter answers those without a query.
/// It may say "maybe" for an absent key (then the query runs as before, about 0.2% of the time at the
/// sizes used) but never "no" for a present one: every key filed is added before it can be looked up.
/// Keys taken out stay set, which only costs a query.
struct StoryKeyFilter {
    private var words: [UInt64]
    private let mask: UInt64
    /// Keys added, and how many the filter holds before its false-positive rate passes about 1%.
    private(set) var count = 0
    let capacity: Int

    /// A filter sized for `capacity` keys: 16 bits per key, four probes.
    init(capacity: Int) {
        var bits = 1 << 16
        while bits < capacity * 16 { bits <<= 1 }
        words = [UInt64](repeating: 0, count: bits / 64)
        mask = UInt64(bits - 1)
        self.capacity = bits / 16
    }

    var isFull: Bool { count > capacity }

    mutating func insert(_ key: Int64) {
        var (position, step) = Self.probes(key)
        words.withUnsafeMutableBufferPointer { w in
            for _ in 0..<4 {
                let bit = position & mask
                w[Int(bit >> 6)] |= 1 << (bit & 63)
                position &+= step
            }
        }
        count += 1
    }

    func mayContain(_ key: Int64) -> Bool {
        var (position, step) = Self.probes(key)
        return words.withUnsafeBufferPointer { w in
            for _ in 0..<4 {
                let bit = position & mask
                if w[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
                position &+= step
            }
            return true
        }
    }

    /// Double hashing: a start and an odd stride, from the key's bits mixed (the keys are FNV-1a hashes,
    /// whose low bits are weak).
    private static func probes(_ key: Int64) -> (UInt64, UInt64) {
        let product = UInt64(bitPattern: key).multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
        let mixed = product.high ^ product.low
        return (mixed, (mixed >> 32 | mixed << 32) | 1)
    }
}
