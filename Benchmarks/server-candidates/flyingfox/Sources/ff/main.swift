import FlyingFox
import FlyingSocks
import Foundation
let body = Data(repeating: 65, count: 20_000)
let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 18081), logger: .disabled)
await server.appendRoute("GET /feed") { request in
    if request.headers[HTTPHeader("If-None-Match")] == "\"abc\"" {
        return HTTPResponse(statusCode: .notModified, headers: [HTTPHeader("ETag"): "\"abc\""])
    }
    return HTTPResponse(statusCode: .ok, headers: [HTTPHeader("ETag"): "\"abc\""], body: body)
}
try await server.run()
