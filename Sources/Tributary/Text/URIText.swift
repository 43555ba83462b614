import Foundation

/// Making references valid: as URIs that strict URI code (libxml2's `xmlBuildURI`) accepts, and as the
/// IRIs (RFC 3987) the outputs write. Both percent-encode the same forbidden ASCII characters.
enum URIText {
    /// `url` when it is an absolute http(s) address, else nil.
    static func webAddress(_ url: String) -> String? {
        let lower = url.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") ? url : nil
    }

    /// Non-ASCII bytes, controls, space and the characters URIs never hold, percent-encoded (RFC 3987
    /// §3.1 maps an IRI to a URI this way); everything else, `%` included, is left as it is.
    static func percentEncodingForbidden(_ text: String) -> String {
        percentEncoding(text) { byte, _, _ in byte >= 0x80 || isForbiddenASCII(byte) }
    }

    /// An IRI as RFC 3987 allows it: the forbidden ASCII characters, a second `#`, and a `%` that starts
    /// no escape are percent-encoded; other characters, non-ASCII ones included, stay.
    static func validIRI(_ iri: String) -> String {
        var sawHash = false
        return percentEncoding(iri) { byte, i, bytes in
            switch byte {
            case 0x23:
                defer { sawHash = true }
                return sawHash
            case 0x25:
                return !(i + 2 < bytes.count && isHex(bytes[i + 1]) && isHex(bytes[i + 2]))
            default:
                return isForbiddenASCII(byte)
            }
        }
    }

    /// Controls, space and `"<>\^`{|}`: ASCII that no URI or IRI holds as it is.
    private static func isForbiddenASCII(_ b: UInt8) -> Bool {
        switch b {
        case 0x00...0x20, 0x7F, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D: return true
        default: return false
        }
    }

    private static func isHex(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b)
    }

    /// `text` with every byte `encode(byte, index, bytes)` says yes to written as `%XX`; the text itself
    /// when there is none. `encode` is called once per byte, in order.
    private static func percentEncoding(_ text: String, _ encode: (UInt8, Int, [UInt8]) -> Bool) -> String {
        let bytes = Array(text.utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        var changed = false
        for (i, byte) in bytes.enumerated() {
            if encode(byte, i, bytes) {
                if !changed { out.reserveCapacity(bytes.count + 8); out += bytes[..<i]; changed = true }
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else if changed {
                out.append(byte)
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }
}
