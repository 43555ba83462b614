import Foundation

/// The `feedconf/1` JSON shape that `tributary parse --json` prints for the conformance harness.
public enum FeedconfDocument {
    public static func json(_ feed: ParsedFeed) -> Data {
        func value(_ s: String?) -> Any { s ?? NSNull() }
        func date(_ d: Date?) -> Any { d.map(FeedDate.format) ?? NSNull() }
        let entries: [[String: Any]] = feed.items.map { item in
            [
                "id": value(item.id), "link": value(item.link), "title": value(item.title), "author": value(item.author),
                "published": date(item.published), "updated": date(item.updated),
                "summary": value(item.summary), "content": value(item.content),
                "enclosures": item.enclosures.map { e -> [String: Any] in
                    ["url": e.url, "type": value(e.type), "length": e.length.map { $0 as Any } ?? NSNull()]
                },
                "categories": item.categories,
            ]
        }
        let object: [String: Any] = [
            "format": feed.format.rawValue, "title": value(feed.title), "link": value(feed.link),
            "updated": date(feed.updated), "published": date(feed.published), "entries": entries,
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
    }
}
