import Foundation

/// What the caching and back-off headers of a response mean, as plain values.
/// Header names are lower-cased, as `FetchResponse.headers` keeps them.
public enum ResponseHeaders {
    /// `Retry-After` as seconds from `now`: delta-seconds or an HTTP date (never negative).
    public static func retryAfter(_ headers: [String: String], now: Date) -> TimeInterval? {
        guard let value = headers["retry-after"]?.trimmed, !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0, seconds.isFinite { return seconds }
        if let date = FeedDate.parse(value) { return max(0, date.timeIntervalSince(now)) }
        return nil
    }

    /// How long the server says the body stays fresh: `Cache-Control: max-age`, else `Expires`.
    /// Nil when it says nothing; `max-age` wins over `Expires` as in RFC 9111.
    public static func freshness(_ headers: [String: String], now: Date) -> TimeInterval? {
        if let cache = headers["cache-control"]?.lowercased(), let r = cache.range(of: "max-age=") {
            return Double(cache[r.upperBound...].prefix { $0.isNumber }).map { min($0, 1e9) }
        }
        if let expires = headers["expires"], let date = FeedDate.parse(expires) {
            return date.timeIntervalSince(now)
        }
        return nil
    }
}
