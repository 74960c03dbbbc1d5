/// Builds the JSON of docs/output.md (schema: docs/report.schema.json): REPORT objects, the batch document and watch events.
public enum JSONReporter {
  /// A REPORT object (docs/output.md).
  public static func report(_ report: Report) -> JSONValue {
    .object([
      ("source", .string(report.source)),
      ("lines", .int(report.lines)),
      ("bytes", .int(report.bytes)),
      ("verdict", .string(report.verdict.rawValue)),
      ("finalStage", .optional(report.finalStage?.rawValue)),
      ("primary", .optional(report.primary)),
      ("escalated", .bool(report.escalated)),
      ("attempts", .int(report.attempts)),
      ("stages", .array(report.stages.map(stage))),
      ("findings", .array(report.findings.map(finding))),
      ("advice", .array(report.advice.map(advice))),
      ("truncatedLines", .int(report.truncatedLines)),
      ("catalogProblems", .array(report.catalogProblems.map(JSONValue.string))),
      ("unrecognized", .array(report.unrecognized.map(unrecognized))),
      ("reason", .optional(report.reason)),
    ])
  }

  /// A `{"stage", "line"}` object.
  public static func stage(_ mark: StageMark) -> JSONValue {
    .object([("stage", .string(mark.stage.rawValue)), ("line", .int(mark.line))])
  }

  /// A FINDING object (docs/output.md).
  public static func finding(_ finding: Finding) -> JSONValue {
    .object([
      ("id", .string(finding.id)),
      ("title", .string(finding.title)),
      ("stage", .string(finding.stage.rawValue)),
      ("class", .string(finding.signatureClass.rawValue)),
      ("line", .int(finding.line)),
      ("count", .int(finding.count)),
      ("attempts", .array(finding.attempts.map(JSONValue.int))),
      ("text", .string(finding.text)),
      ("captures", .object(finding.captures.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
      ("timestamp", .optional(finding.timestamp)),
      ("context", .array(finding.context.map(JSONValue.string))),
    ])
  }

  /// An `{"action", "text"}` object.
  public static func advice(_ step: AdviceStep) -> JSONValue {
    .object([("action", .string(step.action)), ("text", .string(step.text))])
  }

  /// The batch document: catalog, reports, summary.
  public static func document(reports: [Report], catalogVersion: Int, signatureCount: Int) -> JSONValue {
    var tally = ReportTally()
    for report in reports { tally.add(report) }
    return .object([
      ("catalog", catalog(version: catalogVersion, signatureCount: signatureCount)),
      ("reports", .array(reports.map(report))),
      ("summary", summary(tally)),
    ])
  }

  /// The document of ``document(reports:catalogVersion:signatureCount:)`` written as the
  /// reports come: this text, then each report (``report(_:)``) with a comma between them, then
  /// ``documentEnd(_:)``. The same bytes, without holding every report.
  public static func documentStart(catalogVersion: Int, signatureCount: Int) -> String {
    "{\"catalog\":" + catalog(version: catalogVersion, signatureCount: signatureCount).serialized() + ",\"reports\":["
  }

  /// The end of a document begun with ``documentStart(catalogVersion:signatureCount:)``.
  public static func documentEnd(_ tally: ReportTally) -> String {
    "],\"summary\":" + summary(tally).serialized() + "}"
  }

  private static func catalog(version: Int, signatureCount: Int) -> JSONValue {
    .object([("version", .int(version)), ("signatures", .int(signatureCount))])
  }

  private static func summary(_ tally: ReportTally) -> JSONValue {
    .object([
      ("inputs", .int(tally.inputs)),
      ("verdicts", .object(Verdict.allCases.map { ($0.rawValue, .int(tally.count(of: $0))) })),
      ("signatures", .object(tally.signatures.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
      ("unrecognized", unrecognizedSummary(tally)),
    ])
  }
}
