import Foundation
import TOMLKit

/// Reads `feeds.toml`, rejecting unknown keys and wrong types with the file, line and key.
public struct ConfigLoader {
    public init() {}

    public func load(path: String) throws(ConfigError) -> Configuration {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw ConfigError(path: path, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, message: "the file is not UTF-8 text")
        }
        return try parse(text: text, path: path, absolutePath: absolute)
    }

    /// Parses configuration text; `path` is used in messages, `absolutePath` anchors relative paths.
    public func parse(text: String, path: String, absolutePath: String) throws(ConfigError) -> Configuration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(path: path, line: error.source.begin.line, column: error.source.begin.column,
                              message: error.description)
        } catch {
            throw ConfigError(path: path, message: "\(error)")
        }
        var walker = TableWalker(path: path, source: text)
        let base = URL(fileURLWithPath: absolutePath).deletingLastPathComponent()
        return try walker.configuration(root: root, sourcePath: absolutePath, base: base)
    }
}

/// Walks the parsed TOML tree by hand, since TOMLKit's Decodable path ignores unknown keys.
struct TableWalker {
    let path: String
    let locator: KeyLocator

    init(path: String, source: String) {
        self.path = path
        self.locator = KeyLocator(source: source)
    }

    func fail(_ section: Section, _ key: String?, _ message: String) -> ConfigError {
        let position = locator.locate(section: section, key: key)
        return ConfigError(path: path, line: position?.line, column: position?.column,
                           key: section.dotted(key), message: message)
    }

    mutating func configuration(root: TOMLTable, sourcePath: String, base: URL) throws(ConfigError) -> Configuration {
        try rejectUnknown(root, allowed: ["storage", "output", "poll", "feed", "log"], section: .root)
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : base.appendingPathComponent(p).standardizedFileURL.path
        }

        var storage = StorageSettings(databasePath: resolve("state/tributary.sqlite"), keep: nil)
        if let table = try subtable(root, "storage") {
            let section = Section.table("storage")
            try rejectUnknown(table, allowed: ["database", "keep"], section: section)
            if let db = try string(table, "database", section) { storage.databasePath = resolve(db) }
            storage.keep = try duration(table, "keep", section)
        }

        var poll = PollSettings()
        if let table = try subtable(root, "poll") {
            let section = Section.table("poll")
            try rejectUnknown(table, allowed: ["interval", "concurrency", "per_host", "timeout", "connect_timeout",
                                               "max_body_size", "user_agent", "min_interval"], section: section)
            poll.interval = try duration(table, "interval", section) ?? poll.interval
            poll.concurrency = try integer(table, "concurrency", section, range: 1...256) ?? poll.concurrency
            poll.perHost = try integer(table, "per_host", section, range: 1...64) ?? poll.perHost
            poll.timeout = try duration(table, "timeout", section) ?? poll.timeout
            poll.connectTimeout = min(try duration(table, "connect_timeout", section) ?? poll.connectTimeout, poll.timeout)
            poll.maxBodyBytes = try size(table, "max_body_size", section) ?? poll.maxBodyBytes
            poll.minimumInterval = try duration(table, "min_interval", section) ?? poll.minimumInterval
            if let ua = try string(table, "user_agent", section) {
                guard !ua.isEmpty else { throw fail(section, "user_agent", "must not be empty") }
                poll.userAgent = ua
            }
        }

        var log = LogSettings()
        if let table = try subtable(root, "log") {
            let section = Section.table("log")
            try rejectUnknown(table, allowed: ["level"], section: section)
            if let level = try string(table, "level", section) {
                let known = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                guard known.contains(level) else {
                    throw fail(section, "level", "unknown level \"\(level)\" (one of \(known.joined(separator: ", ")))")
                }
                log.level = level
            }
        }

        var outputs: [OutputSettings] = []
        let outputTables: [TOMLTable]
        var outputIsArray = false
        if let value = root["output"] {
            if let table = value.table {
                outputTables = [table]
            } else if let array = value.array {
                outputIsArray = true
                outputTables = try array.enumerated().map { (i, v) throws(ConfigError) -> TOMLTable in
                    guard let t = v.table else { throw fail(.array("output", i), nil, "must be a table") }
                    return t
                }
            } else {
                throw fail(.root, "output", "must be a table")
            }
        } else {
            outputTables = []
        }
        for (index, table) in outputTables.enumerated() {
            let section: Section = outputIsArray ? .array("output", index) : .table("output")
            try rejectUnknown(table, allowed: ["path", "title", "max_entries", "max_age", "link", "tags", "format"],
                              section: section)
            let format: OutputFormat
            if let f = try string(table, "format", section) {
                guard let parsed = OutputFormat(rawValue: f) else {
                    throw fail(section, "format", "unknown format \"\(f)\" (atom or json)")
                }
                format = parsed
            } else {
                format = .atom
            }
            var output = OutputSettings(
                path: resolve(try string(table, "path", section) ?? OutputSettings.defaultPath(format)),
                title: try string(table, "title", section) ?? OutputSettings.defaultTitle,
                maxEntries: try integer(table, "max_entries", section, range: 1...100_000) ?? OutputSettings.defaultMaxEntries)
            output.maxAge = try duration(table, "max_age", section)
            output.link = try url(table, "link", section)
            output.tags = try strings(table, "tags", section) ?? []
            output.format = format
            outputs.append(output)
        }
        if outputs.isEmpty {
            outputs.append(OutputSettings(path: resolve(OutputSettings.defaultPath(.atom))))
        }
        var seenPaths: Set<String> = []
        for (index, output) in outputs.enumerated() where !seenPaths.insert(output.path).inserted {
            throw fail(outputIsArray ? .array("output", index) : .table("output"), "path",
                       "\"\(output.path)\" is already written by another output")
        }

        // Politeness floor: an interval shorter than min_interval is almost always a typo.
        if poll.interval < poll.minimumInterval {
            throw fail(.table("poll"), "interval", "\(DurationText.format(poll.interval)) is below min_interval (\(DurationText.format(poll.minimumInterval))); raise it, or lower [poll] min_interval")
        }
        var feeds: [FeedSettings] = []
        var seenURLs: [String: Int] = [:]
        if let value = root["feed"] {
            guard let array = value.array else { throw fail(.root, "feed", "must be written as [[feed]] tables") }
            for (index, element) in array.enumerated() {
                let section = Section.array("feed", index)
                guard let table = element.table else { throw fail(section, nil, "must be a table") }
                try rejectUnknown(table, allowed: ["name", "url", "interval", "tags", "user_agent"], section: section)
                guard let feedURL = try url(table, "url", section) else {
                    throw fail(section, nil, "missing required key \"url\"")
                }
                if let first = seenURLs[feedURL] {
                    throw fail(section, "url", "\(feedURL) is already listed by feed[\(first)]")
                }
                seenURLs[feedURL] = index
                let interval = try duration(table, "interval", section)
                if let interval, interval < poll.minimumInterval {
                    throw fail(section, "interval", "\(DurationText.format(interval)) is below [poll] min_interval (\(DurationText.format(poll.minimumInterval))); raise it, or lower min_interval")
                }
                let name = try string(table, "name", section) ?? URL(string: feedURL)?.host ?? feedURL
                feeds.append(FeedSettings(name: name, url: feedURL, interval: interval,
                                          tags: try strings(table, "tags", section) ?? [],
                                          userAgent: try string(table, "user_agent", section)))
            }
        }
        return Configuration(sourcePath: sourcePath, storage: storage, outputs: outputs, poll: poll, log: log,
                             feeds: feeds)
    }

    // MARK: typed accessors that name the real problem

    func rejectUnknown(_ table: TOMLTable, allowed: Set<String>, section: Section) throws(ConfigError) {
        for key in table.keys where !allowed.contains(key) {
            let suggestion = allowed.min { editDistance($0, key) < editDistance($1, key) }
            var message = "unknown key"
            if let suggestion, editDistance(suggestion, key) <= 2 { message += " (did you mean \"\(suggestion)\"?)" }
            throw fail(section, key, message)
        }
    }

    func subtable(_ table: TOMLTable, _ key: String) throws(ConfigError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else { throw fail(.root, key, "must be a table, written [\(key)]") }
        return sub
    }

    func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        default: return "a date or time"
        }
    }

    func string(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else { throw fail(section, key, "expected a string, found \(describe(value))") }
        return s
    }

    func strings(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            throw fail(section, key, "expected an array of strings, found \(describe(value))")
        }
        var result: [String] = []
        for element in array {
            guard let s = element.string else {
                throw fail(section, key, "expected an array of strings, found \(describe(element)) in it")
            }
            let tag = s.trimmingCharacters(in: .whitespaces)
            guard !tag.isEmpty else { throw fail(section, key, "empty string in the list") }
            if !result.contains(tag) { result.append(tag) }
        }
        return result
    }

    func integer(_ table: TOMLTable, _ key: String, _ section: Section, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let n = value.int else { throw fail(section, key, "expected an integer, found \(describe(value))") }
        guard range.contains(n) else {
            throw fail(section, key, "\(n) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return n
    }

    func duration(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> TimeInterval? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else {
            throw fail(section, key, "expected a duration string such as \"15m\", found \(describe(value))")
        }
        guard let seconds = DurationText.seconds(s) else {
            throw fail(section, key, "bad duration \"\(s)\" (a number followed by s, m, h or d, such as \"90s\" or \"1h30m\")")
        }
        return seconds
    }

    func size(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        if let n = value.int, n > 0 { return n }
        guard let s = value.string?.uppercased() else {
            throw fail(section, key, "expected a size such as \"10MB\", found \(describe(value))")
        }
        let units: [(String, Int)] = [("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024 * 1024 * 1024), ("B", 1)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            if let n = Int(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n > 0 { return n * factor }
        }
        throw fail(section, key, "bad size \"\(s)\" (such as \"512KB\" or \"10MB\")")
    }

    func url(_ table: TOMLTable, _ key: String, _ section: Section) throws(ConfigError) -> String? {
        guard let s = try string(table, key, section) else { return nil }
        let trimmed = s.trimmingCharacters(in: .whitespaces)
        guard let parsed = URL(string: trimmed), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty else {
            throw fail(section, key, "\"\(s)\" is not an http or https URL")
        }
        return trimmed
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
