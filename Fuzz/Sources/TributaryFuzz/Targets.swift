import Foundation
@testable import Tributary

/// Any bytes as a feed: a feed or an error, never a crash, hang or leak; and what the store and the
/// outputs compute from every item.
func fuzzFeedParser(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let feed = try? FeedParser().parse(Data(buffer: bytes), baseURL: "https://fuzz.example/feed") else { return }
    for item in feed.items {
        _ = ContentFingerprint.of(title: item.title, text: item.summary ?? item.content, date: item.published)
        _ = (item.canonicalLink ?? item.link).flatMap(CanonicalURL.key)
    }
}

/// Any text as an item body: sanitizing never crashes, and whenever the one-pass fast path takes a
/// fragment, its result is exactly libxml2's (the guarantee the fast path is built on).
func fuzzHTMLSanitizer(_ bytes: UnsafeBufferPointer<UInt8>) {
    let html = String(decoding: bytes, as: UTF8.self)
    let base = "https://fuzz.example/a/"
    var sanitized = HTMLSanitizer.sanitize(html, base: base)
    var copy = html
    if let fast = copy.withUTF8({ WellNestedFragment.sanitize($0, base: base) }) {
        let reference = HTMLSanitizer.sanitizeWithLibXML(html, base: base)
        if fast != reference {
            fatalError("fast path differs from libxml2:\n input: \(html.debugDescription)\n fast: \(fast.debugDescription)\n libxml2: \(reference.debugDescription)")
        }
    }
    _ = sanitized.withUTF8 { WellNestedFragment.text($0) }
    _ = PlainText.fromHTML(html)
}

/// Any text as `feeds.toml`: a configuration or a located error; every accepted value usable by the
/// scheduler and the fetcher without overflow.
func fuzzConfig(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let text = String(validating: bytes, as: UTF8.self),
          let config = try? ConfigLoader().parse(text: text, path: "feeds.toml", absolutePath: "/srv/fuzz/feeds.toml") else { return }
    let planner = PollPlanner(poll: config.poll)
    for feed in config.feeds {
        _ = planner.nextAfterFailure(feed: feed, failures: 30, now: Date())
        _ = planner.nextAfterSuccess(feed: feed, now: Date(), hint: nil)
        _ = DurationText.format(planner.interval(for: feed))
    }
    _ = Int(config.poll.timeout * 1000)
    _ = FeedTableWriter.toml(config.feeds)
}

/// Any bytes as an OPML subscription list: feeds or an error, and what is read writes back out.
func fuzzOPML(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let feeds = try? OPML.feeds(from: Data(buffer: bytes)) else { return }
    _ = OPML.document(feeds: feeds, title: "fuzz")
    _ = FeedTableWriter.toml(feeds)
}

/// Any request line and headers: the server's rules answer 200 or 304 only for a published path and a
/// method that reads, 404 or 405 otherwise, and a 304 never carries a body.
func fuzzServeRequest(_ bytes: UnsafeBufferPointer<UInt8>) {
    let fields = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
    func field(_ i: Int) -> String? { i < fields.count ? fields[i] : nil }
    let request = ServeRequest(method: field(0) ?? "GET", path: field(1) ?? "/", ifNoneMatch: field(2),
                               ifModifiedSince: field(3), acceptEncoding: field(4))
    let response = ServeDecision.respond(to: request, site: fuzzSite)
    let published = fuzzSite.document(at: request.path) != nil
    switch response.status {
    case 200, 304: precondition(published && (request.method == "GET" || request.method == "HEAD"), "served \(request.path)")
    case 404: precondition(!published, "404 for a published path")
    case 405: precondition(request.method != "GET" && request.method != "HEAD")
    default: preconditionFailure("status \(response.status)")
    }
    if response.status == 304 { precondition(response.body.isEmpty) }
}

let fuzzSite: SiteSnapshot = {
    var site = SiteSnapshot()
    let body = Data(String(repeating: "<entry>fuzz</entry>", count: 50).utf8)
    site.replace(group: "/merged.atom", with: ["/merged.atom": ServedDocument(contentType: "application/atom+xml; charset=utf-8", body: body,
                                                                              maxAge: 60, now: Date(timeIntervalSince1970: 1_700_000_000))])
    site.rootPath = "/merged.atom"
    return site
}()

/// Any bytes as a TZif file: a zone or nil, never a crash; any zone answers for any instant.
func fuzzZoneTable(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let zone = ZoneTable.parse(Array(bytes)) else { return }
    for t in [-1e10, 0, 1.7e9, 4e9] { _ = zone.describe(Date(timeIntervalSince1970: t)) }
}
