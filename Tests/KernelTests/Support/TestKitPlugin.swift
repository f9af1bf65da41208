import Foundation
import PluginAPI

/// A plugin for kernel tests: routes that echo, sleep, fail and take parameters.
struct TestKitPlugin: Plugin {
    static let id = "testkit"
    static let summary = "routes for kernel tests"

    init(context: any PluginContext) throws {}

    func register(_ registrar: any Registrar) throws {
        registrar.route(.get, "/hello") { _ in .text("hello") }
        registrar.route(.get, "/") { _ in .text("mount point") }
        registrar.route(.post, "/echo") { request in
            var response = Response(status: 200, body: request.body)
            response.headers.set("Content-Type", request.headers["content-type"] ?? "application/octet-stream")
            response.headers.set("X-Body-Length", "\(request.body.count)")
            return response
        }
        registrar.route(.put, "/echo") { request in Response(status: 200, body: request.body) }
        registrar.route(.post, "/big", maxBody: 3 * 1024 * 1024) { request in .text("\(request.body.count)") }
        registrar.route(.post, "/tiny", maxBody: 10) { request in .text("\(request.body.count)") }
        registrar.route(.get, "/items/:id") { request in .text("item \(request.parameters["id"] ?? "?")") }
        registrar.route(.get, "/items/special") { _ in .text("special item") }
        registrar.route(.get, "/items/:id/parts/:part") { request in
            .text("item \(request.parameters["id"] ?? "?") part \(request.parameters["part"] ?? "?")")
        }
        registrar.route(.get, "/query") { request in
            try .json(request.queryItems)
        }
        registrar.route(.get, "/slow") { request in
            let ms = UInt64(request.queryItems["ms"] ?? "") ?? 200
            try await Task.sleep(nanoseconds: ms * 1_000_000)
            return .text("slept \(ms)")
        }
        registrar.route(.get, "/fail") { _ in throw CocoaError(.fileNoSuchFile) }
        registrar.route(.get, "/teapot") { _ in throw HTTPError(418, "teapot", "i am a teapot") }
        registrar.route(.get, "/request-id") { request in .text(request.requestID) }
        registrar.route(.get, "/blob") { request in
            let size = Int(request.queryItems["size"] ?? "") ?? 1024
            return Response(status: 200, headers: ["Content-Type": "application/octet-stream"], body: [UInt8](repeating: UInt8(ascii: "b"), count: size))
        }
        // A handler that tries to set framing headers, and values and names that would split the response.
        registrar.route(.get, "/forged-headers") { _ in
            var response = Response.text("body")
            response.headers.add("Content-Length", "999")
            response.headers.add("Transfer-Encoding", "chunked")
            response.headers.add("Connection", "close")
            response.headers.add("Date", "yesterday")
            response.headers.add("X-Request-Id", "forged")
            response.headers.add("X-Value", "a\r\nInjected-By-Value: yes\r\n\r\nHTTP/1.1 200 OK\u{0}")
            response.headers.add("X-Name\r\nInjected-By-Name", "yes")
            response.headers.add("Bad Name", "v")
            return response
        }
        registrar.route(.get, "/headers") { request in
            .text(request.headers.map { "\($0.name.lowercased())=\($0.value)" }.joined(separator: "\n"))
        }
    }
}
