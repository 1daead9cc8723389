import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes one file atomically: a temporary file beside it, synced, then renamed over it,
/// then the folder synced (every fsync checked: a failure is an `OutputError`).
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw OutputError(path: dir, problem: "cannot create the folder: \(OutputDirectory.reason(error))")
            }
        } else if !isDir.boolValue {
            throw OutputError(path: dir, problem: "\(dir) is a file, not a folder")
        }
        let tmp = dir + "/.\(url.lastPathComponent).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, problem: "cannot create: \(String(cString: strerror(errno)))") }
        if let e = Array(text.utf8).withUnsafeBytes({ OutputDirectory.writeAll(fd, $0) }) {
            close(fd); unlink(tmp)
            throw OutputError(path: path, problem: "write failed: \(String(cString: strerror(e)))",
                              hint: "the previous file, if any, is untouched")
        }
        // A file renamed into place before its bytes are on disk can turn up empty after a
        // crash: sync it (and check), then sync the folder so that the rename lasts too.
        if let e = OutputDirectory.sync(fd, .file) {
            close(fd); unlink(tmp)
            throw OutputError(path: path, problem: "fsync failed: \(String(cString: strerror(e)))",
                              hint: OutputDirectory.syncHint + "; the previous file, if any, is untouched")
        }
        if close(fd) != 0 {
            let e = errno
            unlink(tmp)
            throw OutputError(path: path, problem: "close failed: \(String(cString: strerror(e)))",
                              hint: OutputDirectory.syncHint + "; the previous file, if any, is untouched")
        }
        guard rename(tmp, url.path) == 0 else {
            let e = errno
            unlink(tmp)
            throw OutputError(path: path, problem: "cannot move into place: \(String(cString: strerror(e)))")
        }
        if let e = OutputDirectory.syncFolder(dir, .parent) {
            throw OutputError(path: path, problem: "written, but the folder \(dir) could not be synced to disk: \(String(cString: strerror(e)))",
                              hint: OutputDirectory.syncHint + " (after a crash the previous file may come back)")
        }
    }
}
