import Foundation
import SpaceTriage
import Testing

struct JSONReporterTests {
  static let report = Report(
    source: "log.txt", lines: 10, bytes: 200, verdict: .transient, finalStage: .running,
    primary: "zerogpu.no-cuda-gpus", escalated: false, attempts: 1,
    stages: [StageMark(stage: .startup, line: 1)],
    findings: [
      Finding(
        id: "zerogpu.no-cuda-gpus", title: "No CUDA GPUs", stage: .running, signatureClass: .transient,
        priority: 50, line: 9, text: "RuntimeError: No CUDA GPUs are available\u{1}")
    ],
    advice: [AdviceStep(action: "retry-once", text: "Retry once.")])

  @Test func reportHasExactlySPECsFieldNames() throws {
    let text = JSONReporter.report(Self.report).serialized()
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let spec: Set = [
      "source", "lines", "bytes", "verdict", "finalStage", "primary", "escalated", "attempts", "stages", "findings", "advice",
    ]
    #expect(spec.isSubset(of: Set(object.keys)))
    let finding = try #require((object["findings"] as? [[String: Any]])?.first)
    #expect(Set(["id", "title", "stage", "class", "line", "count", "attempts", "text"]).isSubset(of: Set(finding.keys)))
    #expect(finding["text"] as? String == "RuntimeError: No CUDA GPUs are available\u{1}")
    #expect(text.contains("\\u0001"))
    let stage = try #require((object["stages"] as? [[String: Any]])?.first)
    #expect(Set(stage.keys) == ["stage", "line"])
    #expect(Set(try #require((object["advice"] as? [[String: Any]])?.first).keys) == ["action", "text"])
  }

  @Test func nullsAreExplicit() {
    var report = Self.report
    report.primary = nil
    report.finalStage = nil
    let text = JSONReporter.report(report).serialized()
    #expect(text.contains(#""primary":null"#))
    #expect(text.contains(#""finalStage":null"#))
  }

  @Test func documentHasCatalogReportsSummary() throws {
    let text = JSONReporter.document(reports: [Self.report, Self.report], catalogVersion: 1, signatureCount: 50).serialized()
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["catalog", "reports", "summary"])
    let summary = try #require(object["summary"] as? [String: Any])
    #expect(summary["inputs"] as? Int == 2)
    #expect((summary["verdicts"] as? [String: Int])?["transient"] == 2)
    #expect((summary["signatures"] as? [String: Int])?["zerogpu.no-cuda-gpus"] == 2)
  }

  /// The document written piece by piece, as `classify --format json` streams it, is the same
  /// text as the document built at once.
  @Test(arguments: [0, 1, 3])
  func streamedDocumentIsTheSameText(reportCount: Int) {
    let reports = Array(repeating: Self.report, count: reportCount)
    var tally = ReportTally()
    var streamed = JSONReporter.documentStart(catalogVersion: 1, signatureCount: 50)
    for (index, report) in reports.enumerated() {
      streamed += (index == 0 ? "" : ",") + JSONReporter.report(report).serialized()
      tally.add(report)
    }
    streamed += JSONReporter.documentEnd(tally)
    #expect(streamed == JSONReporter.document(reports: reports, catalogVersion: 1, signatureCount: 50).serialized())
  }

  @Test func textReportStaysOnOneScreen() {
    var report = Self.report
    for index in 0..<20 {
      report.findings.append(
        Finding(id: "noise.n\(index)", title: "n", stage: .running, signatureClass: .info, priority: 0, line: index))
    }
    let text = TextReporter(color: false).render(report)
    #expect(text.contains("… and 12 more (see --format json)"))
    #expect(text.split(separator: "\n").count < 24)
  }

  @Test func textReportIsTerminalSafe() {
    let text = TextReporter(color: false).render(Self.report)
    #expect(text.hasPrefix("TRANSIENT  log.txt"))
    #expect(text.contains("line 9: RuntimeError: No CUDA GPUs are available?"))
    #expect(text.contains("1. Retry once."))
    #expect(!text.contains("\u{1}"))
    #expect(TextReporter(color: true).render(Self.report).contains("\u{1B}[1;33mTRANSIENT"))
  }
}
