import Foundation
import Logging

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
    /// `[identity]` and the feeds' opt-outs, by feed id.
    private(set) var nearDuplicates = NearDuplicatePolicy.off
    private var lastPrune: Date?
    /// Hosts (`host:port`) that answered 429/503 with Retry-After, and until when to leave them alone.
    private(set) var hostHolds: [String: Date] = [:]
    /// Whether the outputs may differ from what was last written (new items, a new config, pruning).
    var outputsStale = true
    /// Called after each feed's result is stored; the daemon feeds the watchdog from it.
    public var onProgress: (() -> Void)?
    /// Called with each output's rendered documents, under the output's URL path, and the path `/`
    /// should answer with when this output is the river; the daemon's server publishes them.
    public var onPublish: ((_ group: String, _ documents: [PublishedDocument], _ root: String?) -> Void)?

    /// When to run SQLite's `quick_check` on opening (it reads the whole file: 0.3 CPU-s per 250 MB).
    public enum IntegrityCheck: Sendable {
        /// Always: the daemon, once per start.
        case always
        /// Only when the last writer did not close cleanly (a write-ahead log was left behind): `poll`,
        /// which may run every few minutes from cron.
        case afterUncleanShutdown
    }

    public init(config: Configuration, logger: Logger, integrityCheck: IntegrityCheck = .always) throws(StoreError) {
        self.config = config
        self.logger = logger
        let path = config.storage.databasePath
        let leftWAL = ((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0) > 0
        func damaged(_ detail: String) -> StoreError {
            StoreError(message: "\(path) is damaged (\(detail.prefix(300))); restore a backup, or move it aside to start afresh", code: 11)
        }
        do {
            store = try FeedStore(path: path)
        } catch where error.primaryCode == 11 || error.primaryCode == 26 {  // SQLITE_CORRUPT, SQLITE_NOTADB
            throw damaged(error.message)
        }
        // A damaged file is refused rather than written to (which could spread the damage).
        if integrityCheck == .always || leftWAL {
            let check: String
            do { check = try store.integrityCheck(quick: true) } catch { check = error.message }
            guard check == "ok" else {
                store.close()
                throw damaged(check)
            }
        }
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
        let identity = config.identity
        nearDuplicates = NearDuplicatePolicy(enabled: identity.nearDuplicates, window: identity.window, threshold: identity.threshold,
                                             optedOut: Set(config.feeds.filter { !$0.nearDuplicates }.compactMap { records[$0.url]?.id }))
        // Merges this configuration no longer allows are undone by the next poll of their feeds, which
        // must then read the whole feed again.
        let released = try store.releaseNearDuplicates(nearDuplicates)
        for (url, record) in records where released.contains(record.id) {
            records[url]?.etag = nil
            records[url]?.lastModified = nil
            records[url]?.bodyHash = nil
        }
        if !released.isEmpty {
            logger.info("near-duplicate merges no longer allowed; their feeds are read again on their next poll",
                        metadata: ["feeds": "\(released.count)"])
        }
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
        // Polls are stored in batches (FeedStore+Batch.swift); those waiting for the batch's commit, with
        // their feed's record before the poll, in case the commit fails.
        var waiting: [(report: Int, feed: FeedSettings, before: FeedRecord)] = []
        func commitWaiting() {
            do {
                try store.commitBatch()
            } catch {
                for entry in waiting {
                    let state = storageFailed(feed: entry.feed, record: entry.before, error: error, now: now())
                    report.feeds[entry.report].error = state.lastError
                    report.feeds[entry.report].counts = IngestCounts()
                    report.feeds[entry.report].nextPollAt = state.nextPollAt
                }
                logger.error("storing polls failed", metadata: ["feeds": "\(waiting.count)", "error": "\(error)"])
            }
            waiting.removeAll()
        }
        store.beginBatch()
        fetcher.fetch(requests, isCancelled: { cancel.isCancelled }, heldUntil: { hostHolds[$0] }) { response in
            guard let feed = byTag[response.tag], let record = records[feed.url] else { return }
            if response.failure == .cancelled { return }
            let result = handle(response, feed: feed, record: record, now: now())
            report.feeds.append(result)
            waiting.append((report.feeds.count - 1, feed, record))
            if store.batchIsDue() { commitWaiting() }
            onProgress?()
        }
        commitWaiting()
        try? store.endBatch()
        if !cancel.isCancelled {
            // Pages after feeds: one fetch at a time per host across both, and the outputs written
            // below already carry the articles fetched now.
            report.fullText = fetchFullTexts(cancel: cancel, now: now)
        }
        if !cancel.isCancelled {
            // Rendering is skipped when nothing could have changed; max_age outputs age by the clock.
            let ages = config.outputs.contains { $0.maxAge != nil }
            if outputsStale || ages || config.storage.keep != nil {
                (report.outputsWritten, report.outputErrors) = writeOutputs(now: now())
            }
            do { report.totalItems = try store.itemCount() } catch {
                logger.error("cannot count stored items", metadata: ["error": "\(error)"])
            }
        }
        return report
    }

    /// A poll whose items and state could not be stored: the feed keeps `record`'s validators and backs
    /// off. Returns the state it was given.
    private func storageFailed(feed: FeedSettings, record: FeedRecord, error: StoreError, now: Date) -> FeedPollState {
        let state = PollOutcome.afterStorageFailure("\(error)", feed: feed, record: record, planner: planner, now: now)
        var failed = record
        failed.poll = state
        records[feed.url] = failed
        // Best effort: on a full disk this small update may still fit, and then `status` shows it.
        try? store.recordPollState(feedID: record.id, state)
        return state
    }

    /// Leaves a host alone until the hold ends, for feeds and pages alike, across restarts.
    func holdHost(_ hold: PollOutcome.HostHold) {
        hostHolds[hold.host] = hold.until
        do { try store.holdHost(hold.host, until: hold.until) } catch {
            logger.error("cannot persist host hold", metadata: ["host": "\(hold.host)", "error": "\(error)"])
        }
    }

    /// Applies the poll-outcome rules to one response, then stores, schedules and logs the result.
    private func handle(_ response: FetchResponse, feed: FeedSettings, record: FeedRecord, now: Date) -> FeedPollReport {
        let outcome = PollOutcome.decide(response, feed: feed, record: record, planner: planner, now: now) { response throws(FeedParseError) in
            TextRepair.repair(try parser.parse(response.body, baseURL: response.effectiveURL, httpCharset: response.charset))
        }
        var state = outcome.state
        if let hold = outcome.hostHold { holdHost(hold) }
        switch outcome.notice {
        case .gone?:
            logger.warning("feed gone, polling stopped", metadata: ["feed": "\(feed.name)", "url": "\(feed.url)"])
        case .movedPermanently(let target)?:
            logger.notice("feed moved permanently; update the config", metadata: [
                "feed": "\(feed.name)", "from": "\(feed.url)", "to": "\(target)"])
        case .hostAskedToWait(let seconds)?:
            logger.notice("host asked us to wait", metadata: ["host": "\(outcome.hostHold?.host ?? "-")", "seconds": "\(seconds)"])
        case nil:
            break
        }
        var counts = IngestCounts()
        do {
            counts = try store.commit(feedID: record.id, feedURL: feed.url, state: state, parsed: outcome.parsed,
                                      fullText: feed.fullText != nil, nearDuplicates: nearDuplicates)
            if counts.new + counts.updated + counts.duplicate + counts.nearDuplicate + counts.separated > 0 { outputsStale = true }
            if let updated = try store.feed(id: record.id) { records[feed.url] = updated }
        } catch {
            state = storageFailed(feed: feed, record: record, error: error, now: now)
            logger.error("storing poll failed", metadata: ["feed": "\(feed.name)", "error": "\(error)",
                                                           "failures": "\(state.failures)"])
        }
        var report = FeedPollReport(name: feed.name, url: feed.url, status: response.failure == nil ? response.status : nil,
                                    error: state.lastError, counts: counts, elapsed: response.elapsed,
                                    nextPollAt: state.nextPollAt)
        report.deferred = outcome.deferred
        var metadata: Logger.Metadata = ["feed": "\(feed.name)", "status": "\(report.status.map(String.init) ?? "-")",
                                         "ms": "\(Int(response.elapsed * 1000))"]
        if report.deferred {
            metadata["until"] = "\(state.nextPollAt.map(FeedDate.format) ?? "-")"
            logger.info("poll deferred: host asked to wait", metadata: metadata)
        } else if let error = state.lastError {
            metadata["error"] = "\(error)"
            metadata["failures"] = "\(state.failures)"
            logger.warning("poll failed", metadata: metadata)
        } else {
            metadata["new"] = "\(counts.new)"
            metadata["updated"] = "\(counts.updated)"
            metadata["duplicate"] = "\(counts.duplicate)"
            metadata["near_duplicate"] = "\(counts.nearDuplicate)"
            if counts.separated > 0 { metadata["separated"] = "\(counts.separated)" }
            logger.info("polled", metadata: metadata)
        }
        return report
    }

    /// Rewrites every output whose content changed. Returns the paths written and, for each output that
    /// could not be written, a message naming its path; a failed output is retried on the next cycle and
    /// never stops the others. Every output rendered is also handed to `onPublish`, written or not.
    public func writeOutputs(now: Date = Date()) -> (written: [String], errors: [String]) {
        let configured = config.feeds.compactMap { feed in records[feed.url].map { (feed, $0) } }
        let byID = Dictionary(configured.map { ($0.1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var written: [String] = []
        var errors: [String] = []
        var shown: Set<Int64> = []
        var outputs = config.outputs.map { (settings: $0, file: true) }
        // Serving without an html output: `/` is a river of every feed all the same, kept in memory only.
        if onPublish != nil, !config.outputs.contains(where: { $0.format == .html }) {
            var river = OutputSettings(path: "", title: config.outputs.first?.title ?? OutputSettings.defaultTitle, maxEntries: 100)
            river.format = .html
            river.urlPath = "/"
            river.timeZone = config.serve?.timeZone ?? "UTC"
            outputs.append((river, false))
        }
        let root = outputs.first { $0.settings.format == .html }?.settings.urlPath
        var rivers: [OutputSettings] = []
        var pageFiles = Set(config.outputs.map(\.path))
        for (output, file) in outputs {
            do {
                let feeds = configured.filter { output.tags.isEmpty || !Set($0.0.tags).isDisjoint(with: output.tags) }
                let document = try outputDocument(output, feeds: feeds, byID: byID, now: now)
                if file { shown.formUnion(document.entries.map(\.entry.itemID)) }
                let pages = OutputRendering.pages(document, now: now)
                let maxAge = ServeDecision.maxAge(pollIntervals: feeds.map { planner.interval(for: $0.0) })
                // Files first, so that a served copy's Last-Modified is its file's (stable across restarts);
                // a file that cannot be written is still served from memory, then reported.
                var modified: [String: Date] = [:]
                var failure: (any Error)?
                for page in pages where file {
                    do {
                        if try AtomicFile.write(page.data, to: page.filePath) {
                            written.append(page.filePath)
                            logger.info("output written", metadata: ["path": "\(page.filePath)", "entries": "\(document.entries.count)"])
                        }
                        modified[page.urlPath] = (try? FileManager.default.attributesOfItem(atPath: page.filePath))?[.modificationDate] as? Date
                    } catch {
                        failure = failure ?? error
                    }
                }
                if file && output.format == .html && failure == nil { rivers.append(output) }
                if file { pageFiles.formUnion(pages.map(\.filePath)) }
                onPublish?(output.urlPath, pages.map {
                    PublishedDocument(urlPath: $0.urlPath, contentType: $0.contentType, data: $0.data, maxAge: maxAge, modified: modified[$0.urlPath])
                }, root)
                if let failure { throw failure }
            } catch {
                let message = "cannot write output \(output.path): \(error)"
                errors.append(message)
                logger.error("output not written", metadata: ["path": "\(output.path)", "error": "\(error)"])
            }
        }
        // Tag pages of tags no longer shown; never a file another output wrote this round, whatever its name.
        for river in rivers { OutputRendering.removeStaleTagPages(of: river, keeping: pageFiles) }
        outputsStale = !errors.isEmpty
        do {
            if try pruneIfDue(now: now, keeping: shown) { outputsStale = true }
        } catch {
            logger.error("pruning failed", metadata: ["error": "\(error)"])
        }
        return (written, errors)
    }

    /// The newest entries of `feeds` for one output, each with its first publisher and the other outlets.
    private func outputDocument(_ output: OutputSettings, feeds: [(FeedSettings, FeedRecord)],
                                byID: [Int64: (FeedSettings, FeedRecord)], now: Date) throws(StoreError) -> OutputDocument {
        let stored = try store.entries(feedIDs: feeds.map(\.1.id), limit: output.maxEntries,
                                       notBefore: output.maxAge.map { now.addingTimeInterval(-$0) })
        let entries = stored.compactMap { entry -> OutputEntry? in
            guard let source = byID[entry.sourceFeedID] else { return nil }
            var tags: [String] = []
            for carrier in entry.carriers {
                for tag in byID[carrier.feedID]?.0.tags ?? [] where !tags.contains(tag) { tags.append(tag) }
            }
            let via = entry.carriers.dropFirst().compactMap { carrier in
                byID[carrier.feedID].map { (feed: $0.1, link: carrier.link) }
            }
            return OutputEntry(entry: entry, source: source.1, via: via, tags: tags)
        }
        return OutputDocument(settings: output, entries: entries)
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
