import Foundation

/// One entry of a feed, in the shape every format's adapter maps onto.
public struct FeedItem: Sendable, Equatable {
    public var id: String?
    public var link: String?
    public var title: String?
    public var author: String?
    public var published: Date?
    public var updated: Date?
    /// Sanitized HTML.
    public var summary: String?
    /// Sanitized HTML.
    public var content: String?
    public var enclosures: [Enclosure] = []
    public var categories: [String] = []
    /// The publisher's own statement of the article's address (`<link rel="canonical">`,
    /// FeedBurner's `origLink`), preferred over `link` for identity.
    public var canonicalLink: String?
    /// An address to open when the item has no link: a permalink `<guid>` (resolved) or an http(s) Atom id.
    /// Not used for identity.
    public var permalink: String?

    public init(id: String? = nil, link: String? = nil, title: String? = nil, author: String? = nil,
                published: Date? = nil, updated: Date? = nil, summary: String? = nil, content: String? = nil,
                enclosures: [Enclosure] = [], categories: [String] = []) {
        self.id = id
        self.link = link
        self.title = title
        self.author = author
        self.published = published
        self.updated = updated
        self.summary = summary
        self.content = content
        self.enclosures = enclosures
        self.categories = categories
    }
}

/// A media file attached to an item.
public struct Enclosure: Sendable, Equatable {
    public var url: String
    public var type: String?
    public var length: Int?
}

/// The feed formats the parser recognises, named as in the `feedconf/1` schema.
public enum FeedFormat: String, Sendable {
    case rss09x, rss10, rss20, rss, atom03, atom10, atom, json, unknown
}

/// A parsed feed: its own metadata and its items in document order.
public struct ParsedFeed: Sendable {
    public var format: FeedFormat
    public var title: String?
    public var link: String?
    public var updated: Date?
    public var published: Date?
    /// The publisher's hint of how often to poll (RSS `ttl`, `sy:updatePeriod`), in seconds.
    public var refreshHint: TimeInterval?
    public var items: [FeedItem]

    public init(format: FeedFormat, title: String? = nil, link: String? = nil, updated: Date? = nil,
                published: Date? = nil, refreshHint: TimeInterval? = nil, items: [FeedItem] = []) {
        self.format = format
        self.title = title
        self.link = link
        self.updated = updated
        self.published = published
        self.refreshHint = refreshHint
        self.items = items
    }
}

/// Why a document could not be read as a feed at all.
public enum FeedParseError: Error, CustomStringConvertible, Equatable {
    case empty
    case notAFeed(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .empty: return "empty document"
        case .notAFeed(let what): return "not a feed (\(what))"
        case .malformed(let why): return "malformed feed: \(why)"
        }
    }
}
