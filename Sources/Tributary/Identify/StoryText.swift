import Foundation

/// What near-duplicate detection reads of a story: its letters once the differences outlets introduce
/// when they re-publish agency copy are folded away, and its numbers with the word after each.
///
/// Folded: compatibility forms (Arabic presentation forms, full-width Latin), case, Arabic and Urdu
/// diacritics, tatweel and zero-width characters; the letter variants that Arabic and Urdu keyboards give
/// for one letter (ي ى ئ → ی, ك → ک, ه ة ۃ ۀ → ہ, أ إ آ ٱ → ا, ؤ → و, ۓ → ے); Arabic-Indic and Persian
/// digits to ASCII. Whatever is not a letter, mark or digit separates words. The dateline ("KARACHI, Dec 1
/// (APP):", "سیالکوٹ ۔ 07 ستمبر (اے پی پی)") goes: each outlet writes its own.
public struct StoryText: Sendable, Equatable {
    /// The body's letters with the words run together: Urdu word spacing differs from paper to paper
    /// ("اورچین" / "اور چین"), so shingles span word boundaries.
    let letters: [UInt32]
    /// Where each body word ends in `letters`.
    let wordEnds: [Int32]
    let titleLetters: [UInt32]
    /// Numbers of the title and body, each with the word that follows it ("31 killed").
    let numbers: [NumberInContext]
    /// Words of the whole body, past `maxWords` too, counted by the spaces between them: how long the story
    /// is, which `SameStory` weighs against the other's (a paper's own article quoting agency copy is
    /// longer than the copy; a re-publication is as long or trimmed).
    public let extent: Int

    struct NumberInContext: Sendable, Equatable {
        var value: String
        /// The next word when it is not itself a number; nil at the end.
        var next: String?
    }

    public var wordCount: Int { wordEnds.count }

    /// `title` and `text` are plain text (no markup); `maxWords` stops reading the body after that many words.
    public init(title: String?, text: String?, maxWords: Int = .max) {
        var body = Folded()
        body.maxWords = maxWords
        let story = Self.withoutDateline(text ?? "")
        body.append(story)
        extent = Self.spacedWords(story)
        var heading = Folded()
        heading.append(Substring(title ?? ""))
        letters = body.letters
        wordEnds = body.wordEnds
        titleLetters = heading.letters
        numbers = heading.numbers() + body.numbers()
    }

    /// The first `words` words of a text, all a sketch needs: no title, no numbers.
    public init(lead text: String, words: Int) {
        var body = Folded()
        body.maxWords = words
        body.append(Self.withoutDateline(text))
        letters = body.letters
        wordEnds = body.wordEnds
        titleLetters = []
        numbers = []
        extent = body.wordEnds.count
    }

    /// Runs of characters between spaces that hold a letter or digit (any byte from 0x80 counts as one: a
    /// coarse measure, the same for both texts compared, and a byte scan however long the text).
    static func spacedWords(_ text: Substring) -> Int {
        var count = 0
        var inWord = false
        var counted = false
        for byte in text.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                inWord = false
            default:
                if !inWord { inWord = true; counted = false }
                if !counted && (byte >= 0x80 || (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte | 0x20)) {
                    count += 1
                    counted = true
                }
            }
        }
        return count
    }

    /// The letters of the first `words` words.
    func lead(_ words: Int) -> ArraySlice<UInt32> {
        guard words < wordEnds.count else { return letters[...] }
        return words <= 0 ? [] : letters[..<Int(wordEnds[words - 1])]
    }

    // MARK: folding

    private struct Folded {
        var letters: [UInt32] = []
        var wordEnds: [Int32] = []
        var inWord = false

        /// Whether the last scalar appended was a digit, and a digit-joining mark ("4,000", "0.71", "3-1",
        /// "2:30") is waiting to see whether a digit follows it.
        var lastWasDigit = false
        var pendingJoin = false
        var maxWords = Int.max

        mutating func append(_ text: Substring) {
            let reach = maxWords == .max ? Int.max : maxWords * 32
            // A native string is read in place; only a text that compatibility mapping changes is copied.
            let inPlace: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
                guard !Self.needsCompatibilityMapping(bytes, reach: reach) else { return false }
                append(utf8: bytes)
                return true
            }
            if inPlace != true {
                var copy = String(text)
                if inPlace == false || copy.withUTF8({ Self.needsCompatibilityMapping($0, reach: reach) }) {
                    copy = copy.precomposedStringWithCompatibilityMapping
                }
                copy.withUTF8 { append(utf8: $0) }
            }
            if inWord { endWord() }
            pendingJoin = false
        }

        /// Reads valid UTF-8 (a Swift string's) a scalar at a time, decoding inline: ASCII, most of the
        /// news this reads, never goes through Unicode's property tables.
        private mutating func append(utf8 bytes: UnsafeBufferPointer<UInt8>) {
            // Room for the words read at once: a lead fills its arrays without growing them.
            letters.reserveCapacity(min(maxWords == .max ? bytes.count / 2 : bytes.count, maxWords == .max ? .max : maxWords * 8))
            wordEnds.reserveCapacity(min(bytes.count / 2 + 1, maxWords))
            var i = 0
            let count = bytes.count
            // Reading stops once `maxWords` words have ended; only a space or `take` ends one.
            guard wordEnds.count < maxWords else { return }
            while i < count {
                let lead = bytes[i]
                i += 1
                if lead < 0x80 {
                    // The two commonest cases inline, as `take` would do them: a lower-case letter that does
                    // not follow a digit, and a space.
                    if lead >= 0x61 && lead <= 0x7A && !(inWord && lastWasDigit) {
                        pendingJoin = false
                        letters.append(UInt32(lead))
                        inWord = true
                        continue
                    } else if lead == 0x20 {
                        if inWord { endWord() }
                        pendingJoin = false
                    } else {
                        take(Unicode.Scalar(lead))
                    }
                    if wordEnds.count >= maxWords { return }
                    continue
                }
                if let scalar = Unicode.Scalar(StoryText.scalarValue(lead: lead, in: bytes, after: &i)) { take(scalar) }
                if wordEnds.count >= maxWords { return }
            }
        }

        private mutating func take(_ scalar: Unicode.Scalar) {
            let v = scalar.value
            // ASCII letters and digits, most of what this reads, without the general folding.
            let folded = (0x61...0x7A).contains(v) || (0x30...0x39).contains(v) ? v : (0x41...0x5A).contains(v) ? v + 0x20 : StoryText.folded(scalar)
            if folded == 0 { return }  // dropped without separating: diacritics, tatweel, joiners
            if let folded {
                let digit = folded >= 0x30 && folded <= 0x39
                // A number is a word of its own: "Rs1,200" is "rs" and "1200", "14اگست" is "14" and "اگست".
                if inWord && (digit != lastWasDigit) && !(pendingJoin && digit) { endWord() }
                pendingJoin = false
                letters.append(folded)
                inWord = true
                lastWasDigit = digit
            } else if inWord && lastWasDigit && !pendingJoin && StoryText.joinsDigits(scalar) {
                pendingJoin = true
            } else {
                if inWord { endWord() }
                pendingJoin = false
            }
        }

        /// Whether the first `reach` bytes hold a character that compatibility mapping changes and the
        /// folding needs: Arabic presentation forms and other scalars from U+F000 up (UTF-8 0xEF and above),
        /// enclosed alphanumerics (U+2460–U+24FF: 0xE2 0x91–0x93).
        static func needsCompatibilityMapping(_ bytes: UnsafeBufferPointer<UInt8>, reach: Int) -> Bool {
            let end = min(reach, bytes.count)
            // ASCII runs (most of English copy) are skipped eight bytes at a time.
            var i = ByteScan.firstNonASCII(in: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[..<end]), from: 0)
            while i < end {
                let byte = bytes[i]
                if byte >= 0xEF || (byte == 0xE2 && i + 1 < end && (0x91...0x93).contains(bytes[i + 1])) { return true }
                i += 1
            }
            return false
        }

        mutating func endWord() {
            wordEnds.append(Int32(letters.count))
            inWord = false
            lastWasDigit = false
        }

        func numbers() -> [NumberInContext] {
            var found: [NumberInContext] = []
            var start = 0
            var words: [ArraySlice<UInt32>] = []
            words.reserveCapacity(wordEnds.count)
            for end in wordEnds {
                words.append(letters[start..<Int(end)])
                start = Int(end)
            }
            func isNumber(_ w: ArraySlice<UInt32>) -> Bool { w.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
            func text(_ w: ArraySlice<UInt32>) -> String {
                var s = String.UnicodeScalarView()
                for v in w { if let scalar = Unicode.Scalar(v) { s.append(scalar) } }
                return String(s)
            }
            for (i, word) in words.enumerated() where isNumber(word) {
                let next = i + 1 < words.count && !isNumber(words[i + 1]) ? text(words[i + 1]) : nil
                found.append(NumberInContext(value: text(word), next: next))
            }
            return found
        }
    }

    /// Marks that join digits into one number: thousands and decimal separators, scores, times, dates.
    static func joinsDigits(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ",", ".", ":", "/", "-", "\u{066B}", "\u{066C}", "\u{2013}": return true
        default: return false
        }
    }

    /// `fold` of every scalar below U+0800 (Latin, Greek, Cyrillic, Arabic and Urdu), worked out once:
    /// Unicode's property tables cost more than the rest of the folding. `UInt32.max` stands for nil.
    private static let foldTable: [UInt32] = (0..<0x800).map { v in
        Unicode.Scalar(UInt32(v)).flatMap(fold) ?? .max
    }

    /// `fold`, from the table where it has the scalar.
    static func folded(_ scalar: Unicode.Scalar) -> UInt32? {
        guard scalar.value < 0x800 else { return fold(scalar) }
        let value = foldTable.withUnsafeBufferPointer { $0[Int(scalar.value)] }
        return value == .max ? nil : value
    }

    /// Whether the dateline scan counts a scalar below U+0800 as part of a word, worked out once.
    private static let wordScalarTable: [Bool] = (0..<0x800).map { v in
        Unicode.Scalar(UInt32(v)).map { $0.properties.isAlphabetic || $0.properties.numericType != nil } ?? false
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x00...0x7F: return false
        case ..<0x800: return wordScalarTable.withUnsafeBufferPointer { $0[Int(s.value)] }
        default: return s.properties.isAlphabetic || s.properties.numericType != nil
        }
    }

    /// The folded scalar value; 0 to drop it silently; nil for a word separator.
    static func fold(_ scalar: Unicode.Scalar) -> UInt32? {
        let v = scalar.value
        switch v {
        case 0x30...0x39, 0x61...0x7A: return v
        case 0x41...0x5A: return v + 0x20
        case 0x00...0x7F: return nil
        case 0x064B...0x065F, 0x0670, 0x0640, 0x06D6...0x06ED, 0x200B...0x200F, 0x2060...0x2064, 0xFEFF, 0x061C, 0x00AD:
            return 0
        case 0x0660...0x0669: return v - 0x0660 + 0x30
        case 0x06F0...0x06F9: return v - 0x06F0 + 0x30
        case 0x064A, 0x0649, 0x0626: return 0x06CC  // ی
        case 0x0643: return 0x06A9  // ک
        case 0x0647, 0x0629, 0x06C3, 0x06C0: return 0x06C1  // ہ
        case 0x0623, 0x0625, 0x0622, 0x0671: return 0x0627  // ا
        case 0x0624: return 0x0648  // و
        case 0x06D3: return 0x06D2  // ے
        default:
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType == .decimal {
                if properties.isUppercase, let lower = properties.lowercaseMapping.unicodeScalars.first {
                    return lower.value
                }
                return v
            }
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return v
            default: return nil
            }
        }
    }

    /// The value of the scalar whose UTF-8 starts with `lead` (0x80 or more), its continuation bytes read
    /// from `i` on and `i` moved past them. The bytes are valid UTF-8: a Swift string's.
    @inline(__always)
    static func scalarValue(lead: UInt8, in bytes: UnsafeBufferPointer<UInt8>, after i: inout Int) -> UInt32 {
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead & (lead >= 0xF0 ? 0x07 : lead >= 0xE0 ? 0x0F : 0x1F))
        var k = 1
        while k < length, i < bytes.count {
            value = value << 6 | UInt32(bytes[i] & 0x3F)
            i += 1
            k += 1
        }
        return value
    }

    // MARK: dateline

    /// The text after its dateline, when it opens with one: a place (and date) with the agency or desk in
    /// brackets ("LAHORE (Web Desk) –", "اسلام آباد ۔26 اکتوبر (اے پی پی)"), or a short place name and a
    /// colon or dash ("KARACHI:", "سوات:", "لاہور۔۔۔۔"). Otherwise the text unchanged.
    static func withoutDateline(_ text: String) -> Substring {
        let end = text.utf8.withContiguousStorageIfAvailable(datelineEnd) ?? {
            var copy = text
            return copy.withUTF8(datelineEnd)
        }()
        guard let end else { return Substring(text) }
        return Substring(text.unicodeScalars[text.utf8.index(text.utf8.startIndex, offsetBy: end)...])
    }

    /// Where the story starts past its dateline, as an offset into the text's UTF-8; nil when the text opens
    /// with no dateline.
    private static func datelineEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        func isSeparator(_ v: UInt32) -> Bool {
            switch v {
            case 0x3A, 0x06D4, 0x7C, 0x2D, 0x2013, 0x2014: return true  // : ۔ | - – —
            default: return false
            }
        }
        func isLetter(_ v: UInt32) -> Bool { Unicode.Scalar(v).map(isWordScalar) ?? false }
        // The dateline is within the first 120 scalars: decode 121 once, with the offset each starts at.
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 122) { head in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 122) { starts in
                var count = 0
                var i = 0
                while count < 121 && i < bytes.count {
                    starts[count] = i
                    let lead = bytes[i]
                    i += 1
                    head[count] = lead < 0x80 ? UInt32(lead) : scalarValue(lead: lead, in: bytes, after: &i)
                    count += 1
                }
                starts[count] = i
                var cut: Int?
                // Brackets first: the place and date before them may hold a stop ("سیالکوٹ ۔ 07 ستمبر (اے پی پی)").
                var words = 0, inWord = false, opened = false
                var index = 0
                while index < count && index < 120 {
                    let s = head[index]
                    if s == 0x28 || s == 0x5B { opened = true }
                    if (s == 0x29 || s == 0x5D) && opened {
                        if words <= 10 { cut = index + 1 }
                        break
                    }
                    let letter = isLetter(s)
                    if letter && !inWord { words += 1 }
                    inWord = letter
                    if words > 10 && !opened { break }
                    index += 1
                }
                if cut == nil {
                    // A colon or dash after at most four words; a hyphen inside a word ("al-Qaeda") does not count.
                    words = 0
                    inWord = false
                    index = 0
                    while index < count && index < 40 {
                        let s = head[index]
                        let next = index + 1
                        if isSeparator(s) {
                            let spaced = s == 0x3A || s == 0x06D4 || s == 0x7C || !inWord || next >= count || head[next] == 0x20
                            if words > 0 && words <= 4 && spaced { cut = next }
                            if spaced { break }
                        }
                        let letter = isLetter(s)
                        if letter && !inWord { words += 1 }
                        inWord = letter
                        if words > 4 { break }
                        index = next
                    }
                }
                guard var rest = cut else { return nil }
                // What separates the dateline from the story: more dashes, stops, colons and spaces.
                while rest < count, isSeparator(head[rest]) || [0x2E, 0x2C, 0x20, 0xA0].contains(head[rest]) {
                    rest += 1
                }
                return starts[rest]
            }
        }
    }
}
