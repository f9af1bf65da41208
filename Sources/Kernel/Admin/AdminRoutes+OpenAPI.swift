import PluginAPI

/// `GET /openapi.json` (admin token, DESIGN §8a): the document, rendered once at boot.
extension AdminRoutes {
    static let openAPIPath = "/openapi.json"

    func openAPIRoutes(_ document: OpenAPIDocument) -> [(HTTPMethod, String, RouteAction)] {
        let body = Array(document.json.jsonText().utf8)
        return [
            (.get, Self.openAPIPath, guarded { request in
                try AdminParameters.checkKnown(request.queryItems, allowed: [])
                return .json(bytes: body)
            }),
        ]
    }
}
