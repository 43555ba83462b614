import Foundation

/// What one feed's poll came to, for logs and the `poll` summary.
public struct FeedPollReport: Sendable {
    public var name: String
    public var url: String
    public var status: Int?
    public var error: String?
    public var counts: IngestCounts
    public var elapsed: TimeInterval
    public var nextPollAt: Date?
    /// Not attempted: the feed's host asked (Retry-After) to be left alone for now.
    public var deferred = false

    public var failed: Bool { error != nil && !deferred }

    public var line: String {
        let ms = Int((elapsed * 1000).rounded())
        if deferred, let error { return "\(name): waiting: \(error)" }
        if let error {
            return "\(name): failed: \(error) (\(ms) ms)"
        }
        let code = status.map(String.init) ?? "-"
        if status == 304 { return "\(name): 304 not modified (\(ms) ms)" }
        return "\(name): \(code), \(counts.new) new, \(counts.updated) updated, \(counts.duplicate) duplicate, \(counts.nearDuplicate) near-duplicate, \(counts.unchanged) unchanged (\(ms) ms)"
    }
}

/// The result of polling a set of feeds once.
public struct CycleReport: Sendable {
    public var feeds: [FeedPollReport] = []
    public var outputsWritten: [String] = []
    /// Outputs that could not be written, each message naming the path.
    public var outputErrors: [String] = []
    public var totalItems = 0
    /// Items' pages fetched for full text this cycle: articles stored, and failed attempts.
    public var fullText = (fetched: 0, failed: 0)

    public var failed: Int { feeds.filter(\.failed).count }

    public var summary: String {
        let new = feeds.reduce(0) { $0 + $1.counts.new }
        let updated = feeds.reduce(0) { $0 + $1.counts.updated }
        let duplicate = feeds.reduce(0) { $0 + $1.counts.duplicate }
        let near = feeds.reduce(0) { $0 + $1.counts.nearDuplicate }
        let pages = fullText.fetched + fullText.failed > 0 ? "full text \(fullText.fetched) fetched, \(fullText.failed) failed, " : ""
        return "total: \(feeds.count) feeds, \(feeds.count - failed) ok, \(failed) failed, \(new) new, \(updated) updated, \(duplicate) duplicate, \(near) near-duplicate, \(pages)\(totalItems) items stored"
    }
}
