import XCTest
@testable import Tributary

/// The poll-outcome rules, one status class at a time, without a server or a parser.
final class PollOutcomeTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_000_000)
    let feed = FeedSettings(name: "A", url: "https://a.example/feed", interval: 600)
    var planner: PollPlanner {
        var p = PollPlanner(poll: PollSettings())
        p.jitter = { _ in 1 }
        return p
    }

    func response(_ status: Int, headers: [String: String] = [:], body: String = "<rss/>", failure: FetchFailure? = nil,
                  redirect: String? = nil, requestURL: String? = nil) -> FetchResponse {
        FetchResponse(tag: 0, requestURL: requestURL ?? feed.url, status: status, headers: headers, body: Data(body.utf8),
                      effectiveURL: redirect ?? feed.url, permanentRedirect: redirect, failure: failure, elapsed: 0.01)
    }

    func record(_ poll: FeedPollState = FeedPollState()) -> FeedRecord {
        FeedRecord(id: 1, url: feed.url, name: feed.name, poll: poll)
    }

    func decide(_ r: FetchResponse, _ rec: FeedRecord? = nil,
                parse: (FetchResponse) throws(FeedParseError) -> ParsedFeed = { _ in ParsedFeed(format: .rss20) }) -> PollOutcome {
        PollOutcome.decide(r, feed: feed, record: rec ?? record(), planner: planner, now: now, parse: parse)
    }

    func testOKStoresValidatorsAndParsedBody() {
        let o = decide(response(200, headers: ["etag": "\"v1\"", "last-modified": "Mon, 01 Jan 2024 00:00:00 GMT"]))
        XCTAssertNotNil(o.parsed)
        XCTAssertNil(o.state.lastError)
        XCTAssertEqual(o.state.etag, "\"v1\"")
        XCTAssertEqual(o.state.lastModified, "Mon, 01 Jan 2024 00:00:00 GMT")
        XCTAssertEqual(o.state.bodyHash, RevisionDigest.of(body: Data("<rss/>".utf8)))
        XCTAssertNotEqual(o.state.bodyHash, RevisionDigest.of(body: Data("<rss/> ".utf8)))
        XCTAssertEqual(o.state.nextPollAt, now.addingTimeInterval(600))
        XCTAssertEqual(o.state.failures, 0)
        XCTAssertEqual(o.state.plannedInterval, 600)
    }

    func testOKResetsEarlierFailures() {
        let o = decide(response(200), record(FeedPollState(lastError: "HTTP 500", failures: 4)))
        XCTAssertEqual(o.state.failures, 0)
        XCTAssertNil(o.state.lastError)
    }

    func testPublisherHintsRaiseTheInterval() {
        let ttl = decide(response(200)) { _ in var f = ParsedFeed(format: .rss20); f.refreshHint = 7200; return f }
        XCTAssertEqual(ttl.state.nextPollAt, now.addingTimeInterval(7200))
        let cache = decide(response(200, headers: ["cache-control": "public, max-age=3600"]))
        XCTAssertEqual(cache.state.nextPollAt, now.addingTimeInterval(3600))
        let short = decide(response(304, headers: ["cache-control": "max-age=10"]))
        XCTAssertEqual(short.state.nextPollAt, now.addingTimeInterval(600))
    }

    func testNotModifiedKeepsValidatorsAndParsesNothing() {
        let o = decide(response(304), record(FeedPollState(etag: "\"v1\"", bodyHash: "h"))) { _ in
            XCTFail("a 304 is never parsed"); return ParsedFeed(format: .rss20)
        }
        XCTAssertNil(o.parsed)
        XCTAssertEqual(o.state.etag, "\"v1\"")
        XCTAssertEqual(o.state.bodyHash, "h")
        XCTAssertEqual(o.state.lastStatus, 304)
        XCTAssertEqual(o.state.nextPollAt, now.addingTimeInterval(600))
    }

    func testIdenticalBodyIsNotParsedAndKeepsTheLastGap() {
        // The body's digest, and the SHA-256 an older release stored for it.
        for hash in [RevisionDigest.of(body: Data("<rss/>".utf8)), ContentFingerprint.sha256Hex(Data("<rss/>".utf8))] {
            let previous = FeedPollState(lastPollAt: now.addingTimeInterval(-5000), nextPollAt: now.addingTimeInterval(-1400), bodyHash: hash)
            let o = decide(response(200), record(previous)) { _ in XCTFail("unchanged bytes are never parsed"); return ParsedFeed(format: .rss20) }
            XCTAssertNil(o.parsed)
            XCTAssertNil(o.state.lastError)
            XCTAssertEqual(o.state.nextPollAt, now.addingTimeInterval(3600))
            XCTAssertEqual(o.state.bodyHash, RevisionDigest.of(body: Data("<rss/>".utf8)))
        }
        let other = FeedPollState(bodyHash: ContentFingerprint.sha256Hex(Data("<rss></rss>".utf8)))
        XCTAssertNotNil(decide(response(200), record(other)).parsed, "another body's old hash")
    }

    func testParseFailuresBackOff() {
        let notFeed = decide(response(200), record(FeedPollState(failures: 1))) { _ throws(FeedParseError) in
            throw .notAFeed("no RSS, Atom or JSON Feed root element")
        }
        XCTAssertEqual(notFeed.state.lastError, "not a feed (no RSS, Atom or JSON Feed root element)")
        XCTAssertEqual(notFeed.state.failures, 2)
        XCTAssertEqual(notFeed.state.nextPollAt, now.addingTimeInterval(1200))
        XCTAssertNil(notFeed.state.bodyHash, "a body that failed to parse is parsed again next time")
        let broken = decide(response(200)) { _ throws(FeedParseError) in throw .malformed("x") }
        XCTAssertEqual(broken.state.lastError, "parse error: malformed feed: x")
    }

    func testServerErrorsAndNetworkFailuresBackOffExponentially() {
        let e500 = decide(response(500), record(FeedPollState(failures: 2)))
        XCTAssertEqual(e500.state.lastError, "HTTP 500")
        XCTAssertEqual(e500.state.failures, 3)
        XCTAssertEqual(e500.state.nextPollAt, now.addingTimeInterval(2400))
        let timeout = decide(response(0, failure: .timeout("30 s")))
        XCTAssertEqual(timeout.state.failures, 1)
        XCTAssertNil(timeout.state.lastStatus)
        XCTAssertEqual(timeout.state.nextPollAt, now.addingTimeInterval(600))
    }

    func testNotFoundIsCheckedDaily() {
        let o = decide(response(404))
        XCTAssertEqual(o.state.lastError, "HTTP 404 Not Found")
        XCTAssertEqual(o.state.nextPollAt, now.addingTimeInterval(PollPlanner.maximumDelay))
        XCTAssertFalse(o.state.gone)
    }

    func testGoneStopsTheFeed() {
        let o = decide(response(410))
        XCTAssertTrue(o.state.gone)
        XCTAssertEqual(o.notice, .gone)
        XCTAssertNil(o.state.nextPollAt)
    }

    func testRetryAfterHoldsTheWholeHost() {
        let o = decide(response(429, headers: ["retry-after": "120"]))
        XCTAssertEqual(o.hostHold, PollOutcome.HostHold(host: "a.example:443", until: now.addingTimeInterval(120)))
        XCTAssertEqual(o.state.nextPollAt, now.addingTimeInterval(120))
        XCTAssertEqual(o.notice, .hostAskedToWait(seconds: 120))
        // A huge Retry-After is capped at a day; without one, 503 is an ordinary failure.
        let huge = decide(response(503, headers: ["retry-after": "99999999999999"]))
        XCTAssertEqual(huge.state.nextPollAt, now.addingTimeInterval(PollPlanner.maximumDelay))
        let plain = decide(response(503))
        XCTAssertNil(plain.hostHold)
        XCTAssertEqual(plain.state.lastError, "HTTP 503")
    }

    func testHostBackoffDefersWithoutCountingAFailure() {
        let until = now.addingTimeInterval(300)
        let o = decide(response(0, failure: .hostBackoff(until: until)), record(FeedPollState(lastStatus: 200, failures: 1)))
        XCTAssertTrue(o.deferred)
        XCTAssertEqual(o.state.failures, 1)
        XCTAssertEqual(o.state.lastStatus, 200)
        XCTAssertEqual(o.state.nextPollAt, until)
    }

    func testPermanentRedirectIsLearnedOnTheSecondPoll() {
        let target = "https://b.example/feed"
        let first = decide(response(200, redirect: target))
        XCTAssertEqual(first.state.redirectSeen, 1)
        XCTAssertNil(first.notice)
        let second = decide(response(200, redirect: target), record(first.state))
        XCTAssertEqual(second.state.redirectSeen, 2)
        XCTAssertEqual(second.notice, .movedPermanently(to: target))
        // Back at the configured URL without a redirect: forgotten.
        let back = decide(response(200), record(second.state))
        XCTAssertEqual(back.state.redirectSeen, 0)
        XCTAssertNil(back.state.redirectURL)
    }
}
