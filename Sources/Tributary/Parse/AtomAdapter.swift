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
                if isAlternate(element), let href = element.attribute("href"), !href.trimmed.isEmpty {
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
                if let v = child.value { item.id = v }
            case "link":
                let rel = child.attribute("rel")?.trimmed.lowercased() ?? "alternate"
                if rel == "enclosure" {
                    if let enclosure = FeedFields.enclosure(url: child.attribute("href"), type: child.attribute("type"),
                                                            length: child.attribute("length"), element: child) {
                        item.enclosures.append(enclosure)
                    }
                } else if isAlternate(child), let href = child.attribute("href"), !href.trimmed.isEmpty {
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
                if let term = (child.attribute("term") ?? child.attribute("label")).map(PlainText.collapse), !term.isEmpty,
                   !item.categories.contains(term) {
                    item.categories.append(term)
                }
            case "dc:subject":
                if let c = FeedFields.plain(child), !item.categories.contains(c) { item.categories.append(c) }
            default:
                break
            }
        }
        return item
    }

    /// How a text construct carries its payload.
    enum Payload { case text, html, xhtml, none }

    static func payload(_ element: MarkupElement) -> Payload {
        if element.attribute("src") != nil { return .none }
        let type = element.attribute("type")?.trimmed.lowercased() ?? "text"
        let mode = element.attribute("mode")?.trimmed.lowercased()
        if mode == "base64" { return .none }
        switch type {
        case "text", "text/plain": return mode == "xml" ? .xhtml : .text
        case "html", "text/html": return mode == "xml" ? .xhtml : .html
        case "xhtml", "application/xhtml+xml": return mode == "escaped" ? .html : .xhtml
        default:
            if type.hasPrefix("text/") { return .text }
            return .none
        }
    }

    /// A text construct as plain text (titles).
    static func text(_ element: MarkupElement) -> String? {
        let result: String
        switch payload(element) {
        case .text: result = PlainText.collapse(element.text)
        case .html, .xhtml: result = PlainText.fromHTML(element.text)
        case .none: return nil
        }
        return result.isEmpty ? nil : result
    }

    /// A text construct as sanitized HTML (summary, content).
    static func html(_ element: MarkupElement) -> String? {
        switch payload(element) {
        case .text:
            let t = element.text.trimmed
            return t.isEmpty ? nil : HTMLSanitizer.escapeText(t)
        case .html:
            return FeedFields.html(element.text, base: element.base)
        case .xhtml:
            return FeedFields.xhtml(element.children, base: element.base)
        case .none:
            return nil
        }
    }
}
