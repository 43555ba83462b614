import CCrypto
import Foundation

/// SHA-256 of an item's normalized text: the same story under different URLs hashes alike.
///
/// Long texts are compared by body alone, since outlets append their names to headlines.
/// Short texts (under `shortTextWords`) are too likely to collide ("Breaking: ..."), so the
/// title is hashed with them.
public enum ContentFingerprint {
    public static let shortTextWords = 20

    /// Returns a hex digest, or nil when the item has no text worth comparing.
    public static func of(title: String?, text: String?) -> String? {
        let body = normalize(text ?? "")
        let words = body.split(separator: " ").count
        if words >= shortTextWords { return sha256Hex("body\u{0}" + body) }
        let heading = normalize(title ?? "")
        guard !heading.isEmpty, words + heading.split(separator: " ").count >= 3 || !body.isEmpty else { return nil }
        return sha256Hex("short\u{0}" + heading + "\u{0}" + body)
    }

    /// Tags stripped, references decoded, NFC, case-folded, whitespace collapsed.
    public static func normalize(_ html: String) -> String {
        PlainText.fromHTML(html).precomposedStringWithCanonicalMapping.lowercased()
    }

    public static func sha256Hex(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var copy = text
        copy.withUTF8 { buffer in
            _ = SHA256(buffer.baseAddress, buffer.count, &digest)
        }
        let hex: [Character] = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return out
    }
}
