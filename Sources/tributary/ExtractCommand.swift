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
        let status = Self.execute(file: file, url: url, html: html, charset: charset, contentXPath: contentXpath, removeXPaths: removeXpath)
        if status != 0 { throw ExitCode(status) }
    }

    /// The command itself; 0, 1 (no article) or 2 (unreadable file, bad XPath).
    static func execute(file: String, url: String?, html: Bool, charset: String?, contentXPath: String?, removeXPaths: [String]) -> Int32 {
        guard let bytes = fileBytes(file) else {
            FileHandle.standardError.write(Data("\(file): cannot read\n".utf8))
            return 2
        }
        for expression in removeXPaths + [contentXPath].compactMap({ $0 }) where !ArticlePage.isValidXPath(expression) {
            FileHandle.standardError.write(Data("not a valid XPath expression: \(expression)\n".utf8))
            return 2
        }
        guard let article = ArticlePage.extract(bytes, httpCharset: charset, url: url, contentXPath: contentXPath, removeXPaths: removeXPaths) else {
            FileHandle.standardError.write(Data("\(file): no article found\n".utf8))
            return 1
        }
        FileHandle.standardOutput.write(Data(((html ? article.html : article.plainText) + "\n").utf8))
        // Done: the page's trees are not taken apart one node at a time only for the process to end.
        Glibc.exit(0)
    }

    /// `extract` with plain arguments, without the argument parser: scoring runs it once per page, and the
    /// parser's first use of type metadata (a scan of every protocol conformance in the program) costs
    /// more than extracting a page. Nil for anything else (help, a typo), which the parser then answers.
    static func fastPath(_ arguments: ArraySlice<String>) -> Int32? {
        var file: String?, url: String?, html = false, charset: String?, content: String?, remove: [String] = []
        var rest = arguments
        while let argument = rest.popFirst() {
            switch argument {
            case "--html": html = true
            case "--url", "--charset", "--content-xpath", "--remove-xpath":
                guard let value = rest.popFirst() else { return nil }
                switch argument {
                case "--url": url = value
                case "--charset": charset = value
                case "--content-xpath": content = value
                default: remove.append(value)
                }
            default:
                guard !argument.hasPrefix("-"), file == nil else { return nil }
                file = argument
            }
        }
        guard let file else { return nil }
        return execute(file: file, url: url, html: html, charset: charset, contentXPath: content, removeXPaths: remove)
    }
}
