import Foundation

extension MarkupElement {
    /// `prefix:local` with the canonical prefix, lower-cased; plain `local` for the format's own elements.
    static func key(name: String, namespace: String?, prefix: String?) -> String {
        let local = name.lowercased()
        if let namespace {
            if let p = Namespaces.prefixes[namespace] { return p.isEmpty ? local : "\(p):\(local)" }
            if namespace.hasPrefix("http://purl.org/dc/elements/") { return "dc:\(local)" }
            return "\(prefix ?? "ns"):\(local)"
        }
        if let prefix { return "\(prefix.lowercased()):\(local)" }
        return local
    }

    func child(_ key: String) -> MarkupElement? {
        for case .element(let e) in children where e.key == key { return e }
        return nil
    }

    /// Trimmed text, or nil when empty.
    var value: String? {
        let t = text.trimmed
        return t.isEmpty ? nil : t
    }

    /// Text, or HTML source when the element holds naked tags.
    var markup: String {
        guard children.contains(where: { if case .element = $0 { return true } else { return false } }) else { return text }
        var source = ""
        appendMarkup(to: &source)
        return source
    }

    /// The children as HTML source: elements as tags; text as it was decoded from the XML (naked
    /// markup in RSS, where feedparser reads it as HTML), or escaped again (true XHTML).
    func appendMarkup(to out: inout String, escapingText: Bool = false) {
        for child in children {
            switch child {
            case .text(let t): out += escapingText ? HTMLSanitizer.escapeText(t) : t
            case .utf8(let bytes):
                let t = String(decoding: bytes, as: UTF8.self)
                out += escapingText ? HTMLSanitizer.escapeText(t) : t
            case .element(let e):
                out += "<" + e.name
                for attribute in e.attributes where attribute.namespace == nil {
                    out += " \(attribute.name)=\"\(HTMLSanitizer.escapeAttribute(attribute.value))\""
                }
                out += ">"
                e.appendMarkup(to: &out, escapingText: escapingText)
                out += "</\(e.name)>"
            }
        }
    }

    /// Resolves a URL written in this element against its effective base.
    func resolve(_ url: String) -> String {
        URIResolver.resolve(url.trimmed, against: base)
    }
}

/// Mapping rules several XML adapters share.
