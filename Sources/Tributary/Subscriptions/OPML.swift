import Foundation

/// Reads and writes OPML, the subscription list format every feed reader imports and exports.
public enum OPML {
    /// Feeds listed in an OPML document; folder titles and `category` entries become tags.
    public static func feeds(from data: Data) throws(ConfigError) -> [FeedSettings] {
        let root = data.withUnsafeBytes { XMLDocumentReader.parse($0, encoding: nil, base: nil) }
        guard let root, root.name.lowercased() == "opml" else {
            throw ConfigError(path: "OPML", message: "not an OPML document (no <opml> root element)")
        }
        var feeds: [FeedSettings] = []
        var seen: Set<String> = []
        func walk(_ element: MarkupElement, folders: [String]) {
            for outline in element.elements where outline.name.lowercased() == "outline" {
                let title = (outline.attribute("title") ?? outline.attribute("text")).map(PlainText.collapse)
                if let url = outline.attribute("xmlUrl")?.trimmed, !url.isEmpty {
                    var tags: [String] = []
                    let categories = (outline.attribute("category") ?? "").split(separator: ",")
                        .flatMap { $0.split(separator: "/") }.map { $0.trimmed }
                    for tag in folders + categories where !tag.isEmpty && !tags.contains(tag) { tags.append(tag) }
                    if seen.insert(url).inserted {
                        let name = title.flatMap { $0.isEmpty ? nil : $0 } ?? URL(string: url)?.host ?? url
                        feeds.append(FeedSettings(name: name, url: url, interval: nil, tags: tags, userAgent: nil))
                    }
                    walk(outline, folders: folders)
                } else {
                    walk(outline, folders: folders + [title ?? ""].filter { !$0.isEmpty })
                }
            }
        }
        for body in root.elements where body.name.lowercased() == "body" { walk(body, folders: []) }
        return feeds
    }

    /// An OPML 2.0 document listing `feeds`, tags in each outline's `category`.
    public static func document(feeds: [FeedSettings], title: String, created: Date = Date()) -> String {
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n"
        x += "    <title>\(XMLText.escape(title))</title>\n"
        x += "    <dateCreated>\(HTTPDate.format(created))</dateCreated>\n  </head>\n  <body>\n"
        for feed in feeds {
            x += "    <outline type=\"rss\" text=\"\(XMLText.escape(feed.name, attribute: true))\" title=\"\(XMLText.escape(feed.name, attribute: true))\" xmlUrl=\"\(XMLText.escape(feed.url, attribute: true))\""
            if !feed.tags.isEmpty {
                x += " category=\"\(XMLText.escape(feed.tags.joined(separator: ","), attribute: true))\""
            }
            x += "/>\n"
        }
        return x + "  </body>\n</opml>\n"
    }
}

