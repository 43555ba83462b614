import Foundation

/// Renders an output as a JSON Feed 1.1 document.
public enum JSONFeedWriter {
    public static func render(_ document: OutputDocument) -> Data {
        var feed: [String: Any] = [
            "version": "https://jsonfeed.org/version/1.1",
            "title": document.settings.title,
        ]
        if let link = document.settings.link { feed["feed_url"] = link }
        if let hub = document.settings.hub { feed["hubs"] = [["type": "WebSub", "url": hub]] }
        feed["items"] = document.entries.map { output -> [String: Any] in
            let e = output.entry
            var item: [String: Any] = ["id": e.entryID, "date_modified": FeedDate.format(e.updated)]
            item["url"] = URIText.validIRI(output.alternateLink)
            if let title = e.title { item["title"] = title }
            if let html = e.content ?? e.summary { item["content_html"] = html } else { item["content_text"] = "" }
            if let summary = e.summary { item["summary"] = PlainText.fromHTML(summary) }
            if let published = e.published { item["date_published"] = FeedDate.format(published) }
            let sourceName = output.source.name
            item["authors"] = [["name": e.author ?? sourceName]]
            var tags: [String] = []
            for t in output.tags + e.categories where !tags.contains(t) { tags.append(t) }
            if !tags.isEmpty { item["tags"] = tags }
            if !e.enclosures.isEmpty {
                item["attachments"] = e.enclosures.map { enclosure -> [String: Any] in
                    var a: [String: Any] = ["url": enclosure.url, "mime_type": enclosure.type ?? "application/octet-stream"]
                    if let length = enclosure.length { a["size_in_bytes"] = length }
                    return a
                }
            }
            item["_tributary"] = [
                "source": ["title": sourceName, "feed_url": output.source.url],
                "via": output.via.map { ["title": $0.feed.name, "url": $0.link ?? $0.feed.url] },
            ]
            return item
        }
        let data = (try? JSONSerialization.data(withJSONObject: feed, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return data + Data("\n".utf8)
    }
}
