import CGEOS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reported by GEOS or PROJ, with the operation that failed.
public struct GeometryError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var message: String
    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }
    public var description: String { "\(operation): \(message)" }
}

/// One GEOS context handle (`GEOSContextHandle_t`), owned by exactly one thread.
///
/// GEOS's reentrant `_r` API is safe for parallel use as long as no context is
/// shared between threads. `GEOSContext.current` hands every thread its own context,
/// created on first use and destroyed when the thread exits.
public final class GEOSContext {
    /// Internal: no GEOS pointer leaves TerreinGeometry (ownership and the one-context-per-
    /// thread rule are kept here, in one place).
    let handle: GEOSContextHandle_t
    /// The last error message GEOS reported on this context.
    fileprivate(set) var lastError: String = ""

    init() {
        guard let handle = GEOS_init_r() else {
            fatalError("GEOS_init_r returned NULL: out of memory")
        }
        self.handle = handle
        let me = Unmanaged.passUnretained(self).toOpaque()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userData in
            guard let userData, let message else { return }
            let ctx = Unmanaged<GEOSContext>.fromOpaque(userData).takeUnretainedValue()
            ctx.lastError = String(cString: message)
        }, me)
        // Notices (e.g. "Self-intersection at ...") are diagnostics of operations that
        // also report through their return value; keep them quiet.
        GEOSContext_setNoticeMessageHandler_r(handle, { _, _ in }, nil)
    }

    deinit { GEOS_finish_r(handle) }

    /// Consumes and returns the last error message, for building a `GeometryError`.
    func takeError(_ operation: String) -> GeometryError {
        let message = lastError.isEmpty ? "GEOS reported a failure without a message" : lastError
        lastError = ""
        return GeometryError(operation: operation, message: message)
    }

    nonisolated(unsafe) private static var key: pthread_key_t = {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { raw in
            // Thread exit: release the context this thread owned.
            #if canImport(Glibc)
            guard let raw else { return }
            #endif
            Unmanaged<GEOSContext>.fromOpaque(raw).release()
        }
        precondition(rc == 0, "pthread_key_create failed")
        return key
    }()

    /// The calling thread's own context.
    public static var current: GEOSContext {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<GEOSContext>.fromOpaque(raw).takeUnretainedValue()
        }
        let ctx = GEOSContext()
        pthread_setspecific(key, Unmanaged.passRetained(ctx).toOpaque())
        return ctx
    }

    /// The GEOS library version, e.g. "3.11.1-CAPI-1.17.1".
    public static var version: String { String(cString: GEOSversion()) }
}
