import Foundation

/// Detects a document's format by its content and hands it to that format's adapter.
///
/// The parser never fetches anything: it sees bytes, an optional base URL (where the bytes
/// came from) and an optional HTTP charset.
public struct FeedParser: Sendable {
    public init() {}

    public func parse(_ data: Data, baseURL: String? = nil, httpCharset: String? = nil) throws(FeedParseError) -> ParsedFeed {
        let result: Result<ParsedFeed, FeedParseError> = data.withUnsafeBytes { raw in
            var bytes = raw
            // Leading whitespace before the XML declaration is common and makes libxml2 stumble.
            var skip = 0
            if !(bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) {
                while skip < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[skip]) { skip += 1 }
                bytes = UnsafeRawBufferPointer(rebasing: bytes[skip...])
            }
            guard bytes.count > 0 else { return .failure(.empty) }
            let firstSignificant = bytes.first { ![0xEF, 0xBB, 0xBF, 0x20, 0x09, 0x0A, 0x0D].contains($0) }
            if firstSignificant == UInt8(ascii: "{") {
                return Result { () throws(FeedParseError) in try JSONFeedAdapter.parse(Data(bytes), base: baseURL) }
            }
            let encoding = Self.encodingOverride(bytes, httpCharset: httpCharset)
            let repaired = EntityRepair.repair(bytes)
            let parsedRoot = repaired.map { data in
                data.withUnsafeBytes { XMLDocumentReader.parse($0, encoding: encoding, base: baseURL) }
            } ?? XMLDocumentReader.parse(bytes, encoding: encoding, base: baseURL)
            guard let root = parsedRoot else {
                return .failure(.malformed("no XML document could be recovered"))
            }
            return .success(Self.adapt(root))
        }
        return try result.get()
    }

    /// Chooses the encoding libxml2 should use when the document's own signals are missing or wrong.
    static func encodingOverride(_ bytes: UnsafeRawBufferPointer, httpCharset: String?) -> String? {
        if bytes.count >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)) { return nil }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return nil }
        if bytes.count >= 2 && (bytes[0] == 0 || bytes[1] == 0) { return nil } // UTF-16/32 without BOM: libxml2 sniffs it
        let declared = XMLDocumentReader.declaredEncoding(bytes)?.lowercased()
        if let declared, declared != "utf-8" && declared != "utf8" {
            // GB2312 feeds routinely contain GBK/GB18030 characters.
            if declared == "gb2312" || declared == "gbk" { return "GB18030" }
            return nil
        }
        let validUTF8 = String(validating: bytes, as: UTF8.self) != nil
        if declared == nil, let charset = httpCharset?.lowercased(), charset != "utf-8", charset != "utf8", !validUTF8 || charset != "us-ascii" {
            return charset
        }
        return validUTF8 ? nil : "windows-1252"
    }

    static func adapt(_ root: MarkupElement) -> ParsedFeed {
        switch root.name.lowercased() {
        case "rss": return RSSAdapter.parse(root)
        case "rdf": return RDFAdapter.parse(root)
        case "feed": return AtomAdapter.parse(root)
        default: return ParsedFeed(format: .unknown)
        }
    }
}

/// Canonical prefixes for the namespaces adapters care about; prefixes in documents vary.
enum Namespaces {
    static let atom10 = "http://www.w3.org/2005/Atom"
    static let atom03 = "http://purl.org/atom/ns#"
    static let rss10 = "http://purl.org/rss/1.0/"
    static let rss090 = "http://my.netscape.com/rdf/simple/0.9/"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

    static let prefixes: [String: String] = [
        atom10: "atom", atom03: "atom", rss10: "", rss090: "", "http://backend.userland.com/rss2": "",
        "http://blogs.law.harvard.edu/tech/rss": "", "http://backend.userland.com/rss": "",
        rdf: "rdf", "http://purl.org/dc/elements/1.1/": "dc", "http://purl.org/dc/terms/": "dcterms",
        "http://purl.org/rss/1.0/modules/content/": "content", "http://www.w3.org/1999/xhtml": "xhtml",
        "http://purl.org/rss/1.0/modules/syndication/": "sy", "http://search.yahoo.com/mrss/": "media",
        "http://search.yahoo.com/mrss": "media", "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    ]
}

extension MarkupElement {
    /// `prefix:local` with the canonical prefix, lower-cased; plain `local` for the format's own elements.
    var key: String {
        let local = name.lowercased()
        if let namespace {
            if let p = Namespaces.prefixes[namespace] { return p.isEmpty ? local : "\(p):\(local)" }
            if namespace.hasPrefix("http://purl.org/dc/elements/") { return "dc:\(local)" }
            return "\(prefix ?? "ns"):\(local)"
        }
        if let prefix { return "\(prefix.lowercased()):\(local)" }
        return local
    }

    func child(_ key: String) -> MarkupElement? {
        for case .element(let e) in children where e.key == key { return e }
        return nil
    }

    /// Trimmed text, or nil when empty.
    var value: String? {
        let t = text.trimmed
        return t.isEmpty ? nil : t
    }

    /// Resolves a URL written in this element against its effective base.
    func resolve(_ url: String) -> String {
        URIResolver.resolve(url.trimmed, against: base)
    }
}

/// Mapping rules several XML adapters share.
enum FeedFields {
    /// `me@x.org (Jane Doe)` and `Jane Doe <me@x.org>` give the name; a bare address stays.
    static func rssAuthor(_ raw: String) -> String? {
        let text = PlainText.collapse(raw)
        guard !text.isEmpty else { return nil }
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close {
            let name = text[text.index(after: open)..<close].trimmed
            if !name.isEmpty { return name }
        }
        if let lt = text.firstIndex(of: "<"), text.hasSuffix(">") {
            let name = text[..<lt].trimmed
            if !name.isEmpty { return name }
        }
        return text
    }

    static func enclosure(url: String?, type: String?, length: String?, element: MarkupElement) -> Enclosure? {
        guard let url = url?.trimmed, !url.isEmpty else { return nil }
        let t = type?.trimmed.lowercased()
        return Enclosure(url: element.resolve(url), type: (t?.isEmpty ?? true) ? nil : t,
                         length: length.flatMap { Int($0.trimmed) })
    }

    /// Plain text of a title-like element that may carry HTML.
    static func plain(_ element: MarkupElement) -> String? {
        let t = PlainText.fromHTML(element.text)
        return t.isEmpty ? nil : t
    }

    static func date(_ element: MarkupElement) -> Date? {
        FeedDate.parse(element.text)
    }

    /// Serialises XHTML child nodes (Atom `type="xhtml"`, `xhtml:body`) and sanitizes them.
    static func xhtml(_ nodes: [MarkupNode], base: String?) -> String? {
        var nodes = nodes
        // Atom 1.0 wraps XHTML content in one <div> that is not part of the content.
        let elements = nodes.compactMap { if case .element(let e) = $0 { return e } else { return nil } }
        let onlyWhitespaceText = nodes.allSatisfy { if case .text(let t) = $0 { return t.trimmed.isEmpty } else { return true } }
        if elements.count == 1, onlyWhitespaceText, elements[0].name.lowercased() == "div" {
            nodes = elements[0].children
        }
        let html = HTMLSanitizer.sanitize(nodes: nodes, base: base)
        return html.trimmed.isEmpty ? nil : html
    }

    static func html(_ text: String, base: String?) -> String? {
        guard !text.trimmed.isEmpty else { return nil }
        return HTMLSanitizer.sanitize(text, base: base)
    }
}
