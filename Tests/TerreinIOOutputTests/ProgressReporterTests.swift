import Foundation
import XCTest
@testable import TerreinIO

final class ProgressReporterTests: XCTestCase {
    final class Sink: @unchecked Sendable {
        let lock = NSLock()
        var text: [String] = []
        var now = 0.0
        func add(_ s: String) { lock.lock(); text.append(s); lock.unlock() }
    }

    func testSilentWhenNotATerminalOrDisabled() {
        for (enabled, terminal) in [(true, false), (false, true)] {
            let sink = Sink()
            let p = ProgressReporter(enabled: enabled, isTerminal: terminal, output: sink.add, clock: { sink.now })
            p.begin("stage", total: 10)
            p.advance(by: 5)
            p.end()
            XCTAssertTrue(sink.text.isEmpty)
        }
    }

    func testThrottledAndFinal() {
        let sink = Sink()
        let p = ProgressReporter(enabled: true, isTerminal: true, output: sink.add, clock: { sink.now })
        p.begin("solar", total: 100)
        XCTAssertEqual(sink.text.count, 1)
        for _ in 0..<50 { sink.now += 0.001; p.advance() } // 50 ms: throttled away
        XCTAssertEqual(sink.text.count, 1)
        sink.now = 1.0
        p.advance(by: 10)
        XCTAssertEqual(sink.text.count, 2)
        XCTAssertTrue(sink.text[1].contains("solar ["), sink.text[1])
        XCTAssertTrue(sink.text[1].contains("60/100 60%"), sink.text[1])
        XCTAssertTrue(sink.text[1].contains("60.0/s"), sink.text[1])
        XCTAssertTrue(sink.text[1].contains("ETA 0:01"), sink.text[1])
        sink.now = 2.0
        p.advance(by: 40)
        p.end()
        XCTAssertEqual(sink.text.last, "\n")
        XCTAssertTrue(sink.text[sink.text.count - 2].contains("100/100 100%"))
        let before = sink.text.count
        p.advance() // after end: nothing
        p.end()
        XCTAssertEqual(sink.text.count, before)
    }

    func testConcurrentAdvance() {
        let sink = Sink()
        let p = ProgressReporter(enabled: true, isTerminal: true, output: sink.add, clock: { ProgressReporter.monotonicSeconds() })
        p.begin("parallel", total: 4000)
        DispatchQueue.concurrentPerform(iterations: 4000) { _ in p.advance() }
        p.end()
        XCTAssertTrue(sink.text[sink.text.count - 2].contains("4000/4000"), sink.text[sink.text.count - 2])
        XCTAssertLessThan(sink.text.count, 100)
    }

    func testLineFormat() {
        XCTAssertEqual(ProgressReporter.line(stage: "read", count: 5, total: 0, elapsed: 0), "read 5")
        XCTAssertEqual(ProgressReporter.formatDuration(3725), "1:02:05")
        XCTAssertEqual(ProgressReporter.formatDuration(65), "1:05")
    }
}
