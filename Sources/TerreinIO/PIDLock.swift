import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a lock file that holds the PID of its holder, shared by the output
/// folder's lock (`OutputDirectory`) and the run history's (`HistoryLock`). A killed holder's
/// lock dies with its process; the file stays and is reused.
enum PIDLock {
    enum Failure: Error {
        /// The lock file cannot be opened or created (`errno`).
        case cannotOpen(Int32)
        /// Another process holds the lock: the PID it wrote, or "?".
        case held(holder: String)
    }

    /// Takes the lock on `path` and writes this process's PID into it; returns the open
    /// descriptor (closing it releases the lock). Tries again every 50 ms until `wait`
    /// seconds have passed; with `wait` 0 it tries once.
    static func take(_ path: String, wait: TimeInterval = 0) -> Result<Int32, Failure> {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .failure(.cannotOpen(errno)) }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard Date() < deadline else {
                var buf = [UInt8](repeating: 0, count: 64)
                let n = pread(fd, &buf, 63, 0)
                let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
                close(fd)
                return .failure(.held(holder: holder))
            }
            usleep(50_000)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return .success(fd)
    }
}
