import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Input files must be regular files: opening a FIFO blocks until something writes into
/// it, and reading a device (/dev/zero, a terminal) may never end, so a wrong path would
/// hang a batch job for ever. Layers are also read more than once (CRS pass, hashing).
public enum InputFile {
    /// What `mode` (`st_mode`) is, when it is not a regular file: "a directory", "a FIFO
    /// (named pipe)", ...; nil for a regular file.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// What `path` is when it exists and is not a regular file (`stat`, following symbolic
    /// links, without opening it); nil for a regular file or when it cannot be stat'ed
    /// (the caller's open then reports why).
    public static func nonRegularKind(atPath path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return nonRegularKind(st.st_mode)
    }

    /// Opens a regular file for reading. The file is opened with O_NONBLOCK, so that a FIFO
    /// cannot block the open, and checked with `fstat` on the open descriptor (no window
    /// between check and use); then O_NONBLOCK is cleared for normal reads.
    /// - Throws: `InputError` naming the file, when it cannot be opened or is not a regular file.
    public static func openForReading(_ path: String, hint: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError(file: path, problem: "cannot open the file: \(String(cString: strerror(errno)))", hint: hint)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw InputError(file: path, problem: "cannot read the file's status: \(String(cString: strerror(e)))", hint: hint)
        }
        if let kind = nonRegularKind(st.st_mode) {
            close(fd)
            throw InputError(file: path, problem: "this is \(kind), not a regular file",
                             hint: "point the path at a file on disk (to read from a pipe or a device, save its output to a file first)")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return fd
    }
}
