import Foundation

/// What a page's markup says about a part of it: element names and the words in `class` and `id`.
/// Substring tests on the lower-cased attribute text, no regular expressions: a page has thousands of
/// elements and this runs on each.
enum BoilerplateHints {
    /// Elements that never hold article text.
    static let neverContent: Set<String> = [
        "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "button", "input",
        "select", "textarea", "option", "label", "nav", "link", "meta", "head", "title", "dialog", "menu",
    ]
    /// Elements that end a run of text.
    static let blocks: Set<String> = [
        "address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "ol", "p",
        "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "br", "caption", "summary",
    ]
    /// Parts of a page that are removed wherever they are, unless the same attribute also says "article".
    static let unlikely = [
        "-ad-", "ad-break", "adbox", "advert", "agegate", "banner", "breadcrumb", "combx", "comment", "community",
        "cookie", "consent", "cover-wrap", "disqus", "footer", "gdpr", "header", "legends", "menu", "masthead",
        "newsletter", "subscribe", "signup", "sign-up", "related", "recommend", "remark", "replies",
        "rss", "share", "sharing", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental",
        "pagination", "pager", "popup", "modal", "promo", "outbrain", "taboola", "weather", "toolbar",
        "scroll-top", "scrolltop", "back-to-top", "backtotop", "most-read", "mostread", "trending", "read-more",
        "readmore", "more-stories", "nav",
    ]
    /// Words that rescue an element from `unlikely`.
    static let maybe = ["and", "article", "body", "column", "content", "main", "shadow", "entry", "story", "post-text"]
    static let positive = [
        "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination", "post", "text",
        "blog", "story", "prose",
    ]
    static let negative = [
        "-ad-", "hidden", "hid", "banner", "combx", "comment", "com-", "contact", "foot", "footer", "footnote",
        "gdpr", "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar",
        "skyscraper", "sponsor", "shopping", "tags", "tool", "widget", "byline", "author", "dateline", "caption",
        "credit", "newsletter", "subscribe", "recommend",
    ]

    /// The lower-cased `class` and `id` of an element, with spaces around for whole-word tests.
    static func attributeText(_ element: MarkupElement) -> String {
        let cls = element.attribute("class") ?? "", id = element.attribute("id") ?? ""
        if cls.isEmpty && id.isEmpty { return "" }
        return " " + (cls + " " + id).lowercased() + " "
    }

    static func matches(_ text: String, any words: [String]) -> Bool {
        !text.isEmpty && words.contains { text.containsBytes($0) }
    }

    /// +25 for each of class and id that reads like article, -25 for each that reads like chrome.
    static func weight(_ element: MarkupElement) -> Double {
        var weight = 0.0
        for value in [element.attribute("class"), element.attribute("id")] {
            guard let value, !value.isEmpty else { continue }
            let lower = value.lowercased()
            if matches(lower, any: negative) { weight -= 25 }
            if matches(lower, any: positive) { weight += 25 }
        }
        return weight
    }

    /// Whether markup hides the element from every reader.
    static func isHidden(_ element: MarkupElement) -> Bool {
        if element.attribute("hidden") != nil { return true }
        if element.attribute("aria-hidden") == "true", element.name != "figure", element.name != "img" { return true }
        guard let style = element.attribute("style")?.lowercased(), !style.isEmpty else { return false }
        let compact = style.filter { $0 != " " }
        return compact.containsBytes("display:none") || compact.containsBytes("visibility:hidden")
    }

    /// Short lines that are page furniture in any layout: reading-time labels, widgets' placeholders,
    /// "scroll to top" and share prompts. Compared against a block's whole text, lower-cased.
    static func isFurnitureLine(_ line: String) -> Bool {
        let text = line.lowercased()
        guard text.unicodeScalars.count < 80 else { return false }
        for phrase in furniturePhrases where text.containsBytes(phrase) { return true }
        for prefix in furniturePrefixes where text.hasPrefix(prefix) { return true }
        // "Comments", "12 comments", "0 Comments"
        if text.hasSuffix("comments") || text.hasSuffix("comment"), text.split(separator: " ").count <= 2 { return true }
        let digits = text.utf8.contains { $0 >= 0x30 && $0 <= 0x39 }
        if digits, isDateLine(text) || isSlideCounter(text) { return true }
        // "3 min read", "⏱ 5 minute read", "Reading time: 4 minutes"
        if text.containsBytes("read"), text.containsBytes("min"), text.unicodeScalars.count < 40, text.contains(where: \.isNumber) { return true }
        return false
    }

    /// A line that is only a date and a time: a year or a clock time, and few words.
    static func isDateLine(_ text: String) -> Bool {
        guard text.unicodeScalars.count < 60 else { return false }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," })
        guard words.count <= 8 else { return false }
        let year = words.contains { w in w.count == 4 && (w.hasPrefix("19") || w.hasPrefix("20")) && w.allSatisfy(\.isNumber) }
        let clock = words.contains { w in w.contains(":") && w.split(separator: ":").count == 2 && w.split(separator: ":").allSatisfy { !$0.isEmpty && $0.prefix(2).allSatisfy(\.isNumber) } }
        let slashed = words.contains { w in w.split(separator: "/").count == 3 && w.split(separator: "/").allSatisfy { $0.allSatisfy(\.isNumber) } }
        return year || clock || slashed
    }

    /// Paragraphs under an article that are not of it: copyright notices, citation lines, how to reach the
    /// author. Whole blocks of up to a few hundred characters, lower-cased.
    static func isTrailer(_ text: String) -> Bool {
        guard text.unicodeScalars.count < 400 else { return false }
        for prefix in trailerPrefixes where text.hasPrefix(prefix) { return true }
        for phrase in trailerPhrases where text.containsBytes(phrase) { return true }
        return false
    }

    static let trailerPrefixes = ["citation:", "have a tip?", "email ", "e-mail ", "copyright ©", "© copyright", "(c) copyright"]
    static let trailerPhrases = [
        "subject to copyright", "all rights reserved", "may not be reproduced", "may not be published, broadcast",
        "or follow him on", "or follow her on", "or follow them on", "may be reached at",
    ]

    /// "Image 2 of 5", "Photo 1 of 12": a gallery's counter.
    static func isSlideCounter(_ text: String) -> Bool {
        let words = text.split(separator: " ")
        return words.count == 4 && slideWords.contains(String(words[0])) && words[2] == "of"
            && words[1].allSatisfy(\.isNumber) && words[3].allSatisfy(\.isNumber)
    }

    static let slideWords: Set<String> = ["image", "photo", "picture", "slide"]

    static let furniturePrefixes = ["tags:", "tags ", "tag:", "filed under", "categories:", "category:", "posted in", "share:", "you may also like", "more from", "recommended for you", "related:"]

    static let furniturePhrases = [
        "scroll to top", "back to top", "loading weather", "share this", "share on", "share via", "follow us",
        "sign up for", "subscribe to our", "newsletter", "posts list", "related posts", "related articles",
        "related stories", "read more:", "advertisement", "click here to", "cookie", "all rights reserved",
        "reading time", "min read", "minute read", "minutes read", "لوڈ ہو رہا", "مزید پڑھیں",
        "post a comment", "leave a comment", "leave a reply", "tell us what you think", "requires javascript",
        "click here for more", "delivered to your inbox", "sign up today",
    ]
}
