import Foundation

/// What one fetch of an item's page means: the article to store, or when to try again, or to give up
/// and keep the feed's own text. Pure: the extraction is passed in.
public enum FullTextOutcome: Sendable, Equatable {
    case article(html: String)
    /// A failed attempt; `retryAt` nil means no more attempts. `hostHold`: the host asked (Retry-After)
    /// not to be contacted before then, which holds its feeds too.
    case failed(error: String, retryAt: Date?, hostHold: PollOutcome.HostHold?)
    /// Not attempted: the host is held; no attempt is spent.
    case waiting(until: Date)

    /// Attempts before an item keeps its summary for good: with the doubling delays, about four days.
    public static let maximumAttempts = 8
    /// The first retry waits this long; each later one twice the one before, up to a day.
    public static let firstRetryDelay: TimeInterval = 15 * 60
    public static let longestRetryDelay: TimeInterval = 24 * 3600

    public static func decide(_ response: FetchResponse, attempts: Int, now: Date,
                              extract: (FetchResponse) -> String?) -> FullTextOutcome {
        func fail(_ error: String, after wait: TimeInterval? = nil, hostHold: PollOutcome.HostHold? = nil) -> FullTextOutcome {
            let attempt = attempts + 1
            guard attempt < maximumAttempts else { return .failed(error: error, retryAt: nil, hostHold: nil) }
            let backoff = min(firstRetryDelay * pow(2, Double(attempt - 1)), longestRetryDelay)
            return .failed(error: error, retryAt: now.addingTimeInterval(max(wait ?? 0, backoff)), hostHold: hostHold)
        }
        if case .hostBackoff(let until) = response.failure {
            // Not this page's failure: it waits for its host without spending an attempt.
            return .waiting(until: until)
        }
        if let failure = response.failure { return fail(failure.description) }
        let status = response.status
        guard (200..<300).contains(status) else {
            // 429/503 with Retry-After holds the host, by the same rule as for feeds.
            if let asked = PollOutcome.HostHold.requested(by: response, now: now) {
                return fail("HTTP \(status)", after: asked.hold.until.timeIntervalSince(now), hostHold: asked.hold)
            }
            return fail("HTTP \(status)", after: ResponseHeaders.retryAfter(response.headers, now: now))
        }
        // A link to a PDF, a picture or a feed has no article to extract, now or later.
        if let type = response.headers["content-type"]?.lowercased(), !type.isBlank,
           !type.contains("html"), !type.hasPrefix("text/plain") {
            let kind = type.split(separator: ";").first.map(String.init) ?? type
            return .failed(error: "not a web page (\(kind.trimmed))", retryAt: nil, hostHold: nil)
        }
        guard let html = extract(response), !html.isBlank else { return fail("no article found on the page") }
        return .article(html: html)
    }
}
