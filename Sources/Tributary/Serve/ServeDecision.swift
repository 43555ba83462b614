import Foundation

/// A request as the server's rules see it.
public struct ServeRequest: Sendable {
    public var method: String
    public var path: String
    public var ifNoneMatch: String?
    public var ifModifiedSince: String?
    public var acceptEncoding: String?

    public init(method: String, path: String, ifNoneMatch: String? = nil, ifModifiedSince: String? = nil, acceptEncoding: String? = nil) {
        self.method = method
        self.path = path
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.acceptEncoding = acceptEncoding
    }
}

/// What to answer: status, headers and the body to send (empty for 304; HEAD gets the GET body's
/// length and no body, which the HTTP library takes care of).
public struct ServeResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
}

/// The server's decisions, as pure functions: which document, 304 or 200, gzip or not, and the headers.
public enum ServeDecision {
    static let allowed = "GET, HEAD"

    public static func respond(to request: ServeRequest, site: SiteSnapshot) -> ServeResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return plain(405, "Method not allowed. This server answers GET and HEAD.\n", extra: [("Allow", allowed)])
        }
        // Paths are looked up whole among the documents published: nothing maps onto the file system,
        // so "../" or an encoded slash can only miss.
        guard let document = site.document(at: request.path) else {
            return plain(404, "Not found.\n")
        }
        let gzip = document.gzipped != nil && acceptsGzip(request.acceptEncoding)
        let etag = gzip ? document.gzipETag : document.etag
        var headers: [(String, String)] = [
            ("Content-Type", document.contentType),
            ("ETag", etag),
            ("Last-Modified", HTTPDate.format(document.lastModified)),
            ("Cache-Control", "public, max-age=\(document.maxAge)"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if document.gzipped != nil { headers.append(("Vary", "Accept-Encoding")) }
        if document.contentType.hasPrefix("text/html") {
            // The pages carry no script; say so, so that anything a feed smuggled past the escaping is inert.
            headers.append(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"))
        }
        if notModified(request, document: document) {
            return ServeResponse(status: 304, headers: headers.filter { $0.0 != "Content-Type" }, body: [])
        }
        if gzip { headers.append(("Content-Encoding", "gzip")) }
        return ServeResponse(status: 200, headers: headers, body: gzip ? document.gzipped! : document.body)
    }

    /// RFC 9110 §13.1.2 and §13.2.2: If-None-Match decides when present (weak comparison, either
    /// encoding's validator); If-Modified-Since only without it.
    static func notModified(_ request: ServeRequest, document: ServedDocument) -> Bool {
        if let header = request.ifNoneMatch {
            let candidates = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return candidates.contains { tag in
                let opaque = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
                return opaque == "*" || opaque == document.etag || opaque == document.gzipETag
            }
        }
        if let header = request.ifModifiedSince, let since = HTTPDate.parse(header) {
            return document.lastModified <= since
        }
        return false
    }

    /// Whether `Accept-Encoding` allows gzip: listed (or `*`) without `q=0`.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var gzip: Double?
        var star: Double?
        for part in header.lowercased().split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = fields.first else { continue }
            var q = 1.0
            for field in fields.dropFirst() where field.hasPrefix("q=") { q = Double(field.dropFirst(2)) ?? 0 }
            if name == "gzip" || name == "x-gzip" { gzip = q } else if name == "*" { star = q }
        }
        return (gzip ?? star ?? 0) > 0
    }

    static func plain(_ status: Int, _ text: String, extra: [(String, String)] = []) -> ServeResponse {
        ServeResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8"),
                                                ("X-Content-Type-Options", "nosniff"),
                                                ("Cache-Control", "no-store")] + extra,
                      body: Array(text.utf8))
    }

    /// How long a reader or proxy may reuse an output without asking: half the shortest poll interval
    /// of its feeds (a story reaches it at most that much later), between one minute and half an hour.
    public static func maxAge(pollIntervals: [TimeInterval]) -> Int {
        guard let shortest = pollIntervals.min() else { return 300 }
        return Int(min(max(shortest / 2, 60), 1800))
    }
}
