import Foundation

/// Maps RSS 0.9x and 2.0 documents onto `ParsedFeed`.
enum RSSAdapter {
    static func parse(_ root: MarkupElement) -> ParsedFeed {
        let version = root.attribute("version")?.trimmed ?? ""
        let format: FeedFormat
        if ["0.91", "0.92", "0.93", "0.94"].contains(version) {
            format = .rss09x
        } else if version.hasPrefix("2.") || version == "2" {
            format = .rss20
        } else {
            format = .rss
        }
        let channel = root.child("channel") ?? root
        var feed = channelFields(channel, format: format)
        var items = channel.elements.filter { $0.key == "item" }
        if channel !== root { items += root.elements.filter { $0.key == "item" } }
        feed.items = flattened(items).map(item)
        return feed
    }

    /// Items with the items a recovering parser nested inside them (an `<item>` that never closed holds
    /// the ones after it), in document order.
    static func flattened(_ items: [MarkupElement]) -> [MarkupElement] {
        var result: [MarkupElement] = []
        var stack = Array(items.reversed())
        while let element = stack.popLast() {
            result.append(element)
            stack.append(contentsOf: element.elements.filter { $0.key == "item" }.reversed())
        }
        return result
    }

    /// Feed-level fields shared by RSS 2.0 and RDF channels.
    static func channelFields(_ channel: MarkupElement, format: FeedFormat) -> ParsedFeed {
        var feed = ParsedFeed(format: format)
        var refresh: TimeInterval?
        var period: TimeInterval = 86400
        var frequency: Double = 1
        for element in channel.elements {
            switch element.key {
            case "title", "dc:title":
                if feed.title == nil { feed.title = FeedFields.plain(element) }
            case "link":
                if let v = element.value { feed.link = element.resolve(v) }
            case "lastbuilddate", "dc:date", "dcterms:modified":
                feed.updated = FeedFields.date(element) ?? feed.updated
            case "pubdate", "dcterms:issued":
                feed.published = FeedFields.date(element) ?? feed.published
            case "ttl":
                if let minutes = element.value.flatMap(Double.init), minutes > 0 { refresh = minutes * 60 }
            case "sy:updateperiod":
                let periods: [String: TimeInterval] = ["hourly": 3600, "daily": 86400, "weekly": 604800,
                                                       "monthly": 2_592_000, "yearly": 31_536_000]
                period = periods[element.value?.lowercased() ?? ""] ?? period
                refresh = max(refresh ?? 0, period / frequency)
            case "sy:updatefrequency":
                if let f = element.value.flatMap(Double.init), f > 0 { frequency = f; refresh = max(refresh ?? 0, period / f) }
            default:
                break
            }
        }
        feed.refreshHint = refresh
        return feed
    }

    /// Maps one `<item>`; RDF items come through here too.
    static func item(_ element: MarkupElement) -> FeedItem {
        var item = FeedItem()
        var summary: MarkupElement?
        for child in element.elements {
            switch child.key {
            case "guid":
                if let v = child.value {
                    item.id = v
                    // A guid is a permalink unless it says otherwise; a bare token ("12345") is no address.
                    let permaLink = child.attribute("isPermaLink")?.trimmed.lowercased() ?? "true"
                    if permaLink == "true", v.contains("/") || v.contains(":") { item.permalink = URIText.webAddress(child.resolve(v)) }
                }
            case "link":
                if let v = child.value { item.link = child.resolve(v) }
            case "atom:link":
                let rel = child.attribute("rel")?.trimmed ?? "alternate"
                if rel == "alternate", item.link == nil, let href = child.attribute("href"), !href.trimmed.isEmpty {
                    item.link = child.resolve(href)
                } else if rel == "canonical", let href = child.attribute("href"), !href.trimmed.isEmpty {
                    item.canonicalLink = child.resolve(href)
                }
            case "feedburner:origlink":
                if let v = child.value { item.canonicalLink = child.resolve(v) }
            case "title", "dc:title":
                if item.title == nil { item.title = FeedFields.plain(child) }
            case "author", "dc:creator", "dc:author":
                // Some feeds write an Atom-style person here: its name, not all its parts run together.
                if item.author == nil {
                    let name = child.elements.first { $0.name.lowercased() == "name" }
                    item.author = name.flatMap(\.value) ?? FeedFields.rssAuthor(child.text)
                }
            case "atom:author":
                if item.author == nil { item.author = (child.child("atom:name") ?? child.child("atom:email"))?.value }
            case "pubdate", "dcterms:issued":
                item.published = FeedFields.date(child) ?? item.published
            case "dc:date", "dcterms:modified", "atom:updated", "modified", "atom:modified":
                item.updated = FeedFields.date(child) ?? item.updated
            case "description", "dc:description":
                if summary == nil || child.value != nil { summary = child }
            case "content:encoded":
                if let html = FeedFields.html(child) { item.content = html }
            case "xhtml:body":
                item.content = FeedFields.xhtml(child)
            case "enclosure":
                if let enclosure = FeedFields.enclosure(url: child.attribute("url"), type: child.attribute("type"),
                                                        length: child.attribute("length"), element: child) {
                    item.enclosures.append(enclosure)
                }
            case "category", "dc:subject":
                if let c = FeedFields.plain(child), !item.categories.contains(c) { item.categories.append(c) }
            case "categories":
                for category in child.elements where category.key == "category" {
                    if let c = FeedFields.plain(category), !item.categories.contains(c) { item.categories.append(c) }
                }
            default:
                break
            }
        }
        if let summary { item.summary = FeedFields.html(summary) }
        return item
    }
}
