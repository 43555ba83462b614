import Foundation

/// The one place that decides which format a document is: JSON by its first significant byte, XML
/// formats by the root element. The parser reports anything else as `FeedParseError.notAFeed`.
enum FormatDetector {
    enum Syntax { case json, xml }

    /// JSON when the first byte after a BOM and whitespace is `{`; everything else goes to the XML reader.
    static func syntax(of bytes: UnsafeRawBufferPointer) -> Syntax {
        let first = bytes.first { ![0xEF, 0xBB, 0xBF, 0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return first == UInt8(ascii: "{") ? .json : .xml
    }

    /// The adapter for an XML feed element, or nil when it is not one.
    static func adapter(for element: MarkupElement) -> ((MarkupElement) -> ParsedFeed)? {
        switch element.name.lowercased() {
        case "rss": return RSSAdapter.parse
        case "rdf": return RDFAdapter.parse
        case "feed": return AtomAdapter.parse
        default: return nil
        }
    }

    /// The document's feed, read by its adapter: the root element, or a feed element inside an XHTML
    /// page (`<html><body><feed xmlns=…>`, as some servers wrap a feed for browsers). Nil: not a feed.
    static func adapt(_ root: MarkupElement) -> ParsedFeed? {
        if let adapter = adapter(for: root) { return adapter(root) }
        guard root.name.lowercased() == "html" else { return nil }
        var level = root.elements
        for _ in 0..<4 {
            if let feed = level.first(where: { adapter(for: $0) != nil }), let adapter = adapter(for: feed) { return adapter(feed) }
            level = level.flatMap(\.elements)
        }
        return nil
    }
}
