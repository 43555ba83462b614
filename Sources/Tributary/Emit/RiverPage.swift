import Foundation

/// Renders an output as a "river": a web page of the newest stories that works without JavaScript or
/// external assets, with a page per tag beside it. Everything from a feed becomes plain text (escaped)
/// or an http(s) link: no markup, script or style from a feed reaches the page.
public enum RiverPage {
    /// The main page and one page per tag shown on it; names are relative to the main page's folder.
    public static func render(_ document: OutputDocument, now: Date) -> [(name: String, data: Data)] {
        let settings = document.settings
        let zone = ZoneTable.load(settings.timeZone) ?? .utc
        var tags: [String] = []
        for entry in document.entries {
            for tag in entry.tags where !tags.contains(tag) { tags.append(tag) }
        }
        let names = tagPageNames(tags, mainPage: settings.urlPath)
        var pages = [(name: mainPageName(settings.urlPath),
                      data: page(title: settings.title, heading: nil, entries: document.entries, tagPages: names, zone: zone, now: now))]
        let home = settings.urlPath == "/" ? "./" : pages[0].name
        for tag in tags {
            let entries = document.entries.filter { $0.tags.contains(tag) }
            pages.append((names[tag]!, page(title: settings.title, heading: tag, home: home, entries: entries, tagPages: names,
                                            zone: zone, now: now)))
        }
        return pages
    }

    static func mainPageName(_ urlPath: String) -> String {
        let name = String(urlPath.drop { $0 == "/" })
        return name.isEmpty ? "index.html" : name
    }

    /// `river-tag-pakistan.html` beside `river.html`: flat names, so relative links hold at `/` too.
    /// `river-tag-` for `/river.html`, `tag-` for `/`.
    static func tagPagePrefix(_ urlPath: String) -> String {
        var stem = String(urlPath.drop { $0 == "/" })
        if let dot = stem.lastIndex(of: ".") { stem = String(stem[..<dot]) }
        return (stem.isEmpty ? "" : stem + "-") + "tag-"
    }

    static func tagPageNames(_ tags: [String], mainPage urlPath: String) -> [String: String] {
        let prefix = tagPagePrefix(urlPath)
        var names: [String: String] = [:]
        var used: Set<String> = []
        for tag in tags {
            var slug = ""
            for scalar in tag.lowercased().unicodeScalars {
                if scalar.isASCII && CharacterSet.alphanumerics.contains(scalar) {
                    slug.unicodeScalars.append(scalar)
                } else if !slug.isEmpty && !slug.hasSuffix("-") {
                    slug += "-"
                }
            }
            while slug.hasSuffix("-") { slug.removeLast() }
            // Tags in other scripts, and two tags that fold to one slug, get a name from their hash.
            if slug.isEmpty || used.contains(slug) { slug += (slug.isEmpty ? "" : "-") + ContentFingerprint.sha256Hex(tag).prefix(8) }
            used.insert(slug)
            names[tag] = prefix + slug + ".html"
        }
        return names
    }

    static let style = """
        :root{color-scheme:light dark;--muted:#5f6368;--rule:#dadce0;--accent:#1a56a6}
        @media (prefers-color-scheme:dark){:root{--muted:#a8adb3;--rule:#3c4043;--accent:#8ab4f8}}
        *{box-sizing:border-box}
        body{margin:0 auto;max-width:46rem;padding:1rem;font:1.05rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Nastaliq Urdu","Noto Naskh Arabic",sans-serif}
        header{border-bottom:1px solid var(--rule);margin-bottom:1rem}
        h1{font-size:1.5rem;margin:.2rem 0}
        header p,.meta,.also,.tags{color:var(--muted);font-size:.88rem;margin:.25rem 0}
        article{padding:.8rem 0;border-bottom:1px solid var(--rule);overflow-wrap:anywhere}
        article h2{font-size:1.15rem;margin:0 0 .25rem;line-height:1.35}
        article[dir=rtl] h2,article[dir=rtl] .summary{font-size:1.22rem;line-height:1.9}
        article[dir=rtl] .meta,article[dir=rtl] .also{text-align:right}
        a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
        .summary{margin:.35rem 0}
        .tags a{display:inline-block;border:1px solid var(--rule);border-radius:1rem;padding:0 .55rem;margin:.1rem .15rem 0 0}
        footer{color:var(--muted);font-size:.8rem;padding:1rem 0}
        @media (min-width:60rem){body{font-size:1.1rem}}
        """

    /// Everything up to `<body>`: UTF-8, a phone-width viewport, the shared style plus `extraStyle`.
    static func head(title: String, language: String, extraStyle: String = "") -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"\(language)\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<meta name=\"generator\" content=\"Tributary \(Product.version)\">\n"
        return h + "<title>\(XMLText.escape(title))</title>\n<style>\n\(style)\n\(extraStyle)</style>\n</head>\n<body>\n"
    }

    static func page(title: String, heading: String?, home: String? = nil, entries: [OutputEntry], tagPages: [String: String],
                     zone: ZoneTable, now: Date) -> Data {
        let pageTitle = heading.map { "\(title): \($0)" } ?? title
        var h = head(title: pageTitle, language: "und") + "<header>\n"
        h += "<h1>\(XMLText.escape(pageTitle))</h1>\n"
        h += "<p>\(entries.count) \(entries.count == 1 ? "story" : "stories")"
        if let newest = entries.map(\.entry.updated).max() {
            h += ", newest <time datetime=\"\(FeedDate.format(newest))\">\(XMLText.escape(zone.describe(newest)))</time>"
        }
        if heading != nil, let home { h += " · <a href=\"\(XMLText.escape(home, attribute: true))\">all stories</a>" }
        h += "</p>\n</header>\n<main>\n"
        for entry in entries { h += article(entry, tagPages: tagPages, zone: zone, now: now) }
        if entries.isEmpty { h += "<p>No stories yet.</p>\n" }
        h += "</main>\n<footer>Merged by Tributary \(Product.version)</footer>\n</body>\n</html>\n"
        return Data(h.utf8)
    }

    static func article(_ output: OutputEntry, tagPages: [String: String], zone: ZoneTable, now: Date) -> String {
        let e = output.entry
        let source = output.source
        let outlet = source.name.isEmpty ? (source.title ?? source.url) : source.name
        let title = e.title.map(PlainText.collapse).flatMap { $0.isEmpty ? nil : $0 } ?? "Untitled"
        let body = PlainText.collapse(PlainText.fromHTML(e.content ?? e.summary ?? ""))
        let summaryText = PlainText.collapse(PlainText.fromHTML(e.summary ?? e.content ?? ""))
        let direction = TextDirection.of(title + " " + summaryText)
        let when = e.published ?? e.updated
        var h = "<article dir=\"\(direction.rawValue)\">\n<h2>"
        if let link = URIText.webAddress(output.alternateLink) {
            h += "<a href=\"\(AtomWriter.href(link))\">\(XMLText.escape(title))</a>"
        } else {
            h += XMLText.escape(title)
        }
        h += "</h2>\n<p class=\"meta\" dir=\"ltr\"><span class=\"outlet\">\(XMLText.escape(outlet))</span> · "
        h += "<time datetime=\"\(FeedDate.format(when))\" title=\"\(XMLText.escape(zone.describe(when), attribute: true))\">"
        h += "\(RelativeTime.describe(when, now: now))</time> · \(XMLText.escape(zone.describe(when)))"
        h += " · \(ReadingTime.minutes(body.isEmpty ? title : body)) min read</p>\n"
        if !summaryText.isEmpty { h += "<p class=\"summary\">\(XMLText.escape(excerpt(summaryText)))</p>\n" }
        var seen: Set<String> = [output.alternateLink]
        var also: [String] = []
        for (feed, link) in output.via {
            guard let href = URIText.webAddress(link ?? feed.siteLink ?? feed.url), seen.insert(href).inserted else { continue }
            let name = feed.name.isEmpty ? (feed.title ?? feed.url) : feed.name
            also.append("<a href=\"\(AtomWriter.href(href))\">\(XMLText.escape(name))</a>")
        }
        if !also.isEmpty { h += "<p class=\"also\" dir=\"ltr\">Also reported by \(also.joined(separator: ", "))</p>\n" }
        let tagLinks = output.tags.compactMap { tag in
            tagPages[tag].map { "<a href=\"\(XMLText.escape($0, attribute: true))\">\(XMLText.escape(tag))</a>" }
        }
        if !tagLinks.isEmpty { h += "<p class=\"tags\">\(tagLinks.joined(separator: " "))</p>\n" }
        return h + "</article>\n"
    }

    /// About 280 characters, cut at a word boundary.
    static func excerpt(_ text: String) -> String {
        guard text.count > 300 else { return text }
        var cut = String(text.prefix(280))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > 200 { cut = String(cut[..<space]) }
        return cut + "…"
    }
}
