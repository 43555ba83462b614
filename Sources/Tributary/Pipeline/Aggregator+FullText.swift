import Foundation
import Logging

// Full text: the pages of new and changed items of `full_text` feeds, fetched with the feeds' own
// fetcher (per-host limits, timeouts, size cap, redirect rules, host holds), their articles extracted
// and stored beside the items. A page that fails keeps its item's summary and is retried later.
extension Aggregator {
    /// Pages fetched per cycle at most: a burst of new items is read over a few cycles, and a cycle
    /// stays bounded.
    static let fullTextBatch = 500

    func fetchFullTexts(cancel: CancellationFlag, now: () -> Date) -> (fetched: Int, failed: Int) {
        var rulesByFeed: [Int64: (FeedSettings, FullTextSettings)] = [:]
        for feed in config.feeds {
            if let rules = feed.fullText, let record = records[feed.url] { rulesByFeed[record.id] = (feed, rules) }
        }
        guard !rulesByFeed.isEmpty else { return (0, 0) }
        let jobs: [FullTextJob]
        do { jobs = try store.dueFullTexts(now: now(), limit: Self.fullTextBatch) } catch {
            logger.error("cannot read the full-text queue", metadata: ["error": "\(error)"])
            return (0, 0)
        }
        var requests: [FetchRequest] = []
        var result = (fetched: 0, failed: 0)
        for (index, job) in jobs.enumerated() {
            guard let (feed, _) = rulesByFeed[job.feedID] else {
                // The feed no longer asks for full text (or is gone): the item keeps what its feed said.
                try? store.recordFullTextFailure(itemID: job.itemID, error: "full_text is off for its feed", retryAt: nil)
                continue
            }
            requests.append(FetchRequest(url: job.url, tag: index, userAgent: feed.userAgent ?? config.poll.userAgent,
                                         timeout: config.poll.timeout, connectTimeout: config.poll.connectTimeout,
                                         maxBodyBytes: config.poll.maxBodyBytes))
        }
        fetcher.fetch(requests, isCancelled: { cancel.isCancelled }, heldUntil: { hostHolds[$0] }) { response in
            let job = jobs[response.tag]
            guard response.failure != .cancelled, let (feed, rules) = rulesByFeed[job.feedID] else { return }
            let outcome = FullTextOutcome.decide(response, attempts: job.attempts, now: now()) { page in
                ArticlePage.extract([UInt8](page.body), httpCharset: page.charset, url: page.effectiveURL,
                                    contentXPath: rules.contentXPath, removeXPaths: rules.removeXPaths)?.html
            }
            do {
                switch outcome {
                case .article(let html):
                    try store.recordFullText(itemID: job.itemID, content: html, now: now())
                    outputsStale = true
                    result.fetched += 1
                case .waiting(let until):
                    try store.postponeFullText(itemID: job.itemID, until: until)
                case .failed(let error, let retryAt, let hold):
                    try store.recordFullTextFailure(itemID: job.itemID, error: error, retryAt: retryAt)
                    if let hold { holdHost(hold) }
                    result.failed += 1
                    logger.warning(retryAt == nil ? "full text given up: the item keeps its summary" : "full text failed; retrying later",
                                   metadata: ["feed": "\(feed.name)", "url": "\(job.url)", "error": "\(error)",
                                              "retry": "\(retryAt.map(FeedDate.format) ?? "never")"])
                }
            } catch {
                logger.error("storing full text failed", metadata: ["url": "\(job.url)", "error": "\(error)"])
            }
            onProgress?()
        }
        if result.fetched + result.failed > 0 {
            logger.info("full text", metadata: ["fetched": "\(result.fetched)", "failed": "\(result.failed)"])
        }
        return result
    }
}
