import Foundation
import SpaceHistory
import SpaceTriage
import Testing

/// The history store: recording, escalation across runs, queries, errors.
struct HistoryStoreTests {
  static func temporaryPath() -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)")
    return folder.appendingPathComponent("history.sqlite").path
  }

  /// A log of one attempt whose app banner is at `banner` and which ends in a ZeroGPU worker error.
  static func index(_ banner: String) -> AttemptIndex {
    AttemptIndex(bytes: Array("===== Application Startup at \(banner) =====\n".utf8))
  }

  static func zeroGPUReport(banner: String, source: String = "-") -> Report {
    let bannerText = "===== Application Startup at \(banner) ====="
    let error = "gradio.exceptions.Error: 'ZeroGPU worker error'"
    return Report(
      source: source, lines: 10, bytes: 400, verdict: .transient, finalStage: .running, primary: "zerogpu.worker-error",
      escalated: false, attempts: 1, stages: [StageMark(stage: .startup, line: 1), StageMark(stage: .running, line: 3)],
      findings: [
        Finding(id: "stage.app-startup", title: "App startup", stage: .startup, signatureClass: .info, priority: 0, line: 1, text: bannerText),
        Finding(
          id: "zerogpu.worker-error", title: "ZeroGPU worker error", stage: .running, signatureClass: .transient, priority: 50, line: 9,
          text: error, advice: [AdviceStep(action: "retry-once", text: "Retry once.")]),
      ],
      advice: [AdviceStep(action: "retry-once", text: "Retry once.")])
  }

  let t0 = Date(timeIntervalSince1970: 1_795_000_000)

  @Test func theSameLogReadTwiceDoesNotEscalate() throws {
    let store = try HistoryStore(path: Self.temporaryPath())
    let report = Self.zeroGPUReport(banner: "2026-11-30 10:05:00")
    let (first, one) = try store.record(report, space: "acme/a", command: "classify", attempts: Self.index("2026-11-30 10:05:00"), now: t0)
    #expect(first.verdict == .transient && !first.escalated && one.primaryAttempts == 1)
    let (second, two) = try store.record(report, space: "acme/a", command: "classify", attempts: Self.index("2026-11-30 10:05:00"), now: t0.addingTimeInterval(60))
    #expect(second.verdict == .transient && !second.escalated)
    #expect(two.primaryAttempts == 1)
  }

  @Test func aNewAttemptFortyMinutesLaterEscalatesAcrossRuns() throws {
    let store = try HistoryStore(path: Self.temporaryPath())
    _ = try store.record(Self.zeroGPUReport(banner: "2026-11-30 10:05:00"), space: "acme/a", command: "watch", attempts: Self.index("2026-11-30 10:05:00"), now: t0)
    let (later, recorded) = try store.record(
      Self.zeroGPUReport(banner: "2026-11-30 10:45:00"), space: "acme/a", command: "watch", attempts: Self.index("2026-11-30 10:45:00"), now: t0.addingTimeInterval(40 * 60))
    #expect(later.verdict == .persistent)
    #expect(later.escalated)
    #expect(recorded.primaryAttempts == 2)
    #expect(later.advice.map(\.action) == ["retry-once", "stop-retrying", "inspect-pins-cuda-config"])
    #expect(later.advice[1].text.contains("2 distinct attempts of acme/a within 24 h"))
    // Another Space, or the same one a day later, does not count.
    let (other, _) = try store.record(
      Self.zeroGPUReport(banner: "2026-11-30 10:50:00"), space: "acme/b", command: "watch", attempts: Self.index("2026-11-30 10:50:00"), now: t0.addingTimeInterval(50 * 60))
    #expect(other.verdict == .transient)
    let (nextDay, _) = try store.record(
      Self.zeroGPUReport(banner: "2026-12-01 12:00:00"), space: "acme/a", command: "watch", attempts: Self.index("2026-12-01 12:00:00"), now: t0.addingTimeInterval(26 * 3600))
    #expect(nextDay.verdict == .transient, "the runs of the day before are outside the 24 h window")
  }

  @Test func persistentAndHealthyReportsAreRecordedUnchanged() throws {
    let store = try HistoryStore(path: Self.temporaryPath())
    var report = Self.zeroGPUReport(banner: "2026-11-30 10:05:00")
    report.findings[1].signatureClass = .persistent
    report.verdict = .persistent
    let (out, recorded) = try store.record(report, space: "acme/a", command: "classify", attempts: Self.index("2026-11-30 10:05:00"), now: t0)
    #expect(out == report)
    #expect(recorded.primaryAttempts == 0)
  }

  @Test func summaryCountsIdsAndFingerprints() throws {
    let store = try HistoryStore(path: Self.temporaryPath())
    var report = Self.zeroGPUReport(banner: "2026-11-30 10:05:00")
    report.unrecognized = [UnrecognizedLine(fingerprint: "0123456789ab", template: "boom <N>", line: 4, text: "boom 4", count: 2)]
    _ = try store.record(report, space: "acme/a", command: "classify", attempts: Self.index("2026-11-30 10:05:00"), now: t0)
    _ = try store.record(
      Self.zeroGPUReport(banner: "2026-11-30 11:05:00"), space: "acme/a", command: "classify", attempts: Self.index("2026-11-30 11:05:00"), now: t0.addingTimeInterval(3600))
    _ = try store.record(
      Self.zeroGPUReport(banner: "2026-11-30 11:05:00"), space: "acme/b", command: "classify", attempts: Self.index("2026-11-30 11:05:00"), now: t0.addingTimeInterval(3600))
    let all = try store.summary(space: "acme/a", since: nil)
    #expect(all.totalRuns == 2)
    #expect(all.runs.first?.verdict == "persistent")
    #expect(all.ids.first?.key == "zerogpu.worker-error" && all.ids.first?.runs == 2)
    #expect(all.fingerprints.first?.key == "0123456789ab" && all.fingerprints.first?.detail == "boom <N>")
    #expect(all.first == t0 && all.last == t0.addingTimeInterval(3600))
    let recent = try store.summary(space: "acme/a", since: t0.addingTimeInterval(1800))
    #expect(recent.totalRuns == 1)
    #expect(try store.summary(space: nil, since: nil).totalRuns == 3)
  }

  @Test func twoWritersAtOnceBothSucceed() throws {
    let path = Self.temporaryPath()
    let group = DispatchGroup()
    let failures = Failures()
    for writer in 0..<2 {
      group.enter()
      Thread {
        defer { group.leave() }
        do {
          // Each writer its own connection, as two processes would have.
          let store = try HistoryStore(path: path)
          for index in 0..<100 {
            _ = try store.record(
              Self.zeroGPUReport(banner: "2026-11-30 10:\(index % 60)"), space: "acme/w\(writer)", command: "classify", attempts: Self.index("2026-11-30 10:\(index % 60)"),
              now: Date(timeIntervalSince1970: 1_795_000_000 + Double(index)))
          }
        } catch { failures.add("\(error)") }
      }.start()
    }
    group.wait()
    #expect(failures.all.isEmpty, "\(failures.all)")
    #expect(try HistoryStore(path: path).summary(space: nil, since: nil).totalRuns == 200)
  }

  @Test func manyFirstOpenersOfANewFileAllSucceed() throws {
    for _ in 0..<10 {
      let path = Self.temporaryPath()
      let group = DispatchGroup()
      let failures = Failures()
      for _ in 0..<6 {
        group.enter()
        Thread {
          defer { group.leave() }
          do {
            let store = try HistoryStore(path: path)
            _ = try store.record(Self.zeroGPUReport(banner: "b"), space: "acme/a", command: "classify", attempts: nil)
          } catch { failures.add("\(error)") }
        }.start()
      }
      group.wait()
      #expect(failures.all.isEmpty, "\(failures.all)")
      #expect(try HistoryStore(path: path).summary(space: nil, since: nil).totalRuns == 6)
    }
  }

  @Test func aCorruptFileIsAClearError() throws {
    let path = Self.temporaryPath()
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
    let error = try #require(throws: HistoryError.self) { try HistoryStore(path: path) }
    #expect(error.description.contains(path))
    #expect(error.description.contains("not a space-triage history database"))
  }

  @Test func aReadOnlyFileIsAClearError() throws {
    guard getuid() != 0 else { return }  // root writes anyway; the CLI test covers a read-only folder
    let path = Self.temporaryPath()
    _ = try HistoryStore(path: path)
    try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
    let error = try #require(throws: HistoryError.self) {
      _ = try HistoryStore(path: path).record(Self.zeroGPUReport(banner: "x"), space: "acme/a", command: "classify", attempts: nil)
    }
    #expect(error.description.contains("cannot write"))
  }

  @Test func attemptIndexFindsBannersAndTimestamps() {
    let log = """
      ===== Build Queued at 2026-11-30 10:00:00 / Commit SHA: e9e3061 =====
      building
      ===== Application Startup at 2026-11-30 10:05:00 =====
      ===== Application Startup at 2026-11-30 10:05:00 =====
      error one
      ===== Application Startup at 2026-11-30 10:45:00 =====
      error two
      """
    let index = AttemptIndex(bytes: Array(log.utf8))
    #expect(index.banners.map(\.time) == ["2026-11-30 10:00:00", "2026-11-30 10:05:00", "2026-11-30 10:45:00"])
    #expect(index.start(of: 2) == "2026-11-30 10:00:00")
    #expect(index.start(of: 5) == "2026-11-30 10:05:00")
    #expect(index.start(of: 7) == "2026-11-30 10:45:00")
    let sse = AttemptIndex(bytes: Array(#"data: {"data": "boom\n", "timestamp": "2026-11-30T10:05:01Z"}"#.utf8) + [0x0A])
    #expect(sse.start(of: 1) == "2026-11-30T10:05:01Z")
    // Fed in pieces, the same.
    let pieces = AttemptIndex()
    for chunk in Array(log.utf8).chunked(3) { chunk.withUnsafeBytes { pieces.feed($0) } }
    pieces.finish()
    #expect(pieces.banners.map(\.line) == index.banners.map(\.line))
  }

  @Test func defaultPathFollowsXDG() {
    #expect(HistoryStore.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/space-triage/history.sqlite")
    #expect(HistoryStore.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/space-triage/history.sqlite")
    #expect(HistoryStore.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]) == "/h/.local/state/space-triage/history.sqlite")
  }

  @Test func healBudgetAndIncidentSpread() throws {
    let store = try HistoryStore(path: Self.temporaryPath())
    try store.recordAction(space: "acme/a", kind: "restart", outcome: "sent", now: t0)
    try store.recordAction(space: "acme/a", kind: "factory-rebuild", outcome: "refused", now: t0)
    #expect(try store.actionsTaken(space: "acme/a", within: 86400, now: t0.addingTimeInterval(3600)) == ["restart"])
    #expect(try store.actionsTaken(space: "acme/a", within: 86400, now: t0.addingTimeInterval(25 * 3600)).isEmpty)
    for (index, space) in ["x/1", "x/2", "x/3"].enumerated() {
      _ = try store.record(Self.zeroGPUReport(banner: "b"), space: space, command: "fleet", attempts: Self.index("b"), now: t0.addingTimeInterval(Double(index) * 300))
    }
    #expect(try store.transientSpread(within: 1800, now: t0.addingTimeInterval(900)) == ["zerogpu.worker-error": ["x/1", "x/2", "x/3"]])
    #expect(try store.transientSpread(within: 1800, now: t0.addingTimeInterval(2000)).isEmpty)
  }
}

final class Failures: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []
  func add(_ text: String) { lock.withLock { list.append(text) } }
  var all: [String] { lock.withLock { list } }
}

extension Array {
  func chunked(_ size: Int) -> [[Element]] {
    stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
  }
}
