import Foundation

/// Builds a page's tree straight from libxml2's HTML parser events, leaving out what is never article
/// as it goes: no libxml2 tree is built and freed, and no Swift nodes are made for scripts and styles.
/// For UTF-8 pages without site rules (XPath needs libxml2's own tree).
final class PageTreeBuilder: MarkupEventSink {
    private(set) var root: MarkupElement?
    private var stack: [MarkupElement] = []
    private var text: [UInt8] = []
    /// Depth inside an element that is left out with everything in it.
    private var skipping = 0
    static let leftOut: Set<String> = [
        "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "select", "textarea", "canvas",
    ]

    static func build(_ html: String) -> MarkupElement? {
        let builder = PageTreeBuilder()
        guard HTMLFragmentStream.parse(html, into: builder) else { return nil }
        return builder.root
    }

    func startElement(_ name: String, attributes: [(name: String, value: String)]) {
        if skipping > 0 { skipping += 1; return }
        // Deeper than the feed parser reads is left out too, as libxml2's tree conversion does.
        if Self.leftOut.contains(name) || stack.count >= XMLDocumentReader.maxDepth { skipping = 1; return }
        flush()
        let element = MarkupElement(name: name, namespace: nil, prefix: nil,
                                    attributes: attributes.map { ($0.name, nil, $0.value) }, base: nil)
        if let parent = stack.last { parent.children.append(.element(element)) } else if root == nil { root = element }
        stack.append(element)
    }

    func endElement(_ name: String) {
        if skipping > 0 { skipping -= 1; return }
        flush()
        _ = stack.popLast()
    }

    func characters(_ bytes: UnsafeRawBufferPointer) {
        guard skipping == 0, !stack.isEmpty else { return }
        text.append(contentsOf: bytes)
    }

    private func flush() {
        guard !text.isEmpty else { return }
        stack.last?.children.append(.text(String(decoding: text, as: UTF8.self)))
        text.removeAll(keepingCapacity: true)
    }
}
