import Glibc

/// A Bloom filter over the story keys the database holds: most look-ups of a cold import are for keys no
/// stored item has (a new story's URL, text and entry id), and the filter answers those without a query.
/// It may say "maybe" for an absent key (then the query runs as before, about 0.2% of the time at the
/// sizes used) but never "no" for a present one: every key filed is added before it can be looked up.
/// Keys taken out stay set, which only costs a query.
final class StoryKeyFilter {
    /// The bits live in a mapping of their own, given back whole when the filter is dropped: from malloc,
    /// each freed filter raised glibc's mmap threshold to its size, and the heap's holes added 6 MB to the
    /// peak of a 10,000-feed import.
    private let words: UnsafeMutablePointer<UInt64>
    private let wordCount: Int
    private let bits: UInt64
    /// Keys added, and how many the filter holds before its false-positive rate passes about 1%.
    private(set) var count = 0
    let capacity: Int

    /// A filter sized for `capacity` keys (at least 4,096): 16 bits per key, four probes. Nil when the
    /// system gives no memory (the store then queries for every key, as without a filter).
    init?(capacity: Int) {
        self.capacity = max(capacity, 4096)
        wordCount = (self.capacity * 16 + 63) / 64
        bits = UInt64(wordCount * 64)
        let mapped = mmap(nil, wordCount * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        words = mapped.bindMemory(to: UInt64.self, capacity: wordCount) // zero-filled by the kernel
    }

    deinit { munmap(words, wordCount * 8) }

    var isFull: Bool { count > capacity }

    func insert(_ key: Int64) {
        var (position, step) = Self.probes(key)
        for _ in 0..<4 {
            let bit = position.multipliedFullWidth(by: bits).high
            words[Int(bit >> 6)] |= 1 << (bit & 63)
            position &+= step
        }
        count += 1
    }

    func mayContain(_ key: Int64) -> Bool {
        var (position, step) = Self.probes(key)
        for _ in 0..<4 {
            let bit = position.multipliedFullWidth(by: bits).high
            if words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
            position &+= step
        }
        return true
    }

    /// Double hashing: a start and a stride from the key's bits mixed (the keys are FNV-1a hashes, whose low
    /// bits are weak); each probe is mapped onto the bits by its high half (`multipliedFullWidth`), so the
    /// filter can have any size.
    private static func probes(_ key: Int64) -> (UInt64, UInt64) {
        let product = UInt64(bitPattern: key).multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
        let mixed = product.high ^ product.low
        return (mixed, (mixed >> 32 | mixed << 32) | 1)
    }
}
