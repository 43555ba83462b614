import Foundation

/// Maps Atom 1.0 and 0.3 documents onto `ParsedFeed`.
enum AtomAdapter {
    static func parse(_ root: MarkupElement) -> ParsedFeed {
        let format: FeedFormat
        if root.namespace == Namespaces.atom10 {
            format = .atom10
        } else if let v = root.attribute("version")?.trimmed, ["0.1", "0.2", "0.3"].contains(v) {
            format = .atom03
        } else {
            format = .atom
        }
        var feed = ParsedFeed(format: format)
        for element in root.elements {
            switch local(element) {
            case "title":
                feed.title = text(element)
            case "link":
                if isAlternate(element), let href = href(element) {
                    feed.link = element.resolve(href)
                }
            case "updated", "modified", "dc:date", "dcterms:modified":
                feed.updated = FeedFields.date(element) ?? feed.updated
            case "published", "issued", "dcterms:issued":
                feed.published = FeedFields.date(element) ?? feed.published
            case "entry":
                feed.items.append(entry(element))
            default:
                break
            }
        }
        return feed
    }

    /// The element's key with the Atom prefix removed; Atom 0.3 documents often omit the namespace.
    static func local(_ element: MarkupElement) -> String {
        let key = element.key
        return key.hasPrefix("atom:") ? String(key.dropFirst(5)) : key
    }

    /// The link's `href`, or its text in old feeds that wrote the address as content.
    static func href(_ link: MarkupElement) -> String? {
        if let href = link.attribute("href"), !href.isBlank { return href }
        return link.value
    }

    static func isAlternate(_ link: MarkupElement) -> Bool {
        let rel = link.attribute("rel")?.trimmed.lowercased() ?? "alternate"
        guard rel == "alternate" else { return false }
        let type = link.attribute("type")?.trimmed.lowercased() ?? "text/html"
        return type == "text/html" || type == "application/xhtml+xml" || type.isEmpty
    }

    static func entry(_ element: MarkupElement) -> FeedItem {
        var item = FeedItem()
        for child in element.elements {
            switch local(child) {
            case "id":
                if let v = child.value {
                    item.id = v
                    item.permalink = URIText.webAddress(v)
                }
            case "link":
                let rel = child.attribute("rel")?.trimmed.lowercased() ?? "alternate"
                if rel == "enclosure" {
                    if let enclosure = FeedFields.enclosure(url: href(child), type: child.attribute("type"),
                                                            length: child.attribute("length"), element: child) {
                        item.enclosures.append(enclosure)
                    }
                } else if rel == "canonical", let href = href(child) {
                    item.canonicalLink = child.resolve(href)
                } else if isAlternate(child), let href = href(child) {
                    item.link = child.resolve(href)
                }
            case "title", "dc:title":
                if item.title == nil { item.title = text(child) }
            case "author":
                if item.author == nil {
                    item.author = child.elements.first { local($0) == "name" }?.value.map(PlainText.collapse)
                        ?? child.elements.first { local($0) == "email" }?.value
                }
            case "dc:creator", "dc:author":
                if item.author == nil { item.author = FeedFields.rssAuthor(child.text) }
            case "published", "issued", "dcterms:issued":
                item.published = FeedFields.date(child) ?? item.published
            case "updated", "modified", "dc:date", "dcterms:modified":
                item.updated = FeedFields.date(child) ?? item.updated
            case "summary", "dc:description":
                item.summary = html(child)
            case "content":
                item.content = html(child)
            case "category":
                if let term = (child.attribute("term") ?? child.attribute("label") ?? child.value).map(PlainText.collapse), !term.isEmpty,
                   !item.categories.contains(term) {
                    item.categories.append(term)
                }
            case "feedburner:origlink":
                if let v = child.value { item.canonicalLink = child.resolve(v) }
            case "dc:subject":
                if let c = FeedFields.plain(child), !item.categories.contains(c) { item.categories.append(c) }
            default:
                break
            }
        }
        return item
    }

    /// How a text construct carries its payload.
    enum Payload { case text, html, xhtml, base64, none }

    static func payload(_ element: MarkupElement) -> Payload {
        if element.attribute("src") != nil { return .none }
        var type = element.attribute("type")?.trimmed.lowercased() ?? "text"
        if type.isEmpty { type = "text" }
        let mode = element.attribute("mode")?.trimmed.lowercased()
        if mode == "base64" {
            if type.hasPrefix("text/html") || type == "html" { return .html }
            return type.hasPrefix("text") ? .text : .none
        }
        switch type {
        case "text", "text/plain": return mode == "xml" ? .xhtml : .text
        case "html", "text/html": return mode == "xml" ? .xhtml : .html
        case "xhtml", "application/xhtml+xml": return mode == "escaped" ? .html : .xhtml
        default:
            if type.hasPrefix("text/") { return .text }
            // RFC 4287 §4.1.3.3: other media types than XML ones are base64-encoded.
            if type.hasSuffix("+xml") || type.hasSuffix("/xml") { return .none }
            return .base64
        }
    }

    /// The construct's character content, decoded from base64 when Atom 0.3's `mode` says so.
    static func content(_ element: MarkupElement) -> String {
        guard element.attribute("mode")?.trimmed.lowercased() == "base64" || payload(element) == .base64 else { return element.text }
        let compact = element.text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact, options: .ignoreUnknownCharacters) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A text construct as plain text (titles).
    static func text(_ element: MarkupElement) -> String? {
        let result: String
        switch payload(element) {
        case .text, .base64: result = PlainText.collapse(content(element))
        case .html: result = PlainText.fromHTML(element.attribute("mode")?.lowercased() == "base64" ? content(element) : element.markup)
        case .xhtml: result = PlainText.fromHTML(element.markup)
        case .none: return nil
        }
        return result.isEmpty ? nil : result
    }

    /// A text construct as sanitized HTML (summary, content).
    static func html(_ element: MarkupElement) -> String? {
        switch payload(element) {
        case .text, .base64:
            let t = content(element).trimmed
            return t.isEmpty ? nil : HTMLSanitizer.escapeText(t)
        case .html:
            if element.attribute("mode")?.trimmed.lowercased() == "base64" {
                return FeedFields.html(content(element), base: element.base)
            }
            return FeedFields.html(element)
        case .xhtml:
            return FeedFields.xhtml(element)
        case .none:
            return nil
        }
    }
}
