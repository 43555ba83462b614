import Foundation

/// One document the server answers with, prepared once when it is published: validators and the gzip
/// form are computed here so that a request costs a look-up and a copy.
public struct ServedDocument: Sendable {
    public let contentType: String
    public let body: [UInt8]
    /// Nil when compressing would not make the body smaller.
    public let gzipped: [UInt8]?
    /// Strong validator of `body`; the gzip form's is this with `-gz` (RFC 9110 §8.8.3).
    public let etag: String
    public let lastModified: Date
    public let maxAge: Int

    /// Keeps `previous`'s validators when the bytes are the same, so a rewrite that changed nothing
    /// still answers readers with 304.
    public init(contentType: String, body: Data, maxAge: Int, now: Date, previous: ServedDocument? = nil) {
        let bytes = [UInt8](body)
        if let previous, previous.body == bytes, previous.contentType == contentType {
            self.contentType = contentType
            self.body = previous.body
            gzipped = previous.gzipped
            etag = previous.etag
            lastModified = previous.lastModified
            self.maxAge = maxAge
            return
        }
        self.contentType = contentType
        self.body = bytes
        let compressed = bytes.count >= 256 ? Gzip.compress(bytes) : nil
        gzipped = compressed.flatMap { $0.count < bytes.count ? $0 : nil }
        etag = "\"" + bytes.withUnsafeBytes { ContentFingerprint.sha256Hex($0) }.prefix(32) + "\""
        // HTTP-dates have whole seconds; a fractional one would never compare equal on If-Modified-Since.
        lastModified = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        self.maxAge = maxAge
    }

    public var gzipETag: String { String(etag.dropLast()) + "-gz\"" }
}

/// Everything the server can answer, by path: replaced as a whole, never edited in place, so a
/// request sees one consistent set.
public struct SiteSnapshot: Sendable {
    /// Documents by group (an output, the status pages, the OPML list), each by path.
    public private(set) var groups: [String: [String: ServedDocument]] = [:]
    /// The path `/` answers with.
    public var rootPath: String?
    private var index: [String: ServedDocument] = [:]

    public init() {}

    public func document(at path: String) -> ServedDocument? {
        if path == "/", let rootPath { return index[rootPath] }
        return index[path]
    }

    /// Replaces a group's documents; paths no longer in it (a tag page whose tag is gone) stop answering.
    public mutating func replace(group: String, with documents: [String: ServedDocument]) {
        groups[group] = documents
        index = [:]
        for (_, documents) in groups {
            for (path, document) in documents where index[path] == nil { index[path] = document }
        }
    }
}

/// A document for the server, as an output or status page is rendered.
public struct PublishedDocument: Sendable {
    public var urlPath: String
    public var contentType: String
    public var data: Data
    public var maxAge: Int
    /// When these bytes were first written (the output file's time); nil for documents made in memory.
    public var modified: Date?

    public init(urlPath: String, contentType: String, data: Data, maxAge: Int, modified: Date? = nil) {
        self.urlPath = urlPath
        self.contentType = contentType
        self.data = data
        self.maxAge = maxAge
        self.modified = modified
    }
}
