import Dispatch
import PluginAPI
import Synchronization
import Testing
@testable import Kernel

/// The kernel's replacements for full Foundation's `Thread`, `NSCondition`,
/// `JSONSerialization` and `String(format:)`.
struct KernelSupportTests {
    @Test func threadRunsItsBodyUnderItsName() throws {
        let done = DispatchSemaphore(value: 0)
        let seen = Mutex<String?>(nil)
        try KernelThread.spawn(name: "sb-test-thread-name-too-long", stackSize: 1 << 20) {
            // The name as the system shows it (`comm` ends with a newline).
            let comm = try? FileReader.bytes(atPath: "/proc/thread-self/comm")
            seen.withLock { $0 = comm.map { String(decoding: $0, as: UTF8.self).trimmingASCIIWhitespace() } }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(seen.withLock { $0 } == "sb-test-thread-")
    }

    @Test func threadNamesAreCutOnCharacters() {
        #expect(KernelThread.truncated("sb-loop-0") == "sb-loop-0")
        #expect(KernelThread.truncated("switchboard-pg-listen") == "switchboard-pg-")
        // "é" is two bytes: it would end at byte 16, so it goes whole.
        #expect(KernelThread.truncated("abcdefghijklmné") == "abcdefghijklmn")
    }

    @Test func conditionHandsWorkToAWaitingThread() throws {
        let queue = BlockingQueue<Int>()
        let done = DispatchSemaphore(value: 0)
        let taken = Mutex<[Int]>([])
        try KernelThread.spawn(name: "sb-test-queue") {
            while let jobs = queue.take(upTo: 10) { taken.withLock { $0 += jobs } }
            done.signal()
        }
        for n in 0..<100 { #expect(queue.submit(n)) }
        queue.close()
        #expect(!queue.submit(100))
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(taken.withLock { $0 } == Array(0..<100))
    }

    @Test func urgentJobsAreTakenFirstInTheirOwnOrder() {
        let queue = BlockingQueue<Int>()
        for n in [1, 2, 3] { #expect(queue.submit(n)) }
        #expect(queue.submit(10, urgent: true))
        #expect(queue.submit(11, urgent: true))
        #expect(queue.pending == 5)
        #expect(queue.take(upTo: 1) == [10])
        #expect(queue.take(upTo: 5) == [11])
        #expect(queue.take(upTo: 1) == [1])
        #expect(queue.submit(12, urgent: true))
        #expect(queue.closeDiscarding() == [12, 2, 3])
        #expect(queue.take(upTo: 1) == nil)
    }

    @Test(arguments: [
        (#"{"inbox_id":42}"#, 42), (#" { "inbox_id" : 7 , "x": [1] } "#, 7), (#"{"inbox_id":9007199254740993}"#, 9007199254740993),
        (#"{"inbox_id":3.9}"#, 3),
    ] as [(String, Int64)])
    func payloadIDs(payload: String, id: Int64) {
        #expect(JobPayload.id("inbox_id", in: payload) == id)
    }

    @Test(arguments: [#"{"inbox_id":"42"}"#, #"{"event_id":42}"#, "[42]", "not json", "", #"{"inbox_id":null}"#, #"{"inbox_id":1e300}"#])
    func payloadsWithoutAnID(payload: String) {
        #expect(JobPayload.id("inbox_id", in: payload) == nil)
    }

    @Test func headersRoundTripAsPairs() {
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("X-Url", "https://a/b"), ("Authorization", "Bearer s"), ("X-Two", "1"), ("X-Two", "2")])
        let text = Inbox.encodeHeaders(headers)
        #expect(text == #"[["Content-Type","application/json"],["X-Url","https://a/b"],["X-Two","1"],["X-Two","2"]]"#)
        #expect(Inbox.decodeHeaders(text).fields.map { "\($0.name)=\($0.value)" } == ["Content-Type=application/json", "X-Url=https://a/b", "X-Two=1", "X-Two=2"])
        #expect(Inbox.decodeHeaders(#"[["a"],["b","c"]]"#).fields.map(\.name) == ["b"])
        #expect(Inbox.decodeHeaders(#"[["a",1]]"#).fields.isEmpty)
        #expect(Inbox.decodeHeaders("garbage").fields.isEmpty)
    }

    @Test func logTimestampsAndDurationsKeepTheirFormat() {
        let stamp = JSONLogger.timestamp()
        #expect(stamp.utf8.count == 24)
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        #expect(HandlerJob.milliseconds(nanoseconds: 0) == "0.000")
        #expect(HandlerJob.milliseconds(nanoseconds: 42_499) == "0.042")
        #expect(HandlerJob.milliseconds(nanoseconds: 42_500) == "0.043")
        #expect(HandlerJob.milliseconds(nanoseconds: 1_234_567_890) == "1234.568")
    }
}
