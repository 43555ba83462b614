import Foundation

/// What one fetch means for its feed: the feed's next poll state, the parsed body to store (if any),
/// and what the rest of the pipeline must know (a host asking to be left alone, a feed that moved).
///
/// `decide` is a pure function of the response, the feed's record, the planner and the clock; parsing
/// is passed in so that the rules can be tested without a parser or a server.
public struct PollOutcome: Sendable {
    /// A host that answered 429/503 with Retry-After: no feed on it is polled before `until`.
    public struct HostHold: Sendable, Equatable {
        public var host: String
        public var until: Date

        /// What a 429 or 503 with Retry-After asks for: its whole host and port left alone until the time
        /// it names (at least a second away, at most `PollPlanner.maximumDelay`), and the wait as the
        /// server said it. Nil for any other answer. Feed polls and full-text pages both obey it.
        static func requested(by response: FetchResponse, now: Date) -> (hold: HostHold, wait: TimeInterval)? {
            guard response.failure == nil, response.status == 429 || response.status == 503,
                  let wait = ResponseHeaders.retryAfter(response.headers, now: now) else { return nil }
            let until = now.addingTimeInterval(min(max(wait, 1), PollPlanner.maximumDelay))
            return (HostHold(host: HTTPFetcher.hostKey(response.effectiveURL), until: until), wait)
        }
    }

    /// Events worth a log line of their own.
    public enum Notice: Sendable, Equatable {
        case gone
        /// The second poll in a row redirected permanently to the same place.
        case movedPermanently(to: String)
        case hostAskedToWait(seconds: Int)
    }

    public var state: FeedPollState
    public var parsed: ParsedFeed?
    public var hostHold: HostHold?
    public var notice: Notice?
    /// Not attempted: the feed waits for its host; neither a success nor a failure.
    public var deferred = false

    /// The rules for every kind of answer. `parse` turns a 2xx body into a feed.
    public static func decide(_ response: FetchResponse, feed: FeedSettings, record: FeedRecord, planner: PollPlanner,
                              now: Date, parse: (FetchResponse) throws(FeedParseError) -> ParsedFeed) -> PollOutcome {
        let status = response.status
        var state = record.poll
        state.lastPollAt = now
        state.lastStatus = response.failure == nil ? status : nil
        state.lastError = nil
        state.failures = 0
        state.nextPollAt = nil
        state.gone = false
        state.plannedInterval = planner.interval(for: feed)
        var outcome = PollOutcome(state: state)

        func fail(_ message: String) {
            outcome.state.lastError = message
            outcome.state.failures = record.failures + 1
            outcome.state.nextPollAt = planner.nextAfterFailure(feed: feed, failures: outcome.state.failures, now: now)
        }
        let success = response.failure == nil && (200..<300).contains(status)
        // Hashed once: compared with the last parsed body, and stored if this one is parsed.
        let bodyHash = success ? RevisionDigest.of(body: response.body) : nil
        let freshness = ResponseHeaders.freshness(response.headers, now: now)

        if case .hostBackoff(let until) = response.failure {
            // Not this feed's failure: it simply waits for its host.
            outcome.deferred = true
            outcome.state.lastError = response.failure?.description
            outcome.state.lastStatus = record.lastStatus
            outcome.state.failures = record.failures
            outcome.state.nextPollAt = until
        } else if let failure = response.failure {
            fail(failure.description)
        } else if status == 304 {
            outcome.state.nextPollAt = planner.nextAfterSuccess(feed: feed, now: now, hint: freshness)
        } else if success, let bodyHash, RevisionDigest.matches(stored: record.bodyHash, body: response.body, digest: bodyHash) {
            // The same bytes as last time from a server that sends no validators: nothing to parse.
            // The previous gap carries the publisher's ttl hint, which only the parsed body could tell.
            outcome.state.bodyHash = bodyHash  // an older release's form is replaced by the same body's digest
            outcome.state.etag = response.headers["etag"] ?? record.etag
            outcome.state.lastModified = response.headers["last-modified"] ?? record.lastModified
            var hint = freshness ?? 0
            if record.failures == 0, let last = record.lastPollAt, let next = record.nextPollAt {
                hint = max(hint, next.timeIntervalSince(last))
            }
            outcome.state.nextPollAt = planner.nextAfterSuccess(feed: feed, now: now, hint: hint)
        } else if success {
            do throws(FeedParseError) {
                let document = try parse(response)
                outcome.parsed = document
                outcome.state.bodyHash = bodyHash
                outcome.state.etag = response.headers["etag"]
                outcome.state.lastModified = response.headers["last-modified"]
                let hint = max(freshness ?? 0, document.refreshHint ?? 0)
                outcome.state.nextPollAt = planner.nextAfterSuccess(feed: feed, now: now, hint: hint)
            } catch {
                fail(error.pollMessage)
            }
        } else if status == 410 {
            outcome.state.lastError = "410 Gone: the publisher removed this feed; polling stopped, remove it from the config"
            outcome.state.failures = record.failures + 1
            outcome.state.gone = true
            outcome.notice = .gone
        } else if let (hold, wait) = HostHold.requested(by: response, now: now) {
            outcome.state.lastError = "HTTP \(status), asked to retry after \(Int(min(wait, 1e9))) s"
            outcome.state.failures = record.failures + 1
            outcome.state.nextPollAt = hold.until
            // Retry-After speaks for the whole host and port, not just this feed.
            outcome.hostHold = hold
            outcome.notice = .hostAskedToWait(seconds: Int(min(wait, 1e9)))
        } else if status == 404 {
            // Often a feed that moved without a redirect: checked again daily, not with backoff.
            outcome.state.lastError = "HTTP 404 Not Found"
            outcome.state.failures = record.failures + 1
            outcome.state.nextPollAt = now.addingTimeInterval(PollPlanner.maximumDelay)
        } else {
            fail("HTTP \(status)")
        }
        if response.failure == nil && outcome.state.lastError == nil {
            outcome.learnRedirect(response, feed: feed, record: record)
        }
        return outcome
    }

    /// The state to keep when storing a poll failed (a full disk, an I/O error): the feed backs off like
    /// any failure, so a store that cannot commit never turns into a request storm. The validators and
    /// body hash stay those of the last stored poll, so the next fetch brings back what was not stored.
    public static func afterStorageFailure(_ error: String, feed: FeedSettings, record: FeedRecord, planner: PollPlanner,
                                           now: Date) -> FeedPollState {
        var state = record.poll
        state.lastPollAt = now
        state.lastError = "storage: \(error)"
        state.failures = record.failures + 1
        state.nextPollAt = planner.nextAfterFailure(feed: feed, failures: state.failures, now: now)
        return state
    }

    /// A permanent redirect seen on two polls in a row is followed directly from then on
    /// (`Aggregator` asks for `redirectURL` once `redirectSeen` reaches 2).
    private mutating func learnRedirect(_ response: FetchResponse, feed: FeedSettings, record: FeedRecord) {
        if let target = response.permanentRedirect, target != feed.url {
            state.redirectSeen = target == record.redirectURL ? record.redirectSeen + 1 : 1
            state.redirectURL = target
            if state.redirectSeen == 2 { notice = .movedPermanently(to: target) }
        } else if response.requestURL == feed.url {
            state.redirectURL = nil
            state.redirectSeen = 0
        }
    }
}

extension FeedParseError {
    /// How a parse failure reads in a feed's status.
    var pollMessage: String {
        if case .notAFeed = self { return description }
        return "parse error: \(self)"
    }
}
