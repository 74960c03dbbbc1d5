import Foundation
import Testing

@testable import SpaceDoctor

struct LogSnapshotTests {
  func event(_ text: String, _ stamp: String?) -> String {
    let time = stamp.map { #","timestamp":"\#($0)""# } ?? ""
    return #"data: {"data":"\#(text)"\#(time)}"#
  }

  @Test func buildAndRunLogsMergeInTimeOrder() {
    let build =
      [
        event("build 1", "2026-11-30T10:00:00Z"), "", "data:", ": comment", event("build 2", "2026-11-30T10:00:02.5Z"),
        event("build 3 (no time)", nil), event("build 4", "2026-11-30T10:00:04.123456789Z"),
      ].joined(separator: "\n") + "\n"
    let run =
      [event("run 1", "2026-11-30T10:00:01Z"), event("run 2", "2026-11-30T10:00:02.5Z"), event("run 3", "2026-11-30T10:00:05Z")]
      .joined(separator: "\r\n") + "\r\n"
    let buildEvents = LogSnapshot.events(Array(build.utf8))
    let runEvents = LogSnapshot.events(Array(run.utf8))
    #expect(buildEvents.count == 4)
    #expect(runEvents.count == 3)
    let merged = LogSnapshot.merge(buildEvents, runEvents).map { String(decoding: $0.line, as: UTF8.self) }
    let order = merged.compactMap { line in line.split(separator: "\"").dropFirst(3).first.map(String.init) }
    // Equal times: the build first; an event without a time keeps its place after the one before it.
    #expect(order == ["build 1", "run 1", "build 2", "build 3 (no time)", "run 2", "build 4", "run 3"])
    #expect(merged.allSatisfy { $0.hasSuffix("}\n") })
  }

  @Test func lastBuildBanner() {
    let build = [
      event("===== Build Queued at 2026-01-02 03:04:05 / Commit SHA: abc1234 =====", "2026-01-02T03:04:05Z"),
      event("===== Build Queued at 2026-11-30 10:00:00 / Commit SHA: e9e3061 =====", "2026-11-30T10:00:00Z"),
    ].joined(separator: "\n")
    let date = LogSnapshot.lastBanner(LogSnapshot.events(Array(build.utf8)))
    #expect(date == ISO8601DateFormatter().date(from: "2026-11-30T10:00:00Z"))
  }
}
