import Foundation

/// Receives an HTML fragment as a stream of events; attribute values arrive decoded.
protocol MarkupEventSink: AnyObject {
    func startElement(_ name: String, attributes: [(name: String, value: String)])
    func endElement(_ name: String)
    func characters(_ bytes: UnsafeRawBufferPointer)
}

private final class TextSink: MarkupEventSink {
    var out: [UInt8] = []
    private var open: [Bool] = [] // whether each open element hides its text
    private var hidden = 0

    func startElement(_ name: String, attributes: [(name: String, value: String)]) {
        let hides = name == "script" || name == "style"
        open.append(hides)
        if hides { hidden += 1 }
        // Block boundaries separate words.
        if name == "br" || name == "p" || name == "div" || name == "li" { out.append(0x20) }
    }

    func endElement(_ name: String) {
        if open.popLast() == true { hidden -= 1 }
    }

    func characters(_ bytes: UnsafeRawBufferPointer) {
        if hidden == 0 { out.append(contentsOf: bytes) }
    }
}

/// Turns feed text (possibly HTML) into plain, whitespace-collapsed text.
public enum PlainText {
    /// Strips tags and decodes references when the text looks like HTML, then collapses whitespace.
    public static func fromHTML(_ text: String) -> String {
        guard text.containsByte(where: { $0 == 0x3C || $0 == 0x26 }) else { return collapse(text) }
        var source = text
        if let decoded = source.withUTF8({ WellNestedFragment.text($0) }) {
            return collapse(decoded)
        }
        return fromHTMLWithLibXML(text)
    }

    /// The general path: libxml2's HTML parser, for text `WellNestedFragment.text` does not take.
    static func fromHTMLWithLibXML(_ text: String) -> String {
        let sink = TextSink()
        guard HTMLFragmentStream.parse(text, into: sink) else { return collapse(text) }
        return collapse(String(decoding: sink.out, as: UTF8.self))
    }

    /// Collapses every run of Unicode whitespace (U+00A0 included) to one space, and trims.
    public static func collapse(_ text: String) -> String {
        // Byte-level: the whitespace `isFeedWhitespace` lists is recognised by its UTF-8 form. Text that is
        // already collapsed (most titles) is returned as it is; other text is written once, into a string's
        // own storage: appending to an array byte by byte cost 3% of a cold import.
        var copy = text
        return copy.withUTF8 { bytes -> String in
            guard let first = firstChange(bytes) else { return text }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                // Words are copied a stretch at a time, up to the next byte that may start whitespace.
                guard let source = bytes.baseAddress, let target = out.baseAddress else { return 0 }
                target.update(from: source, count: first)
                var n = first
                var pendingSpace = false
                var i = first
                while i < bytes.count {
                    var end = i
                    while end < bytes.count && !mayStartWhitespace(source[end]) { end += 1 }
                    if end == i {
                        let width = whitespaceWidth(bytes, at: i)
                        if width > 0 {
                            pendingSpace = n > 0
                            i += width
                            continue
                        }
                        end = i + 1 // a lead byte of some other character
                    }
                    if pendingSpace { target[n] = 0x20; n += 1; pendingSpace = false }
                    (target + n).update(from: source + i, count: end - i)
                    n += end - i
                    i = end
                }
                return n
            }
        }
    }

    /// ASCII whitespace, and the lead bytes of the other whitespace characters' UTF-8 forms.
    @inline(__always)
    private static func mayStartWhitespace(_ c: UInt8) -> Bool {
        c <= 0x20 ? (c >= 0x1C || (c >= 0x09 && c <= 0x0D)) : (c == 0xC2 || c == 0xE1 || c == 0xE2 || c == 0xE3)
    }

    /// Where `collapse` first departs from a plain copy: the start of the first whitespace run that is not
    /// one space between two words. Nil when the text is already collapsed.
    private static func firstChange(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var run = -1 // start of the whitespace run `i` is in, or -1
        var i = 0
        while i < bytes.count {
            guard whitespaceWidth(bytes, at: i) > 0 else {
                run = -1
                i += 1
                continue
            }
            if run >= 0 || i == 0 || bytes[i] != 0x20 { return run >= 0 ? run : i }
            run = i
            i += 1
        }
        return run >= 0 ? run : nil
    }

    /// The length of the whitespace character at `i` (see `isFeedWhitespace`), or 0.
    private static func whitespaceWidth(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) ? 1 : 0 }
        let n = b.count
        switch c {
        case 0xC2: return i + 1 < n && (b[i + 1] == 0x85 || b[i + 1] == 0xA0) ? 2 : 0 // U+0085, U+00A0
        case 0xE1: return i + 2 < n && b[i + 1] == 0x9A && b[i + 2] == 0x80 ? 3 : 0 // U+1680
        case 0xE2:
            guard i + 2 < n else { return 0 }
            if b[i + 1] == 0x80 { // U+2000–200A, U+2028, U+2029, U+202F
                let d = b[i + 2]
                return (d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF ? 3 : 0
            }
            return b[i + 1] == 0x81 && b[i + 2] == 0x9F ? 3 : 0 // U+205F
        case 0xE3: return i + 2 < n && b[i + 1] == 0x80 && b[i + 2] == 0x80 ? 3 : 0 // U+3000
        default: return 0
        }
    }
}
