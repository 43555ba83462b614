import Foundation

/// A feed an HTML page advertises with `<link rel="alternate">`.
public struct DiscoveredFeed: Sendable, Equatable {
    public var url: String
    public var title: String?
    public var type: String
}

/// Finds the feeds a web page links to, the way browsers and readers do.
public enum FeedDiscovery {
    static let feedTypes: Set<String> = [
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
        "application/rdf+xml", "application/xml", "text/xml",
    ]

    /// The advertised feeds, resolved against `pageURL` (or the page's `<base href>`), in page order.
    public static func feeds(inHTML html: String, pageURL: String) -> [DiscoveredFeed] {
        var source = html
        guard let root = source.withUTF8({ HTMLDocumentReader.parse(UnsafeRawBufferPointer($0), encoding: "UTF-8") }) else { return [] }
        var base = pageURL
        var found: [DiscoveredFeed] = []
        var pageTitle: String?
        func walk(_ element: MarkupElement) {
            for child in element.elements {
                switch child.name {
                case "base":
                    if let href = child.attribute("href"), !href.isBlank { base = URIResolver.resolve(href.trimmed, against: pageURL) }
                case "title":
                    if pageTitle == nil { pageTitle = PlainText.collapse(child.text) }
                case "link":
                    let rels = (child.attribute("rel") ?? "").lowercased().split(separator: " ")
                    let type = (child.attribute("type") ?? "").trimmed.lowercased()
                    guard rels.contains("alternate"), feedTypes.contains(type),
                          let href = child.attribute("href")?.trimmed, !href.isEmpty else { break }
                    let url = URIResolver.resolve(href, against: base)
                    guard !found.contains(where: { $0.url == url }) else { break }
                    let title = child.attribute("title").map(PlainText.collapse)
                    found.append(DiscoveredFeed(url: url, title: title?.isEmpty == false ? title : nil, type: type))
                default:
                    walk(child)
                }
            }
        }
        walk(root)
        return found.map { feed in
            var feed = feed
            if feed.title == nil { feed.title = pageTitle }
            return feed
        }
    }
}
