import Foundation

/// Removes from the chosen article what is inside it but not of it: the headline, bylines, link lists,
/// image strips, furniture lines, empty paragraphs. Top-down: a part removed is not looked into.
struct ArticleCleaning {
    let scores: CandidateScores
    let byMeasure: Bool
    /// The page title, collapsed and lower-cased once, for the headline checks.
    private let title: String?

    init(title: String?, scores: CandidateScores, byMeasure: Bool = true) {
        self.title = title.map { PlainText.collapse($0).lowercased() }
        self.scores = scores
        self.byMeasure = byMeasure
    }

    /// Parts removed only when their own measures say so (Readability's "conditional" cleaning).
    static let conditional: Set<String> = ["form", "fieldset", "table", "ul", "ol", "div", "section", "figure", "dl", "header"]
    static let linkOnlyBlocks: Set<String> = ["p", "li", "h2", "h3", "h4", "div"]
    static let media: Set<String> = ["img", "picture", "video", "iframe"]
    static let figures: Set<String> = ["figure"]
    static let bylineWords = [
        "byline", "author", "dateline", "timestamp", "publish-date", "published-date", "posted-on", "entry-meta",
        "post-meta", "article-meta", "article__meta", "meta-info", "story-meta", "date",
    ]

    /// The best candidate itself is kept whatever its measures (the scores chose it); the siblings
    /// gathered with it are judged like anything inside it.
    func clean(_ content: MarkupElement, top: MarkupElement?) {
        scores.forget()
        content.children.removeAll { node in
            guard case .element(let part) = node, part !== top else { return false }
            return shouldRemove(part, inList: false)
        }
        for part in content.elements { cleanChildren(of: part, inList: false) }
    }

    private func cleanChildren(of element: MarkupElement, inList: Bool) {
        element.children.removeAll { node in
            guard case .element(let child) = node else { return false }
            return shouldRemove(child, inList: inList)
        }
        let list = inList || element.name == "ul" || element.name == "ol"
        for child in element.elements { cleanChildren(of: child, inList: list) }
    }

    private func shouldRemove(_ e: MarkupElement, inList: Bool) -> Bool {
        let stats = scores.stats(e)
        let words = BoilerplateHints.attributeText(e)
        if stats.length < 200, BoilerplateHints.matches(words, any: Self.bylineWords), e.name != "body", e.name != "article" { return true }
        // The element's text, collapsed, made at most once and only for the checks that read it.
        var collapsed: String?
        func text() -> String {
            if let collapsed { return collapsed }
            let made = PlainText.collapse(e.text)
            collapsed = made
            return made
        }
        if stats.length > 0, stats.length < 80, BoilerplateHints.isFurnitureLine(text()) { return true }
        let block = BoilerplateHints.blocks.contains(e.name)
        if block, stats.length >= 20, stats.length < 400, BoilerplateHints.isTrailer(text().lowercased()) { return true }
        if block, stats.linkDensity > 0.3, stats.length < 2000 {
            let lower = text().lowercased()
            if BoilerplateHints.furniturePrefixes.contains(where: { lower.hasPrefix($0) }) { return true }
        }
        if Self.linkOnlyBlocks.contains(e.name), stats.length > 0, stats.length < 120, stats.linkDensity >= 0.9 { return true }
        switch e.name {
        case "h1": return true
        case "h2", "h3", "h4", "h5", "h6":
            return BoilerplateHints.weight(e) < 0 || stats.linkDensity > 0.33 || duplicatesTitle(text)
        case "p":
            return stats.length == 0 && !contains(e, anyOf: Self.media) || repeatsTitle(text, stats: stats)
        default:
            return byMeasure && Self.conditional.contains(e.name) && removedByMeasure(e, stats: stats, inList: inList)
        }
    }

    private func removedByMeasure(_ e: MarkupElement, stats: TextStats, inList: Bool) -> Bool {
        let weight = BoilerplateHints.weight(e)
        if weight + (scores.score(of: e) ?? 0) < 0 { return true }
        if e.name == "table", isDataTable(e) { return false }
        guard stats.commas < 10 else { return false }
        let isList = e.name == "ul" || e.name == "ol"
        var counts: [String: Int] = [:]
        count(e, into: &counts)
        let p = Double(counts["p", default: 0]), img = Double(counts["img", default: 0])
        let li = Double(counts["li", default: 0]) - 100, input = Double(counts["input", default: 0])
        let figure = e.name == "figure" || contains(e, anyOf: Self.figures)
        if img > 1 && p / img < 0.5 && !figure { return true }
        if !isList && !inList && li > p { return true }
        if input > (p / 3).rounded(.down) { return true }
        if !isList && !figure && stats.length < 25 && (img == 0 || img > 2) { return true }
        if !isList && weight < 25 && stats.linkDensity > 0.2 { return true }
        if weight >= 25 && stats.linkDensity > 0.5 { return true }
        return false
    }

    private func isDataTable(_ table: MarkupElement) -> Bool {
        var counts: [String: Int] = [:]
        count(table, into: &counts)
        return counts["th", default: 0] > 0 || counts["tr", default: 0] >= 3 && counts["table", default: 0] == 0
    }

    private func count(_ e: MarkupElement, into counts: inout [String: Int]) {
        for child in e.elements {
            counts[child.name, default: 0] += 1
            count(child, into: &counts)
        }
    }

    private func contains(_ e: MarkupElement, anyOf names: Set<String>) -> Bool {
        e.elements.contains { names.contains($0.name) || contains($0, anyOf: names) }
    }

    /// A paragraph that is the page title again (sites that set their headline in a styled <p>).
    private func repeatsTitle(_ collapsed: () -> String, stats: TextStats) -> Bool {
        guard let title, stats.length >= 15, stats.length < 300 else { return false }
        let text = collapsed().lowercased()
        return text == title || (title.hasPrefix(text) && text.unicodeScalars.count * 2 > title.unicodeScalars.count)
    }

    /// A heading that repeats the page title (which usually ends in " - Site Name").
    private func duplicatesTitle(_ collapsed: () -> String) -> Bool {
        guard let title else { return false }
        let heading = collapsed().lowercased()
        guard heading.count >= 15 else { return false }
        return title.containsBytes(heading) || heading.containsBytes(title)
    }
}
