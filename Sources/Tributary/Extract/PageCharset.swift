import Foundation

/// Which character encoding an article page is read in.
///
/// The order is the HTML standard's (byte order mark, then the HTTP `charset`, then `<meta>`), with one
/// repair: pages that declare a legacy charset but are valid UTF-8 with non-ASCII bytes are UTF-8. Sites
/// moved to UTF-8 and left the old declaration in their templates; the reverse (real windows-1256 that
/// happens to be valid UTF-8) is vanishingly rare in text of any length.
public enum PageCharset {
    /// How far into the page `<meta charset>` is looked for (the standard says 1,024 bytes; real pages put
    /// scripts and styles first).
    static let metaScanLimit = 16_384

    public static func decide(bytes: [UInt8], httpCharset: String?) -> String {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8" }
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        let declared = (httpCharset?.trimmed).flatMap { $0.isEmpty ? nil : $0 } ?? metaCharset(bytes)
        let isUTF8 = String(validating: bytes, as: UTF8.self) != nil
        guard let declared else { return isUTF8 ? "UTF-8" : "windows-1252" }
        let name = canonicalName(declared)
        if name == "UTF-8" || name.hasPrefix("UTF-16") { return "UTF-8" } // a page labelled UTF-16 without a BOM is ASCII-compatible
        if isUTF8 && bytes.contains(where: { $0 >= 0x80 }) { return "UTF-8" }
        return name
    }

    /// The names browsers treat as one encoding, mapped to the one iconv knows: Latin-1 and ASCII labels
    /// mean windows-1252 on the web.
    static func canonicalName(_ label: String) -> String {
        let lower = String(label.lowercased().unicodeScalars.filter { $0 != "\"" && $0 != "'" && !$0.properties.isWhitespace })
        switch lower {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return "UTF-8"
        case "utf-16", "utf-16le", "utf-16be", "unicode": return "UTF-16"
        case "iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii", "ascii", "cp1252", "windows-1252", "x-cp1252": return "windows-1252"
        case "cp1256", "windows-1256", "x-cp1256": return "windows-1256"
        case "gb2312", "gbk", "x-gbk", "gb_2312-80", "chinese": return "GBK"
        case "shift_jis", "sjis", "x-sjis", "ms_kanji", "windows-31j": return "SHIFT_JIS"
        case "euc-kr", "ks_c_5601-1987", "windows-949": return "EUC-KR"
        default: return lower.uppercased()
        }
    }

    /// The charset of the first `<meta charset>` or `<meta http-equiv="Content-Type" content="…; charset=…">`.
    /// Byte by byte on the page's head, lower-cased (charset names are ASCII).
    static func metaCharset(_ bytes: [UInt8]) -> String? {
        let head = bytes.prefix(metaScanLimit).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        func find(_ needle: String, from: Int, to end: Int) -> Int? {
            let n = Array(needle.utf8)
            guard end - from >= n.count else { return nil }
            var i = from
            while i <= end - n.count {
                if head[i] == n[0], head[i..<(i + n.count)].elementsEqual(n) { return i }
                i += 1
            }
            return nil
        }
        var at = 0
        while let meta = find("<meta", from: at, to: head.count) {
            let tagEnd = head[(meta + 5)...].firstIndex(of: 0x3E) ?? head.count
            at = tagEnd
            guard var i = find("charset", from: meta + 5, to: tagEnd).map({ $0 + 7 }) else { continue }
            func skip(_ set: [UInt8]) { while i < tagEnd, set.contains(head[i]) { i += 1 } }
            skip([0x20])
            guard i < tagEnd, head[i] == 0x3D else { continue } // '='
            i += 1
            skip([0x20, 0x22, 0x27])
            let start = i
            while i < tagEnd, ![0x20, 0x22, 0x27, 0x3B, 0x2F, 0x3E].contains(head[i]) { i += 1 }
            if i > start { return String(decoding: head[start..<i], as: UTF8.self) }
        }
        return nil
    }
}
