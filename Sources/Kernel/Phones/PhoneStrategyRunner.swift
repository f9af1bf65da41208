import Dispatch
import PluginAPI
import Synchronization

/// A registered strategy, ready to run: `metaflow.token_map`.
struct PhoneStrategyEntry: Sendable {
    let id: String
    let plugin: String
    let kind: PhoneSourceKind
    let timeout: ConfigDuration
    let handler: PhoneStrategyHandler
}

/// One strategy run, as recorded in `switchboard_phone_attempts`.
struct PhoneAttempt: Sendable, Equatable {
    enum Outcome: String, Sendable {
        case hit, miss, error, timeout
    }
    var strategy: String
    var outcome: Outcome
    var latencyMicros: Int64
    /// Why it failed (never the phone).
    var detail: String?
}

/// Runs strategies one at a time, each against its timeout. A strategy that overruns is
/// cancelled and left to finish on its own: the chain moves on without waiting for it.
enum PhoneStrategyRunner {
    static func run(_ strategy: PhoneStrategyEntry, _ lookup: PhoneLookup) async -> (PhoneNumber?, PhoneAttempt) {
        let started = DispatchTime.now().uptimeNanoseconds
        let result = await race(strategy.handler, lookup, timeoutNanos: UInt64(max(strategy.timeout.milliseconds, 1)) * 1_000_000)
        let micros = Int64((DispatchTime.now().uptimeNanoseconds &- started) / 1000)
        switch result {
        case .found(let phone):
            return (phone, PhoneAttempt(strategy: strategy.id, outcome: phone == nil ? .miss : .hit, latencyMicros: micros))
        case .failed(let message):
            return (nil, PhoneAttempt(strategy: strategy.id, outcome: .error, latencyMicros: micros, detail: String(message.prefix(500))))
        case .timedOut:
            return (nil, PhoneAttempt(strategy: strategy.id, outcome: .timeout, latencyMicros: micros,
                                      detail: "no answer within \(strategy.timeout)"))
        }
    }

    enum RaceResult: Sendable {
        case found(PhoneNumber?)
        case failed(String)
        case timedOut
    }

    /// The first of the handler's answer and the timeout.
    private static func race(_ handler: @escaping PhoneStrategyHandler, _ lookup: PhoneLookup, timeoutNanos: UInt64) async -> RaceResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<RaceResult, Never>) in
            let gate = RaceGate(continuation)
            let work = Task {
                do {
                    gate.finish(.found(try await handler(lookup)))
                } catch {
                    gate.finish(.failed("\(error)"))
                }
            }
            let timer = Task {
                try? await Task.sleep(nanoseconds: timeoutNanos)
                if !Task.isCancelled, gate.finish(.timedOut) { work.cancel() }
            }
            gate.onFinish { timer.cancel() }
        }
    }
}

/// Resumes a continuation once, with whichever result comes first.
private final class RaceGate: Sendable {
    private struct State {
        var continuation: CheckedContinuation<PhoneStrategyRunner.RaceResult, Never>?
        var cleanup: CleanupBox?
        var finished = false
    }
    private final class CleanupBox: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<PhoneStrategyRunner.RaceResult, Never>) {
        state = Mutex(State(continuation: continuation))
    }

    /// Resumes with `result` unless a result came first; true when this one won.
    @discardableResult
    func finish(_ result: PhoneStrategyRunner.RaceResult) -> Bool {
        let taken = state.withLock { state -> (CheckedContinuation<PhoneStrategyRunner.RaceResult, Never>, CleanupBox?)? in
            guard let continuation = state.continuation else { return nil }
            state.continuation = nil
            state.finished = true
            return (continuation, state.cleanup)
        }
        guard let (continuation, cleanup) = taken else { return false }
        continuation.resume(returning: result)
        cleanup?.run()
        return true
    }

    /// Runs `cleanup` when a result is in (now, if it already is).
    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let box = CleanupBox(cleanup)
        let alreadyFinished = state.withLock { state -> Bool in
            if state.finished { return true }
            state.cleanup = box
            return false
        }
        if alreadyFinished { box.run() }
    }
}
