/// A MinHash sketch of a story's lead, for finding the stored stories a new one may repeat with an
/// indexed look-up instead of a comparison with every stored item.
///
/// One-permutation MinHash: each letter 6-gram of the first `leadWords` words (the shingles `SameStory`
/// compares) is hashed once, the hash picks one of `bands` buckets, and each bucket keeps its smallest
/// value. Two stories that share a fraction J of their 6-grams agree in a bucket with probability about J.
/// Each bucket is an LSH band of one row, and a stored story is a candidate when it agrees with the new one
/// in at least `minimumAgreement` bands: on the labelled pairs that finds 84 of the 88 full-text pairs and
/// all the 40-word pairs that `SameStory` merges. The lead is short so that a summary's sketch and a full
/// text's are alike, and so that the sketch costs little: most new stories have no candidate at all.
public struct StorySketch: Sendable, Equatable {
    public static let bands = 32
    public static let minimumAgreement = 3
    static let gramLength = SameStory.shingleLength
    public static let leadWords = 60
    /// A bucket no 6-gram fell into.
    static let empty = UInt32.max

    /// The smallest value of each bucket.
    public var minima: [UInt32]

    public init(minima: [UInt32]) {
        self.minima = minima
    }

    /// The sketch of a story's lead; `story` may hold only its first `leadWords` words.
    public init(_ story: StoryText) {
        var minima = [UInt32](repeating: Self.empty, count: Self.bands)
        // The grams hashed from a seed of their own, then finalised (splitmix64) so that the bucket and the
        // value come from independent bits.
        minima.withUnsafeMutableBufferPointer { minima in
            SameStory.forEachGramHash(story.lead(Self.leadWords), length: Self.gramLength, seed: 0x9E37_79B9_7F4A_7C15) { gram in
                var h = (gram ^ (gram >> 30)) &* 0xBF58_476D_1CE4_E5B9
                h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
                h ^= h >> 31
                let bucket = Int((h >> 32) % UInt64(Self.bands))
                let value = UInt32(truncatingIfNeeded: h) & 0xFFFF_FFFE  // never `empty`
                // Stored whatever the comparison says: a branch on it is mispredicted too often to pay.
                minima[bucket] = Swift.min(minima[bucket], value)
            }
        }
        self.minima = minima
    }

    public var isEmpty: Bool { minima.allSatisfy { $0 == Self.empty } }

    /// One key per filled band: the band number mixed with its minimum, never 0.
    public var bandKeys: [UInt32] {
        var keys: [UInt32] = []
        keys.reserveCapacity(Self.bands)
        forEachBandKey { keys.append($0) }
        return keys
    }

    /// The same keys, handed to `body` in band order without an array (the index reads them for every
    /// new story, twice).
    @inline(__always)
    func forEachBandKey(_ body: (UInt32) -> Void) {
        for (band, value) in minima.enumerated() where value != Self.empty {
            let key = (value ^ UInt32(band) &* 0x9E37_79B1) &* 0x85EB_CA77
            body(key == 0 ? 1 : key)
        }
    }

    /// How many bands two sketches agree in.
    public func agreement(with other: StorySketch) -> Int {
        zip(minima, other.minima).reduce(0) { $0 + ($1.0 == $1.1 && $1.0 != Self.empty ? 1 : 0) }
    }

    /// Four bytes per band, big-endian, as stored.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(minima.count * 4)
        for v in minima {
            out.append(UInt8(v >> 24))
            out.append(UInt8(truncatingIfNeeded: v >> 16))
            out.append(UInt8(truncatingIfNeeded: v >> 8))
            out.append(UInt8(truncatingIfNeeded: v))
        }
        return out
    }

    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Self.bands * 4 else { return nil }
        minima = (0..<Self.bands).map { band in
            (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[band * 4 + $1]) }
        }
    }

    /// Eight hex digits per band: how databases written before sketches were BLOBs hold them.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == Self.bands * 8 else { return nil }
        var minima: [UInt32] = []
        minima.reserveCapacity(Self.bands)
        for band in 0..<Self.bands {
            var v: UInt32 = 0
            for c in utf8[(band * 8)..<(band * 8 + 8)] {
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x61...0x66: d = c - 0x61 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            minima.append(v)
        }
        self.minima = minima
    }
}
