import Foundation
import CTerreinSupport
#if canImport(Glibc)
import Glibc
#endif

/// Writes the `profiles/` folder: one page per terrein, rendered and written in parallel.
///
/// Durability without an fsync per file (3,800 fsyncs cost seconds on a busy disk): the
/// files are written and closed, then one `syncfs(2)` on the folder's file system makes
/// them all durable, the folder's entries with them (it reports write-back errors since
/// Linux 5.8). The folder must not exist; the caller puts it in place atomically (the run's
/// staging folder, or `terrein report`'s rename).
public enum ProfileFolder {
    public struct Written: Sendable {
        public var files: Int
        public var bytes: Int
    }

    public static func write(_ set: ProfileSet, to folder: String, threads: Int) throws -> Written {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw OutputError(path: folder, problem: "cannot create the profiles folder: \(OutputDirectory.reason(error))")
        }
        let count = set.count
        let state = WriteState(count: count)
        let workers = max(1, min(threads, count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count {
                if state.failed { return }
                do {
                    let html = try set.render(i)
                    let bytes = try writeFile(folder + "/" + set.fileNames[i], Array(html.utf8))
                    state.add(bytes)
                } catch {
                    state.fail(i, error)
                    return
                }
                i += workers
            }
        }
        try state.throwFirst()
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError(path: folder, problem: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if ProcessInfo.processInfo.environment["TERREIN_TEST_FAIL_FSYNC"] == "file" || terrein_syncfs(fd) != 0 {
            let e = ProcessInfo.processInfo.environment["TERREIN_TEST_FAIL_FSYNC"] == "file" ? EIO : errno
            throw OutputError(path: folder, problem: "syncfs failed: \(String(cString: strerror(e)))",
                              hint: OutputDirectory.syncHint + "; the previous results are untouched")
        }
        // syncfs wrote the folder's entries back too: no separate folder fsync (the staging
        // folder that holds it is synced by OutputDirectory, `replace`'s parent below).
        return Written(files: count, bytes: state.bytes)
    }

    /// `terrein report`: writes `DIR/profiles` anew beside the old one (`.profiles.tmp-PID`)
    /// and swaps it in with one `renameat2(RENAME_EXCHANGE)` (a rename when there was none),
    /// then removes the old pages: a failure leaves the previous profiles whole.
    public static func replace(_ set: ProfileSet, in dir: String, threads: Int) throws -> Written {
        let target = dir + "/profiles", staging = dir + "/.profiles.tmp-\(getpid())"
        let fm = FileManager.default
        if fm.fileExists(atPath: staging) { try? fm.removeItem(atPath: staging) }
        let written: Written
        do { written = try write(set, to: staging, threads: threads) } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target, isDirectory: &isDir) {
            guard isDir.boolValue else {
                try? fm.removeItem(atPath: staging)
                throw OutputError(path: target, problem: "is a file, not the profiles folder", hint: "remove or rename it and run again")
            }
            if terrein_rename_exchange(staging, target) != 0 {
                let e = errno
                try? fm.removeItem(atPath: staging)
                throw OutputError(path: target, problem: "cannot swap the new profiles in: \(String(cString: strerror(e)))",
                                  hint: "the previous profiles are untouched")
            }
            try? fm.removeItem(atPath: staging)  // now the old pages
        } else if rename(staging, target) != 0 {
            let e = errno
            try? fm.removeItem(atPath: staging)
            throw OutputError(path: target, problem: "cannot move the profiles into place: \(String(cString: strerror(e)))")
        }
        if let e = OutputDirectory.syncFolder(dir, .parent) {
            throw OutputError(path: dir, problem: "fsync failed: \(String(cString: strerror(e)))", hint: OutputDirectory.syncHint)
        }
        return written
    }

    /// Writes and closes one file (no fsync: `write` syncs the file system once at the end).
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError(path: path, problem: "cannot create: \(String(cString: strerror(errno)))",
                              hint: "two terreinen with the same profile file name? the previous results are untouched")
        }
        if let e = bytes.withUnsafeBytes({ OutputDirectory.writeAll(fd, $0) }) {
            close(fd)
            throw OutputError(path: path, problem: "write failed: \(String(cString: strerror(e)))",
                              hint: OutputDirectory.writeFailureHint(e))
        }
        if close(fd) != 0 {
            throw OutputError(path: path, problem: "close failed: \(String(cString: strerror(errno)))",
                              hint: OutputDirectory.syncHint + "; the previous results are untouched")
        }
        return bytes.count
    }

    /// Progress and errors of the workers, behind one lock; the lowest failing row's
    /// error is the one reported, whatever the thread count.
    final class WriteState: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [(Int, any Error)] = []
        private(set) var bytes = 0
        private var stop = false
        init(count: Int) {}
        var failed: Bool { lock.lock(); defer { lock.unlock() }; return stop }
        func add(_ n: Int) { lock.lock(); bytes += n; lock.unlock() }
        func fail(_ i: Int, _ e: any Error) { lock.lock(); errors.append((i, e)); stop = true; lock.unlock() }
        func throwFirst() throws {
            lock.lock(); defer { lock.unlock() }
            if let first = errors.min(by: { $0.0 < $1.0 }) { throw first.1 }
        }
    }
}
