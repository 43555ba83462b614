import CCurl
import CCurlShim
import Foundation

// All libcurl pointer handling lives in this file.

private let curlReady: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

/// Per-transfer state that libcurl's callbacks write into.
private final class Transfer {
    let request: FetchRequest
    let hostKey: String
    let started = Date()
    var body = Data()
    var headers: [String: String] = [:]
    var statuses: [Int] = []
    var tooLarge = false
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl's own account of a failure, more precise than the result code's name.
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    init(request: FetchRequest, hostKey: String) {
        self.request = request
        self.hostKey = hostKey
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit { errorBuffer.deallocate() }

    var errorDetail: String? {
        let text = String(cString: errorBuffer)
        return text.isEmpty ? nil : text
    }
}

private let writeBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = size * count
    // max-file-size misses chunked bodies: count what arrives. A compressed body is held to the same limit
    // here, and again once inflated (ContentDecoding).
    if transfer.body.count + bytes > transfer.request.maxBodyBytes {
        transfer.tooLarge = true
        return 0
    }
    transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: bytes)
    return bytes
}

private let writeHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: bytes), as: UTF8.self).trimmed
    if line.hasPrefix("HTTP/") {
        // A new response in a redirect chain: only the last one's headers count.
        let parts = line.split(separator: " ")
        if parts.count >= 2, let status = Int(parts[1]) { transfer.statuses.append(status) }
        transfer.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmed
        if transfer.headers.count < 200 { transfer.headers[name] = value }
    }
    return bytes
}

/// Downloads many feeds at once on one thread with libcurl's multi interface, within a global
/// and a per-host connection limit, so one slow host never holds up the others.
public final class HTTPFetcher {
    private let multi: UnsafeMutableRawPointer
    public let concurrency: Int
    public let perHost: Int

    public init(concurrency: Int, perHost: Int) {
        precondition(curlReady, "libcurl failed to initialise")
        multi = curl_multi_init()
        self.concurrency = max(1, concurrency)
        self.perHost = max(1, perHost)
        _ = tributary_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, perHost)
        _ = tributary_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, concurrency)
        _ = tributary_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(concurrency, 16))
    }

    deinit { curl_multi_cleanup(multi) }

    static func hostKey(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased() else { return url }
        let port = components.port ?? (components.scheme?.lowercased() == "https" ? 443 : 80)
        return "\(host):\(port)"
    }

    /// Downloads every request, calling `completion` on this thread as each finishes.
    /// `isCancelled` is checked often; when it turns true, transfers in flight are abandoned.
    /// `heldUntil` names hosts (`host:port`) that asked not to be contacted yet; their requests
    /// complete at once with `.hostBackoff`.
    public func fetch(_ requests: [FetchRequest], isCancelled: () -> Bool = { false },
                      heldUntil: (String) -> Date? = { _ in nil },
                      completion: (FetchResponse) -> Void) {
        var pending = requests[...]
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        var perHostActive: [String: Int] = [:]

        func start(_ transfer: Transfer) -> UnsafeMutableRawPointer? {
            guard let easy = curl_easy_init() else { return nil }
            let r = transfer.request
            _ = tributary_setopt_string(easy, CURLOPT_URL, r.url)
            _ = tributary_setopt_string(easy, CURLOPT_USERAGENT, r.userAgent)
            _ = tributary_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = tributary_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1)
            _ = tributary_setopt_long(easy, CURLOPT_MAXREDIRS, 5)
            // Feeds are fetched over http(s) only: a redirect to file:// or gopher:// is a security boundary.
            _ = tributary_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
            _ = tributary_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            // Compressed bodies arrive as sent and are inflated by ContentDecoding (libdeflate), not by libcurl.
            _ = tributary_setopt_long(easy, CURLOPT_HTTP_CONTENT_DECODING, 0)
            _ = tributary_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(r.timeout * 1000))
            _ = tributary_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(r.connectTimeout * 1000))
            _ = tributary_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 64)
            _ = tributary_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, min(15, Int(r.timeout))))
            _ = tributary_setopt_long(easy, CURLOPT_MAXFILESIZE, r.maxBodyBytes)
            _ = tributary_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
            var list: UnsafeMutablePointer<curl_slist>? = nil
            if let form = r.formBody {
                // libcurl copies the body and sets the form content type; a POST is never conditional.
                _ = tributary_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, form)
            } else {
                list = curl_slist_append(list, "Accept-Encoding: \(ContentDecoding.accepted)")
                list = curl_slist_append(list, "Accept: application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
                if let etag = r.conditional.etag { list = curl_slist_append(list, "If-None-Match: \(etag)") }
                if let modified = r.conditional.lastModified { list = curl_slist_append(list, "If-Modified-Since: \(modified)") }
            }
            transfer.headerList = list
            _ = tributary_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            _ = tributary_setopt_write_callback(easy, writeBody)
            _ = tributary_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
            _ = tributary_setopt_header_callback(easy, writeHeader)
            _ = tributary_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
            _ = tributary_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(transfer.errorBuffer))
            guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
                curl_easy_cleanup(easy)
                curl_slist_free_all(list)
                return nil
            }
            return easy
        }

        func finish(_ easy: UnsafeMutableRawPointer, code: CURLcode?) {
            guard let transfer = active.removeValue(forKey: easy) else { return }
            perHostActive[transfer.hostKey, default: 1] -= 1
            var status = 0
            var effective = transfer.request.url
            var redirects = 0
            tributary_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            tributary_getinfo_long(easy, CURLINFO_REDIRECT_COUNT, &redirects)
            var urlPointer: UnsafeMutablePointer<CChar>?
            if tributary_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &urlPointer) == CURLE_OK, let urlPointer {
                effective = String(cString: urlPointer)
            }
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
            curl_slist_free_all(transfer.headerList)

            var failure: FetchFailure?
            if let code, code != CURLE_OK {
                let message = transfer.errorDetail ?? String(cString: curl_easy_strerror(code))
                switch code {
                // libcurl refuses a header line over 100 KB with this code: say what happened.
                case CURLE_OUT_OF_MEMORY:
                    failure = .network("response header too large (libcurl takes lines up to 100 KB)")
                case CURLE_RECV_ERROR where message.contains("header"):
                    failure = .network("response header too large (\(message))")
                case CURLE_OPERATION_TIMEDOUT: failure = .timeout(message)
                case CURLE_FILESIZE_EXCEEDED: failure = .tooLarge(limit: transfer.request.maxBodyBytes)
                case CURLE_WRITE_ERROR where transfer.tooLarge: failure = .tooLarge(limit: transfer.request.maxBodyBytes)
                case CURLE_TOO_MANY_REDIRECTS: failure = .tooManyRedirects
                case CURLE_UNSUPPORTED_PROTOCOL where redirects > 0 || !transfer.statuses.isEmpty:
                    failure = .refusedRedirect("to a non-http(s) URL")
                default: failure = .network(message)
                }
            } else if code == nil {
                failure = .cancelled
            }
            var body = Data()
            if failure == nil {
                switch ContentDecoding.decode(transfer.body, encoding: transfer.headers["content-encoding"],
                                              limit: transfer.request.maxBodyBytes) {
                case .success(let decoded): body = decoded
                case .failure(let why): failure = why
                }
            }
            let hops = transfer.statuses.dropLast()
            let permanent = redirects > 0 && !hops.isEmpty && hops.allSatisfy { $0 == 301 || $0 == 308 }
            completion(FetchResponse(
                tag: transfer.request.tag, requestURL: transfer.request.url, status: failure == nil ? status : 0,
                headers: transfer.headers, body: body, effectiveURL: effective,
                permanentRedirect: permanent && failure == nil ? effective : nil, failure: failure,
                elapsed: Date().timeIntervalSince(transfer.started)))
        }

        while !pending.isEmpty || !active.isEmpty {
            if isCancelled() {
                for easy in Array(active.keys) { finish(easy, code: nil) }
                for request in pending {
                    completion(FetchResponse(tag: request.tag, requestURL: request.url, status: 0, headers: [:], body: Data(),
                                             effectiveURL: request.url, permanentRedirect: nil, failure: .cancelled,
                                             elapsed: 0))
                }
                return
            }
            // Start what the global and per-host limits allow, keeping queue order otherwise.
            if active.count < concurrency && !pending.isEmpty {
                var deferred: [FetchRequest] = []
                while active.count < concurrency, let request = pending.popFirst() {
                    let key = Self.hostKey(request.url)
                    if let until = heldUntil(key), until > Date() {
                        completion(FetchResponse(tag: request.tag, requestURL: request.url, status: 0, headers: [:],
                                                 body: Data(), effectiveURL: request.url, permanentRedirect: nil,
                                                 failure: .hostBackoff(until: until), elapsed: 0))
                        continue
                    }
                    if perHostActive[key, default: 0] >= perHost {
                        deferred.append(request)
                        continue
                    }
                    let transfer = Transfer(request: request, hostKey: key)
                    if let easy = start(transfer) {
                        active[easy] = transfer
                        perHostActive[key, default: 0] += 1
                    } else {
                        completion(FetchResponse(tag: request.tag, requestURL: request.url, status: 0, headers: [:],
                                                 body: Data(), effectiveURL: request.url, permanentRedirect: nil,
                                                 failure: .network("cannot start transfer"), elapsed: 0))
                    }
                }
                pending = (deferred + pending)[...]
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                    finish(easy, code: message.pointee.data.result)
                }
            }
            if !active.isEmpty {
                curl_multi_poll(multi, nil, 0, 100, nil)
            }
        }
    }
}
