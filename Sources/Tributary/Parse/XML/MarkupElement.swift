import Foundation

/// An element of a parsed XML or HTML document.
final class MarkupElement {
    /// Local name, lower-cased for HTML, as written for XML.
    let name: String
    /// Namespace URI, if any.
    let namespace: String?
    /// Prefix as written in the document, kept to recognise undeclared prefixes.
    let prefix: String?
    var attributes: [(name: String, namespace: String?, value: String)]
    var children: [MarkupNode] = []
    /// The effective base URI after applying `xml:base` on this element and its ancestors.
    var base: String?
    /// What adapters match on: see `MarkupElement.key(name:namespace:prefix:)`.
    let key: String

    init(name: String, namespace: String?, prefix: String?,
         attributes: [(name: String, namespace: String?, value: String)], base: String?, key: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.prefix = prefix
        self.attributes = attributes
        self.base = base
        self.key = key ?? Self.key(name: name, namespace: namespace, prefix: prefix)
    }

    /// Releases descendants one at a time: the default, recursive release of a deep tree overflows the
    /// stack (the depth is also bounded at parse time; this keeps teardown safe for any tree).
    deinit {
        guard children.contains(where: { if case .element = $0 { true } else { false } }) else { return }
        var doomed: [MarkupElement] = []
        for case .element(let e) in children { doomed.append(e) }
        children = []
        while let element = doomed.popLast() {
            for case .element(let e) in element.children { doomed.append(e) }
            element.children = []
        }
    }

    func attribute(_ name: String) -> String? {
        for attribute in attributes where attribute.name == name { return attribute.value }
        return nil
    }

    /// Text of the element and its descendants, in document order.
    var text: String {
        // Most elements hold one run of text: hand it over without copying.
        if children.count == 1, case .text(let only) = children[0] { return only }
        if children.count == 1, case .utf8(let only) = children[0] { return String(decoding: only, as: UTF8.self) }
        var out = ""
        appendText(to: &out)
        return out
    }

    private func appendText(to out: inout String) {
        for child in children {
            switch child {
            case .text(let s): out += s
            case .utf8(let bytes): out += String(decoding: bytes, as: UTF8.self)
            case .element(let e): e.appendText(to: &out)
            }
        }
    }

    var elements: [MarkupElement] {
        var found: [MarkupElement] = []
        found.reserveCapacity(children.count)
        for case .element(let e) in children { found.append(e) }
        return found
    }
}

/// A child of a `MarkupElement`.
enum MarkupNode {
    case element(MarkupElement)
    case text(String)
    /// A long run of text (an item body, mostly) kept as the UTF-8 libxml2 gave, so that one made into
    /// sanitized HTML is validated as a Swift string once, on the way out, rather than twice.
    case utf8([UInt8])
}
