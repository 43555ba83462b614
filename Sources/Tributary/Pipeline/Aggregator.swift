import Foundation
import Logging

/// What one feed's poll came to, for logs and the `poll` summary.
public struct FeedPollReport: Sendable {
    public var name: String
    public var url: String
    public var status: Int?
    public var error: String?
    public var counts: IngestCounts
    public var elapsed: TimeInterval
    public var nextPollAt: Date?
    /// Not attempted: the feed's host asked (Retry-After) to be left alone for now.
    public var deferred = false

    public var failed: Bool { error != nil && !deferred }

    public var line: String {
        let ms = Int((elapsed * 1000).rounded())
        if deferred, let error { return "\(name): waiting: \(error)" }
        if let error {
            return "\(name): failed: \(error) (\(ms) ms)"
        }
        let code = status.map(String.init) ?? "-"
        if status == 304 { return "\(name): 304 not modified (\(ms) ms)" }
        return "\(name): \(code), \(counts.new) new, \(counts.updated) updated, \(counts.duplicate) duplicate, \(counts.unchanged) unchanged (\(ms) ms)"
    }
}

/// The result of polling a set of feeds once.
public struct CycleReport: Sendable {
    public var feeds: [FeedPollReport] = []
    public var outputsWritten: [String] = []
    public var totalItems = 0

    public var failed: Int { feeds.filter(\.failed).count }

    public var summary: String {
        let new = feeds.reduce(0) { $0 + $1.counts.new }
        let updated = feeds.reduce(0) { $0 + $1.counts.updated }
        let duplicate = feeds.reduce(0) { $0 + $1.counts.duplicate }
        return "total: \(feeds.count) feeds, \(feeds.count - failed) ok, \(failed) failed, \(new) new, \(updated) updated, \(duplicate) duplicate, \(totalItems) items stored"
    }
}

/// Runs the pipeline: fetch → parse → identify → store → emit, for the feeds of one configuration.
///
/// Not thread-safe: the daemon confines it to one serial queue; `poll` uses it from the main thread.
public final class Aggregator {
    public private(set) var config: Configuration
    public let store: FeedStore
    let fetcher: HTTPFetcher
    let parser = FeedParser()
    var planner: PollPlanner
    let logger: Logger
    /// Feed rows for the configured feeds, by URL as written in the config.
    private(set) var records: [String: FeedRecord] = [:]
    private var lastPrune: Date?
    /// Hosts (`host:port`) that answered 429/503 with Retry-After, and until when to leave them alone.
    private var hostHolds: [String: Date] = [:]
    /// Whether the outputs may differ from what was last written (new items, a new config, pruning).
    private var outputsStale = true
    /// Called after each feed's result is stored; the daemon feeds the watchdog from it.
    public var onProgress: (() -> Void)?

    public init(config: Configuration, logger: Logger) throws(StoreError) {
        self.config = config
        self.logger = logger
        store = try FeedStore(path: config.storage.databasePath)
        fetcher = HTTPFetcher(concurrency: config.poll.concurrency, perHost: config.poll.perHost)
        planner = PollPlanner(poll: config.poll)
        try syncFeeds()
        hostHolds = try store.hostHolds(now: Date())
        for output in config.outputs { AtomicFile.removeStaleTemporaries(of: output.path) }
    }

    public func close() { store.close() }

    private func syncFeeds() throws(StoreError) {
        let rows = try store.syncFeeds(config.feeds)
        records = Dictionary(uniqueKeysWithValues: rows.map { ($0.url, $0) })
        // A shortened interval takes effect now (on reload or restart): the next poll is counted from
        // the last one. Longer intervals and server hints wait for the next poll to be planned.
        for feed in config.feeds {
            guard let record = records[feed.url], record.failures == 0, !record.gone, let last = record.lastPollAt,
                  let planned = record.plannedInterval, planner.interval(for: feed) < planned else { continue }
            let next = last.addingTimeInterval(planner.interval(for: feed))
            if let current = record.nextPollAt, current <= next { continue }
            try store.reschedule(feedID: record.id, to: next)
            records[feed.url]?.nextPollAt = next
        }
    }

    /// Switches to a new configuration: added feeds become due at once, removed ones stop.
    /// Limits that shape the fetcher (concurrency, per-host) apply from the next start.
    public func apply(_ newConfig: Configuration) throws(StoreError) {
        let added = Set(newConfig.feeds.map(\.url)).subtracting(config.feeds.map(\.url))
        let removed = Set(config.feeds.map(\.url)).subtracting(newConfig.feeds.map(\.url))
        config = newConfig
        planner = PollPlanner(poll: newConfig.poll)
        outputsStale = true
        try syncFeeds()
        logger.info("config reloaded", metadata: ["feeds": "\(newConfig.feeds.count)", "added": "\(added.count)",
                                                  "removed": "\(removed.count)"])
    }

    /// The configured feeds still polled (not stopped by a 410 Gone).
    public func activeFeeds() -> [FeedSettings] {
        config.feeds.filter { records[$0.url].map { !$0.gone } ?? true }
    }

    /// The active feeds whose next poll time has come (never-polled feeds are due at once).
    public func dueFeeds(now: Date) -> [FeedSettings] {
        activeFeeds().filter { (records[$0.url]?.nextPollAt ?? .distantPast) <= now }
    }

    /// Polls `feeds` concurrently, storing each as it completes, then rewrites outputs if anything changed.
    public func poll(_ feeds: [FeedSettings], cancel: CancellationFlag = CancellationFlag(), now: @escaping () -> Date = Date.init) -> CycleReport {
        var report = CycleReport()
        var requests: [FetchRequest] = []
        var byTag: [Int: FeedSettings] = [:]
        for (index, feed) in feeds.enumerated() {
            guard let record = records[feed.url] else { continue }
            // A permanent redirect seen on two polls in a row is followed directly from then on.
            let target = record.redirectSeen >= 2 ? (record.redirectURL ?? feed.url) : feed.url
            byTag[index] = feed
            requests.append(FetchRequest(
                url: target, tag: index,
                conditional: ConditionalRequest(etag: record.etag, lastModified: record.lastModified),
                userAgent: feed.userAgent ?? config.poll.userAgent, timeout: config.poll.timeout,
                connectTimeout: config.poll.connectTimeout, maxBodyBytes: config.poll.maxBodyBytes))
        }
        fetcher.fetch(requests, isCancelled: { cancel.isCancelled }, heldUntil: { hostHolds[$0] }) { response in
            guard let feed = byTag[response.tag], let record = records[feed.url] else { return }
            if response.failure == .cancelled { return }
            let result = handle(response, feed: feed, record: record, now: now())
            report.feeds.append(result)
            onProgress?()
        }
        if !cancel.isCancelled {
            do {
                // Rendering is skipped when nothing could have changed; max_age outputs age by the clock.
                let ages = config.outputs.contains { $0.maxAge != nil }
                if outputsStale || ages || config.storage.keep != nil {
                    report.outputsWritten = try writeOutputs(now: now())
                }
                report.totalItems = try store.itemCount()
            } catch {
                logger.error("writing outputs failed", metadata: ["error": "\(error)"])
            }
        }
        return report
    }

    private func handle(_ response: FetchResponse, feed: FeedSettings, record: FeedRecord, now: Date) -> FeedPollReport {
        var state = FeedPollState(polledAt: now, status: response.failure == nil ? response.status : nil, error: nil,
                                  etag: record.etag, lastModified: record.lastModified, failures: 0, nextPollAt: nil,
                                  gone: false, redirectURL: record.redirectURL, redirectSeen: record.redirectSeen,
                                  plannedInterval: planner.interval(for: feed), bodyHash: record.bodyHash)
        var parsed: ParsedFeed?
        let status = response.status
        // Hashed once: compared with the last parsed body, and stored if this one is parsed.
        let bodyHash = response.failure == nil && (200..<300).contains(status) ? ContentFingerprint.sha256Hex(response.body) : nil
        func fail(_ message: String) {
            state.error = message
            state.failures = record.failures + 1
            state.nextPollAt = planner.nextAfterFailure(feed: feed, failures: state.failures, now: now)
        }
        if case .hostBackoff(let until) = response.failure {
            // Not this feed's failure: it simply waits for its host.
            state.error = response.failure?.description
            state.status = record.lastStatus
            state.failures = record.failures
            state.nextPollAt = until
        } else if let failure = response.failure {
            fail(failure.description)
        } else if status == 304 {
            state.nextPollAt = planner.nextAfterSuccess(feed: feed, now: now, headers: response.headers, refreshHint: nil)
        } else if (200..<300).contains(status), bodyHash == record.bodyHash {
            // The same bytes as last time from a server that sends no validators: nothing to parse.
            // The previous gap carries the publisher's ttl hint, which only the parsed body could tell.
            state.etag = response.headers["etag"] ?? record.etag
            state.lastModified = response.headers["last-modified"] ?? record.lastModified
            var hint: TimeInterval?
            if record.failures == 0, let last = record.lastPollAt, let next = record.nextPollAt { hint = next.timeIntervalSince(last) }
            state.nextPollAt = planner.nextAfterSuccess(feed: feed, now: now, headers: response.headers, refreshHint: hint)
        } else if (200..<300).contains(status) {
            do {
                let feedDocument = try parser.parse(response.body, baseURL: response.effectiveURL, httpCharset: response.charset)
                if feedDocument.format == .unknown {
                    fail("not a feed (no RSS, Atom or JSON Feed root element)")
                } else {
                    parsed = feedDocument
                    state.bodyHash = bodyHash
                    state.etag = response.headers["etag"]
                    state.lastModified = response.headers["last-modified"]
                    state.nextPollAt = planner.nextAfterSuccess(feed: feed, now: now, headers: response.headers,
                                                                refreshHint: feedDocument.refreshHint)
                }
            } catch {
                fail("parse error: \(error)")
            }
        } else if status == 410 {
            state.error = "410 Gone: the publisher removed this feed; polling stopped, remove it from the config"
            state.failures = record.failures + 1
            state.gone = true
            logger.warning("feed gone, polling stopped", metadata: ["feed": "\(feed.name)", "url": "\(feed.url)"])
        } else if status == 429 || status == 503, let wait = PollPlanner.retryAfter(response.headers, now: now) {
            state.error = "HTTP \(status), asked to retry after \(Int(wait)) s"
            state.failures = record.failures + 1
            let until = now.addingTimeInterval(min(max(wait, 1), PollPlanner.maximumDelay))
            state.nextPollAt = until
            // Retry-After speaks for the whole host and port, not just this feed.
            let host = HTTPFetcher.hostKey(response.effectiveURL)
            hostHolds[host] = until
            do { try store.holdHost(host, until: until) } catch {
                logger.error("cannot persist host hold", metadata: ["host": "\(host)", "error": "\(error)"])
            }
            logger.notice("host asked us to wait", metadata: ["host": "\(HTTPFetcher.hostKey(response.effectiveURL))",
                                                              "seconds": "\(Int(wait))"])
        } else if status == 404 {
            state.error = "HTTP 404 Not Found"
            state.failures = record.failures + 1
            state.nextPollAt = now.addingTimeInterval(PollPlanner.maximumDelay)
        } else {
            fail("HTTP \(status)")
        }
        if response.failure == nil && state.error == nil {
            if let target = response.permanentRedirect, target != feed.url {
                state.redirectSeen = target == record.redirectURL ? record.redirectSeen + 1 : 1
                state.redirectURL = target
                if state.redirectSeen == 2 {
                    logger.notice("feed moved permanently; update the config", metadata: [
                        "feed": "\(feed.name)", "from": "\(feed.url)", "to": "\(target)"])
                }
            } else if response.requestURL == feed.url {
                state.redirectURL = nil
                state.redirectSeen = 0
            }
        }
        var counts = IngestCounts()
        do {
            counts = try store.commit(feedID: record.id, feedURL: feed.url, state: state, parsed: parsed)
            if counts.new + counts.updated + counts.duplicate > 0 { outputsStale = true }
            if let updated = try store.feed(id: record.id) { records[feed.url] = updated }
        } catch {
            state.error = "storage: \(error)"
            logger.error("storing poll failed", metadata: ["feed": "\(feed.name)", "error": "\(error)"])
        }
        var report = FeedPollReport(name: feed.name, url: feed.url, status: response.failure == nil ? status : nil,
                                    error: state.error, counts: counts, elapsed: response.elapsed,
                                    nextPollAt: state.nextPollAt)
        if case .hostBackoff = response.failure { report.deferred = true }
        var metadata: Logger.Metadata = ["feed": "\(feed.name)", "status": "\(report.status.map(String.init) ?? "-")",
                                         "ms": "\(Int(response.elapsed * 1000))"]
        if report.deferred {
            metadata["until"] = "\(state.nextPollAt.map(FeedDate.format) ?? "-")"
            logger.info("poll deferred: host asked to wait", metadata: metadata)
        } else if let error = state.error {
            metadata["error"] = "\(error)"
            metadata["failures"] = "\(state.failures)"
            logger.warning("poll failed", metadata: metadata)
        } else {
            metadata["new"] = "\(counts.new)"
            metadata["updated"] = "\(counts.updated)"
            metadata["duplicate"] = "\(counts.duplicate)"
            logger.info("polled", metadata: metadata)
        }
        return report
    }

    /// Rewrites every output whose content changed; returns the paths written.
    public func writeOutputs(now: Date = Date()) throws -> [String] {
        let configured = config.feeds.compactMap { feed in records[feed.url].map { (feed, $0) } }
        let byID = Dictionary(configured.map { ($0.1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var written: [String] = []
        var shown: Set<Int64> = []
        for output in config.outputs {
            let ids = configured.filter { output.tags.isEmpty || !Set($0.0.tags).isDisjoint(with: output.tags) }.map(\.1.id)
            let stored = try store.entries(feedIDs: ids, limit: output.maxEntries,
                                           notBefore: output.maxAge.map { now.addingTimeInterval(-$0) })
            let entries = stored.compactMap { entry -> OutputEntry? in
                guard let source = byID[entry.sourceFeedID] else { return nil }
                shown.insert(entry.itemID)
                var tags: [String] = []
                for carrier in entry.carriers {
                    for tag in byID[carrier.feedID]?.0.tags ?? [] where !tags.contains(tag) { tags.append(tag) }
                }
                let via = entry.carriers.dropFirst().compactMap { carrier in
                    byID[carrier.feedID].map { (feed: $0.1, link: carrier.link) }
                }
                return OutputEntry(entry: entry, source: source.1, via: via, tags: tags)
            }
            let document = OutputDocument(settings: output, entries: entries)
            let data = output.format == .json ? JSONFeedWriter.render(document) : AtomWriter.render(document)
            if try AtomicFile.write(data, to: output.path) {
                written.append(output.path)
                logger.info("output written", metadata: ["path": "\(output.path)", "entries": "\(entries.count)"])
            }
        }
        outputsStale = false
        if try pruneIfDue(now: now, keeping: shown) { outputsStale = true }
        return written
    }

    /// Applies `[storage] keep` at most once an hour; true when something was pruned.
    private func pruneIfDue(now: Date, keeping: Set<Int64>) throws -> Bool {
        guard let keep = config.storage.keep else { return false }
        if let lastPrune, now.timeIntervalSince(lastPrune) < 3600 { return false }
        lastPrune = now
        let pruned = try store.prune(olderThan: now.addingTimeInterval(-keep), keeping: keeping, now: now,
                                     tombstoneLifetime: max(keep * 2, 180 * 86400))
        if pruned > 0 { logger.info("pruned old items", metadata: ["items": "\(pruned)"]) }
        return pruned > 0
    }
}
