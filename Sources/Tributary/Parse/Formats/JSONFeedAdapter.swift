import Foundation

/// Maps JSON Feed 1.0 and 1.1 documents onto `ParsedFeed`.
enum JSONFeedAdapter {
    static func parse(_ data: Data, base: String?) throws(FeedParseError) -> ParsedFeed {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .malformed("invalid JSON")
        }
        guard let root = object as? [String: Any] else { throw .notAFeed("JSON without an object at the top") }
        let version = root["version"] as? String ?? ""
        guard version.contains("jsonfeed.org") || root["items"] is [Any] else {
            throw .notAFeed("JSON without a JSON Feed version or items")
        }
        let feedBase = (root["feed_url"] as? String).map { URIResolver.resolve($0, against: base) } ?? base
        var feed = ParsedFeed(format: .json)
        feed.title = (root["title"] as? String).map(PlainText.collapse)
        feed.link = (root["home_page_url"] as? String).map { URIResolver.resolve($0.trimmed, against: feedBase) }
        let feedAuthor = author(root)
        for case let entry as [String: Any] in root["items"] as? [Any] ?? [] {
            var item = FeedItem()
            if let id = entry["id"] as? String { item.id = id.isBlank ? nil : id.trimmed }
            else if let id = entry["id"] as? NSNumber { item.id = id.stringValue }
            if let url = entry["url"] as? String, !url.isBlank { item.link = URIResolver.resolve(url.trimmed, against: feedBase) }
            else if let url = entry["external_url"] as? String, !url.isBlank { item.link = URIResolver.resolve(url.trimmed, against: feedBase) }
            if let title = entry["title"] as? String {
                let t = PlainText.fromHTML(title)
                item.title = t.isEmpty ? nil : t
            }
            item.author = author(entry) ?? feedAuthor
            item.published = (entry["date_published"] as? String).flatMap(FeedDate.parse)
            item.updated = (entry["date_modified"] as? String).flatMap(FeedDate.parse)
            if let summary = entry["summary"] as? String, !summary.isBlank {
                item.summary = HTMLSanitizer.escapeText(summary.trimmed)
            }
            if let html = entry["content_html"] as? String {
                item.content = FeedFields.html(html, base: item.link ?? feedBase)
            } else if let text = entry["content_text"] as? String, !text.isBlank {
                item.content = HTMLSanitizer.escapeText(text.trimmed)
            }
            for case let tag as String in entry["tags"] as? [Any] ?? [] where !tag.isBlank {
                if !item.categories.contains(tag.trimmed) { item.categories.append(tag.trimmed) }
            }
            for case let attachment as [String: Any] in entry["attachments"] as? [Any] ?? [] {
                guard let url = attachment["url"] as? String, !url.isBlank else { continue }
                item.enclosures.append(Enclosure(url: URIResolver.resolve(url.trimmed, against: feedBase),
                                                 type: (attachment["mime_type"] as? String)?.lowercased(),
                                                 length: (attachment["size_in_bytes"] as? NSNumber)?.intValue))
            }
            feed.items.append(item)
        }
        return feed
    }

    /// JSON Feed 1.1 `authors` or 1.0 `author`.
    private static func author(_ object: [String: Any]) -> String? {
        if let authors = object["authors"] as? [[String: Any]], let name = authors.first?["name"] as? String, !name.isBlank {
            return name.trimmed
        }
        if let single = object["author"] as? [String: Any], let name = single["name"] as? String, !name.isBlank {
            return name.trimmed
        }
        return nil
    }
}
