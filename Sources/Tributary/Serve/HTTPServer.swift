import CMicroHTTPD
import CMicroHTTPDShim
import Foundation
import Logging
import Synchronization

// All libmicrohttpd pointer handling lives in this file.

/// Serves the published documents over HTTP/1.1 with libmicrohttpd: one epoll thread per listening
/// socket, apart from the daemon's queue, so serving never waits for a poll and a poll never waits
/// for a client. Requests read an immutable snapshot that publishing swaps in whole.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemons` is written once in init and read in stop(); the snapshot sits in a Mutex.
    private let site = Mutex(SiteSnapshot())
    private var daemons: [OpaquePointer] = []
    private let logger: Logger
    /// Set when a client asks for a status page, cleared when the status group is published again.
    private let statusRequested = Atomic<Bool>(false)

    /// The group the status pages are published under; publishing it answers the request flag.
    public static let statusGroup = "status"

    /// Whether a status page was asked for since the status pages were last published.
    public var statusWanted: Bool { statusRequested.load(ordering: .relaxed) }

    /// Limits that keep one client from taking the server: connections in all and per address, a
    /// per-connection memory pool that bounds the request header (a larger one gets 431), and an idle
    /// timeout that ends slowloris connections.
    public struct Limits: Sendable {
        public var connections: Int = 256
        public var perAddress: Int = 64
        public var idleTimeout: Int = 10
        public var requestMemory: Int = 32 * 1024
        public init(connections: Int) {
            self.connections = connections
            perAddress = max(2, connections / 4)
        }
    }

    public init(sockets: [Int32], limits: Limits, logger: Logger) throws(ListenFailure) {
        self.logger = logger
        let context = Unmanaged.passUnretained(self).toOpaque()
        for fd in sockets {
            guard let daemon = tributary_mhd_start(fd, handleRequest, context, UInt32(limits.connections),
                                                   UInt32(limits.perAddress), UInt32(limits.idleTimeout),
                                                   limits.requestMemory) else {
                stop()
                throw ListenFailure(description: "libmicrohttpd could not serve socket \(fd)")
            }
            daemons.append(daemon)
        }
    }

    /// Closes the listening sockets and ends the connections.
    public func stop() {
        for daemon in daemons { MHD_stop_daemon(daemon) }
        daemons.removeAll()
    }

    /// Replaces one group of documents (an output and its pages, the status pages); their validators
    /// carry over where the bytes did not change. Compression happens here, on the caller's thread.
    public func publish(group: String, documents: [PublishedDocument], root: String? = nil, now: Date = Date()) {
        if group == Self.statusGroup { statusRequested.store(false, ordering: .relaxed) }
        let previous = site.withLock { $0.groups[group] } ?? [:]
        var served: [String: ServedDocument] = [:]
        for document in documents {
            served[document.urlPath] = ServedDocument(contentType: document.contentType, body: document.data,
                                                      maxAge: document.maxAge, now: document.modified ?? now,
                                                      previous: previous[document.urlPath])
        }
        site.withLock { snapshot in
            snapshot.replace(group: group, with: served)
            if let root { snapshot.rootPath = root }
        }
        // Rendering and compressing a large output leaves freed heap behind: hand it back to the system,
        // so that serving costs the documents' size and not the peak of making them.
        tributary_release_free_memory()
    }

    func snapshot() -> SiteSnapshot { site.withLock { $0 } }

    fileprivate func answer(_ connection: OpaquePointer, method: String, url: String) -> MHD_Result {
        func header(_ name: String) -> String? {
            MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
        }
        let request = ServeRequest(method: method, path: url, ifNoneMatch: header("If-None-Match"),
                                   ifModifiedSince: header("If-Modified-Since"), acceptEncoding: header("Accept-Encoding"))
        let result = ServeDecision.respond(to: request, site: snapshot())
        if url == "/status" || url == "/status.json" { statusRequested.store(true, ordering: .relaxed) }
        logger.debug("served", metadata: ["method": "\(method.prefix(16))", "path": "\(url.prefix(200))", "status": "\(result.status)"])
        let response = result.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let response else { return .NO }
        defer { MHD_destroy_response(response) }
        for (name, value) in result.headers { _ = MHD_add_response_header(response, name, value) }
        return MHD_queue_response(connection, UInt32(result.status), response)
    }
}

/// libmicrohttpd calls this at least twice per request, on the listening socket's thread: first when the
/// headers are in (answering then would close the connection, so it only marks the request), then with
/// each piece of a body, then once the request is complete. Only GET and HEAD are served: a body is
/// read and dropped up to 64 KiB (so the 405 reaches the client), and a longer one ends the connection.
/// The per-request state word counts the bytes dropped, plus one.
private let handleRequest: MHD_AccessHandlerCallback = { context, connection, url, method, _, _, size, state in
    guard let context, let connection, let url, let method, let size, let state else { return .NO }
    guard let marker = state.pointee else {
        state.pointee = UnsafeMutableRawPointer(bitPattern: 1)
        return .YES
    }
    if size.pointee > 0 {
        let dropped = Int(bitPattern: marker) - 1 + size.pointee
        guard dropped <= 64 * 1024 else { return .NO }
        state.pointee = UnsafeMutableRawPointer(bitPattern: dropped + 1)
        size.pointee = 0
        return .YES
    }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    return server.answer(connection, method: String(cString: method), url: String(cString: url))
}
