import Dispatch
import Foundation
import Logging

/// WebSub publishing (W3C WebSub §6): after an output changes, tells its hub, which then fetches the
/// output and pushes it to subscribers. Runs on a queue of its own with its own transfers, so a slow or
/// failing hub never holds up a poll.
///
/// All state is confined to `queue`, which is why the class can be `@unchecked Sendable`.
public final class HubNotifier: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tributary.websub")
    private let fetcher = HTTPFetcher(concurrency: 2, perHost: 1)
    private let userAgent: String
    private let logger: Logger
    /// Pings waiting for their next attempt, by hub and topic. A ping already waiting covers a newer
    /// rewrite too: the hub fetches the topic when it is told, so it gets the newest content.
    private var waiting: Set<String> = []

    public init(userAgent: String, logger: Logger) {
        self.userAgent = userAgent
        self.logger = logger
    }

    /// Queues a publish ping for `topic` (the output's public URL) to `hub`; returns at once.
    public func publish(hub: String, topic: String) {
        queue.async { [self] in
            let key = hub + "\n" + topic
            guard waiting.insert(key).inserted else { return }
            attempt(hub: hub, topic: topic, key: key, number: 1)
        }
    }

    /// Waits until every queued ping has been sent or given up (for a clean stop and for tests).
    public func drain() { queue.sync {} }

    private func attempt(hub: String, topic: String, key: String, number: Int) {
        let body = "hub.mode=publish&hub.url=" + Self.formEncode(topic)
        let request = FetchRequest(url: hub, tag: 0, userAgent: userAgent, timeout: 30, connectTimeout: 10, maxBodyBytes: 64 * 1024)
        var post = request
        post.formBody = body
        var outcome: FetchResponse?
        fetcher.fetch([post]) { outcome = $0 }
        let status = outcome.flatMap { $0.failure == nil ? $0.status : nil }
        if let status, (200..<300).contains(status) {
            waiting.remove(key)
            logger.info("hub notified", metadata: ["hub": "\(hub)", "topic": "\(topic)", "status": "\(status)"])
            return
        }
        let reason = outcome?.failure.map { "\($0)" } ?? "HTTP \(status ?? 0)"
        let hinted = outcome.flatMap { ResponseHeaders.retryAfter($0.headers, now: Date()) }
        guard let delay = Self.retryDelay(afterAttempt: number, retryAfter: hinted) else {
            waiting.remove(key)
            logger.error("hub ping given up", metadata: ["hub": "\(hub)", "topic": "\(topic)", "attempts": "\(number)", "error": "\(reason)"])
            return
        }
        logger.warning("hub ping failed; will retry", metadata: ["hub": "\(hub)", "error": "\(reason)", "retry_in": "\(Int(delay))s"])
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            attempt(hub: hub, topic: topic, key: key, number: number + 1)
        }
    }

    /// When to try again after failed attempt `n`: the hub's Retry-After (at most a day), else 30 s
    /// doubling to an hour; nil after 8 attempts.
    static func retryDelay(afterAttempt n: Int, retryAfter: TimeInterval?) -> TimeInterval? {
        guard n < 8 else { return nil }
        if let retryAfter { return min(max(retryAfter, 1), 86400) }
        return min(30 * pow(2, Double(n - 1)), 3600)
    }

    /// `application/x-www-form-urlencoded` value encoding (WHATWG URL §5.2).
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2A, 0x2D, 0x2E, 0x5F: out.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x20: out += "+"
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
