import Foundation
import SpaceHistory
import SpaceTriage
import Testing

/// A history of 100,000 recorded runs answers `history OWNER/NAME` in under 50 ms.
struct HistoryScaleTests {
  /// 100,000 runs over 200 Spaces in the last 30 days, each with one or two failure ids and
  /// sometimes an unrecognised fingerprint.
  static func records(runs: Int = 100_000, spaces: Int = 200, now: Date) -> [HistoryStore.RunRecord] {
    let ids: [(String, SignatureClass)] = [
      ("zerogpu.worker-error", .transient), ("zerogpu.no-cuda-gpus", .transient), ("startup.app-exception", .persistent),
      ("build.pip-no-matching-distribution", .persistent), ("startup.crashed", .failure), ("scheduling.no-capacity", .transient),
    ]
    return (0..<runs).map { index in
      let (id, signatureClass) = ids[index % ids.count]
      var findings = [(id: id, signatureClass: signatureClass, attemptKey: "2026-11-\(index % 28 + 1) | evidence \(index % 977)")]
      if index % 3 == 0 { findings.append((id: "startup.crashed", signatureClass: .failure, attemptKey: "k\(index % 13)")) }
      let fingerprints = index % 4 == 0 ? [(fingerprint: String(format: "%012x", index % 50), template: "boom <N> at <PATH>", count: 2)] : []
      return HistoryStore.RunRecord(
        space: "owner\(index % spaces)/space\(index % spaces)", time: now.addingTimeInterval(-Double(index) * 26),
        command: index % 2 == 0 ? "watch" : "classify", source: "-", verdict: signatureClass == .transient ? .transient : .persistent,
        primary: id, findings: findings, fingerprints: fingerprints)
    }
  }

  @Test func historyOfOneSpaceAmong100kRunsUnder50ms() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("history-scale-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("history.sqlite").path
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let store = try HistoryStore(path: path)
    try store.insert(Self.records(now: now))
    // As a fresh process would: a new connection each time. The best of 5 (a shared, loaded
    // machine adds noise, never speed).
    var elapsed = Duration.seconds(3600)
    var summary = HistorySummary.empty
    for _ in 0..<5 {
      let start = ContinuousClock.now
      let reopened = try HistoryStore(path: path)
      summary = try reopened.summary(space: "owner8/space8", since: nil)
      elapsed = min(elapsed, ContinuousClock.now - start)
    }
    let reopened = try HistoryStore(path: path)
    #expect(summary.totalRuns == 500)
    #expect(!summary.ids.isEmpty && !summary.fingerprints.isEmpty)
    let week = try reopened.summary(space: "owner8/space8", since: now.addingTimeInterval(-7 * 86400))
    #expect(week.totalRuns > 0 && week.totalRuns < 500)
    print("history OWNER/NAME over 100,000 runs: \(elapsed) (open + query)")
    #expect(elapsed < .milliseconds(50), "took \(elapsed)")
  }
}
