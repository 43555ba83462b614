import ArgumentParser
import Foundation
import Tributary

/// `tributary extract`: the daemon's full-text extractor on one saved page.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the article of a saved web page: its text, or its sanitized HTML with --html.")

    @Argument(help: "The page's HTML file.")
    var file: String

    @Option(name: .long, help: "The page's address, for relative links (may be empty).")
    var url: String?

    @Flag(name: .long, help: "Print the article as sanitized HTML instead of text.")
    var html = false

    @Option(name: .long, help: "The charset the page was served with (its HTTP Content-Type), if known.")
    var charset: String?

    @Option(name: .long, help: "XPath of the article's element(s), as a feed's content_xpath.")
    var contentXpath: String?

    @Option(name: .long, help: "XPath of parts to drop first, as a feed's remove_xpath (repeatable).")
    var removeXpath: [String] = []

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            FileHandle.standardError.write(Data("\(file): cannot read\n".utf8))
            throw ExitCode(2)
        }
        for expression in removeXpath + [contentXpath].compactMap({ $0 }) where !ArticlePage.isValidXPath(expression) {
            FileHandle.standardError.write(Data("not a valid XPath expression: \(expression)\n".utf8))
            throw ExitCode(2)
        }
        let article = ArticlePage.extract([UInt8](data), httpCharset: charset, url: url, contentXPath: contentXpath, removeXPaths: removeXpath)
        guard let article else {
            FileHandle.standardError.write(Data("\(file): no article found\n".utf8))
            throw ExitCode(1)
        }
        print(html ? article.html : article.plainText)
    }
}
