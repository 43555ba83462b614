import Foundation

/// Detects a document's format by its content and hands it to that format's adapter.
///
/// The parser never fetches anything: it sees bytes, an optional base URL (where the bytes
/// came from) and an optional HTTP charset.
public struct FeedParser: Sendable {
    public init() {}

    public func parse(_ data: Data, baseURL: String? = nil, httpCharset: String? = nil) throws(FeedParseError) -> ParsedFeed {
        try data.withUnsafeBytes { raw in Self.parse(bytes: raw, baseURL: baseURL, httpCharset: httpCharset) }.get()
    }

    private static func parse(bytes raw: UnsafeRawBufferPointer, baseURL: String?, httpCharset: String?) -> Result<ParsedFeed, FeedParseError> {
        do throws(FeedParseError) {
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
                return .success(try JSONFeedAdapter.parse(Data(bytes), base: baseURL))
            }
            if let utf8 = Self.decodeUTF32(bytes) {
                // libxml2 has no UTF-32 decoder of its own here; hand it UTF-8 and say so.
                return utf8.withUnsafeBytes { b in
                    Result { () throws(FeedParseError) in try Self.parseXML(b, encoding: "UTF-8", repair: false, base: baseURL) }
                }
            }
            let declared = XMLDocumentReader.declaredEncoding(bytes)?.lowercased()
            let encoding = Self.encodingOverride(bytes, declared: declared, httpCharset: httpCharset)
            let isUTF8 = encoding == nil && (declared == nil || declared == "utf-8" || declared == "utf8")
                && !(bytes.count >= 2 && (bytes[0] == 0xFE || bytes[0] == 0xFF || bytes[0] == 0 || bytes[1] == 0))
            let first = Result { () throws(FeedParseError) in try Self.parseXML(bytes, encoding: encoding, repair: isUTF8, base: baseURL) }
            if case .success(let feed) = first, feed.format != .unknown { return first }
            if encoding == nil, declared != nil, !isUTF8 {
                // An encoding libxml2 does not know: fall back the way feedparser does.
                let fallback = String(validating: bytes, as: UTF8.self) != nil ? "UTF-8" : "windows-1252"
                let second = Result { () throws(FeedParseError) in try Self.parseXML(bytes, encoding: fallback, repair: false, base: baseURL) }
                if case .success(let feed) = second, feed.format != .unknown { return second }
            }
            return first
        } catch {
            return .failure(error)
        }
    }

    static func parseXML(_ bytes: UnsafeRawBufferPointer, encoding: String?, repair: Bool, base: String?) throws(FeedParseError) -> ParsedFeed {
        // Entity repair only ever changes what makes a document without a DTD ill-formed, so a document
        // that parses as well-formed as it is needs no repair pass (with a DTD, undeclared entities are
        // no error to libxml2, and the repair must run first).
        var triedAsIs = false
        if !EntityRepair.hasDocumentType(bytes) {
            if case .some(.some(let root)) = XMLDocumentReader.parseStreaming(bytes, encoding: encoding, base: base, repairMojibake: repair) {
                return adapt(root)
            }
            triedAsIs = true
        }
        let repaired = EntityRepair.repair(bytes)
        let parsedRoot = if let repaired {
            repaired.withUnsafeBytes { XMLDocumentReader.parse($0, encoding: encoding, base: base, repairMojibake: repair) }
        } else if triedAsIs {
            XMLDocumentReader.parseTree(bytes, encoding: encoding, base: base, repairMojibake: repair)
        } else {
            XMLDocumentReader.parse(bytes, encoding: encoding, base: base, repairMojibake: repair)
        }
        guard let root = parsedRoot else { throw .malformed("no XML document could be recovered") }
        return adapt(root)
    }

    /// Strict UTF-8 validation without building a String (documents run to megabytes).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i = ByteScan.firstNonASCII(in: bytes, from: i); continue }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(b & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(b & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(b & 0x07)
            default: return false
            }
            guard i + length <= n else { return false }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            i += length
        }
        return true
    }

    /// UTF-8 bytes for a UTF-32 document (by BOM or by the `<` pattern), else nil.
    static func decodeUTF32(_ bytes: UnsafeRawBufferPointer) -> Data? {
        guard bytes.count >= 4 else { return nil }
        let head = (bytes[0], bytes[1], bytes[2], bytes[3])
        let encoding: String.Encoding
        switch head {
        case (0, 0, 0xFE, 0xFF), (0, 0, 0, 0x3C): encoding = .utf32BigEndian
        case (0xFF, 0xFE, 0, 0), (0x3C, 0, 0, 0): encoding = .utf32LittleEndian
        default: return nil
        }
        var data = Data(bytes)
        if head == (0, 0, 0xFE, 0xFF) || head == (0xFF, 0xFE, 0, 0) { data = data.dropFirst(4) }
        guard let text = String(data: data, encoding: encoding) else { return nil }
        return Data(text.utf8)
    }

    /// Chooses the encoding libxml2 should use when the document's own signals are missing or wrong;
    /// `declared` is the XML declaration's encoding, lower-cased.
    static func encodingOverride(_ bytes: UnsafeRawBufferPointer, declared: String?, httpCharset: String?) -> String? {
        if bytes.count >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)) { return nil }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return nil }
        if bytes.count >= 2 && (bytes[0] == 0 || bytes[1] == 0) { return nil } // UTF-16/32 without BOM: libxml2 sniffs it
        if let declared, declared != "utf-8" && declared != "utf8" {
            // GB2312 feeds routinely contain GBK/GB18030 characters.
            if declared == "gb2312" || declared == "gbk" { return "GB18030" }
            return nil
        }
        let validUTF8 = Self.isValidUTF8(bytes)
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
        atom10: "atom", atom03: "atom", "http://purl.org/echo/": "atom", "http://purl.org/pie/": "atom", rss10: "", rss090: "", "http://backend.userland.com/rss2": "",
        "http://blogs.law.harvard.edu/tech/rss": "", "http://backend.userland.com/rss": "",
        rdf: "rdf", "http://purl.org/dc/elements/1.1/": "dc", "http://purl.org/dc/terms/": "dcterms",
        "http://purl.org/rss/1.0/modules/content/": "content", "http://www.w3.org/1999/xhtml": "xhtml",
        "http://purl.org/rss/1.0/modules/syndication/": "sy", "http://search.yahoo.com/mrss/": "media",
        "http://search.yahoo.com/mrss": "media", "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
        "http://rssnamespace.org/feedburner/ext/1.0": "feedburner",
    ]
}

extension MarkupElement {
    /// `prefix:local` with the canonical prefix, lower-cased; plain `local` for the format's own elements.
    static func key(name: String, namespace: String?, prefix: String?) -> String {
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

    /// Text, or HTML source when the element holds naked tags.
    var markup: String {
        guard children.contains(where: { if case .element = $0 { return true } else { return false } }) else { return text }
        var source = ""
        appendMarkup(to: &source)
        return source
    }

    /// The children as HTML source: elements as tags; text as it was decoded from the XML (naked
    /// markup in RSS, where feedparser reads it as HTML), or escaped again (true XHTML).
    func appendMarkup(to out: inout String, escapingText: Bool = false) {
        for child in children {
            switch child {
            case .text(let t): out += escapingText ? HTMLSanitizer.escapeText(t) : t
            case .utf8(let bytes):
                let t = String(decoding: bytes, as: UTF8.self)
                out += escapingText ? HTMLSanitizer.escapeText(t) : t
            case .element(let e):
                out += "<" + e.name
                for attribute in e.attributes where attribute.namespace == nil {
                    out += " \(attribute.name)=\"\(HTMLSanitizer.escapeAttribute(attribute.value))\""
                }
                out += ">"
                e.appendMarkup(to: &out, escapingText: escapingText)
                out += "</\(e.name)>"
            }
        }
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
        // Most authors are a plain name: no need for the character-level searches below.
        guard text.utf8.contains(where: { $0 == 0x28 || $0 == 0x3C }) else { return text }
        // The delimiters are ASCII: search the UTF-8 view, whose indices slice the string as well.
        let utf8 = text.utf8
        if let open = utf8.firstIndex(of: 0x28), let close = utf8.lastIndex(of: 0x29), open < close {
            let inside = text[utf8.index(after: open)..<close].trimmed
            let outside = text[..<open].trimmed
            // "me@x.org (Jane Doe)" names her inside; "Jane Doe (me@x.org)" outside.
            if inside.utf8.contains(0x40) && !outside.isEmpty && !outside.utf8.contains(0x40) { return outside }
            if !inside.isEmpty { return inside }
        }
        if let lt = utf8.firstIndex(of: 0x3C), utf8.last == 0x3E {
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
        let t = PlainText.fromHTML(element.markup)
        return t.isEmpty ? nil : t
    }

    static func date(_ element: MarkupElement) -> Date? {
        FeedDate.parse(element.text)
    }

    /// XHTML content (Atom `type="xhtml"`, `xhtml:body`) as sanitized HTML. Text inside counts as
    /// HTML source, as feedparser reads it.
    static func xhtml(_ element: MarkupElement) -> String? {
        var source = ""
        unwrapped(element).appendMarkup(to: &source, escapingText: true)
        return html(source, base: element.base)
    }

    /// Atom wraps XHTML content in one <div> that is not part of the content.
    static func unwrapped(_ element: MarkupElement) -> MarkupElement {
        let elements = element.elements
        let onlyWhitespaceText = element.children.allSatisfy {
            switch $0 {
            case .text(let t): return t.isBlank
            case .utf8(let bytes): return String(decoding: bytes, as: UTF8.self).isBlank
            case .element: return true
            }
        }
        if elements.count == 1, onlyWhitespaceText, elements[0].name.lowercased() == "div" { return elements[0] }
        return element
    }

    static func html(_ text: String, base: String?) -> String? {
        guard !text.isBlank else { return nil }
        return HTMLSanitizer.sanitize(text, base: base)
    }

    /// `html(_:base:)` for text held as UTF-8 bytes (long bodies), made a String only once sanitized.
    static func html(utf8 bytes: UnsafeBufferPointer<UInt8>, base: String?) -> String? {
        // Blank as `isBlank` sees it: leading ASCII whitespace is skipped here, anything else decoded.
        guard let first = bytes.firstIndex(where: { !($0 >= 0x09 && $0 <= 0x0D) && !($0 >= 0x1C && $0 <= 0x20) }) else { return nil }
        if bytes[first] >= 0x80, String(decoding: bytes, as: UTF8.self).isBlank { return nil }
        return HTMLSanitizer.sanitize(utf8: bytes, base: base)
    }

    /// An element holding HTML: escaped text as usual, or markup written straight into the XML.
    static func html(_ element: MarkupElement) -> String? {
        if element.children.contains(where: { if case .element = $0 { return true } else { return false } }) {
            // Like feedparser: the text around naked tags is HTML source too, not literal text.
            var source = ""
            unwrapped(element).appendMarkup(to: &source)
            return html(source, base: element.base)
        }
        if element.children.count == 1, case .utf8(let bytes) = element.children[0] {
            // A long body: sanitized from its bytes, made a String once.
            return bytes.withUnsafeBufferPointer { html(utf8: $0, base: element.base) }
        }
        return html(element.text, base: element.base)
    }
}
