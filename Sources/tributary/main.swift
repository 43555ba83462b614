import ArgumentParser
import Foundation
import Logging
import Tributary

/// The `tributary` command line; each subcommand is a thin shell over the library.
struct TributaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Merge many news feeds into one, without duplicates.",
        version: Product.version,
        subcommands: [Run.self, Poll.self, Check.self, Status.self, Parse.self, ImportOPML.self, ExportOPML.self,
                      Discover.self, Extract.self, SameStoryCommand.self, Explain.self])
}

/// Options shared by the commands that read a configuration.
struct ConfigOptions: ParsableArguments {
    init() {}
    init(config: String) { self.config = config }

    @Option(name: .long, help: "Path of the configuration file.")
    var config: String = "feeds.toml"

    @Option(name: .long, help: "Log level (trace, debug, info, notice, warning, error); overrides [log] level.")
    var logLevel: String?

    func load() throws -> Configuration {
        do {
            return try ConfigLoader().load(path: config)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    func logger(_ config: Configuration) -> Logger {
        JournalLogHandler.logger(level: logLevel ?? config.log.level)
    }

    /// Loads the configuration and opens what uses its database; exit 2 with the reason when it cannot.
    func open<T>(_ make: (Configuration, Logger) throws -> T) throws -> (T, Configuration, Logger) {
        let config = try load()
        let logger = logger(config)
        do {
            return (try make(config, logger), config, logger)
        } catch DaemonStartError.serve(let message) {
            logger.critical("cannot serve", metadata: ["error": "\(message)"])
            FileHandle.standardError.write(Data("\(self.config): cannot serve: \(message)\n".utf8))
            throw ExitCode(2)
        } catch {
            logger.critical("cannot use the database", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("\(self.config): cannot use the database: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run as a daemon: poll feeds on schedule and keep the outputs current.")
    @OptionGroup var options: ConfigOptions

    func run() throws {
        let (daemon, _, _) = try options.open { config, logger in
            try Daemon(configPath: options.config, config: config, logger: logger)
        }
        daemon.run()
    }
}

struct Poll: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Poll every configured feed once, store, write the outputs, and exit.")
    @OptionGroup var options: ConfigOptions

    func run() throws {
        let (aggregator, config, _) = try options.open { config, logger in
            try Aggregator(config: config, logger: logger, integrityCheck: .afterUncleanShutdown)
        }
        defer { aggregator.close() }
        let report = aggregator.poll(aggregator.activeFeeds())
        let byURL = Dictionary(report.feeds.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        for feed in config.feeds {
            print(byURL[feed.url]?.line ?? "\(feed.name): skipped (gone; remove it from the config)")
        }
        print(report.summary)
        if !report.outputErrors.isEmpty {
            for error in report.outputErrors { FileHandle.standardError.write(Data("tributary: \(error)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the configuration file; exit 2 with file:line:column on error.")
    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        print("\(options.config): ok, \(config.feeds.count) feeds, \(config.outputs.count) output(s)")
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show each feed's last poll, errors and next poll; safe while the daemon runs.")
    @OptionGroup var options: ConfigOptions
    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        let config = try options.load()
        guard FileManager.default.fileExists(atPath: config.storage.databasePath) else {
            FileHandle.standardError.write(Data("no database yet at \(config.storage.databasePath); run tributary poll or run first\n".utf8))
            throw ExitCode(2)
        }
        let report: StatusReport
        do {
            let store = try FeedStore(path: config.storage.databasePath, readOnly: true)
            defer { store.close() }
            report = try StatusReport(config: config, store: store)
        } catch {
            FileHandle.standardError.write(Data("cannot read the database: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(json ? report.json() : Data(report.table().utf8))
    }
}

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Parse a local feed file with the daemon's parser and print what it found.")
    @Argument(help: "The feed file.")
    var file: String
    @Option(name: .long, help: "The URL the file was fetched from, for resolving relative links.")
    var base: String?
    @Flag(name: .long, help: "Print the feedconf/1 JSON document.")
    var json = false

    func run() throws {
        let data = try readInput(file)
        let feed: ParsedFeed
        do {
            feed = try FeedParser().parse(data, baseURL: base)
        } catch {
            // Anything readable prints a document, even when it is not a feed.
            feed = ParsedFeed(format: .unknown)
        }
        if json {
            FileHandle.standardOutput.write(FeedconfDocument.json(feed) + Data("\n".utf8))
        } else {
            print("\(feed.format.rawValue): \(feed.title ?? "(no title)"), \(feed.items.count) items")
            for item in feed.items {
                print("- \(item.published.map(FeedDate.format) ?? item.updated.map(FeedDate.format) ?? "undated")  \(item.title ?? "(no title)")  \(item.link ?? "")")
            }
        }
    }
}

struct ImportOPML: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-opml",
        abstract: "Print [[feed]] tables for the feeds of an OPML file (folders and categories become tags).")
    @Argument(help: "The OPML file, as exported by a feed reader.")
    var file: String
    @Option(name: .long, help: "The configuration; feeds it already lists are skipped.")
    var config: String = "feeds.toml"
    @Flag(name: .long, help: "Append the new feeds to the configuration instead of printing them.")
    var write = false

    func run() throws {
        let data = try readInput(file)
        let imported: [FeedSettings]
        do { imported = try OPML.feeds(from: data) } catch {
            FileHandle.standardError.write(Data("\(file): \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        let existing = FileManager.default.fileExists(atPath: config) ? try ConfigOptions(config: config).load() : nil
        let present = Set(existing?.feeds.map(\.url) ?? [])
        let fresh = imported.filter { !present.contains($0.url) }
        let skipped = imported.count - fresh.count
        let tables = FeedTableWriter.toml(fresh)
        guard write else {
            print(tables, terminator: "")
            FileHandle.standardError.write(Data("\(fresh.count) feeds, \(skipped) already configured\n".utf8))
            return
        }
        let original = FileManager.default.contents(atPath: config) ?? Data()
        var text = String(decoding: original, as: UTF8.self)
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += (text.isEmpty ? "" : "\n") + tables
        try Data(text.utf8).write(to: URL(fileURLWithPath: config), options: .atomic)
        do {
            _ = try ConfigLoader().load(path: config)
        } catch {
            // Never leave a configuration the daemon would refuse.
            try original.write(to: URL(fileURLWithPath: config), options: .atomic)
            FileHandle.standardError.write(Data("\(error)\nconfiguration left unchanged\n".utf8))
            throw ExitCode(2)
        }
        print("\(config): added \(fresh.count) feeds, \(skipped) already configured")
    }
}

struct ExportOPML: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-opml", abstract: "Print the configured feeds as OPML 2.0, tags as categories.")
    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        print(OPML.document(feeds: config.feeds, title: config.outputs.first?.title ?? "Tributary"), terminator: "")
    }
}

struct Discover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch a web page and print the feeds it advertises, ready to paste as [[feed]] tables.")
    @Argument(help: "The outlet's page, such as its home page.")
    var url: String
    @Option(name: .long, help: "Seconds to wait for the page.")
    var timeout: Double = 20

    func run() throws {
        guard let scheme = URL(string: url)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            FileHandle.standardError.write(Data("tributary: \(url) is not an http or https URL\n".utf8))
            throw ExitCode(2)
        }
        do {
            print(FeedTableWriter.toml(try FeedFinder.find(url: url, timeout: timeout)), terminator: "")
        } catch {
            FileHandle.standardError.write(Data("tributary: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The bytes of an input file, or a one-line error and exit status 1.
func readInput(_ path: String) throws -> Data {
    guard let bytes = fileBytes(path) else {
        FileHandle.standardError.write(Data("tributary: cannot read \(path)\n".utf8))
        throw ExitCode(1)
    }
    return Data(bytes)
}

/// A file's bytes, read with plain system calls (Foundation's file reading costs a short command more
/// than that); nil when it cannot be opened or read (a folder, say).
func fileBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    let sizeHint = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
    var bytes = [UInt8](repeating: 0, count: max(sizeHint, 65_536))
    var done = 0
    while true {
        if done == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
        if n < 0 { return nil }
        if n == 0 { return Array(bytes[..<done]) }
        done += n
    }
}

let arguments = CommandLine.arguments
if arguments.count > 2, arguments[1] == "extract", let status = Extract.fastPath(arguments.dropFirst(2)) { exit(status) }
TributaryCommand.main()
