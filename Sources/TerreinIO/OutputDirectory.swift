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
/// `renameat2(RENAME_EXCHANGE)` (or renamed into place when there is no target yet), the
/// parent folder is synced so that the swap itself survives a crash, and the previous
/// results are removed. A run killed at any moment leaves the previous target complete;
/// the next run removes what it left. A lock file (`.NAME.lock`, `flock`, holding the
/// PID) refuses a second concurrent run into the same target: a run takes it before it
/// reads anything (create this object first) and holds it until the object goes away.
public final class OutputDirectory {
    public let target: String
    public let staging: String
    private let parent: String
    private let name: String
    private var lockFD: Int32 = -1
    private var stagingCreated = false
    private var committed = false

    /// Creates the parent folder, takes the lock and cleans up after killed runs. The
    /// staging folder is made on the first write, so a run that fails before writing
    /// (or is killed while it computes) leaves nothing behind.
    public init(target: String) throws {
        let url = URL(fileURLWithPath: target).standardizedFileURL
        self.target = url.path
        self.parent = url.deletingLastPathComponent().path
        self.name = url.lastPathComponent
        self.staging = parent + "/.\(name).tmp-\(getpid())"
        try createParent()
        try lock()
        try checkTargetIsNoFile()
        cleanUpLeftovers()
    }

    /// Refuses a target that is a regular file now, before the run does its work (`commit`
    /// checks again, in case it appears meanwhile).
    private func checkTargetIsNoFile() throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir), !isDir.boolValue {
            throw OutputError(path: target, problem: "the output path exists and is a file, not a folder",
                              hint: "remove it or choose another outputs.directory")
        }
    }

    deinit {
        if stagingCreated && !committed { try? FileManager.default.removeItem(atPath: staging) }
        if lockFD >= 0 { close(lockFD) }
    }

    /// Creates the empty staging folder once.
    private func ensureStaging() throws {
        if stagingCreated { return }
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        } catch {
            throw OutputError(path: staging, problem: "cannot create the staging folder: \(Self.reason(error))",
                              hint: "check that you may write into \(parent); the previous results are untouched")
        }
        stagingCreated = true
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
        switch PIDLock.take(lockPath) {
        case .success(let fd):
            lockFD = fd
        case .failure(.cannotOpen(let e)):
            throw OutputError(path: lockPath, problem: "cannot open the lock file: \(String(cString: strerror(e)))")
        case .failure(.held(let holder)):
            throw OutputError(path: target, problem: "another Terrein run (PID \(holder)) is writing into this output folder",
                              hint: "wait for it to finish, or write elsewhere with --output")
        }
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
        try write(fileName, parts: [data])
    }

    /// Writes the parts one after the other into one file of the staging folder and syncs it:
    /// a large file made of a header and a body is written without first copying the two
    /// into one buffer (the result cache at L with every format on: 411 MB).
    public func write(_ fileName: String, parts: [Data]) throws {
        try ensureStaging()
        let path = staging + "/" + fileName
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError(path: target + "/" + fileName, problem: "cannot create: \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer { if !closed { close(fd) } }
        for data in parts {
            if let e = data.withUnsafeBytes({ Self.writeAll(fd, $0) }) {
                throw OutputError(path: target + "/" + fileName,
                                  problem: "write failed: \(String(cString: strerror(e)))", hint: Self.writeFailureHint(e))
            }
        }
        if let e = Self.sync(fd, .file) {
            throw OutputError(path: target + "/" + fileName, problem: "fsync failed: \(String(cString: strerror(e)))",
                              hint: Self.syncHint + "; the previous results are untouched")
        }
        closed = true
        if close(fd) != 0 {
            throw OutputError(path: target + "/" + fileName, problem: "close failed: \(String(cString: strerror(errno)))",
                              hint: Self.syncHint + "; the previous results are untouched")
        }
    }

    /// Writes all of `bytes` to `fd`, at most 1 MiB a call, again after EINTR; the errno when a
    /// write fails, nil when everything was written. The one write loop of the output code
    /// (staged outputs, profile pages, `AtomicFile`).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, base + offset, min(bytes.count - offset, 1 << 20))
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }

    /// The hint for a failed write into the staging folder: free space when the disk or the
    /// file size limit is full.
    static func writeFailureHint(_ e: Int32) -> String {
        e == ENOSPC || e == EFBIG || e == EDQUOT
            ? "free disk space (or raise the file size limit) and run again; the previous results are untouched"
            : "the previous results are untouched"
    }

    /// What `fsync` makes durable: a file's bytes, or a folder's entries.
    enum SyncTarget: String {
        case file, folder, parent
    }

    /// `fsync(fd)`; the errno when it fails, nil when it worked. EINVAL (a file that cannot
    /// be synced, such as a pipe) is no failure. Tests make one kind fail with
    /// TERREIN_TEST_FAIL_FSYNC=file|folder|parent: real fsync failures (EIO on a failing
    /// disk, ENOSPC on NFS) cannot be provoked on demand.
    static func sync(_ fd: Int32, _ what: SyncTarget) -> Int32? {
        if ProcessInfo.processInfo.environment["TERREIN_TEST_FAIL_FSYNC"] == what.rawValue { return EIO }
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            return errno == EINVAL ? nil : errno
        }
        return nil
    }

    /// Opens a folder and syncs its entries (a rename is durable only once its folder is).
    static func syncFolder(_ path: String, _ what: SyncTarget) -> Int32? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return sync(fd, what)
    }

    static let syncHint = "the disk may be failing, full or gone (network file system): check it and run again"

    public func write(_ fileName: String, _ text: String) throws {
        try write(fileName, Data(text.utf8))
    }

    /// Path of a file inside the staging folder (for writers that need a path, like SQLite).
    public func stagingPath(_ fileName: String) throws -> String {
        try ensureStaging()
        return staging + "/" + fileName
    }

    /// Swaps the staging folder into place. After this, the new results are the target.
    public func commit(pauseHook: (String) -> Void = { _ in }) throws {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isDir)
        if exists && !isDir.boolValue {
            throw OutputError(path: target, problem: "the output path exists and is a file, not a folder",
                              hint: "remove it or choose another outputs.directory")
        }
        try ensureStaging()
        // The staging folder's entries (the files just written) must be on disk before
        // the swap makes them the results.
        if let e = Self.syncFolder(staging, .folder) {
            throw OutputError(path: target, problem: "cannot sync the staging folder \(staging): \(String(cString: strerror(e)))",
                              hint: Self.syncHint + "; the previous results are untouched")
        }
        pauseHook("before-swap")
        if !exists {
            guard rename(staging, target) == 0 else {
                throw OutputError(path: target, problem: "cannot move the results into place: \(String(cString: strerror(errno)))")
            }
        } else if terrein_rename_exchange(staging, target) == 0 {
            // staging now holds the previous results.
            committed = true
            let unsynced = syncParentAfterSwap()
            pauseHook("after-swap")
            try? FileManager.default.removeItem(atPath: staging)
            if let unsynced { throw unsynced }
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
            committed = true
            let unsynced = syncParentAfterSwap()
            try? FileManager.default.removeItem(atPath: old)
            pauseHook("after-swap")
            if let unsynced { throw unsynced }
            return
        }
        committed = true
        let unsynced = syncParentAfterSwap()
        pauseHook("after-swap")
        if let unsynced { throw unsynced }
    }

    /// Makes the swap durable: a crash before the parent folder is synced may bring back the
    /// previous results (or none) after a reboot, on every path (exchange or renames).
    /// Returns the error to throw once the previous results are cleared away.
    private func syncParentAfterSwap() -> OutputError? {
        if let e = Self.syncFolder(parent, .parent) {
            return OutputError(path: target, problem: "the new results are in place, but the folder \(parent) could not be synced to disk: \(String(cString: strerror(e)))",
                              hint: Self.syncHint + " (after a crash the previous results may come back)")
        }
        return nil
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        // `as? Error`, then bridged: on Linux the underlying POSIX error is not always an NSError.
        if let underlying = (ns.userInfo[NSUnderlyingErrorKey] as? Error).map({ $0 as NSError }),
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
