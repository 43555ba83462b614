import Foundation

/// Text measures of an element: non-space characters, those inside links, and commas (Latin, Arabic and
/// CJK), which mark sentences of prose rather than menus.
struct TextStats {
    var length = 0
    var linkLength = 0
    var commas = 0
    var linkDensity: Double { length == 0 ? 0 : Double(linkLength) / Double(length) }

    static func of(_ text: String) -> TextStats {
        var stats = TextStats()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09...0x0D, 0x20, 0xA0, 0x2000...0x200B, 0x3000: continue
            case 0x2C, 0x60C, 0xFF0C, 0x3001: stats.commas += 1; stats.length += 1
            default: stats.length += 1
            }
        }
        return stats
    }

    static func + (a: TextStats, b: TextStats) -> TextStats {
        TextStats(length: a.length + b.length, linkLength: a.linkLength + b.linkLength, commas: a.commas + b.commas)
    }
}

/// Scores of the containers in a page: each paragraph of prose adds to the containers above it, the
/// nearest most. A reference type: the measures are cached per element while the tree is read.
final class CandidateScores {
    private var scores: [ObjectIdentifier: Double] = [:]
    private var candidates: [MarkupElement] = []
    private(set) var parent: [ObjectIdentifier: MarkupElement] = [:]
    private var cache: [ObjectIdentifier: TextStats] = [:]

    /// Paragraph elements, scored whole; other containers score the text they hold directly.
    static let paragraphs: Set<String> = ["p", "pre", "td"]

    func score(of element: MarkupElement) -> Double? { scores[ObjectIdentifier(element)] }

    /// Measures of the element's whole text, cached (call `forget` after changing the tree below it).
    func stats(_ element: MarkupElement) -> TextStats {
        if let known = cache[ObjectIdentifier(element)] { return known }
        let total = measure(element, blocks: true)
        cache[ObjectIdentifier(element)] = total
        return total
    }

    func forget() { cache.removeAll(keepingCapacity: true) }

    /// Measures of the text an element holds outside its block children.
    func inlineStats(_ element: MarkupElement) -> TextStats { measure(element, blocks: false) }

    /// The children's text, a link's all counted as link text; `blocks` false leaves block children out.
    private func measure(_ element: MarkupElement, blocks: Bool) -> TextStats {
        var total = TextStats()
        for child in element.children {
            switch child {
            case .text(let s): total = total + TextStats.of(s)
            case .utf8(let b): total = total + TextStats.of(String(decoding: b, as: UTF8.self))
            case .element(let e):
                guard blocks || !BoilerplateHints.blocks.contains(e.name) else { continue }
                var s = stats(e)
                if e.name == "a" { s.linkLength = s.length }
                total = total + s
            }
        }
        return total
    }

    func score(_ body: MarkupElement) {
        var ancestors: [MarkupElement] = []
        visit(body, ancestors: &ancestors)
        for candidate in candidates {
            let id = ObjectIdentifier(candidate)
            scores[id, default: 0] *= 1 - stats(candidate).linkDensity
        }
    }

    private func visit(_ element: MarkupElement, ancestors: inout [MarkupElement]) {
        if let p = ancestors.last { parent[ObjectIdentifier(element)] = p }
        if Self.paragraphs.contains(element.name) {
            let s = stats(element)
            if s.length >= 25 { add(paragraphScore(s), to: ancestors, startingWith: nil) }
            if element.name != "td" { return }
        } else if element.name != "body", BoilerplateHints.blocks.contains(element.name) {
            let s = inlineStats(element)
            if s.length >= 25 { add(paragraphScore(s), to: ancestors, startingWith: element) }
        }
        ancestors.append(element)
        for child in element.elements { visit(child, ancestors: &ancestors) }
        ancestors.removeLast()
    }

    private func paragraphScore(_ s: TextStats) -> Double {
        1 + Double(s.commas) + min(Double(s.length / 100), 3)
    }

    /// Adds a paragraph's score to its container (whole), the one above (half), and further ones less.
    private func add(_ value: Double, to ancestors: [MarkupElement], startingWith own: MarkupElement?) {
        var chain: [MarkupElement] = own.map { [$0] } ?? []
        for ancestor in ancestors.reversed() {
            if chain.count >= 5 { break }
            chain.append(ancestor)
        }
        for (level, container) in chain.enumerated() {
            let id = ObjectIdentifier(container)
            if scores[id] == nil {
                scores[id] = initialScore(container)
                candidates.append(container)
            }
            let divider = level == 0 ? 1.0 : level == 1 ? 2.0 : Double(level) * 3
            scores[id, default: 0] += value / divider
        }
    }

    private func initialScore(_ element: MarkupElement) -> Double {
        var score: Double
        switch element.name {
        case "article": score = 10
        case "div", "main", "section": score = 5
        case "pre", "td", "blockquote": score = 3
        case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": score = -3
        case "h1", "h2", "h3", "h4", "h5", "h6", "th": score = -5
        default: score = 0
        }
        if element.attribute("itemprop") == "articleBody" { score += 30 }
        return score + BoilerplateHints.weight(element)
    }

    /// The container most likely to be the article.
    func bestCandidate(in body: MarkupElement) -> MarkupElement {
        let ranked = candidates.sorted { (scores[ObjectIdentifier($0)] ?? 0) > (scores[ObjectIdentifier($1)] ?? 0) }
        guard var top = ranked.first, top !== body else { return body }
        let topScore = score(of: top) ?? 0
        // Several near-best candidates under one ancestor: the article is that ancestor, cut into parts.
        let close = ranked.dropFirst().prefix(5).filter { (score(of: $0) ?? 0) >= topScore * 0.75 }
        if close.count >= 3 {
            var ancestor = parent[ObjectIdentifier(top)]
            while let a = ancestor, a !== body {
                if close.filter({ isAncestor(a, of: $0) }).count >= 3 { top = a; break }
                ancestor = parent[ObjectIdentifier(a)]
            }
        }
        // Climb while the container above scores higher: the article was split below it.
        var lastScore = score(of: top) ?? 0
        var above = parent[ObjectIdentifier(top)]
        while let a = above, a !== body {
            guard let s = score(of: a) else { above = parent[ObjectIdentifier(a)]; continue }
            if s < topScore / 3 { break }
            if s > lastScore { top = a; break }
            lastScore = s
            above = parent[ObjectIdentifier(a)]
        }
        // The article cut into chunks of one kind (a class) between ads and widgets: the chunks' nearest
        // common container is the article.
        if let kind = top.attribute("class"), !kind.isEmpty {
            let chunks = candidates.filter { $0 !== top && $0.attribute("class") == kind && (score(of: $0) ?? 0) >= max(10, topScore * 0.2) }
            if !chunks.isEmpty, let common = commonAncestor(of: [top] + chunks), common !== body { top = common }
        }
        // A wrapper with nothing else in it adds nothing; its parent may hold the siblings.
        while let a = parent[ObjectIdentifier(top)], a !== body, a.elements.count == 1 { top = a }
        return top
    }

    /// The nearest element that holds all of `elements`.
    func commonAncestor(of elements: [MarkupElement]) -> MarkupElement? {
        guard let first = elements.first else { return nil }
        var chain: [MarkupElement] = []
        var p = parent[ObjectIdentifier(first)]
        while let q = p { chain.append(q); p = parent[ObjectIdentifier(q)] }
        return chain.first { a in elements.dropFirst().allSatisfy { $0 === a || isAncestor(a, of: $0) } }
    }

    func isAncestor(_ a: MarkupElement, of e: MarkupElement) -> Bool {
        var p = parent[ObjectIdentifier(e)]
        while let q = p { if q === a { return true }; p = parent[ObjectIdentifier(q)] }
        return false
    }
}
