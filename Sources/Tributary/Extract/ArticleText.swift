import Foundation

/// An extracted article as text or as sanitized HTML.
extension ExtractedArticle {
    /// The article's text, paragraphs apart by a blank line. Captions stay in the HTML, beside their
    /// pictures; as text they would read as stray sentences between paragraphs.
    static func text(of content: MarkupElement) -> String {
        var paragraphs: [String] = []
        var line = ""
        func flush() {
            let text = PlainText.collapse(line)
            if !text.isEmpty { paragraphs.append(text) }
            line = ""
        }
        func walk(_ element: MarkupElement) {
            for child in element.children {
                switch child {
                case .text(let s): line += s
                case .utf8(let b): line += String(decoding: b, as: UTF8.self)
                case .element(let e):
                    if e.name == "br" { line += "\n"; continue }
                    if e.name == "figcaption" { continue }
                    let block = BoilerplateHints.blocks.contains(e.name)
                    if block { flush() }
                    walk(e)
                    if block { flush() }
                }
            }
        }
        walk(content)
        flush()
        return paragraphs.joined(separator: "\n\n")
    }

    /// The article's markup through the feed sanitizer: article structure kept, links and images
    /// absolute, nothing active. Lazy-loaded images get their real address.
    public var html: String {
        var out = ""
        func walk(_ element: MarkupElement) {
            for child in element.children {
                switch child {
                case .text(let s): out += HTMLSanitizer.escapeText(s)
                case .utf8(let b): out += HTMLSanitizer.escapeText(String(decoding: b, as: UTF8.self))
                case .element(let e):
                    out += "<" + e.name
                    var attributes = e.attributes.map { ($0.name, $0.value) }
                    if e.name == "img", let lazy = e.attribute("data-src") ?? e.attribute("data-lazy-src") ?? e.attribute("data-original"),
                       (e.attribute("src") ?? "").isEmpty || e.attribute("src")?.hasPrefix("data:") == true {
                        attributes.removeAll { $0.0 == "src" }
                        attributes.append(("src", lazy))
                    }
                    for (name, value) in attributes where HTMLSanitizer.allowedAttributes.contains(name) {
                        out += " \(name)=\"\(HTMLSanitizer.escapeAttribute(value))\""
                    }
                    out += ">"
                    if HTMLSanitizer.voidElements.contains(e.name) || e.name == "source" { continue }
                    walk(e)
                    out += "</\(e.name)>"
                }
            }
        }
        walk(content)
        return HTMLSanitizer.sanitize(out, base: base)
    }
}

/// A page's bytes to its article: the charset decided, the page parsed by libxml2 (with the per-site
/// XPath rules), the article found.
public enum ArticlePage {
    public static func extract(_ bytes: [UInt8], httpCharset: String? = nil, url: String?,
                               contentXPath: String? = nil, removeXPaths: [String] = []) -> ExtractedArticle? {
        let encoding = PageCharset.decide(bytes: bytes, httpCharset: httpCharset)
        // UTF-8 pages without site rules are read from the parser's events; the rest through libxml2's tree.
        let events = encoding == "UTF-8" && contentXPath == nil && removeXPaths.isEmpty
        let text = events ? String(decoding: bytes, as: UTF8.self) : ""
        var best: (article: ExtractedArticle, length: Int)?
        for strictness in ArticleExtractor.Strictness.passes {
            // Each pass reads the page afresh: the last one cut its tree.
            let parsed = events ? PageTreeBuilder.build(text) : bytes.withUnsafeBytes {
                HTMLDocumentReader.parse($0, encoding: encoding, remove: [neverArticle] + removeXPaths, select: contentXPath)
            }
            guard let root = parsed else { return nil }
            guard let article = ArticleExtractor.extract(page: root, url: url, whole: contentXPath != nil, strictness: strictness) else { continue }
            let length = TextStats.of(article.plainText).length
            if length >= minimumLength { return article }
            if length > best?.length ?? -1 { best = (article, length) }
        }
        return (best?.length ?? 0) > 0 ? best?.article : nil
    }

    /// Dropped in libxml2's tree, before it becomes Swift values (what `PageTreeBuilder` leaves out): scripts
    /// and styles are most of a modern page's bytes, and copying them out only to remove them cost more
    /// than the rest.
    static let neverArticle = PageTreeBuilder.leftOut.sorted().map { "//" + $0 }.joined(separator: "|")

    /// Below this many characters an article is suspect, and the page is read again more leniently.
    static let minimumLength = 250

    public static func isValidXPath(_ expression: String) -> Bool { XPathQuery.compiles(expression) }
}
