import Foundation

/// Renders an output as an Atom 1.0 document (RFC 4287).
public enum AtomWriter {
    public static func render(_ document: OutputDocument) -> Data {
        let settings = document.settings
        var x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        x += "  <id>\(XMLText.escape(document.feedID))</id>\n"
        x += "  <title type=\"text\">\(XMLText.escape(settings.title))</title>\n"
        x += "  <updated>\(FeedDate.format(document.updated))</updated>\n"
        x += "  <generator version=\"\(Product.version)\">Tributary</generator>\n"
        x += "  <author><name>\(XMLText.escape(settings.title))</name></author>\n"
        // Without a configured public URL, the file's own location is the best "self" there is.
        let selfLink = settings.link ?? URL(fileURLWithPath: settings.path).absoluteString
        x += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(href(selfLink))\"/>\n"
        // WebSub discovery (§4): subscribers find the hub and the topic URL here.
        if let hub = settings.hub { x += "  <link rel=\"hub\" href=\"\(href(hub))\"/>\n" }
        for output in document.entries { x += entry(output) }
        x += "</feed>\n"
        return Data(x.utf8)
    }

    /// An IRI made valid and escaped for an attribute.
    static func href(_ iri: String) -> String {
        XMLText.escape(URIText.validIRI(iri), attribute: true)
    }

    static func entry(_ output: OutputEntry) -> String {
        let e = output.entry
        let source = output.source
        let sourceName = source.name.isEmpty ? (source.title ?? source.url) : source.name
        var x = "  <entry>\n"
        x += "    <id>\(XMLText.escape(e.entryID))</id>\n"
        let title = e.title.map(PlainText.collapse).flatMap { $0.isEmpty ? nil : $0 } ?? e.link ?? "Untitled"
        x += "    <title type=\"text\">\(XMLText.escape(title))</title>\n"
        let alternate = output.alternateLink
        x += "    <link rel=\"alternate\" type=\"text/html\" href=\"\(href(alternate))\"/>\n"
        var seenVia: Set<String> = [alternate]
        for (feed, link) in output.via {
            let href = link ?? feed.siteLink ?? feed.url
            guard seenVia.insert(href).inserted else { continue }
            let name = feed.name.isEmpty ? (feed.title ?? feed.url) : feed.name
            x += "    <link rel=\"via\" href=\"\(Self.href(href))\" title=\"\(XMLText.escape(name, attribute: true))\"/>\n"
        }
        for enclosure in e.enclosures {
            x += "    <link rel=\"enclosure\" href=\"\(href(enclosure.url))\""
            if let type = enclosure.type { x += " type=\"\(XMLText.escape(type, attribute: true))\"" }
            if let length = enclosure.length { x += " length=\"\(length)\"" }
            x += "/>\n"
        }
        x += "    <updated>\(FeedDate.format(e.updated))</updated>\n"
        if let published = e.published { x += "    <published>\(FeedDate.format(published))</published>\n" }
        let author = e.author.map(PlainText.collapse).flatMap { $0.isEmpty ? nil : $0 } ?? sourceName
        x += "    <author><name>\(XMLText.escape(author))</name></author>\n"
        var categories: [String] = []
        for term in output.tags + e.categories where !categories.contains(term) { categories.append(term) }
        for term in categories {
            x += "    <category term=\"\(XMLText.escape(term, attribute: true))\"/>\n"
        }
        if let summary = e.summary, !summary.isEmpty {
            x += "    <summary type=\"html\">\(XMLText.escape(summary))</summary>\n"
        }
        if let content = e.content, !content.isEmpty {
            x += "    <content type=\"html\">\(XMLText.escape(content))</content>\n"
        }
        x += "    <source>\n"
        x += "      <id>\(XMLText.escape(source.url))</id>\n"
        x += "      <title type=\"text\">\(XMLText.escape(sourceName))</title>\n"
        if let site = source.siteLink, site.contains("://") {
            x += "      <link rel=\"alternate\" type=\"text/html\" href=\"\(href(site))\"/>\n"
        }
        x += "      <link rel=\"self\" href=\"\(href(source.url))\"/>\n"
        x += "      <updated>\(FeedDate.format(e.updated))</updated>\n"
        x += "    </source>\n"
        x += "  </entry>\n"
        return x
    }
}
