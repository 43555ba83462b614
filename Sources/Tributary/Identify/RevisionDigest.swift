import Foundation

/// What tells an edited item from an unchanged one: a 128-bit digest of its fields, compared with the one
/// stored with it whenever its feed is read again; and, the same way, a feed's body from the last one parsed. Nothing needs it to resist a forger (a feed can edit its
/// own items anyway), only to change when a field does, so it is a multiply-and-fold hash over eight bytes
/// at a time: SHA-256 and the joined copy of the fields it read took 5% of a cold import.
///
/// Written as `~` and 32 hex digits. Older releases stored the first 32 (or all 64) hex digits of the
/// SHA-256 of the fields joined by U+001F; `matches` still recognises those, so an upgrade does not see
/// every stored item as edited. A feed's stored body hash was all 64 hex digits of the body's SHA-256.
enum RevisionDigest {
    static let marker = UInt8(ascii: "~")

    /// The digest of `fields`, each delimited by its length (so that no two lists of fields run together).
    static func of(_ fields: [String]) -> String {
        var a: UInt64 = 0x243F_6A88_85A3_08D3
        var b: UInt64 = 0x1319_8A2E_0370_7344
        for field in fields {
            var field = field
            field.withUTF8 { absorb(UnsafeRawBufferPointer($0), &a, &b) }
        }
        return finish(a, b)
    }

    private static func finish(_ a: UInt64, _ b: UInt64) -> String {
        let high = fold(a ^ (b >> 29), 0xD6E8_FEB8_6659_FD93)
        let low = fold(b ^ (a >> 31), 0xA076_1D64_78BD_642F) ^ high
        return withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { HexText.of($0, lead: marker) }
    }

    /// The digest of a feed's body.
    static func of(body: Data) -> String {
        var a: UInt64 = 0x243F_6A88_85A3_08D3
        var b: UInt64 = 0x1319_8A2E_0370_7344
        body.withUnsafeBytes { absorb($0, &a, &b) }
        return finish(a, b)
    }

    /// Whether `stored` is the digest of `body`, in this format or an older release's.
    static func matches(stored: String?, body: Data, digest: String) -> Bool {
        guard let stored else { return false }
        if stored.utf8.first == marker { return stored == digest }
        return stored == ContentFingerprint.sha256Hex(body)
    }

    /// Whether `stored` is the revision of an item with `fields`, in this format or an older release's.
    static func matches(stored: String, fields: [String], digest: String) -> Bool {
        if stored.utf8.first == marker { return stored == digest }
        return stored.hasPrefix(ContentFingerprint.sha256Hex(fields.joined(separator: "\u{1F}")).prefix(32))
    }

    private static func absorb(_ bytes: UnsafeRawBufferPointer, _ a: inout UInt64, _ b: inout UInt64) {
        var i = 0
        let count = bytes.count
        while i + 16 <= count {
            let u = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let v = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            a = fold(a ^ u, 0x9E37_79B9_7F4A_7C15) &+ v
            b = fold(b ^ v, 0xC2B2_AE3D_27D4_EB4F) &+ u
            i += 16
        }
        // The last 0–15 bytes, and the length, so that trailing zero bytes still count.
        var u: UInt64 = 0
        var v: UInt64 = 0
        for k in i..<count {
            let byte = UInt64(bytes[k])
            if k - i < 8 { u |= byte << (8 * UInt64(k - i)) } else { v |= byte << (8 * UInt64(k - i - 8)) }
        }
        a = fold(a ^ u, 0x9E37_79B9_7F4A_7C15) &+ UInt64(count)
        b = fold(b ^ v ^ UInt64(count), 0xC2B2_AE3D_27D4_EB4F) &+ a
    }

    /// The two halves of the 128-bit product, folded: every input bit reaches the result.
    @inline(__always)
    private static func fold(_ x: UInt64, _ k: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: k)
        return product.high ^ product.low
    }
}
