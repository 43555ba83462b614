import Foundation

/// Decides when each feed is polled next, from its interval, server hints and failures.
public struct PollPlanner: Sendable {
    public var poll: PollSettings
    /// Longest wait between two polls of a feed that is still alive.
    public static let maximumDelay: TimeInterval = 24 * 3600
    /// Random generator seedable by tests; jitter spreads feeds that share an interval.
    public var jitter: @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }

    public init(poll: PollSettings) {
        self.poll = poll
    }

    public func interval(for feed: FeedSettings) -> TimeInterval {
        feed.interval ?? poll.interval
    }

    /// After a successful poll: the interval, raised (never lowered) by the publisher's hints.
    public func nextAfterSuccess(feed: FeedSettings, now: Date, headers: [String: String], refreshHint: TimeInterval?) -> Date {
        let base = interval(for: feed)
        var hint = refreshHint ?? 0
        if let cache = headers["cache-control"]?.lowercased(), let r = cache.range(of: "max-age=") {
            if let seconds = Double(cache[r.upperBound...].prefix { $0.isNumber }) { hint = max(hint, seconds) }
        } else if let expires = headers["expires"], let date = FeedDate.parse(expires) {
            hint = max(hint, date.timeIntervalSince(now))
        }
        let raised = max(base, min(hint, Self.maximumDelay))
        return now.addingTimeInterval(raised * jitter(0.95...1.05))
    }

    /// After a failure: exponential backoff from the interval, capped, with ±20% jitter.
    public func nextAfterFailure(feed: FeedSettings, failures: Int, now: Date) -> Date {
        let base = interval(for: feed)
        let exponent = Double(min(max(failures - 1, 0), 20))
        let delay = min(base * pow(2, exponent), Self.maximumDelay)
        return now.addingTimeInterval(delay * jitter(0.8...1.2))
    }

    /// `Retry-After` as seconds from now: delta-seconds or an HTTP date.
    public static func retryAfter(_ headers: [String: String], now: Date) -> TimeInterval? {
        guard let value = headers["retry-after"]?.trimmed, !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        if let date = FeedDate.parse(value) { return max(0, date.timeIntervalSince(now)) }
        return nil
    }
}
