import Foundation

/// Text that went through the wrong charset, put right where that is unambiguous: UTF-8 read as
/// windows-1252 or Latin-1 (by a publisher's CMS, or by us when a document declares ISO-8859-1 over
/// UTF-8 bytes). The parser itself reads documents exactly as feedparser does (the conformance corpus
/// measures that); the pipeline repairs each parsed feed before it is stored. A deliberate difference
/// from feedparser, listed in the README.
enum TextRepair {
    /// The feed with every item's text repaired.
    static func repair(_ feed: ParsedFeed) -> ParsedFeed {
        var feed = feed
        feed.title = feed.title.map(repairDoubleEncoding)
        for i in feed.items.indices {
            feed.items[i].title = feed.items[i].title.map(repairDoubleEncoding)
            feed.items[i].author = feed.items[i].author.map(repairDoubleEncoding)
            feed.items[i].summary = feed.items[i].summary.map(repairDoubleEncoding)
            feed.items[i].content = feed.items[i].content.map(repairDoubleEncoding)
            feed.items[i].categories = feed.items[i].categories.map(repairDoubleEncoding)
        }
        return feed
    }

    /// windows-1252's characters for bytes 0x80–0x9F (nil where it has none); other bytes are Latin-1.
    static let cp1252High: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]

    /// The windows-1252 byte a character came from, if it is one of its non-ASCII characters.
    static let cp1252Byte: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for b in 0xA0...0xFF { table[UInt32(b)] = UInt8(b) }
        for (i, scalar) in cp1252High.enumerated() { if let scalar { table[scalar] = UInt8(0x80 + i) } }
        // Read as Latin-1 (or where windows-1252 leaves a byte undefined), 0x80–0x9F come through as the
        // C1 control of the same value.
        for b in 0x80...0x9F { table[UInt32(b)] = UInt8(b) }
        return table
    }()

    /// Whether the text has a byte sequence every double-encoded character starts with: U+00C2–U+00F4 (a
    /// UTF-8 lead byte read as Latin-1, in UTF-8 0xC3 0x82–0xB4) followed by a character a continuation
    /// byte reads as (U+0080–U+00BF, whose UTF-8 starts 0xC2, or one of windows-1252's, starting 0xC5,
    /// 0xC6, 0xCB or 0xE2). Text with accented letters but nothing double-encoded ("Malmö") costs one scan.
    static func mayHoldDoubleEncoding(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { bytes in
            // Jump from C3 byte to C3 byte: most text has none.
            let raw = UnsafeRawBufferPointer(bytes)
            var i = ByteScan.firstIndex(of: 0xC3, in: raw, from: 0)
            while i + 2 < bytes.count {
                if (0x82...0xB4).contains(bytes[i + 1]) {
                    switch bytes[i + 2] {
                    case 0xC2, 0xC5, 0xC6, 0xCB, 0xE2: return true
                    default: break
                    }
                }
                i = ByteScan.firstIndex(of: 0xC3, in: raw, from: i + 1)
            }
            return false
        }
    }

    /// Undoes UTF-8 that was read as windows-1252 or Latin-1 and encoded again ("sÃ¸ndag" → "søndag",
    /// "itâ€™s" → "it’s") inside otherwise correct text. Only runs of such characters whose bytes
    /// form valid multi-byte UTF-8 are replaced; anything else is left as it is.
    static func repairDoubleEncoding(_ text: String) -> String {
        guard mayHoldDoubleEncoding(text) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var changed = false
        var i = 0
        while i < scalars.count {
            let lead = scalars[i].value
            guard lead >= 0xC2 && lead <= 0xF4 else { out.append(scalars[i]); i += 1; continue }
            let length = lead <= 0xDF ? 2 : lead <= 0xEF ? 3 : 4
            var bytes: [UInt8] = [UInt8(lead)]
            var k = 1
            while k < length, i + k < scalars.count, let byte = cp1252Byte[scalars[i + k].value], byte & 0xC0 == 0x80 {
                bytes.append(byte)
                k += 1
            }
            if k == length, let decoded = String(validating: bytes, as: UTF8.self) {
                out.append(contentsOf: decoded.unicodeScalars)
                changed = true
                i += length
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return changed ? String(out) : text
    }
}
