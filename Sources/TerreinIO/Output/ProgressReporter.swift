import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar per stage on stderr: stage name, bar, count/total, rate and ETA.
///
/// It draws only when enabled (not `--quiet`) and stderr is a terminal; otherwise every call
/// is a cheap no-op, so logs and CI output stay clean. `advance(by:)` may be called from any
/// thread; redraws are throttled to at most 10 per second (plus the final one in `end()`).
public final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let active: Bool
    private let output: (String) -> Void
    private let clock: () -> Double

    private var stage: String?
    private var total = 0
    private var bytes = false
    private var count = 0
    private var started = 0.0
    private var lastDraw = -Double.infinity

    static let minimumInterval = 0.1
    static let barWidth = 24

    public convenience init(enabled: Bool) {
        self.init(enabled: enabled, isTerminal: isatty(STDERR_FILENO) == 1,
                  output: { text in
                      let bytes = Array(text.utf8)
                      var offset = 0
                      while offset < bytes.count {
                          let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
                          if n <= 0 { break }
                          offset += n
                      }
                  },
                  clock: ProgressReporter.monotonicSeconds)
    }

    /// For tests: an explicit terminal flag, output sink and clock.
    init(enabled: Bool, isTerminal: Bool, output: @escaping (String) -> Void, clock: @escaping () -> Double) {
        active = enabled && isTerminal
        self.output = output
        self.clock = clock
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Starts a stage (ending the previous one). `total` ≤ 0 means unknown. With
    /// `bytes`, counts and rates are shown in MB.
    public func begin(_ stage: String, total: Int, bytes: Bool = false) {
        guard active else { return }
        lock.lock(); defer { lock.unlock() }
        finishLocked()
        self.stage = stage
        self.bytes = bytes
        self.total = max(0, total)
        count = 0
        started = clock()
        lastDraw = -Double.infinity
        drawLocked(now: started)
    }

    public func advance(by n: Int = 1) {
        guard active else { return }
        lock.lock(); defer { lock.unlock() }
        guard stage != nil else { return }
        count += n
        let now = clock()
        if now - lastDraw >= ProgressReporter.minimumInterval { drawLocked(now: now) }
    }

    /// Draws the final state of the stage and moves to a new line.
    public func end() {
        guard active else { return }
        lock.lock(); defer { lock.unlock() }
        finishLocked()
    }

    private func finishLocked() {
        guard stage != nil else { return }
        drawLocked(now: clock())
        output("\n")
        stage = nil
    }

    private func drawLocked(now: Double) {
        guard let stage else { return }
        lastDraw = now
        if bytes {
            // Whole and tenths of MB keep the generic line readable.
            let mb = { (n: Int) in Int((Double(n) / 1e6).rounded()) }
            output("\r\u{1B}[K" + ProgressReporter.line(stage: stage + " (MB)", count: mb(count), total: mb(total), elapsed: now - started))
        } else {
            output("\r\u{1B}[K" + ProgressReporter.line(stage: stage, count: count, total: total, elapsed: now - started))
        }
    }

    /// The text of one progress line.
    static func line(stage: String, count: Int, total: Int, elapsed: Double) -> String {
        var text = stage
        let rate = elapsed > 0 ? Double(count) / elapsed : 0
        if total > 0 {
            let fraction = min(1, max(0, Double(count) / Double(total)))
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            text += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
            text += " \(count)/\(total) \(Int((fraction * 100).rounded(.down)))%"
        } else {
            text += " \(count)"
        }
        if elapsed > 0 && count > 0 {
            text += " " + formatRate(rate) + "/s"
            if total > 0 && count < total && rate > 0 {
                text += " ETA " + formatDuration(Double(total - count) / rate)
            } else if total > 0 && count >= total {
                text += " " + formatDuration(elapsed)
            }
        }
        return text
    }

    static func formatRate(_ r: Double) -> String {
        if r >= 100 { return String(Int(r.rounded())) }
        return String(format: "%.1f", r)
    }

    static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) }
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
