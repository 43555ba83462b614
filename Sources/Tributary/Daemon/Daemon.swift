import Dispatch
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Why the daemon could not start: its database, or its server's sockets.
public enum DaemonStartError: Error, CustomStringConvertible {
    case store(StoreError)
    case serve(String)

    public var description: String {
        switch self {
        case .store(let error): "\(error)"
        case .serve(let message): message
        }
    }
}

/// The long-running service: a Dispatch timer drives the schedule; signals reload or stop it.
///
/// All mutable state is confined to `queue`; signal handlers only hop onto it or set the
/// cancellation flag, which is why the class can be `@unchecked Sendable`.
public final class Daemon: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tributary.daemon")
    private let configPath: String
    private var aggregator: Aggregator
    private let logger: Logger
    private let cancel = CancellationFlag()
    private let notifier = SystemdNotifier()
    private var timer: DispatchSourceTimer?
    private var signalSources: [DispatchSourceSignal] = []
    private var lastWatchdog = Date.distantPast
    private var lastWrite: Date?
    private var stopping = false
    /// The built-in HTTP server, when `[serve]` is configured or systemd passed sockets.
    private let server: HTTPServer?
    private let hubs: HubNotifier
    private var lastStatusPublished = Date.distantPast
    private var statusShowsPolls = false
    /// When the running configuration was read: the OPML list's date, so its bytes change only with it.
    private var configLoaded = Date()

    public init(configPath: String, config: Configuration, logger: Logger) throws(DaemonStartError) {
        self.configPath = configPath
        self.logger = logger
        do { aggregator = try Aggregator(config: config, logger: logger) } catch { throw .store(error) }
        hubs = HubNotifier(userAgent: config.poll.userAgent, logger: logger)
        // Sockets from systemd take the place of `listen`: the unit's hardening needs no bind rights.
        let sockets: [Int32]
        do {
            if let passed = ListenSocket.fromSystemd() {
                sockets = passed
            } else {
                sockets = try (config.serve?.listen ?? []).map { address throws(ListenFailure) in try ListenSocket.open(address) }
            }
            server = sockets.isEmpty ? nil : try HTTPServer(sockets: sockets, limits: HTTPServer.Limits(connections: config.serve?.maxConnections ?? 256),
                                                            logger: logger)
        } catch {
            aggregator.close()
            throw .serve(error.description)
        }
        if server != nil {
            logger.info("serving", metadata: ["listen": "\(config.serve?.listen.map(\.description).joined(separator: " ") ?? "systemd sockets (\(sockets.count))")"])
        }
        aggregator.onProgress = { [unowned self] in feedWatchdog() }
        if let server {
            aggregator.onPublish = { group, documents, root in server.publish(group: group, documents: documents, root: root) }
        }
    }

    /// Starts the timer and signal handlers and never returns; exits 0 on SIGTERM or SIGINT.
    public func run() -> Never {
        for sig in [SIGTERM, SIGINT, SIGHUP] { signal(sig, SIG_IGN) }
        for sig in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
            source.setEventHandler { [self] in stop(signal: sig) }
            source.resume()
            signalSources.append(source)
        }
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .main)
        hup.setEventHandler { [self] in queue.async { self.reload() } }
        hup.resume()
        signalSources.append(hup)

        queue.async { [self] in
            logger.info("started", metadata: ["config": "\(configPath)", "feeds": "\(aggregator.config.feeds.count)",
                                              "database": "\(aggregator.config.storage.databasePath)"])
            notifier.send("READY=1")
            notifier.send("STATUS=started, \(aggregator.config.feeds.count) feeds")
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now(), repeating: .seconds(1), leeway: .milliseconds(200))
            timer.setEventHandler { [self] in tick() }
            timer.resume()
            self.timer = timer
            // The server answers from the first second, not only after the first feed falls due.
            if server != nil { _ = aggregator.writeOutputs() }
            publishStatus(force: true)
        }
        dispatchMain()
    }

    private func tick() {
        guard !stopping else { return }
        let now = Date()
        let due = aggregator.dueFeeds(now: now)
        if !due.isEmpty {
            let report = aggregator.poll(due, cancel: cancel)
            if !report.outputsWritten.isEmpty { lastWrite = Date() }
            pingHubs(written: report.outputsWritten)
            if !cancel.isCancelled { notifier.send("STATUS=" + status(report)) }
        }
        // The first cycle's results show at once; later, the status pages are remade only when someone
        // has asked for them, at most every 10 s: each reads every feed's items.
        if !due.isEmpty && !statusShowsPolls {
            publishStatus(force: true)
            statusShowsPolls = true
        } else if server?.statusWanted == true {
            publishStatus()
        }
        feedWatchdog()
    }

    /// WebSub: each output whose file changed, and that names a hub, is announced (off this queue).
    private func pingHubs(written: [String]) {
        for output in aggregator.config.outputs where written.contains(output.path) {
            if let hub = output.hub, let topic = output.link { hubs.publish(hub: hub, topic: topic) }
        }
    }

    /// `/status`, `/status.json` and `/sources.opml`: at most every 10 s unless forced; the status
    /// pages say when they were made.
    private func publishStatus(force: Bool = false) {
        guard let server, force || Date().timeIntervalSince(lastStatusPublished) >= 10 else { return }
        lastStatusPublished = Date()
        let config = aggregator.config
        let title = config.outputs.first?.title ?? OutputSettings.defaultTitle
        let opml = Data(OPML.document(feeds: config.feeds, title: title, created: configLoaded).utf8)
        var documents = [PublishedDocument(urlPath: "/sources.opml", contentType: "text/x-opml; charset=utf-8", data: opml, maxAge: 300)]
        do {
            let report = try StatusReport(config: config, store: aggregator.store)
            documents.append(PublishedDocument(urlPath: "/status", contentType: OutputRendering.contentType(.html),
                                               data: report.html(title: title, timeZone: config.serve?.timeZone ?? "UTC"), maxAge: 30))
            documents.append(PublishedDocument(urlPath: "/status.json", contentType: "application/json", data: report.json(pretty: false), maxAge: 30))
        } catch {
            logger.error("cannot read status for serving", metadata: ["error": "\(error)"])
        }
        server.publish(group: HTTPServer.statusGroup, documents: documents)
    }

    private func status(_ report: CycleReport) -> String {
        let feeds = (try? aggregator.store.allFeeds()) ?? []
        let configured = Set(aggregator.config.feeds.map(\.url))
        let failing = feeds.filter { configured.contains($0.url) && $0.failures > 0 }.count
        var text = "\(configured.count) feeds, \(failing) failing, \(report.totalItems) items"
        if let lastWrite {
            // FeedDate's UTC form rather than a DateFormatter, whose locale data is megabytes of ICU.
            text += ", last write \(FeedDate.format(lastWrite).dropFirst(11).prefix(5)) UTC"
        }
        return text
    }

    /// Keep-alives only while the scheduler runs and the database answers.
    private func feedWatchdog() {
        guard let interval = notifier.watchdogInterval, Date().timeIntervalSince(lastWatchdog) >= interval else { return }
        guard aggregator.store.ping() else {
            logger.error("database does not answer; withholding watchdog keep-alive")
            return
        }
        lastWatchdog = Date()
        notifier.send("WATCHDOG=1")
    }

    private func reload() {
        guard !stopping else { return }
        notifier.send("RELOADING=1")
        do {
            let config = try ConfigLoader().load(path: configPath)
            if config.storage.databasePath != aggregator.config.storage.databasePath {
                logger.warning("storage.database changed; the new path takes effect after a restart")
            }
            var applied = config
            applied.storage = aggregator.config.storage
            if config.serve != aggregator.config.serve {
                logger.warning("[serve] changed; the new addresses take effect after a restart")
            }
            try aggregator.apply(applied)
            configLoaded = Date()
            pingHubs(written: aggregator.writeOutputs().written)
            publishStatus(force: true)
        } catch let error as ConfigError {
            logger.error("reload rejected, keeping the running config", metadata: ["error": "\(error)"])
        } catch {
            logger.error("reload failed, keeping the running config", metadata: ["error": "\(error)"])
        }
        notifier.send("READY=1")
        tick()
    }

    private func stop(signal: Int32) {
        logger.info("stopping", metadata: ["signal": "\(signal == SIGTERM ? "TERM" : "INT")"])
        notifier.send("STOPPING=1")
        cancel.cancel()
        // If the queue is wedged in something uninterruptible, still leave within the 5 s promise;
        // SQLite's WAL keeps the database consistent either way. Not a clean stop: say so, and exit 1.
        let logger = logger
        DispatchQueue.global().asyncAfter(deadline: .now() + 4.5) {
            logger.error("stop deadline passed with work still running; exiting without a clean close")
            exit(1)
        }
        queue.async { [self] in
            stopping = true
            timer?.cancel()
            server?.stop()
            aggregator.close()
            logger.info("stopped")
            exit(0)
        }
    }
}
