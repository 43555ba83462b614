/// A MinHash sketch of a story's lead, for finding the stored stories a new one may repeat with an
/// indexed look-up instead of a comparison with every stored item.
///
/// One-permutation MinHash: each letter 8-gram of the first `leadWords` words is hashed once, the hash
/// picks one of `bands` buckets, and each bucket keeps its smallest value. Two stories that share a
/// fraction J of their 8-grams agree in a bucket with probability about J. Each bucket is its own LSH
/// band (one row): a stored story is a candidate when it agrees with the new one in at least
/// `minimumAgreement` bands, which finds pairs of Jaccard 0.15 and up while unrelated stories, which agree in
/// a band about one time in a hundred, rarely reach two. Candidates are then judged by `SameStory`.
public struct StorySketch: Sendable, Equatable {
    public static let bands = 16
    public static let minimumAgreement = 2
    static let gramLength = 8
    static let leadWords = 120
    /// A bucket no 8-gram fell into.
    static let empty = UInt32.max

    /// The smallest value of each bucket.
    public var minima: [UInt32]

    public init(minima: [UInt32]) {
        self.minima = minima
    }

    public init(_ story: StoryText) {
        var minima = [UInt32](repeating: Self.empty, count: Self.bands)
        let letters = story.lead(Self.leadWords)
        var i = letters.startIndex
        while i + Self.gramLength <= letters.endIndex {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15
            for j in i..<(i + Self.gramLength) { h = (h ^ UInt64(letters[j])) &* 0x0000_0100_0000_01B3 }
            // Finalised (splitmix64) so the bucket and the value are independent bits.
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
            let bucket = Int(h >> 60) % Self.bands
            let value = UInt32(truncatingIfNeeded: h) & 0xFFFF_FFFE  // never `empty`
            if value < minima[bucket] { minima[bucket] = value }
            i += 1
        }
        self.minima = minima
    }

    public var isEmpty: Bool { minima.allSatisfy { $0 == Self.empty } }

    /// One key per filled band: the band number mixed with its minimum, never 0.
    public var bandKeys: [UInt32] {
        minima.enumerated().compactMap { band, value in
            guard value != Self.empty else { return nil }
            let key = (value ^ UInt32(band) &* 0x9E37_79B1) &* 0x85EB_CA77
            return key == 0 ? 1 : key
        }
    }

    /// How many bands two sketches agree in.
    public func agreement(with other: StorySketch) -> Int {
        zip(minima, other.minima).reduce(0) { $0 + ($1.0 == $1.1 && $1.0 != Self.empty ? 1 : 0) }
    }

    /// Little-endian bytes, as stored.
    public var bytes: [UInt8] {
        minima.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.bands * 4 else { return nil }
        minima = (0..<Self.bands).map { b in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[b * 4 + $1]) << (8 * $1) }
        }
    }
}
