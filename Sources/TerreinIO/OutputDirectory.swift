import CTerreinSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed write of an output (disk full, file too large, no permission, ...).
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var problem: String
    public var hint: String
    public init(path: String, problem: String, hint: String = "") {
        self.path = path
        self.problem = problem
        self.hint = hint
    }
    public var description: String {
        "\(path): \(problem)" + (hint.isEmpty ? "" : "\n  → \(hint)")
    }
}

/// Writes a run's files so that they appear together or not at all.
///
/// The files go into a staging folder beside the target (`.NAME.tmp-PID`); when all are
/// written and synced, the staging folder is swapped with the target in one
/// `renameat2(RENAME_EXCHANGE)` (or renamed into place when there is no target yet), and
/// the previous results are removed. A run killed at any moment leaves the previous
/// target complete; the next run removes what it left. A lock file (`.NAME.lock`,
/// `flock`, holding the PID) refuses a second concurrent run into the same target.
public final class OutputDirectory {
    public let target: String
    public let staging: String
    private let parent: String
    private let name: String
    private var lockFD: Int32 = -1
    private var committed = false

    /// Creates the parent folder, takes the lock, cleans up after killed runs and
    /// creates an empty staging folder.
    public init(target: String) throws {
        let url = URL(fileURLWithPath: target).standardizedFileURL
        self.target = url.path
        self.parent = url.deletingLastPathComponent().path
        self.name = url.lastPathComponent
        self.staging = parent + "/.\(name).tmp-\(getpid())"
        try createParent()
        try lock()
        cleanUpLeftovers()
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        } catch {
            throw OutputError(path: staging, problem: "cannot create the staging folder: \(Self.reason(error))")
        }
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(atPath: staging) }
        if lockFD >= 0 { close(lockFD) }
    }

    private func createParent() throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: parent, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw OutputError(path: parent, problem: "cannot create the output folder: \(parent) is a file, not a folder",
                                  hint: "choose another outputs.directory in the pipeline file or pass --output")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: parent, problem: "cannot create the output folder: \(Self.reason(error))",
                              hint: "check that no part of the path is a file and that you may write there, or pass --output")
        }
    }

    private func lock() throws {
        let lockPath = parent + "/.\(name).lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError(path: lockPath, problem: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &buf, 63, 0)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw OutputError(path: target, problem: "another Terrein run (PID \(holder)) is writing into this output folder",
                              hint: "wait for it to finish, or write elsewhere with --output")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        lockFD = fd
    }

    /// Removes staging and old folders left by runs that were killed (we hold the lock).
    private func cleanUpLeftovers() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for e in entries where e.hasPrefix(".\(name).tmp-") || e.hasPrefix(".\(name).old-") {
            try? FileManager.default.removeItem(atPath: parent + "/" + e)
        }
    }

    /// Writes one file into the staging folder and syncs it.
    public func write(_ fileName: String, _ data: Data) throws {
        let path = staging + "/" + fileName
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError(path: target + "/" + fileName, problem: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var offset = 0
        let failure: Int32? = data.withUnsafeBytes { raw -> Int32? in
            guard let base = raw.baseAddress else { return nil }
            while offset < raw.count {
                let n = Glibc.write(fd, base + offset, min(raw.count - offset, 1 << 20))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let e = failure {
            throw OutputError(path: target + "/" + fileName,
                              problem: "write failed: \(String(cString: strerror(e)))",
                              hint: e == ENOSPC || e == EFBIG || e == EDQUOT
                                ? "free disk space (or raise the file size limit) and run again; the previous results are untouched"
                                : "the previous results are untouched")
        }
        if fsync(fd) != 0 && errno != EINVAL {
            throw OutputError(path: target + "/" + fileName, problem: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    public func write(_ fileName: String, _ text: String) throws {
        try write(fileName, Data(text.utf8))
    }

    /// Path of a file inside the staging folder (for writers that need a path, like SQLite).
    public func stagingPath(_ fileName: String) -> String { staging + "/" + fileName }

    /// Swaps the staging folder into place. After this, the new results are the target.
    public func commit(pauseHook: (String) -> Void = { _ in }) throws {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isDir)
        if exists && !isDir.boolValue {
            throw OutputError(path: target, problem: "the output path exists and is a file, not a folder",
                              hint: "remove it or choose another outputs.directory")
        }
        pauseHook("before-swap")
        if !exists {
            guard rename(staging, target) == 0 else {
                throw OutputError(path: target, problem: "cannot move the results into place: \(String(cString: strerror(errno)))")
            }
        } else if terrein_rename_exchange(staging, target) == 0 {
            // staging now holds the previous results.
            committed = true
            pauseHook("after-swap")
            try? FileManager.default.removeItem(atPath: staging)
            return
        } else {
            // No RENAME_EXCHANGE on this file system: two renames, with a short window in
            // which the target is missing (never half-written).
            let old = parent + "/.\(name).old-\(getpid())"
            guard rename(target, old) == 0 else {
                throw OutputError(path: target, problem: "cannot move the previous results aside: \(String(cString: strerror(errno)))")
            }
            guard rename(staging, target) == 0 else {
                let e = errno
                _ = rename(old, target)
                throw OutputError(path: target, problem: "cannot move the results into place: \(String(cString: strerror(e)))")
            }
            try? FileManager.default.removeItem(atPath: old)
        }
        committed = true
        pauseHook("after-swap")
        // Make the rename durable.
        let dfd = open(parent, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
