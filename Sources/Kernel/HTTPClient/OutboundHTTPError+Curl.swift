import CCurl
// Also imported so the CURLE_* constants stay visible when the compiler batches this file with
// CurlMultiLoop.swift: curl.h is included by both C modules (CCurl and CCurlShim's header), and
// once CCurlShim's copy of CURLcode was used in a batch, lookups from a file importing only CCurl
// failed ("cannot find 'CURLE_COULDNT_CONNECT' in scope"; Swift 6.3.1, depends on batch layout).
import CCurlShim
import PluginAPI

extension OutboundHTTPError {
    /// Maps a failed transfer's CURLcode to a kind and a message. `detail` is libcurl's
    /// error buffer (or its static text for the code); it is redacted by the initializer,
    /// because libcurl may echo parts of the URL.
    init(curl code: CURLcode, detail: String, request: OutboundRequest, limits: CurlTransfer.Limits, exceededCap: Bool) {
        var kind = Kind.other
        var retryable: Bool?
        var what = "transfer failed"
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            (kind, what) = (.connect, "could not connect")
        case CURLE_OPERATION_TIMEDOUT:
            (kind, what) = (.timeout, "timed out (limit \(ConfigDuration(milliseconds: Int64(limits.timeoutMs))), connect \(ConfigDuration(milliseconds: Int64(limits.connectTimeoutMs))))")
        case CURLE_FILESIZE_EXCEEDED:
            (kind, what) = (.tooLarge, "response body larger than \(limits.maxResponseBytes) bytes")
        case CURLE_WRITE_ERROR where exceededCap:
            // The write callback refused the bytes past the cap (no Content-Length to check up front).
            (kind, what) = (.tooLarge, "response body larger than \(limits.maxResponseBytes) bytes")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            (kind, what) = (.invalidURL, "invalid url")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            (kind, what) = (.tls, "tls failed")
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            // The connection dropped mid-exchange: usually a restart or a proxy; worth another try.
            (kind, what, retryable) = (.other, "connection failed mid-exchange", true)
        default:
            break
        }
        // For the cap, libcurl's own text ("failure writing output to destination") only misleads.
        let message = kind == .tooLarge ? "\(what) (curl error \(code.rawValue))" : "\(what): \(detail) (curl error \(code.rawValue))"
        self.init(kind, request: request, message, retryable: retryable)
    }
}
