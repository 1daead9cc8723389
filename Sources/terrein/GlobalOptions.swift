import ArgumentParser
import Foundation
import Logging

struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "No progress bars, only errors.")
    var quiet = false

    @Option(name: .customLong("log-format"), help: "Log format on stderr: text or json (for schedulers).")
    var logFormat: LogFormat = .text

    func logger() -> Logger {
        let format = logFormat
        let level: Logger.Level = quiet ? .error : .info
        LoggingSystem.bootstrapOnce { label in
            var h = StderrLogHandler(label: label, format: format)
            h.logLevel = level
            return h
        }
        return Logger(label: "terrein")
    }
}

enum LogFormat: String, ExpressibleByArgument, Sendable { case text, json }
