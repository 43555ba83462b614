import Foundation
import XCTest
@testable import Tributary

/// The SAX2-built tree must equal the one converted from libxml2's own tree, on every corpus file.
final class XMLReaderEquivalenceTests: XCTestCase {
    private func describe(_ element: MarkupElement?, into out: inout String) {
        guard let element else { out += "nil"; return }
        out += "<\(element.prefix ?? "-"):\(element.name) ns=\(element.namespace ?? "-") base=\(element.base ?? "-")"
        for attribute in element.attributes { out += " \(attribute.namespace ?? "-")|\(attribute.name)=\(attribute.value.debugDescription)" }
        out += ">"
        for child in element.children {
            switch child {
            case .text(let t): out += t.debugDescription
            case .utf8(let bytes): out += String(decoding: bytes, as: UTF8.self).debugDescription
            case .element(let e): describe(e, into: &out)
            }
        }
        out += "</>"
    }

    /// Whether the streaming reader took the document (it declines those that declare entities).
    @discardableResult
    private func assertSameTree(_ data: Data, encoding: String? = nil, repair: Bool, name: String,
                                file: StaticString = #filePath, line: UInt = #line) -> Bool {
        data.withUnsafeBytes { bytes -> Bool in
            var sax = "", tree = ""
            guard let streamed = XMLDocumentReader.parseStreaming(bytes, encoding: encoding, base: "http://example.org/feed/", repairMojibake: repair) else { return false }
            describe(streamed, into: &sax)
            describe(XMLDocumentReader.parseTree(bytes, encoding: encoding, base: "http://example.org/feed/", repairMojibake: repair), into: &tree)
            if sax != tree {
                let prefix = zip(sax, tree).prefix { $0 == $1 }.count
                XCTFail("\(name): trees differ at \(prefix): sax …\(sax.dropFirst(max(0, prefix - 80)).prefix(200))… tree …\(tree.dropFirst(max(0, prefix - 80)).prefix(200))…",
                        file: file, line: line)
            }
            return true
        }
    }

    func testCorpusFilesGiveTheSameTree() throws {
        let corpus = packageRoot.appendingPathComponent("../shared/conformance/corpus").standardizedFileURL
        let fixtures = packageRoot.appendingPathComponent("Tests/TributaryTests/Fixtures")
        var files = (FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { !$0.path.contains("/expected/") && ["xml", "rss", "atom", "rdf"].contains($0.pathExtension) }
        guard files.count > 100 else { throw XCTSkip("no conformance corpus in ../shared") }
        files += (FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { ["xml", "rss", "atom", "rdf"].contains($0.pathExtension) }
        var streamed = 0
        for file in files {
            let data = try Data(contentsOf: file)
            if assertSameTree(data, repair: false, name: file.lastPathComponent) { streamed += 1 }
            assertSameTree(data, repair: true, name: file.lastPathComponent)
            if let repaired = data.withUnsafeBytes({ EntityRepair.repair($0) }) {
                assertSameTree(repaired, repair: true, name: file.lastPathComponent + " (repaired)")
            }
            // FeedParser never overrides the encoding of a document with a byte order mark.
            if !data.starts(with: [0xEF, 0xBB, 0xBF]) && !data.starts(with: [0xFF, 0xFE]) && !data.starts(with: [0xFE, 0xFF]) {
                assertSameTree(data, encoding: "windows-1252", repair: false, name: file.lastPathComponent + " (windows-1252)")
            }
        }
        XCTAssertGreaterThan(streamed, files.count * 9 / 10, "documents the streaming reader took")
    }

    func testHandWrittenEdgeCases() {
        let documents = [
            "<rss><channel><title>a &amp; b &lt; c &#233; &#x2019;</title><link a='x&amp;y' b=\"&#38;&#60;\">l</link></channel></rss>",
            "<feed xmlns='http://www.w3.org/2005/Atom' xml:base='http://a.example/dir/'><entry xml:base='sub/'><link href='x'/></entry></feed>",
            "<rss><channel><item><title><![CDATA[<b>x</b>]]> and <![CDATA[y]]></title></item></channel></rss>",
            "<rss><channel><item><undeclared:x>t</undeclared:x></item><unclosed>text",
            "<rss><a>1</b>2</a><c/>  <d>  </d></rss>",
            "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY w 'World'>]><rss><t>Hello &w;</t></rss>",
            "<!DOCTYPE rss PUBLIC '-//Netscape Communications//DTD RSS 0.91//EN' 'http://my.netscape.com/publish/formats/rss-0.91.dtd'><rss version='0.91'><channel><title>x</title></channel></rss>",
            "<rss><!-- comment --><?pi x?><t>a<!-- c -->b</t></rss>",
            "<rss>\r\n<t a='1\r\n2'>x\r\ny\rz</t></rss>",
            "<rss><t><![CDATA[a\r\nb\rc\n\rd]]></t><u><![CDATA[]]></u></rss>",
            "<r><t>CafÃ© Ã©tÃ©</t><u v='CafÃ©'/></r>",
        ]
        for (index, document) in documents.enumerated() {
            let taken = assertSameTree(Data(document.utf8), repair: true, name: "document \(index)")
            // Broken documents and those declaring entities go to libxml2's recovering tree parser.
            XCTAssertEqual(taken, !document.contains("<!ENTITY") && !document.contains("<unclosed>") && !document.contains("<a>1</b>"), "document \(index)")
        }
    }
}

/// UTF-8 read as Latin-1 and encoded again is undone; anything else is left exactly as it was.
final class DoubleEncodingRepairTests: XCTestCase {
    func testRepairsOnlyWhatDecodesToUTF8() {
        XCTAssertEqual(XMLDocumentReader.repairDoubleEncoding("CafÃ© Ã©tÃ©"), "Café été")
        XCTAssertEqual(XMLDocumentReader.repairDoubleEncoding("It\u{E2}\u{80}\u{99}s"), "It\u{2019}s")
        XCTAssertEqual(XMLDocumentReader.repairDoubleEncoding("Ã¼ber long ASCII text before and after Ã¶"), "über long ASCII text before and after ö")
        XCTAssertEqual(XMLDocumentReader.repairDoubleEncoding("\u{C2}\u{A0}x"), "\u{A0}x") // a no-break space
        for unchanged in ["Café", "plain ASCII", "", "Ã", "Ã© and real Ünicode 中文", "Â", "Ã©Ã"] {
            XCTAssertEqual(XMLDocumentReader.repairDoubleEncoding(unchanged), unchanged, unchanged.debugDescription)
        }
    }
}
