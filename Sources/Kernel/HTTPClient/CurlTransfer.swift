import CCurl
import CCurlShim
import Dispatch
import PluginAPI
import Synchronization

/// One request on its way through libcurl: the options it resolves to, the C resources
/// libcurl borrows while it runs (header list, error buffer), and what comes back.
///
/// Once submitted, everything but the cancellation flag is touched only by the loop thread
/// (libcurl's callbacks run there too, inside `curl_multi_perform`); the flag is atomic.
final class CurlTransfer: @unchecked Sendable {
    /// The request's limits after falling back on the client's defaults.
    struct Limits {
        var timeoutMs: Int
        var connectTimeoutMs: Int
        var maxResponseBytes: Int
    }

    let request: OutboundRequest
    let limits: Limits
    private let userAgent: String

    /// Set by `send` before submission and resumed exactly once: by the loop thread, or by
    /// `send` itself when submission is refused.
    var continuation: CheckedContinuation<OutboundResponse, any Error>?

    /// The easy handle while attached (loop thread only).
    private(set) var easy: UnsafeMutableRawPointer?
    /// When the transfer was attached, for the debug line.
    private(set) var startedNanos: UInt64 = 0
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var errorBuffer: UnsafeMutablePointer<CChar>?
    private var responseFields: [(String, String)] = []
    private var body: [UInt8] = []
    private var exceededCap = false

    private let cancelledFlag = Atomic<Bool>(false)

    /// Validates the request and resolves its limits; performs no I/O.
    init(request: OutboundRequest, configuration: CurlHTTPClient.Configuration) throws(OutboundHTTPError) {
        try request.validate()
        self.request = request
        userAgent = configuration.userAgent
        limits = Limits(timeoutMs: Self.clampedMs(request.timeout ?? configuration.timeout),
                        connectTimeoutMs: Self.clampedMs(request.connectTimeout ?? configuration.connectTimeout),
                        maxResponseBytes: max(1, request.maxResponseBytes ?? configuration.maxResponseBytes))
    }

    deinit { releaseResources() }

    // MARK: - cancellation (any thread)

    /// Marks the transfer cancelled; the loop aborts it when it sees the flag or the request.
    func markCancelled() {
        cancelledFlag.store(true, ordering: .releasing)
    }

    var isCancelled: Bool {
        cancelledFlag.load(ordering: .acquiring)
    }

    // MARK: - loop thread

    /// Sets every option on `handle` (fresh or reset) and keeps the C resources the options
    /// point to. Returns the first code libcurl refused an option with, or CURLE_OK.
    func attach(to handle: UnsafeMutableRawPointer) -> CURLcode {
        easy = handle
        startedNanos = DispatchTime.now().uptimeNanoseconds
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: ccurlshim_error_size())
        buffer.initialize(repeating: 0, count: ccurlshim_error_size())
        errorBuffer = buffer
        var failure = CURLE_OK
        func check(_ code: CURLcode) { if failure == CURLE_OK { failure = code } }
        func long(_ option: CURLoption, _ value: Int) { check(ccurlshim_easy_setopt_long(handle, option, value)) }
        func string(_ option: CURLoption, _ value: String) { check(value.withCString { ccurlshim_easy_setopt_string(handle, option, $0) }) }

        string(CURLOPT_URL, request.url)
        // No signals: we are one thread among many, and SIGALRM-based DNS timeouts are unsafe there.
        long(CURLOPT_NOSIGNAL, 1)
        string(CURLOPT_PROTOCOLS_STR, "http,https")
        if request.followRedirects {
            long(CURLOPT_FOLLOWLOCATION, 1)
            long(CURLOPT_MAXREDIRS, 5)
            string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        } else {
            long(CURLOPT_FOLLOWLOCATION, 0)
        }
        long(CURLOPT_TIMEOUT_MS, limits.timeoutMs)
        long(CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeoutMs)
        long(CURLOPT_TCP_KEEPALIVE, 1)
        // Wait for an HTTP/2 connection to the host to multiplex on rather than opening another.
        long(CURLOPT_PIPEWAIT, 1)
        string(CURLOPT_USERAGENT, userAgent)
        check(ccurlshim_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer))

        let userdata = Unmanaged.passUnretained(self).toOpaque()
        check(ccurlshim_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            guard let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        check(ccurlshim_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata))
        check(ccurlshim_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            guard let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        check(ccurlshim_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata))

        let sendsBody = request.method != .head && (!request.body.isEmpty || [.post, .put, .patch].contains(request.method))
        if request.method == .head {
            long(CURLOPT_NOBODY, 1)
        } else {
            // A Content-Length over the cap fails before any body byte is read; a chunked body is
            // stopped by the write callback. (Not on HEAD: there it describes a body never sent.)
            check(ccurlshim_easy_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maxResponseBytes)))
            if sendsBody {
                check(ccurlshim_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
                // COPYPOSTFIELDS copies the bytes, so the array need not outlive this call. An empty
                // body still needs a non-null pointer, or libcurl would fall back to reading stdin.
                let bytes = request.body.isEmpty ? [0] : request.body
                check(bytes.withUnsafeBytes { raw in
                    ccurlshim_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                })
            } else {
                long(CURLOPT_HTTPGET, 1)
            }
            // COPYPOSTFIELDS makes it a POST; any other method is a custom request line.
            if request.method != .post && (sendsBody || request.method != .get) {
                string(CURLOPT_CUSTOMREQUEST, request.method.description)
            }
        }

        guard let list = buildHeaderList(sendsBody: sendsBody) else { return CURLE_OUT_OF_MEMORY }
        headerList = list
        check(ccurlshim_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list))
        return failure
    }

    /// The request's headers as libcurl lines, plus lines that switch off libcurl's own
    /// `Expect: 100-continue` (a second round trip many servers mishandle) and its default
    /// form Content-Type, unless the request set them. nil when libcurl runs out of memory.
    private func buildHeaderList(sendsBody: Bool) -> UnsafeMutablePointer<curl_slist>? {
        var lines = request.headers.map { field in
            // "Name:" would delete the header in libcurl; "Name;" sends it empty.
            field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
        }
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        if sendsBody && !request.headers.contains("Content-Type") { lines.append("Content-Type:") }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                return nil
            }
            list = appended
        }
        return list
    }

    /// Appends body bytes, or refuses them (returning 0, which aborts the transfer with
    /// CURLE_WRITE_ERROR) once the cap would be passed.
    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !exceededCap, body.count + bytes.count <= limits.maxResponseBytes else {
            exceededCap = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Collects one header line. A status line starts a new header block (after a 1xx, a
    /// redirect or a proxy's CONNECT answer), so only the final response's headers remain.
    private func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        var line = bytes[...]
        while let last = line.last, last == 0x0a || last == 0x0d { line = line.dropLast() }
        if line.starts(with: "HTTP/".utf8) {
            responseFields = []
        } else if let first = line.first, first == 0x20 || first == 0x09 {
            // Obsolete line folding: a continuation of the previous field's value.
            if let previous = responseFields.popLast() {
                responseFields.append((previous.0, previous.1 + " " + Self.trimmed(line)))
            }
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = Self.trimmed(line[(colon + 1)...])
            responseFields.append((name, value))
            if HTTPHeaders.equalsIgnoringCase(name, "Content-Length"), let length = Int(value), length <= limits.maxResponseBytes {
                body.reserveCapacity(length)
            }
        }
        return bytes.count
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    /// The outcome, read while the handle is still attached (the status comes from it).
    func outcome(_ code: CURLcode) -> Result<OutboundResponse, any Error> {
        guard code == CURLE_OK else {
            var detail = ""
            if let errorBuffer, errorBuffer.pointee != 0 { detail = String(cString: errorBuffer) }
            if detail.isEmpty, let text = curl_easy_strerror(code) { detail = String(cString: text) }
            return .failure(OutboundHTTPError(curl: code, detail: detail, request: request, limits: limits, exceededCap: exceededCap))
        }
        var status = 0
        if let easy { _ = ccurlshim_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        let response = OutboundResponse(status: status, headers: HTTPHeaders(responseFields), body: body)
        body = []
        return .success(response)
    }

    /// Frees what libcurl borrowed; call once the handle is out of the multi handle and reset.
    func releaseResources() {
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer?.deallocate()
        errorBuffer = nil
        easy = nil
    }

    /// Resumes the waiting task, once.
    func complete(_ result: Result<OutboundResponse, any Error>) {
        continuation?.resume(with: result)
        continuation = nil
    }

    /// Milliseconds for libcurl's long options: at least 1 (0 would mean "no timeout").
    private static func clampedMs(_ duration: ConfigDuration) -> Int {
        Int(min(max(duration.milliseconds, 1), Int64(Int32.max)))
    }
}
