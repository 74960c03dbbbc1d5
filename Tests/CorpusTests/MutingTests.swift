import Foundation
import PatternCatalog
import Testing

@testable import SpaceTriage

/// Running markers (serving lines, access logs) are muted once an attempt runs, and the block
/// scanner then passes over their lines. Muting changes nothing but speed: a new attempt, a port
/// hint or a JSON line read in between must see the same lines as the plain engine.
struct MutingTests {
  static let catalog = try? CompiledCatalog(try Catalog.load(directories: [PatternCatalog.directory]))

  static let accessLog = "INFO:     10.16.4.123:41234 - \"GET /gradio_api/queue/data HTTP/1.1\" 200 OK\n"

  /// A running attempt, many access logs, a new attempt announced by a JSON line between them
  /// (the reader stops at JSON lines), more access logs, then a failure.
  static let restartBetweenAccessLogs =
    "===== Application Startup at 2026-06-01 09:00:00 =====\n\n"
    + "* Running on local URL:  http://0.0.0.0:7860\n"
    + String(repeating: accessLog, count: 300)
    + "{\"message\": \"===== Application Startup at 2026-06-01 10:00:00 =====\"}\n"
    + String(repeating: accessLog, count: 300)
    + "RuntimeError: No CUDA GPUs are available\n"

  /// A port hint, then an outside client's 200 (the routable proof must not be muted away),
  /// then a restart.
  static let hintThenAccessLog =
    "===== Application Startup at 2026-06-01 09:00:00 =====\n\n"
    + "INFO:     Uvicorn running on http://127.0.0.1:7860 (Press CTRL+C to quit)\n"
    + String(repeating: accessLog, count: 50)
    + "===== Application Startup at 2026-06-01 10:00:00 =====\n\n"
    + "INFO:     Uvicorn running on http://0.0.0.0:7860 (Press CTRL+C to quit)\n"

  @Test(arguments: [restartBetweenAccessLogs, hintThenAccessLog], [1, 7, 100, 4096])
  func mutingChangesNothingButSpeed(text: String, readSize: Int) throws {
    let catalog = try #require(Self.catalog)
    let fast = Classifier(catalog: catalog, readSize: readSize)
    #expect(fast.usesFastPath)
    let plain = Classifier(catalog: catalog, usesPrefilter: false, readSize: readSize)
    #expect(fast.classify(text: text) == plain.classify(text: text))
  }

  @Test func aNewAttemptSeesItsOwnServingLines() throws {
    let catalog = try #require(Self.catalog)
    let report = Classifier(catalog: catalog).classify(text: Self.restartBetweenAccessLogs)
    // The second attempt reached running through its access logs, read after muting.
    #expect(report.attempts == 2)
    #expect(report.stages.filter { $0.stage == .running }.count == 2)
  }
}
