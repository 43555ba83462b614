import Foundation

/// The identity form of an article URL: equal for the variants outlets and trackers produce.
///
/// Scheme (http = https), case of the host, a `www.` prefix, default ports, fragments and
/// tracking parameters do not distinguish stories; everything else in the URL does.
public enum CanonicalURL {
    /// Query parameters that only track the reader.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
        "ref_src", "ref_url", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "rb_clickid", "s_cid", "vero_id", "vero_conv", "wickedid", "__s", "ncid", "cmpid", "ito", "guccounter",
        "guce_referrer", "guce_referrer_sig", "spm", "share", "smid", "sr_share",
    ]

    /// Returns the identity key, or nil for anything that is not an absolute http(s) URL.
    public static func key(_ raw: String) -> String? {
        var copy = raw
        if let fast = copy.withUTF8({ asciiKey($0) }) { return fast }
        return generalKey(raw)
    }

    /// The same key computed on the bytes of a printable ASCII URL (nearly all of them); `.some(nil)` is
    /// "not an http(s) URL", and nil means "not plain ASCII: use the general path".
    static func asciiKey(_ b: UnsafeBufferPointer<UInt8>) -> String?? {
        guard !b.isEmpty, b.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        func lower(_ c: UInt8) -> UInt8 { c &- 0x41 < 26 ? c | 0x20 : c }
        func find(_ c: UInt8, from: Int, to: Int) -> Int? {
            var i = from
            while i < to { if b[i] == c { return i }; i += 1 }
            return nil
        }
        let n = b.count
        var schemeEnd: Int?
        var i = 0
        while i + 2 < n { if b[i] == 0x3A && b[i + 1] == 0x2F && b[i + 2] == 0x2F { schemeEnd = i; break }; i += 1 }
        guard let schemeEnd, schemeEnd == 4 || schemeEnd == 5 else { return .some(nil) }
        let scheme = (0..<schemeEnd).map { lower(b[$0]) }
        guard scheme == Array("http".utf8) || scheme == Array("https".utf8) else { return .some(nil) }
        let start = schemeEnd + 3
        let end = find(0x23, from: start, to: n) ?? n                            // '#'
        var authorityEnd = start
        while authorityEnd < end && b[authorityEnd] != 0x2F && b[authorityEnd] != 0x3F { authorityEnd += 1 }
        var hostStart = start
        var k = authorityEnd
        while k > start { k -= 1; if b[k] == 0x40 { hostStart = k + 1; break } }  // the last '@'
        var hostEnd = authorityEnd
        var port: [UInt8] = []
        if hostEnd > hostStart, b[hostEnd - 1] != 0x5D {                           // not "…]"
            var c = hostEnd
            while c > hostStart { c -= 1; if b[c] == 0x3A { port = Array(b[(c + 1)..<hostEnd]); hostEnd = c; break } }
        }
        if port == Array("80".utf8) || port == Array("443".utf8) { port = [] }
        var host = (hostStart..<hostEnd).map { lower(b[$0]) }
        if host.last == 0x2E { host.removeLast() }
        if host.starts(with: "www.".utf8) { host.removeFirst(4) }
        guard !host.isEmpty else { return .some(nil) }
        var out: [UInt8] = [0x2F, 0x2F]
        out.reserveCapacity(end - start + 4)
        out += host
        if !port.isEmpty { out.append(0x3A); out += port }
        let query = find(0x3F, from: authorityEnd, to: end)
        let pathEnd = query ?? end
        if pathEnd == authorityEnd { out.append(0x2F) } else { out += b[authorityEnd..<pathEnd] }
        if let query {
            var first = true
            var p = query + 1
            while p < end {
                let pairEnd = find(0x26, from: p, to: end) ?? end
                if pairEnd > p {
                    let nameEnd = find(0x3D, from: p, to: pairEnd) ?? pairEnd
                    if nameEnd == p { return nil }   // "=x": the general path's split reads its name as "x"
                    let name = String(decoding: b[p..<nameEnd].map(lower), as: UTF8.self)
                    if !name.hasPrefix("utm_") && !trackingParameters.contains(name) {
                        out.append(first ? 0x3F : 0x26)
                        out += b[p..<pairEnd]
                        first = false
                    }
                }
                p = pairEnd + 1
            }
        }
        return .some(String(decoding: out, as: UTF8.self))
    }

    static func generalKey(_ raw: String) -> String? {
        var s = Substring(raw.trimmed)
        guard let schemeEnd = s.range(of: "://") else { return nil }
        let scheme = s[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        s = s[schemeEnd.upperBound...]
        if let hash = s.firstIndex(of: "#") { s = s[..<hash] }
        let authorityEnd = s.firstIndex { $0 == "/" || $0 == "?" } ?? s.endIndex
        var authority = s[..<authorityEnd]
        let rest = s[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = authority.lowercased()
        var port = ""
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            port = String(host[host.index(after: colon)...])
            host = String(host[..<colon])
        }
        if port == "80" || port == "443" || port.isEmpty { port = "" } else { port = ":" + port }
        if host.hasSuffix(".") { host.removeLast() }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        guard !host.isEmpty else { return nil }
        var path = rest
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            path = rest[..<q]
            query = rest[rest.index(after: q)...]
        }
        let kept = query.split(separator: "&", omittingEmptySubsequences: true).filter { pair in
            let name = (pair.split(separator: "=", maxSplits: 1).first ?? "").lowercased()
            return !name.hasPrefix("utm_") && !trackingParameters.contains(name)
        }
        var result = "//" + host + port + (path.isEmpty ? "/" : String(path))
        if !kept.isEmpty { result += "?" + kept.joined(separator: "&") }
        return result
    }
}
