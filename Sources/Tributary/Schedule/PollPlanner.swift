import Foundation

/// Decides when each feed is polled next, from its interval, publisher hints and failures.
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

    /// After a successful poll: the interval, raised (never lowered) by the publisher's hints
    /// (HTTP freshness, RSS `ttl`, `sy:updatePeriod`), capped at `maximumDelay`.
    public func nextAfterSuccess(feed: FeedSettings, now: Date, hint: TimeInterval?) -> Date {
        let raised = max(interval(for: feed), min(hint ?? 0, Self.maximumDelay))
        return now.addingTimeInterval(raised * jitter(0.95...1.05))
    }

    /// After a failure: exponential backoff from the interval, capped, with ±20% jitter.
    public func nextAfterFailure(feed: FeedSettings, failures: Int, now: Date) -> Date {
        let base = interval(for: feed)
        let exponent = Double(min(max(failures - 1, 0), 20))
        let delay = min(base * pow(2, exponent), Self.maximumDelay)
        return now.addingTimeInterval(delay * jitter(0.8...1.2))
    }
}
