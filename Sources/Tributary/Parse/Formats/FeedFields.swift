import Foundation

enum FeedFields {
    /// `me@x.org (Jane Doe)` and `Jane Doe <me@x.org>` give the name; a bare address stays.
    static func rssAuthor(_ raw: String) -> String? {
        let text = PlainText.collapse(raw)
        guard !text.isEmpty else { return nil }
        // Most authors are a plain name: no need for the character-level searches below.
        guard text.utf8.contains(where: { $0 == 0x28 || $0 == 0x3C }) else { return text }
        // The delimiters are ASCII: search the UTF-8 view, whose indices slice the string as well.
        let utf8 = text.utf8
        if let open = utf8.firstIndex(of: 0x28), let close = utf8.lastIndex(of: 0x29), open < close {
            let inside = text[utf8.index(after: open)..<close].trimmed
            let outside = text[..<open].trimmed
            // "me@x.org (Jane Doe)" names her inside; "Jane Doe (me@x.org)" outside.
            if inside.utf8.contains(0x40) && !outside.isEmpty && !outside.utf8.contains(0x40) { return outside }
            if !inside.isEmpty { return inside }
        }
        if let lt = utf8.firstIndex(of: 0x3C), utf8.last == 0x3E {
            let name = text[..<lt].trimmed
            if !name.isEmpty { return name }
        }
        return text
    }

    static func enclosure(url: String?, type: String?, length: String?, element: MarkupElement) -> Enclosure? {
        guard let url = url?.trimmed, !url.isEmpty else { return nil }
        let t = type?.trimmed.lowercased()
        return Enclosure(url: element.resolve(url), type: (t?.isEmpty ?? true) ? nil : t,
                         length: length.flatMap { Int($0.trimmed) })
    }

    /// Plain text of a title-like element that may carry HTML.
    static func plain(_ element: MarkupElement) -> String? {
        let t = PlainText.fromHTML(element.markup)
        return t.isEmpty ? nil : t
    }

    static func date(_ element: MarkupElement) -> Date? {
        FeedDate.parse(element.text)
    }

    /// XHTML content (Atom `type="xhtml"`, `xhtml:body`) as sanitized HTML. Text inside counts as
    /// HTML source, as feedparser reads it.
    static func xhtml(_ element: MarkupElement) -> String? {
        var source = ""
        unwrapped(element).appendMarkup(to: &source, escapingText: true)
        return html(source, base: element.base)
    }

    /// Atom wraps XHTML content in one <div> that is not part of the content.
    static func unwrapped(_ element: MarkupElement) -> MarkupElement {
        let elements = element.elements
        let onlyWhitespaceText = element.children.allSatisfy {
            switch $0 {
            case .text(let t): return t.isBlank
            case .utf8(let bytes): return String(decoding: bytes, as: UTF8.self).isBlank
            case .element: return true
            }
        }
        if elements.count == 1, onlyWhitespaceText, elements[0].name.lowercased() == "div" { return elements[0] }
        return element
    }

    static func html(_ text: String, base: String?) -> String? {
        guard !text.isBlank else { return nil }
        return HTMLSanitizer.sanitize(text, base: base)
    }

    /// `html(_:base:)` for text held as UTF-8 bytes (long bodies), made a String only once sanitized.
    static func html(utf8 bytes: UnsafeBufferPointer<UInt8>, base: String?) -> String? {
        // Blank as `isBlank` sees it: leading ASCII whitespace is skipped here, anything else decoded.
        guard let first = bytes.firstIndex(where: { !($0 >= 0x09 && $0 <= 0x0D) && !($0 >= 0x1C && $0 <= 0x20) }) else { return nil }
        if bytes[first] >= 0x80, String(decoding: bytes, as: UTF8.self).isBlank { return nil }
        return HTMLSanitizer.sanitize(utf8: bytes, base: base)
    }

    /// An element holding HTML: escaped text as usual, or markup written straight into the XML.
    static func html(_ element: MarkupElement) -> String? {
        if element.children.contains(where: { if case .element = $0 { return true } else { return false } }) {
            // Like feedparser: the text around naked tags is HTML source too, not literal text.
            var source = ""
            unwrapped(element).appendMarkup(to: &source)
            return html(source, base: element.base)
        }
        if element.children.count == 1, case .utf8(let bytes) = element.children[0] {
            // A long body: sanitized from its bytes, made a String once.
            return bytes.withUnsafeBufferPointer { html(utf8: $0, base: element.base) }
        }
        return html(element.text, base: element.base)
    }
}
