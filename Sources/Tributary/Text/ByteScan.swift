import Foundation

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

    /// The first index at or after `start` whose byte is `byte`, else `bytes.count` (the C library's
    /// vectorised search).
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress, start < bytes.count,
              let found = memchr(base + start, Int32(byte), bytes.count - start) else { return bytes.count }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The first index at or after `start` whose byte is `a` or `b`, else `bytes.count`.
    static func firstIndex(of a: UInt8, or b: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress, start < bytes.count else { return bytes.count }
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
        while i + 32 <= n, (word(base, i) | word(base, i + 8) | word(base, i + 16) | word(base, i + 24)) & highs == 0 { i += 32 }
        while i + 8 <= n, word(base, i) & highs == 0 { i += 8 }
        while i < n, bytes[i] < 0x80 { i += 1 }
        return i
    }
}

extension ByteScan {
    /// The bytes with CR LF and lone CR made LF, as XML reads line ends; nil when there is no CR.
    static func normalizingLineEnds(_ raw: UnsafeRawBufferPointer) -> [UInt8]? {
        guard firstIndex(of: 0x0D, in: raw, from: 0) < raw.count else { return nil }
        var normalized: [UInt8] = []
        normalized.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            if raw[i] == 0x0D {
                normalized.append(0x0A)
                if i + 1 < raw.count, raw[i + 1] == 0x0A { i += 1 }
            } else {
                normalized.append(raw[i])
            }
            i += 1
        }
        return normalized
    }
}

extension String {
    /// A string from UTF-8 (an item body, mostly), made in stretches so that the standard library's
    /// validation takes its word-at-a-time path over the long ASCII ones and its character-at-a-time
    /// path only around other characters; one call over a whole body with a single "é" in it would
    /// take the slow path for every byte.
    init(decodingStretches bytes: UnsafeBufferPointer<UInt8>) {
        let raw = UnsafeRawBufferPointer(bytes)
        var next = ByteScan.firstNonASCII(in: raw, from: 0)
        guard next < bytes.count, bytes.count > 256 else {
            self = String(decoding: bytes, as: UTF8.self)
            return
        }
        var result = ""
        result.reserveCapacity(bytes.count)
        var start = 0
        while start < bytes.count {
            // [start, next) is ASCII; [next, end) holds the other characters and short ASCII gaps.
            var end = next
            while end < bytes.count {
                while end < bytes.count, bytes[end] >= 0x80 { end += 1 }
                let after = ByteScan.firstNonASCII(in: raw, from: end)
                if after - end >= 256 || after == bytes.count { break }
                end = after
            }
            if next > start { result += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<next]), as: UTF8.self) }
            if end > next { result += String(decoding: UnsafeBufferPointer(rebasing: bytes[next..<end]), as: UTF8.self) }
            start = end
            next = ByteScan.firstNonASCII(in: raw, from: start)
        }
        self = result
    }
}

/// Where escaped markup is written: a `ByteWriter`, or a byte array.
protocol ByteSink: ~Copyable {
    mutating func append(_ byte: UInt8)
    mutating func append(_ bytes: UnsafeRawBufferPointer)
    mutating func append(_ text: StaticString)
}

extension Array: ByteSink where Element == UInt8 {
    mutating func append(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
    mutating func append(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// A growable byte buffer for the sanitizer's inner loop: an append is a capacity check and a copy,
/// where `Array.append(contentsOf:)` went through its generic path (and array literals were built
/// first). Owns its memory; frees it when it goes.
struct ByteWriter: ByteSink, ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() { count = 0 }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        append(bytes.bindMemory(to: UInt8.self))
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// ASCII markup such as `&amp;` or `" />"`.
    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension String {
    /// Whether `needle` occurs in the string, byte for byte (UTF-8): `memchr` for its first byte, then
    /// `memcmp`; not Foundation's locale-aware search, which bridges both strings to UTF-16 first.
    func containsBytes(_ needle: String) -> Bool {
        var haystack = self, needle = needle
        return haystack.withUTF8 { h in
            needle.withUTF8 { n in
                guard n.count > 0 else { return true }
                guard h.count >= n.count, let hb = h.baseAddress, let nb = n.baseAddress else { return false }
                var at = 0
                let last = h.count - n.count
                while at <= last {
                    guard let hit = memchr(hb + at, Int32(nb.pointee), last - at + 1) else { return false }
                    let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(hb)
                    if memcmp(hb + offset, nb, n.count) == 0 { return true }
                    at = offset + 1
                }
                return false
            }
        }
    }
}
