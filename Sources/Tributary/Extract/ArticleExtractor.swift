import Foundation

/// The article of a web page, as an element tree cut from the page, and what the page says about it.
public struct ExtractedArticle {
    /// A `<div>` holding the article's blocks, cleaned of page furniture.
    let content: MarkupElement
    /// The page's title (`og:title`, else `<title>`), used to drop the headline from the body.
    public let title: String?
    /// What relative links resolve against: `<base href>` resolved against the page's address.
    public let base: String?
    /// The article's text, made once: the extractor judges its length, and callers print or store it.
    public let plainText: String

    init(content: MarkupElement, title: String?, base: String?) {
        self.content = content
        self.title = title
        self.base = base
        plainText = Self.text(of: content)
    }
}

/// Finds the article in a page: text density and commas per block, pushed up to the containers that
/// hold them, discounted by link density and by what class and id names say; the best container and
/// those of its siblings that look like it, then cleaned of furniture. The published ideas of
/// Readability, boilerpipe and jusText, rewritten for this tree.
enum ArticleExtractor {
    /// How hard names and measures are trusted. Pages that defeat a pass are read again with less of it,
    /// as Readability does: a page whose article div is named "widget" loses nothing then.
    struct Strictness: Equatable {
        var pruneByName = true
        var cleanByMeasure = true
        static let passes = [Strictness(), Strictness(pruneByName: false), Strictness(pruneByName: false, cleanByMeasure: false)]
    }

    /// `whole`: the page is already the article (a site rule chose it); it is only cleaned.
    static func extract(page root: MarkupElement, url: String?, whole: Bool = false, strictness: Strictness = Strictness()) -> ExtractedArticle? {
        var title: String?, ogTitle: String?, base = url.flatMap { $0.isEmpty ? nil : $0 }
        readHead(root, title: &title, ogTitle: &ogTitle, base: &base, pageURL: url)
        let pageTitle = ogTitle ?? title
        let body = first(named: "body", in: root) ?? root
        prune(body, byName: strictness.pruneByName)
        let scores = CandidateScores()
        scores.score(body)
        let content: MarkupElement
        var top: MarkupElement?
        if whole {
            content = MarkupElement(name: "div", namespace: nil, prefix: nil, attributes: [], base: nil)
            swap(&content.children, &body.children)
        } else {
            top = scores.bestCandidate(in: body)
            content = gather(around: top!, scores: scores)
            // The page's tree empties itself when released (`MarkupElement.deinit`): the article leaves it.
            detach(content.elements, from: root)
        }
        ArticleCleaning(title: pageTitle, scores: scores, byMeasure: strictness.cleanByMeasure).clean(content, top: top)
        guard !content.children.isEmpty else { return nil }
        return ExtractedArticle(content: content, title: pageTitle.map(PlainText.collapse), base: base)
    }

    /// Title, `og:title` and `<base href>`, from wherever the parser put them.
    private static func readHead(_ element: MarkupElement, title: inout String?, ogTitle: inout String?, base: inout String?, pageURL: String?) {
        for child in element.elements {
            switch child.name {
            case "title": if title == nil { title = child.text }
            case "meta":
                if (child.attribute("property") ?? child.attribute("name")) == "og:title", let value = child.attribute("content") { ogTitle = value }
            case "base": if let href = child.attribute("href"), !href.isBlank { base = URIResolver.resolve(href.trimmed, against: pageURL) }
            case "body": continue
            default: readHead(child, title: &title, ogTitle: &ogTitle, base: &base, pageURL: pageURL)
            }
        }
    }

    private static func detach(_ kept: [MarkupElement], from element: MarkupElement) {
        let ids = Set(kept.map(ObjectIdentifier.init))
        func walk(_ e: MarkupElement) {
            e.children.removeAll { if case .element(let c) = $0 { ids.contains(ObjectIdentifier(c)) } else { false } }
            for child in e.elements { walk(child) }
        }
        walk(element)
    }

    static func first(named name: String, in element: MarkupElement) -> MarkupElement? {
        if element.name == name { return element }
        for child in element.elements { if let found = first(named: name, in: child) { return found } }
        return nil
    }

    /// Removes what is never article: scripts, forms' controls, navigation, hidden parts, and parts whose
    /// class or id name them as chrome (unless they also name themselves article).
    /// `byName`: also parts named as chrome (a later pass turns it off for pages whose article wrapper
    /// has such a name).
    static func prune(_ element: MarkupElement, byName: Bool) {
        element.children.removeAll { node in
            guard case .element(let child) = node else { return false }
            return isPruned(child, byName: byName)
        }
        for child in element.elements { prune(child, byName: byName) }
    }

    static let chromeRoles: Set<String> = ["navigation", "complementary", "banner", "contentinfo", "dialog", "menu"]

    static func isPruned(_ child: MarkupElement, byName: Bool) -> Bool {
        if BoilerplateHints.neverContent.contains(child.name) || BoilerplateHints.isHidden(child) { return true }
        if child.name == "aside" || child.name == "footer" { return true }
        let words = BoilerplateHints.attributeText(child)
        if byName, child.name != "body", child.name != "article", child.name != "main", child.attribute("itemprop") != "articleBody",
           BoilerplateHints.matches(words, any: BoilerplateHints.unlikely), !BoilerplateHints.matches(words, any: BoilerplateHints.maybe) {
            return true
        }
        return child.attribute("role").map(chromeRoles.contains) == true
    }

    /// The best candidate and its siblings that look like it, in a fresh `<div>`.
    static func gather(around top: MarkupElement, scores: CandidateScores) -> MarkupElement {
        let content = MarkupElement(name: "div", namespace: nil, prefix: nil, attributes: [], base: nil)
        guard let parent = scores.parent[ObjectIdentifier(top)] else {
            content.children = [.element(top)]
            return content
        }
        let topScore = scores.score(of: top) ?? 0
        let threshold = max(10, topScore * 0.2)
        let topClass = top.attribute("class") ?? ""
        for node in parent.children {
            guard case .element(let sibling) = node else { continue }
            if sibling === top { content.children.append(node); continue }
            var bonus = 0.0
            if !topClass.isEmpty, sibling.attribute("class") == topClass { bonus += topScore * 0.2 }
            if let s = scores.score(of: sibling), s + bonus >= threshold { content.children.append(node); continue }
            // The article's lead picture often sits beside its text, not in it.
            if sibling.name == "figure", scores.stats(sibling).linkDensity < 0.5 { content.children.append(node); continue }
            if sibling.name == "p" {
                let stats = scores.stats(sibling)
                let density = stats.linkDensity
                if stats.length > 80 && density < 0.25 { content.children.append(node); continue }
                if stats.length > 0 && stats.length <= 80 && density == 0, let last = PlainText.collapse(sibling.text).last, ".!?。؟۔".contains(last) {
                    content.children.append(node)
                }
            }
        }
        return content
    }
}
