/// Sanitizes HTML fragments written as plain, well-nested markup in one pass over their bytes,
/// with exactly the result libxml2's HTML parser followed by `SanitizingSink` gives them.
///
/// Most feed bodies are such fragments, and libxml2 2.9's HTML parser reads them at about
/// 55 MB/s, which made it most of the parse time. Anything outside the subset (scripts, unknown or
/// disallowed tags, unquoted or valueless attributes, mismatched end tags, a start tag libxml2 would
/// auto-close an open element for, `<` as text, CDATA and processing instructions, control characters,
/// U+FFFE) returns nil, and the caller hands the fragment to libxml2 as before; plain comments are
/// handled. Tests compare both paths on every body of the conformance corpus and re-probe libxml2's
/// auto-close rules.
enum WellNestedFragment {
    /// Sanitized HTML for `source`, or nil when libxml2 must read it.
    static func sanitize(_ source: UnsafeBufferPointer<UInt8>, base: String?) -> String? {
        guard source.count > 0 else { return "" }
        var scanner = Scanner(source: source, base: base)
        return scanner.run() ? String(decodingStretches: scanner.out.bytes) : nil
    }

    /// The text libxml2's HTML parser and `TextSink` give for the same subset of fragments: references
    /// decoded, nothing escaped, a space where `br`, `p`, `div` or `li` starts. (Fingerprints read
    /// sanitized bodies this way, and titles.) Nil for anything outside the subset.
    static func text(_ source: UnsafeBufferPointer<UInt8>) -> String? {
        var scanner = Scanner(source: source, base: nil, textOnly: true)
        return scanner.run() ? String(decodingStretches: scanner.out.bytes) : nil
    }

    /// Allowed element names (the sanitizer's list), indexed; the index is an element's id.
    static let elements: [String] = HTMLSanitizer.allowedElements.filter { !HTMLSanitizer.droppedVoid.contains($0) }.sorted()
    /// Packed names with the element id of each.
    private static let elementKeys: [(key: UInt64, id: Int)] = elements.enumerated().map { (pack($0.element.utf8), $0.offset) }
    private static let divID = elements.firstIndex(of: "div")!
    static let attributes: [String] = HTMLSanitizer.allowedAttributes.sorted()
    private static let attributeKeys: [(key: UInt64, id: Int)] = attributes.enumerated().map { (pack($0.element.utf8), $0.offset) }

    /// Everything the scanner looks up per tag, in arrays indexed by id: read once per fragment.
    private struct Tables {
        let elementKeys = NameTable(WellNestedFragment.elementKeys)
        let attributeKeys = NameTable(WellNestedFragment.attributeKeys)
        let elementBytes = elements.map { Array($0.utf8) }
        let attributeBytes = attributes.map { Array($0.utf8) }
        let isVoid = elements.map { HTMLSanitizer.voidElements.contains($0) }
        let isURL = attributes.map { HTMLSanitizer.urlAttributes.contains($0) }
        /// Where `TextSink` separates words.
        let spaceBefore = elements.map { ["br", "p", "div", "li"].contains($0) }
        let closes = WellNestedFragment.closes
        let count = elements.count
    }
    private static let tables = Tables()

    /// libxml2 2.9's HTML parser closes the open element (key) when one of these starts inside it.
    /// Measured by feeding it every pair of allowed elements; `WellNestedFragmentTests` measures again.
    static let closedBy: [String: String] = [
        "a": "a table td th",
        "address": "dd dl dt li ul",
        "b": "center p td th",
        "big": "p",
        "caption": "col colgroup tbody tfoot thead tr",
        "colgroup": "colgroup tbody tfoot thead tr",
        "dd": "dt",
        "dir": "dd dl dt ul",
        "dl": "li",
        "dt": "dd dl",
        "font": "center td th",
        "h1": "li p table",
        "h2": "li p table",
        "h3": "li p table",
        "h4": "li p table",
        "h5": "li p table",
        "h6": "li p table",
        "i": "center p td th",
        "li": "li",
        "menu": "dd dl dt ul",
        "ol": "ul",
        "p": "address blockquote caption center col colgroup dd dir div dl dt h1 h2 h3 h4 h5 h6 hr li menu ol p pre table tbody td tfoot th tr ul",
        "pre": "dd dl dt li table ul",
        "s": "p",
        "small": "p",
        "span": "td th",
        "strike": "p",
        "tbody": "tbody tfoot",
        "td": "tbody td tfoot th tr",
        "tfoot": "tbody",
        "th": "tbody td tfoot th tr",
        "thead": "tbody tfoot",
        "tr": "tbody tfoot tr",
        "tt": "p",
        "u": "p td th",
        "ul": "address menu ol pre",
    ]
    /// `closes[open * count + new]`: whether starting `new` inside `open` closes `open`.
    private static let closes: [Bool] = {
        var table = [Bool](repeating: false, count: elements.count * elements.count)
        for (open, newNames) in closedBy {
            guard let o = elements.firstIndex(of: open) else { continue }
            for new in newNames.split(separator: " ") {
                if let n = elements.firstIndex(of: String(new)) { table[o * elements.count + n] = true }
            }
        }
        return table
    }()

    /// Six bits per character (a–z, 0–9), up to ten characters; 0 when a name does not fit.
    static func pack<Name: Collection<UInt8>>(_ name: Name) -> UInt64 {
        guard !name.isEmpty, name.count <= 10 else { return 0 }
        var key: UInt64 = 0
        for byte in name {
            let code: UInt64
            switch byte {
            case 0x61...0x7A: code = UInt64(byte - 0x61) + 1
            case 0x41...0x5A: code = UInt64(byte - 0x41) + 1
            case 0x30...0x39: code = UInt64(byte - 0x30) + 27
            default: return 0
            }
            key = key << 6 | code
        }
        return key
    }

    /// Open addressing over 256 slots (the tables hold under a hundred names): usually one probe.
    struct NameTable {
        private var slots = [(key: UInt64, id: Int)](repeating: (0, -1), count: 256)

        init(_ entries: [(key: UInt64, id: Int)]) {
            for entry in entries {
                var slot = Self.slot(entry.key)
                while slots[slot].id >= 0 { slot = (slot + 1) & 255 }
                slots[slot] = entry
            }
        }

        static func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56) }

        func id(_ key: UInt64) -> Int? {
            guard key != 0 else { return nil }
            var slot = Self.slot(key)
            while true {
                let entry = slots[slot]
                if entry.id < 0 { return nil }
                if entry.key == key { return entry.id }
                slot = (slot + 1) & 255
            }
        }
    }

    private struct Scanner: ~Copyable {
        let p: UnsafeBufferPointer<UInt8>
        let base: String?
        let t = WellNestedFragment.tables
        /// Text for `PlainText` instead of sanitized HTML.
        let textOnly: Bool
        var i = 0
        var out: ByteWriter
        var stack: [Int] = []
        var value: [UInt8] = []

        init(source: UnsafeBufferPointer<UInt8>, base: String?, textOnly: Bool = false) {
            self.textOnly = textOnly
            p = source
            self.base = base
            out = ByteWriter(capacity: source.count + source.count / 8)
        }

        mutating func run() -> Bool {
            let n = p.count
            let raw = UnsafeRawPointer(p.baseAddress!)
            while i < n {
                let start = i
                // Eight bytes at a time through text with nothing to do; the lowest flagged byte of a
                // word is exactly the first one to look at.
                while i + 8 <= n {
                    let flagged = Self.stops(ByteScan.word(raw, i))
                    if flagged != 0 { i += flagged.trailingZeroBitCount >> 3; break }
                    i += 8
                }
                if i + 8 > n {
                    while i < n {
                        let b = p[i]
                        if b == 0x3C || b == 0x26 || b == 0x3E || b < 0x20 || b == 0xEF { break }
                        i += 1
                    }
                }
                if i > start { out.append(UnsafeBufferPointer(rebasing: p[start..<i])) }
                guard i < n else { break }
                switch p[i] {
                case 0x3E:
                    if textOnly { out.append(0x3E) } else { out.append("&gt;") }
                    i += 1
                case 0x09, 0x0A:
                    out.append(p[i])
                    i += 1
                case 0xEF:
                    guard !isNonCharacter(at: i) else { return false }
                    out.append(p[i])
                    i += 1
                case 0x26:
                    guard let scalar = reference() else { return false }
                    if textOnly { Scanner.appendUTF8(scalar, to: &out) } else { Scanner.appendEscaped(scalar, to: &out) }
                case 0x3C:
                    guard i + 1 < n else { return false }
                    switch p[i + 1] {
                    case 0x2F: guard endTag() else { return false }
                    case 0x21: guard comment() else { return false }
                    default: guard startTag() else { return false }
                    }
                default:
                    return false // control characters: libxml2 treats them its own way
                }
            }
            // libxml2 closes whatever is still open at the end of the fragment.
            while let id = stack.popLast() { if !textOnly { appendEndTag(id) } }
            return true
        }

        /// Name bytes from `i`: ASCII letters and digits, starting with a letter.
        mutating func name() -> Slice<UnsafeBufferPointer<UInt8>>? {
            let start = i
            guard i < p.count, isLetter(p[i]) else { return nil }
            while i < p.count, isLetter(p[i]) || (p[i] >= 0x30 && p[i] <= 0x39) { i += 1 }
            return p[start..<i]
        }

        mutating func skipBlanks() {
            while i < p.count, isBlank(p[i]) { i += 1 }
        }

        /// Space, tab or newline (CR is left to libxml2).
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 }

        /// What may follow a tag name or an attribute value: a blank, `>` or `/`.
        func endsName(at index: Int) -> Bool {
            index < p.count && (isBlank(p[index]) || p[index] == 0x3E || p[index] == 0x2F)
        }

        mutating func endTag() -> Bool {
            i += 2
            guard let tag = name(), let id = t.elementKeys.id(pack(tag)) else { return false }
            skipBlanks()
            guard i < p.count, p[i] == 0x3E, stack.last == id else { return false }
            i += 1
            stack.removeLast()
            if !textOnly { appendEndTag(id) }
            return true
        }

        /// `<!-- … -->` without `--` inside; libxml2 reports comments to a callback the sanitizer leaves unset.
        mutating func comment() -> Bool {
            guard i + 4 < p.count, p[i + 2] == 0x2D, p[i + 3] == 0x2D, p[i + 4] != 0x3E, p[i + 4] != 0x2D else { return false }
            var j = i + 4
            while j + 1 < p.count {
                if p[j] == 0x2D && p[j + 1] == 0x2D {
                    guard j + 2 < p.count, p[j + 2] == 0x3E else { return false }
                    i = j + 3
                    return true
                }
                j += 1
            }
            return false
        }

        mutating func startTag() -> Bool {
            i += 1
            guard let tag = name(), let id = t.elementKeys.id(pack(tag)) else { return false }
            guard endsName(at: i) else { return false }
            let open = stack.last ?? divID
            guard stack.count < 200, !t.closes[open * t.count + id] else { return false }
            let isVoid = t.isVoid[id]
            if textOnly {
                if t.spaceBefore[id] { out.append(0x20) }
            } else {
                out.append(0x3C)
                out.append(t.elementBytes[id])
            }
            var seen: UInt64 = 0
            while true {
                skipBlanks()
                guard i < p.count else { return false }
                if p[i] == 0x3E { i += 1; break }
                if p[i] == 0x2F {
                    // `<br/>`; libxml2 would close any element written this way, kept to void ones here.
                    guard isVoid, i + 1 < p.count, p[i + 1] == 0x3E else { return false }
                    i += 2
                    break
                }
                guard let attribute = attributeName() else { return false }
                skipBlanks()
                guard i < p.count, p[i] == 0x3D else { return false }
                i += 1
                skipBlanks()
                guard i < p.count, p[i] == 0x22 || p[i] == 0x27 else { return false }
                let quote = p[i]
                i += 1
                value.removeAll(keepingCapacity: true)
                while i < p.count, p[i] != quote {
                    let b = p[i]
                    if b == 0x26 {
                        guard let scalar = reference() else { return false }
                        Scanner.appendUTF8(scalar, to: &value)
                    } else if (b < 0x20 && b != 0x09 && b != 0x0A) || (b == 0xEF && isNonCharacter(at: i)) {
                        return false
                    } else {
                        // The plain run up to the next byte that needs a look, in one append.
                        let start = i
                        i += 1
                        while i < p.count {
                            let c = p[i]
                            if c == quote || c == 0x26 || c < 0x20 || c == 0xEF { break }
                            i += 1
                        }
                        value.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
                    }
                }
                guard i < p.count, endsName(at: i + 1) else { return false }
                i += 1
                // Duplicates: libxml2 keeps the first.
                guard !textOnly, let aid = attribute, seen & (1 << UInt64(aid)) == 0 else { continue }
                seen |= 1 << UInt64(aid)
                if t.isURL[aid] && !isPlainAbsoluteHTTP(value) {
                    let url = String(decoding: value, as: UTF8.self).trimmed
                    guard HTMLSanitizer.isSafeURL(url) else { continue }
                    value = Array(URIResolver.resolve(url, against: base).utf8)
                }
                out.append(0x20)
                out.append(t.attributeBytes[aid])
                out.append("=\"")
                value.withUnsafeBytes { HTMLSanitizer.appendEscaped($0, quotes: true, to: &out) }
                out.append(0x22)
            }
            if isVoid {
                if !textOnly { out.append(" />") }
            } else {
                if !textOnly { out.append(0x3E) }
                stack.append(id)
            }
            return true
        }

        /// An attribute name as libxml2 reads it; `.some(nil)` for a well-formed name the sanitizer drops.
        mutating func attributeName() -> Int?? {
            let start = i
            guard i < p.count, isLetter(p[i]) else { return nil }
            while i < p.count {
                let b = p[i]
                if isLetter(b) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F || b == 0x3A || b == 0x2E { i += 1 } else { break }
            }
            guard i - start < 64 else { return nil }
            return .some(t.attributeKeys.id(pack(p[start..<i])))
        }

        /// A character reference at `i` (`&`), decoded as libxml2's HTML parser decodes it: a known
        /// name or a number with `;`; any other `&` stands for itself. Nil for what libxml2 treats specially.
        mutating func reference() -> Unicode.Scalar? {
            let start = i
            i += 1
            if i < p.count, p[i] == 0x23 {
                i += 1
                var hex = false
                if i < p.count, p[i] == 0x78 || p[i] == 0x58 { hex = true; i += 1 }
                var value: UInt32 = 0
                var digits = 0
                while i < p.count, digits <= 7 {
                    let b = p[i]
                    let digit: UInt32
                    switch b {
                    case 0x30...0x39: digit = UInt32(b - 0x30)
                    case 0x61...0x66 where hex: digit = UInt32(b - 0x61) + 10
                    case 0x41...0x46 where hex: digit = UInt32(b - 0x41) + 10
                    default: digit = 99
                    }
                    if digit == 99 { break }
                    value = value * (hex ? 16 : 10) + digit
                    digits += 1
                    i += 1
                }
                guard digits > 0, digits <= 7, i < p.count, p[i] == 0x3B else { return nil }
                i += 1
                // XML's Char production, which libxml2 checks: anything else is dropped or an error.
                switch value {
                case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return Unicode.Scalar(value)
                default: return nil
                }
            }
            let nameStart = i
            while i < p.count, isLetter(p[i]) || (p[i] >= 0x30 && p[i] <= 0x39), i - nameStart < 16 { i += 1 }
            if i > nameStart, i < p.count, p[i] == 0x3B,
               let value = HTMLEntities.codePoint(UnsafeBufferPointer(rebasing: p[nameStart..<i])) {
                i += 1
                return Unicode.Scalar(value)
            }
            i = start + 1
            return "&"
        }

        mutating func appendEndTag(_ id: Int) {
            guard !t.isVoid[id] else { return }
            out.append("</")
            out.append(t.elementBytes[id])
            out.append(0x3E)
        }

        /// Nonzero when a byte of `w` needs a look in text: a control character, `<`, `>`, `&`, or 0xEF
        /// (which may start U+FFFE). `<` and `>` differ in one bit, so one test finds both.
        @inline(__always)
        static func stops(_ w: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x }
            let below = (w &- ones &* 0x20) & ~w
            let angle = zeroBytes((w | 0x0202_0202_0202_0202) ^ (ones &* 0x3E))
            return (below | angle | zeroBytes(w ^ (ones &* 0x26)) | zeroBytes(w ^ (ones &* 0xEF))) & 0x8080_8080_8080_8080
        }

        /// `http://` or `https://` followed by no whitespace or control character: safe, absolute, and
        /// unchanged by trimming and resolving, so the general URL path can be skipped.
        func isPlainAbsoluteHTTP(_ url: [UInt8]) -> Bool {
            guard url.count > 8, url[0] == 0x68, url[1] == 0x74, url[2] == 0x74, url[3] == 0x70 else { return false }
            let rest = url[4] == 0x73 ? 5 : 4
            guard url[rest] == 0x3A, url[rest + 1] == 0x2F, url[rest + 2] == 0x2F else { return false }
            // Plain ASCII without spaces or control characters; other URLs take the general path.
            return url.withUnsafeBytes { raw -> Bool in
                guard ByteScan.firstNonASCII(in: raw, from: 0) == raw.count else { return false }
                var i = 0
                while i + 8 <= raw.count {
                    if ByteScan.hasBelow(ByteScan.word(raw.baseAddress!, i), 0x21) { return false }
                    i += 8
                }
                while i < raw.count { if raw[i] <= 0x20 { return false }; i += 1 }
                return true
            }
        }

        /// U+FFFE or U+FFFF, which are not XML characters: libxml2 stops at them.
        func isNonCharacter(at index: Int) -> Bool {
            index + 2 < p.count && p[index + 1] == 0xBF && (p[index + 2] == 0xBE || p[index + 2] == 0xBF)
        }

        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

        static func appendEscaped(_ scalar: Unicode.Scalar, to out: inout ByteWriter) {
            switch scalar {
            case "&": out.append("&amp;")
            case "<": out.append("&lt;")
            case ">": out.append("&gt;")
            default: Scanner.appendUTF8(scalar, to: &out)
            }
        }

        static func appendUTF8<Sink: ByteSink & ~Copyable>(_ scalar: Unicode.Scalar, to out: inout Sink) {
            if scalar.value < 0x80 { out.append(UInt8(scalar.value)); return }
            for byte in UTF8.encode(scalar)! { out.append(byte) }
        }
    }
}
