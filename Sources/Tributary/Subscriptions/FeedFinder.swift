import Foundation

/// Fetches a page and lists the feeds it offers: the page itself when it is a feed, else its advertised links.
public enum FeedFinder {
    public enum Failure: Error, CustomStringConvertible {
        case fetch(String)
        case none(String)
        public var description: String {
            switch self {
            case .fetch(let why): return why
            case .none(let url): return "\(url) advertises no feeds"
            }
        }
    }

    public static func find(url: String, timeout: TimeInterval = 20) throws(Failure) -> [FeedSettings] {
        var response: FetchResponse?
        HTTPFetcher(concurrency: 1, perHost: 1).fetch([FetchRequest(
            url: url, tag: 0, userAgent: PollSettings.defaultUserAgent, timeout: timeout, connectTimeout: min(timeout, 10),
            maxBodyBytes: 5 * 1024 * 1024)]) { response = $0 }
        guard let response, response.failure == nil, (200..<300).contains(response.status) else {
            throw .fetch("cannot fetch \(url): " + (response?.failure?.description ?? "HTTP \(response?.status ?? 0)"))
        }
        let page = response.effectiveURL
        let host = URL(string: page)?.host ?? page
        if let feed = try? FeedParser().parse(response.body, baseURL: page, httpCharset: response.charset) {
            return [FeedSettings(name: feed.title ?? host, url: page)]
        }
        let found = FeedDiscovery.feeds(inHTML: String(decoding: response.body, as: UTF8.self), pageURL: page)
        guard !found.isEmpty else { throw .none(page) }
        return found.map { FeedSettings(name: $0.title ?? host, url: $0.url) }
    }
}
