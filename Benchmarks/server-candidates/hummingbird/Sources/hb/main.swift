import Hummingbird
import NIOCore
let body = ByteBuffer(repeating: 65, count: 20_000)
let router = Router()
router.get("/feed") { request, _ -> Response in
    if request.headers[.ifNoneMatch] == "\"abc\"" {
        return Response(status: .notModified, headers: [.eTag: "\"abc\""])
    }
    return Response(status: .ok, headers: [.eTag: "\"abc\""], body: .init(byteBuffer: body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 18082)))
try await app.runService()
