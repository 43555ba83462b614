import Foundation

/// Maps RSS 1.0 and RSS 0.90 (RDF) documents onto `ParsedFeed`.
enum RDFAdapter {
    static func parse(_ root: MarkupElement) -> ParsedFeed {
        let namespaces = Set(root.elements.compactMap(\.namespace))
        let format: FeedFormat = namespaces.contains(Namespaces.rss090) && !namespaces.contains(Namespaces.rss10)
            ? .rss09x : .rss10
        let channel = root.child("channel")
        var feed = channel.map { RSSAdapter.channelFields($0, format: format) } ?? ParsedFeed(format: format)
        // RDF lists items beside the channel, not inside it; some producers nest them anyway.
        var items = root.elements.filter { $0.key == "item" }
        if let channel { items += channel.elements.filter { $0.key == "item" } }
        feed.items = RSSAdapter.flattened(items).map { element in
            var item = RSSAdapter.item(element)
            if item.id == nil, let about = element.attributes.first(where: { $0.name == "about" })?.value.trimmed,
               !about.isEmpty {
                item.id = about
            }
            return item
        }
        return feed
    }
}
