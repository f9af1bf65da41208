import CShims
import Glibc

/// The kernel's own threads (event loops, storage pools, the libcurl loop, the PostgreSQL
/// listener): a thin wrapper on `pthread_create`. Foundation's `Thread` would do the same, but
/// only full Foundation has it, and loading that (with ICU) costs about 7 MiB of resident
/// memory; the binary uses FoundationEssentials only.
///
/// Threads are detached, as `Thread`'s were: every caller that waits for a thread's end does
/// so with a signal of its own (a `DispatchGroup`, a condition), never with a join.
enum KernelThread {
    /// Linux keeps 15 bytes of a thread name (16 with the NUL); longer names are cut.
    static let maxNameBytes = 15

    /// Why a thread could not be started: the `errno` value `pthread_create` returned.
    struct StartError: Error, CustomStringConvertible {
        var name: String
        var code: Int32
        var description: String { "cannot start thread \(name): \(String(cString: strerror(code)))" }
    }

    /// Starts a detached thread named `name` (cut to `maxNameBytes`, as `top -H` and `/proc`
    /// show it) that runs `body`. `stackSize` nil keeps the system default (the soft stack
    /// rlimit, usually 8 MiB of address space; only touched pages are resident).
    static func spawn(
        name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void
    ) throws(StartError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize {
            // Never below what the C library needs; EINVAL would leave the default anyway.
            pthread_attr_setstacksize(&attributes, max(stackSize, Int(PTHREAD_STACK_MIN)))
        }
        // The context is retained here and released by the thread once it has taken it.
        let context = Unmanaged.passRetained(Start(name: truncated(name), body: body))
        var thread = pthread_t()
        let code = pthread_create(&thread, &attributes, { raw in
            guard let raw else { return nil }
            let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
            // Named by the thread itself, so the name is set before any of its work runs.
            _ = cshims_set_thread_name(start.name)
            start.body()
            return nil
        }, context.toOpaque())
        guard code == 0 else {
            context.release()
            throw StartError(name: name, code: code)
        }
    }

    /// `name` cut to at most `maxNameBytes` UTF-8 bytes, on a character boundary.
    static func truncated(_ name: String) -> String {
        guard name.utf8.count > maxNameBytes else { return name }
        var out = ""
        for character in name {
            guard out.utf8.count + character.utf8.count <= maxNameBytes else { break }
            out.append(character)
        }
        return out
    }

    /// What a new thread needs, handed over through `pthread_create`'s context pointer.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
