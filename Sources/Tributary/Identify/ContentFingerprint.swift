import CCrypto
import CCryptoShim
import Foundation

/// SHA-256 of an item's normalized text: the same story under different URLs hashes alike.
///
/// Long texts are compared by body alone, since outlets append their names to headlines.
/// Short texts (under `shortTextWords`) are too likely to collide ("Breaking: ..."), so the
/// title is hashed with them, and the publication day when known: a daily "Live updates" item
/// with the same one-line blurb is a new story every day.
public enum ContentFingerprint {
    public static let shortTextWords = 20

    /// Returns a hex digest, or nil when the item has no text worth comparing.
    public static func of(title: String?, text: String?, date: Date? = nil) -> String? {
        of(title: title, normalizedText: normalize(text ?? ""), date: date)
    }

    /// The same, for a text already passed through `normalize`.
    public static func of(title: String?, normalizedText body: String, date: Date? = nil) -> String? {
        // Normalized text has single spaces between words.
        let words = wordCount(body, upTo: shortTextWords)
        if words >= shortTextWords { return sha256Hex(joining: "body\u{0}", body) }
        let heading = normalize(title ?? "")
        let headingWords = wordCount(heading, upTo: 3)
        guard !heading.isEmpty, words + headingWords >= 3 || !body.isEmpty else { return nil }
        let day = date.map { String(FeedDate.format($0).prefix(10)) } ?? ""
        return sha256Hex("short\u{0}" + heading + "\u{0}" + body + "\u{0}" + day)
    }

    /// Words of normalized text (single spaces between them), counted no further than `limit`: a body's
    /// first words decide, and bodies run to many kilobytes.
    static func wordCount(_ normalized: String, upTo limit: Int) -> Int {
        guard !normalized.isEmpty else { return 0 }
        var words = 1
        for byte in normalized.utf8 where byte == 0x20 {
            words += 1
            if words >= limit { break }
        }
        return words
    }

    /// Tags stripped, references decoded, NFC, case-folded, whitespace collapsed, and typographic
    /// quotes and dashes folded: publishing systems "smarten" the same agency copy differently.
    public static func normalize(_ html: String) -> String {
        let plain = PlainText.fromHTML(html)
        var bytes = plain
        if let folded = bytes.withUTF8({ foldedInOnePass($0) }) { return folded }
        return foldedByScalars(plain)
    }

    /// NFC, then `lowercased()` and the punctuation folds, scalar by scalar: for any text.
    static func foldedByScalars(_ plain: String) -> String {
        // NFC changes nothing in text whose characters are all NFC-stable starters (ASCII, Latin, general
        // punctuation: most news copy); Foundation's normalization goes through UTF-16 and is slow.
        let text = (plain.unicodeScalars.allSatisfy(isStableUnderNFC) ? plain : plain.precomposedStringWithCanonicalMapping).lowercased()
        guard text.containsByte(where: { $0 == 0xE2 }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let folded = foldedPunctuation(scalar.value) { out.append(contentsOf: folded.unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }

    /// The ASCII that typographic quotes, primes, dashes and the ellipsis fold to; nil for any other scalar.
    static func foldedPunctuation(_ value: UInt32) -> String? {
        switch value {
        case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032: "'"
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033: "\""
        case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212: "-"
        case 0x2026: "..."
        default: nil
        }
    }

    /// `normalize`'s case and punctuation folding, in one pass over the UTF-8 bytes, for text whose every
    /// scalar is NFC-stable (most news copy); nil for other text. Matches `lowercased()` and the folds
    /// below scalar for scalar (`IdentifyStoreTests` compares the two).
    static func foldedInOnePass(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var unstable = false
        // Written straight into the string's storage (an array appended to byte by byte cost a third of
        // this). Lower-casing a scalar of these blocks at most doubles its UTF-8 length (U+0130: 2 -> 3).
        let folded = String(unsafeUninitializedCapacity: 2 * b.count) { out in
            var n = 0
            var i = 0
            let count = b.count
            func copy(_ bytes: some Collection<UInt8>) {
                for byte in bytes { out[n] = byte; n += 1 }
            }
            while i < count {
                let c = b[i]
                if c < 0x80 {
                    out[n] = c &- 0x41 < 26 ? c | 0x20 : c
                    n += 1
                    i += 1
                    continue
                }
                // Valid UTF-8 (it is a String's): 2, 3 or 4 bytes.
                let width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
                var value = UInt32(c) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
                for k in 1..<width { value = value << 6 | UInt32(b[i + k] & 0x3F) }
                guard let scalar = Unicode.Scalar(value), isStableUnderNFC(scalar) else {
                    unstable = true
                    return 0
                }
                if let ascii = foldedPunctuation(value) {
                    copy(ascii.utf8)
                } else {
                    switch value {
                    case 0x80...0xBF, 0xD7, 0xDF...0xFF, 0x2000...0x206F:
                        copy(UnsafeBufferPointer(rebasing: b[i..<(i + width)]))
                    case 0xC0...0xDE:
                        // Latin-1 capitals: the small letter is 0x20 further, still two bytes.
                        let lower = value + 0x20
                        out[n] = UInt8(0xC0 | (lower >> 6))
                        out[n + 1] = UInt8(0x80 | (lower & 0x3F))
                        n += 2
                    default:
                        copy(scalar.properties.lowercaseMapping.utf8)
                    }
                }
                i += width
            }
            return n
        }
        return unstable ? nil : folded
    }

    /// Scalars NFC leaves alone whatever surrounds them: no combining class, no canonical decomposition,
    /// and not the second half of a canonical composition. A conservative list of whole blocks;
    /// `IdentifyStoreTests` checks every scalar in it against Foundation.
    static func isStableUnderNFC(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x02FF, 0x2002...0x206F, 0x20A0...0x20C0, 0x2100...0x2125, 0x2127...0x2129, 0x212C...0x218B,
             0x2190...0x21FF:
            return true
        default:
            return false
        }
    }

    public static func sha256Hex(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { sha256Hex(UnsafeRawBufferPointer($0)) }
    }

    public static func sha256Hex(_ data: Data) -> String {
        data.withUnsafeBytes { sha256Hex($0) }
    }

    static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        sha256Hex(bytes, UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// The digest of `first` followed by `second`, without joining them into one string first.
    static func sha256Hex(joining first: String, _ second: String) -> String {
        var first = first
        var second = second
        return first.withUTF8 { a in second.withUTF8 { b in sha256Hex(UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(b)) } }
    }

    private static func sha256Hex(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(SHA256_DIGEST_LENGTH)) { digest in
            tributary_sha256_two(first.baseAddress, first.count, second.baseAddress, second.count, digest.baseAddress)
            return HexText.of(UnsafeRawBufferPointer(digest))
        }
    }
}
