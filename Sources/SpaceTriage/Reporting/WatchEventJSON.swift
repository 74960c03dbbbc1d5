/// The whole NDJSON event schema of `space-triage watch --format ndjson`, in one place.
///
/// One JSON object a line, each with an `event` field:
/// - `stage`: `{"event": "stage", "source", "stage", "line", "attempt"}`;
/// - `finding`: `{"event": "finding", "source", …the finding's fields}`;
/// - `provisional`: the verdict so far, `{"event": "provisional", "source", "verdict", "primary",
///   "finalStage", "escalated", "attempts", "lines", "advice"}`;
/// - `stall-ended`: a stall finding withdrawn, `{"event": "stall-ended", "source", "id", "line"}`;
/// - `verdict`: the last event, `{"event": "verdict", "verdict", "report": REPORT}`.
package enum WatchEventJSON {
  /// The line for one live event.
  package static func event(_ event: LiveTriage.Event, source: String) -> JSONValue {
    switch event {
    case .stage(let mark, let attempt):
      return .object([
        ("event", .string("stage")), ("source", .string(source)), ("stage", .string(mark.stage.rawValue)),
        ("line", .int(mark.line)), ("attempt", .int(attempt)),
      ])
    case .finding(let found):
      return .object([("event", .string("finding")), ("source", .string(source))] + fields(of: JSONReporter.finding(found)))
    case .provisional(let report):
      return .object([
        ("event", .string("provisional")), ("source", .string(source)),
        ("verdict", .string(report.verdict.rawValue)), ("primary", .optional(report.primary)),
        ("finalStage", .optional(report.finalStage?.rawValue)), ("escalated", .bool(report.escalated)),
        ("attempts", .int(report.attempts)), ("lines", .int(report.lines)),
        ("advice", .array(report.advice.map(JSONReporter.advice))),
      ])
    case .stallEnded(let finding):
      return .object([
        ("event", .string("stall-ended")), ("source", .string(source)), ("id", .string(finding.id)),
        ("line", .int(finding.line)),
      ])
    }
  }

  /// The final event: the verdict with the whole REPORT.
  package static func verdict(_ report: Report) -> JSONValue {
    .object([
      ("event", .string("verdict")), ("verdict", .string(report.verdict.rawValue)),
      ("report", JSONReporter.report(report)),
    ])
  }

  private static func fields(of value: JSONValue) -> [(String, JSONValue)] {
    if case .object(let fields) = value { return fields }
    return []
  }
}
