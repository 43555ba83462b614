import Foundation

/// What the store knows about one configured feed: who it is, and where its polling stands.
/// Poll-state fields read through the record directly (`record.etag`).
@dynamicMemberLookup
public struct FeedRecord: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var name: String
    public var title: String?
    public var siteLink: String?
    public var poll: FeedPollState

    public init(id: Int64, url: String, name: String, title: String? = nil, siteLink: String? = nil,
                poll: FeedPollState = FeedPollState()) {
        self.id = id
        self.url = url
        self.name = name
        self.title = title
        self.siteLink = siteLink
        self.poll = poll
    }

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<FeedPollState, T>) -> T {
        get { poll[keyPath: keyPath] }
        set { poll[keyPath: keyPath] = newValue }
    }
}

/// Where one feed's polling stands, as persisted on its row after each poll.
public struct FeedPollState: Sendable, Equatable {
    public var lastPollAt: Date?
    public var lastStatus: Int?
    public var lastError: String?
    public var etag: String?
    public var lastModified: String?
    /// Failed polls in a row.
    public var failures: Int
    public var nextPollAt: Date?
    /// Stopped by a 410 Gone.
    public var gone: Bool
    /// Where the last poll's permanent redirects led, and how many polls in a row went there.
    public var redirectURL: String?
    public var redirectSeen: Int
    /// The feed's interval when its next poll was planned (before server hints or backoff).
    public var plannedInterval: TimeInterval?
    /// SHA-256 of the last body that was parsed and stored.
    public var bodyHash: String?

    public init(lastPollAt: Date? = nil, lastStatus: Int? = nil, lastError: String? = nil, etag: String? = nil,
                lastModified: String? = nil, failures: Int = 0, nextPollAt: Date? = nil, gone: Bool = false,
                redirectURL: String? = nil, redirectSeen: Int = 0, plannedInterval: TimeInterval? = nil,
                bodyHash: String? = nil) {
        self.lastPollAt = lastPollAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.etag = etag
        self.lastModified = lastModified
        self.failures = failures
        self.nextPollAt = nextPollAt
        self.gone = gone
        self.redirectURL = redirectURL
        self.redirectSeen = redirectSeen
        self.plannedInterval = plannedInterval
        self.bodyHash = bodyHash
    }
}

/// How a poll's items were sorted out.
public struct IngestCounts: Sendable, Equatable {
    public var new = 0
    public var updated = 0
    /// Exact duplicates: the same canonical URL or content fingerprint as a stored story.
    public var duplicate = 0
    /// Another outlet's rewrite of a stored story, attached by the near-duplicate layer.
    public var nearDuplicate = 0
    /// Near-duplicate merges undone because the configuration no longer allows them.
    public var separated = 0
    public var unchanged = 0
    public var tombstoned = 0

    public init() {}
}

/// An item ready to be written to an output, with the outlets that carried it.
public struct StoredEntry: Sendable {
    public var itemID: Int64
    public var entryID: String
    public var link: String?
    public var title: String?
    public var author: String?
    public var summary: String?
    public var content: String?
    public var categories: [String]
    public var enclosures: [Enclosure]
    public var published: Date?
    public var updated: Date
    public var effectiveAt: Date
    /// Feed that published it first, among the feeds asked for.
    public var sourceFeedID: Int64
    /// Every asked-for feed that carried it, first publisher first, with that outlet's link.
    public var carriers: [(feedID: Int64, link: String?)]
    /// The item's permalink guid or http(s) Atom id, for entries without a link.
    public var permalink: String? = nil
}

