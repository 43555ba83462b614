/// Whether two outlets' items are one story told in other words: agency copy re-published with a new
/// headline, dateline and byline, a sentence added or cut, a paragraph trimmed.
///
/// Precision first, since a wrong merge hides a story:
/// 1. Numbers must agree. A number in one text and a different one before the same word in the other
///    ("rises to 31 dead" / "35 dead"), with neither number anywhere in the other text, makes them two
///    stories whatever else they share.
/// 2. The leads must share enough of their wording: the Jaccard similarity of the letter 6-grams of both
///    texts' first words, as many as the shorter text has and half again (a summary against a full text,
///    a trimmed copy against the agency's), at least `threshold`; leads under `longLead` words need
///    `shortLeadMargin` more, since datelines, bylines and stock phrases are a larger share of them.
/// 3. Both must have enough text to judge: fewer than `minimumWords` words is never a near-duplicate.
/// 4. A later story more than `addedMaterialRatio` times as long as an earlier article (of at least
///    `articleWords` words) is the paper's own, quoting the agency: most of it is not the agency's. A
///    re-publication is as long as its source, or trimmed. Only whole texts are weighed so: a feed's
///    summary says nothing of the length of the story behind it.
/// 5. A trimmed re-publication passes on its wording alone: when the later whole text is at most
///    `trimmedLength` of an earlier article, at least `containmentFactor` × `threshold` of the later
///    text's letter 6-grams must appear in the earlier text, whatever the leads. Papers cut agency copy
///    to a few of its paragraphs, not always the first, so the leads of a trimmed copy can be far apart
///    while nearly all of what it says is the agency's. Rules 1 and 3 still hold.
///
/// The titles are measured too, and shown by `tributary explain`, but do not decide: headlines are
/// rewritten wholesale, and on the labelled pairs they added no recall at the same false-merge rate.
public enum SameStory {
    public static let defaultThreshold = 0.20
    static let longLead = 60
    static let shortLeadMargin = 0.04
    public static let minimumWords = 15
    /// Words of a text the daemon compares: beyond the lead, a rewrite diverges anyway, and the cost of a
    /// comparison stays bounded whatever the length of the articles.
    public static let longestText = 300
    static let shingleLength = 6
    /// How much longer than the shorter text the longer one's lead may be.
    static let leadFactor = 1.5
    /// How many times the earlier article's length a later story may run and still be its re-publication.
    static let addedMaterialRatio = 2.5
    /// Shorter than this, the earlier text is a brief or a summary, which a later article may well expand.
    static let articleWords = 40
    /// At most this share of the earlier article's length, the later text is a cut of it (rule 5).
    static let trimmedLength = 0.7
    /// Rule 5's bar as a multiple of the threshold, so that a higher threshold asks more of it too.
    static let containmentFactor = 1.75

    public struct Evidence: Sendable, Equatable {
        /// Jaccard similarity of the compared leads' letter 6-grams.
        public var similarity: Double
        /// Words of each text compared (the lead).
        public var comparedWords: Int
        /// Jaccard similarity of the titles' letter 4-grams, for the record.
        public var titleSimilarity: Double
        /// A number that disagrees: "31 before killed, 35 in the other"; nil when the numbers agree.
        public var numberConflict: String?
        public var threshold: Double
        public var tooShort: Bool
        /// Words of the earlier and of the later whole text, when both were weighed; see rule 4.
        public var lengths: Lengths? = nil
        /// For a later whole text cut from an earlier article (rule 5): the share of its letter 6-grams
        /// that the earlier text holds, and the share needed.
        public var containment: Containment? = nil

        public struct Containment: Sendable, Equatable {
            public var share: Double
            public var needed: Double
        }

        public struct Lengths: Sendable, Equatable {
            public var earlier: Int
            public var later: Int
        }

        /// Whether the later story is mostly material of its own (rule 4).
        public var addsMaterial: Bool {
            guard let lengths else { return false }
            return lengths.earlier >= SameStory.articleWords && Double(lengths.later) > Double(lengths.earlier) * SameStory.addedMaterialRatio
        }

        /// Whether the later text is a cut of the earlier whose wording is mostly the earlier's (rule 5).
        public var trimmedCopy: Bool {
            guard let containment else { return false }
            return containment.share >= containment.needed
        }

        public var same: Bool { !tooShort && numberConflict == nil && !addsMaterial && (similarity >= threshold || trimmedCopy) }

        /// One line for logs and `tributary explain`.
        public var summary: String {
            var s = "text similarity \(Self.figure(similarity)) (threshold \(Self.figure(threshold)), \(comparedWords) words compared)"
            s += ", title similarity \(Self.figure(titleSimilarity))"
            if let numberConflict { s += ", numbers disagree: \(numberConflict)" }
            if tooShort { s += ", too short to judge" }
            if let lengths {
                s += addsMaterial ? ", the later story runs \(lengths.later) words against the earlier's \(lengths.earlier): mostly its own"
                    : ", lengths \(lengths.earlier) and \(lengths.later) words"
            }
            if let containment {
                s += ", \(Self.figure(containment.share)) of the later text found in the earlier (a cut needs \(Self.figure(containment.needed)))"
            }
            return s
        }

        static func figure(_ x: Double) -> String {
            let hundredths = Int((x * 100).rounded())
            return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
        }
    }

    /// `a` is the earlier story, `b` the later; `weighLengths`: both are whole texts (rule 4).
    public static func compare(_ a: StoryText, _ b: StoryText, threshold: Double = defaultThreshold, weighLengths: Bool = true) -> Evidence {
        let shorter = min(a.wordCount, b.wordCount)
        let compared = Int(Double(shorter) * leadFactor) + 1
        let comparedWords = min(compared, max(a.wordCount, b.wordCount))
        return Evidence(
            similarity: jaccard(shingles(a.lead(compared), length: shingleLength), shingles(b.lead(compared), length: shingleLength)),
            comparedWords: comparedWords,
            titleSimilarity: jaccard(shingles(a.titleLetters[...], length: 4), shingles(b.titleLetters[...], length: 4)),
            numberConflict: numberConflict(a.numbers, b.numbers),
            threshold: requiredSimilarity(threshold: threshold, comparedWords: comparedWords),
            tooShort: shorter < minimumWords,
            lengths: weighLengths ? Evidence.Lengths(earlier: a.extent, later: b.extent) : nil,
            containment: weighLengths && isCut(a, b)
                ? Evidence.Containment(share: containment(of: b, in: a), needed: requiredContainment(threshold: threshold)) : nil)
    }

    /// The share of a cut's 6-grams the earlier text must hold under the configured `threshold` (rule 5).
    public static func requiredContainment(threshold: Double) -> Double { threshold * containmentFactor }

    /// Whether `later` is short enough against the earlier article to be a cut of it (rule 5).
    static func isCut(_ earlier: StoryText, _ later: StoryText) -> Bool {
        earlier.extent >= articleWords && Double(later.extent) <= Double(earlier.extent) * trimmedLength
    }

    /// The share of `later`'s letter 6-grams (of the words folded) that `earlier`'s text holds.
    static func containment(of later: StoryText, in earlier: StoryText) -> Double {
        let part = shingles(later.letters[...], length: shingleLength)
        let whole = shingles(earlier.letters[...], length: shingleLength)
        guard !part.isEmpty else { return 0 }
        return Double(sharedCount(part, whole)) / Double(part.count)
    }

    /// Words of the leads `screen` compares, the same as a sketch's.
    public static let screenWords = StorySketch.leadWords
    /// The screen's bar: every labelled pair `compare` merges has leads at least 0.08 alike, and no
    /// unrelated story that the band index offered on the bench corpus had leads more than 0.05 alike.
    static let screenSimilarity = 0.07

    /// A cheap first look at a candidate: the similarity of the two texts' first `screenWords` words.
    /// Below `screenSimilarity` the whole texts are not read, since `compare` would not merge them.
    public static func screen(_ a: [UInt64], _ b: StoryText) -> Bool {
        jaccard(a, leadShingles(b)) >= screenSimilarity
    }

    /// The 6-grams `screen` compares, of a story or of its lead alone.
    public static func leadShingles(_ story: StoryText) -> [UInt64] {
        shingles(story.lead(screenWords), length: shingleLength)
    }

    /// The similarity a lead of `comparedWords` words needs under the configured `threshold`.
    public static func requiredSimilarity(threshold: Double, comparedWords: Int) -> Double {
        comparedWords >= longLead ? threshold : threshold + shortLeadMargin
    }

    /// The first number of `a` that a different number contradicts in `b`: both stand before the same
    /// word ("31 killed", "35 killed"), and each side has a number there that the other text never
    /// mentions. A rewrite drops numbers, and may repeat an earlier figure ("up from 31"), but does not
    /// print a figure of its own where the agency had another.
    static func numberConflict(_ a: [StoryText.NumberInContext], _ b: [StoryText.NumberInContext]) -> String? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let allA = Set(a.map(\.value))
        let allB = Set(b.map(\.value))
        var byWordB: [String: Set<String>] = [:]
        for n in b { if let next = n.next { byWordB[next, default: []].insert(n.value) } }
        var byWordA: [String: Set<String>] = [:]
        for n in a { if let next = n.next { byWordA[next, default: []].insert(n.value) } }
        for n in a {
            guard let next = n.next, let there = byWordB[next], let here = byWordA[next] else { continue }
            let onlyHere = here.subtracting(allB)
            let onlyThere = there.subtracting(allA)
            if !onlyHere.isEmpty && !onlyThere.isEmpty {
                return "\(onlyHere.sorted().joined(separator: "/")) before \"\(next)\" against \(onlyThere.sorted().joined(separator: "/"))"
            }
        }
        return nil
    }

    /// Sorted, distinct hashes of every run of `length` letters.
    static func shingles(_ letters: ArraySlice<UInt32>, length: Int) -> [UInt64] {
        var out = gramHashes(letters, length: length)
        out.sort()
        var unique = 0
        for k in out.indices where k == 0 || out[k] != out[unique - 1] {
            out[unique] = out[k]
            unique += 1
        }
        out.removeLast(out.count - unique)
        return out
    }

    /// The hash of every run of `length` letters, in order: FNV-1a over the letters, started from `seed`.
    static func gramHashes(_ letters: ArraySlice<UInt32>, length: Int, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(max(0, letters.count - length + 1))
        forEachGramHash(letters, length: length, seed: seed) { out.append($0) }
        return out
    }

    /// The same hashes, handed to `body` one by one (a sketch needs no array of them).
    @inline(__always)
    static func forEachGramHash(_ letters: ArraySlice<UInt32>, length: Int, seed: UInt64, _ body: (UInt64) -> Void) {
        guard letters.count >= length else { return }
        letters.withUnsafeBufferPointer { letters in
            for start in 0...(letters.count - length) {
                var h = seed
                for j in start..<(start + length) { h = (h ^ UInt64(letters[j])) &* 0x0000_0100_0000_01B3 }
                body(h)
            }
        }
    }

    static func jaccard(_ a: [UInt64], _ b: [UInt64]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let shared = sharedCount(a, b)
        return Double(shared) / Double(a.count + b.count - shared)
    }

    /// How many values two sorted, distinct lists share.
    static func sharedCount(_ a: [UInt64], _ b: [UInt64]) -> Int {
        var i = 0, j = 0, shared = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { shared += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return shared
    }
}
