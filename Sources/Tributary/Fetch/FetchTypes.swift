import Foundation

/// One feed to download, with what the last poll remembered for a conditional request.
public struct FetchRequest: Sendable {
    public var url: String
    /// Caller's key, returned with the response.
    public var tag: Int
    public var conditional: ConditionalRequest
    public var userAgent: String
    public var timeout: TimeInterval
    public var connectTimeout: TimeInterval
    public var maxBodyBytes: Int
    /// When set, the request is a POST of this `application/x-www-form-urlencoded` body (WebSub pings).
    public var formBody: String?

    public init(url: String, tag: Int, conditional: ConditionalRequest = ConditionalRequest(), userAgent: String,
                timeout: TimeInterval, connectTimeout: TimeInterval, maxBodyBytes: Int) {
        self.url = url
        self.tag = tag
        self.conditional = conditional
        self.userAgent = userAgent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
    }
}

/// The validators that make a poll of an unchanged feed cost a 304 and no parse.
public struct ConditionalRequest: Sendable, Equatable {
    public var etag: String?
    public var lastModified: String?
    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// Why a download produced no usable response.
public enum FetchFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case timeout(String)
    case tooLarge(limit: Int)
    case refusedRedirect(String)
    case tooManyRedirects
    case network(String)
    case cancelled
    /// Not attempted: the host asked (Retry-After) not to be contacted before this time.
    case hostBackoff(until: Date)

    public var description: String {
        switch self {
        case .timeout(let detail): return "timed out (\(detail))"
        case .tooLarge(let limit): return "body larger than the \(limit / 1024) KiB limit"
        case .refusedRedirect(let detail): return "refused redirect: \(detail)"
        case .tooManyRedirects: return "too many redirects"
        case .network(let detail): return detail
        case .cancelled: return "cancelled"
        case .hostBackoff(let until): return "host asked to wait until \(FeedDate.format(until))"
        }
    }
}

/// The final HTTP response of a download (after redirects), or why there is none.
public struct FetchResponse: Sendable {
    public var tag: Int
    public var requestURL: String
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String]
    public var body: Data
    public var effectiveURL: String
    /// Where the request ended up when every hop was a permanent redirect (301/308).
    public var permanentRedirect: String?
    public var failure: FetchFailure?
    public var elapsed: TimeInterval

    /// The charset parameter of Content-Type, if any.
    public var charset: String? {
        guard let type = headers["content-type"], let r = type.range(of: "charset=", options: .caseInsensitive) else { return nil }
        let value = type[r.upperBound...].prefix { $0 != ";" && $0 != " " }
        let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        return trimmed.isEmpty ? nil : trimmed
    }
}
