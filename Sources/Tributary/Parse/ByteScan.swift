/// Word-at-a-time byte searches: the parser's own passes over a document (validation, entity repair,
/// body sanitizing) test eight bytes per step instead of one.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is zero (exact, not just likely).
    @inline(__always)
    static func hasZero(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    /// Whether any byte of `word` equals `byte`.
    @inline(__always)
    static func has(_ word: UInt64, _ byte: UInt8) -> Bool {
        hasZero(word ^ (ones &* UInt64(byte)))
    }

    /// Whether any byte of `word` is below `limit` (at most 0x80).
    @inline(__always)
    static func hasBelow(_ word: UInt64, _ limit: UInt8) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highs != 0
    }

    @inline(__always)
    static func word(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The first index at or after `start` whose byte is `a` or `b`, else `bytes.count`.
    static func firstIndex(of a: UInt8, or b: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return bytes.count }
        var i = start
        let n = bytes.count
        while i + 8 <= n {
            let w = word(base, i)
            if has(w, a) || has(w, b) { break }
            i += 8
        }
        while i < n, bytes[i] != a, bytes[i] != b { i += 1 }
        return i
    }

    /// The first index at or after `start` whose byte is not ASCII, else `bytes.count`.
    static func firstNonASCII(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return bytes.count }
        var i = start
        let n = bytes.count
        while i + 8 <= n, word(base, i) & highs == 0 { i += 8 }
        while i < n, bytes[i] < 0x80 { i += 1 }
        return i
    }
}
