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
        var source = html
        return source.withUTF8 { sanitizeMarkup($0, base: base) } ?? escapeText(html)
    }

    /// Sanitizes a fragment given as UTF-8 (valid, as libxml2 hands text over).
    static func sanitize(utf8 bytes: UnsafeBufferPointer<UInt8>, base: String?) -> String {
        sanitizeMarkup(bytes, base: base) ?? escapeText(String(decoding: bytes, as: UTF8.self))
    }

    /// Sanitized HTML for a fragment that holds markup or references; nil when it holds neither, and is
    /// just text to escape. Well-nested fragments take `WellNestedFragment`, the rest libxml2.
    private static func sanitizeMarkup(_ bytes: UnsafeBufferPointer<UInt8>, base: String?) -> String? {
        guard ByteScan.firstIndex(of: 0x3C, or: 0x26, in: UnsafeRawBufferPointer(bytes), from: 0) < bytes.count else { return nil }
        return WellNestedFragment.sanitize(bytes, base: base) ?? sanitizeWithLibXML(String(decoding: bytes, as: UTF8.self), base: base)
    }

    /// The general path: libxml2's HTML parser, for fragments `WellNestedFragment` does not take.
    static func sanitizeWithLibXML(_ html: String, base: String?) -> String {
        let sink = SanitizingSink(base: base)
        guard HTMLFragmentStream.parse(html, into: sink) else { return escapeText(html) }
        return String(decoding: sink.out, as: UTF8.self)
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
        guard text.containsByte(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || (quotes && $0 == 0x22) }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        var copy = text
        copy.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), quotes: quotes, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `bytes` with `&`, `<`, `>` (and `"` when `quotes`) escaped.
    static func appendEscaped<Sink: ByteSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, quotes: Bool, to out: inout Sink) {
        guard bytes.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || (quotes && $0 == 0x22) }) else {
            out.append(bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0x26: out.append("&amp;")
            case 0x3C: out.append("&lt;")
            case 0x3E: out.append("&gt;")
            case 0x22 where quotes: out.append("&quot;")
            default: out.append(byte)
            }
        }
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

}

/// Writes the safe subset of an HTML event stream as it arrives.
private final class SanitizingSink: MarkupEventSink {
    private enum Open {
        case wrapper, kept(name: String, void: Bool), unwrapped, dropped
    }
    var out: [UInt8] = []
    private let base: String?
    private var open: [Open] = []
    private var droppedDepth = 0
    private var sawWrapper = false

    init(base: String?) {
        self.base = base
        out.reserveCapacity(4096)
    }

    func startElement(_ name: String, attributes: [(name: String, value: String)]) {
        if !sawWrapper {
            // The first element is the <div> HTMLFragmentStream wraps the fragment in.
            sawWrapper = true
            open.append(.wrapper)
            return
        }
        if droppedDepth > 0 || HTMLSanitizer.droppedWithContent.contains(name) {
            droppedDepth += 1
            open.append(.dropped)
            return
        }
        guard HTMLSanitizer.allowedElements.contains(name), !HTMLSanitizer.droppedVoid.contains(name) else {
            open.append(.unwrapped)
            return
        }
        var tag = "<" + name
        var seen: Set<String> = []
        for attribute in attributes {
            let attributeName = attribute.name
            guard HTMLSanitizer.allowedAttributes.contains(attributeName), seen.insert(attributeName).inserted else { continue }
            var value = attribute.value
            if HTMLSanitizer.urlAttributes.contains(attributeName) {
                value = value.trimmed
                guard HTMLSanitizer.isSafeURL(value) else { continue }
                value = URIResolver.resolve(value, against: base)
            }
            tag += " \(attributeName)=\"\(HTMLSanitizer.escapeAttribute(value))\""
        }
        let void = HTMLSanitizer.voidElements.contains(name)
        tag += void ? " />" : ">"
        out.append(contentsOf: tag.utf8)
        open.append(.kept(name: name, void: void))
    }

    func endElement(_ name: String) {
        guard let last = open.popLast() else { return }
        switch last {
        case .dropped: droppedDepth -= 1
        case .kept(let name, let void): if !void { out.append(contentsOf: "</\(name)>".utf8) }
        case .wrapper, .unwrapped: break
        }
    }

    func characters(_ bytes: UnsafeRawBufferPointer) {
        guard droppedDepth == 0 else { return }
        // One access to `out` for the whole run: per-byte appends to a class property pay for
        // dynamic exclusivity checks each time.
        HTMLSanitizer.appendEscaped(bytes, quotes: false, to: &out)
    }
}

/// Collects the text of an HTML event stream, leaving out scripts and styles.
