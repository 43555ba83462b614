import Foundation

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
