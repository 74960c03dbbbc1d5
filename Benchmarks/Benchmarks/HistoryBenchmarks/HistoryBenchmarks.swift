import Benchmark
import Foundation
import SpaceHistory
import SpaceTriage

/// A history of 100,000 runs over 200 Spaces (30 days), written once to a temporary file.
func historyPath() -> String {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("space-triage-bench-history-\(getpid()).sqlite").path
  if FileManager.default.fileExists(atPath: path) { return path }
  let now = Date(timeIntervalSince1970: 1_795_000_000)
  let ids: [(String, SignatureClass)] = [
    ("zerogpu.worker-error", .transient), ("zerogpu.no-cuda-gpus", .transient), ("startup.app-exception", .persistent),
    ("build.pip-no-matching-distribution", .persistent), ("startup.crashed", .failure), ("scheduling.no-capacity", .transient),
  ]
  let records = (0..<100_000).map { index in
    let (id, signatureClass) = ids[index % ids.count]
    return HistoryStore.RunRecord(
      space: "owner\(index % 200)/space\(index % 200)", time: now.addingTimeInterval(-Double(index) * 26), command: "watch", source: "-",
      verdict: signatureClass == .transient ? .transient : .persistent, primary: id,
      findings: [(id: id, signatureClass: signatureClass, attemptKey: "k\(index % 977)")],
      fingerprints: index % 4 == 0 ? [(fingerprint: String(format: "%012x", index % 50), template: "boom <N>", count: 2)] : [])
  }
  do {
    try HistoryStore(path: path).insert(records)
  } catch {
    fatalError("cannot write the benchmark history: \(error)")
  }
  return path
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(10), maxIterations: 200)

  // `space-triage history OWNER/NAME`: open the store (a new connection, as a new process) and summarise.
  Benchmark("history-one-space-of-100k-runs") { benchmark in
    let path = historyPath()
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      let store = try HistoryStore(path: path)
      blackHole(try store.summary(space: "owner8/space8", since: nil))
    }
  }
}
