import Foundation

/// The whole validated configuration of one Tributary instance.
public struct Configuration: Sendable, Equatable {
    /// Absolute path of the file this configuration was read from.
    public var sourcePath: String
    public var storage: StorageSettings
    public var outputs: [OutputSettings]
    public var poll: PollSettings
    public var log: LogSettings
    public var feeds: [FeedSettings]

    /// The folder that relative paths in the file are resolved against.
    public var baseDirectory: URL { URL(fileURLWithPath: sourcePath).deletingLastPathComponent() }
}

/// Where state lives and how long it is kept.
public struct StorageSettings: Sendable, Equatable {
    /// Absolute path of the SQLite database.
    public var databasePath: String
    /// Items older than this (and not in an output) are pruned; nil keeps everything.
    public var keep: TimeInterval?
}

/// One merged output file.
public struct OutputSettings: Sendable, Equatable {
    public var path: String
    public var title: String
    public var maxEntries: Int
    /// Items older than this are left out of the file.
    public var maxAge: TimeInterval?
    /// Public URL of the output, written as `link rel="self"`.
    public var link: String?
    /// Only items from feeds carrying one of these tags; empty means all.
    public var tags: [String] = []
    public var format: OutputFormat = .atom

    public static let defaultTitle = "Tributary"
    public static let defaultMaxEntries = 200
    /// Relative to the config file's folder.
    public static func defaultPath(_ format: OutputFormat) -> String {
        format == .json ? "state/merged.json" : "state/merged.atom"
    }

    /// The other settings start at their defaults: no age limit, no self link, every feed, Atom.
    public init(path: String, title: String = defaultTitle, maxEntries: Int = defaultMaxEntries) {
        self.path = path
        self.title = title
        self.maxEntries = maxEntries
    }
}

/// The serialisation of an output file.
public enum OutputFormat: String, Sendable, Equatable {
    case atom
    case json
}

/// Defaults and limits for polling.
public struct PollSettings: Sendable, Equatable {
    public var interval: TimeInterval = 15 * 60
    public var concurrency: Int = 8
    public var perHost: Int = 2
    public var timeout: TimeInterval = 30
    public var connectTimeout: TimeInterval = 10
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    public var userAgent: String = PollSettings.defaultUserAgent
    /// Politeness floor: a configured interval below it is rejected by the loader.
    public var minimumInterval: TimeInterval = 5 * 60

    /// How Tributary names itself to servers unless `user_agent` says otherwise.
    public static let defaultUserAgent = "Tributary/\(Product.version) (feed aggregator)"
}

/// Logging threshold.
public struct LogSettings: Sendable, Equatable {
    public var level: String = "info"
}

/// One `[[feed]]` table.
public struct FeedSettings: Sendable, Equatable {
    public var name: String
    public var url: String
    public var interval: TimeInterval?
    public var tags: [String]
    public var userAgent: String?

    public init(name: String, url: String, interval: TimeInterval? = nil, tags: [String] = [], userAgent: String? = nil) {
        self.name = name
        self.url = url
        self.interval = interval
        self.tags = tags
        self.userAgent = userAgent
    }
}

/// What Tributary is, for `--version`, the User-Agent and the output's generator element.
public enum Product {
    public static let version = "0.1.0"
}
