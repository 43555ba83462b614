import Foundation

/// Reduces untrusted feed HTML to a safe subset, resolving relative URLs on the way.
///
/// Readers of the merged feed render this HTML, so anything that can run code or load
/// active content is removed: scripts, styles, frames, plugins, forms, event handlers and
/// non-http(s) URL schemes. Presentation (class, style, id) is dropped too.
public enum HTMLSanitizer {
    static let allowedElements: Set<String> = [
        "a", "abbr", "acronym", "address", "article", "aside", "b", "big", "blockquote", "br",
        "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "dir", "div", "dl",
        "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "i", "img", "ins", "kbd", "li", "menu", "nav", "ol", "p", "pre", "q",
        "s", "samp", "section", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody",
        "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var",
    ]
    /// Removed together with everything inside them. Other disallowed elements lose only their
    /// tags, like feedparser: an unclosed <object> must not swallow the rest of the article.
    /// The media and form elements are dropped whole because their content is not article text.
    static let droppedWithContent: Set<String> = [
        "script", "style", "head", "title", "svg", "math", "video", "audio", "canvas", "map", "form", "select",
        "textarea", "button",
    ]
    /// Void elements removed on their own; anything the parser nested under them is kept.
    static let droppedVoid: Set<String> = ["embed", "frame", "input", "link", "meta", "base", "param", "source", "track", "keygen"]
    static let allowedAttributes: Set<String> = [
        "href", "src", "alt", "title", "colspan", "rowspan", "cite", "datetime", "width", "height", "lang", "dir",
        "abbr", "scope", "start", "type", "reversed", "span",
    ]
    static let urlAttributes: Set<String> = ["href", "src", "cite"]
    static let voidElements: Set<String> = ["br", "hr", "img", "col"]
    static let safeSchemes: Set<String> = ["http", "https", "mailto", "ftp", "tel", "news", "magnet", "irc", "xmpp"]

    /// Sanitizes an HTML fragment; `base` resolves relative `href`/`src`.
    public static func sanitize(_ html: String, base: String?) -> String {
        if !html.containsByte(where: { $0 == 0x3C || $0 == 0x26 }) {
            return escapeText(html)
        }
        guard let nodes = HTMLFragmentReader.parse(html) else { return escapeText(html) }
        return sanitize(nodes: nodes, base: base)
    }

    /// Sanitizes an already parsed tree (XHTML content arrives that way).
    static func sanitize(nodes: [MarkupNode], base: String?) -> String {
        var out = ""
        write(nodes, base: base, into: &out)
        return out
    }

    /// Escapes plain text for inclusion in HTML.
    public static func escapeText(_ text: String) -> String {
        escape(text, quotes: false)
    }

    static func escapeAttribute(_ text: String) -> String {
        escape(text, quotes: true)
    }

    /// Byte-level escaping: the markup characters are ASCII, so UTF-8 passes through untouched.
    private static func escape(_ text: String, quotes: Bool) -> String {
        let utf8 = text.utf8
        guard text.containsByte(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || (quotes && $0 == 0x22) }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 32)
        var copy = text
        copy.withUTF8 { bytes in
        for byte in bytes {
            switch byte {
            case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B]) // &amp;
            case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B]) // &lt;
            case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B]) // &gt;
            case 0x22 where quotes: out.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B]) // &quot;
            default: out.append(byte)
            }
        }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a URL may appear in output: relative, or with a scheme known to be inert.
    static func isSafeURL(_ url: String) -> Bool {
        // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
        var scheme: [UInt8] = []
        for byte in url.utf8 {
            if byte <= 0x20 { continue }
            if byte == 0x3A { break } // ':'
            if byte == 0x2F || byte == 0x3F || byte == 0x23 { return true } // a path, query or fragment first: relative
            scheme.append(byte | (byte >= 0x41 && byte <= 0x5A ? 0x20 : 0))
            if scheme.count > 32 { return true }
        }
        guard url.utf8.contains(0x3A) else { return true }
        return safeSchemes.contains(String(decoding: scheme, as: UTF8.self))
    }

    private static func write(_ nodes: [MarkupNode], base: String?, into out: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                out += escapeText(text)
            case .element(let element):
                let name = element.name // libxml2's HTML parser lower-cases names
                if droppedWithContent.contains(name) { continue }
                guard allowedElements.contains(name), !droppedVoid.contains(name) else {
                    write(element.children, base: base, into: &out)
                    continue
                }
                out += "<" + name
                var seen: Set<String> = []
                for attribute in element.attributes where attribute.namespace == nil {
                    let attributeName = attribute.name
                    guard allowedAttributes.contains(attributeName), seen.insert(attributeName).inserted else { continue }
                    var value = attribute.value
                    if urlAttributes.contains(attributeName) {
                        value = value.trimmed
                        guard isSafeURL(value) else { continue }
                        value = URIResolver.resolve(value, against: base)
                    }
                    out += " \(attributeName)=\"\(escapeAttribute(value))\""
                }
                if voidElements.contains(name) {
                    out += " />"
                } else {
                    out += ">"
                    write(element.children, base: base, into: &out)
                    out += "</\(name)>"
                }
            }
        }
    }
}

/// Turns feed text (possibly HTML) into plain, whitespace-collapsed text.
public enum PlainText {
    /// Strips tags and decodes references when the text looks like HTML, then collapses whitespace.
    public static func fromHTML(_ text: String) -> String {
        guard text.containsByte(where: { $0 == 0x3C || $0 == 0x26 }),
              let nodes = HTMLFragmentReader.parse(text) else {
            return collapse(text)
        }
        var out = ""
        collect(nodes, into: &out)
        return collapse(out)
    }

    private static func collect(_ nodes: [MarkupNode], into out: inout String) {
        for node in nodes {
            switch node {
            case .text(let t): out += t
            case .element(let e):
                if e.name == "script" || e.name == "style" { continue }
                if e.name == "br" || e.name == "p" || e.name == "div" || e.name == "li" { out += " " }
                collect(e.children, into: &out)
            }
        }
    }

    /// Collapses every run of Unicode whitespace (U+00A0 included) to one space, and trims.
    public static func collapse(_ text: String) -> String {
        // ASCII needs no Unicode property lookups.
        var copy = text
        if let ascii = copy.withUTF8({ bytes -> String? in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            for b in bytes {
                if b >= 0x80 { return nil }
                if b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F) {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(0x20); pendingSpace = false }
                    out.append(b)
                }
            }
            return out.count == bytes.count ? text : String(decoding: out, as: UTF8.self)
        }) {
            return ascii
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.isFeedWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out += " "; pendingSpace = false }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    /// Whether any UTF-8 byte satisfies `predicate`; scans contiguous storage, which the
    /// generic `utf8.contains(where:)` does not.
    func containsByte(where predicate: (UInt8) -> Bool) -> Bool {
        var copy = self
        return copy.withUTF8 { $0.contains(where: predicate) }
    }
}

extension Unicode.Scalar {
    /// Unicode White_Space plus the separators U+001C–U+001F, as Python's `str.split()` sees them.
    /// A switch: the Unicode property lookup dominated profiles of whitespace collapsing.
    var isFeedWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
