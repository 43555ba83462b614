import Foundation

/// Turning IRIs into URIs that strict URI code (libxml2's `xmlBuildURI`) accepts.
enum URIText {
    /// Non-ASCII bytes, controls, space and the characters URIs never hold, percent-encoded (RFC 3987
    /// §3.1 maps an IRI to a URI this way); everything else, `%` included, is left as it is.
    static func percentEncodingForbidden(_ text: String) -> String {
        let forbidden: Set<UInt8> = [0x20, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F]
        guard text.utf8.contains(where: { $0 >= 0x80 || $0 < 0x20 || forbidden.contains($0) }) else { return text }
        var out: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if byte >= 0x80 || byte < 0x20 || forbidden.contains(byte) {
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
