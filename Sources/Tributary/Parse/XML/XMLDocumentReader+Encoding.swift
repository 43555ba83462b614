import Foundation

/// Encoding facts read from a document's bytes, without libxml2.
extension XMLDocumentReader {
    /// Undoes UTF-8 that was decoded as Latin-1 and encoded again ("CafÃ©" → "Café"), as feedparser
    /// does for UTF-8 documents: only when every character is ≤ U+00FF and the bytes form valid UTF-8.
    static func repairDoubleEncoding(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { repairedDoubleEncoding($0) }.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// The repaired bytes, or nil when `buffer` is not UTF-8 read as Latin-1.
    static func repairedDoubleEncoding(_ buffer: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let raw = UnsafeRawBufferPointer(buffer)
        // Check first, without allocating: the bytes the repair would give must be UTF-8.
        var i = ByteScan.firstNonASCII(in: raw, from: 0)
        guard i < buffer.count else { return nil }
        var continuations = 0
        while i < buffer.count {
            let b = buffer[i]
            let v: UInt8
            if b < 0x80 {
                v = b
                i += 1
            } else {
                guard b == 0xC2 || b == 0xC3, i + 1 < buffer.count else { return nil }
                v = b == 0xC2 ? buffer[i + 1] : buffer[i + 1] &+ 0x40
                i += 2
            }
            if continuations > 0 {
                guard v & 0xC0 == 0x80 else { return nil }
                continuations -= 1
            } else {
                switch v {
                case 0x00..<0x80: i = ByteScan.firstNonASCII(in: raw, from: i)
                case 0xC2...0xDF: continuations = 1
                case 0xE0...0xEF: continuations = 2
                case 0xF0...0xF4: continuations = 3
                default: return nil
                }
            }
        }
        guard continuations == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(buffer.count)
        i = 0
        while i < buffer.count {
            let b = buffer[i]
            if b < 0x80 { bytes.append(b); i += 1; continue }
            bytes.append(b == 0xC2 ? buffer[i + 1] : buffer[i + 1] &+ 0x40)
            i += 2
        }
        // The structure was checked above; overlong forms and surrogates are checked here.
        return String(validating: bytes, as: UTF8.self) != nil ? bytes : nil
    }

    /// The encoding named in the XML declaration, if any.
    static func declaredEncoding(_ bytes: UnsafeRawBufferPointer) -> String? {
        // Bytes, not Foundation strings: this runs for every document.
        let head = UnsafeRawBufferPointer(rebasing: bytes.prefix(200))
        func find(_ needle: StaticString, from: Int, before limit: Int) -> Int? {
            let count = needle.utf8CodeUnitCount
            var i = from
            while i + count <= limit {
                if (0..<count).allSatisfy({ head[i + $0] == needle.utf8Start[$0] }) { return i }
                i += 1
            }
            return nil
        }
        guard find("<?xml", from: 0, before: min(5, head.count)) == 0, let end = find("?>", from: 5, before: head.count),
              let name = find("encoding", from: 5, before: end) else { return nil }
        var i = name + 8
        while i < end, head[i] == 0x20 || head[i] == 0x3D { i += 1 }
        guard i < end, head[i] == 0x22 || head[i] == 0x27 else { return nil }
        let quote = head[i]
        let start = i + 1
        i = start
        while i < end, head[i] != quote { i += 1 }
        guard i > start else { return nil }
        return String(head[start..<i].map { Character(Unicode.Scalar($0)) }) // Latin-1, like the bytes of a declaration
    }
}

extension XMLDocumentReader {
    /// An attribute value from the push parser: with entities left unsubstituted, libxml2 hands `&` in
    /// values over as `&#38;`.
    static func attributeValue(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard raw.contains(0x26) else { return String(decoding: raw, as: UTF8.self) }
        var value: [UInt8] = []
        value.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            if raw[i] == 0x26, raw.count - i >= 5, raw[i + 1] == 0x23, raw[i + 2] == 0x33, raw[i + 3] == 0x38, raw[i + 4] == 0x3B {
                value.append(0x26)
                i += 5
            } else {
                value.append(raw[i])
                i += 1
            }
        }
        return String(decoding: value, as: UTF8.self)
    }
}
