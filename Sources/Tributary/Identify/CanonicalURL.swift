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
