import TerreinJSON
import Foundation
import Logging

extension LoggingSystem {
    nonisolated(unsafe) private static var bootstrapped = false
    /// Bootstraps once per process (subcommands call it from their `run`).
    static func bootstrapOnce(_ factory: @escaping @Sendable (String) -> any LogHandler) {
        if bootstrapped { return }
        bootstrapped = true
        bootstrap(factory)
    }
}

/// Log lines on stderr: readable text, or one JSON object per line for schedulers.
struct StderrLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let m = event.metadata { all.merge(m) { $1 } }
        let line: String
        switch format {
        case .text:
            let prefix: String
            switch event.level {
            case .error, .critical: prefix = "error: "
            case .warning: prefix = "warning: "
            default: prefix = ""
            }
            let extra = all.filter { $0.key != "kind" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            line = prefix + "\(event.message)" + (extra.isEmpty ? "" : " (" + extra.joined(separator: ", ") + ")") + "\n"
        case .json:
            var obj: [String: String] = [
                "time": ISO8601DateFormatter().string(from: Date()),
                "level": event.level.rawValue,
                "message": "\(event.message)",
            ]
            for (k, v) in all { obj[k] = "\(v)" }
            let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        writeToStderr(line)
    }
}

/// Writes to stderr with write(2), ignoring failures: `FileHandle.write` traps when the
/// write fails (stderr redirected to a file on a full disk or beyond `ulimit -f`), and a
/// log line that cannot be written must never turn an orderly exit into a crash.
func writeToStderr(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    bytes.withUnsafeMutableBytes { raw in
        guard let base = raw.baseAddress else { return }
        while offset < raw.count {
            let n = write(STDERR_FILENO, base + offset, raw.count - offset)
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }
}
