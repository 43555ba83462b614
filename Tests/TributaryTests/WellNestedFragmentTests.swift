import Foundation
import XCTest
@testable import Tributary

/// Records an HTML event stream, to compare libxml2's structure with the fast path's assumptions.
private final class EventRecorder: MarkupEventSink {
    var events: [String] = []
    func startElement(_ name: String, attributes: [(name: String, value: String)]) { events.append("+" + name) }
    func endElement(_ name: String) { events.append("-" + name) }
    func characters(_ bytes: UnsafeRawBufferPointer) { events.append("'" + String(decoding: bytes, as: UTF8.self)) }
}

/// The fast sanitizer must give libxml2's result byte for byte, or decline.
final class WellNestedFragmentTests: XCTestCase {
    private func fast(_ html: String, base: String? = nil) -> String? {
        var copy = html
        return copy.withUTF8 { WellNestedFragment.sanitize($0, base: base) }
    }

    /// Compares both paths on `html`; returns whether the fast path took it.
    @discardableResult
    private func assertSame(_ html: String, base: String? = "http://example.org/a/b.html",
                            file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard let result = fast(html, base: base) else { return false }
        let reference = HTMLSanitizer.sanitizeWithLibXML(html, base: base)
        XCTAssertEqual(result, reference, "fragment: \(html.debugDescription)", file: file, line: line)
        return true
    }

    func testAutoCloseTableMatchesLibXML() {
        // The table was measured from libxml2; measure again so an upgrade that changes it fails here.
        let names = WellNestedFragment.elements
        for outer in names where !HTMLSanitizer.voidElements.contains(outer) {
            var closers: [String] = []
            for inner in names {
                let void = HTMLSanitizer.voidElements.contains(inner)
                let recorder = EventRecorder()
                HTMLFragmentStream.parse("<\(outer)>" + (void ? "<\(inner)>" : "<\(inner)>x</\(inner)>") + "</\(outer)>", into: recorder)
                let nested = ["+div", "+\(outer)", "+\(inner)"] + (void ? [] : ["'x"]) + ["-\(inner)", "-\(outer)", "-div"]
                if recorder.events != nested { closers.append(inner) }
            }
            XCTAssertEqual(closers.joined(separator: " "), WellNestedFragment.closedBy[outer] ?? "", "elements closing <\(outer)>")
        }
    }

    func testTypicalBodiesTakeTheFastPath() {
        let bodies = [
            "<p>Plain <em>text</em> &amp; <a href=\"/story?id=1&amp;x=2\" title=\"A &quot;quote&quot;\">link</a>.</p>\n<p>Two</p>",
            "<figure><img src=\"img/1.jpg\" alt=\"x\" width=\"800\" height=\"450\"/><figcaption>Caption</figcaption></figure>",
            "<blockquote><p>Quoted &mdash; text &#8217;s &#x2019; &nbsp;end</p></blockquote><h2>Head</h2><ul><li>a</li><li>b</li></ul>",
            "<P CLASS='x' Style=\"color:red\" onclick=\"evil()\">Upper</P><BR><br/><hr>",
            "Text first, then <strong>bold</strong> and AT&T, &unknown; &AMP; &amp.x; 1 &lt; 2 &gt; 0 > -1",
            "<!-- wp:paragraph --><p>WordPress</p><!-- /wp:paragraph -->",
            "<a href=\"javascript:alert(1)\">x</a><a href=\" java\tscript:alert(1)\">y</a><img src=\"data:text/html,x\">",
            "<table><tbody><tr><td>1</td><th scope=\"row\">2</th></tr></tbody></table>",
            "<p>Unclosed <b>bold",
            "  <p>lead and trail whitespace</p>\n\n",
            "<a href=\"a\" href=\"b\" title=\"t\" title=\"u\">dup</a>",
            "<img alt=\"\" src=\"\">Ünïcödé 中文 اردو",
            "<pre>\ncode\n</pre><dl><dt>t</dt><dd>d</dd></dl>",
        ]
        for body in bodies {
            XCTAssertTrue(assertSame(body), "fast path declined: \(body.debugDescription)")
        }
    }

    func testUnusualMarkupGoesToLibXML() {
        for body in [
            "<script>alert(1)</script><p>x</p>", "<p>a<p>b", "<b><p>x</p></b>", "<p>x</div>", "<div>x</p>",
            "<img src=x>", "<input disabled>", "<iframe src=\"http://x\"></iframe>", "<o:p></o:p>", "a < b",
            "<p>a\u{01}b</p>", "a\u{FFFE}b", "<p title=\"\u{FFFF}\">x</p>", "<p>\r\n</p>", "<span/>", "<br></br>", "<!-- a -- b -->", "<!--->", "&#0;", "&#x110000;",
            "&#65", "<a title=\"x\"href=\"y\">z</a>", "<![CDATA[x]]>", "<?php x ?>", "<p>x</p></div><p>y</p>",
        ] {
            XCTAssertNil(fast(body), "fast path took \(body.debugDescription)")
        }
    }

    func testEdgeCasesAgreeWhenTaken() {
        for body in [
            "&#128;&#x9F;&#13;x", "\u{7F}x\u{80}y", "\u{EFFF}\u{FFFD}", "<p title=\"\u{FFFD}\">x</p>", "&nbsp", "x &amp y", "&#x41;&#X42;&#067;", "<p>x</p>\t<p>y</p>",
            "<a href=\"  /rel  \">r</a>", "<a href=\"#frag\">f</a>", "<a href=\"?q=1\">q</a>", "<img src=\"//cdn.example/x.png\">",
            "<p lang=\"en\" dir=\"rtl\">x</p>", "<ol start=\"3\" reversed=\"reversed\"><li>x</li></ol>", "<td>cell</td>", "<li>item</li>",
            "<caption>c</caption>", "<a name=\"x\">anchor</a>", "<time datetime=\"2024-01-01\">t</time>", "<q cite=\"/src\">q</q>",
            "<p\n class=\"a\"\n>multi-line tag</p>", "<p title='single &apos; quotes'>s</p>", "<p title=\"&lt;b&gt;\">t</p>",
        ] {
            assertSame(body)
        }
    }

    func testTextWithoutTagsAgreesWithLibXML() {
        let texts = [
            "Q&A", "AT&T and R&D", "Caf&eacute; &amp; bar", "&#8220;Quoted&#8221; &#x2014; dash", "5 > 3", "&nbsp;lead",
            "&unknown; &AMP; &amp.x; &#65", "tab\there\nnewline", "Ünïcödé &copy; 中文", "&", "x &", "&#0; y",
            "<b>bold</b> and <p>para</p>line<br>break<li>item</li>", "<div>a</div><div>b</div>",
        ]
        var taken = 0
        for text in texts {
            var copy = text
            guard let fast = copy.withUTF8({ WellNestedFragment.text($0) }) else { continue }
            taken += 1
            XCTAssertEqual(PlainText.collapse(fast), PlainText.fromHTMLWithLibXML(text), text.debugDescription)
        }
        XCTAssertGreaterThanOrEqual(taken, texts.count - 2)
        for declined in ["a < b", "<script>x</script>", "a\u{01}b", "\r\n", "x\u{FFFE}"] {
            var copy = declined
            XCTAssertNil(copy.withUTF8({ WellNestedFragment.text($0) }), declined.debugDescription)
        }
    }

    func testEntityTableIsHTML4s() {
        // HTML 4 names 253 references with distinct code points; all of libxml2's must be in the table.
        XCTAssertEqual(HTMLEntities.codePoints.count, 253)
        for (name, value) in [("nbsp", 160), ("eacute", 233), ("AElig", 198), ("thetasym", 977), ("diams", 9830), ("amp", 38)] {
            XCTAssertEqual(Array(name.utf8).withUnsafeBufferPointer { HTMLEntities.codePoint($0) }, UInt32(value), name)
        }
        XCTAssertNil(Array("nbsp_x".utf8).withUnsafeBufferPointer { HTMLEntities.codePoint($0) })
        XCTAssertNil(Array("NBSP".utf8).withUnsafeBufferPointer { HTMLEntities.codePoint($0) })
    }

    func testCollapseFoldsEveryWhitespaceRun() {
        XCTAssertEqual(PlainText.collapse("a\tb\nc"), "a b c") // same length as the input: still collapsed
        XCTAssertEqual(PlainText.collapse("  x \u{A0} y\u{3000}"), "x y")
        XCTAssertEqual(PlainText.collapse("\u{2009}z\u{205F}\u{1680}"), "z")
        XCTAssertEqual(PlainText.collapse("é\u{85}è\u{2028}\u{202F}ü"), "é è ü")
        XCTAssertEqual(PlainText.collapse("\u{1C}\u{1F}"), "")
        XCTAssertEqual(PlainText.collapse(""), "")
        XCTAssertEqual(PlainText.collapse("No change, Ünïcödé 中文"), "No change, Ünïcödé 中文")
        XCTAssertEqual(PlainText.collapse("\u{2030}\u{E2}"), "\u{2030}\u{E2}") // per mille: not whitespace
    }

    func testCollapseAgreesWithWordsSplitScalarByScalar() {
        // Every whitespace scalar the feed text may hold, some near misses (U+2030, U+180E, U+200B), letters
        // of one to four UTF-8 bytes; strings of up to 12 of them, both collapsed already and not.
        let spaces: [Unicode.Scalar] = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1F}", "\u{85}", "\u{A0}", "\u{1680}",
                                        "\u{2000}", "\u{2009}", "\u{200A}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}"]
        let others: [Unicode.Scalar] = ["a", "Z", ".", "\u{E9}", "\u{2030}", "\u{180E}", "\u{200B}", "\u{4E2D}", "\u{1F600}", "\u{645}"]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                // Mostly words with single spaces, so that already-collapsed texts come up too.
                let pick = Int.random(in: 0..<10, using: &generator)
                scalars.append(pick < 5 ? others.randomElement(using: &generator)! : pick < 8 ? " " : spaces.randomElement(using: &generator)!)
            }
            let text = String(scalars)
            var words: [String] = []
            var word = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                if spaces.contains(scalar) {
                    if !word.isEmpty { words.append(String(word)); word = String.UnicodeScalarView() }
                } else {
                    word.append(scalar)
                }
            }
            if !word.isEmpty { words.append(String(word)) }
            XCTAssertEqual(PlainText.collapse(text), words.joined(separator: " "), "round \(round): \(text.debugDescription)")
        }
    }

    func testStringsMadeInStretchesEqualOneDecode() {
        let pieces = ["a", "plain ASCII words ", String(repeating: "x", count: 70), "é", "中文", "😀", "\u{FFFD}", " ", "\n"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...120, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let bytes = Array(text.utf8)
            XCTAssertEqual(bytes.withUnsafeBufferPointer { String(decodingStretches: $0) }, text)
        }
        // Invalid bytes are repaired as one decode repairs them.
        let broken: [UInt8] = Array(String(repeating: "y", count: 300).utf8) + [0xC3, 0x41, 0xE2, 0x82] + Array(String(repeating: "z", count: 100).utf8)
        XCTAssertEqual(broken.withUnsafeBufferPointer { String(decodingStretches: $0) }, String(decoding: broken, as: UTF8.self))
    }

    /// Random fragments from a vocabulary of tokens both paths must agree on whenever the fast one takes them.
    func testRandomFragmentsAgree() {
        let tokens = [
            "<p>", "</p>", "<b>", "</b>", "<em>", "</em>", "<a href=\"/x?a=1&amp;b=2\">", "</a>", "<div>", "</div>", "<ul>", "</ul>",
            "<li>", "</li>", "<br>", "<br/>", "<img src=\"i.png\" alt=\"a\">", "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>",
            "<h2>", "</h2>", "<blockquote>", "</blockquote>", "<figure>", "</figure>", "<span title=\"t\">", "</span>", "<pre>",
            "</pre>", "<!-- c -->", "text", " ", "\n", "&amp;", "&nbsp;", "&#8217;", "&", "AT&T", ">", "é", "<dl>", "<dt>", "<dd>",
            "</dl>", "<i>", "</i>", "<small>", "</small>", "<center>", "</center>", "<font>", "</font>", "<hr>", "<code>", "</code>",
        ]
        var generator = SystemRandomNumberGenerator()
        var taken = 0
        for _ in 0..<4000 {
            let count = Int.random(in: 1...12, using: &generator)
            let body = (0..<count).map { _ in tokens.randomElement(using: &generator)! }.joined()
            if assertSame(body) { taken += 1 }
        }
        XCTAssertGreaterThan(taken, 400, "the fast path should take a good share of random fragments")
    }

    /// Every HTML-looking text of the conformance corpus and of a small synthetic corpus from ../shared/bench.
    func testCorpusBodiesAgree() throws {
        var texts: [(String, String?)] = []
        var bodies: [String] = []
        func collect(_ element: MarkupElement) {
            if ["description", "encoded", "content", "summary"].contains(element.name) { bodies.append(element.text) }
            let markup = element.markup
            if markup.contains("<") || markup.contains("&") { texts.append((markup, element.base)) }
            for child in element.elements { collect(child) }
        }
        let corpus = packageRoot.appendingPathComponent("../shared/conformance/corpus").standardizedFileURL
        let folder = try makeTemporaryFolder(self)
        let generator = packageRoot.appendingPathComponent("../shared/bench/gen_feeds.py").standardizedFileURL
        var files: [URL] = []
        if FileManager.default.fileExists(atPath: generator.path) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", generator.path, "gen", "--out", folder.path, "--n", "30", "--k", "20", "--seed", "7"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            files += (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
                .filter { $0.pathExtension == "rss" || $0.pathExtension == "atom" }
        }
        let synthetic = files.count
        files += (FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { !$0.path.contains("/expected/") && ["xml", "rss", "atom", "rdf"].contains($0.pathExtension) }
        guard files.count > synthetic + 100 else { throw XCTSkip("no conformance corpus in ../shared") }
        for file in files {
            let data = try Data(contentsOf: file)
            let root = data.withUnsafeBytes { XMLDocumentReader.parse($0, encoding: nil, base: "http://example.org/feed/") }
            if let root { collect(root) }
        }
        var taken = 0
        var syntheticTaken = 0
        var sanitizedTaken = 0
        for (text, base) in texts {
            if assertSame(text, base: base) { taken += 1 }
            // Text extraction (fingerprints, titles) must agree with libxml2 too, on raw and on sanitized HTML.
            let sanitized = HTMLSanitizer.sanitize(text, base: base)
            for source in [text, sanitized] {
                var copy = source
                guard let fast = copy.withUTF8({ WellNestedFragment.text($0) }) else { continue }
                if source == sanitized { sanitizedTaken += 1 }
                XCTAssertEqual(PlainText.collapse(fast), PlainText.fromHTMLWithLibXML(source), "text of \(source.prefix(200).debugDescription)")
            }
        }
        XCTAssertGreaterThan(Double(sanitizedTaken), 0.95 * Double(texts.count), "sanitized HTML read as text on the fast path")
        // The synthetic corpus is what news sites publish: its bodies should nearly all take the fast path.
        var syntheticTexts = 0
        bodies.removeAll()
        for file in files.prefix(synthetic) {
            let data = try Data(contentsOf: file)
            if let root = data.withUnsafeBytes({ XMLDocumentReader.parse($0, encoding: nil, base: nil) }) { collect(root) }
        }
        for text in bodies where text.contains("<") {
            syntheticTexts += 1
            if fast(text) != nil { syntheticTaken += 1 }
        }
        XCTAssertGreaterThan(taken, 1000)
        if synthetic > 0 {
            XCTAssertGreaterThan(Double(syntheticTaken), 0.95 * Double(syntheticTexts), "synthetic bodies on the fast path")
        }
    }
}
