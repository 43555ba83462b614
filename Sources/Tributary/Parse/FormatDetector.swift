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

    /// The adapter for an XML document's root element, or nil when it is not a feed.
    static func adapter(forRoot root: MarkupElement) -> ((MarkupElement) -> ParsedFeed)? {
        switch root.name.lowercased() {
        case "rss": return RSSAdapter.parse
        case "rdf": return RDFAdapter.parse
        case "feed": return AtomAdapter.parse
        default: return nil
        }
    }
}
